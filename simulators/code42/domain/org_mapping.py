"""Organization mapping: which Code42 org a provisioned user is placed in.

Seed, Step 5: "When users are first provisioned into Code42, they are provisioned to an organization
that you specified in the Edit organization mapping method dialog in Step 2. If you prefer, you can map
users to Code42 organizations based on the SCIM groups they belong to in Azure."

The decisions (``choose_org_by_groups``, ``find_attribute``) are pure functions; :class:`OrgMapping`
applies them to the stored orgs inside a transaction (:mod:`assignment` runs it with the role mapping).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from simulators.code42.domain.faults import Faults
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx
from simulators.common.clock import isoformat

if TYPE_CHECKING:
    from simulators.code42.domain.assignment import Outcome

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


# ---------------------------------------------------------------- applying them

class OrgMapping:
    """Org decisions over the stored orgs; ``switches`` and ``faults`` are the tenant's."""

    switches: dict[str, Any]
    faults: Faults

    def default_org_id(self, tx: Tx, settings: dict[str, Any]) -> int:
        """The default org; root when none is set. Fault ``default_org_ignored``: always the root org."""
        root = tables.root_org(tx)["org_id"]
        if self.faults.on("default_org_ignored"):
            return root
        return settings["org_mapping"]["default_org_id"] or root

    def decide_org(self, tx: Tx, settings: dict[str, Any], doc: dict[str, Any], member_of: list[str],
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
                group = tables.find_group(tx, entry["group"])
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
        found = tables.orgs_named(tx, name, case_insensitive=self.switches["org_name_match"] == "case-insensitive")
        if len(found) > 1:
            out.notes.append(("WARNING", f"{len(found)} orgs are named {name!r}; using the oldest"))
        if found:
            out.org_id = found[0]["org_id"]
            return
        parent = om["parent_org_id"] or tables.root_org(tx)["org_id"]
        org = tables.insert_org(tx, name=name, parent_org_id=parent, now=isoformat(tx.now))
        out.notes.append(("SUCCESS", f"created organization {name!r} from attribute {om['attribute']}"))
        out.org_id = org["org_id"]
