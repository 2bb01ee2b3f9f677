"""The ``/scim/v2`` blueprint: RFC 7644 discovery, Users and Groups over the store and the rules.

Every write is one store transaction: parse → canonicalize/validate (``common.resources``) →
``rules.check_*`` → store → ``rules.*_written``; an exception anywhere rolls all of it back, so a
request is all-or-nothing. Reads take the store lock without a transaction.

Choices where RFC 7644 leaves room, with the reason:

- Group PATCH answers ``204 No Content`` (config ``GROUP_PATCH_STATUS``, 200 returns the group):
  Azure AD "group PATCH should return 204 No Content" (azure-ad-behaviour.md §1 item 10). User PATCH
  answers 200 with the resource.
- A query never answers 404: no match is an empty ListResponse (azure-ad-behaviour.md §1 item 10, the
  Test Connection probe of §2). An unknown id is 404.
- ``readOnly`` attributes sent by a client (``id``, ``meta``, ``groups``) are ignored on POST and PUT
  (RFC 7644 §3.5.1 "readOnly ... SHALL be ignored").
- Request bodies must be ``application/scim+json`` or ``application/json`` (RFC 7644 §3.1 allows
  both); a body without a Content-Type is read as JSON; any other type is 415.
- A Group member must name an existing User or Group (400 ``invalidValue`` otherwise): Azure only
  sends ids it got from this service provider.
- Discovery (``/ServiceProviderConfig``, ``/Schemas``, ``/ResourceTypes``) can be switched off with
  config ``SCIM_DISCOVERY=False``: Code42 publishes none (code42-open-questions.md Q1), so a live
  tenant may 404 there. A ``filter`` on a discovery endpoint is 403 (RFC 7644 §4). ``/Schemas`` and
  ``/ResourceTypes`` render the tenant's current User schema (``runtime.user_schema``, rebuilt when the
  provider settings change), so the configured org/role attribute is listed where the server accepts it.
- The password is never stored (RFC 7643 ``returned: never``; the mock has no login to check it).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, current_app, request

from simulators.code42.http.scim_io import (
    SCIM_JSON,
    SCIM_PREFIX,
    absolute_url,
    arg,
    base_url,
    check_if_match,
    current_runtime,
    error_response,
    etag_matches,
    json_body,
    query_args,
    scim_response,
    strip_read_only,
    with_location,
)
from simulators.code42.http.scim_members import (
    GROUP_SCHEMA,
    changes_nothing,
    member_ids,
    member_only_ids,
    patch_members,
)
from simulators.code42.storage.store import Tx, etag
from simulators.common.scim import (
    ResourceSchema,
    project,
    resource_type_documents,
    schema_documents,
    scim_document,
    validate,
)
from simulators.common.scim.errors import ScimError
from simulators.common.scim.filters import Filter, parse_filter
from simulators.common.scim.pagination import list_response, parse_paging
from simulators.common.scim.patch import apply_patch, parse_patch_body

_SEARCH_URN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
_MEMBERS = {"members", "urn:ietf:params:scim:schemas:core:2.0:group:members"}


class _Resource:
    """What differs between Users and Groups, so one set of handlers serves both."""

    def __init__(self, name: str, endpoint: str, schema: ResourceSchema):
        self.name = name
        self.endpoint = endpoint
        self.schema = schema

    def not_found(self, id_: str) -> ScimError:
        return ScimError(404, f"{self.name} {id_!r} not found")


USERS = _Resource("User", "Users", ResourceSchema.for_type("User"))
GROUPS = _Resource("Group", "Groups", GROUP_SCHEMA)

bp = Blueprint("scim_api", __name__, url_prefix=SCIM_PREFIX)


@bp.before_request
def _authenticate() -> Response | None:
    credentials = current_runtime().credentials
    if credentials.check(request.headers.get("Authorization")):
        return None
    error = ScimError(401, "missing or invalid credentials for the SCIM endpoint",
                      headers={"WWW-Authenticate": credentials.challenges()})
    return error_response(error)


# ---------------------------------------------------------------- discovery

def _discovery_guard() -> None:
    if not current_app.config["SCIM_DISCOVERY"]:
        raise ScimError(404, f"no SCIM endpoint at {request.path} (discovery is switched off)")
    if arg(query_args(), "filter") is not None:
        raise ScimError(403, "filtering is not supported on discovery endpoints (RFC 7644 §4)")


def _fix_meta(doc: dict[str, Any]) -> dict[str, Any]:
    meta = doc.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("location"), str):
        meta["location"] = absolute_url(meta["location"])
    return doc


def _tenant_schemas() -> list[dict[str, Any]]:
    """The schema documents as this tenant configures them now (read per request: settings change)."""
    return schema_documents([current_runtime().user_schema])


def _tenant_resource_types() -> list[dict[str, Any]]:
    return resource_type_documents([current_runtime().user_schema])


@bp.get("/ServiceProviderConfig")
def service_provider_config() -> Response:
    _discovery_guard()
    return scim_response(_fix_meta(scim_document("ServiceProviderConfig")))


@bp.get("/Schemas")
def schemas() -> Response:
    _discovery_guard()
    docs = [_fix_meta(d) for d in _tenant_schemas()]
    return scim_response(list_response(docs, len(docs), 1))


@bp.get("/Schemas/<path:schema_id>")
def schema(schema_id: str) -> Response:
    _discovery_guard()
    for doc in _tenant_schemas():
        if doc["id"].lower() == schema_id.lower():
            return scim_response(_fix_meta(doc))
    raise ScimError(404, f"no schema {schema_id!r}")


@bp.get("/ResourceTypes")
def resource_types() -> Response:
    _discovery_guard()
    docs = [_fix_meta(d) for d in _tenant_resource_types()]
    return scim_response(list_response(docs, len(docs), 1))


@bp.get("/ResourceTypes/<type_id>")
def resource_type(type_id: str) -> Response:
    _discovery_guard()
    for doc in _tenant_resource_types():
        if doc["id"].lower() == type_id.lower() or doc["name"].lower() == type_id.lower():
            return scim_response(_fix_meta(doc))
    raise ScimError(404, f"no resource type {type_id!r}")


# ---------------------------------------------------------------- queries

def _schema(kind: _Resource) -> ResourceSchema:
    """The tenant's schema for ``kind``: Users carry the attributes the provider settings name."""
    return current_runtime().user_schema if kind is USERS else kind.schema


