"""Devices and agents: ``GET /v1/users/{id}/devices``, ``GET /v1/devices``, ``GET /v1/agents`` and py42's
``GET /api/v1/Computer`` (:mod:`domain.devices`: the mock has none, so the pages are empty)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from simulators.code42.domain import devices, tenant
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import bool_arg, legacy_paging, paging, text_arg

bp = Blueprint("devices", __name__)


@bp.get("/v1/users/<ident>/devices")
def user_devices(ident: str) -> Any:
    page = paging()
    with domain().transaction() as tx:
        return jsonify(devices.user_devices(tx, ident, page))


@bp.get("/v1/devices")
def list_devices() -> Any:
    return jsonify(devices.devices_page(paging()))


@bp.get("/v1/agents")
def list_agents() -> Any:
    return jsonify(devices.agents_page(paging(default_size=500)))


@bp.get("/api/v1/Computer")
def list_computers() -> Any:
    """Filters ``active``, ``blocked``, ``orgUid``, ``userUid``, ``q`` (checked; nothing matches)."""
    for flag in ("active", "blocked", "incBackupUsage", "incCounts"):
        bool_arg(flag)
    page = legacy_paging()
    with domain().transaction() as tx:
        return jsonify(tenant.legacy_envelope(tx, devices.computers_page(tx, text_arg("orgUid"), page)))
