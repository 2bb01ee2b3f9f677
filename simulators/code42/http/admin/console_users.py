"""The console API's user records, as py42 and code42cli call them (code42-behaviour.md §4.3):
``GET|POST /api/v1/User``, ``GET|PUT /api/v1/User/{id}`` (``idType=uid`` for a userUid) and
``GET /api/v1/User/my``. Answers come in the console envelope ``{"metadata", "data"}``.

Why these matter beyond py42's own user calls: every py42 user action (block, deactivate, move, roles)
first reads ``GET /api/v1/User/{userId}`` for the ``userUid`` the ``/api/v3`` route needs.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from simulators.code42.domain import accounts, tenant
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import body, bool_arg, legacy_paging, require_strings, text_arg

bp = Blueprint("console_users", __name__)


def _inc_roles() -> bool:
    return bool(bool_arg("incRoles")) or bool(bool_arg("incAll"))


@bp.get("/api/v1/User")
def find_users() -> Any:
    active, page = bool_arg("active"), legacy_paging()
    with domain().transaction() as tx:
        found = accounts.find_users_legacy(tx, active=active, email=text_arg("email"), org_ref=text_arg("orgUid"),
                                           role=text_arg("roleId"), query=text_arg("q"),
                                           username=text_arg("username"), paging=page, inc_roles=_inc_roles())
        return jsonify(tenant.legacy_envelope(tx, found))


@bp.post("/api/v1/User")
def create_user() -> Any:
    data = body()
    require_strings(data, "orgUid", "username", "email", "password", "firstName", "lastName", "notes")
    rules = domain()
    with rules.transaction() as tx:
        return jsonify(tenant.legacy_envelope(tx, accounts.create_user_legacy(rules, tx, data))), 201


@bp.get("/api/v1/User/my")
def current_user() -> Any:
    """An API client is not a user: Code42 answers 404 (py42: "incompatible with api client authentication")."""
    raise AdminError(404, "USER_NOT_FOUND", "an API client has no user of its own")


@bp.get("/api/v1/User/<ident>")
def get_user(ident: str) -> Any:
    by_uid = (request.args.get("idType") or "").lower() == "uid"
    with domain().transaction() as tx:
        user = accounts.get_user_legacy(tx, ident, by_uid=by_uid, inc_roles=_inc_roles())
        return jsonify(tenant.legacy_envelope(tx, user))


@bp.put("/api/v1/User/<ident>")
def update_user(ident: str) -> Any:
    """``PUT /api/v1/User/{userUid}?idType=uid``: an admin edit (:func:`accounts.edit_user`); null fields
    are left as they are (:func:`accounts.editable_fields`)."""
    data = body()
    require_strings(data, "username", "email", "password", "firstName", "lastName", "notes")
    fields = accounts.editable_fields(data)
    with domain().transaction() as tx:
        return jsonify(accounts.edit_user(tx, ident, fields))
