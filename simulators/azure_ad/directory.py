"""The mock Entra ID (Azure AD) tenant: users, groups, memberships, app-role assignments and a change
log. Pure Python, no HTTP: the provisioning engine reads it like the real service reads Entra.

Attribute names are the *source* attribute names of the provisioning attribute-mapping UI (Graph
property names such as ``userPrincipalName``, ``jobTitle``, ``usageLocation``), because that is what
mapping expressions reference (``[jobTitle]``).

Which source attribute feeds Code42's ``division``: Entra has no plain ``division`` user property
(Code42's article: "The following SCIM attributes are not supported in Azure AD but are supported in
Code42: Division, EmployeeType"), so the default mapping reads **``extensionAttribute1``** [INF]; the
employee type lives in ``employeeType`` and is deliberately *not* mapped by default (the tutorial
maps ``userType``; see mappings.py).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from faker import Faker

from simulators.common.clock import Clock, SystemClock

#: Name of the gallery app role the Code42 tutorial excludes: "Users with the Default Access role are
#: excluded from provisioning and will be marked as not effectively entitled in the provisioning logs."
DEFAULT_ACCESS = "Default Access"

#: "When deleted, user resources are moved to a temporary container and can be restored within 30 days.
#: After that time, they are permanently deleted" (Graph ``DELETE /users/{id}``).
RECYCLE_BIN_RETENTION = timedelta(days=30)
USER_ROLE = "User"

#: Every user attribute the directory models (the mapping tables of the tutorial, the Code42 article and
#: azure-ad-behaviour.md §8.4 reference these). ``manager`` holds the manager's objectId.
USER_ATTRIBUTES: tuple[str, ...] = (
    "objectId", "userPrincipalName", "mail", "mailNickname", "givenName", "surname", "displayName",
    "jobTitle", "department", "companyName", "employeeType", "employeeId", "userType", "accountEnabled",
    "city", "state", "country", "usageLocation", "streetAddress", "postalCode", "mobile",
    "telephoneNumber", "manager", "originalUserPrincipalName",
    *(f"extensionAttribute{i}" for i in range(1, 16)),
)
GROUP_ATTRIBUTES: tuple[str, ...] = ("objectId", "displayName", "mailNickname", "description", "securityEnabled")


class DirectoryError(ValueError):
    """A directory operation that Entra itself would refuse (unknown object, bad attribute)."""


@dataclass
class DirectoryUser:
    object_id: str
    attributes: dict[str, Any]
    soft_deleted: bool = False
    deleted_at: datetime | None = None

    @property
    def display_name(self) -> str:
        return str(self.attributes.get("displayName") or self.attributes.get("userPrincipalName") or self.object_id)


@dataclass
class DirectoryGroup:
    object_id: str
    attributes: dict[str, Any]
    members: list[str] = field(default_factory=list)  # objectIds of users or groups, insertion-ordered
    soft_deleted: bool = False
    deleted_at: datetime | None = None

    @property
    def display_name(self) -> str:
        return str(self.attributes.get("displayName") or self.object_id)


@dataclass(frozen=True)
class AppRoleAssignment:
    """An assignment of a user or group to the enterprise app with one app role."""

    principal_id: str
    principal_type: str  # "User" | "Group"
    role: str


@dataclass(frozen=True)
class Change:
    sequence: int
    object_id: str
    object_type: str  # "User" | "Group"
    kind: str  # created, updated, soft_deleted, restored, hard_deleted, assigned, unassigned, membership
    at: datetime


class Directory:
    """An in-memory tenant. Every mutation appends to :attr:`changes` so the engine can run incremental
    cycles "from the watermark" (how-provisioning-works: "read changes since the watermark")."""

    def __init__(self, *, seed: int = 0, clock: Clock | None = None, domain: str = "contoso.example"):
        self.clock: Clock = clock or SystemClock()
        self.domain = domain
        self.faker = Faker()
        self.faker.seed_instance(seed)
        self._uuid_rng = Faker()
        self._uuid_rng.seed_instance(seed + 1)
        self.users: dict[str, DirectoryUser] = {}
        self.groups: dict[str, DirectoryGroup] = {}
        self.assignments: list[AppRoleAssignment] = []
        self.changes: list[Change] = []
        self._sequence = itertools.count(1)

    # ------------------------------------------------------------------ change log
    def _log(self, object_id: str, object_type: str, kind: str) -> None:
        self.changes.append(Change(next(self._sequence), object_id, object_type, kind, self.clock.now()))

    @property
    def watermark(self) -> int:
        """The sequence number of the newest change (0 when nothing happened yet)."""
        return self.changes[-1].sequence if self.changes else 0

    def changes_since(self, watermark: int) -> list[Change]:
        return [c for c in self.changes if c.sequence > watermark]

    def generator_states(self) -> list[Any]:
        """The seeded generators' states (Faker values, object ids), for :meth:`load_state`."""
        return [self.faker.random.getstate(), self._uuid_rng.random.getstate()]

    def load_state(self, users: Iterable[DirectoryUser], groups: Iterable[DirectoryGroup],
                assignments: Iterable[AppRoleAssignment], changes: Iterable[Change],
                generator_states: list[Any]) -> None:
        """Replace the tenant's content with saved state (``persistence``): the change log carries on
        from its last sequence number and the generators from where they stopped."""
        self.users = {u.object_id: u for u in users}
        self.groups = {g.object_id: g for g in groups}
        self.assignments = list(assignments)
        self.changes = list(changes)
        self._sequence = itertools.count(self.watermark + 1)
        for generator, (version, internal, gauss) in zip((self.faker, self._uuid_rng), generator_states, strict=True):
            generator.random.setstate((version, tuple(internal), gauss))

    def new_object_id(self) -> str:
        return str(uuid.UUID(int=self._uuid_rng.random.getrandbits(128), version=4))

    # ------------------------------------------------------------------ users
    def add_user(self, **attributes: Any) -> DirectoryUser:
        """Create a user; Faker (seeded) fills every attribute not given, so scenarios only state what
        matters to them. Pass ``attr=None`` to leave an attribute empty on purpose."""
        unknown = set(attributes) - set(USER_ATTRIBUTES)
        if unknown:
            raise DirectoryError(f"unknown user attributes {sorted(unknown)}; known: {', '.join(USER_ATTRIBUTES)}")
        object_id = attributes.get("objectId") or self.new_object_id()
        if object_id in self.users or object_id in self.groups:
            raise DirectoryError(f"objectId {object_id!r} already exists")
        values = self._fake_user(attributes)
        values["objectId"] = object_id
        if values.get("manager") is not None and values["manager"] not in self.users:
            raise DirectoryError(f"manager {values['manager']!r} is not a user in this directory")
        user = DirectoryUser(object_id, values)
        self.users[object_id] = user
        self._log(object_id, "User", "created")
        return user

    def _fake_user(self, given: Mapping[str, Any]) -> dict[str, Any]:
        f = self.faker
        first = given.get("givenName") or f.first_name()
        last = given.get("surname") or f.last_name()
        nickname = given.get("mailNickname") or f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        upn = given.get("userPrincipalName") or f"{nickname}@{self.domain}"
        defaults: dict[str, Any] = {
            "userPrincipalName": upn,
            "mail": upn,
            "mailNickname": nickname,
            "givenName": first,
            "surname": last,
            "displayName": f"{first} {last}",
            "jobTitle": f.job(),
            "department": f.random_element(["Sales", "Engineering", "Finance", "Legal", "Marketing", "Support"]),
            "companyName": f.company(),
            "employeeType": f.random_element(["Employee", "Contractor", "Intern"]),
            "employeeId": str(f.random_number(digits=6, fix_len=True)),
            "userType": "Member",
            "accountEnabled": True,
            "city": f.city(),
            "state": f.state_abbr(),
            "country": "United States",
            "usageLocation": "US",
            "streetAddress": f.street_address(),
            "postalCode": f.postcode(),
            "mobile": f.phone_number(),
            "telephoneNumber": f.phone_number(),
            "manager": None,
            "originalUserPrincipalName": None,
            "extensionAttribute1": f.random_element(["Americas", "EMEA", "APAC"]),
        }
        for i in range(2, 16):
            defaults[f"extensionAttribute{i}"] = None
        defaults.update(given)
        return defaults

    def user(self, object_id: str) -> DirectoryUser:
        try:
            return self.users[object_id]
        except KeyError:
            raise DirectoryError(f"no user with objectId {object_id!r}") from None

    def update_user(self, object_id: str, **attributes: Any) -> DirectoryUser:
        user = self.user(object_id)
        unknown = set(attributes) - set(USER_ATTRIBUTES) - {"objectId"}
        if unknown or "objectId" in attributes:
            raise DirectoryError(f"cannot set {sorted(unknown | ({'objectId'} & set(attributes)))} on a user")
        if attributes.get("manager") is not None and attributes["manager"] not in self.users:
            raise DirectoryError(f"manager {attributes['manager']!r} is not a user in this directory")
        user.attributes.update(attributes)
        self._log(object_id, "User", "updated")
        return user

    def disable_user(self, object_id: str) -> DirectoryUser:
        """Block sign-in (``accountEnabled = false``); Entra then reports IsSoftDeleted = true."""
        return self.update_user(object_id, accountEnabled=False)

    def enable_user(self, object_id: str) -> DirectoryUser:
        return self.update_user(object_id, accountEnabled=True)

    # ------------------------------------------------------------------ groups
    def add_group(self, display_name: str | None = None, *, members: Iterable[str] = (), **attributes: Any) -> DirectoryGroup:
        unknown = set(attributes) - set(GROUP_ATTRIBUTES)
        if unknown:
            raise DirectoryError(f"unknown group attributes {sorted(unknown)}; known: {', '.join(GROUP_ATTRIBUTES)}")
        object_id = attributes.get("objectId") or self.new_object_id()
        if object_id in self.users or object_id in self.groups:
            raise DirectoryError(f"objectId {object_id!r} already exists")
        name = display_name or f"{self.faker.word().title()} {self.faker.random_element(['Team', 'Staff', 'Admins'])}"
        values = {"displayName": name, "mailNickname": name.replace(" ", "").lower(), "description": None,
                  "securityEnabled": True, **attributes, "objectId": object_id}
        group = DirectoryGroup(object_id, values)
        self.groups[object_id] = group
        self._log(object_id, "Group", "created")
        for member in members:
            self.add_member(object_id, member)
        return group

    def group(self, object_id: str) -> DirectoryGroup:
        try:
            return self.groups[object_id]
        except KeyError:
            raise DirectoryError(f"no group with objectId {object_id!r}") from None

    def update_group(self, object_id: str, **attributes: Any) -> DirectoryGroup:
        group = self.group(object_id)
        unknown = set(attributes) - set(GROUP_ATTRIBUTES)
        if unknown or "objectId" in attributes:
            raise DirectoryError(f"cannot set {sorted(unknown | ({'objectId'} & set(attributes)))} on a group")
        group.attributes.update(attributes)
        self._log(object_id, "Group", "updated")
        return group

    def add_member(self, group_id: str, member_id: str) -> None:
        group = self.group(group_id)
        if member_id not in self.users and member_id not in self.groups:
            raise DirectoryError(f"member {member_id!r} is neither a user nor a group")
        if member_id == group_id:
            raise DirectoryError("a group cannot contain itself")
        if member_id not in group.members:
            group.members.append(member_id)
            self._log(group_id, "Group", "membership")
            self._log_member(member_id)

    def remove_member(self, group_id: str, member_id: str) -> None:
        group = self.group(group_id)
        if member_id in group.members:
            group.members.remove(member_id)
            self._log(group_id, "Group", "membership")
            self._log_member(member_id)

    def _log_member(self, member_id: str) -> None:
        # A user's scope can depend on its groups (assigned through a group), so it changes too.
        if member_id in self.users:
            self._log(member_id, "User", "membership")

    def direct_groups_of(self, object_id: str) -> list[DirectoryGroup]:
        return [g for g in self.groups.values() if object_id in g.members and not g.soft_deleted]

    def transitive_members(self, group_id: str) -> set[str]:
        """Users reachable through nested groups (Entra has them; provisioning ignores nesting)."""
        seen: set[str] = set()
        users: set[str] = set()
        stack = [group_id]
        while stack:
            gid = stack.pop()
            if gid in seen:
                continue
            seen.add(gid)
            for member in self.group(gid).members:
                (stack.append(member) if member in self.groups else users.add(member))
        return users

    # ------------------------------------------------------------------ app-role assignments
    def assign(self, principal_id: str, role: str = USER_ROLE) -> AppRoleAssignment:
        """Assign a user or group to the app with ``role`` ("User" by default; "Default Access" allowed)."""
        if principal_id in self.users:
            ptype = "User"
        elif principal_id in self.groups:
            ptype = "Group"
        else:
            raise DirectoryError(f"cannot assign {principal_id!r}: no such user or group")
        assignment = AppRoleAssignment(principal_id, ptype, role)
        if assignment not in self.assignments:
            self.assignments.append(assignment)
            self._log_scope_change(principal_id, ptype, "assigned")
        return assignment

    def unassign(self, principal_id: str, role: str | None = None) -> None:
        before = len(self.assignments)
        self.assignments = [
            a for a in self.assignments if not (a.principal_id == principal_id and (role is None or a.role == role))
        ]
        if len(self.assignments) != before:
            ptype = "User" if principal_id in self.users else "Group"
            self._log_scope_change(principal_id, ptype, "unassigned")

    def _log_scope_change(self, principal_id: str, ptype: str, kind: str) -> None:
        self._log(principal_id, ptype, kind)
        if ptype == "Group":
            for member in self.groups[principal_id].members:
                if member in self.users:
                    self._log(member, "User", kind)

    def assignments_of(self, principal_id: str) -> list[AppRoleAssignment]:
        return [a for a in self.assignments if a.principal_id == principal_id]

    # ------------------------------------------------------------------ deletion
    def soft_delete(self, object_id: str) -> None:
        """Move to the recycle bin (IsSoftDeleted = true; hard-deleted 30 days later in Entra)."""
        obj, otype = self._object(object_id)
        obj.soft_deleted = True
        obj.deleted_at = self.clock.now()
        self._log(object_id, otype, "soft_deleted")

    def restore(self, object_id: str) -> None:
        obj, otype = self._object(object_id)
        if not obj.soft_deleted:
            raise DirectoryError(f"{object_id!r} is not in the recycle bin")
        obj.soft_deleted = False
        obj.deleted_at = None
        self._log(object_id, otype, "restored")

    def hard_delete(self, object_id: str) -> None:
        """Purge: the object disappears, with its assignments and memberships."""
        _obj, otype = self._object(object_id)
        if otype == "User":
            del self.users[object_id]
        else:
            del self.groups[object_id]
        self.assignments = [a for a in self.assignments if a.principal_id != object_id]
        for group in self.groups.values():
            if object_id in group.members:
                group.members.remove(object_id)
                self._log(group.object_id, "Group", "membership")
        for user in self.users.values():
            if user.attributes.get("manager") == object_id:
                user.attributes["manager"] = None
                self._log(user.object_id, "User", "updated")
        self._log(object_id, otype, "hard_deleted")

    def purge_expired(self) -> list[str]:
        """Hard-delete what has been in the recycle bin for :data:`RECYCLE_BIN_RETENTION` (as Entra does on
        its own); the ids purged. Time only moves with the clock, so this runs when someone looks."""
        cutoff = self.clock.now() - RECYCLE_BIN_RETENTION
        expired = [obj.object_id for obj in [*self.users.values(), *self.groups.values()]
                   if obj.soft_deleted and obj.deleted_at is not None and obj.deleted_at <= cutoff]
        for object_id in expired:
            self.hard_delete(object_id)
        return expired

    def _object(self, object_id: str) -> tuple[DirectoryUser | DirectoryGroup, str]:
        if object_id in self.users:
            return self.users[object_id], "User"
        if object_id in self.groups:
            return self.groups[object_id], "Group"
        raise DirectoryError(f"no user or group with objectId {object_id!r}")

    def exists(self, object_id: str) -> bool:
        return object_id in self.users or object_id in self.groups
