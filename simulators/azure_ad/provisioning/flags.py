"""Engine switches. Every [INF] fact of azure-ad-behaviour.md is one field here, with the documented
default, so a scenario can flip it instead of the code hard-wiring a guess."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

FLAG_SCIM062020 = "aadOptscim062020"
MANAGER_REMOVALS = ("urn_path", "value_filter", "empty_replace")


@dataclass(frozen=True)
class EngineFlags:
    #: [DOC §6.1] SCIM-compliant PATCH forms (lower-case ops, boolean active, merged replaces, members[value eq]).
    aadOptscim062020: bool = False
    #: [INF §1.1] keep the Tenant URL's query string (the flags) out of outgoing request URLs; False sends
    #: it on every request (``{base}/Users?aadOptscim062020&filter=...``). Undocumented either way.
    strip_flag_from_urls: bool = True
    #: [OBS §2] the random-GUID probe is issued "at the start of any activity" (every cycle, on-demand).
    probe_every_cycle: bool = True
    #: [DOC+INF §2] "requests to fetch a random user and group": the group probe, when groups are provisioned
    #: (``excludedAttributes=members&filter=displayName eq <guid>``), at Test Connection and each probe.
    probe_groups: bool = True
    #: Code42 tutorial: "Users with the Default Access role are excluded from provisioning and will be marked
    #: as not effectively entitled". [DOC §7.2] newer configurations treat it like any role: set False.
    exclude_default_access: bool = True
    #: Graph secret ``SyncAll`` (§7.2): False = "Sync only assigned users and groups" (tutorial's choice).
    sync_all: bool = False
    #: [DOC §7.8] ``SkipOutOfScopeDeletions``.
    skip_out_of_scope_deletions: bool = False
    #: [DOC §7.7] "Prevent accidental deletions" threshold; None = off (the examples use 500).
    accidental_deletion_threshold: int | None = None
    #: [INF §7.12, §11.5] "next_cycle" (legacy: a 429 escrows the object) or "honour" (wait Retry-After, retry once).
    retry_after_policy: str = "next_cycle"
    #: [INF] upper bound on one honoured Retry-After wait (seconds).
    max_retry_after_seconds: float = 300.0
    #: [INF §7.5] immediate re-sends of a request that got 5xx/timeout before escrowing (0 = escrow at once,
    #: which matches "automatically retried in 40 minutes").
    immediate_retries: int = 0
    #: [DOC §8.3] the documented Switch pitfall, reproduced on purpose (default off): "if there is an attribute
    #: mapping that uses a switch statement and there is no change to the attribute in the source tenant, but
    #: there is a change to another attribute in the mappings, the switch statement is evaluated as 'null'"
    #: and "can null the target" — on an update the unchanged Switch mapping's target is removed.
    switch_null_on_unchanged: bool = False
    #: [DOC §7.5] object escrows are "retried in the next sync cycle ... gradually scaling back the frequency of
    #: retries". Waits after the 1st, 2nd, ... failure (the last repeats); () = retry every cycle (default).
    #: [OBS §7.5] a Microsoft answer describes "30m -> 1h -> 2h -> 4h -> 8h".
    escrow_retry_backoff: tuple[timedelta, ...] = ()
    #: [DOC §7.2] B2B guests: "source userPrincipalName has #EXT# and the tenant domain stripped
    #: (alias_theirdomain#EXT#@yourdomain → alias@theirdomain); use originalUserPrincipalName for the full value".
    b2b_strip_ext_upn: bool = True
    #: [DOC §5] member value objects carry ``"$ref": null`` (the tutorial's Add/Remove Members examples); False
    #: sends ``{"value": id}`` only (the flag article's "without flag" removal example).
    member_ref_null: bool = True
    #: [INF §6.2] with ``aadOptscim062020`` a single non-filtered replace keeps its ``path`` (as the flag's
    #: disable example does); False merges it like several (``{"op": "replace", "value": {path: value}}``).
    lone_replace_keeps_path: bool = True
    #: [INF §5] max member values per group PATCH (None = all in one op, the doc's default).
    group_member_batch_size: int | None = None
    #: [DOC §5 / §6.3] historic POST /Groups schema list with the ADSCIM URN (pre-Dec-2018 form).
    legacy_group_schema: bool = False
    #: [DOC+OBS §4] manager wire form: "string" (the bare id under the enterprise URN: the SCIM tutorial's schema
    #: example, Microsoft's SCIM validation app) or "legacy_complex" (the tutorial's "Example 5").
    manager_wire: str = "string"
    #: [INF §4, §11.7] manager removal, which no Microsoft page shows the engine sending: "urn_path" (the
    #: default: ``{"op": "Remove", "path": "urn:...:User:manager"}``, RFC 7644 §3.5.2.2's removal of a
    #: single-valued attribute), "value_filter" (``manager[value eq "id"]``, observed from the engine in the
    #: field [OBS]) or "empty_replace" (``{"op": "Replace", "path": "urn:...:User:manager", "value": ""}``,
    #: what Microsoft's own SCIM validator sends in its manager test).
    manager_removal: str = "urn_path"
    #: [DOC §3.5] a user disabled because it was unassigned "isn't managed by the service and we won't send a
    #: delete request when they're deleted from the directory". [INF] True treats a user that left through a
    #: scoping filter the same way; False keeps it managed, so its purge sends DELETE. A user disabled
    #: because it was soft-deleted stays managed either way: its purge sends DELETE (§3.6).
    scoped_out_is_unmanaged: bool = True
    #: [DOC §3.4 legacy narrative] GET /Users/{id} before updating a known user.
    read_before_update: bool = True
    #: [DOC §3.6 matrix] target object actions (Graph ``objectMapping.flowTypes``).
    user_flow_types: frozenset[str] = frozenset({"Add", "Update", "Delete"})
    group_flow_types: frozenset[str] = frozenset({"Add", "Update", "Delete"})
    #: groups mapping enabled (``objectMapping.enabled``); the users mapping cannot be disabled.
    provision_groups: bool = True
    #: "approximately every 40 minutes" (Code42 tutorial; §7.1).
    cycle_interval: timedelta = timedelta(minutes=40)
    #: [DOC §7.6] job-level retries while quarantined: 6 h, 12 h, 24 h, then every 24 h; disabled after 28 days.
    quarantine_retry_schedule: tuple[timedelta, ...] = (timedelta(hours=6), timedelta(hours=12), timedelta(hours=24))
    quarantine_max_duration: timedelta = timedelta(days=28)
    #: [DOC §7.6] escrow thresholds ("subject to change").
    quarantine_min_failures: int = 5000
    quarantine_failure_proportion: float = 0.40
    quarantine_total_failures: int = 40000
    quarantine_absolute_failures: int = 60000
    #: [DOC §7.9] provision on demand: ≤5 group members, 5 requests / 10 s.
    on_demand_max_group_members: int = 5
    on_demand_rate_limit: tuple[int, timedelta] = (5, timedelta(seconds=10))
    #: per-request timeout in seconds (RecordingSession).
    request_timeout: float = 30.0
    #: [GRAPH §9] job id shape ``{templateId}.{tenantIdWithoutDashes}.{guid}``.
    template_id: str = "scim"
    notification_email: str | None = None

    def __post_init__(self) -> None:
        if self.retry_after_policy not in ("next_cycle", "honour"):
            raise ValueError(f"retry_after_policy={self.retry_after_policy!r} must be 'next_cycle' or 'honour'")
        if self.manager_wire not in ("string", "legacy_complex"):
            raise ValueError(f"manager_wire={self.manager_wire!r} must be 'string' or 'legacy_complex'")
        if self.manager_removal not in MANAGER_REMOVALS:
            raise ValueError(f"manager_removal={self.manager_removal!r} must be one of {', '.join(MANAGER_REMOVALS)}")
        if self.group_member_batch_size is not None and self.group_member_batch_size < 1:
            raise ValueError("group_member_batch_size must be positive or None")

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def with_(self, **changes: Any) -> EngineFlags:
        unknown = set(changes) - set(self.names())
        if unknown:
            raise ValueError(f"unknown engine flags {sorted(unknown)}; known: {', '.join(self.names())}")
        return replace(self, **changes)


def split_tenant_url(tenant_url: str) -> tuple[str, set[str]]:
    """Split the Tenant URL into the base for requests and the behaviour flags in its query string
    ("Behaviour flags are appended to the tenant URL as a query string", §1.1)."""
    parts = urlsplit(tenant_url)
    names = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    base = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    return base, names
