"""Reading admin-API requests: query parameters, JSON bodies and paging, with Code42-shaped 400s."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import request

from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.domain.paging import Paging
from simulators.common.json_body import JsonBodyError, parse_json

# Only these top-level fields are structured in Code42's API (see body()).
_STRUCTURED_FIELDS = frozenset({"roleIds", "scimGroupOrgMap", "scimGroupRoleMap", "scimRoleAllowList"})


def parse_time(text: str | None, name: str) -> datetime | None:
    """``yyyy-MM-dd'T'HH:mm:ss.SSSZ`` (spec §3.9), also with ``Z`` or ``+HH:MM``."""
    if not text:
        return None
    # An unencoded "+" in a query string arrives as a space; read "... 0000" as "+0000".
    fixed = re.sub(r" (\d\d:?\d\d)$", r"+\1", text.strip())
    fixed = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", fixed).replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(fixed)
    except ValueError:
        raise AdminError(400, "INVALID_DATE", f"{name}={text!r} is not yyyy-MM-dd'T'HH:mm:ss.SSSZ") from None
    if when.tzinfo is None:
        raise AdminError(400, "INVALID_DATE", f"{name}={text!r} needs a time zone")
    return when


def int_arg(name: str, default: int, minimum: int = 0) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise AdminError(400, "INVALID_PARAMETER", f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise AdminError(400, "INVALID_PARAMETER", f"{name} must be >= {minimum}")
    return value


def bool_arg(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise AdminError(400, "INVALID_PARAMETER", f"{name} must be true or false, got {raw!r}")


def body(structured: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The JSON object of the request (``{}`` when there is no body); ``structured`` names further
    top-level fields this route takes as lists or objects."""
    raw = request.get_data()
    if not raw:
        return {}
    try:
        data = parse_json(raw)
    except JsonBodyError:  # deep nesting and lone surrogates were 500s through request.get_json
        data = None
    if not isinstance(data, dict):
        raise AdminError(400, "INVALID_JSON", "the request body must be a JSON object")
    for name, value in data.items():
        # Services bind top-level values as SQLite parameters: a list/object there, or an integer beyond
        # 64 bits, raised from sqlite3 as a 500.
        if isinstance(value, (list, dict)) and name not in _STRUCTURED_FIELDS and name not in structured:
            raise AdminError(400, "INVALID_PARAMETER", f"{name} must be a string, number or boolean")
        if isinstance(value, int) and not -2**63 <= value < 2**63:
            raise AdminError(400, "INVALID_PARAMETER", f"{name} is out of range")
    return data


def require_strings(data: dict[str, Any], *names: str) -> None:
    """Text fields must be strings (or null): any other JSON type reached SQLite and was a 500."""
    for name in names:
        if data.get(name) is not None and not isinstance(data[name], str):
            raise AdminError(400, "INVALID_PARAMETER", f"{name} must be a string, got {type(data[name]).__name__}")


def paging(default_size: int = 100) -> Paging:
    """Incydr paging: ``page`` (1-based; 0 is read as 1, the portal's sample sends 0) and ``pageSize``.

    The SDK sends ``page_size`` (snake case) for directory groups, departments and risk profiles, so
    either spelling is read (docs/code42-api.md "Paging")."""
    size_name = "pageSize" if request.args.get("pageSize") not in (None, "") else "page_size"
    return Paging(max(int_arg("page", 1), 1), int_arg(size_name, default_size, 1))


def legacy_paging() -> Paging:
    """The console API's paging: ``pgNum`` (1-based) and ``pgSize`` (py42 sends 500)."""
    return Paging(max(int_arg("pgNum", 1), 1), int_arg("pgSize", 500, 1))


def text_arg(name: str) -> str | None:
    """A query parameter as text, None when absent or empty."""
    value = request.args.get(name)
    return value if value not in (None, "") else None


def scim_base_url() -> str:
    """This tenant's SCIM base URL as the console shows it."""
    return request.host_url.rstrip("/") + "/scim/v2"
