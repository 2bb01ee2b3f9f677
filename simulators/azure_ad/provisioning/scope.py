"""Who is in scope of the job, and what the mappings see of them.

Scope (§3.5, §7.4): assigned to the application (directly, or through a group the user is a direct
member of), more than the Default Access role when ``exclude_default_access`` is on, and passing the
scoping filters. The source view is the directory object as the mappings read it, with the computed
``IsSoftDeleted`` and ``appRoleAssignments``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulators.azure_ad.directory import DEFAULT_ACCESS, Directory, DirectoryGroup, DirectoryUser
from simulators.azure_ad.provisioning.flags import EngineFlags
from simulators.azure_ad.provisioning.mappings import JobMappings
from simulators.azure_ad.provisioning.state import Link

HARD_DELETED = "hard deleted"
SOFT_DELETED = "soft deleted in Entra ID"
SCOPING_FILTER = "scoping filter not satisfied"


@dataclass
class ScopeDecision:
    in_scope: bool
    reason: str
    entitled: bool = True
    soft_deleted: bool = False  # IsSoftDeleted


@dataclass
class CycleIndex:
    """App-role assignments by principal and direct (non-deleted) groups by member, for one cycle: the
    directory does not change while a cycle runs, so it is indexed once instead of scanned per object."""

    roles: dict[str, list[str]]
    groups_of: dict[str, list[str]]

    @classmethod
    def of(cls, directory: Directory) -> CycleIndex:
        roles: dict[str, list[str]] = {}
        for assignment in directory.assignments:
            roles.setdefault(assignment.principal_id, []).append(assignment.role)
        groups_of: dict[str, list[str]] = {}
        for group in directory.groups.values():
            if not group.soft_deleted:
                for member in group.members:
                    groups_of.setdefault(member, []).append(group.object_id)
        return cls(roles, groups_of)


class Scope:
    """Scope decisions for one run, over the directory as indexed when the run began."""

    def __init__(self, directory: Directory, flags: EngineFlags, mappings: JobMappings):
        self.directory, self.flags, self.mappings = directory, flags, mappings
        self.index = CycleIndex.of(directory)

    def roles_of(self, object_id: str, *, via_groups: bool) -> list[str]:
        roles = list(self.index.roles.get(object_id, ()))
        if via_groups:  # only direct members (no nesting)
            for group_id in self.index.groups_of.get(object_id, ()):
                roles += self.index.roles.get(group_id, ())
        return roles

    def decide(self, object_type: str, object_id: str) -> ScopeDecision:
        obj = (self.directory.users if object_type == "User" else self.directory.groups).get(object_id)
        if obj is None:
            return ScopeDecision(False, HARD_DELETED, soft_deleted=True)
        if obj.soft_deleted:
            return ScopeDecision(False, SOFT_DELETED, soft_deleted=True)
        if not self.flags.sync_all:
            roles = self.roles_of(object_id, via_groups=object_type == "User")
            if not roles:
                return ScopeDecision(False, "not assigned to the application", soft_deleted=True)
            if self.flags.exclude_default_access and all(r == DEFAULT_ACCESS for r in roles):
                return ScopeDecision(False, "NotEffectivelyEntitled: only the Default Access role is assigned",
                                     entitled=False, soft_deleted=True)
        scoping = self.mappings.user_scoping if object_type == "User" else self.mappings.group_scoping
        failing = scoping.failing_reason(obj.attributes)
        if failing:
            return ScopeDecision(False, f"{SCOPING_FILTER}: {failing}", soft_deleted=True)
        disabled = object_type == "User" and obj.attributes.get("accountEnabled") is False
        return ScopeDecision(True, "in scope", soft_deleted=disabled)

    def is_deletion(self, object_type: str, object_id: str, link: Link | None) -> bool:
        """Would processing this object now remove or disable it in the target (§7.7's count)?"""
        if link is None:
            return False
        decision = self.decide(object_type, object_id)
        if object_type == "Group":
            return not decision.in_scope and "Delete" in self.flags.group_flow_types
        if decision.reason == HARD_DELETED:
            return link.managed and "Delete" in self.flags.user_flow_types
        if not decision.in_scope:
            return not link.disabled_by_scope and not self.flags.skip_out_of_scope_deletions
        return False

    def leaves_management(self, decision: ScopeDecision) -> bool:
        """Does going out of scope this way end the service's management of the user (§3.5)? Unassignment
        (or only Default Access left) does; a soft delete does not; a scoping filter per
        ``scoped_out_is_unmanaged``."""
        if decision.in_scope or decision.reason in (SOFT_DELETED, HARD_DELETED):
            return False
        if decision.reason.startswith(SCOPING_FILTER):
            return self.flags.scoped_out_is_unmanaged
        return True

    def source_view(self, obj: DirectoryUser | DirectoryGroup, decision: ScopeDecision) -> dict[str, Any]:
        view = dict(obj.attributes)
        if isinstance(obj, DirectoryUser) and self.flags.b2b_strip_ext_upn:
            present_b2b_upn(view)
        view["IsSoftDeleted"] = "True" if decision.soft_deleted else "False"
        view["appRoleAssignments"] = self.roles_of(obj.object_id, via_groups=isinstance(obj, DirectoryUser))
        return view


def present_b2b_upn(view: dict[str, Any]) -> None:
    """``alias_theirdomain#EXT#@yourdomain`` → ``alias@theirdomain``; the full value stays readable as
    ``originalUserPrincipalName`` (§7.2). The home domain follows the last ``_`` of the alias part."""
    upn = view.get("userPrincipalName")
    if not isinstance(upn, str) or "#EXT#" not in upn.upper():
        return
    local = upn[:upn.upper().index("#EXT#")]
    if "_" not in local:
        return
    alias, home = local.rsplit("_", 1)
    view.setdefault("originalUserPrincipalName", upn)
    if view.get("originalUserPrincipalName") is None:
        view["originalUserPrincipalName"] = upn
    view["userPrincipalName"] = f"{alias}@{home}"
