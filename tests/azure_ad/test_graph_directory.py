"""Graph directory routes over the mock directory: users (paging, $select, $filter, soft delete and
restore, manager $ref), groups and members $ref, service principal app-role assignments."""

from __future__ import annotations

import pytest
from graph_support import assert_graph_error, graph_app, graph_client, new_user_body

from simulators.azure_ad.graph.runtime import DEFAULT_ACCESS_ROLE_ID


@pytest.fixture
def app():
    return graph_app()


@pytest.fixture
def graph(app):
    return graph_client(app)


def create_user(graph, nickname, **extra):
    response = graph("POST", "/v1.0/users", json=new_user_body(nickname, **extra))
    assert response.status_code == 201, response.json
    return response.json


def test_create_user_lands_in_the_directory_without_invented_values(app, graph):
    body = create_user(graph, "alice", jobTitle="Engineer", businessPhones=["+47 1234"], mobilePhone="+47 999",
                       onPremisesExtensionAttributes={"extensionAttribute1": "EMEA"})
    assert body["@odata.context"].endswith("/v1.0/$metadata#users/$entity")
    directory = app.extensions["scimgate"].directory
    stored = directory.users[body["id"]].attributes
    assert stored["userPrincipalName"] == "alice@contoso.example" and stored["jobTitle"] == "Engineer"
    assert stored["telephoneNumber"] == "+47 1234" and stored["mobile"] == "+47 999"
    assert stored["extensionAttribute1"] == "EMEA"
    assert stored["department"] is None and stored["city"] is None  # Faker does not fill Graph-created users
    assert "password" not in str(stored)
    assert directory.changes[-1].kind == "created"


@pytest.mark.parametrize("body, fragment", [
    ({"displayName": "X", "mailNickname": "x", "userPrincipalName": "x@contoso.example",
      "passwordProfile": {"password": "p"}}, "'accountEnabled' is required"),
    ({**new_user_body("bob"), "passwordProfile": None}, "'passwordProfile' is required"),
    ({**new_user_body("bob"), "accountEnabled": "yes"}, "expected a boolean"),
    ({**new_user_body("bob"), "favouriteColour": "blue"}, "Property 'favouriteColour' does not exist"),
    ({**new_user_body("bob"), "userPrincipalName": "no-at-sign"}, "userPrincipalName is invalid"),
    ({**new_user_body("bob"), "businessPhones": ["1", "2"]}, "at most one phone"),
])
def test_bad_user_bodies_are_graph_400s(graph, body, fragment):
    error = assert_graph_error(graph("POST", "/v1.0/users", json=body), 400, "Request_BadRequest")
    assert fragment in error["message"]


def test_non_json_and_duplicate_upn(graph):
    assert_graph_error(graph("POST", "/v1.0/users", data="{not json", content_type="application/json"),
                       400, "Request_BadRequest")
    assert_graph_error(graph("POST", "/v1.0/users", json=["a list"]), 400, "Request_BadRequest")
    create_user(graph, "carol")
    error = assert_graph_error(graph("POST", "/v1.0/users", json=new_user_body("carol")), 400, "Request_BadRequest")
    assert "same value for property userPrincipalName" in error["message"]


def test_list_pages_with_next_link_and_select(graph):
    ids = [create_user(graph, f"user{i:02d}")["id"] for i in range(7)]
    seen, url, pages = [], "/v1.0/users?$top=3&$select=id,userPrincipalName", 0
    while url:
        body = graph("GET", url).json
        pages += 1
        assert all(set(u) == {"id", "userPrincipalName"} for u in body["value"])
        seen += [u["id"] for u in body["value"]]
        url = body.get("@odata.nextLink")
        if url:
            assert "$skiptoken=" in url.replace("%24", "$") and url.startswith("http://localhost/v1.0/users?")
    assert seen == ids and pages == 3
    default = graph("GET", f"/v1.0/users/{ids[0]}").json
    assert set(default) - {"@odata.context"} == {"id", "businessPhones", "displayName", "givenName", "jobTitle",
                                                 "mail", "mobilePhone", "officeLocation", "preferredLanguage",
                                                 "surname", "userPrincipalName"}


