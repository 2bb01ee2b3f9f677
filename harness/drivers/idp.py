"""The IdP side: the mock Azure AD directory and provisioning engine, in-process, pointed at the target.

Why in-process: Azure AD's provisioning service cannot be told to run a cycle on demand against an
arbitrary URL from a CI job, but its request patterns are what Code42 must handle. The mock engine
(``simulators.azure_ad.provisioning.engine``) sends SCIM exactly as Azure does; this driver maps scenario refs
(``alice``) to directory objects and decides when cycles run.
"""

from __future__ import annotations

from typing import Any

from harness.errors import HarnessError
from harness.target import Target
from simulators.azure_ad.directory import Directory
from simulators.azure_ad.provisioning.engine import ProvisioningEngine
from simulators.azure_ad.provisioning.flags import EngineFlags
from simulators.azure_ad.provisioning.logs import ProvisioningLogRecord
from simulators.azure_ad.provisioning.mappings import AttributeMapping, JobMappings, MappingError, MappingType
from simulators.common.clock import Clock
from simulators.common.http_recording import RecordingSession

EMAIL_DOMAIN = "scimgate.example.com"  # a name email validators accept (".test" is special-use)


class IdpDriver:
    def __init__(self, target: Target, *, prefix: str, clock: Clock):
        self.prefix = prefix
        self.directory = Directory(seed=0, clock=clock, domain=EMAIL_DOMAIN)
        auth = target.scim_auth
        secrets = [s for s in (auth.token, auth.basic[1] if auth.basic else None) if s]
        self.session = RecordingSession(secrets=secrets, clock=clock, timeout=target.request_timeout)
        # On a live tenant every object carries the prefix, so cleanup can find it (DESIGN.md).
        self.live = not target.simulated
        self.engine = ProvisioningEngine(self.directory, target.scim_url, auth.token, mappings=JobMappings(),
                                         clock=clock, flags=EngineFlags(), session=self.session)
        self.refs: dict[str, str] = {}       # ref -> objectId
        self.group_refs: set[str] = set()
        self.started = False                 # an initial cycle has run

    # -------------------------------------------------------------- lookups

    @property
    def exchanges(self) -> list[Any]:
        return self.session.exchanges

    @property
    def logs(self) -> list[ProvisioningLogRecord]:
        return list(self.engine.logs)

    def knows(self, ref: str) -> bool:
        return ref in self.refs

    def is_group(self, ref: str) -> bool:
        return ref in self.group_refs

    def object_id(self, ref: str) -> str:
        try:
            return self.refs[ref]
        except KeyError:
            known = ", ".join(sorted(self.refs)) or "none yet"
            raise HarnessError(f"no IdP user or group {ref!r} in this scenario (known: {known})") from None

    def user_name(self, ref: str) -> str:
        return str(self.directory.user(self.object_id(ref)).attributes["userPrincipalName"])

    def group_name(self, ref: str) -> str:
        return self.directory.group(self.object_id(ref)).display_name

    # -------------------------------------------------------------- directory changes

    def create_user(self, spec: dict[str, Any]) -> None:
        spec = dict(spec)
        ref = spec.pop("ref")
        spec.pop("cycle", None)
        if ref in self.refs:
            raise HarnessError(f"user {ref!r} is defined twice")
        spec.setdefault("userPrincipalName", f"{self.prefix}-{ref}@{EMAIL_DOMAIN}")
        if self.live and not str(spec["userPrincipalName"]).startswith(self.prefix):
            spec["userPrincipalName"] = f"{self.prefix}-{spec['userPrincipalName']}"
        spec.setdefault("mail", spec["userPrincipalName"])
        if spec.get("manager"):
            spec["manager"] = self.object_id(spec["manager"])
        self.refs[ref] = self.directory.add_user(**spec).object_id

    def update_user(self, ref: str, changes: dict[str, Any]) -> None:
        changes = dict(changes)
        if changes.get("manager"):
            changes["manager"] = self.object_id(changes["manager"])
        self.directory.update_user(self.object_id(ref), **changes)

    def create_group(self, spec: dict[str, Any]) -> None:
        ref = spec["ref"]
        if ref in self.refs:
            raise HarnessError(f"group {ref!r} is defined twice")
        members = [self.object_id(m) for m in spec.get("members", [])]
        group = self.directory.add_group(self._prefixed(spec.get("displayName")) or f"{self.prefix} {ref}",
                                         members=members)
        self.refs[ref] = group.object_id
        self.group_refs.add(ref)

    def rename_group(self, ref: str, display_name: str) -> None:
        self.directory.update_group(self.object_id(ref), displayName=self._prefixed(display_name))

    def _prefixed(self, name: str | None) -> str | None:
        """A scenario-given group name, with the run prefix put in front on a live tenant."""
        if not name or not self.live or name.startswith(self.prefix):
            return name
        return f"{self.prefix} {name}"

    def add_members(self, group: str, members: list[str]) -> None:
        for m in members:
            self.directory.add_member(self.object_id(group), self.object_id(m))

    def remove_members(self, group: str, members: list[str]) -> None:
        for m in members:
            self.directory.remove_member(self.object_id(group), self.object_id(m))

    def disable(self, ref: str) -> None:
        self.directory.disable_user(self.object_id(ref))

    def enable(self, ref: str) -> None:
        self.directory.enable_user(self.object_id(ref))

    def assign(self, ref: str) -> None:
        self.directory.assign(self.object_id(ref))

    def unassign(self, ref: str) -> None:
        self.directory.unassign(self.object_id(ref))

    def soft_delete(self, ref: str) -> None:
        self.directory.soft_delete(self.object_id(ref))

    def restore(self, ref: str) -> None:
        self.directory.restore(self.object_id(ref))

    def hard_delete(self, ref: str) -> None:
        self.directory.hard_delete(self.object_id(ref))

    def edit_user_mapping(self, target: str, *, source: str | None = None, expression: str | None = None,
                          constant: str | None = None, delete: bool = False) -> None:
        """Edit one row of "Provision Azure Active Directory Users" > Attribute Mapping: delete it, or
        point it at a source attribute, an expression or a constant (added when the target is unmapped)."""
        users = self.engine.mappings.users
        try:
            if delete:
                users.remove(target)
                return
            kind, value = ((MappingType.EXPRESSION, expression) if expression is not None
                           else (MappingType.CONSTANT, constant) if constant is not None
                           else (MappingType.DIRECT, source))
            existing = users.get(target)
            if existing is None:
                users.add(AttributeMapping(target=target, source=value, mapping_type=kind))
            else:
                users.update(existing.target, source=value, mapping_type=kind)
        except (KeyError, MappingError) as exc:
            raise HarnessError(f"idp.mapping {target!r}: {exc}") from None

    # -------------------------------------------------------------- provisioning

    def run_cycle(self, kind: str | None = None) -> Any:
        if kind == "initial" and self.started:
            raise HarnessError("provision: initial runs once per scenario; use provision: incremental")
        if kind == "incremental" and not self.started:
            raise HarnessError("provision: incremental needs a provision: initial first")
        result = self.engine.run_cycle()
        self.started = True
        return result

    def provision_on_demand(self, ref: str) -> Any:
        return self.engine.provision_on_demand(self.object_id(ref))

    def test_connection(self) -> Any:
        return self.engine.test_connection()

    def set_credentials(self, token: str | None, basic: tuple[str, str] | None = None) -> None:
        for secret in (token, basic[1] if basic else None):
            if secret:
                self.session.add_secret(secret)
        if token:  # a provider with Basic credentials only leaves the engine's (now revoked) token in place
            self.engine.set_target(token=token)

    def cleanup(self) -> str:
        """Unassign every object this run created, then let a cycle take them out of the target's scope."""
        assigned = [ref for ref, oid in self.refs.items() if self.directory.exists(oid)
                    and self.directory.assignments_of(oid)]
        for ref in assigned:
            self.directory.unassign(self.refs[ref])
        if assigned and self.started:
            self.engine.run_cycle()
        return f"unassigned {', '.join(assigned) or 'nothing'} (prefix {self.prefix})"
