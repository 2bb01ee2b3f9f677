"""Live-tenant cleanup: find what carries a prefix on the target and take it out of service.

Why a sweep by prefix rather than a list of what a scenario created: a run interrupted mid-step
(Ctrl-C, a crash, a timeout) does not know exactly what reached the target, but everything it
created carries its prefix (DESIGN.md, "Live-tenant safety"). A sweep touches only names that start
with the prefix followed by a separator, so ``sg1a2b`` never touches ``sg1a2bc-…``.

Code42 never deletes a user (a SCIM DELETE deactivates, seed "Deactivation delay"), so "cleaned"
means: prefixed SCIM groups deleted, prefixed SCIM users deleted (deactivation requested; inactive ones
too, since most servers do delete), prefixed Code42 users deactivated at once through the admin API
(spec §3.5; through Code42's client for the tenant's plan, :mod:`harness.drivers.code42_admin`), prefixed
legal hold matters deactivated first (a custodian cannot be deactivated while held).

Then the sweep checks its own work: it lists again, by filter *and* by paging through every resource
(a server may answer a filter it does not support with 200 and too little), and names whatever is
still there: a group or an active user is a *leak*; an inactive user the target keeps after its DELETE
(Code42 does) is reported as kept. "Nothing left to clean" is said only when the re-listing is empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from harness.drivers.code42_admin import Code42Admin
from harness.drivers.scim_client import ScimClient
from harness.errors import ExpectationFailed, TargetUnreachable

PAGE = 100


def carries_prefix(name: str | None, prefix: str) -> bool:
    """``name`` starts with ``prefix`` followed by a non-alphanumeric character (or is it)."""
    if not name or not prefix or not name.startswith(prefix):
        return False
    rest = name[len(prefix):]
    return rest == "" or not rest[0].isalnum()


@dataclass
class CleanupReport:
    prefix: str
    cleaned: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)     # inactive users the target keeps after DELETE
    leaked: list[str] = field(default_factory=list)   # still in service after the sweep, by name
    paged: bool = True                                # the re-listing paged through everything

    def summary(self) -> str:
        head = f"cleanup (prefix {self.prefix}): "
        if not (self.cleaned or self.failed or self.kept or self.leaked):
            # Only a paged re-listing may say so: a filter the server does not support can answer 200 and nothing.
            return head + ("nothing left to clean" if self.paged else
                           "nothing found by filter (the end-of-run sweep confirms by paging)")
        text = head + f"{len(self.cleaned)} cleaned" + (f": {'; '.join(self.cleaned)}" if self.cleaned else "")
        if self.kept:
            text += f"; {len(self.kept)} kept inactive by the target: {'; '.join(self.kept)}"
        if self.failed:
            text += f"; {len(self.failed)} FAILED: {'; '.join(self.failed)}"
        if self.leaked:
            text += f"; {len(self.leaked)} LEAKED (still in service): {'; '.join(self.leaked)}"
        return text


class Sweeper:
    """Lists and cleans prefixed objects through SCIM and (when configured) the Code42 admin API."""

    def __init__(self, scim: ScimClient, admin: Code42Admin | None):
        self.scim, self.admin = scim, admin
        self._deleted: set[str] = set()

    # -------------------------------------------------------------- listing

    def _scim_list(self, resource: str, attribute: str, prefix: str, *, pages: bool = False) -> list[dict[str, Any]]:
        """Prefixed resources by ``sw`` filter; with ``pages`` (or when the filter is refused) also by paging."""
        response = self.scim.request("GET", f"/{resource}", params={"filter": f'{attribute} sw "{prefix}"'})
        found: list[dict[str, Any]] = []
        if response.status_code == 200:
            body = _json_or_none(response)
            found = list(body.get("Resources") or []) if isinstance(body, dict) else []
        if pages or response.status_code != 200:  # a 200 may still be too little (an ignored filter)
            found += list(self._scim_pages(resource))
        unique = {r.get("id") or id(r): r for r in found if isinstance(r, dict)}
        return [r for r in unique.values() if carries_prefix(r.get(attribute), prefix)]

    def every(self, resource: str) -> Iterator[dict[str, Any]]:
        """Every ``Users`` or ``Groups`` resource on the target, by paging (not by filter)."""
        return self._scim_pages(resource)

    def _scim_pages(self, resource: str) -> Iterator[dict[str, Any]]:
        """Every resource, page by page (RFC 7644 §3.4.2.4); stops when a page brings nothing new."""
        start, seen = 1, set()
        while True:
            response = self.scim.request("GET", f"/{resource}", params={"startIndex": str(start), "count": str(PAGE)})
            body = _json_or_none(response)
            if response.status_code != 200 or not isinstance(body, dict):
                raise ExpectationFailed(f"GET /{resource} returned HTTP {response.status_code} while listing for cleanup")
            page = [r for r in body.get("Resources") or [] if isinstance(r, dict)]
            fresh = [r for r in page if r.get("id") not in seen]
            seen.update(r.get("id") for r in page)
            yield from fresh
            start += len(page)
            if not fresh or start > int(body.get("totalResults") or 0):
                return

    def scim_users(self, prefix: str, *, pages: bool = False) -> list[dict[str, Any]]:
        return self._scim_list("Users", "userName", prefix, pages=pages)

    def scim_groups(self, prefix: str, *, pages: bool = False) -> list[dict[str, Any]]:
        return self._scim_list("Groups", "displayName", prefix, pages=pages)

    def code42_users(self, prefix: str) -> list[dict[str, Any]]:
        if self.admin is None:
            return []
        return [u for u in self.admin.users() if carries_prefix(u.get("username"), prefix)]

    def matters(self, prefix: str) -> list[dict[str, Any]]:
        if self.admin is None:
            return []
        return [m for m in self.admin.matters() if carries_prefix(m.get("name"), prefix)]

    def _deactivate_code42_user(self, user: dict[str, Any]) -> str:
        answer = self.admin.user_action(user["userId"], "deactivate")  # type: ignore[union-attr]
        if answer.status_code >= 300:
            raise ExpectationFailed(f"deactivate returned HTTP {answer.status_code}: {answer.text[:200]}")
        return "deactivated"

    def _close_matter(self, matter: dict[str, Any]) -> str:
        self.admin.close_matter(matter["matterId"])  # type: ignore[union-attr]
        return "deactivated"

    # -------------------------------------------------------------- cleaning

    def sweep(self, prefix: str, *, pages: bool = True) -> CleanupReport:
        """Clean everything carrying ``prefix``, then list again and name what is left.

        Each object is reported; a failure does not stop the rest. ``pages=False`` lists by filter only
        (a scenario's own cleanup on a large tenant; the end-of-run sweep pages).
        """
        report = CleanupReport(prefix, paged=pages)

        def attempt(label: str, action: Any) -> None:
            try:
                outcome = action()
                report.cleaned.append(f"{label}{f' ({outcome})' if outcome else ''}")
            except (ExpectationFailed, TargetUnreachable, ValueError, KeyError) as exc:
                report.failed.append(f"{label}: {exc}")

        def listing(what: str, lister: Any) -> list[dict[str, Any]]:
            try:
                return lister(prefix)
            except (ExpectationFailed, TargetUnreachable, ValueError) as exc:
                report.failed.append(f"listing {what}: {exc}")
                return []

        for matter in listing("legal hold matters", self.matters):
            if matter.get("active"):
                attempt(f"legal hold matter {matter['name']!r}", lambda m=matter: self._close_matter(m))
        for group in listing("SCIM groups", lambda p: self.scim_groups(p, pages=pages)):
            attempt(f"SCIM Group {group.get('displayName')!r}", lambda g=group: self._delete("Groups", g["id"]))
        for user in listing("SCIM users", lambda p: self.scim_users(p, pages=pages)):
            if user.get("active") is False and user.get("id") in self._deleted:
                continue  # deleted before and kept inactive (Code42): asking again changes nothing
            attempt(f"SCIM User {user.get('userName')!r}",
                    lambda u=user: self._delete("Users", u["id"], inactive=u.get("active") is False))
        for user in listing("Code42 users", self.code42_users):
            if user.get("active"):
                attempt(f"Code42 user {user['username']!r}", lambda u=user: self._deactivate_code42_user(u))
        self._verify(prefix, report, pages)
        return report

    def _verify(self, prefix: str, report: CleanupReport, pages: bool) -> None:
        """List again and name what is left: in service = leaked; inactive users = kept by the target."""
        try:
            users = self.scim_users(prefix, pages=pages)
            groups = self.scim_groups(prefix, pages=pages)
            code42 = [u for u in self.code42_users(prefix) if u.get("active")]
        except (ExpectationFailed, TargetUnreachable, ValueError) as exc:
            report.failed.append(f"re-listing to confirm the cleanup: {exc}")
            return
        report.leaked += [f"SCIM Group {g.get('displayName')!r}" for g in groups]
        report.leaked += [f"SCIM User {u.get('userName')!r}" for u in users if u.get("active") is not False]
        report.leaked += [f"Code42 user {u['username']!r}" for u in code42]
        report.kept += [f"SCIM User {u.get('userName')!r}" for u in users if u.get("active") is False]

    def _delete(self, resource: str, resource_id: str, *, inactive: bool = False) -> str:
        response = self.scim.request("DELETE", f"/{resource}/{resource_id}")
        self._deleted.add(resource_id)
        if response.status_code in (200, 204, 404):
            return f"DELETE -> {response.status_code}"
        if inactive and response.status_code in (400, 405, 501):  # already out of service; nothing more to do
            return f"DELETE -> {response.status_code}, left inactive"
        if resource == "Users" and response.status_code in (400, 405, 501):  # no DELETE: Azure's soft path
            patch = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                     "Operations": [{"op": "replace", "path": "active", "value": False}]}
            answer = self.scim.request("PATCH", f"/{resource}/{resource_id}", body=patch)
            if answer.status_code in (200, 204):
                return f"DELETE -> {response.status_code}, PATCH active=false -> {answer.status_code}"
            raise ExpectationFailed(f"PATCH active=false returned HTTP {answer.status_code}")
        raise ExpectationFailed(f"DELETE returned HTTP {response.status_code}")

    def leftovers(self, prefix: str) -> list[str]:
        """What still carries ``prefix`` and is in service: active SCIM users, SCIM groups, active Code42
        users, active legal hold matters, listed by filter and by paging. Empty after a successful :meth:`sweep`."""
        out = [f"SCIM User {u['userName']!r}" for u in self.scim_users(prefix, pages=True) if u.get("active", True)]
        out += [f"SCIM Group {g['displayName']!r}" for g in self.scim_groups(prefix, pages=True)]
        out += [f"Code42 user {u['username']!r}" for u in self.code42_users(prefix) if u.get("active")]
        out += [f"legal hold matter {m['name']!r}" for m in self.matters(prefix) if m.get("active")]
        return out


def _json_or_none(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
