"""Sync Log: entries for SCIM actions and errors, JSON and CSV exports with a date range, 90-day retention."""

from __future__ import annotations

import csv
import io

from code42_tenant import Tenant

from simulators.code42.domain.synclog import page_json


def test_actions_and_errors_are_logged_with_provider_user_and_status():
    tenant = Tenant({"provider": {"name": "Entra"}})
    alice = tenant.create_user("alice@acme.example")
    tenant.disable(alice["id"])
    tenant.create_user("bad", expect=400)
    entries = tenant.sync_log()
    uid = tenant.user("alice@acme.example")["userId"]
    actions = [(e["action"], e["status"]) for e in entries if e["userUid"] == uid]
    assert ("Add user", "SUCCESS") in actions and ("Block user", "SUCCESS") in actions
    assert ("Schedule deactivation", "SUCCESS") in actions
    assert any(e["username"] == "bad" and e["status"] == "ERROR" for e in entries)
    assert {e["providerName"] for e in entries} == {"Entra"}
    tenant.advance(15 * 60)
    assert ("Deactivate user", "SUCCESS") in [(e["action"], e["status"]) for e in tenant.sync_log()]


def test_json_envelope_and_paging():
    tenant = Tenant()
    for i in range(3):
        tenant.create_user(f"u{i}@acme.example")
    body = tenant.admin("GET", "/api/v3/DirectorySyncLog?pgNum=2&pgSize=2", expect=200).get_json()
    assert set(body) == {"Directory Sync Logs", "PageNumber", "PageSize", "TotalResults"}
    assert body["PageNumber"] == 2 and body["PageSize"] == 2 and len(body["Directory Sync Logs"]) <= 2
    assert body["TotalResults"] >= 3


def test_csv_export_filters_by_date_range():
    tenant = Tenant()
    tenant.create_user("early@acme.example")
    tenant.advance(3600)
    tenant.create_user("late@acme.example")
    after = "2026-01-05T09:30:00.000+0000"
    text = tenant.admin("GET", f"/api/v3/DirectorySyncLog/csv?eventOccurredAfter={after}", expect=200)
    rows = list(csv.DictReader(io.StringIO(text.get_data(as_text=True))))
    assert {r["username"] for r in rows} == {"late@acme.example"}
    assert list(rows[0]) == ["eventOccurredAt", "providerName", "username", "userUid", "action", "status", "message"]
    before = tenant.admin("GET", "/api/v3/DirectorySyncLog?eventOccurredBefore=2026-01-05T09:30:00Z", expect=200)
    assert {e["username"] for e in before.get_json()["Directory Sync Logs"]} == {"early@acme.example"}


def test_bad_date_is_a_clear_400():
    tenant = Tenant()
    response = tenant.admin("GET", "/api/v3/DirectorySyncLog?eventOccurredAfter=yesterday")
    assert response.status_code == 400 and "eventOccurredAfter" in response.get_data(as_text=True)


def test_entries_expire_after_90_days_not_before():
    tenant = Tenant()
    tenant.create_user("old@acme.example")
    tenant.advance(90 * 86400 - 1)
    assert any(e["username"] == "old@acme.example" for e in tenant.sync_log())
    tenant.advance(2)
    assert not any(e["username"] == "old@acme.example" for e in tenant.sync_log())


def test_page_json_is_one_based():
    entries = [{"n": i} for i in range(5)]
    assert page_json(entries, 1, 2)["Directory Sync Logs"] == [{"n": 0}, {"n": 1}]
    assert page_json(entries, 3, 2)["Directory Sync Logs"] == [{"n": 4}]


def test_rejections_by_the_scim_layer_are_logged_once():
    tenant = Tenant()
    tenant.create_user("dup@acme.example")
    tenant.create_user("DUP@acme.example", expect=409)          # the store's uniqueness check
    response = tenant.scim("PATCH", "/Users/no-such-id", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                                                          "Operations": []})
    assert response.status_code in (400, 404)
    tenant.create_user("not-an-email", expect=400)             # the domain's own rejection
    errors = [e for e in tenant.sync_log() if e["status"] == "ERROR"]
    assert [e["username"] for e in errors].count("DUP@acme.example") == 1
    assert [e["username"] for e in errors].count("not-an-email") == 1
    assert any(e["action"] == "PATCH user" for e in errors)
    assert tenant.scim("GET", "/Users", token="wrong").status_code == 401
    assert len([e for e in tenant.sync_log() if e["status"] == "ERROR"]) == len(errors)
