"""Code42's rules on top of the generic SCIM service provider (the hooks of :mod:`hooks`).

The SCIM layer calls these hooks inside its store transaction, so raising :class:`ScimError` rejects the
whole request and nothing is written. What Code42 adds (seed 000_fdc7d7180481efa8.txt unless noted):

- userName must be an email (spec §3.10, ``USERNAME_NOT_AN_EMAIL``) and country ISO 3166-1 alpha-2 (seed
  Troubleshooting: "the SCIM spec that requires a two-character country code");
- "Local users in Code42 cannot be created, updated, or deleted from Azure AD." (Considerations);
- "The manager must also exist in Code42." (Supported attributes);
- "Azure AD updates users' attributes. These updates overwrite any changes made in Code42.";
- lifecycle (:mod:`lifecycle`), org and role mapping (:mod:`assignment`), the Sync Log (:mod:`synclog`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pycountry
from email_validator import EmailNotValidError, validate_email

from simulators.code42.domain import settings as provider_settings
from simulators.code42.domain.assignment import Mapper, Outcome
from simulators.code42.domain.lifecycle import Lifecycle
from simulators.code42.domain.roles import resolve_role
from simulators.code42.domain.synclog import Entry, SyncLog
from simulators.code42.domain.user_schema import user_schema_for
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx
from simulators.common.clock import isoformat
from simulators.common.scim.errors import ScimError

if TYPE_CHECKING:
    from simulators.code42.runtime import Code42Runtime

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def _get(doc: dict[str, Any], name: str) -> Any:
    """A top-level attribute, case-insensitively (RFC 7643 §2.1)."""
    lowered = name.lower()
    for key, value in doc.items():
        if key.lower() == lowered:
            return value
    return None


def _by_lower_name(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc``'s top-level attributes by lower-cased name, the first spelling winning as in :func:`_get`:
    one pass over the keys where :func:`extract` would otherwise make one per attribute it reads."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        out.setdefault(key.lower(), value)
    return out


def _pick(values: Any, type_: str = "work") -> dict[str, Any]:
    """The ``type_`` entry of a multi-valued attribute, else the primary one, else the first."""
    if not isinstance(values, list) or not values:
        return {}
    items = [v for v in values if isinstance(v, dict)]
    for pred in (lambda v: str(v.get("type", "")).lower() == type_, lambda v: v.get("primary") is True,
                 lambda v: True):
        for item in items:
            if pred(item):
                return item
    return {}


def _email_problem(username: str) -> str | None:
    """Why ``username`` is not an email address, or None."""
    try:
        validate_email(username, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def is_country_code(value: Any) -> bool:
    """ISO 3166-1 alpha-2, per ``pycountry`` (``ScimUserDataEntry.country``: exactly 2 chars, "ISO 3166-1 alpha-2")."""
    return isinstance(value, str) and len(value) == 2 and pycountry.countries.get(alpha_2=value.upper()) is not None


def scim_active(doc: dict[str, Any]) -> bool:
    """``active`` as a bool; absent means active (RFC 7643 leaves the default to the provider)."""
    value = _get(doc, "active")
    if isinstance(value, str):
        return value.strip().lower() != "false"
    return value is not False


def extract(doc: dict[str, Any]) -> dict[str, Any]:
    """The Code42 profile values a SCIM User carries (seed "Supported attributes", spec §3.3)."""
    top = _by_lower_name(doc)
    name = top.get("name") or {}
    name = {k.lower(): v for k, v in name.items()} if isinstance(name, dict) else {}
    email = _pick(top.get("emails")).get("value")
    address = {k.lower(): v for k, v in _pick(top.get("addresses")).items()}
    ext = top.get(ENTERPRISE.lower()) or {}
    ext = {k.lower(): v for k, v in ext.items()} if isinstance(ext, dict) else {}
    return {
        "username": top.get("username"),
        "email": email or top.get("username"),
        "first_name": name.get("givenname"),
        "last_name": name.get("familyname"),
        "attrs": {
            "title": top.get("title"), "division": ext.get("division"), "department": ext.get("department"),
            "employmentType": top.get("usertype"), "locality": address.get("locality"),
            "region": address.get("region"), "country": address.get("country") or None,
            "externalId": top.get("externalid"),
        },
        "manager": (ext.get("manager") or {}).get("value") if isinstance(ext.get("manager"), dict) else ext.get("manager"),
    }


class Code42Domain:
    """The Code42 rules. Built by ``app._build_rules(runtime)``; state lives in the runtime's store."""

    def __init__(self, runtime: Code42Runtime):
        self.runtime = runtime
        self.store = runtime.store
        self.profile = runtime.profile
        self.faults = runtime.faults
        self.switches = self.profile.switches
        self.synclog = SyncLog(self.profile.provider["name"], self.switches["sync_log_retention_days"])
        self.lifecycle = Lifecycle(self.synclog, self.switches, self.faults)
        self.mapper = Mapper(lambda s: s["plan"], self.switches, self.faults)
        self._settings: dict[str, Any] | None = None  # cache of the stored provider settings (settings_changed)
        self.store.register_ddl(tables.DDL)
        with self.store.transaction() as tx:
            tables.add_missing_columns(tx)
            settings = self.prepare(tx)
            self.lifecycle.refresh_next_due(tx)  # a file database may hold deactivations from before a restart
        self.settings_changed(settings)

    def settings_changed(self, settings: dict[str, Any]) -> None:
        """Call after committing new provider settings: the SCIM layer's User schema follows the configured
        org/role attribute names (code42-open-questions.md Q4, see :mod:`user_schema`), and the hooks
        read the settings from memory instead of parsing them from SQLite on every request."""
        self._settings = copy.deepcopy(settings)
        self.runtime.user_schema = user_schema_for(settings)

    def current_settings(self, tx: Tx) -> dict[str, Any]:
        """The provider settings, read-only (services that edit them take a copy: :mod:`provisioning_provider`)."""
        if self._settings is None:
            self._settings = provider_settings.load(tx) or provider_settings.seed(tx, self.profile)
        return self._settings

    # ---------------------------------------------------------------- housekeeping

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One store transaction that starts with :meth:`prepare`: what every admin service runs in."""
        with self.store.transaction() as tx:
            self.prepare(tx)
            yield tx

    def prepare(self, tx: Tx, fire: bool = True) -> dict[str, Any]:
        """Seed the tenant on first use (or after a reset), write deferred Sync Log entries, fire due
        deactivations. Every hook and admin request starts here. Returns the provider settings."""
        if tables.root_org(tx) is None:
            self._settings = None  # a fresh (or reset) store: nothing cached applies
            self._seed(tx)
        settings = self.current_settings(tx)
        self.synclog.flush(tx)
        if fire and self.lifecycle.may_be_due(tx.now):
            self.lifecycle.fire_due(tx, tx.now)
            self.lifecycle.refresh_next_due(tx)
        return settings

    def _seed(self, tx: Tx) -> None:
        now = isoformat(tx.now)
        p = self.profile
        root = tables.insert_org(tx, name=p.root_org.name, parent_org_id=None, now=now,
                                    default_roles=p.root_org.default_roles)
        ids = {root["name"]: root["org_id"]}
        for spec in p.orgs:
            org = tables.insert_org(tx, name=spec.name, parent_org_id=ids[spec.parent or p.root_org.name],
                                       now=now, default_roles=spec.default_roles)
            ids[spec.name] = org["org_id"]
        for spec in p.local_users:
            org_id = ids[spec.org or p.root_org.name]
            roles = spec.roles if spec.roles is not None else self.mapper.org_default_roles(
                tx, {"plan": p.plan}, org_id)
            tables.insert_user(tx, username=spec.username, email=spec.email, first_name=spec.first_name,
                                  last_name=spec.last_name, org_id=org_id, source="local", local=True,
                                  now=now, roles=[resolve_role(r).role_id if resolve_role(r) else r for r in roles])

    def tick(self, now: datetime) -> list[str]:
        """Fire the deactivations due at ``now``; returns the userUids deactivated.

        Runs before every write and on the ticker, so it returns at once, without a transaction, when
        nothing is deferred and no deactivation can be due (``lifecycle.next_due`` is kept in memory,
        lowered whenever one is scheduled and recomputed here from the table).
        """
        if not self.synclog.has_deferred() and not self.lifecycle.may_be_due(now):
            return []
        with self.store.transaction() as tx:
            self.prepare(tx, fire=False)
            fired = self.lifecycle.fire_due(tx, now)
            self.lifecycle.refresh_next_due(tx)
            return fired

    def reset(self) -> None:
        """``/_sim/reset`` emptied the store: forget what is held in memory too (deferred Sync Log
        entries, pending deactivations kept in memory under fault ``pending_deactivations_lost_on_restart``),
        then seed the tenant again from the profile."""
        self.synclog.clear_deferred()
        self.lifecycle.reset()
        self._settings = None
        with self.store.transaction() as tx:
            settings = self.prepare(tx)
        self.settings_changed(settings)

    def _reject(self, tx: Tx, error: ScimError, action: str, username: str | None, uid: str | None = None) -> ScimError:
        """Log a rejection so it survives the rollback (see :class:`SyncLog`), and return the error to raise."""
        self.synclog.defer(Entry(tx.now, username, uid, action, "ERROR", error.detail))
        return error

    # ---------------------------------------------------------------- Users

    def check_user_write(self, tx: Tx, old: dict | None, new: dict) -> dict:
        self.prepare(tx)
        values = extract(new)
        username = values["username"]
        action = "Add user" if old is None else "Update user"
        if not isinstance(username, str) or not username.strip():
            raise self._reject(tx, ScimError(400, "userName is required", "invalidValue"), action, None)
        # An unchanged userName is not re-validated: the IdP did not send it (Azure's PATCH carries only
        # what changed), and at 100,000 users the check was a fifth of a PATCH.
        if (old is None or old.get("userName") != username) and not self.faults.on("username_email_not_enforced"):
            problem = _email_problem(username)
            if problem is not None:
                raise self._reject(tx, ScimError(
                    400, f"userName {username!r} is not an email address (USERNAME_NOT_AN_EMAIL): {problem}",
                    "invalidValue"), action, username)

        self._check_username_owner(tx, old, username, action)

        country = values["attrs"]["country"]
        if country and not self.faults.on("country_not_validated") and not is_country_code(country):
            raise self._reject(tx, ScimError(
                400, f"country {country!r} is not an ISO 3166-1 alpha-2 code", "invalidValue"), action, username)

        new = dict(new)
        manager = values["manager"]
        if (manager not in (None, "") and not self.faults.on("manager_not_validated")
                and self._resolve_manager(tx, str(manager)) is None):
            if self.switches["unknown_manager"] == "reject":
                raise self._reject(tx, ScimError(
                    400, f"manager {manager!r} is not a Code42 user", "invalidValue"), action, username)
            # [INF] accept and drop: keep the previous manager (or none) so the IdP does not retry forever.
            ext = dict(new.get(ENTERPRISE) or {})
            previous = ((old or {}).get(ENTERPRISE) or {}).get("manager")
            if previous:
                ext["manager"] = previous
            else:
                ext.pop("manager", None)
            if ext:
                new[ENTERPRISE] = ext
            else:
                new.pop(ENTERPRISE, None)
            self.synclog.add(tx, action, "WARNING", f"manager {manager!r} does not exist in Code42; not set",
                             username=username)
        if old is None and not scim_active(new) and self.switches["post_inactive"] == "create-active":
            # Ping: "Code42 does not support provisioning disabled users ... creates an active user in Code42."
            new["active"] = True
        return new

    def _check_username_owner(self, tx: Tx, old: dict | None, username: str, action: str) -> None:
        """Reject a write whose userName belongs to a Code42 user the provider may not take over."""
        existing = tables.get_user(tx, username=username)
        if old is None or not old.get("id"):
            linked = None
        elif existing is not None and existing["scim_id"] == old["id"]:
            linked = existing  # the usual update: the userName is still this user's own
        else:
            linked = tables.get_user(tx, scim_id=old["id"])
        for target in (existing, linked):
            if target is not None and target["local"] and not self.faults.on("local_users_writable"):
                # "Local users in Code42 cannot be created, updated, or deleted from Azure AD."
                if old is None:
                    error = ScimError(409, f"userName {username!r} belongs to a local Code42 user; local users can "
                                           "only be managed in the Code42 console", "uniqueness")
                else:
                    error = ScimError(400, f"{target['username']!r} is a local Code42 user; local users cannot be "
                                           "updated from the provisioning provider", "mutability")
                raise self._reject(tx, error, action, username, target["user_uid"])
        if (old is not None and existing is not None and existing["scim_id"] not in (None, old.get("id"))
                and not existing["local"]):
            raise self._reject(tx, ScimError(409, f"userName {username!r} already belongs to another Code42 user",
                                             "uniqueness"), action, username, existing["user_uid"])
        if (existing is not None and existing["scim_id"] is None and not existing["local"]
                and (old is not None or self.switches["post_existing_username"] == "conflict-409")):
            raise self._reject(tx, ScimError(409, f"userName {username!r} already exists in Code42", "uniqueness"),
                               action, username, existing["user_uid"])
        if old is not None and existing is not None and linked is not None and existing["user_id"] != linked["user_id"]:
            # A rename onto a username another Code42 user holds (a local one when fault
            # local_users_writable lets the checks above pass): Code42 usernames are unique, so it is a
            # uniqueness conflict, never an adoption of the other user (that was an IntegrityError, a 500).
            raise self._reject(tx, ScimError(409, f"userName {username!r} already belongs to another Code42 user",
                                             "uniqueness"), action, username, existing["user_uid"])

    def _resolve_manager(self, tx: Tx, value: str) -> dict[str, Any] | None:
        kinds = self.switches["manager_value_kinds"]
        lookups = {"scim-id": {"scim_id": value}, "user-uid": {"uid": value}, "username": {"username": value}}
        for kind in kinds:
            found = tables.get_user(tx, **lookups[kind])
            if found is not None:
                return found
        return None

    def user_written(self, tx: Tx, old: dict | None, new: dict) -> None:
        settings = self.current_settings(tx)
        values = extract(new)
        scim_id = new["id"]
        if old is None:  # a SCIM id the store has just made up: no Code42 user links to it, no group lists it
            user, member_of = None, []
        else:
            user = tables.get_user(tx, scim_id=scim_id)
            member_of = list(tx.group_ids_of_member(scim_id))
        manager = values["manager"]
        manager_user = self._resolve_manager(tx, str(manager)) if manager else None
        attrs = dict(values["attrs"])
        attrs["managerUid"] = manager_user["user_uid"] if manager_user else (
            str(manager) if manager and self.faults.on("manager_not_validated") else None)
        profile_fields = {"username": values["username"], "email": values["email"],
                          "first_name": values["first_name"], "last_name": values["last_name"], "attrs": attrs}
        if user is None:
            user = tables.get_user(tx, username=values["username"])
            if user is not None:  # adopt a Code42 user that had no SCIM resource (switch or local fault)
                user = tables.update_user(tx, user["user_id"], isoformat(tx.now), scim_id=scim_id, source="scim")
                self.synclog.add(tx, "Add user", "SUCCESS", "existing Code42 user now managed by the provider",
                                 username=user["username"], user_uid=user["user_uid"])
            else:
                out = self.mapper.run(tx, settings, new, member_of, None)
                user = tables.insert_user(tx, org_id=out.org_id, source="scim", now=isoformat(tx.now),
                                             scim_id=scim_id, active=scim_active(new), **profile_fields)
                self.synclog.add(tx, "Add user", "SUCCESS", "user created", username=user["username"],
                                 user_uid=user["user_uid"])
                self._apply_outcome(tx, user, out)
                return
        changed, user = self._overwrite(tx, user, profile_fields)
        if changed:
            self.synclog.add(tx, "Update user", "SUCCESS", "external attributes changed: " + ", ".join(changed),
                             username=user["username"], user_uid=user["user_uid"])
        if self.switches["remap_on_user_update"]:
            user = self._apply_outcome(tx, user, self.mapper.run(tx, settings, new, member_of, user))
        was_active = scim_active(old) if old is not None else True
        now_active = scim_active(new)
        if was_active and not now_active:
            self.lifecycle.request_deactivation(tx, user, settings)
        elif not was_active and now_active:
            self.lifecycle.reenable(tx, user)

    def _overwrite(self, tx: Tx, user: dict[str, Any], fields: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
        """"These updates overwrite any changes made in Code42." Fault ``updates_do_not_overwrite`` keeps
        the fields an admin edited."""
        sticky = set(user["edited"]) if self.faults.on("updates_do_not_overwrite") else set()
        update: dict[str, Any] = {}
        changed = []
        for key, value in fields.items():
            if key == "attrs":
                merged = dict(user["attrs"])
                for akey, avalue in value.items():
                    if akey not in sticky and merged.get(akey) != avalue:
                        merged[akey] = avalue
                        changed.append(akey)
                if merged != user["attrs"]:
                    update["attrs"] = merged
            elif key not in sticky and user.get(key) != value:
                update[key] = value
                changed.append(key)
        if not sticky:
            update["edited"] = []
        return changed, tables.update_user(tx, user["user_id"], isoformat(tx.now), **update)

    def _apply_outcome(self, tx: Tx, user: dict[str, Any], out: Outcome) -> dict[str, Any]:
        user, changes = self.mapper.apply(tx, user, out)
        for status, message in out.notes:
            self.synclog.add(tx, "Update user", status, message, username=user["username"], user_uid=user["user_uid"])
        if changes:
            self.synclog.add(tx, "Apply mapping", "SUCCESS", "; ".join(changes), username=user["username"],
                             user_uid=user["user_uid"])
        return user

    def delete_user(self, tx: Tx, user: dict) -> bool:
        """PingFederate: "Code42 does not support the delete option." [INF] default: deactivate and answer 204."""
        self.prepare(tx)
        username = _get(user, "userName")
        if self.switches["delete_users"] == "405":
            raise self._reject(tx, ScimError(405, "Code42 does not support deleting users; deactivate them instead",
                                             headers={"Allow": "GET, PUT, PATCH"}), "Delete user", username)
        c42 = tables.get_user(tx, scim_id=user["id"])
        if c42 is not None and c42["local"] and not self.faults.on("local_users_writable"):
            raise self._reject(tx, ScimError(400, "local users cannot be deleted from the provisioning provider",
                                             "mutability"), "Delete user", username, c42["user_uid"])
        if c42 is not None and scim_active(user):
            self.lifecycle.request_deactivation(tx, c42, self.current_settings(tx))
            tx.put_user({**user, "active": False})
        return False

    # ---------------------------------------------------------------- Groups

    def check_group_write(self, tx: Tx, old: dict | None, new: dict) -> dict:
        self.prepare(tx)
        return new

    def group_written(self, tx: Tx, old: dict | None, new: dict | None, added: set[str], removed: set[str]) -> None:
        """A pushed group becomes a Code42 directory group; membership changes re-run the mapping
        ([INF] spec §3.6: "Re-evaluate on Groups PATCH (membership changes)")."""
        group = new or old or {}
        name = _get(group, "displayName") or ""
        if new is None:
            tables.delete_group(tx, group["id"])
            self.synclog.add(tx, "Remove group", "SUCCESS", f"group {name!r} removed")
        else:
            tables.upsert_group(tx, new["id"], name, isoformat(tx.now))
            if old is None:
                self.synclog.add(tx, "Add group", "SUCCESS", f"group {name!r} added")
            elif added or removed or _get(old, "displayName") != name:
                self.synclog.add(tx, "Update group", "SUCCESS",
                                 f"group {name!r}: {len(added)} member(s) added, {len(removed)} removed")
        if not self.switches["remap_on_membership_change"]:
            return
        affected = set(added) | set(removed)
        if old is None or new is None or (old and _get(old, "displayName") != name):
            affected |= {m.get("value") for m in (_get(group, "members") or []) if isinstance(m, dict)}
        settings = self.current_settings(tx)
        for scim_id in sorted(a for a in affected if a):
            self.remap(tx, settings, scim_id)

    def remap(self, tx: Tx, settings: dict[str, Any], scim_id: str) -> dict[str, Any] | None:
        """Re-run org and role mapping for one SCIM-managed user."""
        user = tables.get_user(tx, scim_id=scim_id)
        doc = tx.get_user(scim_id)
        if user is None or doc is None or (user["local"] and not self.faults.on("local_users_writable")):
            return user
        out = self.mapper.run(tx, settings, doc, list(tx.group_ids_of_member(scim_id)), user)
        return self._apply_outcome(tx, user, out)

    def apply_settings(self, tx: Tx) -> int:
        """Console "Actions > Apply org and role settings": "Provisioned users are moved to the mapped
        organizations and are assigned the mapped roles." Returns how many users were evaluated."""
        settings = self.prepare(tx)
        if self.faults.on("apply_settings_noop"):
            return 0
        users = tables.list_users(tx, scim_managed=True)
        for user in users:
            self.remap(tx, settings, user["scim_id"])
        self.synclog.add(tx, "Apply org and role settings", "SUCCESS", f"applied to {len(users)} user(s)")
        return len(users)