def _parse_filter(text: Any, kind: _Resource) -> Filter | None:
    if text is None:
        return None
    case_sensitive = current_runtime().faults.on("case_sensitive_filters")
    return parse_filter(text, _schema(kind), case_sensitive=case_sensitive, case_sensitive_names=case_sensitive)


def _render(doc: dict[str, Any], kind: _Resource, args: dict[str, Any]) -> dict[str, Any]:
    with_location(doc, kind.endpoint)
    attributes, excluded = arg(args, "attributes"), arg(args, "excludedAttributes")
    if attributes or excluded:
        return project(doc, _schema(kind), attributes, excluded)
    return doc


def _single(doc: dict[str, Any], kind: _Resource, status: int = 200, args: dict[str, Any] | None = None) -> Response:
    version = doc.get("meta", {}).get("version")
    body = _render(doc, kind, query_args() if args is None else args)
    headers = {"ETag": version} if version else {}
    if status == 201:
        headers["Location"] = body.get("meta", {}).get("location") or f"{base_url()}/{kind.endpoint}/{doc['id']}"
    return scim_response(body, status, headers)


def _list(kind: _Resource, args: dict[str, Any]) -> Response:
    start, count = parse_paging(args)
    filter_ = _parse_filter(arg(args, "filter"), kind)
    with current_runtime().store.read() as tx:
        if kind is USERS:
            total, docs = tx.find_users(filter_, start, count)
        else:
            members = not _excludes_members(args)
            total, docs = tx.find_groups(filter_, start, count, members=members)
    return scim_response(list_response([_render(d, kind, args) for d in docs], total, start))


