"""Role routes (code42-behaviour.md §4.3, §5): the catalogue and a user's roles."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from simulators.code42.domain import accounts, roles, tenant
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import body

bp = Blueprint("roles", __name__)


@bp.get("/v1/users/roles")
def list_roles() -> Any:
    with domain().transaction() as tx:
        return jsonify(roles.list_roles(tenant.created(tx)))


@bp.get("/api/v1/role")
def legacy_list_roles() -> Any:
    """py42 ``get_available_roles``: the roles the caller may assign, in the console envelope."""
    with domain().transaction() as tx:
        return jsonify(tenant.legacy_envelope(tx, roles.list_roles(tenant.created(tx))))


@bp.get("/v1/users/roles/<role_id>")
def get_role(role_id: str) -> Any:
    with domain().transaction() as tx:
        return jsonify(roles.get_role(role_id, tenant.created(tx)))


def _user_roles(ident: str) -> list[dict[str, Any]]:
    with domain().transaction() as tx:
        return accounts.user_roles(tx, ident)


def _replace_roles(ident: str) -> dict[str, Any]:
    wanted = body().get("roleIds")
    if not isinstance(wanted, list):
        raise AdminError(400, "INVALID_ROLE", "roleIds must be a list")
    ids = [roles.role_or_400(r) for r in wanted]
    with domain().transaction() as tx:
        return accounts.replace_roles(tx, ident, ids)


@bp.get("/v1/users/<ident>/roles")
def v1_user_roles(ident: str) -> Any:
    return jsonify({"roles": _user_roles(ident)})


@bp.put("/v1/users/<ident>/roles")
def v1_replace_roles(ident: str) -> Any:
    return jsonify(_replace_roles(ident))


@bp.get("/api/v3/users/<ident>/roles")
def v3_user_roles(ident: str) -> Any:
    return jsonify(_user_roles(ident))


@bp.put("/api/v3/users/<ident>/roles")
def v3_replace_roles(ident: str) -> Any:
    return jsonify(_replace_roles(ident))
