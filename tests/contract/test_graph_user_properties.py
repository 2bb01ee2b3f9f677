"""Every property of the Graph SDK's own ``User`` model (``msgraph.generated.models.user.User``, and the beta
package's) is selectable on the mock and comes back in the JSON, ``null`` (or ``[]`` for a collection)
where the mock has no data. The SDK cannot tell an absent property from a null one, so this reads the
raw answer; the property list comes from the SDK's field deserialisers, not from the mock."""

from __future__ import annotations

import httpx
import pytest
from graph_sdk_fixtures import code42_url, mock_tenant  # noqa: F401 - pytest fixtures
from graph_sdk_support import GRAPH_SCOPE, Sdk

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
#: what the mock knows about a user made by ``POST /users`` with the body below
KNOWN = {"id", "displayName", "userPrincipalName", "mailNickname", "accountEnabled", "createdDateTime",
         "department", "identities", "businessPhones", "userType", "creationType", "onPremisesExtensionAttributes",
         "passwordPolicies"}


@pytest.mark.parametrize(("package", "segment"), [("msgraph", "v1.0"), ("msgraph_beta", "beta")])
def test_every_sdk_user_property_is_returned(mock_tenant, package, segment) -> None:  # noqa: F811
    t = mock_tenant
    names = [n for n in Sdk(package, segment).structural_properties("User") if not n.startswith("@")]
    with httpx.Client(base_url=t.url, timeout=30) as http:
        token = http.post(f"/{t.tenant_id}/oauth2/v2.0/token", data={
            "grant_type": "client_credentials", "client_id": t.client_id, "client_secret": t.client_secret,
            "scope": GRAPH_SCOPE}).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        created = http.post(f"/{segment}/users", json={
            "accountEnabled": True, "displayName": "Nia Nolan", "mailNickname": "nia", "department": "Sales",
            "userPrincipalName": f"nia@{t.domain}", "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d"}})
        assert created.status_code == 201, created.text
        answer = http.get(f"/{segment}/users/{created.json()['id']}", params={"$select": ",".join(names)})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) - {"@odata.context"} == set(names), sorted(set(names) ^ (set(body) - {"@odata.context"}))
    assert body["displayName"] == "Nia Nolan" and body["department"] == "Sales" and body["accountEnabled"] is True
    assert body["createdDateTime"] and body["identities"][0]["issuerAssignedId"] == f"nia@{t.domain}"
    empty = {name: value for name, value in body.items() if name in names and name not in KNOWN}
    assert all(value is None or value == [] for value in empty.values()), {
        k: v for k, v in empty.items() if v is not None and v != []}
    assert len(empty) > 60  # most of the resource is Graph's empty value: the mock invents no data
