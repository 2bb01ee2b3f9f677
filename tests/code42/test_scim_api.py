"""The /scim/v2 blueprint as a plain RFC 7644 service provider (RULES="none"), through the test client."""

from __future__ import annotations

import json
from typing import Any

import pytest

from simulators.code42.http.scim import _STORED_META
from tests.code42.conftest import (
    ERROR_URN,
    GROUP_URN,
    LIST_URN,
    base_config,
    group_body,
    patch_body,
    user_body,
)


@pytest.fixture
def app_config() -> dict[str, Any]:
    return base_config(RULES="none")


def scim_error(response, status: int, scim_type: str | None = None) -> dict:
    """Assert an RFC 7644 §3.12 error body with the SCIM media type."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/scim+json"
    body = response.get_json()
    assert body["schemas"] == [ERROR_URN] and body["status"] == str(status)
    assert body.get("scimType") == scim_type
    return body


def create(scim, name: str = "alice@example.com", **extra: Any) -> dict:
    response = scim("POST", "/Users", user_body(name, **extra))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# ---------------------------------------------------------------- discovery


def test_service_provider_config_has_absolute_location(scim) -> None:
    body = scim("GET", "/ServiceProviderConfig").get_json()
    assert body["patch"]["supported"] is True and body["etag"]["supported"] is True
    assert body["meta"]["location"] == "http://localhost/scim/v2/ServiceProviderConfig"


def test_schemas_and_resource_types(scim) -> None:
    schemas = scim("GET", "/Schemas").get_json()
    assert schemas["schemas"] == [LIST_URN] and schemas["totalResults"] == len(schemas["Resources"]) >= 3
    one = scim("GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
    assert one.status_code == 200 and one.get_json()["id"] == "urn:ietf:params:scim:schemas:core:2.0:User"
    scim_error(scim("GET", "/Schemas/urn:nope"), 404)
    types = scim("GET", "/ResourceTypes").get_json()
    assert {t["name"] for t in types["Resources"]} == {"User", "Group"}
    assert scim("GET", "/ResourceTypes/Group").get_json()["endpoint"] == "/Groups"
    scim_error(scim("GET", "/ResourceTypes/Device"), 404)


def test_filter_on_discovery_is_403(scim) -> None:
    scim_error(scim("GET", '/Schemas?filter=id eq "x"'), 403)


@pytest.mark.parametrize("app_config", [base_config(RULES="none", SCIM_DISCOVERY=False)])
def test_discovery_can_be_switched_off(scim) -> None:
    scim_error(scim("GET", "/ServiceProviderConfig"), 404)
    assert scim("GET", "/Users").status_code == 200


# ---------------------------------------------------------------- Users


def test_create_returns_201_location_etag_and_meta(scim) -> None:
    response = scim("POST", "/Users", user_body(id="client-chosen", meta={"version": "x"}, password="s3cret!"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] != "client-chosen"  # readOnly: ignored (RFC 7644 §3.5.1)
    assert response.headers["Location"] == body["meta"]["location"] == f"http://localhost/scim/v2/Users/{body['id']}"
    assert response.headers["ETag"] == body["meta"]["version"] == 'W/"1"'
    assert body["meta"]["resourceType"] == "User" and body["meta"]["created"] == "2026-01-05T09:00:00.000Z"
    assert "password" not in body
    assert scim("GET", f"/Users/{body['id']}").get_json() == body


def test_duplicate_username_is_409_uniqueness(scim) -> None:
    create(scim, "alice@example.com")
    scim_error(scim("POST", "/Users", user_body("ALICE@example.com")), 409, "uniqueness")


def test_missing_username_and_wrong_types_are_400_invalid_value(scim) -> None:
    body = user_body()
    del body["userName"]
    scim_error(scim("POST", "/Users", body), 400, "invalidValue")
    scim_error(scim("POST", "/Users", user_body(active="yes")), 400, "invalidValue")


def test_unknown_id_is_404_for_every_method(scim) -> None:
    for method, body in (("GET", None), ("PUT", user_body()), ("PATCH", patch_body({"op": "add", "path": "title",
                                                                                      "value": "x"})),
                         ("DELETE", None)):
        scim_error(scim(method, "/Users/does-not-exist", body), 404)


def test_query_without_match_is_an_empty_list_response_never_404(scim) -> None:
    response = scim("GET", '/Users?filter=userName eq "1b5a3f0e-guid"')
    assert response.status_code == 200
    assert response.get_json() == {"schemas": [LIST_URN], "totalResults": 0, "startIndex": 1, "itemsPerPage": 0,
                                   "Resources": []}


def test_filters_are_case_insensitive_on_names_and_values(scim) -> None:
    alice = create(scim, "Alice@Example.com", externalId="ext-1")
    for text in ('userName eq "alice@example.com"', 'USERNAME Eq "ALICE@EXAMPLE.COM"', 'externalId eq "ext-1"',
                 'emails.value eq "alice@EXAMPLE.com"', f'id eq "{alice["id"]}"'):
        body = scim("GET", f"/Users?filter={text}").get_json()
        assert [r["id"] for r in body["Resources"]] == [alice["id"]], text


def test_bad_filter_is_400_invalid_filter(scim) -> None:
    scim_error(scim("GET", '/Users?filter=userName eq'), 400, "invalidFilter")
    scim_error(scim("GET", '/Users?filter=nosuch eq "x"'), 400, "invalidFilter")


def test_paging(scim) -> None:
    ids = [create(scim, f"u{i}@example.com")["id"] for i in range(5)]
    body = scim("GET", "/Users?startIndex=2&count=2").get_json()
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (5, 2, 2)
    assert [r["id"] for r in body["Resources"]] == ids[1:3]
    assert scim("GET", "/Users?count=0").get_json()["Resources"] == []
    scim_error(scim("GET", "/Users?count=many"), 400, "invalidValue")


def test_attributes_and_excluded_attributes(scim) -> None:
    alice = create(scim, title="Engineer")
    only = scim("GET", f"/Users/{alice['id']}?attributes=userName").get_json()
    assert set(only) == {"schemas", "id", "userName"}
    without = scim("GET", "/Users?excludedAttributes=emails,title").get_json()["Resources"][0]
    assert "emails" not in without and "title" not in without and without["userName"] == "alice@example.com"


def test_put_replaces_and_bumps_version(scim) -> None:
    alice = create(scim)
    response = scim("PUT", f"/Users/{alice['id']}", user_body(title="Lead", id="ignored"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == alice["id"] and body["title"] == "Lead" and body["meta"]["version"] == 'W/"2"'
    assert body["meta"]["created"] == alice["meta"]["created"]


def test_patch_user_returns_200_with_the_resource(scim) -> None:
    alice = create(scim)
    response = scim("PATCH", f"/Users/{alice['id']}", patch_body(
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "Add", "path": 'emails[type eq "home"].value', "value": "a@home.org"}))
    assert response.status_code == 200
    body = response.get_json()
    assert body["active"] is False and {"type": "home", "value": "a@home.org"} in body["emails"]
    assert response.headers["ETag"] == 'W/"2"'


def test_patch_without_change_spends_no_version(scim) -> None:
    alice = create(scim)
    body = scim("PATCH", f"/Users/{alice['id']}", patch_body({"op": "replace", "path": "active", "value": True}))
    assert body.get_json()["meta"]["version"] == 'W/"1"'


def test_malformed_patch_is_400(scim) -> None:
    alice = create(scim)
    scim_error(scim("PATCH", f"/Users/{alice['id']}", {"Operations": []}), 400, "invalidSyntax")
    scim_error(scim("PATCH", f"/Users/{alice['id']}", patch_body({"op": "jump", "path": "title"})), 400,
               "invalidSyntax")
    scim_error(scim("PATCH", f"/Users/{alice['id']}", patch_body({"op": "add", "path": "no such", "value": 1})), 400,
               "invalidPath")


def test_delete_removes_user_and_memberships(scim) -> None:
    alice = create(scim)
    group = scim("POST", "/Groups", group_body(members=[alice["id"]])).get_json()
    assert scim("DELETE", f"/Users/{alice['id']}").status_code == 204
    scim_error(scim("GET", f"/Users/{alice['id']}"), 404)
    assert "members" not in scim("GET", f"/Groups/{group['id']}").get_json()


def test_search_endpoints(scim) -> None:
    alice = create(scim)
    group = scim("POST", "/Groups", group_body("Alice's")).get_json()
    search = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
              "filter": 'userName eq "alice@example.com"', "attributes": ["userName"]}
    body = scim("POST", "/Users/.search", search).get_json()
    assert body["totalResults"] == 1 and set(body["Resources"][0]) == {"schemas", "id", "userName"}
    everything = scim("POST", "/.search", {"schemas": search["schemas"]}).get_json()
    assert {r["id"] for r in everything["Resources"]} == {alice["id"], group["id"]}
    by_name = scim("POST", "/.search", {**search, "filter": 'displayName eq "alice\'s"', "attributes": None})
    assert [r["id"] for r in by_name.get_json()["Resources"]] == [group["id"]]
    scim_error(scim("POST", "/Users/.search", {"filter": "x"}), 400, "invalidSyntax")


# ---------------------------------------------------------------- ETags


def test_if_match_mismatch_is_412_and_match_succeeds(scim) -> None:
    alice = create(scim)
    op = patch_body({"op": "add", "path": "title", "value": "x"})
    scim_error(scim("PATCH", f"/Users/{alice['id']}", op, headers={"If-Match": 'W/"7"'}), 412)
    scim_error(scim("DELETE", f"/Users/{alice['id']}", headers={"If-Match": 'W/"7"'}), 412)
    assert scim("PATCH", f"/Users/{alice['id']}", op, headers={"If-Match": 'W/"1"'}).status_code == 200
    assert scim("PUT", f"/Users/{alice['id']}", user_body(), headers={"If-Match": '"2"'}).status_code == 200
    assert scim("DELETE", f"/Users/{alice['id']}", headers={"If-Match": "*"}).status_code == 204


def test_if_none_match_gives_304(scim) -> None:
    alice = create(scim)
    response = scim("GET", f"/Users/{alice['id']}", headers={"If-None-Match": 'W/"1"'})
    assert response.status_code == 304 and response.headers["ETag"] == 'W/"1"'
    assert scim("GET", f"/Users/{alice['id']}", headers={"If-None-Match": 'W/"0"'}).status_code == 200


def test_get_by_id_answers_the_stored_text_with_the_bytes_the_general_path_encodes(scim, runtime) -> None:
    """GET by id splices ``location`` into the stored JSON (scim._STORED_META); any query parameter takes
    the general path, which decodes and re-encodes. Both must answer the same bytes, with the attribute
    after ``meta`` that a PATCH appends and text that needs escaping."""
    alice = create(scim, addresses=[{"type": "work", "locality": 'Paris "Rive Gauche" é', "country": "FR"}])
    scim("PATCH", f"/Users/{alice['id']}", patch_body({"op": "add", "path": "nickName", "value": "Al"}))
    with runtime.store.read() as tx:
        assert _STORED_META.search(tx.get_user_text(alice["id"])), "the store's meta no longer matches the GET path"
    stored = scim("GET", f"/Users/{alice['id']}")
    general = scim("GET", f"/Users/{alice['id']}?excludedAttributes=")
    assert stored.get_data() == general.get_data()
    assert stored.headers["ETag"] == general.headers["ETag"] == stored.get_json()["meta"]["version"] == 'W/"2"'
    assert stored.get_json()["meta"]["location"].endswith(f"/scim/v2/Users/{alice['id']}")
    assert stored.get_json()["nickName"] == "Al"


# ---------------------------------------------------------------- Groups


def test_group_lifecycle_and_patch_204(scim) -> None:
    a, b = create(scim, "a@example.com"), create(scim, "b@example.com")
    response = scim("POST", "/Groups", group_body("Sales"))
    assert response.status_code == 201 and response.headers["Location"].endswith(response.get_json()["id"])
    gid = response.get_json()["id"]
    add = scim("PATCH", f"/Groups/{gid}", patch_body({"op": "Add", "path": "members",
                                                       "value": [{"value": a["id"]}, {"value": b["id"]}]}))
    assert add.status_code == 204 and add.get_data() == b""
    remove = scim("PATCH", f"/Groups/{gid}", patch_body({"op": "remove", "path": f'members[value eq "{a["id"]}"]'}))
    assert remove.status_code == 204
    body = scim("GET", f"/Groups/{gid}").get_json()
    assert [m["value"] for m in body["members"]] == [b["id"]] and body["meta"]["version"] == 'W/"3"'
    slim = scim("GET", "/Groups?excludedAttributes=members&filter=displayName eq \"sales\"").get_json()
    assert slim["totalResults"] == 1 and "members" not in slim["Resources"][0]
    assert scim("DELETE", f"/Groups/{gid}").status_code == 204
    scim_error(scim("GET", f"/Groups/{gid}"), 404)


@pytest.mark.parametrize("app_config", [base_config(RULES="none", GROUP_PATCH_STATUS=200)])
def test_group_patch_can_answer_200_with_the_group(scim) -> None:
    gid = scim("POST", "/Groups", group_body("Sales")).get_json()["id"]
    response = scim("PATCH", f"/Groups/{gid}", patch_body({"op": "replace", "path": "displayName", "value": "S"}))
    assert response.status_code == 200 and response.get_json()["displayName"] == "S"


def test_unknown_member_is_400_invalid_value(scim) -> None:
    scim_error(scim("POST", "/Groups", group_body(members=["nobody"])), 400, "invalidValue")


def test_group_filter_by_member(scim) -> None:
    a = create(scim)
    gid = scim("POST", "/Groups", group_body(members=[a["id"]])).get_json()["id"]
    body = scim("GET", f'/Groups?filter=members.value eq "{a["id"]}"').get_json()
    assert [g["id"] for g in body["Resources"]] == [gid]


# ---------------------------------------------------------------- protocol errors


def test_unknown_route_and_method_are_scim_errors(scim) -> None:
    scim_error(scim("GET", "/Devices"), 404)
    response = scim("DELETE", "/Users")
    scim_error(response, 405)
    assert "POST" in response.headers["Allow"]


def test_unsupported_content_type_is_415(client, auth_headers) -> None:
    response = client.post("/scim/v2/Users", data="userName=a", headers={**auth_headers,
                                                                         "Content-Type": "application/x-www-form-urlencoded"})
    scim_error(response, 415)


def test_plain_application_json_and_missing_content_type_are_accepted(client, auth_headers) -> None:
    headers = {"Authorization": auth_headers["Authorization"]}
    assert client.post("/scim/v2/Users", data=json.dumps(user_body("j@example.com")),
                       headers={**headers, "Content-Type": "application/json; charset=utf-8"}).status_code == 201
    assert client.post("/scim/v2/Users", data=json.dumps(user_body("k@example.com")), headers=headers).status_code == 201


def test_malformed_json_is_400_invalid_syntax(client, auth_headers) -> None:
    scim_error(client.post("/scim/v2/Users", data="{not json", headers=auth_headers), 400, "invalidSyntax")
    scim_error(client.post("/scim/v2/Users", data="", headers=auth_headers), 400, "invalidSyntax")
    scim_error(client.post("/scim/v2/Users", data=b"\xff\xfe", headers=auth_headers), 400, "invalidSyntax")
    scim_error(client.post("/scim/v2/Users", data="[1]", headers=auth_headers), 400, "invalidSyntax")


@pytest.mark.parametrize("app_config", [base_config(RULES="none", MAX_BODY_BYTES=2048)])
def test_body_over_the_limit_is_413(client, auth_headers) -> None:
    body = json.dumps(user_body(title="x" * 4096))
    scim_error(client.post("/scim/v2/Users", data=body, headers=auth_headers), 413)


# ---------------------------------------------------------------- fault switches


@pytest.mark.parametrize("app_config", [base_config(RULES="none", FAULTS=["case_sensitive_filters"])])
def test_fault_case_sensitive_filters(scim) -> None:
    create(scim, "Alice@Example.com")
    assert scim("GET", '/Users?filter=userName eq "alice@example.com"').get_json()["totalResults"] == 0
    assert scim("GET", '/Users?filter=userName eq "Alice@Example.com"').get_json()["totalResults"] == 1


@pytest.mark.parametrize("app_config", [base_config(RULES="none", FAULTS=["string_false_ignored"])])
def test_fault_string_false_ignored(scim) -> None:
    alice = create(scim)
    body = scim("PATCH", f"/Users/{alice['id']}", patch_body({"op": "Replace", "path": "active", "value": "False"}))
    assert body.get_json()["active"] is True
    real = scim("PATCH", f"/Users/{alice['id']}", patch_body({"op": "replace", "path": "active", "value": False}))
    assert real.get_json()["active"] is False


# ---------------------------------------------------------------- the rules seam


class RecordingRules:
    """Records every hook; can reject writes or rewrite documents, as the Code42 domain does."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.reject_user: str | None = None

    def check_user_write(self, tx, old, new):
        self.calls.append(("check_user_write", old and old["id"], new.get("userName")))
        tx.execute("INSERT INTO seam_log VALUES (?)", ("check_user",))
        if new.get("userName") == self.reject_user:
            from simulators.common.scim.errors import ScimError
            raise ScimError(400, "rejected by the rules", "mutability")
        return {**new, "title": "set-by-rules"}

    def user_written(self, tx, old, new):
        self.calls.append(("user_written", old and old["id"], new["id"]))
        if new.get("userName") == "explode@example.com":
            raise RuntimeError("hook failure after the store write")

    def delete_user(self, tx, user):
        self.calls.append(("delete_user", user["id"]))
        return False

    def check_group_write(self, tx, old, new):
        self.calls.append(("check_group_write", old and old["id"], new.get("displayName")))
        return new

    def group_written(self, tx, old, new, added, removed):
        self.calls.append(("group_written", old and old["id"], new and new["id"], added, removed))


@pytest.fixture
def rules(runtime) -> RecordingRules:
    rules = RecordingRules()
    runtime.store.register_ddl("CREATE TABLE IF NOT EXISTS seam_log (what TEXT)")
    runtime.rules = rules
    return rules


def test_hooks_run_in_order_and_may_rewrite(scim, rules) -> None:
    alice = create(scim)
    assert alice["title"] == "set-by-rules"
    assert rules.calls == [("check_user_write", None, "alice@example.com"), ("user_written", None, alice["id"])]


def test_rejection_writes_nothing(scim, rules, runtime) -> None:
    rules.reject_user = "bob@example.com"
    scim_error(scim("POST", "/Users", user_body("bob@example.com")), 400, "mutability")
    with runtime.store.read() as tx:
        assert tx.count_users() == 0 and tx.query("SELECT * FROM seam_log") == []


def test_failing_written_hook_rolls_back_the_store_write(app, scim, rules, runtime) -> None:
    app.testing = False  # serve the 500 as the production app would
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = scim("POST", "/Users", user_body("explode@example.com"))
    scim_error(response, 500)
    assert "hook failure" not in response.get_data(as_text=True)
    with runtime.store.read() as tx:
        assert tx.count_users() == 0 and tx.query("SELECT * FROM seam_log") == []


def test_delete_hook_can_keep_the_resource(scim, rules) -> None:
    alice = create(scim)
    assert scim("DELETE", f"/Users/{alice['id']}").status_code == 204
    assert scim("GET", f"/Users/{alice['id']}").status_code == 200
    assert rules.calls[-1] == ("delete_user", alice["id"])


def test_group_hooks_get_member_differences(scim, rules) -> None:
    a, b = create(scim, "a@example.com"), create(scim, "b@example.com")
    gid = scim("POST", "/Groups", group_body(members=[a["id"]])).get_json()["id"]
    scim("PATCH", f"/Groups/{gid}", patch_body({"op": "replace", "path": "members", "value": [{"value": b["id"]}]}))
    scim("DELETE", f"/Groups/{gid}")
    written = [c for c in rules.calls if c[0] == "group_written"]
    assert written == [("group_written", None, gid, {a["id"]}, set()),
                       ("group_written", gid, gid, {b["id"]}, {a["id"]}),
                       ("group_written", gid, None, set(), {b["id"]})]
    assert GROUP_URN  # the module's constants are the ones the app serves


# ---------------------------------------------------------------- membership PATCH on a large group


@pytest.fixture
def big_group(scim, runtime) -> tuple[str, list[str]]:
    """A group of 2,000 members created straight in the store, plus 3 users outside it."""
    with runtime.store.transaction() as tx:
        ids = [tx.put_user(user_body(f"m{i}@example.com"))["id"] for i in range(2003)]
        gid = tx.put_group(group_body("Everyone", members=ids[:2000]))["id"]
    return gid, ids


def members_of(scim, gid: str) -> list[str]:
    return [m["value"] for m in scim("GET", f"/Groups/{gid}").get_json().get("members", [])]


def test_member_patches_touch_only_the_named_members(scim, big_group) -> None:
    gid, ids = big_group
    ops = [
        {"op": "Add", "path": "members", "value": [{"value": ids[2000]}, {"value": ids[2001]}]},
        {"op": "Remove", "path": "members", "value": [{"value": ids[5]}]},            # Azure's default form
        {"op": "remove", "path": f'members[value eq "{ids[6].upper()}"]'},             # flag form, any case
        {"op": "remove", "path": f'members[value eq "{ids[2002]}"]'},                  # not a member: no-op
    ]
    assert scim("PATCH", f"/Groups/{gid}", patch_body(*ops)).status_code == 204
    expected = [i for i in ids[:2000] if i not in (ids[5], ids[6])] + [ids[2000], ids[2001]]
    assert members_of(scim, gid) == expected
    assert scim("GET", f"/Groups/{gid}").headers["ETag"] == 'W/"2"'


def test_member_patch_that_changes_nothing_spends_no_version(scim, big_group) -> None:
    gid, ids = big_group
    for op in ({"op": "add", "path": "members", "value": [{"value": ids[0]}]},
               {"op": "remove", "path": f'members[value eq "{ids[2002]}"]'}):
        assert scim("PATCH", f"/Groups/{gid}", patch_body(op)).headers["ETag"] == 'W/"1"'
    assert len(members_of(scim, gid)) == 2000


def test_member_patch_mixed_with_other_ops_takes_the_general_path(scim, big_group) -> None:
    gid, ids = big_group
    ops = [{"op": "replace", "path": "displayName", "value": "All"},
           {"op": "remove", "path": f'members[value eq "{ids[0]}"]'},
           {"op": "add", "path": "members", "value": [{"value": "nobody"}]}]
    scim_error(scim("PATCH", f"/Groups/{gid}", patch_body(*ops)), 400, "invalidValue")
    assert len(members_of(scim, gid)) == 2000  # all-or-nothing
    assert scim("PATCH", f"/Groups/{gid}", patch_body(*ops[:2])).status_code == 204
    body = scim("GET", f"/Groups/{gid}").get_json()
    assert body["displayName"] == "All" and len(body["members"]) == 1999


def test_member_add_of_an_unknown_id_is_400_on_the_fast_path_too(scim, big_group) -> None:
    gid, _ = big_group
    scim_error(scim("PATCH", f"/Groups/{gid}", patch_body({"op": "add", "path": "members", "value": [{"value": "x"}]})),
               400, "invalidValue")


def test_groups_may_nest_but_not_contain_themselves(scim) -> None:
    inner = scim("POST", "/Groups", group_body("Inner")).get_json()["id"]
    outer = scim("POST", "/Groups", group_body("Outer", members=[inner]))
    assert outer.status_code == 201
    oid = outer.get_json()["id"]
    add_self = patch_body({"op": "add", "path": "members", "value": [{"value": oid}]})
    scim_error(scim("PATCH", f"/Groups/{oid}", add_self), 400, "invalidValue")
