"""OData query options on /users and /groups as Graph answers them ("Advanced query capabilities on
Microsoft Entra ID objects", "Use the $search query parameter"): implemented, or refused with Graph's
own error; the full v1.0 user property set; members@odata.bind; the same resources under /beta."""

from __future__ import annotations

import pytest
from graph_support import assert_graph_error, graph_app, graph_client, new_user_body

from simulators.azure_ad.graph.resources import USER_COLLECTIONS, USER_NULLS, USER_STRINGS

EVENTUAL = {"ConsistencyLevel": "eventual"}


@pytest.fixture
def app():
    return graph_app()


@pytest.fixture
def graph(app):
    return graph_client(app)


@pytest.fixture
def people(graph):
    made = {}
    for nickname, name, dept in (("ann", "Ann Archer", "Sales"), ("ben", "Ben Baker", "Legal"),
                                 ("cat", "Cat McCoy-Lee", "Sales"), ("dan", "Dan Dunn", None)):
        body = new_user_body(nickname, displayName=name, **({"department": dept} if dept else {}))
        response = graph("POST", "/v1.0/users", json=body)
        assert response.status_code == 201, response.json
        made[nickname] = response.json["id"]
    return made


def names(response):
    assert response.status_code == 200, response.json
    return [u["displayName"] for u in response.json["value"]]


def test_create_answers_with_the_default_properties_and_select_reaches_every_v1_property(graph, people):
    created = graph("POST", "/v1.0/users", json=new_user_body("eve", department="Ops")).json
    assert "department" not in created and created["userPrincipalName"] == "eve@contoso.example"
    everything = [*USER_STRINGS, *USER_NULLS, *USER_COLLECTIONS, "createdDateTime", "accountEnabled",
                  "onPremisesExtensionAttributes", "deletedDateTime"]
    body = graph("GET", f"/v1.0/users/{people['ann']}?$select={','.join(everything)}").json
    assert set(body) - {"@odata.context"} == {"id", *everything}
    assert body["createdDateTime"].startswith("2024-05-01T09:00:00") and body["department"] == "Sales"
    assert all(body[name] == [] for name in USER_COLLECTIONS if name not in ("identities", "businessPhones"))
    assert body["identities"] == [{"signInType": "userPrincipalName", "issuer": "contoso.example",
                                   "issuerAssignedId": "ann@contoso.example"}]
    assert body["employeeHireDate"] is None and body["onPremisesSyncEnabled"] is None
    assert_graph_error(graph("GET", f"/v1.0/users/{people['ann']}?$select=favouriteColour"), 400, "Request_BadRequest")


def test_orderby_default_and_advanced_properties(graph, people):
    assert names(graph("GET", "/v1.0/users?$orderby=displayName desc")) == [
        "Dan Dunn", "Cat McCoy-Lee", "Ben Baker", "Ann Archer"]
    assert names(graph("GET", "/v1.0/users?$orderby=userPrincipalName")) == [
        "Ann Archer", "Ben Baker", "Cat McCoy-Lee", "Dan Dunn"]
    for query in ("$orderby=department", "$orderby=createdDateTime",  # not sortable / advanced only
                  "$orderby=displayName&$filter=department eq 'Sales'"):  # $filter with $orderby: advanced only
        error = assert_graph_error(graph("GET", f"/v1.0/users?{query}"), 400, "Request_UnsupportedQuery")
        assert error["message"] == "Sorting not supported for current query."
    ok = graph("GET", "/v1.0/users?$orderby=displayName&$filter=department eq 'Sales'&$count=true", headers=EVENTUAL)
    assert names(ok) == ["Ann Archer", "Cat McCoy-Lee"] and ok.json["@odata.count"] == 2
    assert_graph_error(graph("GET", "/v1.0/users?$orderby=nope"), 400, "Request_BadRequest")
    assert_graph_error(graph("GET", "/v1.0/users?$orderby=displayName sideways"), 400, "Request_BadRequest")


