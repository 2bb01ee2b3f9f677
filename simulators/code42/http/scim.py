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
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from simulators.code42.storage.store import Tx, etag
from simulators.common.errors import ScimError
from simulators.common.filters import Filter, parse_filter, parse_path
from simulators.common.json_body import JsonBodyError, parse_json
from simulators.common.pagination import list_response, parse_paging
from simulators.common.patch import apply_patch, parse_patch_body
from simulators.common.resources import (
    ResourceSchema,
    project,
    resource_type_documents,
    schema_documents,
    scim_document,
    validate,
)

SCIM_PREFIX = "/scim/v2"
SCIM_JSON = "application/scim+json"
_JSON_TYPES = ("application/scim+json", "application/json")
_READ_ONLY = ("id", "meta", "groups")
_SEARCH_URN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


def _runtime() -> Any:
    return current_app.extensions["scimgate"]


# ---------------------------------------------------------------- responses


def scim_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with the SCIM media type (RFC 7644 §3.1)."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, status=status, headers=headers, mimetype=SCIM_JSON)


def error_response(error: ScimError) -> Response:
    response = scim_response(error.to_body(), error.status)
    for name, value in error.headers.items():
        if isinstance(value, (list, tuple)):
            for v in value:
                response.headers.add(name, v)
        else:
            response.headers[name] = value
    return response


def http_error_response(error: HTTPException) -> Response:
    """Any werkzeug HTTP error (404 route, 405 method, 413 body...) as an RFC 7644 error body."""
    detail = {
        404: f"no SCIM endpoint at {request.path}",
        405: f"{request.method} is not allowed on {request.path}",
        413: "the request body is larger than this service provider accepts",
    }.get(error.code or 500, error.description or error.name)
    response = scim_response(ScimError(error.code or 500, detail).to_body(), error.code or 500)
    if error.code == 405:
        allow = error.get_headers().__iter__()
        for name, value in allow:
            if name.lower() == "allow":
                response.headers["Allow"] = value
    return response


def _root_url() -> str:
    """``scheme://host[:port]/script-root`` of this request (werkzeug's ``url_root`` re-encodes the
    whole URL on every access, a measurable share of a GET by id)."""
    return f"{request.scheme}://{request.host}{request.script_root}"


def _base_url() -> str:
    return _root_url() + SCIM_PREFIX


def _absolute(location: str) -> str:
    return _root_url() + location if location.startswith("/") else location


# ---------------------------------------------------------------- request parsing


