"""Hypothesis strategies for hostile HTTP requests, and the checks every answer must pass.

pytest-free. The strategies mix three kinds of input, because each finds different bugs:
well-formed SCIM with one part wrong (wrong types, bad PATCH paths, surrogate/NUL escapes inside a
valid body), structurally broken bodies (truncated JSON, garbage bytes, deep nesting, oversize), and
hostile query text (SQL-looking filters, huge or non-numeric paging). Huge and deep bodies are built
from a drawn size, not drawn byte by byte, so a run of ten thousand stays fast.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from simulators.common.scim import ResourceSchema
from simulators.common.scim.errors import ERROR_SCHEMA, SCIM_TYPES
from tests.strategies.scim_filters import filters, groups, users

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_URN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

#: Strings that break naive code: SQL, quoting, path tricks, control and format characters.
NASTY = (
    "' OR '1'='1", "\" OR \"1\"=\"1", "'; DROP TABLE scim_users; --", "\"); DROP TABLE scim_users;--",
    "1; SELECT * FROM scim_kv", "%", "_", "%%", "\\", "\\\"", "../../etc/passwd", "..", ".", "/", "\x00",
    "\u0000abc", "\ufeff", "\u202e", "\U0001f600", "e\u0301", "ǅ", "ß", "İ", "\u2028", " ", "", "null", "true",
    "NaN", "-1", "1e999", "[", "]", "{", "}", "eq", "or", "and", "not", "pr", "*", "\t\n\r",
)
#: Raw JSON escapes Hypothesis' text strategy never produces: lone surrogates and NUL.
RAW_ESCAPES = ("\\ud800", "\\udfff", "\\udbff\\u0041", "\\u0000", "\\ud83d\\ude00", "\\uffff", "\\u202e")
CONTENT_TYPES = (
    "application/scim+json", "application/json", "application/scim+json; charset=utf-8", "text/plain",
    "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "*/*",
    "application/scim+json; charset=utf-16", "application/json-patch+json", "garbage/", ";;",
)
SCIM_STATUSES_WITHOUT_SCIM_TYPE = {401, 403, 404, 405, 409, 412, 413, 415, 501}

text = st.one_of(st.text(max_size=40), st.sampled_from(NASTY))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text)
json_values = st.recursive(scalars, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(text, kids, max_size=4), max_leaves=12)


@dataclass
class Request:
    """One generated request for ``FlaskClient.open``."""

    method: str
    path: str
    body: bytes | None = None
    content_type: str | None = "application/scim+json"
    query: dict[str, str] | None = None
    authorization: str | None = None  # None: the valid credentials for the surface

    def __repr__(self) -> str:  # Hypothesis prints this on failure: keep huge bodies readable
        body = self.body if self.body is None or len(self.body) < 300 else self.body[:300] + b"...(truncated)"
        return (f"Request({self.method} {self.path} query={self.query!r} content_type={self.content_type!r} "
                f"auth={self.authorization!r} body={body!r})")


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")


@st.composite
def with_raw_escape(draw: Any, doc: Any) -> bytes:
    """``doc`` as JSON with a lone-surrogate/NUL escape spliced into one of its string values."""
    raw = json.dumps(doc, ensure_ascii=True)
    quotes = [i for i, ch in enumerate(raw) if ch == '"' and (i == 0 or raw[i - 1] != "\\")]
    if len(quotes) < 2:
        return raw.encode()
    at = quotes[draw(st.integers(0, len(quotes) - 1))] + 1 if quotes[-1] != len(raw) - 1 else quotes[0] + 1
    at = min(at, len(raw) - 1)
    return (raw[:at] + draw(st.sampled_from(RAW_ESCAPES)) + raw[at:]).encode()


def deep(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    if kind == "object":
        return b'{"a":' * depth + b"1" + b"}" * depth
    return b'{"schemas":["' + USER_URN.encode() + b'"],"userName":"d@x.com","title":' + b"[" * depth + b"]" * depth + b"}"


def bodies(valid: st.SearchStrategy[Any], max_body: int) -> st.SearchStrategy[bytes | None]:
    """A body: mostly a near-valid document, often broken, sometimes none at all."""
    return st.one_of(
        valid.map(dumps),
        valid.flatmap(lambda d: st.integers(0, max(len(dumps(d)) - 1, 0)).map(lambda n: dumps(d)[:n])),
        valid.flatmap(with_raw_escape),
        json_values.map(dumps),
        st.binary(max_size=64),
        st.tuples(st.integers(50, 5000), st.sampled_from(("array", "object", "inside"))).map(lambda a: deep(*a)),
        st.integers(max_body + 1, max_body + 4096).map(lambda n: b'{"userName":"' + b"x" * n + b'"}'),
        st.just(b"") | st.just(b"   ") | st.none(),
        st.sampled_from((b"NaN", b"1e999999", b"-" + b"9" * 5000, b'"\\ud800"', b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}")),
    )


def _mutate(doc: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """``doc`` with one attribute replaced by a value of any type (or a nasty string)."""
    keys = sorted(doc) + ["userName", "displayName", "members", "emails", "active", "schemas", "id", "meta",
                          ENTERPRISE_URN, "urn:bogus:ext", "name", "manager", "password", "roles"]
    return st.tuples(st.sampled_from(keys), json_values).map(lambda kv: {**doc, kv[0]: kv[1]})


def user_docs() -> st.SearchStrategy[dict[str, Any]]:
    return users().flatmap(lambda u: st.one_of(st.just(u), _mutate(u)))


def group_docs(member_ids: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    members = st.lists(st.one_of(st.sampled_from(member_ids).map(lambda v: {"value": v}),
                                 json_values.map(lambda v: {"value": v}), json_values), max_size=4)
    return st.one_of(
        groups(),
        st.tuples(text, members).map(lambda t: {"schemas": [GROUP_URN], "displayName": t[0], "members": t[1]}),
    ).flatmap(lambda g: st.one_of(st.just(g), _mutate(g)))


def patch_paths(schema: ResourceSchema) -> st.SearchStrategy[Any]:
    names = ("title", "active", "userName", "emails", 'emails[type eq "work"].value', "name.givenName",
             f"{ENTERPRISE_URN}:department", f"{ENTERPRISE_URN}:manager", "members", 'members[value eq "x"]',
             "displayName", "externalId", "id", "meta.version", "roles[primary eq \"True\"].value", "groups")
    return st.one_of(
        st.sampled_from(names), text, st.none(), st.integers(),
        filters(schema, max_items=2).map(lambda f: f"emails[{f}]"),
        st.tuples(st.sampled_from(names), st.sampled_from(("[", "]", "[]", ".", "..", "[value eq ", ":"))).map("".join),
    )


def patch_bodies(schema: ResourceSchema) -> st.SearchStrategy[Any]:
    op = st.fixed_dictionaries(
        {"op": st.one_of(st.sampled_from(("add", "replace", "remove", "Add", "Replace", "Remove", "ADD", "move",
                                          "copy", "test", "")), st.none(), st.integers())},
        optional={"path": patch_paths(schema), "value": json_values},
    )
    return st.one_of(
        st.fixed_dictionaries({"schemas": st.just([PATCH_URN]), "Operations": st.lists(op, max_size=4)}),
        st.fixed_dictionaries({"schemas": st.one_of(st.just([PATCH_URN]), json_values),
                               "Operations": st.one_of(st.lists(op, max_size=3), json_values)}),
    )


def query_args(schema: ResourceSchema) -> st.SearchStrategy[dict[str, str]]:
    number = st.one_of(st.integers().map(str), st.sampled_from(("", "abc", "1.5", "-0", "9" * 400, "0x10", " 1",
                                                                   "1e3", "NaN", "٣")))
    filter_text = st.one_of(
        filters(schema),
        text,
        st.tuples(st.sampled_from(("userName", "displayName", "emails.value", "externalId", "id", "title",
                                   "members.value", "meta.lastModified")),
                  st.sampled_from(("eq", "ne", "co", "sw", "ew", "gt", "pr", "EQ", "like", "=")),
                  st.one_of(text.map(json.dumps), st.sampled_from(NASTY), st.sampled_from(RAW_ESCAPES).map(
                      lambda e: f'"{e}"'))).map(" ".join),
    )
    attrs = st.one_of(text, st.sampled_from(("userName", "members", "emails.value", f"{ENTERPRISE_URN}:manager",
                                             "urn:bogus:x", ",,", "meta.version")))
    return st.fixed_dictionaries({}, optional={"filter": filter_text, "startIndex": number, "count": number,
                                               "attributes": attrs, "excludedAttributes": attrs,
                                               "sortBy": text, "sortOrder": text})


# ---------------------------------------------------------------- checks


def table_snapshot(conn: sqlite3.Connection, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every table (but ``skip``): what a rejected request must leave untouched."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                        "'sqlite_%' ORDER BY name")]
    return {n: [tuple(r) for r in conn.execute(f'SELECT * FROM "{n}" ORDER BY rowid')] for n in names if n not in skip}


def scim_error_problems(status: int, content_type: str | None, body: Any) -> list[str]:
    """Why an error answer on /scim/v2 is not an RFC 7644 §3.12 error body (empty when it is)."""
    problems = []
    if not (content_type or "").startswith("application/scim+json"):
        problems.append(f"Content-Type {content_type!r}")
    if not isinstance(body, dict):
        return problems + [f"body is not a JSON object: {body!r:.200}"]
    if body.get("schemas") != [ERROR_SCHEMA]:
        problems.append(f"schemas {body.get('schemas')!r}")
    if body.get("status") != str(status):
        problems.append(f"status {body.get('status')!r} in a {status} answer")
    if not isinstance(body.get("detail"), str) or not body["detail"]:
        problems.append("no detail")
    scim_type = body.get("scimType")
    if scim_type is not None and scim_type not in SCIM_TYPES:
        problems.append(f"scimType {scim_type!r} is not RFC 7644's")
    if status == 400 and scim_type is None:
        problems.append("a 400 without scimType")
    if status not in SCIM_STATUSES_WITHOUT_SCIM_TYPE | {400}:
        problems.append(f"unexpected error status {status}")
    return problems


#: Code42 answers these with a 500 on purpose (code42-behaviour.md §4 error table: "USER_DUPLICATE | 500",
#: "USERNAME_NOT_AN_EMAIL, EMAIL_INVALID ... | 500"), so the mock does too; and py42's ``orgs.get_current``
#: catches a 500 from ``GET /api/v1/Org/my`` as what an API client gets (docs/code42-api.md).
DOCUMENTED_ADMIN_500 = frozenset({"USER_DUPLICATE", "USERNAME_NOT_AN_EMAIL", "EMAIL_INVALID", "INVALID_USERNAME",
                                  "API_CLIENT_HAS_NO_ORG"})


#: The OAuth token endpoints answer RFC 6749 §5.2 error bodies, ``{"error": ..., "error_description": ...}``
#: (issue 12: the SDKs call them as OAuth endpoints).
OAUTH_PATHS = frozenset({"/v1/oauth", "/api/v3/oauth/token"})


def admin_error_problems(status: int, body: Any, path: str = "") -> list[str]:
    """Why an admin-API error is not Code42's ``[{"name": TOKEN, "description": ...}]`` shape (on the token
    endpoints: not an OAuth error body)."""
    if path in OAUTH_PATHS and status in (400, 401):
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            return []
        return [f"not an OAuth error body: {body!r:.200}"]
    if not (isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict)
            and isinstance(body[0].get("name"), str) and isinstance(body[0].get("description"), str)):
        return [f"not the admin error shape: {body!r:.200}"]
    if status >= 500 and body[0]["name"] not in DOCUMENTED_ADMIN_500:
        return [f"a {status} with token {body[0]['name']!r}, which Code42 does not document as a 500"]
    return []