def test_count_needs_consistency_level(graph, people):
    plain = graph("GET", "/v1.0/users?$count=true")
    assert "@odata.count" not in plain.json and len(plain.json["value"]) == 4  # Graph ignores it silently [AQ]
    counted = graph("GET", "/v1.0/users?$count=true&$top=1", headers=EVENTUAL).json
    assert counted["@odata.count"] == 4 and len(counted["value"]) == 1 and "@odata.nextLink" in counted
    error = assert_graph_error(graph("GET", "/v1.0/users/$count"), 400, "Request_BadRequest")
    assert error["message"] == "$count is not currently supported."
    segment = graph("GET", "/v1.0/users/$count?$filter=department eq 'Sales'", headers=EVENTUAL)
    assert segment.status_code == 200 and segment.mimetype == "text/plain" and segment.get_data(as_text=True) == "2"
    assert graph("GET", "/v1.0/groups/$count", headers=EVENTUAL).get_data(as_text=True) == "0"
    assert_graph_error(graph("GET", "/v1.0/users?$count=maybe", headers=EVENTUAL), 400, "Request_BadRequest")


def test_advanced_only_filter_operators(graph, people):
    for expr, op in (("department ne 'Sales'", "ne"), ("not (department eq 'Sales')", "not"),
                     ("endswith(mail,'@contoso.example')", "endsWith")):
        error = assert_graph_error(graph("GET", "/v1.0/users", query_string={"$filter": expr}), 400,
                                   "Request_UnsupportedQuery")
        assert error["message"].startswith(f"Operator '{op}' is not supported because the required parameters")
    ok = graph("GET", "/v1.0/users", query_string={"$filter": "department ne 'Sales'", "$count": "true"},
               headers=EVENTUAL)
    assert sorted(names(ok)) == ["Ben Baker", "Dan Dunn"]


def test_a_user_is_addressed_by_id_or_user_principal_name(app, graph, people):
    assert graph("GET", "/v1.0/users/Ann@Contoso.example").json["id"] == people["ann"]
    assert graph("PATCH", "/v1.0/users/ben@contoso.example", json={"city": "Oslo"}).status_code == 204
    assert app.extensions["scimgate"].directory.users[people["ben"]].attributes["city"] == "Oslo"
    assert graph("DELETE", "/v1.0/users/dan@contoso.example").status_code == 204
    assert app.extensions["scimgate"].directory.users[people["dan"]].soft_deleted
    assert_graph_error(graph("GET", "/v1.0/users/dan@contoso.example"), 404, "Request_ResourceNotFound")


def test_in_operator_works_wherever_eq_does(graph, people):
    found = graph("GET", "/v1.0/users", query_string={"$filter": f"id in ('{people['ann']}', '{people['cat']}')"})
    assert sorted(names(found)) == ["Ann Archer", "Cat McCoy-Lee"]
    assert sorted(names(graph("GET", "/v1.0/users", query_string={"$filter": "department in ('legal')"}))) == [
        "Ben Baker"]


def test_search_is_tokenized_on_display_name_and_needs_the_header(graph, people):
    error = assert_graph_error(graph("GET", '/v1.0/users?$search="displayName:ann"'), 400, "Request_UnsupportedQuery")
    assert "ConsistencyLevel: eventual" in error["message"]

    def search(text):
        return sorted(names(graph("GET", "/v1.0/users", query_string={"$search": text}, headers=EVENTUAL)))

    assert search('"displayName:arch"') == ["Ann Archer"]  # a word it begins
    assert search('"displayName:coy"') == ["Cat McCoy-Lee"]  # McCoy splits at the case change
    assert search('"displayName:mccoylee"') == ["Cat McCoy-Lee"]  # words joined by a symbol combine
    assert search('"displayName:rcher"') == []  # no "contains" logic
    assert search('"displayName:ann" OR "displayName:ben"') == ["Ann Archer", "Ben Baker"]
    assert search('"department:sal" AND ("displayName:cat" OR "displayName:dan")') == ["Cat McCoy-Lee"]
    assert search('"mail:be"') == []  # mail was not set: startsWith on other properties
    assert search('"userPrincipalName:be"') == ["Ben Baker"]
    for bad, code in (("ann", "Request_BadRequest"), ('"ann"', "Request_BadRequest"),
                      ('"displayName:a" and "displayName:b"', "Request_BadRequest"),
                      ('"passwordProfile:x"', "Request_UnsupportedQuery")):
        assert_graph_error(graph("GET", "/v1.0/users", query_string={"$search": bad}, headers=EVENTUAL), 400, code)


