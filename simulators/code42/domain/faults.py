"""The catalogue of named deviations from documented Code42 behaviour that the mock can be told to make.

Why: a conformance harness is only trustworthy if it fails when the target misbehaves. Each fault turns
one documented rule off (or bends it), so a scenario can be proven to catch that deviation. ``caught_by``
lists the scenario ids that fail when the fault is on; the scenario suite fills it in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

SEED = "000_fdc7d7180481efa8.txt"
SPEC = "code42-behaviour.md"
OPEN = "code42-open-questions.md"


@dataclass(frozen=True)
class Fault:
    """One named deviation. ``breaks`` quotes the sentence it violates; ``seed`` says where that sentence is."""

    name: str
    summary: str
    breaks: str
    seed: str
    caught_by: list[str] = field(default_factory=list)


#: Scenario ids that fail with each fault on (and pass with it off), computed by
#: ``python bench/fault_matrix.py --python``; ``tests/harness/test_fault_detection.py`` keeps it true.
CAUGHT_BY: dict[str, list[str]] = {
    "apply_settings_noop": [
        "group-priority/apply-settings-moves-existing-users",
    ],
    "basic_roles_missing": [
        "role-mapping/attribute-roles-limited-to-allow-list",
        "role-mapping/basic-roles-desktop-and-proe-user-on-crashplan",
        "role-mapping/basic-role-agent-user-on-incydr-professional",
        "role-mapping/group-members-get-mapped-roles",
        "role-mapping/leaving-group-removes-its-roles",
    ],
    "case_sensitive_filters": [
        "rfc7644-core/filters-case-insensitive-names-and-username-values",
    ],
    "country_not_validated": [
        "creation/long-country-name-refused",
    ],
    "deactivate_at_once": [
        "deactivation-timing/blocked-at-once-deactivated-after-delay",
        "deactivation-timing/custom-delay-from-console",
        "deactivation-timing/incydr-professional-not-blocked-during-delay",
        "deactivation-timing/pending-deactivation-survives-restart",
        "deactivation-timing/unassigned-user-blocked-then-deactivated",
    ],
    "default_org_ignored": [
        "group-priority/apply-settings-moves-existing-users",
        "group-priority/c42orgname-attribute-creates-org",
        "group-priority/custom-attribute-creates-named-org",
        "group-priority/mapped-group-deleted-user-falls-back",
        "group-priority/membership-change-moves-user",
        "group-priority/only-synced-groups-can-be-mapped",
        "group-priority/unmapped-user-goes-to-default-org",
        "role-mapping/basic-roles-desktop-and-proe-user-on-crashplan",
        "role-mapping/basic-role-agent-user-on-incydr-professional",
        "role-mapping/group-members-get-mapped-roles",
    ],
    "delay_ignored_custom": [
        "deactivation-timing/custom-delay-from-console",
        "deactivation-timing/delay-zero-deactivates-at-once",
    ],
    "group_priority_reversed": [
        "group-priority/first-mapping-wins-for-user-in-several-groups",
        "group-priority/membership-change-moves-user",
    ],
    "groups_visible_before_sync": [
        "group-priority/only-synced-groups-can-be-mapped",
    ],
    "legal_hold_ignored": [
        "legal-hold/console-deactivation-of-custodian-refused",
        "legal-hold/custodian-blocked-instead-of-deactivated",
        "legal-hold/incydr-professional-custodian-not-deactivated",
        "legal-hold/released-from-one-of-two-matters-stays-blocked",
    ],
    "local_users_writable": [
        "creation/local-user-not-taken-over",
        "creation/local-user-rename-refused",
    ],
    "manager_not_validated": [
        "manager-references/manager-unknown-to-code42",
    ],
    "no_block_on_disable": [
        "azure-request-patterns/disable-sends-string-false-and-it-is-honoured",
        "azure-request-patterns/scim062020-flag-sends-boolean-lowercase-ops",
        "deactivation-timing/blocked-at-once-deactivated-after-delay",
        "deactivation-timing/custom-delay-from-console",
        "deactivation-timing/pending-deactivation-survives-restart",
        "deactivation-timing/unassigned-user-blocked-then-deactivated",
        "legal-hold/released-within-delay-deactivated-when-delay-ends",
    ],
    "no_deactivation_on_release": [
        "legal-hold/deactivated-after-last-matter-released",
        "legal-hold/matter-closed-deactivates-blocked-custodian",
        "legal-hold/released-custodian-is-deactivated",
    ],
    "org_attribute_ignored": [
        "group-priority/c42orgname-attribute-creates-org",
        "group-priority/custom-attribute-change-moves-user",
        "group-priority/custom-attribute-creates-named-org",
    ],
    "pending_deactivations_lost_on_restart": [
        "deactivation-timing/pending-deactivation-survives-restart",
    ],
    "reenable_does_not_cancel": [
        "deactivation-timing/reenable-within-delay-cancels",
        "legal-hold/reenabled-while-on-hold-stays-active",
    ],
    "regenerated_token_still_valid": [
        "azure-request-patterns/regenerate-credentials-old-token-rejected",
    ],
    "roles_not_applied": [
        "role-mapping/attribute-roles-limited-to-allow-list",
        "role-mapping/group-members-get-mapped-roles",
        "role-mapping/leaving-group-removes-its-roles",
        "role-mapping/unmapped-user-inherits-org-default-roles",
    ],
    "string_false_ignored": [
        "azure-request-patterns/disable-sends-string-false-and-it-is-honoured",
        "deactivation-timing/blocked-at-once-deactivated-after-delay",
        "deactivation-timing/custom-delay-from-console",
        "deactivation-timing/delay-zero-deactivates-at-once",
        "deactivation-timing/incydr-professional-not-blocked-during-delay",
        "deactivation-timing/pending-deactivation-survives-restart",
        "deactivation-timing/unassigned-user-blocked-then-deactivated",
        "legal-hold/custodian-blocked-instead-of-deactivated",
        "legal-hold/deactivated-after-last-matter-released",
        "legal-hold/incydr-professional-custodian-not-deactivated",
        "legal-hold/matter-closed-deactivates-blocked-custodian",
        "legal-hold/released-custodian-is-deactivated",
        "legal-hold/released-from-one-of-two-matters-stays-blocked",
        "legal-hold/released-within-delay-deactivated-when-delay-ends",
    ],
    "updates_do_not_overwrite": [
        "creation/code42-edits-overwritten-by-next-update",
    ],
    "username_email_not_enforced": [
        "creation/username-must-be-an-email",
    ],
}


def _f(name: str, summary: str, breaks: str, seed: str) -> Fault:
    return Fault(name, summary, breaks, seed, list(CAUGHT_BY.get(name, [])))


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        _f("case_sensitive_filters", "SCIM filters compare attribute names and userName values case-sensitively",
           "attribute names and operators must be case-insensitive (RFC 7644)", f"{SPEC} §3.2 Matching/filter"),
        _f("string_false_ignored", 'PATCH active "False" (a string, as Azure AD sends it) is ignored',
           "Deactivating a user in Azure AD deactivates the user in Code42.",
           f"{SEED} Supported user provisioning features"),
        _f("regenerated_token_still_valid", "The old SCIM token keeps working after Regenerate credentials",
           "If you lose this information, you can always click Regenerate credentials on the provisioning "
           "provider details page", f"{SEED} Step 2; {SPEC} §3.1 (old secret dies at once)"),
        _f("deactivate_at_once", "A SCIM deactivation deactivates at once instead of after the delay",
           "When Azure AD sends an update to deactivate a user, Code42 waits 15 minutes before deactivating "
           "that user.", f"{SEED} Deactivation delay"),
        _f("no_block_on_disable", "A SCIM deactivation does not block the user during the delay",
           "Code42 immediately blocks users once they receive a deactivation update from Azure AD.",
           f"{SEED} Deactivation delay"),
        _f("legal_hold_ignored", "Custodians of an active legal hold are deactivated like anyone else",
           "If you place users on legal hold, Azure AD can't deactivate them.",
           f"{SEED} Users on legal hold cannot be deactivated"),
        _f("no_deactivation_on_release", "A custodian released from legal hold stays blocked for ever",
           "Once you release users from legal hold, they are automatically deactivated.",
           f"{SEED} Users on legal hold cannot be deactivated"),
        _f("manager_not_validated", "manager.value is stored even when it names no Code42 user",
           "The manager must also exist in Code42.", f"{SEED} Supported attributes"),
        _f("group_priority_reversed", "A user in several mapped groups goes by the last mapping, not the first",
           "(Optional) Adjust the priority of each mapping. This is useful for users who belong to more than "
           "one SCIM group.", f"{SEED} Step 5 Map users to organizations using SCIM groups"),
        _f("default_org_ignored", "Unmapped users land in the root org instead of the chosen default org",
           "Choose an organization to which unmapped users will be assigned.",
           f"{SEED} Step 5 Map users to organizations using SCIM groups; Step 2"),
        _f("roles_not_applied", "Role mappings are stored but never applied to users",
           "Role mapping allows you to automatically assign Code42 roles and permissions to provisioned users "
           "based on their SCIM group.", f"{SEED} Step 5 Map users to roles using SCIM groups"),
        _f("country_not_validated", "A country that is not ISO 3166-1 alpha-2 is accepted",
           "While this value will always conform to the SCIM spec that requires a two-character country code",
           f"{SEED} Troubleshooting: The country value is incorrect in Code42; {OPEN} field limits"),
        _f("local_users_writable", "SCIM may create over, update and deactivate local users",
           "Local users in Code42 cannot be created, updated, or deleted from Azure AD.",
           f"{SEED} Considerations"),
        _f("pending_deactivations_lost_on_restart", "Pending deactivations live in memory and vanish on restart",
           "Code42 waits 15 minutes before deactivating that user.", f"{SEED} Deactivation delay"),
        _f("reenable_does_not_cancel", "Re-enabling a user within the delay does not cancel the deactivation",
           "The deactivation delay helps protect against moving users' backup archives into cold storage if "
           "users are accidentally deactivated in Azure AD.", f"{SEED} Deactivation delay"),
        _f("delay_ignored_custom", "A configured deactivation delay is ignored; 15 minutes always applies",
           "The deactivation delay determines how long Code42 waits to deactivate a user after syncing with "
           "the provisioning provider.", f"{SEED} (Optional) Step 6: Edit deactivation delay"),
        _f("updates_do_not_overwrite", "Values changed in the Code42 console survive SCIM updates",
           "Azure AD updates users' attributes. These updates overwrite any changes made in Code42.",
           f"{SEED} Supported user provisioning features"),
        _f("username_email_not_enforced", "A userName that is not an email address is accepted",
           "cloud usernames must be emails (USERNAME_NOT_AN_EMAIL)", f"{SPEC} §3.10"),
        _f("groups_visible_before_sync", "Org/role mappings may name SCIM groups that were never pushed",
           "Groups appear only after a provisioning synchronization from Azure AD has completed.",
           f"{SEED} Step 5 Map users to organizations using SCIM groups"),
        _f("apply_settings_noop", "Actions > Apply org and role settings does nothing",
           "Provisioned users are moved to the mapped organizations and are assigned the mapped roles.",
           f"{SEED} Apply organization and role mappings"),
        _f("org_attribute_ignored", "ATTRIBUTE org mapping ignores the attribute; everyone lands in the default org",
           "The \"c42OrgName\" attribute and Custom attribute methods create Code42 organizations "
           "automatically.", f"{SEED} Step 1: Create Code42 organizations"),
        _f("basic_roles_missing", "Provisioned users do not get the plan's basic roles",
           "Incydr Professional and Enterprise: Include the Agent User role for all users.",
           f"{SEED} Step 5 Basic roles"),
    )
}


class UnknownFaultError(ValueError):
    """A fault name that is not in :data:`FAULTS`; the message lists the catalogue."""


class Faults:
    """The set of faults switched on for one simulator instance."""

    def __init__(self, names: Iterable[str] = ()):
        names = list(names or ())
        unknown = sorted(set(names) - FAULTS.keys())
        if unknown:
            raise UnknownFaultError(
                f"unknown fault name(s) {', '.join(unknown)}; known faults: {', '.join(sorted(FAULTS))}"
            )
        self._on = frozenset(names)

    def on(self, name: str) -> bool:
        """True when the fault ``name`` is switched on. A typo is an error, not a silent False."""
        if name not in FAULTS:
            raise UnknownFaultError(f"unknown fault name {name!r}; known faults: {', '.join(sorted(FAULTS))}")
        return name in self._on

    @property
    def names(self) -> frozenset[str]:
        return self._on

    def __repr__(self) -> str:
        return f"Faults({sorted(self._on)!r})"
