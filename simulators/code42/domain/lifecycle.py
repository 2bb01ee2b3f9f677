"""The user lifecycle: immediate block, delayed deactivation, legal hold, reactivation.

Seed, "Deactivation delay": "When Azure AD sends an update to deactivate a user, Code42 waits 15 minutes
before deactivating that user. This delay applies only when you use provisioning to deactivate users.
When you manually deactivate users in the Code42 console, there is no delay." and, for backup plans,
"Code42 immediately blocks users once they receive a deactivation update from Azure AD."

Seed, "Users on legal hold cannot be deactivated": "Users are blocked instead of deactivated. Once you
release users from legal hold, they are automatically deactivated."

Pending deactivations are rows in SQLite so they survive a restart with a file database (the fault
``pending_deactivations_lost_on_restart`` keeps them in memory instead).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from simulators.code42.domain import settings as provider_settings
from simulators.code42.domain.faults import Faults
from simulators.code42.domain.profile import INCYDR_PRO_PLANS
from simulators.code42.domain.synclog import SyncLog
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx
from simulators.common.clock import isoformat

DOCUMENTED_DELAY_MINUTES = 15


class ActiveLegalHoldError(Exception):
    """Deactivating a custodian of an active matter (admin API: 400 ``ACTIVE_LEGAL_HOLD``)."""


class SqlPending:
    """Pending deactivations in the ``c42_pending_deactivations`` table."""

    def put(self, tx: Tx, uid: str, due: datetime) -> None:
        tables.put_pending(tx, uid, isoformat(due), isoformat(tx.now))

    def get(self, tx: Tx, uid: str) -> dict[str, Any] | None:
        return tables.get_pending(tx, uid)

    def delete(self, tx: Tx, uid: str) -> None:
        tables.delete_pending(tx, uid)

    def set_held(self, tx: Tx, uid: str, held: bool) -> None:
        tables.set_pending_held(tx, uid, held)

    def earliest(self, tx: Tx) -> str | None:
        """The earliest ``due_at`` (held rows included), or None when nothing is pending."""
        return tables.earliest_pending(tx)

    def clear(self) -> None:
        """Nothing in memory: ``/_sim/reset`` already emptied the table."""

    def due(self, tx: Tx, now: datetime) -> list[dict[str, Any]]:
        """Rows due at ``now`` (inclusive), through the ``due_at`` index: every request checks this."""
        return tables.due_pending(tx, isoformat(now))


class MemoryPending:
    """Fault ``pending_deactivations_lost_on_restart``: the same interface, held in process memory."""

    def __init__(self) -> None:
        self._rows: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def put(self, tx: Tx, uid: str, due: datetime) -> None:
        with self._lock:
            self._rows[uid] = {"user_uid": uid, "due_at": isoformat(due), "requested_at": isoformat(tx.now), "held": 0}

    def get(self, tx: Tx, uid: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._rows.get(uid)
            return dict(row) if row else None

    def delete(self, tx: Tx, uid: str) -> None:
        with self._lock:
            self._rows.pop(uid, None)

    def set_held(self, tx: Tx, uid: str, held: bool) -> None:
        with self._lock:
            if uid in self._rows:
                self._rows[uid]["held"] = int(held)

    def earliest(self, tx: Tx) -> str | None:
        with self._lock:
            return min((r["due_at"] for r in self._rows.values()), default=None)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()

    def due(self, tx: Tx, now: datetime) -> list[dict[str, Any]]:
        with self._lock:
            rows = [dict(r) for r in self._rows.values() if r["due_at"] <= isoformat(now)]
        return sorted(rows, key=lambda r: (r["due_at"], r["user_uid"]))


class Lifecycle:
    def __init__(self, synclog: SyncLog, switches: dict[str, Any], faults: Faults):
        self.synclog = synclog
        self.switches = switches
        self.faults = faults
        self.pending = MemoryPending() if faults.on("pending_deactivations_lost_on_restart") else SqlPending()
        # The earliest due_at that may be pending (isoformat text, as stored), or None: lets a tick skip
        # its transaction when nothing can be due. Lowered as soon as a deactivation is scheduled (even
        # in a transaction that later rolls back: too early only costs one needless tick), recomputed
        # from the table by refresh_next_due.
        self._next_due: str | None = None
        self._next_due_lock = threading.Lock()

    def may_be_due(self, now: datetime) -> bool:
        """Could a pending deactivation be due at ``now``? False means a tick has nothing to fire."""
        next_due = self._next_due
        return next_due is not None and next_due <= isoformat(now)

    def refresh_next_due(self, tx: Tx) -> None:
        """Recompute the earliest pending due time from the pending rows (call inside a transaction)."""
        with self._next_due_lock:
            self._next_due = self.pending.earliest(tx)

    def reset(self) -> None:
        """``/_sim/reset``: drop pending deactivations held in memory and the next-due time."""
        self.pending.clear()
        with self._next_due_lock:
            self._next_due = None

    def _schedule(self, tx: Tx, uid: str, due: datetime) -> None:
        self.pending.put(tx, uid, due)
        text = isoformat(due)
        with self._next_due_lock:
            if self._next_due is None or text < self._next_due:
                self._next_due = text

    # ---------------------------------------------------------------- SCIM-driven

    def delay(self, settings: dict[str, Any]) -> timedelta:
        """The provider's delay; fault ``delay_ignored_custom`` uses the documented 15 minutes whatever is set."""
        minutes = DOCUMENTED_DELAY_MINUTES if self.faults.on("delay_ignored_custom") else settings["delay_minutes"]
        return timedelta(minutes=minutes)

    def blocks_on_deactivation(self, plan: str) -> bool:
        """Seed: the immediate block is for "Incydr Basic and Advanced, CrashPlan Cloud, and other plans only";
        code42-open-questions.md Q10 keeps Incydr Professional/Enterprise unblocked (switchable)."""
        if self.faults.on("no_block_on_disable"):
            return False
        if plan in INCYDR_PRO_PLANS:
            return bool(self.switches["block_on_deactivation_incydr_pro_enterprise"])
        return True

    def request_deactivation(self, tx: Tx, user: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
        """A SCIM ``active:false``: block at once (per plan) and deactivate at now + delay."""
        if not user["active"]:
            return user
        if self.blocks_on_deactivation(settings["plan"]) and not user["blocked"]:
            user = tables.update_user(tx, user["user_id"], isoformat(tx.now), blocked=True, blocked_by="scim")
            self.synclog.add(tx, "Block user", "SUCCESS", "blocked on a deactivation update from the provider",
                             username=user["username"], user_uid=user["user_uid"])
        due = tx.now + self.delay(settings)
        self._schedule(tx, user["user_uid"], due)
        self.synclog.add(tx, "Schedule deactivation", "SUCCESS", f"deactivation scheduled for {isoformat(due)}",
                         username=user["username"], user_uid=user["user_uid"])
        if self.faults.on("deactivate_at_once") or due <= tx.now:
            user = self._fire(tx, user["user_uid"])
        return user

    def reenable(self, tx: Tx, user: dict[str, Any]) -> dict[str, Any]:
        """A SCIM ``active:true`` after ``active:false``: cancel the pending deactivation, lift the SCIM block,
        and reactivate if it already happened ([INF] spec §3.5.4; admin blocks per switch)."""
        pending = self.pending.get(tx, user["user_uid"])
        if pending and not self.faults.on("reenable_does_not_cancel"):
            self.pending.delete(tx, user["user_uid"])
            self.synclog.add(tx, "Cancel deactivation", "SUCCESS", "pending deactivation cancelled",
                             username=user["username"], user_uid=user["user_uid"])
        fields: dict[str, Any] = {}
        if user["blocked"] and (user["blocked_by"] != "admin" or self.switches["scim_reactivation_lifts_admin_block"]):
            fields.update(blocked=False, blocked_by=None)
        if not user["active"] and (user["deactivated_by"] != "admin"
                                   or self.switches["scim_reactivation_reactivates_admin_deactivated"]):
            fields.update(active=True, deactivated_by=None, deactivated_at=None)
        if fields:
            user = tables.update_user(tx, user["user_id"], isoformat(tx.now), **fields)
            what = "reactivated" if "active" in fields else "unblocked"
            self.synclog.add(tx, "Reactivate user", "SUCCESS", f"{what} on an activation update from the provider",
                             username=user["username"], user_uid=user["user_uid"])
        return user

    # ---------------------------------------------------------------- timers

    def fire_due(self, tx: Tx, now: datetime) -> list[str]:
        """Fire every pending deactivation due at ``now`` (inclusive); returns the userUids deactivated."""
        fired = []
        for row in self.pending.due(tx, now):
            if row["held"] and (self.faults.on("no_deactivation_on_release")
                                or tables.active_holds(tx, row["user_uid"])):
                continue
            user = self._fire(tx, row["user_uid"])
            if user is not None and not user["active"]:
                fired.append(row["user_uid"])
        return fired

    def _fire(self, tx: Tx, uid: str) -> dict[str, Any] | None:
        user = tables.get_user(tx, uid=uid)
        if user is None:
            self.pending.delete(tx, uid)
            return None
        if self._hold_blocks_scim(tx) and tables.active_holds(tx, uid):
            # "Users are blocked instead of deactivated."
            if not user["blocked"]:
                user = tables.update_user(tx, user["user_id"], isoformat(tx.now), blocked=True, blocked_by="scim")
            if not self.pending.get(tx, uid)["held"]:
                self.pending.set_held(tx, uid, True)
                self.synclog.add(tx, "Deactivate user", "WARNING",
                                 "user is on legal hold: blocked instead of deactivated until released",
                                 username=user["username"], user_uid=uid)
            return user
        self.pending.delete(tx, uid)
        if user["active"]:
            user = tables.update_user(tx, user["user_id"], isoformat(tx.now), active=False,
                                         deactivated_by="scim", deactivated_at=isoformat(tx.now))
            self.synclog.add(tx, "Deactivate user", "SUCCESS", "user deactivated after the deactivation delay",
                             username=user["username"], user_uid=uid)
        return user

    def _hold_blocks_scim(self, tx: Tx) -> bool:
        """Does legal hold stop a SCIM deactivation? The seed says so for "Incydr Basic and Advanced, CrashPlan
        Cloud, and other plans only"; Incydr Professional/Enterprise is undocumented ([INF], a switch)."""
        if self.faults.on("legal_hold_ignored"):
            return False
        if self.switches["legal_hold_protects_incydr_pro_enterprise"]:
            return True
        settings = provider_settings.load(tx)
        return settings is None or settings["plan"] not in INCYDR_PRO_PLANS

    def released(self, tx: Tx, uid: str) -> None:
        """A membership was released or a matter closed: "Once you release users from legal hold, they are
        automatically deactivated" (now, or when the delay runs out)."""
        if self.faults.on("no_deactivation_on_release"):
            return
        row = self.pending.get(tx, uid)
        if row is None or tables.active_holds(tx, uid):
            return
        self.pending.set_held(tx, uid, False)
        if row["due_at"] <= isoformat(tx.now):
            self._fire(tx, uid)

    # ---------------------------------------------------------------- console / admin API (no delay)

    def admin_deactivate(self, tx: Tx, user: dict[str, Any], block: bool = False) -> dict[str, Any]:
        """Seed: "When you manually deactivate users in the Code42 console, there is no delay." Custodians of an
        active matter cannot be deactivated (spec §2.2, 400 ``ACTIVE_LEGAL_HOLD``)."""
        if tables.active_holds(tx, user["user_uid"]) and not self.faults.on("legal_hold_ignored"):
            raise ActiveLegalHoldError(user["user_uid"])
        self.pending.delete(tx, user["user_uid"])
        fields: dict[str, Any] = {"active": False, "deactivated_by": "admin", "deactivated_at": isoformat(tx.now)}
        if block and not user["blocked"]:
            fields.update(blocked=True, blocked_by="admin")
        return tables.update_user(tx, user["user_id"], isoformat(tx.now), **fields)

    def admin_activate(self, tx: Tx, user: dict[str, Any], unblock: bool = False) -> dict[str, Any]:
        fields: dict[str, Any] = {"active": True, "deactivated_by": None, "deactivated_at": None}
        if unblock:
            fields.update(blocked=False, blocked_by=None)
        return tables.update_user(tx, user["user_id"], isoformat(tx.now), **fields)

    def admin_block(self, tx: Tx, user: dict[str, Any], blocked: bool) -> dict[str, Any]:
        return tables.update_user(tx, user["user_id"], isoformat(tx.now), blocked=blocked,
                                     blocked_by="admin" if blocked else None)

