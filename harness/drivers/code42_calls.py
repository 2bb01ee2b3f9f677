"""The Code42 calls the harness makes, once through each official client: :class:`IncydrCalls` (the Incydr
SDK, ``/v1/...``) and :class:`ConsoleCalls` (py42, the console API ``/api/...``).

Why two: a tenant is read the way Code42's own tools read it for its plan (issue 12: "incydr for Incydr
plans, py42 where a plan needs the console API"), and some console actions (block, SCIM user data, console
edits, console users) exist only in py42. Both answer in one shape, the Incydr models' JSON (``userId`` is
the userUid, ``matterId``, ``membershipActive``...), so the steps never ask which client read a record.
These classes only call and reshape; :class:`harness.drivers.code42_admin.Code42Admin` picks one per call and
turns the SDKs' errors into the harness's.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from harness.drivers.sdk_transport import as_json

#: Pages a py42 ``get_all`` may yield before the driver stops reading (a tenant that ignores paging would
#: otherwise repeat its first page forever): 200 pages of 500 = 100,000 records.
MAX_PAGES = 200


def _pages(pages: Iterable[Any], key: str | None = None) -> list[dict[str, Any]]:
    """The items of a py42 ``get_all`` (``key`` None: each page is a bare list, as ``/api/v27`` answers)."""
    out: list[dict[str, Any]] = []
    for page in itertools.islice(pages, MAX_PAGES):
        out += list(page[key] if key else page.data)
    return out


class IncydrCalls:
    """Through ``incydr.Client``."""

    def __init__(self, sdk: Any):
        self.sdk = sdk

    def find_user(self, username: str) -> dict[str, Any] | None:
        page = self.sdk.users.v1.get_page(username=username)
        found = [as_json(u) for u in page.users or [] if (u.username or "").lower() == username.lower()]
        return found[0] if found else None

    def users(self) -> list[dict[str, Any]]:
        return [as_json(u) for u in self.sdk.users.v1.iter_all(page_size=100)]

    def user_roles(self, user_uid: str) -> list[dict[str, Any]]:
        return [as_json(r) for r in self.sdk.users.v1.list_user_roles(user_uid)]

    def set_active(self, user_uid: str, active: bool) -> Any:
        users = self.sdk.users.v1
        return users.activate(user_uid) if active else users.deactivate(user_uid)

    def custodian_matters(self, user_uid: str) -> list[dict[str, Any]]:
        return [as_json(m) for m in self.sdk.legal_hold.v1.iter_all_memberships_for_user(user_uid)]

    def orgs(self) -> list[dict[str, Any]]:
        return [as_json(o) for o in self.sdk.orgs.v1.list().orgs or []]

    def directory_group_names(self) -> list[str]:
        return [str(g.name) for g in self.sdk.directory_groups.v1.iter_all()]

    def matters(self, name: str | None = None) -> list[dict[str, Any]]:
        """Matters (``name``: the SDK's filter, which also matches partially), as ``{matterId, name, active}``."""
        return [as_json(m) for m in self.sdk.legal_hold.v1.iter_all_matters(name=name)]

    def create_matter(self, name: str) -> str:
        """A matter under a policy of its own (the SDK requires one)."""
        lh = self.sdk.legal_hold.v1
        return lh.create_matter(lh.create_policy(f"{name} policy").policy_id, name).matter_id

    def matter_active(self, matter_id: str) -> bool:
        return bool(self.sdk.legal_hold.v1.get_matter(matter_id).active)

    def add_custodian(self, matter_id: str, user_uid: str) -> Any:
        return self.sdk.legal_hold.v1.add_custodian(matter_id, user_uid)

    def remove_custodian(self, matter_id: str, user_uid: str) -> Any:
        return self.sdk.legal_hold.v1.remove_custodian(matter_id, user_uid)

    def close_matter(self, matter_id: str) -> Any:
        return self.sdk.legal_hold.v1.deactivate_matter(matter_id)


class NothingToActOn(Exception):
    """What a console action needs is not on the tenant (no such org, no membership to release): said before
    any request could be sent."""


class NotACustodian(NothingToActOn):
    """py42 releases a membership by its own id: there is none for this user and matter."""


class ConsoleCalls:
    """Through py42's ``SDKClient`` logged in as an API client; the console's integer ids are looked up from
    the userUid each call is given."""

    def __init__(self, sdk: Any):
        self.sdk = sdk

    # ---------------------------------------------------------------- users

    @staticmethod
    def _user(record: dict[str, Any]) -> dict[str, Any]:
        """A console user record in the Incydr ``User`` JSON shape."""
        return {"userId": record.get("userUid"), "legacyUserId": str(record.get("userId")),
                "username": record.get("username"), "email": record.get("email"),
                "firstName": record.get("firstName"), "lastName": record.get("lastName"),
                "notes": record.get("notes"), "active": record.get("active"), "blocked": record.get("blocked"),
                "orgId": record.get("orgGuid"), "legacyOrgId": str(record.get("orgId")),
                "orgGuid": record.get("orgGuid"), "orgName": record.get("orgName"),
                "creationDate": record.get("creationDate"), "modificationDate": record.get("modificationDate")}

    def legacy_id(self, user_uid: str) -> int:
        return self.sdk.users.get_by_uid(user_uid)["userId"]

    def find_user(self, username: str) -> dict[str, Any] | None:
        found = [u for u in self.sdk.users.get_by_username(username)["users"] or []
                 if str(u.get("username") or "").lower() == username.lower()]
        return self._user(found[0]) if found else None

    def users(self) -> list[dict[str, Any]]:
        return [self._user(u) for u in _pages(self.sdk.users.get_all(), "users")]

    def user_roles(self, user_uid: str) -> list[dict[str, Any]]:
        return list(self.sdk.users.get_roles(self.legacy_id(user_uid)).data)

    def set_active(self, user_uid: str, active: bool) -> Any:
        users = self.sdk.users
        return users.reactivate(self.legacy_id(user_uid)) if active else users.deactivate(self.legacy_id(user_uid))

    def set_blocked(self, user_uid: str, blocked: bool) -> Any:
        users = self.sdk.users
        return users.block(self.legacy_id(user_uid)) if blocked else users.unblock(self.legacy_id(user_uid))

    def scim_user_data(self, user_uid: str) -> dict[str, Any]:
        return dict(self.sdk.users.get_scim_data_by_uid(user_uid).data)

    def edit_user(self, user_uid: str, fields: dict[str, Any]) -> Any:
        """A console edit (``PUT /api/v1/User/{uid}?idType=uid``); py42 sends what is not given as null."""
        return self.sdk.users.update_user(user_uid, username=fields.get("username"), email=fields.get("email"),
                                          first_name=fields.get("firstName"), last_name=fields.get("lastName"),
                                          notes=fields.get("notes"))

    def create_user(self, username: str, org: str | None, roles: list[str] | None) -> dict[str, Any]:
        """A console user in org ``org`` (its name or guid; the root org when None) with exactly ``roles``
        (ids or names) when given, else the org's defaults."""
        orgs = _pages(self.sdk.orgs.get_all(), "orgs")
        match = [o for o in orgs if org in (o.get("orgName"), o.get("orgGuid"), o.get("orgUid"))] if org else \
            [o for o in orgs if o.get("parentOrgId") is None]
        if not match:
            raise NothingToActOn(f"no Code42 org named {org!r}" if org else "the tenant has no root org")
        created = self.sdk.users.create_user(match[0]["orgUid"], username, username)
        if roles is not None:
            self._set_roles(created["userId"], roles)
        return self._user(self.sdk.users.get_by_id(created["userId"]).data)

    def _set_roles(self, legacy_id: int, wanted: list[str]) -> None:
        have = {r["roleId"]: r["roleName"] for r in self.sdk.users.get_roles(legacy_id).data}
        for role_id, name in have.items():
            if role_id not in wanted and name not in wanted:
                self.sdk.users.remove_role(legacy_id, role_id)
        for role in wanted:
            if role not in have and role not in have.values():
                self.sdk.users.add_role(legacy_id, role)

    # ---------------------------------------------------------------- orgs

    def orgs(self) -> list[dict[str, Any]]:
        return [{"orgGuid": o.get("orgGuid"), "orgId": o.get("orgGuid"), "orgName": o.get("orgName"),
                 "active": o.get("active")} for o in _pages(self.sdk.orgs.get_all(), "orgs")]

    # ---------------------------------------------------------------- legal hold (py42's API-client service)

    @staticmethod
    def _matter(matter: dict[str, Any]) -> dict[str, Any]:
        return {"matterId": matter.get("legalHoldUid"), "name": matter.get("name"), "active": matter.get("active")}

    def _memberships(self, **criteria: Any) -> Iterator[dict[str, Any]]:
        yield from _pages(self.sdk.legalhold.get_all_matter_custodians(**criteria))

    def custodian_matters(self, user_uid: str) -> list[dict[str, Any]]:
        return [{"matterId": (m.get("legalHold") or {}).get("legalHoldUid"),
                 "name": (m.get("legalHold") or {}).get("name"), "membershipActive": m.get("active"),
                 "membershipCreationDate": m.get("creationDate")}
                for m in self._memberships(user_uid=user_uid, active=None)]

    def matters(self, name: str | None = None) -> list[dict[str, Any]]:
        return [self._matter(m) for m in _pages(self.sdk.legalhold.get_all_matters(active=None, name=name))]

    def create_matter(self, name: str) -> str:
        lh = self.sdk.legalhold
        policy = lh.create_policy(f"{name} policy")["legalHoldPolicyUid"]
        return lh.create_matter(name, policy)["legalHoldUid"]

    def matter_active(self, matter_id: str) -> bool:
        return bool(self.sdk.legalhold.get_matter_by_uid(matter_id)["active"])

    def add_custodian(self, matter_id: str, user_uid: str) -> Any:
        return self.sdk.legalhold.add_to_matter(user_uid, matter_id)

    def remove_custodian(self, matter_id: str, user_uid: str) -> Any:
        """py42 releases by membership id: the user's active membership of the matter, looked up first."""
        found = [m["legalHoldMembershipUid"] for m in self._memberships(legal_hold_matter_uid=matter_id,
                                                                        user_uid=user_uid)]
        if not found:
            raise NotACustodian(f"{user_uid} is not an active custodian of matter {matter_id}")
        answer = None
        for membership in found:
            answer = self.sdk.legalhold.remove_from_matter(membership)
        return answer

    def close_matter(self, matter_id: str) -> Any:
        return self.sdk.legalhold.deactivate_matter(matter_id)
