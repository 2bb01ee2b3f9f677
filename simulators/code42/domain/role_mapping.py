"""Role mapping: which Code42 roles a provisioned user gets.

Seed, Step 5: "You can also assign users roles in Code42 based on their SCIM groups." and "Users who are
not mapped inherit the default roles for their organization."

The decisions (``role_values``, ``merge_roles``) are pure functions; :class:`RoleMapping` applies them
inside a transaction (:mod:`assignment` runs it with the org mapping).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from simulators.code42.domain.faults import Faults
from simulators.code42.domain.org_mapping import MISSING, find_attribute
from simulators.code42.domain.roles import basic_roles, resolve_role
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx

if TYPE_CHECKING:
    from simulators.code42.domain.assignment import Outcome

#: Seed, Troubleshooting: the only documented role error text (code42-open-questions.md Q9).
ROLE_ERROR = "Unable to update user's role"


# ---------------------------------------------------------------- pure decisions

def role_values(value: Any) -> list[str]:
    """Role ids from an attribute value: a list of strings or ``{"value": ...}``, or a comma-separated string."""
    if value is MISSING or value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    out = []
    for item in items:
        text = item.get("value") if isinstance(item, dict) else item
        if text is not None and str(text).strip():
            out.append(str(text).strip())
    return out


def merge_roles(current: Sequence[str], previous_scim: Sequence[str], new_scim: Sequence[str], *,
                scim_owns_all: bool) -> list[str]:
    """The user's roles after a mapping run.

    [INF, spec §3.7] "Roles given by hand are kept; leaving a group removes only that group's roles"
    (``scim_owns_all=False``); the switch lets SCIM replace the whole set.
    """
    if scim_owns_all:
        return sorted(set(new_scim))
    kept = [r for r in current if r not in previous_scim]
    return sorted(set(kept) | set(new_scim))


# ---------------------------------------------------------------- applying them

class RoleMapping:
    """Role decisions; ``_plan_of(settings)`` is the plan (the console may change it)."""

    switches: dict[str, Any]
    faults: Faults
    _plan_of: Callable[[dict[str, Any]], str]

    def org_default_roles(self, tx: Tx, settings: dict[str, Any], org_id: int) -> list[str]:
        """Seed: "Users who are not mapped inherit the default roles for their organization." """
        org = tables.get_org(tx, org_id=org_id)
        if org and org["default_roles"] is not None:
            return list(org["default_roles"])
        return self.base_roles(settings)

    def base_roles(self, settings: dict[str, Any]) -> list[str]:
        """Seed "Basic roles". Fault ``basic_roles_missing``: none."""
        return [] if self.faults.on("basic_roles_missing") else basic_roles(self._plan_of(settings))

    def decide_roles(self, tx: Tx, settings: dict[str, Any], doc: dict[str, Any], member_of: list[str],
                     org_id: int, creating: bool, out: Outcome) -> None:
        rm = settings["role_mapping"]
        method = rm["method"]
        if method == "NONE":
            # Console "Manually": SCIM sets roles only when it creates the user.
            if creating:
                out.scim_roles = sorted(set(self.org_default_roles(tx, settings, org_id)) | set(self.base_roles(settings)))
            return
        mapped: list[str] = []
        matched = False
        if self.faults.on("roles_not_applied"):
            pass
        elif method == "GROUP":
            for entry in rm["groups"]:
                group = tables.find_group(tx, entry["group"])
                if group is not None and group["scim_id"] in member_of:
                    matched = True
                    mapped += entry["roles"]
        else:  # ATTRIBUTE, limited to scimRoleAllowList ("role IDs that are allowed to be managed via SCIM")
            for role in role_values(find_attribute(doc, rm["attribute"])):
                if role in rm["allow_list"]:
                    matched = True
                    mapped.append(role)
                else:
                    out.notes.append(("WARNING", f"role {role!r} is not in the SCIM role allow-list; ignored"))
        roles: set[str] = set()
        for role in mapped:
            found = resolve_role(role)
            if found is None:
                out.notes.append(("ERROR", f"{ROLE_ERROR}: role {role!r} is not available"))
            else:
                roles.add(found.role_id)
        if not matched:
            roles |= set(self.org_default_roles(tx, settings, org_id))
        if self.switches["base_roles"] == "always" or not matched:
            roles |= set(self.base_roles(settings))
        out.scim_roles = sorted(roles)
