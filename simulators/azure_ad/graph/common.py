"""Conventions every Graph-shaped route shares: the error envelope, JSON body validation, ``$top`` /
``$skiptoken`` paging with ``@odata.nextLink``, and ``$select``.

Microsoft Graph answers every failure with ``{"error": {"code", "message", "innerError": {"date",
"request-id", "client-request-id"}}}`` and pages collections with an opaque ``@odata.nextLink`` that a
client follows verbatim. A Graph client written against the real service must work unchanged here,
so these shapes are reproduced and nothing else leaks out (no Flask HTML error page, no traceback).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from simulators.common.clock import Clock, isoformat
from simulators.common.json_body import JsonBodyError, parse_json

GRAPH_VERSION = "v1.0"
DEFAULT_PAGE = 100
MAX_PAGE = 999


class GraphError(Exception):
    """A Graph error response: raise it anywhere inside a route."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})


def bad_request(message: str, code: str = "Request_BadRequest") -> GraphError:
    return GraphError(400, code, message)


def not_found(object_id: str) -> GraphError:
    """Graph's directory 404 wording."""
    return GraphError(404, "Request_ResourceNotFound",
                      f"Resource '{object_id}' does not exist or one of its queried reference-property objects are not present.")


def error_response(status: int, code: str, message: str, clock: Clock,
                   headers: Mapping[str, str] | None = None) -> Response:
    body = {"error": {"code": code, "message": message, "innerError": {
        "date": isoformat(clock.now()).replace("+00:00", "Z"),
        "request-id": str(uuid.uuid4()),
        "client-request-id": request.headers.get("client-request-id") or str(uuid.uuid4()),
    }}}
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register_graph_error_handlers(app: Flask, clock: Clock) -> None:
    """Every error, including Flask's own 404/405/413 and unexpected exceptions, becomes a Graph error."""

    @app.errorhandler(GraphError)
    def _graph_error(exc: GraphError) -> Response:
        return error_response(exc.status, exc.code, exc.message, clock, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        code = {404: "Request_ResourceNotFound", 405: "Request_BadRequest", 413: "Request_EntityTooLarge",
                415: "Request_BadRequest"}.get(status, "Request_BadRequest" if status < 500 else "InternalServerError")
        message = {404: f"Resource not found for the segment '{request.path.rsplit('/', 1)[-1]}'.",
                   405: f"The HTTP method '{request.method}' is not allowed on this resource."}.get(
            status, exc.description or exc.name)
        return error_response(status, code, message, clock)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "InternalServerError", f"The mock hit an internal error ({type(exc).__name__}).", clock)


