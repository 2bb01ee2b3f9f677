"""The SCIM layer's HTTP plumbing: responses in the SCIM media type, RFC 7644 error bodies, request
bodies, query arguments and ETag preconditions (RFC 7232 weak comparison)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from simulators.common.json_body import JsonBodyError, parse_json
from simulators.common.scim.errors import ScimError

if TYPE_CHECKING:
    from simulators.code42.runtime import Code42Runtime

SCIM_PREFIX = "/scim/v2"
SCIM_JSON = "application/scim+json"
_JSON_TYPES = ("application/scim+json", "application/json")
_READ_ONLY = ("id", "meta", "groups")


def current_runtime() -> Code42Runtime:
    """The tenant this app serves."""
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


def root_url() -> str:
    """``scheme://host[:port]/script-root`` of this request (werkzeug's ``url_root`` re-encodes the
    whole URL on every access, a measurable share of a GET by id)."""
    return f"{request.scheme}://{request.host}{request.script_root}"


def base_url() -> str:
    return root_url() + SCIM_PREFIX


def absolute_url(location: str) -> str:
    return root_url() + location if location.startswith("/") else location


# ---------------------------------------------------------------- request parsing


def json_body() -> Any:
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


def query_args() -> dict[str, str]:
    return {k: v for k, v in request.args.items()}


def arg(args: dict[str, Any], name: str) -> Any:
    for key, value in args.items():
        if key.lower() == name.lower():
            return value
    return None


def etag_matches(header: str, current: str) -> bool:
    """RFC 7232 weak comparison of a current ETag against an If-Match / If-None-Match list."""
    if header.strip() == "*":
        return True

    def opaque(tag: str) -> str:
        tag = tag.strip()
        return tag[2:] if tag[:2] in ("W/", "w/") else tag

    return any(opaque(part) == opaque(current) for part in header.split(",") if part.strip())


def check_if_match(current_version: str) -> None:
    header = request.headers.get("If-Match")
    if header is not None and not etag_matches(header, current_version):
        raise ScimError(412, f"If-Match {header!r} does not match the current version {current_version}")


def strip_read_only(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in _READ_ONLY}


def with_location(doc: dict[str, Any], endpoint: str) -> dict[str, Any]:
    meta = doc.get("meta")
    if isinstance(meta, dict):
        meta["location"] = f"{base_url()}/{endpoint}/{doc['id']}"
    return doc


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
