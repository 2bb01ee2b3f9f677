"""Organization and role mapping: which org and which roles a provisioned user gets.

Seed, Step 5: "When users are first provisioned into Code42, they are provisioned to an organization
that you specified in the Edit organization mapping method dialog in Step 2. If you prefer, you can map
users to Code42 organizations based on the SCIM groups they belong to in Azure. You can also assign
users roles in Code42 based on their SCIM groups."

The decisions (``choose_*``, ``find_attribute``, ``merge_roles``) are pure functions; :class:`Mapper`
applies them to the stored users inside a transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulators.code42.domain.faults import Faults
from simulators.code42.domain.roles import basic_roles, resolve_role
from simulators.code42.storage import tables as directory
from simulators.common.clock import isoformat

#: Seed, Troubleshooting: the only documented role error text (code42-open-questions.md Q9).
ROLE_ERROR = "Unable to update user's role"

MISSING = object()


# ---------------------------------------------------------------- pure decisions

def choose_org_by_groups(mappings: Sequence[tuple[str | None, int]], member_of: Iterable[str], *,
                         reverse: bool = False) -> int | None:
    """The org of the first mapping (priority order) whose group the user is in; None when unmapped.

    Seed: "(Optional) Adjust the priority of each mapping. This is useful for users who belong to more
    than one SCIM group." Mappings whose group has not been synced (``None``) never match.
    """
    groups = set(member_of)
    ordered = list(reversed(mappings)) if reverse else list(mappings)
    for group_id, org_id in ordered:
        if group_id is not None and group_id in groups:
            return org_id
    return None


def find_attribute(doc: dict[str, Any], name: str, urn: str | None = None) -> Any:
    """The value of attribute ``name`` anywhere in a SCIM User: top level, under ``urn``, or under any
    extension object (code42-open-questions.md Q4: "look for it by name anywhere"). Names compare
    case-insensitively (RFC 7643 §2.1). Returns :data:`MISSING` when absent or blank."""
    lowered = name.lower()
    candidates: list[dict[str, Any]] = [doc]
    if urn:
        candidates += [v for k, v in doc.items() if k.lower() == urn.lower() and isinstance(v, dict)]
    candidates += [v for k, v in doc.items() if k.lower().startswith("urn:") and isinstance(v, dict)]
    for container in candidates:
        for key, value in container.items():
            if key.lower() == lowered and value not in (None, "", []):
                return value
    return MISSING


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

@dataclass
class Outcome:
    """What a mapping run decided; ``notes`` are (status, message) pairs for the Sync Log."""

    org_id: int | None = None
    scim_roles: list[str] | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)


class Mapper:
    def __init__(self, plan_of: Any, switches: dict[str, Any], faults: Faults):
        self._plan_of = plan_of  # callable(settings) -> plan; the console may change the plan
        self.switches = switches
        self.faults = faults

    # -- orgs

    def default_org_id(self, tx: Any, settings: dict[str, Any]) -> int:
        """The default org; root when none is set. Fault ``default_org_ignored``: always the root org."""
        root = directory.root_org(tx)["org_id"]
        if self.faults.on("default_org_ignored"):
            return root
        return settings["org_mapping"]["default_org_id"] or root

    def decide_org(self, tx: Any, settings: dict[str, Any], doc: dict[str, Any], member_of: list[str],
                   creating: bool, out: Outcome) -> None:
        om = settings["org_mapping"]
        method = om["method"]
        if method == "DEFAULT":
            # "Assigns all users to the same Code42 organization. New users are moved to this organization.
            # Users that are subsequently moved outside of this organization remain in their new organization."
            if creating:
                out.org_id = self.default_org_id(tx, settings)
            return
        if method == "MAPPING":
            mappings = []
            for entry in om["groups"]:
                group = directory.find_group(tx, entry["group"])
                mappings.append((group["scim_id"] if group else None, entry["org_id"]))
            chosen = choose_org_by_groups(mappings, member_of, reverse=self.faults.on("group_priority_reversed"))
            # "Unmapped users are users who either do not belong to a group or their group is not mapped."
            out.org_id = chosen if chosen is not None else self.default_org_id(tx, settings)
            return
        # ATTRIBUTE: "Creates new organizations or assigns users to existing organizations based on the value
        # for the user attribute c42OrgName. This value becomes the name for the Code42 org."
        value = MISSING if self.faults.on("org_attribute_ignored") else find_attribute(doc, om["attribute"],
                                                                                       om["attribute_urn"])
        if value is MISSING or not str(value).strip():
            if creating or self.switches["org_attribute_missing"] == "default-org-all":
                out.org_id = self.default_org_id(tx, settings)
                if not self.faults.on("org_attribute_ignored"):
                    out.notes.append(("WARNING", f"attribute {om['attribute']} is missing; using the default org"))
            return
        name = str(value).strip()
        found = directory.orgs_named(tx, name, case_insensitive=self.switches["org_name_match"] == "case-insensitive")
        if len(found) > 1:
            out.notes.append(("WARNING", f"{len(found)} orgs are named {name!r}; using the oldest"))
        if found:
            out.org_id = found[0]["org_id"]
            return
        parent = om["parent_org_id"] or directory.root_org(tx)["org_id"]
        org = directory.insert_org(tx, name=name, parent_org_id=parent, now=isoformat(tx.now))
        out.notes.append(("SUCCESS", f"created organization {name!r} from attribute {om['attribute']}"))
        out.org_id = org["org_id"]

    # -- roles

    def org_default_roles(self, tx: Any, settings: dict[str, Any], org_id: int) -> list[str]:
        """Seed: "Users who are not mapped inherit the default roles for their organization." """
        org = directory.get_org(tx, org_id=org_id)
        if org and org["default_roles"] is not None:
            return list(org["default_roles"])
        return self.base_roles(settings)

    def base_roles(self, settings: dict[str, Any]) -> list[str]:
        """Seed "Basic roles". Fault ``basic_roles_missing``: none."""
        return [] if self.faults.on("basic_roles_missing") else basic_roles(self._plan_of(settings))

    def decide_roles(self, tx: Any, settings: dict[str, Any], doc: dict[str, Any], member_of: list[str],
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
                group = directory.find_group(tx, entry["group"])
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

    # -- both

    def run(self, tx: Any, settings: dict[str, Any], doc: dict[str, Any], member_of: list[str],
            user: dict[str, Any] | None) -> Outcome:
        """Decide org and roles for one user (``user`` is None when it is being created)."""
        out = Outcome()
        self.decide_org(tx, settings, doc, member_of, user is None, out)
        org_id = out.org_id if out.org_id is not None else (user["org_id"] if user else self.default_org_id(tx, settings))
        out.org_id = org_id
        self.decide_roles(tx, settings, doc, member_of, org_id, user is None, out)
        return out

    def apply(self, tx: Any, user: dict[str, Any], out: Outcome) -> tuple[dict[str, Any], list[str]]:
        """Write an outcome to a stored user; returns the user and what changed (for the Sync Log)."""
        changes: list[str] = []
        fields: dict[str, Any] = {}
        if out.org_id is not None and out.org_id != user["org_id"]:
            fields["org_id"] = out.org_id
            org = directory.get_org(tx, org_id=out.org_id)
            changes.append(f"moved to organization {org['name'] if org else out.org_id!r}")
        if out.scim_roles is not None:
            roles = merge_roles(user["roles"], user["scim_roles"], out.scim_roles,
                                scim_owns_all=self.switches["scim_owns_roles"] == "all")
            if roles != sorted(user["roles"]) or out.scim_roles != user["scim_roles"]:
                fields["roles"] = roles
                fields["scim_roles"] = out.scim_roles
                if roles != sorted(user["roles"]):
                    changes.append(f"roles set to {', '.join(roles) or '(none)'}")
        if fields:
            user = directory.update_user(tx, user["user_id"], isoformat(tx.now), **fields)
        return user, changes