def _excludes_members(args: dict[str, Any]) -> bool:
    excluded = arg(args, "excludedAttributes") or ""
    attributes = arg(args, "attributes")
    names = {n.strip().lower() for n in excluded.split(",")}
    named = bool(names & _MEMBERS)
    if attributes:
        wanted = {n.strip().lower().split(".")[0] for n in attributes.split(",")}
        return not (wanted & _MEMBERS)
    return named


def _search_args() -> dict[str, Any]:
    """A SearchRequest body (RFC 7644 §3.4.3) as the equivalent query parameters."""
    body = json_body()
    if not isinstance(body, dict):
        raise ScimError(400, "a search body must be a JSON object", "invalidSyntax")
    schemas_ = body.get("schemas")
    if not isinstance(schemas_, list) or _SEARCH_URN not in schemas_:
        raise ScimError(400, f"a search body's 'schemas' must list {_SEARCH_URN!r}", "invalidSyntax")
    args: dict[str, Any] = {}
    for key in ("filter", "startIndex", "count"):
        if body.get(key) is not None:
            args[key] = body[key]
    for key in ("attributes", "excludedAttributes"):
        value = body.get(key)
        if isinstance(value, list):
            args[key] = ",".join(str(v) for v in value)
        elif isinstance(value, str):
            args[key] = value
    return args


@bp.post("/.search")
def search_all() -> Response:
    """POST /.search at the root (RFC 7644 §3.4.3): Users then Groups, one ListResponse.

    The filter is checked against each resource type; a type whose schema lacks an attribute the
    filter names contributes nothing, and only a filter no type understands is 400.
    """
    args = _search_args()
    start, count = parse_paging(args)
    text = arg(args, "filter")
    matches: list[tuple[_Resource, dict[str, Any]]] = []
    errors: list[ScimError] = []
    with current_runtime().store.read() as tx:
        for kind in (USERS, GROUPS):
            try:
                filter_ = _parse_filter(text, kind)
            except ScimError as exc:
                errors.append(exc)
                continue
            _, docs = tx.find_users(filter_) if kind is USERS else tx.find_groups(filter_)
            matches.extend((kind, d) for d in docs)
    if len(errors) == 2:
        raise errors[0]
    page = matches[start - 1 : start - 1 + count]
    return scim_response(list_response([_render(d, k, args) for k, d in page], len(matches), start))


