"""RFC 7644 §3.4.2.4 pagination: read ``startIndex``/``count``, build the ListResponse.

RFC 7644 says a ``startIndex`` below 1 "SHALL be interpreted as 1" and a negative ``count``
"SHALL be interpreted as 0" (``count=0`` returns only ``totalResults``); a ``count`` above the
service provider's maximum is cut to it (ServiceProviderConfig ``filter.maxResults``, 200 for the
Code42 mock). A value that is not an integer is ``400 invalidValue`` rather than silently ignored,
so a client bug shows up in the traffic log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from simulators.common.scim.errors import ScimError

LIST_RESPONSE_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
MAX_RESULTS = 200  # schemas/scim/ServiceProviderConfig.json filter.maxResults
MAX_START_INDEX = 2**31 - 1


def _get(args: Mapping[str, Any], name: str) -> Any:
    if name in args:
        return args[name]
    for key in args:
        if isinstance(key, str) and key.lower() == name.lower():
            return args[key]
    return None


def _integer(name: str, raw: Any) -> int:
    if isinstance(raw, bool):
        raise ScimError(400, f"{name}={raw!r} is not an integer", "invalidValue")
    if isinstance(raw, int):
        return raw
    text = str(raw).strip()
    try:
        return int(text, 10)
    except ValueError:
        raise ScimError(400, f"{name}={raw!r} is not an integer", "invalidValue") from None


def parse_paging(
    args: Mapping[str, Any], *, default_count: int | None = None, max_results: int = MAX_RESULTS
) -> tuple[int, int]:
    """Return ``(start_index, count)`` from query arguments (a dict or Flask's ``request.args``).

    ``start_index`` is 1-based; ``count`` defaults to ``default_count`` (``max_results`` when None)
    and never exceeds ``max_results``. Parameter names are matched case-insensitively.
    """
    raw_start, raw_count = _get(args, "startIndex"), _get(args, "count")
    start = 1 if raw_start in (None, "") else max(1, _integer("startIndex", raw_start))
    start = min(start, MAX_START_INDEX)  # past every result anyway; beyond 2**63 SQLite's OFFSET overflows (a 500)
    if raw_count in (None, ""):
        count = max_results if default_count is None else default_count
    else:
        count = max(0, _integer("count", raw_count))
    return start, min(count, max_results)


def page(items: Sequence[Any], start_index: int, count: int) -> list[Any]:
    """The slice of ``items`` that a 1-based ``start_index`` and ``count`` select."""
    return list(items[start_index - 1 : start_index - 1 + count])


def list_response(resources: Sequence[Any], total: int, start_index: int) -> dict[str, Any]:
    """An RFC 7644 §3.4.2 ListResponse for one page (``itemsPerPage`` is the page's length)."""
    return {
        "schemas": [LIST_RESPONSE_URN],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": list(resources),
    }
