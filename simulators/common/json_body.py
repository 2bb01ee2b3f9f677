"""Parse a request body as JSON without letting hostile input escape as a 500.

Why a helper and not ``json.loads``: three inputs that ``json.loads`` accepts or mishandles still break
a server further down, and every simulator route that reads a body must refuse them the same way:

- deep nesting (``[[[[...`` a few thousand levels) raises ``RecursionError``, which is no ``ValueError``;
  a few hundred levels parse, then break the recursive code that walks the document (``copy.deepcopy``
  in ``scim.canonical.canonicalize``), so nesting beyond :data:`MAX_DEPTH` is refused up front;
- a lone UTF-16 surrogate escape (``"\\ud800"``) is valid JSON (RFC 8259 §8.2 leaves it to the
  receiver) but not a Unicode character: SQLite and the UTF-8 response encoder raise
  ``UnicodeEncodeError`` on it later, far from the request that brought it;
- an integer longer than Python's int-conversion limit raises a ``ValueError`` whose text is not a
  JSON error.

:func:`parse_json` turns each into :class:`JsonBodyError` with a message a client can act on.
"""

from __future__ import annotations

import json
import re
from typing import Any

# A \uD800-\uDFFF escape in the raw text: only then can the parsed value hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


#: Deepest nesting accepted. SCIM needs about 6 (PatchOp → Operations → op → value → members → member).
MAX_DEPTH = 64


class JsonBodyError(ValueError):
    """The body is not acceptable JSON; ``str(error)`` says why (never echoing the whole body)."""


def parse_json(raw: bytes) -> Any:
    """``raw`` (UTF-8 bytes) as a JSON value, or :class:`JsonBodyError`."""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise JsonBodyError(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except UnicodeDecodeError:
        raise JsonBodyError("the body is not UTF-8") from None
    except RecursionError:
        raise JsonBodyError("the body is nested too deeply") from None
    except ValueError as exc:  # e.g. an integer beyond sys.get_int_max_str_digits()
        raise JsonBodyError(str(exc)) from None
    # Every level of nesting opens with a bracket of its own in the text, so a body with at most
    # MAX_DEPTH of them (every SCIM request) needs no walk.
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and depth(value) > MAX_DEPTH:
        raise JsonBodyError(f"the body is nested more than {MAX_DEPTH} levels deep")
    if _SURROGATE_ESCAPE.search(raw) and has_lone_surrogate(value):
        raise JsonBodyError("the body has a lone UTF-16 surrogate escape (\\uD800-\\uDFFF), which is no Unicode "
                            "character")
    return value


def has_lone_surrogate(value: Any) -> bool:
    """True when a string anywhere in ``value`` (keys included) holds an unpaired surrogate."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level + 1)
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest
