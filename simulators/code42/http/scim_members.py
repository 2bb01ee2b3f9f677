"""Group membership PATCHes that touch only the members they name, and the change tests of PATCH.

Azure AD's membership PATCHes (azure-ad-behaviour.md §6.2) add or remove a few members of groups that
may hold 10,000; applying them to the named members alone keeps a PATCH proportional to its size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.common.scim import ResourceSchema
from simulators.common.scim.errors import ScimError
from simulators.common.scim.filters import parse_path
from simulators.common.scim.patch import apply_patch

GROUP_SCHEMA = ResourceSchema.for_type("Group")


def member_only_ids(operations: list[dict[str, Any]]) -> set[str] | None:
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
            value_path = parse_path(path, GROUP_SCHEMA)
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


def patch_members(
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
    patched = apply_patch(reduced, operations, GROUP_SCHEMA, string_booleans=string_booleans)
    new_subset = patched.pop("members", None) or []
    unchanged = new_subset == subset and changes_nothing(reduced | {"members": subset}, patched | {"members": subset})
    new = dict(patched)
    if others or new_subset:
        new["members"] = others + new_subset
    changed = touched | {m["value"] for m in subset} | {m["value"] for m in new_subset if isinstance(m.get("value"), str)}
    return new, changed, unchanged


def member_ids(doc: dict[str, Any] | None) -> set[str]:
    if not doc:
        return set()
    return {m["value"] for m in doc.get("members") or [] if isinstance(m, dict) and isinstance(m.get("value"), str)}


def changes_nothing(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when a PATCH changed nothing but ``meta`` (then nothing is written and no version is spent)."""
    strip: Callable[[dict[str, Any]], dict[str, Any]] = lambda d: {k: v for k, v in d.items() if k != "meta"}
    return strip(old) == strip(new)


