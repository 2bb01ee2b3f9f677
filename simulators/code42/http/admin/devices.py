"""Devices and agents: ``GET /v1/users/{id}/devices``, ``GET /v1/devices``, ``GET /v1/agents``
(:mod:`domain.devices`: the mock has none, so the pages are empty)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from simulators.code42.domain import devices
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import paging

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