@pytest.mark.parametrize("query, code", [
    ("$top=0", "Request_BadRequest"), ("$top=1000", "Request_BadRequest"), ("$top=abc", "Request_BadRequest"),
    ("$skiptoken=%%%", "Request_UnsupportedQuery"), ("$select=nope", "Request_BadRequest"),
    ("$filter=nope eq 'x'", "Request_UnsupportedQuery"), ("$filter=displayName eq", "BadRequest"),
])
def test_bad_query_options(graph, query, code):
    create_user(graph, "dan")
    assert_graph_error(graph("GET", f"/v1.0/users?{query}"), 400, code)


def test_filter_users(graph):
    create_user(graph, "erin", department="Sales")
    create_user(graph, "frank", department="Legal", accountEnabled=False)
    create_user(graph, "fiona", department="Sales")

    def names(expr):
        return sorted(u["userPrincipalName"] for u in graph("GET", "/v1.0/users", query_string={"$filter": expr}).json["value"])

    assert names("department eq 'sales'") == ["erin@contoso.example", "fiona@contoso.example"]
    assert names("startswith(userPrincipalName,'f') and accountEnabled eq true") == ["fiona@contoso.example"]
    assert names("accountEnabled eq false or userPrincipalName eq 'erin@contoso.example'") == [
        "erin@contoso.example", "frank@contoso.example"]


def test_patch_soft_delete_restore_and_purge(app, graph):
    user = create_user(graph, "gina")
    uid = user["id"]
    assert graph("PATCH", f"/v1.0/users/{uid}", json={"jobTitle": "Lead", "accountEnabled": False}).status_code == 204
    stored = app.extensions["scimgate"].directory.users[uid]
    assert stored.attributes["jobTitle"] == "Lead" and stored.attributes["accountEnabled"] is False
    assert_graph_error(graph("PATCH", f"/v1.0/users/{uid}", json={"id": "x"}), 400, "Request_BadRequest")

    assert graph("DELETE", f"/v1.0/users/{uid}").status_code == 204
    assert stored.soft_deleted
    assert_graph_error(graph("GET", f"/v1.0/users/{uid}"), 404, "Request_ResourceNotFound")
    deleted = graph("GET", "/v1.0/directory/deletedItems/microsoft.graph.user").json["value"]
    assert [d["id"] for d in deleted] == [uid] and deleted[0]["@odata.type"] == "#microsoft.graph.user"
    restored = graph("POST", f"/v1.0/directory/deletedItems/{uid}/restore")
    assert restored.status_code == 200 and restored.json["id"] == uid and not stored.soft_deleted
    assert_graph_error(graph("POST", f"/v1.0/directory/deletedItems/{uid}/restore"), 404, "Request_ResourceNotFound")
    graph("DELETE", f"/v1.0/users/{uid}")
    assert graph("DELETE", f"/v1.0/directory/deletedItems/{uid}").status_code == 204
    assert uid not in app.extensions["scimgate"].directory.users


def test_manager_ref(app, graph):
    boss, emp = create_user(graph, "boss"), create_user(graph, "emp")
    ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/users/{boss['id']}"}
    assert graph("PUT", f"/v1.0/users/{emp['id']}/manager/$ref", json=ref).status_code == 204
    assert app.extensions["scimgate"].directory.users[emp["id"]].attributes["manager"] == boss["id"]
    manager = graph("GET", f"/v1.0/users/{emp['id']}/manager").json
    assert manager["id"] == boss["id"] and manager["@odata.type"] == "#microsoft.graph.user"
    assert_graph_error(graph("PUT", f"/v1.0/users/{emp['id']}/manager/$ref", json={"@odata.id": 5}),
                       400, "Request_BadRequest")
    assert_graph_error(graph("PUT", f"/v1.0/users/{emp['id']}/manager/$ref",
                             json={"@odata.id": f"https://graph.microsoft.com/v1.0/users/{emp['id']}"}),
                       400, "Request_BadRequest")
    assert graph("DELETE", f"/v1.0/users/{emp['id']}/manager/$ref").status_code == 204
    assert_graph_error(graph("DELETE", f"/v1.0/users/{emp['id']}/manager/$ref"), 404, "Request_ResourceNotFound")


