"""Read the observable Code42 state of an exploration's users through the admin API, and compare two reads.

Why normalise: the target and the reference mint their own ids (Code42 user uids, org guids, SCIM ids),
so a raw comparison would always differ. What a Code42 engineer checks is kept, by name: the user's
status (active / blocked / deactivated), org name, role ids, manager (as the explorer's ref of the
manager, or "<not a user of this run>"), and the provisioned attributes of the SCIM user data view.
"""

from __future__ import annotations

from typing import Any

from harness.drivers.code42_admin import Code42Admin

#: Fields of ``/api/v18/scim-user-data/collated-view`` that provisioning writes (code42-open-questions.md).
ATTRIBUTES = ("firstName", "lastName", "title", "department", "division", "employmentType",
              "locality", "region", "country", "externalId")
UNKNOWN_MANAGER = "<not a user of this run>"

Snapshot = dict[str, dict[str, Any] | None]


def status_of(user: dict[str, Any]) -> str:
    if not user.get("active"):
        return "deactivated"
    return "blocked" if user.get("blocked") else "active"


def snapshot(admin: Code42Admin, usernames: dict[str, str]) -> Snapshot:
    """``{ref: None | {status, org, roles, manager, attributes...}}`` for every ref -> username given."""
    found = {ref: admin.find_user(name) for ref, name in usernames.items()}
    ref_of_uid = {user["userId"]: ref for ref, user in found.items() if user is not None}
    out: Snapshot = {}
    for ref, user in found.items():
        if user is None:
            out[ref] = None
            continue
        uid = user["userId"]
        roles = sorted(str(r.get("roleId")) for r in admin.user_roles(uid))
        data = admin.scim_user_data(uid) or {}
        manager = data.get("managerUserId")
        state = {"status": status_of(user), "org": user.get("orgName"), "roles": roles,
                 "manager": None if manager in (None, "") else ref_of_uid.get(manager, UNKNOWN_MANAGER)}
        state.update({key: data.get(key) for key in ATTRIBUTES})
        out[ref] = state
    return out


def differences(target: Snapshot, reference: Snapshot) -> list[str]:
    """Human-readable lines, one per field that differs (``alice.status: target blocked, reference active``)."""
    lines = []
    for ref in sorted(set(target) | set(reference)):
        t, r = target.get(ref), reference.get(ref)
        if t is None or r is None:
            if (t is None) != (r is None):
                lines.append(f"{ref}: target has {'no Code42 user' if t is None else 'a Code42 user (' + t['status'] + ')'}, "
                             f"reference has {'no Code42 user' if r is None else 'a Code42 user (' + r['status'] + ')'}")
            continue
        for key in r:
            if t.get(key) != r.get(key):
                lines.append(f"{ref}.{key}: target {t.get(key)!r}, reference {r.get(key)!r}")
    return lines


def describe(snap: Snapshot) -> str:
    """One line per user, for the transcript."""
    if not snap:
        return "  (no users yet)"
    lines = []
    for ref, state in sorted(snap.items()):
        if state is None:
            lines.append(f"  {ref}: no Code42 user")
            continue
        extra = ", ".join(f"{k}={state[k]!r}" for k in ("title", "department", "country") if state.get(k))
        lines.append(f"  {ref}: {state['status']}, org {state['org']!r}, roles {state['roles']}, "
                     f"manager {state['manager']!r}" + (f", {extra}" if extra else ""))
    return "\n".join(lines)
