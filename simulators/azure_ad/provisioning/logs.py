"""Provisioning log records, shaped like Graph ``provisioningObjectSummary`` (azure-ad-behaviour.md
§7.10): one record per object per cycle with the action, status, steps and modified properties."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from simulators.common.clock import isoformat


@dataclass
class ProvisioningStep:
    name: str
    step_type: str  # import, scoping, matching, processing, referenceResolution, export
    status: str
    description: str
    details: dict[str, str] = field(default_factory=dict)

    def to_graph(self) -> dict[str, Any]:
        return {"name": self.name, "provisioningStepType": self.step_type, "status": self.status,
                "description": self.description, "details": dict(self.details)}


@dataclass
class ProvisioningLogRecord:
    job_id: str
    cycle_id: str
    change_id: str
    activity_datetime: datetime
    object_type: str  # "User" | "Group"
    source_id: str
    source_display_name: str
    action: str = "Other"  # Create, Update, Delete, Disable, StagedDelete, Other
    status: str = "success"  # success, failure, skipped, warning
    target_id: str | None = None
    steps: list[ProvisioningStep] = field(default_factory=list)
    modified_properties: list[dict[str, Any]] = field(default_factory=list)
    error_code: str | None = None
    reason: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    duration_ms: int = 0

    def step(self, name: str, step_type: str, status: str, description: str, **details: str) -> None:
        self.steps.append(ProvisioningStep(name, step_type, status, description, details))

    def fail(self, error_code: str, reason: str) -> None:
        self.status, self.error_code, self.reason = "failure", error_code, reason

    def to_graph(self, tenant_id: str = "") -> dict[str, Any]:
        info: dict[str, Any] = {"status": self.status}
        if self.error_code:
            info["errorInformation"] = {"errorCode": self.error_code, "reason": self.reason,
                                        "additionalDetails": None, "errorCategory": None, "recommendedAction": None}
        return {
            "id": self.id,
            "activityDateTime": isoformat(self.activity_datetime),
            "tenantId": tenant_id,
            "jobId": self.job_id,
            "cycleId": self.cycle_id,
            "changeId": self.change_id,
            "provisioningAction": self.action.lower(),
            "durationInMilliseconds": self.duration_ms,
            "initiatedBy": {"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
            "sourceSystem": {"id": None, "displayName": "Azure Active Directory", "details": {}},
            "targetSystem": {"id": None, "displayName": "customappsso", "details": {}},
            "sourceIdentity": {"id": self.source_id, "displayName": self.source_display_name,
                               "identityType": self.object_type, "details": {}},
            "targetIdentity": {"id": self.target_id or "", "displayName": self.source_display_name,
                               "identityType": self.object_type, "details": {}},
            "modifiedProperties": list(self.modified_properties),
            "provisioningSteps": [s.to_graph() for s in self.steps],
            "provisioningStatusInfo": info,
        }


def new_id() -> str:
    return str(uuid.uuid4())


__all__ = ["ProvisioningLogRecord", "ProvisioningStep", "new_id"]
