"""Provision on demand (§7.9): the refusals Entra answers up front, its rate limit, and the subject's own
log record for the cases where nothing is exported.

The answer to a provision-on-demand request is always the subject's own
:class:`~.logs.ProvisioningLogRecord`, or one of the errors below:

* :class:`OnDemandNotFound`: no user or group with that objectId (Graph: 404 ``Request_ResourceNotFound``);
* :class:`OnDemandThrottled`: more than the documented 5 requests in 10 s (Graph: 429, ``Retry-After``);
* :class:`OnDemandError` itself: any other refusal, e.g. a group over the member limit (Graph: 400).
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from simulators.azure_ad.directory import Directory
from simulators.azure_ad.provisioning.flags import EngineFlags
from simulators.azure_ad.provisioning.logs import ProvisioningLogRecord
from simulators.azure_ad.provisioning.run import Run

#: "Provisioning on demand can't disable or delete users that are disabled or deleted in Microsoft Entra ID."
UNSUPPORTED_DISABLED_OR_DELETED = ("provision on demand cannot disable or delete users disabled or deleted in "
                                   "Entra ID")


class OnDemandError(ValueError):
    """A provision-on-demand request Entra refuses up front (limits of §7.9)."""


class OnDemandNotFound(OnDemandError):
    """No user or group of the requested type has this objectId."""


class OnDemandThrottled(OnDemandError):
    """Over the rate limit; retry after :attr:`retry_after` seconds."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


class OnDemandGate:
    """The checks before a run: the rate limit (a sliding window of request times), the subject's
    existence and type, and the group member limit."""

    def __init__(self) -> None:
        self._calls: deque[datetime] = deque()

    def admit(self, directory: Directory, flags: EngineFlags, object_id: str, object_type: str | None,
              now: datetime) -> None:
        limit, window = flags.on_demand_rate_limit
        while self._calls and now - self._calls[0] >= window:
            self._calls.popleft()
        if len(self._calls) >= limit:
            raise OnDemandThrottled(f"TooManyRequests: provision on demand allows {limit} requests per "
                                    f"{window.total_seconds():g} s", window.total_seconds())
        kinds = {"User": directory.users, "Group": directory.groups}
        if not any(object_id in found for kind, found in kinds.items() if object_type in (None, kind)):
            what = {"User": "user", "Group": "group"}.get(object_type or "", "user or group")
            raise OnDemandNotFound(f"no {what} with objectId {object_id!r}")
        group = directory.groups.get(object_id)
        if group is not None and object_type != "User":
            members = [m for m in group.members if m in directory.users]
            if len(members) > flags.on_demand_max_group_members:
                raise OnDemandError(f"group has {len(members)} members; provision on demand supports up to "
                                    f"{flags.on_demand_max_group_members}")
        self._calls.append(now)


def unsupported_record(run: Run, object_id: str) -> ProvisioningLogRecord:
    """A user disabled or soft-deleted in Entra: on demand does nothing and says why."""
    user = run.directory.users[object_id]
    record = run.record("User", object_id, user.display_name)
    record.step("EntryImport", "import", "success", "Retrieved the user from Azure Active Directory")
    record.step("EntrySynchronizationSkip", "processing", "skipped", UNSUPPORTED_DISABLED_OR_DELETED,
                SkipReason="NotSupportedOnDemand")
    record.action, record.status, record.reason = "Other", "skipped", UNSUPPORTED_DISABLED_OR_DELETED
    return record


def subject_record(run: Run, object_type: str, object_id: str) -> ProvisioningLogRecord:
    """The subject's record of this run; when the exporters wrote none (an unlinked subject out of
    scope, which a cycle passes over silently), one saying it is out of scope."""
    record = run.records.get(object_id)
    if record is not None:
        return record
    decision = run.scope.decide(object_type, object_id)
    record = run.record(object_type, object_id, run.display(object_type, object_id))
    noun = "user" if object_type == "User" else "group"
    record.step("EntryImport", "import", "success", f"Retrieved the {noun} from Azure Active Directory")
    record.step("EntrySynchronizationScoping", "scoping", "skipped", decision.reason,
                IsEffectivelyEntitledForProvisioning=str(decision.entitled), ScopeEvaluationResult="NotInScope")
    record.action, record.status = "Other", "skipped"
    record.error_code = "NotEffectivelyEntitled" if not decision.entitled else "EntrySynchronizationSkipped"
    record.reason = f"The {noun} is not in scope: {decision.reason}"
    return record
