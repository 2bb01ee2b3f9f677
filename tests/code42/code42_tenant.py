"""A mock Code42 tenant for tests: the real app (store, SCIM routes, domain, admin API) on a VirtualClock,
driven through Flask's test client, with helpers that speak SCIM as Azure AD does and read back through
the admin API as a Code42 driver does."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from simulators.code42.app import create_app
from simulators.common.clock import VirtualClock

SCIM_TOKEN = "scim-token-for-tests"
CLIENT_ID, CLIENT_SECRET = "key-tests", "secret-for-tests"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class Tenant:
    def __init__(self, profile: dict | None = None, faults: list[str] | None = None, database: str = ":memory:",
                 clock: VirtualClock | None = None):
        self.clock = clock or VirtualClock(START)
        self.app = create_app({
            "TESTING": True, "SCIM_TOKEN": SCIM_TOKEN, "ADMIN_CLIENT_ID": CLIENT_ID,
            "ADMIN_CLIENT_SECRET": CLIENT_SECRET, "DATABASE": database, "PROFILE": profile or {},
            "SIM_CONTROL": True, "FAULTS": faults or [], "CLOCK": self.clock,
        })
        self.client = self.app.test_client()
        self.runtime = self.app.extensions["scimgate"]
        self._admin_token: str | None = None
        self._admin_token_at = self.clock.now()

    # ---------------------------------------------------------------- SCIM, as Azure AD sends it

    def scim(self, method: str, path: str, body: Any = None, token: str = SCIM_TOKEN):
        return self.client.open(f"/scim/v2{path}", method=method, json=body,
                                headers={"Authorization": f"Bearer {token}"})

    def create_user(self, username: str, expect: int = 201, **extra: Any) -> dict[str, Any]:
        body = {"schemas": [USER_SCHEMA], "userName": username, "active": True,
                "emails": [{"type": "work", "value": username, "primary": True}],
                "name": {"givenName": username.split("@")[0].title(), "familyName": "Tester"}, **extra}
        response = self.scim("POST", "/Users", body)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def patch_user(self, scim_id: str, ops: list[dict[str, Any]], expect: int = 200):
        response = self.scim("PATCH", f"/Users/{scim_id}", {"schemas": [PATCH_SCHEMA], "Operations": ops})
        assert response.status_code in ((expect, 204) if expect == 200 else (expect,)), response.get_json()
        return response

    def disable(self, scim_id: str) -> None:
        """Azure AD's disable: ``active`` as the string "False" (azure-ad-behaviour.md)."""
        self.patch_user(scim_id, [{"op": "Replace", "path": "active", "value": "False"}])

    def enable(self, scim_id: str) -> None:
        self.patch_user(scim_id, [{"op": "Replace", "path": "active", "value": "True"}])

    def create_group(self, name: str, members: list[str] = ()) -> dict[str, Any]:
        response = self.scim("POST", "/Groups", {"schemas": [GROUP_SCHEMA], "displayName": name,
                                                 "members": [{"value": m} for m in members]})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def add_members(self, group_id: str, members: list[str]) -> None:
        response = self.scim("PATCH", f"/Groups/{group_id}", {"schemas": [PATCH_SCHEMA], "Operations": [
            {"op": "Add", "path": "members", "value": [{"value": m} for m in members]}]})
        assert response.status_code in (200, 204), response.get_json()

    def remove_member(self, group_id: str, member: str) -> None:
        response = self.scim("PATCH", f"/Groups/{group_id}", {"schemas": [PATCH_SCHEMA], "Operations": [
            {"op": "Remove", "path": f'members[value eq "{member}"]'}]})
        assert response.status_code in (200, 204), response.get_json()

    # ---------------------------------------------------------------- admin API, as a Code42 driver calls it

    def admin_token(self) -> str:
        """A token, renewed before its 15 minutes run out on the virtual clock (as a driver would)."""
        if self._admin_token is None or self.clock.now() >= self._admin_token_at + timedelta(minutes=14):
            self._admin_token_at = self.clock.now()
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            response = self.client.post("/v1/oauth?grant_type=client_credentials",
                                        headers={"Authorization": f"Basic {basic}"})
            assert response.status_code == 200, response.get_data(as_text=True)
            self._admin_token = response.get_json()["access_token"]
        return self._admin_token

    def admin(self, method: str, path: str, body: Any = None, expect: int | None = None):
        response = self.client.open(path, method=method, json=body,
                                    headers={"Authorization": f"Bearer {self.admin_token()}"})
        if expect is not None:
            assert response.status_code == expect, (response.status_code, response.get_data(as_text=True))
        return response

    def user(self, username: str) -> dict[str, Any]:
        """The Code42 user as ``GET /v1/users?username=`` shows it."""
        users = self.admin("GET", f"/v1/users?username={username}", expect=200).get_json()["users"]
        assert len(users) == 1, users
        return users[0]

    def org_name(self, username: str) -> str:
        return self.user(username)["orgName"]

    def roles(self, username: str) -> set[str]:
        uid = self.user(username)["userId"]
        return {r["roleId"] for r in self.admin("GET", f"/v1/users/{uid}/roles", expect=200).get_json()["roles"]}

    def org_guid(self, name: str) -> str:
        orgs = self.admin("GET", "/v1/orgs", expect=200).get_json()["orgs"]
        return next(o["orgGuid"] for o in orgs if o["orgName"] == name)

    def org_id(self, name: str) -> int:
        orgs = self.admin("GET", "/v1/orgs", expect=200).get_json()["orgs"]
        return next(o["orgId"] for o in orgs if o["orgName"] == name)

    def sync_log(self) -> list[dict[str, Any]]:
        return self.admin("GET", "/api/v3/DirectorySyncLog?pgSize=1000", expect=200).get_json()["Directory Sync Logs"]

    def advance(self, seconds: float) -> None:
        """Move virtual time; due deactivations fire on the next request or tick."""
        self.clock.advance(seconds)

    def hold(self, username: str) -> str:
        """Put ``username`` on a new legal-hold matter; returns the matter id."""
        matter = self.admin("POST", "/v1/legal-hold/matters", {"name": f"Matter for {username}"}, expect=201)
        matter_id = matter.get_json()["matterId"]
        self.admin("POST", f"/v1/legal-hold/matters/{matter_id}/custodians", {"userId": self.user(username)["userId"]},
                   expect=201)
        return matter_id

    def release(self, username: str, matter_id: str) -> None:
        self.admin("POST", f"/v1/legal-hold/matters/{matter_id}/custodians/remove",
                   {"userId": self.user(username)["userId"]}, expect=204)
