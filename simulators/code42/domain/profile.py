"""Load and validate a Code42 tenant profile (``scenarios/profiles/*.yaml``) into a :class:`Code42Profile`.

Why a profile: the same scenarios run against any tenant configuration (plan, delay, mapping method),
and every behaviour the documentation leaves open ([INF]) must be a named switch with a documented
default (DESIGN.md), declared in ``schemas/profile.schema.json``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from simulators.common.bundled import data_dir

#: Seed, "Basic roles": "Incydr Professional and Enterprise: Include the Agent User role for all users.
#: Incydr Basic and Advanced, CrashPlan Cloud, and other plans: Include the roles Desktop User and PROe User".
INCYDR_PRO_PLANS = frozenset({"incydr-professional", "incydr-enterprise"})
PLANS = ("incydr-professional", "incydr-enterprise", "incydr-basic", "incydr-advanced", "crashplan-cloud", "other")


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class OrgSpec:
    name: str
    parent: str | None = None
    default_roles: list[str] | None = None


@dataclass(frozen=True)
class LocalUserSpec:
    username: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    org: str | None = None
    roles: list[str] | None = None


@dataclass
class OrgMapping:
    method: str = "DEFAULT"
    default_org: str | None = None
    groups: list[dict[str, str]] = field(default_factory=list)
    attribute: str = "c42OrgName"
    attribute_urn: str = "urn:ietf:params:scim:schemas:extension:code42:2.0:User"
    parent_org: str | None = None


@dataclass
class RoleMapping:
    method: str = "NONE"
    groups: list[dict[str, Any]] = field(default_factory=list)
    attribute: str = "c42Roles"
    allow_list: list[str] = field(default_factory=list)


@dataclass
class Code42Profile:
    """A validated profile. ``switches`` holds every [INF] switch with defaults filled in."""

    name: str
    plan: str
    provider: dict[str, str]
    deactivation_delay_minutes: int
    root_org: OrgSpec
    orgs: list[OrgSpec]
    org_mapping: OrgMapping
    role_mapping: RoleMapping
    local_users: list[LocalUserSpec]
    switches: dict[str, Any]
    source: str = "<dict>"

    def switch(self, name: str) -> Any:
        """The value of switch ``name``; a name the schema does not declare is an error, not None."""
        if name not in self.switches:
            raise KeyError(f"unknown profile switch {name!r}; known: {', '.join(sorted(self.switches))}")
        return self.switches[name]


@lru_cache(maxsize=1)
def profile_schema() -> dict[str, Any]:
    """The JSON Schema of profiles (``schemas/profile.schema.json``)."""
    return json.loads((data_dir("schemas") / "profile.schema.json").read_text(encoding="utf-8"))


def _fill_defaults(schema: dict[str, Any], value: Any) -> Any:
    """Return ``value`` with the schema's ``default`` filled in for every missing object property."""
    if isinstance(value, dict) and "properties" in schema:
        out = dict(value)
        for name, sub in schema["properties"].items():
            if name not in out and "default" in sub:
                out[name] = copy.deepcopy(sub["default"])
            if name in out:
                out[name] = _fill_defaults(sub, out[name])
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [_fill_defaults(schema["items"], v) for v in value]
    return value


def _path(error: jsonschema.ValidationError) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(top level)"


def load_profile(path_or_dict: str | Path | dict[str, Any] | None) -> Code42Profile:
    """Load a profile from a YAML/JSON file or a dict, validate it, and fill defaults.

    Raises :class:`ProfileError` naming the file and the field for anything wrong.
    """
    source = "<dict>"
    if path_or_dict is None:
        raw: Any = {}
    elif isinstance(path_or_dict, dict):
        raw = path_or_dict
    else:
        path = Path(path_or_dict)
        source = str(path)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ProfileError(f"{source}: cannot read profile: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise ProfileError(f"{source}: not valid YAML: {exc}") from None
        raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise ProfileError(f"{source}: a profile must be a mapping, got {type(raw).__name__}")

    schema = profile_schema()
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        lines = "; ".join(f"field {_path(e)}: {e.message}" for e in errors[:5])
        raise ProfileError(f"{source}: invalid profile: {lines}")
    if raw.get("plan") == "crashplan-small-business":
        raise ProfileError(
            f"{source}: field plan: CrashPlan for Small Business has no SCIM provisioning "
            "(seed 'Who is this article for?': 'CrashPlan for Small Business, no.'); choose one of " + ", ".join(PLANS)
        )
    data = _fill_defaults(schema, raw)
    profile = Code42Profile(
        name=data["name"],
        plan=data["plan"],
        provider=dict(data["provider"]),
        deactivation_delay_minutes=data["deactivation_delay_minutes"],
        root_org=OrgSpec(**data["root_org"]),
        orgs=[OrgSpec(**o) for o in data["orgs"]],
        org_mapping=OrgMapping(**data["org_mapping"]),
        role_mapping=RoleMapping(**data["role_mapping"]),
        local_users=[LocalUserSpec(**u) for u in data["local_users"]],
        switches=dict(data["switches"]),
        source=source,
    )
    _check_references(profile)
    return profile


GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"


def _check_references(profile: Code42Profile) -> None:
    """Checks JSON Schema cannot express: org names referenced must be declared, the attribute URN must
    be able to extend a User (URNs compare case-insensitively)."""
    known = {profile.root_org.name} | {o.name for o in profile.orgs}
    where = profile.source

    def need(org: str | None, field_name: str) -> None:
        if org is not None and org not in known:
            raise ProfileError(f"{where}: field {field_name}: org {org!r} is not the root org nor listed in orgs")

    seen: set[str] = {profile.root_org.name}
    for i, org in enumerate(profile.orgs):
        if org.name in seen:
            raise ProfileError(f"{where}: field orgs/{i}/name: duplicate org {org.name!r}")
        if org.parent is not None and org.parent not in seen:
            raise ProfileError(f"{where}: field orgs/{i}/parent: {org.parent!r} must be listed before {org.name!r}")
        seen.add(org.name)
    urn = profile.org_mapping.attribute_urn
    if not urn.lower().startswith("urn:") or urn.lower() == GROUP_URN.lower():
        # discovery lists this URN as an extension of the User resource type (RFC 7643 §6)
        raise ProfileError(f"{where}: field org_mapping/attribute_urn: {urn!r} must be a URN of the User resource "
                           "type or of an extension of it (not the Group schema)")
    need(profile.org_mapping.default_org, "org_mapping/default_org")
    need(profile.org_mapping.parent_org, "org_mapping/parent_org")
    for i, entry in enumerate(profile.org_mapping.groups):
        need(entry["org"], f"org_mapping/groups/{i}/org")
    for i, user in enumerate(profile.local_users):
        need(user.org, f"local_users/{i}/org")
    from simulators.code42.domain.roles import resolve_role  # here: roles.py imports this module's plan names

    def need_roles(roles: list[str] | None, field_name: str) -> None:
        for j, role in enumerate(roles or []):
            if resolve_role(role) is None:
                raise ProfileError(f"{where}: field {field_name}/{j}: unknown Code42 role {role!r}")

    need_roles(profile.root_org.default_roles, "root_org/default_roles")
    for i, org in enumerate(profile.orgs):
        need_roles(org.default_roles, f"orgs/{i}/default_roles")
    for i, entry in enumerate(profile.role_mapping.groups):
        need_roles(entry["roles"], f"role_mapping/groups/{i}/roles")
    need_roles(profile.role_mapping.allow_list, "role_mapping/allow_list")
    for i, user in enumerate(profile.local_users):
        need_roles(user.roles, f"local_users/{i}/roles")
