"""What the steps of one scenario run share: the target's drivers, the IdP, saved values, templates.

Why one object: a step is a plain function ``(ctx, args)``; everything it may touch hangs off the
context, so steps stay small and the engine decides what is recorded.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from harness.drivers.code42_admin import Code42Admin
from harness.drivers.idp import EMAIL_DOMAIN, IdpDriver
from harness.drivers.scim_client import ScimClient
from harness.errors import ExpectationFailed, HarnessError, NotVerifiable, TargetUnreachable
from harness.scenario import Scenario
from harness.target import Target
from simulators.common.http_recording import RecordingSession

_TEMPLATE = re.compile(r"\$\{([A-Za-z0-9_.-]+)\}")



class ScenarioContext:
    def __init__(self, scenario: Scenario, target: Target):
        self.scenario = scenario
        self.target = target
        self.session = RecordingSession(secrets=target.secrets, clock=target.clock, timeout=target.request_timeout)
        self.scim = ScimClient(target.scim_url, self.session, target.scim_auth)
        self.vars: dict[str, Any] = {}
        self.started_at = target.clock.now()
        self.anchor = self.started_at   # end of the when phase; timing windows count from here
        self._admin: Code42Admin | None = None
        self._idp: IdpDriver | None = None

    # -------------------------------------------------------------- drivers

    @property
    def admin(self) -> Code42Admin:
        if self._admin is None:
            if "code42-admin" not in self.target.capabilities or not self.target.admin_client:
                raise NotVerifiable("needs the Code42 admin API: "
                                    + self.target.missing.get("code42-admin", "not configured"))
            client_id, secret = self.target.admin_client
            self._admin = Code42Admin(self.target.admin_url, client_id, secret, self.session,
                                      plan=self.target.profile.get("plan"))
        return self._admin

    @property
    def idp(self) -> IdpDriver:
        if self._idp is None:
            self._idp = IdpDriver(self.target, prefix=self.target.run_prefix, clock=self.target.clock)
        return self._idp

    @property
    def idp_started(self) -> bool:
        return self._idp is not None

    def exchange_marks(self) -> tuple[int, int]:
        return len(self.session.exchanges), len(self._idp.exchanges) if self._idp is not None else 0

    def exchanges_since(self, marks: tuple[int, int]) -> list[dict[str, Any]]:
        ours = [dict(ex.to_dict(), source="harness") for ex in self.session.exchanges[marks[0]:]]
        theirs = [dict(ex.to_dict(), source="azure-ad") for ex in (self._idp.exchanges[marks[1]:] if self._idp else [])]
        return sorted(ours + theirs, key=lambda ex: ex["started_at"])

    def close(self) -> None:
        """Close client connections before the mock stops, so no keep-alive socket outlives it."""
        self.session.close()
        if self._idp is not None:
            self._idp.session.close()
        self.target.clock.close()

    # -------------------------------------------------------------- names

    def user_name(self, ref: str) -> str:
        """The userName the IdP sends for ``ref`` (the run prefix keeps live tenants safe)."""
        if self._idp is not None and self._idp.knows(ref):
            return self._idp.user_name(ref)
        return f"{self.target.run_prefix}-{ref}@{EMAIL_DOMAIN}"

    def group_name(self, ref: str) -> str:
        if self._idp is not None and self._idp.knows(ref):
            return self._idp.group_name(ref)
        return f"{self.target.run_prefix} {ref}"

    def scim_user(self, ref: str) -> dict[str, Any] | None:
        return self.scim.find("Users", "userName", self.user_name(ref))

    def scim_group(self, ref: str) -> dict[str, Any] | None:
        return self.scim.find("Groups", "displayName", self.group_name(ref))

    def code42_user(self, ref: str) -> dict[str, Any] | None:
        return self.admin.find_user(self.user_name(ref))

    # -------------------------------------------------------------- templates

    def lookup(self, name: str) -> Any:
        """``run.prefix``, a saved value, or ``<ref>.<field>`` (userName, id, displayName, code42_uid)."""
        if name == "run.prefix":
            return self.target.run_prefix
        if name in self.vars:
            return self.vars[name]
        ref, _, attr = name.partition(".")
        if attr == "userName":
            return self.user_name(ref)
        if attr == "displayName":
            return self.group_name(ref)
        if attr == "id":
            found = self.scim_user(ref) if not (self._idp and self._idp.is_group(ref)) else self.scim_group(ref)
            if found is None:
                refused = self.azure_refusals(ref)
                if refused:  # the target refused what Azure AD sent for it: the target's answer, quoted
                    raise ExpectationFailed(f"${{{name}}}: {ref!r} has no SCIM resource because the target "
                                            f"refused Azure AD: {refused}")
                raise HarnessError(f"${{{name}}}: {ref!r} has no SCIM resource on the target yet")
            return found["id"]
        if attr == "code42_uid":
            user = self.code42_user(ref)
            if user is None:
                raise HarnessError(f"${{{name}}}: no Code42 user for {ref!r}")
            return user["userId"]
        raise HarnessError(f"${{{name}}} names nothing: use run.prefix, a saved name "
                           f"({', '.join(sorted(self.vars)) or 'none saved yet'}), or <ref>.userName|id|displayName|code42_uid")

    def azure_refusals(self, ref: str) -> str:
        """Azure AD's requests about ``ref`` that the target refused, as ``POST /Users -> HTTP 400: detail``."""
        if self._idp is None or not self._idp.knows(ref):
            return ""
        group = self._idp.is_group(ref)
        name = self.group_name(ref) if group else self.user_name(ref)
        ids: set[str] = set()
        # Later requests name the resource by its id only (PATCH /Users/{id}); best effort on a failure path.
        with contextlib.suppress(ExpectationFailed, TargetUnreachable, KeyError, TypeError):
            found = self.scim_group(ref) if group else self.scim_user(ref)
            ids = {found["id"]} if found and found.get("id") else set()
        base = self.target.scim_url.rstrip("/")
        out = []
        for ex in self._idp.exchanges:
            about = name in str(ex.request_body or ex.url) or ex.url.split("?")[0].rsplit("/", 1)[-1] in ids
            if not isinstance(ex.status, int) or ex.status < 400 or not about:
                continue
            body = ex.response_body
            detail = (" ".join(str(body.get(k)) for k in ("scimType", "detail") if body.get(k))
                      if isinstance(body, dict) else (str(body)[:160] if body else ""))
            out.append(f"{ex.method} {ex.url.removeprefix(base)} -> HTTP {ex.status}" + (f": {detail}" if detail else ""))
        return "; ".join(out[:3])

    def render(self, value: Any) -> Any:
        """Substitute ``${...}`` in every string inside ``value``; a whole-string template keeps its type."""
        if isinstance(value, str):
            whole = _TEMPLATE.fullmatch(value)
            if whole:
                return self.lookup(whole.group(1))
            return _TEMPLATE.sub(lambda m: str(self.lookup(m.group(1))), value)
        if isinstance(value, dict):
            return {self.render(k): self.render(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.render(v) for v in value]
        return value