def _not_modified(version: str) -> Response | None:
    """304 when ``If-None-Match`` names the current ``version`` (RFC 7232 §3.2)."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and etag_matches(if_none_match, version):
        return Response(status=304, headers={"ETag": version})
    return None


#: ``meta`` as the store writes it (``Tx._meta``: compact JSON, no ``location``). A GET by id without
#: query parameters answers with the stored text and ``location`` spliced in, the bytes the general path
#: would encode: decoding and re-encoding the document was a tenth of a GET, the commonest request.
#: A document whose ``meta`` reads otherwise (or appears twice) takes the general path.
_STORED_META = re.compile(r'"meta":\{"resourceType":"User","created":"[^"\\]*","lastModified":"[^"\\]*",'
                          r'"version":"(W/\\"\d+\\")"\}')


def _stored_user_response(user_id: str, text: str) -> Response | None:
    """The answer to ``GET /Users/{user_id}`` made from the stored JSON ``text``, or None when it needs
    the decoded document (``attributes``/``excludedAttributes``, a ``meta`` unlike the store's)."""
    if request.args:
        return None
    found = _STORED_META.search(text)
    if found is None or _STORED_META.search(text, found.end()) is not None:
        return None
    version = found.group(1).replace('\\"', '"')
    location = json.dumps(f"{base_url()}/{USERS.endpoint}/{user_id}", ensure_ascii=False)
    end = found.end() - 1  # the closing brace of meta
    return _not_modified(version) or Response(f'{text[:end]},"location":{location}{text[end:]}',
                                              headers={"ETag": version}, mimetype=SCIM_JSON)


# ---------------------------------------------------------------- Users

@bp.get("/Users")
def list_users() -> Response:
    return _list(USERS, query_args())


@bp.post("/Users/.search")
def search_users() -> Response:
    """POST /Users/.search: a query with its parameters in the body."""
    return _list(USERS, _search_args())


@bp.get("/Users/<user_id>")
def get_user(user_id: str) -> Response:
    with current_runtime().store.read() as tx:
        text = tx.get_user_text(user_id)
    if text is None:
        raise USERS.not_found(user_id)
    stored = _stored_user_response(user_id, text)
    if stored is not None:
        return stored
    doc = json.loads(text)
    return _not_modified(doc["meta"]["version"]) or _single(doc, USERS)


def _write_user(tx: Tx, old: dict[str, Any] | None, doc: dict[str, Any]) -> dict[str, Any]:
    """The rules check the User, the store writes it, the rules react to it; returns the document as
    stored afterwards (re-read only if a reaction wrote the User again)."""
    rules = current_runtime().rules
    doc = rules.check_user_write(tx, old, doc)
    stored = tx.put_user(doc)
    writes = tx.user_writes
    rules.user_written(tx, old, stored)
    return stored if tx.user_writes == writes else (tx.get_user(stored["id"]) or stored)


@bp.post("/Users")
def create_user() -> Response:
    runtime = current_runtime()
    doc = strip_read_only(validate(json_body(), runtime.user_schema))
    with runtime.store.transaction() as tx:
        stored = _write_user(tx, None, doc)
    return _single(stored, USERS, 201)


@bp.put("/Users/<user_id>")
def replace_user(user_id: str) -> Response:
    runtime = current_runtime()
    doc = strip_read_only(validate(json_body(), runtime.user_schema))
    with runtime.store.transaction() as tx:
        old = _existing_user(tx, user_id)
        doc["id"] = user_id
        stored = _write_user(tx, old, doc)
    return _single(stored, USERS)


@bp.patch("/Users/<user_id>")
def patch_user(user_id: str) -> Response:
    operations = parse_patch_body(json_body())
    runtime = current_runtime()
    string_booleans = not runtime.faults.on("string_false_ignored")
    with runtime.store.transaction() as tx:
        old = _existing_user(tx, user_id)
        new = apply_patch(old, operations, runtime.user_schema, string_booleans=string_booleans)
        stored = old if changes_nothing(old, new) else _write_user(tx, old, new)
    return _single(stored, USERS)


@bp.delete("/Users/<user_id>")
def delete_user(user_id: str) -> Response:
    runtime = current_runtime()
    with runtime.store.transaction() as tx:
        user = _existing_user(tx, user_id)
        if runtime.rules.delete_user(tx, user):
            groups_before = {gid: tx.get_group(gid) for gid in tx.group_ids_of_member(user_id)}
            tx.delete_user(user_id)
            for gid, before in groups_before.items():
                runtime.rules.group_written(tx, before, tx.get_group(gid), set(), {user_id})
    return Response(status=204)


def _existing_user(tx: Tx, user_id: str) -> dict[str, Any]:
    old = tx.get_user(user_id)
    if old is None:
        raise USERS.not_found(user_id)
    check_if_match(old["meta"]["version"])
    return old


# ---------------------------------------------------------------- Groups

@bp.get("/Groups")
def list_groups() -> Response:
    return _list(GROUPS, query_args())


@bp.post("/Groups/.search")
def search_groups() -> Response:
    """POST /Groups/.search: a query with its parameters in the body."""
    return _list(GROUPS, _search_args())


@bp.get("/Groups/<group_id>")
def get_group(group_id: str) -> Response:
    args = query_args()
    with current_runtime().store.read() as tx:
        doc = tx.get_group(group_id, members=not _excludes_members(args))
    if doc is None:
        raise GROUPS.not_found(group_id)
    return _not_modified(doc["meta"]["version"]) or _single(doc, GROUPS, args=args)


@bp.post("/Groups")
def create_group() -> Response:
    doc = strip_read_only(validate(json_body(), GROUPS.schema))
    runtime = current_runtime()
    with runtime.store.transaction() as tx:
        _check_members(tx, doc, None)
        doc = runtime.rules.check_group_write(tx, None, doc)
        stored = tx.put_group(doc)
        runtime.rules.group_written(tx, None, stored, member_ids(stored), set())
        stored = tx.get_group(stored["id"]) or stored
    return _single(stored, GROUPS, 201)


@bp.put("/Groups/<group_id>")
def replace_group(group_id: str) -> Response:
    doc = strip_read_only(validate(json_body(), GROUPS.schema))
    runtime = current_runtime()
    with runtime.store.transaction() as tx:
        old = _existing_group(tx, group_id)
        doc["id"] = group_id
        _check_members(tx, doc, old)
        doc = runtime.rules.check_group_write(tx, old, doc)
        stored = _write_group(tx, old, doc)
    return _single(stored, GROUPS)


@bp.patch("/Groups/<group_id>")
def patch_group(group_id: str) -> Response:
    operations = parse_patch_body(json_body())
    runtime = current_runtime()
    string_booleans = not runtime.faults.on("string_false_ignored")
    answer_200 = current_app.config["GROUP_PATCH_STATUS"] == 200
    with runtime.store.transaction() as tx:
        old = _existing_group(tx, group_id)
        touched = member_only_ids(operations)
        if touched is None:
            new = apply_patch(old, operations, GROUPS.schema, string_booleans=string_booleans)
            changed_ids = None
            unchanged = changes_nothing(old, new)
        else:
            new, changed_ids, unchanged = patch_members(old, operations, touched, string_booleans)
        if unchanged:
            stored = old
        else:
            _check_members(tx, new, old)
            checked = runtime.rules.check_group_write(tx, old, new)
            stored = _write_group(tx, old, checked, changed_ids if checked is new else None, reread=answer_200)
    if not answer_200:
        return Response(status=204, headers={"ETag": stored["meta"]["version"]})
    return _single(stored, GROUPS)


@bp.delete("/Groups/<group_id>")
def delete_group(group_id: str) -> Response:
    runtime = current_runtime()
    with runtime.store.transaction() as tx:
        old = _existing_group(tx, group_id)
        tx.delete_group(group_id)
        runtime.rules.group_written(tx, old, None, set(), member_ids(old))
    return Response(status=204)


def _existing_group(tx: Tx, group_id: str) -> dict[str, Any]:
    old = tx.get_group(group_id)
    if old is None:
        raise GROUPS.not_found(group_id)
    check_if_match(old["meta"]["version"])
    return old


def _write_group(tx: Tx, old: dict[str, Any], new: dict[str, Any], changed_ids: set[str] | None = None,
                 reread: bool = True) -> dict[str, Any]:
    """Store a changed group, tell the rules which members came and went; re-read it for a response body."""
    stored = tx.put_group(new, changed_ids=changed_ids)
    before, after = member_ids(old), member_ids(stored)
    current_runtime().rules.group_written(tx, old, stored, after - before, before - after)
    if not reread:
        return {**stored, "meta": {**stored["meta"], "version": etag(tx.group_version(stored["id"]) or 0)}}
    return tx.get_group(stored["id"]) or stored


def _check_members(tx: Tx, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
    """Every new member must be an existing User or another Group (looked up in batches)."""
    known = member_ids(old) if old else set()
    new: list[str] = []
    for member in doc.get("members") or []:
        if not isinstance(member, dict) or not isinstance(member.get("value"), str):
            raise ScimError(400, f"every member needs a string 'value'; got {json.dumps(member)[:80]}",
                            "invalidValue")
        if member["value"] not in known:
            new.append(member["value"])
    if not new:
        return
    found = tx.existing_ids(new)
    for value in new:
        if value not in found or (value == doc.get("id") and found[value] == "Group"):
            raise ScimError(400, f"member {value!r} is not the id of a User or Group here", "invalidValue")