def _json_body() -> Any:
    """The request body as JSON, or a SCIM error: 413 too large, 415 wrong type, 400 malformed."""
    limit = current_app.config["MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise ScimError(413, f"the request body has {request.content_length} bytes; the limit is {limit}")
    mimetype = request.mimetype
    if mimetype and mimetype not in _JSON_TYPES:
        raise ScimError(415, f"Content-Type {mimetype!r} is not supported; send application/scim+json "
                             "or application/json")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise ScimError(413, f"the request body is larger than the limit of {limit} bytes")
    if not raw.strip():
        raise ScimError(400, "the request body is empty; a JSON object is required", "invalidSyntax")
    try:
        return parse_json(raw)
    except JsonBodyError as exc:  # deep nesting and lone surrogates included (they were 500s)
        raise ScimError(400, f"the request body is not valid JSON: {exc}", "invalidSyntax") from None


def _args() -> dict[str, str]:
    return {k: v for k, v in request.args.items()}


def _arg(args: dict[str, Any], name: str) -> Any:
    for key, value in args.items():
        if key.lower() == name.lower():
            return value
    return None


def _etag_matches(header: str, current: str) -> bool:
    """RFC 7232 weak comparison of a current ETag against an If-Match / If-None-Match list."""
    if header.strip() == "*":
        return True

    def opaque(tag: str) -> str:
        tag = tag.strip()
        return tag[2:] if tag[:2] in ("W/", "w/") else tag

    return any(opaque(part) == opaque(current) for part in header.split(",") if part.strip())


def _check_if_match(current_version: str) -> None:
    header = request.headers.get("If-Match")
    if header is not None and not _etag_matches(header, current_version):
        raise ScimError(412, f"If-Match {header!r} does not match the current version {current_version}")


def _strip_read_only(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in _READ_ONLY}


def _with_location(doc: dict[str, Any], endpoint: str) -> dict[str, Any]:
    meta = doc.get("meta")
    if isinstance(meta, dict):
        meta["location"] = f"{_base_url()}/{endpoint}/{doc['id']}"
    return doc


# ---------------------------------------------------------------- the blueprint


class _Resource:
    """What differs between Users and Groups, so one set of handlers serves both."""

    def __init__(self, name: str, endpoint: str):
        self.name = name
        self.endpoint = endpoint
        self.schema = ResourceSchema.for_type(name)

    def not_found(self, id_: str) -> ScimError:
        return ScimError(404, f"{self.name} {id_!r} not found")


USERS = _Resource("User", "Users")
GROUPS = _Resource("Group", "Groups")


def create_scim_blueprint() -> Blueprint:
    """The ``/scim/v2`` routes. State comes from ``current_app.extensions["scimgate"]``."""
    bp = Blueprint("scim_api", __name__, url_prefix=SCIM_PREFIX)

    @bp.before_request
    def _authenticate() -> Response | None:
        credentials = _runtime().credentials
        if credentials.check(request.headers.get("Authorization")):
            return None
        error = ScimError(401, "missing or invalid credentials for the SCIM endpoint",
                          headers={"WWW-Authenticate": credentials.challenges()})
        return error_response(error)

    # ------------------------------------------------------------ discovery

    def _discovery_guard() -> None:
        if not current_app.config["SCIM_DISCOVERY"]:
            raise ScimError(404, f"no SCIM endpoint at {request.path} (discovery is switched off)")
        if _arg(_args(), "filter") is not None:
            raise ScimError(403, "filtering is not supported on discovery endpoints (RFC 7644 §4)")

    def _fix_meta(doc: dict[str, Any]) -> dict[str, Any]:
        meta = doc.get("meta")
        if isinstance(meta, dict) and isinstance(meta.get("location"), str):
            meta["location"] = _absolute(meta["location"])
        return doc

    @bp.get("/ServiceProviderConfig")
    def service_provider_config() -> Response:
        _discovery_guard()
        return scim_response(_fix_meta(scim_document("ServiceProviderConfig")))

    def _tenant_schemas() -> list[dict[str, Any]]:
        """The schema documents as this tenant configures them now (read per request: settings change)."""
        return schema_documents([_runtime().user_schema])

    def _tenant_resource_types() -> list[dict[str, Any]]:
        return resource_type_documents([_runtime().user_schema])

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

    # ------------------------------------------------------------ shared helpers

    def _schema(kind: _Resource) -> ResourceSchema:
        """The tenant's schema for ``kind``: Users carry the attributes the provider settings name."""
        return _runtime().user_schema if kind is USERS else kind.schema

    def _parse_filter(text: Any, kind: _Resource) -> Filter | None:
        if text is None:
            return None
        case_sensitive = _runtime().faults.on("case_sensitive_filters")
        return parse_filter(text, _schema(kind), case_sensitive=case_sensitive, case_sensitive_names=case_sensitive)

    def _render(doc: dict[str, Any], kind: _Resource, args: dict[str, Any]) -> dict[str, Any]:
        _with_location(doc, kind.endpoint)
        attributes, excluded = _arg(args, "attributes"), _arg(args, "excludedAttributes")
        if attributes or excluded:
            return project(doc, _schema(kind), attributes, excluded)
        return doc

    def _single(doc: dict[str, Any], kind: _Resource, status: int = 200, args: dict[str, Any] | None = None) -> Response:
        version = doc.get("meta", {}).get("version")
        body = _render(doc, kind, _args() if args is None else args)
        headers = {"ETag": version} if version else {}
        if status == 201:
            headers["Location"] = body.get("meta", {}).get("location") or f"{_base_url()}/{kind.endpoint}/{doc['id']}"
        return scim_response(body, status, headers)

    def _list(kind: _Resource, args: dict[str, Any]) -> Response:
        start, count = parse_paging(args)
        filter_ = _parse_filter(_arg(args, "filter"), kind)
        with _runtime().store.read() as tx:
            if kind is USERS:
                total, docs = tx.find_users(filter_, start, count)
            else:
                members = not _excludes_members(args)
                total, docs = tx.find_groups(filter_, start, count, members=members)
        return scim_response(list_response([_render(d, kind, args) for d in docs], total, start))

    def _excludes_members(args: dict[str, Any]) -> bool:
        excluded = _arg(args, "excludedAttributes") or ""
        attributes = _arg(args, "attributes")
        names = {n.strip().lower() for n in excluded.split(",")}
        named = bool(names & {"members", "urn:ietf:params:scim:schemas:core:2.0:group:members"})
        if attributes:
            wanted = {n.strip().lower().split(".")[0] for n in attributes.split(",")}
            return not (wanted & {"members", "urn:ietf:params:scim:schemas:core:2.0:group:members"})
        return named

    def _search_args() -> dict[str, Any]:
        """A SearchRequest body (RFC 7644 §3.4.3) as the equivalent query parameters."""
        body = _json_body()
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

    def _search(kind: _Resource) -> Response:
        """POST /Users/.search, /Groups/.search: a query with its parameters in the body."""
        return _list(kind, _search_args())

    @bp.post("/.search")
    def search_all() -> Response:
        """POST /.search at the root (RFC 7644 §3.4.3): Users then Groups, one ListResponse.

        The filter is checked against each resource type; a type whose schema lacks an attribute the
        filter names contributes nothing, and only a filter no type understands is 400.
        """
        args = _search_args()
        start, count = parse_paging(args)
        text = _arg(args, "filter")
        matches: list[tuple[_Resource, dict[str, Any]]] = []
        errors: list[ScimError] = []
        with _runtime().store.read() as tx:
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

    # ------------------------------------------------------------ Users

    @bp.get("/Users")
    def list_users() -> Response:
        return _list(USERS, _args())

    @bp.post("/Users/.search")
    def search_users() -> Response:
        return _search(USERS)

    @bp.get("/Users/<user_id>")
    def get_user(user_id: str) -> Response:
        with _runtime().store.read() as tx:
            text = tx.get_user_text(user_id)
        if text is None:
            raise USERS.not_found(user_id)
        doc = json.loads(text)
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match and _etag_matches(if_none_match, doc["meta"]["version"]):
            return Response(status=304, headers={"ETag": doc["meta"]["version"]})
        return _single(doc, USERS)

    @bp.post("/Users")
    def create_user() -> Response:
        doc = _strip_read_only(validate(_json_body(), _runtime().user_schema))
        runtime = _runtime()
        with runtime.store.transaction() as tx:
            doc = runtime.rules.check_user_write(tx, None, doc)
            stored = tx.put_user(doc)
            runtime.rules.user_written(tx, None, stored)
            stored = tx.get_user(stored["id"]) or stored
        return _single(stored, USERS, 201)

    @bp.put("/Users/<user_id>")
    def replace_user(user_id: str) -> Response:
        doc = _strip_read_only(validate(_json_body(), _runtime().user_schema))
        runtime = _runtime()
        with runtime.store.transaction() as tx:
            old = _existing_user(tx, user_id)
            doc["id"] = user_id
            doc = runtime.rules.check_user_write(tx, old, doc)
            stored = tx.put_user(doc)
            runtime.rules.user_written(tx, old, stored)
            stored = tx.get_user(user_id) or stored
        return _single(stored, USERS)

    @bp.patch("/Users/<user_id>")
    def patch_user(user_id: str) -> Response:
        operations = parse_patch_body(_json_body())
        runtime = _runtime()
        string_booleans = not runtime.faults.on("string_false_ignored")
        with runtime.store.transaction() as tx:
            old = _existing_user(tx, user_id)
            new = apply_patch(old, operations, runtime.user_schema, string_booleans=string_booleans)
            if _unchanged(old, new):
                stored = old
            else:
                new = runtime.rules.check_user_write(tx, old, new)
                stored = tx.put_user(new)
                runtime.rules.user_written(tx, old, stored)
                stored = tx.get_user(user_id) or stored
        return _single(stored, USERS)

    @bp.delete("/Users/<user_id>")
    def delete_user(user_id: str) -> Response:
        runtime = _runtime()
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
        _check_if_match(old["meta"]["version"])
        return old

    # ------------------------------------------------------------ Groups

    @bp.get("/Groups")
    def list_groups() -> Response:
        return _list(GROUPS, _args())

    @bp.post("/Groups/.search")
    def search_groups() -> Response:
        return _search(GROUPS)

    @bp.get("/Groups/<group_id>")
    def get_group(group_id: str) -> Response:
        args = _args()
        with _runtime().store.read() as tx:
            doc = tx.get_group(group_id, members=not _excludes_members(args))
        if doc is None:
            raise GROUPS.not_found(group_id)
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match and _etag_matches(if_none_match, doc["meta"]["version"]):
            return Response(status=304, headers={"ETag": doc["meta"]["version"]})
        return _single(doc, GROUPS, args=args)

    @bp.post("/Groups")
    def create_group() -> Response:
        doc = _strip_read_only(validate(_json_body(), GROUPS.schema))
        runtime = _runtime()
        with runtime.store.transaction() as tx:
            _check_members(tx, doc, None)
            doc = runtime.rules.check_group_write(tx, None, doc)
            stored = tx.put_group(doc)
            runtime.rules.group_written(tx, None, stored, _member_ids(stored), set())
            stored = tx.get_group(stored["id"]) or stored
        return _single(stored, GROUPS, 201)

    @bp.put("/Groups/<group_id>")
    def replace_group(group_id: str) -> Response:
        doc = _strip_read_only(validate(_json_body(), GROUPS.schema))
        runtime = _runtime()
        with runtime.store.transaction() as tx:
            old = _existing_group(tx, group_id)
            doc["id"] = group_id
            _check_members(tx, doc, old)
            doc = runtime.rules.check_group_write(tx, old, doc)
            stored = _write_group(tx, old, doc)
        return _single(stored, GROUPS)

    @bp.patch("/Groups/<group_id>")
    def patch_group(group_id: str) -> Response:
        operations = parse_patch_body(_json_body())
        runtime = _runtime()
        string_booleans = not runtime.faults.on("string_false_ignored")
        answer_200 = current_app.config["GROUP_PATCH_STATUS"] == 200
        with runtime.store.transaction() as tx:
            old = _existing_group(tx, group_id)
            touched = _member_only_ids(operations)
            if touched is None:
                new = apply_patch(old, operations, GROUPS.schema, string_booleans=string_booleans)
                changed_ids = None
                unchanged = _unchanged(old, new)
            else:
                new, changed_ids, unchanged = _patch_members(old, operations, touched, string_booleans)
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
        runtime = _runtime()
        with runtime.store.transaction() as tx:
            old = _existing_group(tx, group_id)
            tx.delete_group(group_id)
            runtime.rules.group_written(tx, old, None, set(), _member_ids(old))
        return Response(status=204)

    def _existing_group(tx: Tx, group_id: str) -> dict[str, Any]:
        old = tx.get_group(group_id)
        if old is None:
            raise GROUPS.not_found(group_id)
        _check_if_match(old["meta"]["version"])
        return old

    def _write_group(tx: Tx, old: dict[str, Any], new: dict[str, Any], changed_ids: set[str] | None = None,
                     reread: bool = True) -> dict[str, Any]:
        """Store a changed group, tell the rules which members came and went; re-read it for a response body."""
        runtime = _runtime()
        stored = tx.put_group(new, changed_ids=changed_ids)
        before, after = _member_ids(old), _member_ids(stored)
        runtime.rules.group_written(tx, old, stored, after - before, before - after)
        if not reread:
            return {**stored, "meta": {**stored["meta"], "version": etag(tx.group_version(stored["id"]) or 0)}}
        return tx.get_group(stored["id"]) or stored

    def _check_members(tx: Tx, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        """Every new member must be an existing User or another Group (looked up in batches)."""
        known = _member_ids(old) if old else set()
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

    return bp


def _member_only_ids(operations: list[dict[str, Any]]) -> set[str] | None:
    """The member ids a PATCH touches when it only adds or removes members by value, else None.

    Azure AD's membership PATCHes (azure-ad-behaviour.md §6.2: ``add``/``remove`` of ``members`` with
    a value list, or ``remove`` of ``members[value eq "id"]``) touch only the members they name, so
    the PATCH can run on those members alone instead of on a 10,000-member list.
    """
    ids: set[str] = set()
    for op in operations:
        path = op.get("path")
        if not isinstance(path, str):
            return None
        try:
            value_path = parse_path(path, GROUPS.schema)
        except ScimError:
            return None  # the full PATCH reports the error
        if value_path.attr.attr.name != "members" or value_path.attr.in_extension or value_path.sub_attr is not None:
            return None
        if value_path.filter is not None:
            terms = value_path.filter.equalities()
            if op["op"] != "remove" or "value" in op or not terms or set(terms) != {"value"} \
                    or not isinstance(terms["value"], str):
                return None
            ids.add(terms["value"])
            continue
        value = op.get("value")
        if op["op"] not in ("add", "remove") or not isinstance(value, list) or not value or not all(
                isinstance(m, dict) and isinstance(m.get("value"), str) for m in value):
            return None
        ids.update(m["value"] for m in value)
    return ids


def _patch_members(
    old: dict[str, Any], operations: list[dict[str, Any]], touched: set[str], string_booleans: bool
) -> tuple[dict[str, Any], set[str], bool]:
    """Apply a members-only PATCH to the touched members; returns (new group, changed member ids, unchanged).

    Member values are not caseExact (RFC 7643 §4.2), hence the casefolded comparison, as PATCH does.
    """
    folded = {t.casefold() for t in touched}
    members = old.get("members") or []
    subset = [m for m in members if m["value"].casefold() in folded]
    others = [m for m in members if m["value"].casefold() not in folded]
    reduced = {k: v for k, v in old.items() if k != "members"}
    if subset:
        reduced["members"] = subset
    patched = apply_patch(reduced, operations, GROUPS.schema, string_booleans=string_booleans)
    new_subset = patched.pop("members", None) or []
    unchanged = new_subset == subset and _unchanged(reduced | {"members": subset}, patched | {"members": subset})
    new = dict(patched)
    if others or new_subset:
        new["members"] = others + new_subset
    changed = touched | {m["value"] for m in subset} | {m["value"] for m in new_subset if isinstance(m.get("value"), str)}
    return new, changed, unchanged


def _member_ids(doc: dict[str, Any] | None) -> set[str]:
    if not doc:
        return set()
    return {m["value"] for m in doc.get("members") or [] if isinstance(m, dict) and isinstance(m.get("value"), str)}


def _unchanged(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when a PATCH changed nothing but ``meta`` (then nothing is written and no version is spent)."""
    strip: Callable[[dict[str, Any]], dict[str, Any]] = lambda d: {k: v for k, v in d.items() if k != "meta"}
    return strip(old) == strip(new)


def register_error_handlers(app: Flask) -> None:
    """Every error under ``/scim/v2`` is an RFC 7644 error body, unknown routes and methods included."""

    @app.errorhandler(ScimError)
    def _scim_error(error: ScimError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        if request.path == SCIM_PREFIX or request.path.startswith(SCIM_PREFIX + "/"):
            return http_error_response(error)
        return error
