"""Legal hold for API clients on the console API, as py42 calls it once logged in with
``from_api_client`` (``LegalHoldApiClientService``, prefix ``/api/v27``).

Lists answer bare JSON arrays paged by ``page``/``pageSize``: py42's ``get_all_pages`` counts the array
to know when to stop. Matter lists take ``active=true|false|none``, membership lists
``active=ACTIVE|INACTIVE|ALL`` (py42 ``_active_state_map``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from simulators.code42.domain import legal_hold
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.domain.paging import Paging
from simulators.code42.http.admin.context import creator, domain
from simulators.code42.http.admin.params import body, int_arg, require_strings, text_arg

bp = Blueprint("legal_hold_console", __name__, url_prefix="/api/v27")


def _paging() -> Paging:
    return Paging(max(int_arg("page", 1), 1), int_arg("pageSize", 500, 1))


def _required(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise AdminError(400, "INVALID_PARAMETER", f"{name} is required")
    return value


def _matter_state() -> bool | None:
    raw = (request.args.get("active") or "none").lower()
    states = {"true": True, "false": False, "none": None, "all": None}
    if raw not in states:
        raise AdminError(400, "INVALID_PARAMETER", f"active must be true, false or none, got {raw!r}")
    return states[raw]


@bp.post("/legal-hold-policy/create")
def create_policy() -> Any:
    data = body()
    name = _required(data, "name")
    with domain().transaction() as tx:
        created = legal_hold.create_policy(tx, name, creator())
        return jsonify(legal_hold.policy_console(legal_hold.policy_or_403(tx, created["policyId"]))), 201


@bp.get("/legal-hold-policy/view")
def view_policy() -> Any:
    policy_id = request.args.get("legalHoldPolicyUid") or ""
    with domain().transaction() as tx:
        return jsonify(legal_hold.policy_console(legal_hold.policy_or_403(tx, policy_id)))


@bp.get("/legal-hold-policy/list")
def list_policies() -> Any:
    with domain().transaction() as tx:
        return jsonify(legal_hold.list_policies_console(tx))


@bp.post("/legal-hold-matter/create")
def create_matter() -> Any:
    """``{policyId, name, description, notes, externalReference}``."""
    data = body()
    name = _required(data, "name")
    require_strings(data, "policyId", "description", "notes", "externalReference")
    with domain().transaction() as tx:
        return jsonify(legal_hold.matter_console(legal_hold.create_matter_record(tx, name, data, creator()))), 201


@bp.get("/legal-hold-matter/view")
def view_matter() -> Any:
    matter_id = request.args.get("legalHoldUid") or ""
    with domain().transaction() as tx:
        return jsonify(legal_hold.matter_console(legal_hold.matter_or_403(tx, matter_id)))


@bp.get("/legal-hold-matter/list")
def list_matters() -> Any:
    active, page = _matter_state(), _paging()
    with domain().transaction() as tx:
        found = legal_hold.find_matters(tx, active=active, name=text_arg("name"),
                                        creator_id=text_arg("creatorPrincipalId"), ext_ref=text_arg("externalReference"))
        rows, _ = page.apply(found)
        return jsonify([legal_hold.matter_console(r) for r in rows])


def _matter_uid(data: dict[str, Any]) -> str:
    return _required(data, "legalHoldUid")


@bp.post("/legal-hold-matter/deactivate")
def deactivate_matter() -> Response:
    matter_id = _matter_uid(body())
    rules = domain()
    with rules.transaction() as tx:
        legal_hold.deactivate_matter(rules, tx, matter_id)
    return Response(status=204)


@bp.post("/legal-hold-matter/activate")
def activate_matter() -> Response:
    matter_id = _matter_uid(body())
    with domain().transaction() as tx:
        legal_hold.reactivate_matter(tx, matter_id)
    return Response(status=204)


@bp.get("/legal-hold-membership/list")
def list_memberships() -> Any:
    state = (request.args.get("active") or "ALL").upper()
    if state not in legal_hold.MEMBERSHIP_STATES:
        raise AdminError(400, "INVALID_PARAMETER", "active must be ACTIVE, INACTIVE or ALL")
    page = _paging()
    with domain().transaction() as tx:
        return jsonify(legal_hold.find_memberships(tx, matter_id=text_arg("legalHoldUid"),
                                                   user_uid=text_arg("userUid"), user_search=text_arg("user"),
                                                   state=state, paging=page))


@bp.post("/legal-hold-membership/create")
def create_membership() -> Any:
    """``{legalHoldUid, userUid}``: 400 ``USER_ALREADY_IN_HOLD`` for a custodian already on the matter."""
    data = body()
    matter_id, user_uid = _required(data, "legalHoldUid"), _required(data, "userUid")
    with domain().transaction() as tx:
        return jsonify(legal_hold.add_membership_console(tx, matter_id, user_uid)), 201


@bp.post("/legal-hold-membership/deactivate")
def deactivate_membership() -> Response:
    membership_id = _required(body(), "legalHoldMembershipUid")
    rules = domain()
    with rules.transaction() as tx:
        legal_hold.release_membership_console(rules, tx, membership_id)
    return Response(status=204)
