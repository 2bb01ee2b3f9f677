"""``/v1/directory-groups`` (code42-behaviour.md §4.5) and ``/v1/departments``: directory data pushed to
Code42 by SCIM (paged by ``page``/``page_size``, filtered by a ``name`` it is like)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from simulators.code42.domain import directory_groups
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import paging, text_arg

bp = Blueprint("directory_groups", __name__)


@bp.get("/v1/directory-groups")
def list_directory_groups() -> Any:
    page = paging()
    rules = domain()
    with rules.transaction() as tx:
        return jsonify(directory_groups.list_groups(rules, tx, page, text_arg("name")))


@bp.get("/v1/departments")
def list_departments() -> Any:
    page = paging()
    with domain().transaction() as tx:
        return jsonify(directory_groups.list_departments(tx, page, text_arg("name")))