def test_groups_and_member_refs(app, graph):
    hal = create_user(graph, "hal")
    bad = graph("POST", "/v1.0/groups", json={"displayName": "Ops"})
    assert "'mailEnabled' is required" in assert_graph_error(bad, 400, "Request_BadRequest")["message"]
    group = graph("POST", "/v1.0/groups", json={"displayName": "Ops", "mailEnabled": False, "mailNickname": "ops",
                                                "securityEnabled": True})
    assert group.status_code == 201
    gid = group.json["id"]
    ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{hal['id']}"}
    assert graph("POST", f"/v1.0/groups/{gid}/members/$ref", json=ref).status_code == 204
    again = assert_graph_error(graph("POST", f"/v1.0/groups/{gid}/members/$ref", json=ref), 400, "Request_BadRequest")
    assert "already exist" in again["message"]
    members = graph("GET", f"/v1.0/groups/{gid}/members").json["value"]
    assert [m["id"] for m in members] == [hal["id"]]
    assert app.extensions["scimgate"].directory.groups[gid].members == [hal["id"]]
    assert graph("DELETE", f"/v1.0/groups/{gid}/members/{hal['id']}/$ref").status_code == 204
    assert_graph_error(graph("DELETE", f"/v1.0/groups/{gid}/members/{hal['id']}/$ref"), 404, "Request_ResourceNotFound")
    assert graph("PATCH", f"/v1.0/groups/{gid}", json={"description": "on call"}).status_code == 204
    assert graph("GET", "/v1.0/groups?$filter=displayName eq 'ops'").json["value"][0]["description"] == "on call"


def test_app_role_assignments(app, graph):
    ivy = create_user(graph, "ivy")
    sp = graph("GET", "/v1.0/servicePrincipals").json["value"][0]
    user_role = next(r["id"] for r in sp["appRoles"] if r["displayName"] == "User")
    base = f"/v1.0/servicePrincipals/{sp['id']}/appRoleAssignedTo"
    created = graph("POST", base, json={"principalId": ivy["id"], "resourceId": sp["id"], "appRoleId": user_role})
    assert created.status_code == 201 and created.json["principalType"] == "User"
    default = graph("POST", base, json={"principalId": ivy["id"], "resourceId": sp["id"],
                                        "appRoleId": DEFAULT_ACCESS_ROLE_ID})
    assert default.status_code == 201
    directory = app.extensions["scimgate"].directory
    assert sorted(a.role for a in directory.assignments_of(ivy["id"])) == ["Default Access", "User"]
    dup = graph("POST", base, json={"principalId": ivy["id"], "resourceId": sp["id"], "appRoleId": user_role})
    assert "already exists" in assert_graph_error(dup, 400, "Request_BadRequest")["message"]
    for body in ({"principalId": ivy["id"], "resourceId": sp["id"]},
                 {"principalId": "nope", "resourceId": sp["id"], "appRoleId": user_role},
                 {"principalId": ivy["id"], "resourceId": sp["id"], "appRoleId": "11111111-1111-1111-1111-111111111111"}):
        assert_graph_error(graph("POST", base, json=body), 400, "Request_BadRequest")
    listed = graph("GET", base).json["value"]
    assert {a["appRoleId"] for a in listed} == {user_role, DEFAULT_ACCESS_ROLE_ID}
    assert graph("DELETE", f"{base}/{created.json['id']}").status_code == 204
    assert [a.role for a in directory.assignments_of(ivy["id"])] == ["Default Access"]
    assert_graph_error(graph("DELETE", f"{base}/{created.json['id']}"), 404, "Request_ResourceNotFound")
    assert_graph_error(graph("GET", "/v1.0/servicePrincipals/00000000-0000-0000-0000-000000000001"),
                       404, "Request_ResourceNotFound")
