"""One mapping run: decide a provisioned user's org and roles, then write what changed.

:class:`Mapper` is the org mapping (:mod:`org_mapping`) and the role mapping (:mod:`role_mapping`)
applied together, in that order: the roles depend on the org chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.code42.domain.faults import Faults
from simulators.code42.domain.org_mapping import OrgMapping
from simulators.code42.domain.role_mapping import RoleMapping, merge_roles
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx
from simulators.common.clock import isoformat


@dataclass
class Outcome:
    """What a mapping run decided; ``notes`` are (status, message) pairs for the Sync Log."""

    org_id: int | None = None
    scim_roles: list[str] | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)


class Mapper(OrgMapping, RoleMapping):
    def __init__(self, plan_of: Callable[[dict[str, Any]], str], switches: dict[str, Any], faults: Faults):
        self._plan_of = plan_of  # callable(settings) -> plan; the console may change the plan
        self.switches = switches
        self.faults = faults

    def run(self, tx: Tx, settings: dict[str, Any], doc: dict[str, Any], member_of: list[str],
            user: dict[str, Any] | None) -> Outcome:
        """Decide org and roles for one user (``user`` is None when it is being created)."""
        out = Outcome()
        self.decide_org(tx, settings, doc, member_of, user is None, out)
        org_id = out.org_id if out.org_id is not None else (user["org_id"] if user else self.default_org_id(tx, settings))
        out.org_id = org_id
        self.decide_roles(tx, settings, doc, member_of, org_id, user is None, out)
        return out

    def apply(self, tx: Tx, user: dict[str, Any], out: Outcome) -> tuple[dict[str, Any], list[str]]:
        """Write an outcome to a stored user; returns the user and what changed (for the Sync Log)."""
        changes: list[str] = []
        fields: dict[str, Any] = {}
        if out.org_id is not None and out.org_id != user["org_id"]:
            fields["org_id"] = out.org_id
            org = tables.get_org(tx, org_id=out.org_id)
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
            user = tables.update_user(tx, user["user_id"], isoformat(tx.now), **fields)
        return user, changes
