"""The SQLite store: documents, indexes, filter narrowing, transactions, members, persistence."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from simulators.code42.storage.store import Store
from simulators.common.clock import VirtualClock
from simulators.common.scim import ResourceSchema
from simulators.common.scim.errors import ScimError
from simulators.common.scim.filters import parse_filter

USER = ResourceSchema.for_type("User")
GROUP = ResourceSchema.for_type("Group")
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def user(name: str, **extra) -> dict:
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name,
            "emails": [{"type": "work", "value": name}], **extra}


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def store(clock: VirtualClock) -> Store:
    s = Store(":memory:", clock=clock)
    yield s
    s.close()


def put(store: Store, doc: dict) -> dict:
    with store.transaction() as tx:
        return tx.put_user(doc)


def test_put_user_assigns_id_meta_and_drops_password(store: Store) -> None:
    stored = put(store, user("a@x.com", password="hunter2"))
    assert stored["meta"] == {"resourceType": "User", "created": "2026-01-05T09:00:00.000Z",
                              "lastModified": "2026-01-05T09:00:00.000Z", "version": 'W/"1"'}
    assert "password" not in stored
    with store.read() as tx:
        assert tx.get_user(stored["id"]) == stored
        assert "hunter2" not in tx.get_user_text(stored["id"])


def test_version_increments_and_created_is_kept(store: Store, clock: VirtualClock) -> None:
    first = put(store, user("a@x.com"))
    clock.advance(60)
    second = put(store, {**first, "title": "Boss"})
    assert second["meta"]["version"] == 'W/"2"'
    assert second["meta"]["created"] == first["meta"]["created"]
    assert second["meta"]["lastModified"] == "2026-01-05T09:01:00.000Z"


def test_username_is_unique_case_insensitively(store: Store) -> None:
    put(store, user("Straße@x.com"))
    with pytest.raises(ScimError) as err:
        put(store, user("STRASSE@X.COM"))  # casefold: ß == ss (RFC 7643 userName caseExact false)
    assert (err.value.status, err.value.scim_type) == (409, "uniqueness")
    with store.read() as tx:
        assert tx.get_user_by_username("strasse@x.com")["userName"] == "Straße@x.com"


def test_renaming_to_a_taken_username_is_409(store: Store) -> None:
    put(store, user("a@x.com"))
    b = put(store, user("b@x.com"))
    with pytest.raises(ScimError) as err:
        put(store, {**b, "userName": "A@x.com"})
    assert err.value.status == 409


@pytest.mark.parametrize("text,expected", [
    ('userName eq "B@X.COM"', ["b@x.com"]),
    ('externalId eq "ext-b"', ["b@x.com"]),
    ('externalId eq "EXT-B"', []),  # externalId is caseExact
    ('emails.value eq "C@x.com"', ["c@x.com"]),
    ('emails[type eq "work"].value eq "c@x.com"', ["c@x.com"]),
    ('userName eq "a@x.com" or userName eq "c@x.com"', ["a@x.com", "c@x.com"]),
    ('userName eq "a@x.com" and title eq "nobody"', []),
    ('userName sw "b"', ["b@x.com"]),  # no key: full scan
    ('title pr', ["c@x.com"]),
])
def test_find_users_narrows_then_matches(store: Store, text: str, expected: list[str]) -> None:
    put(store, user("a@x.com"))
    b = put(store, user("b@x.com", externalId="ext-b"))
    put(store, user("c@x.com", title="Chief"))
    with store.read() as tx:
        total, docs = tx.find_users(parse_filter(text, USER))
        assert [d["userName"] for d in docs] == expected and total == len(expected)
        by_id = tx.find_users(parse_filter(f'id eq "{b["id"]}"', USER))
        assert by_id[0] == 1


def test_find_users_pages_in_creation_order(store: Store) -> None:
    for i in range(7):
        put(store, user(f"u{i}@x.com", title="T"))
    with store.read() as tx:
        assert tx.find_users(None, 3, 2) == (7, tx.find_users(None)[1][2:4])
        total, page = tx.find_users(parse_filter('title eq "t"', USER), 6, 10)
        assert total == 7 and [d["userName"] for d in page] == ["u5@x.com", "u6@x.com"]
        assert tx.find_users(None, 1, 0) == (7, [])


def test_case_sensitive_filter_still_finds_exact_matches_through_the_casefolded_index(store: Store) -> None:
    put(store, user("Mixed@x.com"))
    with store.read() as tx:
        exact = parse_filter('userName eq "Mixed@x.com"', USER, case_sensitive=True)
        other = parse_filter('userName eq "mixed@x.com"', USER, case_sensitive=True)
        assert tx.find_users(exact)[0] == 1 and tx.find_users(other)[0] == 0


def test_email_index_follows_replacement(store: Store) -> None:
    a = put(store, user("a@x.com"))
    put(store, {**a, "emails": [{"value": "new@x.com"}]})
    with store.read() as tx:
        assert tx.find_users(parse_filter('emails.value eq "a@x.com"', USER))[0] == 0
        assert tx.find_users(parse_filter('emails.value eq "NEW@x.com"', USER))[0] == 1


def test_exception_rolls_back_scim_and_domain_writes(store: Store) -> None:
    store.register_ddl("CREATE TABLE IF NOT EXISTS d_log (msg TEXT)")
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.put_user(user("a@x.com"))
        tx.execute("INSERT INTO d_log VALUES (?)", ("created",))
        raise RuntimeError("hook failed")
    with store.read() as tx:
        assert tx.count_users() == 0
        assert tx.query("SELECT COUNT(*) AS n FROM d_log")[0]["n"] == 0


def test_nested_transaction_is_a_savepoint(store: Store) -> None:
    with store.transaction() as outer:
        outer.put_user(user("a@x.com"))
        with pytest.raises(ScimError), store.transaction() as inner:
            assert inner.now == outer.now
            inner.put_user(user("b@x.com"))
            inner.put_user(user("B@x.com"))  # 409: undoes only the inner block
    with store.read() as tx:
        assert [d["userName"] for d in tx.find_users(None)[1]] == ["a@x.com"]


def test_group_members_are_diffed_and_indexed(store: Store) -> None:
    ids = [put(store, user(f"m{i}@x.com"))["id"] for i in range(4)]
    with store.transaction() as tx:
        g = tx.put_group({"schemas": [GROUP.core_urn], "displayName": "Eng",
                          "members": [{"value": ids[0]}, {"value": ids[1]}, {"value": ids[1]}]})
    assert [m["value"] for m in g["members"]] == ids[:2]  # the duplicate is kept once
    with store.transaction() as tx:
        g2 = tx.put_group({**g, "members": [{"value": ids[1], "display": "M1"}, {"value": ids[2]}]})
        assert g2["meta"]["version"] == 'W/"2"'
        assert tx.group_member_ids(g["id"]) == {ids[1], ids[2]}
        assert tx.group_ids_of_member(ids[1]) == [g["id"]] and tx.group_ids_of_member(ids[0]) == []
        assert tx.get_group(g["id"])["members"][0] == {"value": ids[1], "display": "M1"}
        assert "members" not in tx.get_group(g["id"], members=False)
        assert tx.find_groups(parse_filter(f'members.value eq "{ids[2].upper()}"', GROUP))[0] == 1
        assert tx.find_groups(parse_filter('displayName eq "ENG"', GROUP), members=False)[1][0].get("members") is None


def test_deleting_a_user_removes_its_memberships(store: Store) -> None:
    a = put(store, user("a@x.com"))
    with store.transaction() as tx:
        g = tx.put_group({"schemas": [GROUP.core_urn], "displayName": "Eng", "members": [{"value": a["id"]}]})
        assert tx.delete_user(a["id"]) == [g["id"]]
        after = tx.get_group(g["id"])
        assert "members" not in after and after["meta"]["version"] == 'W/"2"'
        assert tx.delete_user(a["id"]) == []


def test_reset_empties_everything_but_credentials(store: Store) -> None:
    store.register_ddl("CREATE TABLE IF NOT EXISTS d_state (x INT)")
    with store.transaction() as tx:
        tx.put_user(user("a@x.com"))
        tx.execute("INSERT INTO d_state VALUES (1)")
        tx.kv_put("scim_credentials", "{}")
    store.reset()
    with store.read() as tx:
        assert tx.count_users() == 0 and tx.query("SELECT * FROM d_state") == []
        assert tx.kv_get("scim_credentials") == "{}"


def test_indexes_follow_every_kind_of_replacement(store: Store) -> None:
    """put_user rewrites an index entry only when its value changes: check each one changes, stays, or goes."""
    a = put(store, user("a@x.com", externalId="ext-a"))

    def found(text: str) -> int:
        with store.read() as tx:
            return tx.find_users(parse_filter(text, USER))[0]

    a = put(store, {**a, "title": "Chief"})  # nothing indexed changes
    assert (found('userName eq "a@x.com"'), found('externalId eq "ext-a"'), found('emails.value eq "a@x.com"')) == (1, 1, 1)
    a = put(store, {**a, "userName": "renamed@x.com", "externalId": "ext-b"})
    assert (found('userName eq "a@x.com"'), found('userName eq "RENAMED@x.com"')) == (0, 1)
    assert (found('externalId eq "ext-a"'), found('externalId eq "ext-b"')) == (0, 1)
    a = put(store, {**a, "emails": [{"value": "a@x.com"}, {"value": "second@x.com"}]})
    assert (found('emails.value eq "a@x.com"'), found('emails.value eq "second@x.com"')) == (1, 1)
    a = put(store, {k: v for k, v in a.items() if k not in ("emails", "externalId")})
    assert (found('emails.value eq "a@x.com"'), found('emails.value eq "second@x.com"'), found("externalId pr")) == (0, 0, 0)
    put(store, {**a, "emails": [{"value": "back@x.com"}]})
    assert found('emails.value eq "back@x.com"') == 1
    with store.read() as tx:
        rows = tx.query("SELECT user_name_key, external_id FROM scim_users")
        assert [tuple(r) for r in rows] == [("renamed@x.com", None)]
        assert [r[0] for r in tx.query("SELECT value_key FROM scim_user_emails")] == ["back@x.com"]


def test_file_database_uses_wal_and_persists(tmp_path, clock: VirtualClock) -> None:
    path = str(tmp_path / "c42.db")
    s = Store(path, clock=clock)
    stored = put(s, user("a@x.com"))
    with s.read() as tx:
        assert tx.query("PRAGMA journal_mode")[0][0] == "wal"
    s.close()
    again = Store(path, clock=clock)
    with again.read() as tx:
        assert tx.get_user(stored["id"]) == stored
    again.close()


def test_eight_writer_threads_lose_nothing(store: Store) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(50):
                put(store, user(f"t{n}-{i}@x.com"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.read() as tx:
        assert tx.count_users() == 400
