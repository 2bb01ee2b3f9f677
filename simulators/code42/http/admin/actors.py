"""``/v1/actors`` (code42-behaviour.md §4.7, incydr ``actors/client.py``): search, by id, by name, the
actor's family, and notes/start/end date updates. One actor per user (:mod:`domain.user_data`), so the
``/parent`` routes answer the actor itself."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from simulators.code42.domain import user_data
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import body, bool_arg, paging, require_strings, text_arg

bp = Blueprint("actors", __name__, url_prefix="/v1/actors/actor")


def _search() -> Any:
    starts, ends, active = text_arg("nameStartsWith"), text_arg("nameEndsWith"), bool_arg("active")
    page = paging()
    with domain().transaction() as tx:
        return jsonify(user_data.search_actors(tx, starts, ends, active, page))


@bp.get("/search")
def search() -> Any:
    return _search()


@bp.get("/search/parent")
def search_parents() -> Any:
    return _search()


@bp.get("/id/<actor_id>")
def by_id(actor_id: str) -> Any:
    with domain().transaction() as tx:
        return jsonify(user_data.get_actor(tx, actor_id=actor_id))


@bp.get("/id/<actor_id>/parent")
def parent_by_id(actor_id: str) -> Any:
    return by_id(actor_id)


@bp.get("/id/<actor_id>/family")
def family_by_id(actor_id: str) -> Any:
    with domain().transaction() as tx:
        return jsonify(user_data.actor_family(tx, actor_id=actor_id))


@bp.get("/name/<name>/parent")
def parent_by_name(name: str) -> Any:
    with domain().transaction() as tx:
        return jsonify(user_data.get_actor(tx, name=name))


@bp.get("/name/<name>/family")
def family_by_name(name: str) -> Any:
    with domain().transaction() as tx:
        return jsonify(user_data.actor_family(tx, name=name))


@bp.patch("/id/<actor_id>")
def update(actor_id: str) -> Any:
    data = body()
    require_strings(data, "notes", "startDate", "endDate")
    with domain().transaction() as tx:
        return jsonify(user_data.update_actor(tx, actor_id, data))
