"""The seam between the generic SCIM service provider (store + SCIM routes) and Code42's rules.

The SCIM layer (``http/scim.py``, ``storage/store.py``) knows RFC 7643/7644 only. Everything Code42 adds on top
(local users, manager must exist, lifecycle, org and role mapping, Sync Log) is a
:class:`ProvisioningRules` implementation that the SCIM layer calls inside the same store
transaction, so a request is applied all-or-nothing: if a hook raises, nothing is written.
"""

from __future__ import annotations

from typing import Protocol

from simulators.code42.storage.store import Tx


class ProvisioningRules(Protocol):
    def check_user_write(self, tx: Tx, old: dict | None, new: dict) -> dict:
        """Validate and normalise a User about to be created (``old`` is None) or replaced.

        Returns the document to store (it may drop or rewrite attributes, e.g. an unknown manager).
        Raises :class:`simulators.common.scim.errors.ScimError` to reject the request.
        """

    def user_written(self, tx: Tx, old: dict | None, new: dict) -> None:
        """React to a stored User change: lifecycle, org/role mapping, Sync Log."""

    def delete_user(self, tx: Tx, user: dict) -> bool:
        """Handle DELETE /Users/{id}. Return True when the store should remove the resource."""

    def check_group_write(self, tx: Tx, old: dict | None, new: dict) -> dict:
        """Validate and normalise a Group about to be created or replaced (members included)."""

    def group_written(self, tx: Tx, old: dict | None, new: dict | None, added: set[str], removed: set[str]) -> None:
        """React to a Group created, changed or deleted (``new`` is None); ``added``/``removed`` are member ids."""

    def reset(self) -> None:
        """``POST /_sim/reset`` has just emptied the store: drop whatever the rules hold in memory
        (queued log entries, timers) and re-seed what the tenant starts with."""


class NoRules:
    """A plain RFC 7644 service provider: no Code42 behaviour at all. Used by generic-SCIM tests."""

    def check_user_write(self, tx: Tx, old: dict | None, new: dict) -> dict:
        return new

    def user_written(self, tx: Tx, old: dict | None, new: dict) -> None:
        return None

    def delete_user(self, tx: Tx, user: dict) -> bool:
        return True

    def check_group_write(self, tx: Tx, old: dict | None, new: dict) -> dict:
        return new

    def group_written(self, tx: Tx, old: dict | None, new: dict | None, added: set[str], removed: set[str]) -> None:
        return None

    def reset(self) -> None:
        return None