def test_expand_manager_member_of_and_members(graph, people):
    ann, ben = people["ann"], people["ben"]
    assert graph("PUT", f"/v1.0/users/{ben}/manager/$ref",
                 json={"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{ann}"}).status_code == 204
    group = graph("POST", "/v1.0/groups", json={
        "displayName": "Sales", "mailEnabled": False, "mailNickname": "sales", "securityEnabled": True,
        "members@odata.bind": [f"https://graph.microsoft.com/v1.0/directoryObjects/{ann}",
                               f"https://graph.microsoft.com/v1.0/directoryObjects('{ben}')"]})
    assert group.status_code == 201, group.json
    gid = group.json["id"]
    body = graph("GET", f"/v1.0/users/{ben}?$expand=manager($select=id,displayName),memberOf").json
    assert body["manager"] == {"@odata.type": "#microsoft.graph.user", "id": ann, "displayName": "Ann Archer"}
    assert [g["id"] for g in body["memberOf"]] == [gid] and body["memberOf"][0]["@odata.type"] == "#microsoft.graph.group"
    assert "manager" not in graph("GET", f"/v1.0/users/{ann}?$expand=manager").json  # no manager: left out
    reports = graph("GET", f"/v1.0/users?$expand=directReports&$filter=id eq '{ann}'").json["value"][0]
    assert [r["id"] for r in reports["directReports"]] == [ben]
    members = graph("GET", f"/v1.0/groups/{gid}?$expand=members").json["members"]
    assert sorted(m["id"] for m in members) == sorted([ann, ben])
    assert_graph_error(graph("GET", f"/v1.0/users/{ann}?$expand=calendar"), 400, "Request_BadRequest")
    assert_graph_error(graph("GET", f"/v1.0/users/{ann}?$expand=manager($levels=max)"), 400, "Request_UnsupportedQuery")
    assert_graph_error(graph("GET", f"/v1.0/users/{ann}?$expand=manager(($select=id)"), 400, "Request_BadRequest")


def test_patch_group_adds_members_with_bind(app, graph, people):
    gid = graph("POST", "/v1.0/groups", json={"displayName": "G", "mailEnabled": False, "mailNickname": "g",
                                              "securityEnabled": True}).json["id"]
    refs = [f"https://graph.microsoft.com/v1.0/directoryObjects/{people[n]}" for n in ("ann", "ben")]
    assert graph("PATCH", f"/v1.0/groups/{gid}", json={"members@odata.bind": refs}).status_code == 204
    assert app.extensions["scimgate"].directory.groups[gid].members == [people["ann"], people["ben"]]
    again = graph("PATCH", f"/v1.0/groups/{gid}", json={"members@odata.bind": refs[:1], "description": "x"})
    assert "already exist" in assert_graph_error(again, 400, "Request_BadRequest")["message"]
    assert app.extensions["scimgate"].directory.groups[gid].attributes.get("description") is None


