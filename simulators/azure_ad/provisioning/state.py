"""What a provisioning job remembers between cycles: the connector store (links to target objects),
escrows, the provisioning log, staged deletions and the source view last exported per object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulators.azure_ad.provisioning.escrow import Escrow
from simulators.azure_ad.provisioning.logs import ProvisioningLogRecord


@dataclass
class Link:
    """The connector-store entry: "detects and caches the target system's ID ... used to run all future
    operations on that user" (§3.1)."""

    object_type: str
    target_id: str
    disabled_by_scope: bool = False
    #: False once the user was disabled because it was unassigned: "At that point, the user isn't managed by
    #: the service and we won't send a delete request when they're deleted from the directory" (§3.5).
    managed: bool = True
    members: list[str] = field(default_factory=list)  # groups: member target ids exported so far


@dataclass
class JobState:
    links: dict[str, Link] = field(default_factory=dict)
    escrows: dict[str, Escrow] = field(default_factory=dict)
    logs: list[ProvisioningLogRecord] = field(default_factory=list)
    staged_deletes: set[str] = field(default_factory=set)
    last_source: dict[str, dict[str, Any]] = field(default_factory=dict)  # the source view last exported