# ---------------------------------------------------------------------------------------------- bodies
def json_body(*, allow_empty: bool = False) -> dict[str, Any]:
    """The request body as a JSON object, or a Graph 400 that says what is wrong with it."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if allow_empty:
            return {}
        raise bad_request("Empty Payload, JSON content expected.")
    try:
        body = parse_json(raw)
    except JsonBodyError as exc:
        raise bad_request(f"Unable to read JSON request payload. Please ensure Content-Type header is set and payload "
                          f"is of valid JSON format. ({exc})") from None
    if not isinstance(body, dict):
        raise bad_request("The request payload must be a JSON object.")
    return body


def check_properties(body: Mapping[str, Any], allowed: Iterable[str], type_name: str) -> None:
    """Graph refuses properties its type does not declare."""
    known = set(allowed) | {"@odata.type"}
    for name in body:
        if name not in known:
            raise bad_request(f"Property '{name}' does not exist on type 'microsoft.graph.{type_name}'. "
                              "Make sure to only use property names that are defined by the type.")


def require(body: Mapping[str, Any], name: str, kind: type | tuple[type, ...], type_name: str) -> Any:
    """A required property of the right JSON type (``bool`` is not an ``int`` here)."""
    if name not in body or body[name] is None:
        raise bad_request(f"Property '{name}' is required on type 'microsoft.graph.{type_name}'.")
    return typed(body, name, kind, type_name)


def typed(body: Mapping[str, Any], name: str, kind: type | tuple[type, ...], type_name: str) -> Any:
    value = body.get(name)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if value is None:
        return None
    if isinstance(value, bool) and bool not in kinds:
        ok = False
    else:
        ok = isinstance(value, kinds)
    if not ok:
        expected = " or ".join(_json_type(k) for k in kinds)
        raise bad_request(f"Invalid value for property '{name}' of type 'microsoft.graph.{type_name}': "
                          f"expected {expected}.")
    return value


def _json_type(kind: type) -> str:
    return {str: "a string", bool: "a boolean", int: "an integer", list: "an array", dict: "an object"}.get(
        kind, kind.__name__)


def reference_id(body: Mapping[str, Any]) -> str:
    """The object id at the end of a ``$ref`` body's ``@odata.id``
    (``{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}``)."""
    ref = body.get("@odata.id")
    if not isinstance(ref, str) or not ref.strip():
        raise bad_request("The '@odata.id' reference is missing or is not a string.")
    object_id = ref.rstrip("/").rsplit("/", 1)[-1]
    if "(" in object_id:  # the OData key form .../directoryObjects('{id}')
        object_id = object_id.split("(", 1)[1].strip("')\"")
    try:
        uuid.UUID(object_id)
    except ValueError:
        raise bad_request(f"Invalid object identifier '{object_id}'.") from None
    return object_id


# ---------------------------------------------------------------------------------------------- paging
def graph_url(path: str) -> str:
    """Absolute URL of a Graph path on this server (what ``@odata.nextLink`` and ``@odata.context`` use)."""
    return request.host_url.rstrip("/") + f"/{GRAPH_VERSION}/" + path.lstrip("/")


def context_url(fragment: str) -> str:
    return graph_url(f"$metadata#{fragment}")


def page_size(default: int = DEFAULT_PAGE, maximum: int = MAX_PAGE) -> int:
    text = request.args.get("$top")
    if text is None:
        return default
    try:
        top = int(text)
    except ValueError:
        raise bad_request(f"Invalid value '{text}' for query parameter $top.") from None
    if not 1 <= top <= maximum:
        raise bad_request(f"Invalid page size specified: '{top}'. Must be between 1 and {maximum} inclusive.")
    return top


def _decode_skiptoken(token: str) -> int:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
        offset = int(payload["o"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise bad_request("Invalid $skiptoken value.", "Request_UnsupportedQuery") from None
    if offset < 0:
        raise bad_request("Invalid $skiptoken value.", "Request_UnsupportedQuery")
    return offset


def _encode_skiptoken(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def paged(items: Sequence[Any], render: Callable[[Any], dict[str, Any]], context: str, *,
          default: int = DEFAULT_PAGE, maximum: int = MAX_PAGE) -> Response:
    """One page of a collection: ``{"@odata.context", "value", "@odata.nextLink"?}``. The next link
    repeats every query option except ``$skiptoken``, which is opaque (an encoded offset)."""
    top = page_size(default, maximum)
    token = request.args.get("$skiptoken")
    offset = _decode_skiptoken(token) if token else 0
    window = items[offset:offset + top]
    body: dict[str, Any] = {"@odata.context": context_url(context), "value": [render(i) for i in window]}
    if offset + top < len(items):
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "$skiptoken"]
        if not any(k == "$top" for k, _ in args):
            args.append(("$top", str(top)))
        args.append(("$skiptoken", _encode_skiptoken(offset + top)))
        body["@odata.nextLink"] = request.base_url + "?" + urlencode(args)
    return jsonify(body)


def select(resource: dict[str, Any], default: Iterable[str], type_name: str) -> dict[str, Any]:
    """``$select`` projection; without it, Graph's default property set for the type. ``resource`` is
    the full rendering, so a name it lacks is not a property of the type (a Graph 400)."""
    text = request.args.get("$select")
    names = [n.strip() for n in text.split(",") if n.strip()] if text else list(default)
    for name in names:
        if name not in resource:
            raise bad_request(f"Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'.")
    return {name: resource[name] for name in dict.fromkeys(["id", *names])}


__all__ = [
    "GraphError",
    "bad_request",
    "check_properties",
    "context_url",
    "error_response",
    "graph_url",
    "json_body",
    "not_found",
    "page_size",
    "paged",
    "reference_id",
    "register_graph_error_handlers",
    "require",
    "select",
    "typed",
]
