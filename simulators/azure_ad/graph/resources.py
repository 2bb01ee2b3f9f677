"""The Graph representations of directory objects: the v1.0 ``user`` and ``group`` property sets,
their default ``$select`` sets, and the renderings the directory routes return.

Every structural property of the v1.0 ``user`` resource is rendered (Microsoft Graph v1.0 reference,
"user resource type", Properties table; the same names are the properties ``msgraph-sdk``'s ``User``
model deserialises), so a Graph client may ``$select`` any of them: the mock answers with its data
where it has some and with Graph's empty value where it has none — ``null`` for a single value,
``[]`` for a collection (Graph never returns ``null`` for a collection). The directory keeps the
provisioning source names (``mobile``, ``telephoneNumber``, ``extensionAttribute1``) that mapping
expressions read; Graph names (``mobilePhone``, ``businessPhones``, ``onPremisesExtensionAttributes``)
exist only here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from simulators.azure_ad.directory import Directory, DirectoryGroup, DirectoryUser
from simulators.common.clock import isoformat

#: Graph v1.0 returns this set for a user when no ``$select`` is given ("user resource type": "By
#: default, only a limited set of properties are returned").
USER_DEFAULT_SELECT = ("businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
                       "officeLocation", "preferredLanguage", "surname", "userPrincipalName")
GROUP_DEFAULT_SELECT = ("displayName", "description", "mailNickname", "securityEnabled", "mailEnabled",
                        "groupTypes", "mail", "deletedDateTime")
#: Graph user property → directory source attribute, for the plain string properties.
USER_STRINGS = {name: name for name in (
    "city", "companyName", "country", "department", "displayName", "employeeId", "employeeType", "givenName",
    "jobTitle", "mail", "mailNickname", "postalCode", "state", "streetAddress", "surname", "usageLocation",
    "userPrincipalName", "userType")} | {"mobilePhone": "mobile"}
EXTENSION_ATTRIBUTES = tuple(f"extensionAttribute{i}" for i in range(1, 16))
#: v1.0 user properties that are collections (``[]`` when the mock has no data).
USER_COLLECTIONS = ("assignedLicenses", "assignedPlans", "businessPhones", "identities", "imAddresses", "interests",
                    "licenseAssignmentStates", "onPremisesProvisioningErrors", "otherMails", "pastProjects",
                    "provisionedPlans", "proxyAddresses", "responsibilities", "schools", "serviceProvisioningErrors",
                    "skills")
#: v1.0 user properties the mock has no data for (``null``); with USER_STRINGS, USER_COLLECTIONS and
#: the ones :func:`render_user` computes, this is the whole v1.0 property table.
USER_NULLS = ("aboutMe", "ageGroup", "authorizationInfo", "birthday", "consentProvidedForMinor", "creationType",
              "customSecurityAttributes", "deviceEnrollmentLimit", "employeeHireDate", "employeeLeaveDateTime",
              "employeeOrgData", "externalUserState", "externalUserStateChangeDateTime", "faxNumber", "hireDate", "identityParentId",
              "isManagementRestricted", "isResourceAccount", "lastPasswordChangeDateTime",
              "legalAgeGroupClassification", "mailboxSettings", "mySite", "officeLocation",
              "onPremisesDistinguishedName", "onPremisesDomainName", "onPremisesImmutableId",
              "onPremisesLastSyncDateTime", "onPremisesSamAccountName", "onPremisesSecurityIdentifier",
              "onPremisesSyncEnabled", "onPremisesUserPrincipalName", "passwordPolicies", "passwordProfile",
              "preferredDataLocation", "preferredLanguage", "preferredName", "print", "securityIdentifier",
              "showInAddressList", "signInActivity", "signInSessionsValidFromDateTime")


#: user properties only ``/beta`` has (msgraph-beta-sdk's ``User`` model): null / empty collections.
BETA_USER_NULLS = ("cloudLicensing", "cloudRealtimeCommunicationInfo", "identityGovernance",
                   "isLicenseReconciliationNeeded", "onPremisesSipInfo", "refreshTokensValidFromDateTime")
BETA_USER_COLLECTIONS = ("deviceKeys", "infoCatalogs")


@dataclass
class CreationTimes:
    """When each directory object was created, read from the directory's change log (its first
    ``created`` change). Kept incrementally: the log is append-only, so each call scans only what is new."""

    directory: Directory
    _seen: int = 0
    _at: dict[str, datetime] = field(default_factory=dict)

    def of(self, object_id: str) -> datetime | None:
        changes = self.directory.changes
        if len(changes) < self._seen:  # the log was replaced (a reloaded directory): read it again
            self._seen, self._at = 0, {}
        for change in changes[self._seen:]:
            if change.kind == "created":
                self._at.setdefault(change.object_id, change.at)
        self._seen = len(changes)
        return self._at.get(object_id)


def _stamp(value: datetime | None) -> str | None:
    return isoformat(value).replace("+00:00", "Z") if value else None


def render_user(user: DirectoryUser, created: CreationTimes | None = None, *, beta: bool = False) -> dict[str, Any]:
    """Every v1.0 property of ``user`` (and the beta-only ones with ``beta``); ``$select`` projects
    from this."""
    a = user.attributes
    phone = a.get("telephoneNumber")
    body: dict[str, Any] = {"id": user.object_id, "deletedDateTime": _stamp(user.deleted_at)}
    body.update({prop: a.get(source) for prop, source in USER_STRINGS.items()})
    body.update(dict.fromkeys(USER_NULLS))
    body.update({name: [] for name in USER_COLLECTIONS})
    if beta:
        body.update({**dict.fromkeys(BETA_USER_NULLS), **{name: [] for name in BETA_USER_COLLECTIONS}})
    upn = a.get("userPrincipalName")
    body.update({
        "accountEnabled": a.get("accountEnabled"),
        "businessPhones": [phone] if phone else [],
        "createdDateTime": _stamp(created.of(user.object_id)) if created else None,
        "onPremisesExtensionAttributes": {name: a.get(name) for name in EXTENSION_ATTRIBUTES},
        # a cloud account signs in with its UPN: Graph lists that as its one identity ("objectIdentity")
        "identities": [{"signInType": "userPrincipalName", "issuer": str(upn).split("@")[-1],
                        "issuerAssignedId": upn}] if upn else [],
    })
    return body


def render_group(group: DirectoryGroup, created: CreationTimes | None = None) -> dict[str, Any]:
    """The v1.0 group properties of a security group (the only kind the tenant has)."""
    a = group.attributes
    return {"id": group.object_id, "deletedDateTime": _stamp(group.deleted_at),
            "displayName": a.get("displayName"), "description": a.get("description"),
            "mailNickname": a.get("mailNickname"), "securityEnabled": bool(a.get("securityEnabled", True)),
            "mailEnabled": False, "groupTypes": [], "mail": None, "proxyAddresses": [],
            "createdDateTime": _stamp(created.of(group.object_id)) if created else None,
            "classification": None, "expirationDateTime": None, "isAssignableToRole": None,
            "membershipRule": None, "membershipRuleProcessingState": None, "onPremisesDomainName": None,
            "onPremisesLastSyncDateTime": None, "onPremisesNetBiosName": None, "onPremisesSamAccountName": None,
            "onPremisesSecurityIdentifier": None, "onPremisesSyncEnabled": None, "onPremisesProvisioningErrors": [],
            "preferredDataLocation": None, "preferredLanguage": None, "renewedDateTime": None,
            "securityIdentifier": None, "serviceProvisioningErrors": [], "theme": None, "visibility": None}


__all__ = ["BETA_USER_COLLECTIONS", "BETA_USER_NULLS", "EXTENSION_ATTRIBUTES", "GROUP_DEFAULT_SELECT", "USER_COLLECTIONS", "USER_DEFAULT_SELECT", "USER_NULLS",
           "USER_STRINGS", "CreationTimes", "render_group", "render_user"]