def test_members_bind_is_checked_before_the_group_exists(app, graph, people):
    base = {"displayName": "X", "mailEnabled": False, "mailNickname": "x", "securityEnabled": True}
    directory = app.extensions["scimgate"].directory
    for refs in ("not-a-list", ["https://graph.microsoft.com/v1.0/directoryObjects/not-a-guid"],
                 [f"https://graph.microsoft.com/v1.0/directoryObjects/{people['ann']}"] * 21):
        assert_graph_error(graph("POST", "/v1.0/groups", json={**base, "members@odata.bind": refs}), 400,
                           "Request_BadRequest")
    unknown = "https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-4000-8000-000000000001"
    assert_graph_error(graph("POST", "/v1.0/groups", json={**base, "members@odata.bind": [unknown]}), 404,
                       "Request_ResourceNotFound")
    assert directory.groups == {}


def test_unsupported_options_are_refused(graph, people):
    error = assert_graph_error(graph("GET", "/v1.0/users?$skip=1"), 400, "Request_BadRequest")
    assert error["message"] == "'$skip' is not supported by the service."
    assert_graph_error(graph("GET", "/v1.0/users?$format=xml"), 400, "Request_BadRequest")
    assert_graph_error(graph("GET", "/v1.0/auditLogs/provisioning?$orderby=activityDateTime"), 400, "BadRequest")


def test_beta_serves_the_same_resources(graph, people):
    beta = graph("GET", "/beta/users?$top=2")
    assert beta.status_code == 200 and beta.json["@odata.context"].endswith("/beta/$metadata#users")
    assert "/beta/users?" in beta.json["@odata.nextLink"]
    assert graph("GET", f"/beta/users/{people['ann']}").json["displayName"] == "Ann Archer"
    assert graph("GET", "/beta/servicePrincipals").json["value"][0]["appRoles"]
    assert graph("GET", "/beta/auditLogs/provisioning").json["value"] == []
    assert graph_app().test_client().get("/beta/users").status_code == 401


def test_relationship_collections_take_the_same_options(graph, people):
    refs = [f"https://graph.microsoft.com/v1.0/directoryObjects/{people[n]}" for n in ("ann", "ben", "cat")]
    gid = graph("POST", "/v1.0/groups", json={"displayName": "All", "mailEnabled": False, "mailNickname": "all",
                                              "securityEnabled": True, "members@odata.bind": refs}).json["id"]
    page = graph("GET", f"/v1.0/groups/{gid}/members?$select=displayName,department").json["value"]
    assert sorted(m["department"] for m in page) == ["Legal", "Sales", "Sales"]
    assert set(page[0]) == {"@odata.type", "id", "displayName", "department"}
    sales = graph("GET", f"/v1.0/groups/{gid}/members", query_string={"$filter": "department eq 'Sales'"})
    assert sorted(names(sales)) == ["Ann Archer", "Cat McCoy-Lee"]
    counted = graph("GET", f"/v1.0/groups/{gid}/members?$count=true&$top=1", headers=EVENTUAL).json
    assert counted["@odata.count"] == 3 and len(counted["value"]) == 1
    assert_graph_error(graph("GET", f"/v1.0/groups/{gid}/members?$expand=manager"), 400, "Request_BadRequest")
    assert_graph_error(graph("GET", f"/v1.0/users/{people['ann']}/memberOf?$orderby=displayName"), 400,
                       "Request_UnsupportedQuery")


def test_single_resources_refuse_options_they_do_not_take(app, graph, people):
    sp = app.extensions["scimgate"].service_principal_id
    assert set(graph("GET", f"/v1.0/servicePrincipals/{sp}?$select=appId").json) == {"@odata.context", "id", "appId"}
    for path in (f"/v1.0/users/{people['ann']}?$filter=x eq 1", f"/v1.0/servicePrincipals/{sp}?$expand=owners",
                 f"/v1.0/servicePrincipals/{sp}/synchronization/jobs?$top=1",
                 f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo?$filter=principalType eq 'User'"):
        assert_graph_error(graph("GET", path), 400, "Request_BadRequest")
