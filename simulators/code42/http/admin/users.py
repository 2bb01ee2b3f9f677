"""``/v1/users`` and the console's ``/api/v3/users/{uid}/...`` actions (code42-behaviour.md §4.3);
the console's ``/api/v1/User`` records are :mod:`console_users`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from simulators.code42.domain import accounts
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import body, bool_arg, paging, require_strings

bp = Blueprint("users", __name__)


@bp.get("/v1/users")
def list_users() -> Any:
    active, blocked, username = bool_arg("active"), bool_arg("blocked"), request.args.get("username")
    page = paging()
    with domain().transaction() as tx:
        return jsonify(accounts.list_users(tx, active, blocked, username, page))


@bp.post("/v1/users")
def create_user() -> Any:
    """Console "add user" (scimgate route), see :func:`accounts.create_user`."""
    data = body()
    require_strings(data, "email", "firstName", "lastName", "orgGuid")
    username = data.get("username")
    if not isinstance(username, str) or "@" not in username:
        raise AdminError(400, "USERNAME_NOT_AN_EMAIL", "username must be an email address")
    rules = domain()
    with rules.transaction() as tx:
        return jsonify(accounts.create_user(rules, tx, data)), 201


@bp.get("/v1/users/<ident>")
def get_user(ident: str) -> Any:
    with domain().transaction() as tx:
        return jsonify(accounts.get_user(tx, ident))


def _deactivate(ident: str, block: bool) -> Response:
    rules = domain()
    with rules.transaction() as tx:
        accounts.deactivate(rules, tx, ident, block)
    return Response(status=204)


def _activate(ident: str, unblock: bool) -> Response:
    rules = domain()
    with rules.transaction() as tx:
        accounts.activate(rules, tx, ident, unblock)
    return Response(status=204)


@bp.post("/v1/users/<ident>/deactivate")
def v1_deactivate(ident: str) -> Response:
    return _deactivate(ident, block=False)


@bp.post("/v1/users/<ident>/activate")
def v1_activate(ident: str) -> Response:
    return _activate(ident, unblock=False)


@bp.post("/api/v3/users/<ident>/deactivate")
def v3_deactivate(ident: str) -> Response:
    return _deactivate(ident, block=bool(body().get("block", False)))


@bp.post("/api/v3/users/<ident>/activate")
def v3_activate(ident: str) -> Response:
    return _activate(ident, unblock=bool(body().get("unblock", False)))


def _block(ident: str, blocked: bool) -> Response:
    rules = domain()
    with rules.transaction() as tx:
        accounts.set_blocked(rules, tx, ident, blocked)
    return Response(status=204)


@bp.post("/api/v3/users/<ident>/block")
def v3_block(ident: str) -> Response:
    return _block(ident, True)


@bp.post("/api/v3/users/<ident>/unblock")
def v3_unblock(ident: str) -> Response:
    return _block(ident, False)


def _move(ident: str, org_ref: Any) -> Response:
    with domain().transaction() as tx:
        accounts.move(tx, ident, org_ref)
    return Response(status=204)


@bp.post("/v1/users/<ident>/move")
def v1_move(ident: str) -> Response:
    return _move(ident, body().get("orgGuid"))


@bp.post("/api/v3/users/<ident>/move")
def v3_move(ident: str) -> Response:
    return _move(ident, body().get("orgId"))
