"""Code42-side steps: console actions through the admin API, and expectations on Code42 users and the
Sync Log, read where a Code42 engineer would read them.
"""

from __future__ import annotations

import re
from typing import Any

from harness.context import ScenarioContext
from harness.errors import ExpectationFailed, HarnessError, NotVerifiable
from harness.steps import step
from simulators.common.clock import isoformat

ADMIN = ("code42-admin",)
#: Console-only actions with no public Code42 API (provider settings, credentials, the Sync Log): the
#: scimgate mock serves them, a real tenant cannot be asked, so there they are not verifiable.
CONSOLE = ("code42-admin", "code42-console")


def _user_or_fail(ctx: ScenarioContext, ref: str) -> dict[str, Any]:
    user = ctx.code42_user(ref)
    if user is None:
        raise ExpectationFailed(f"no Code42 user {ctx.user_name(ref)} (GET /v1/users?username=...)")
    return user


def _state(user: dict[str, Any]) -> str:
    if not user.get("active"):
        return "deactivated"
    return "blocked" if user.get("blocked") else "active"


# ------------------------------------------------------------------ actions


@step("code42.legal_hold.place", requires=ADMIN)
def legal_hold_place(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Add ``ref`` as a custodian of legal hold matter ``matter`` (created with the run prefix if absent)."""
    admin = ctx.admin
    matter = admin.matter_id(f"{ctx.target.run_prefix} {args.get('matter', 'matter')}", create=True)
    admin.add_custodian(matter, _user_or_fail(ctx, args["ref"])["userId"])


@step("code42.legal_hold.release", requires=ADMIN)
def legal_hold_release(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Release ``ref`` from matter ``matter`` (deactivate the membership)."""
    admin = ctx.admin
    name = f"{ctx.target.run_prefix} {args.get('matter', 'matter')}"
    matter = admin.matter_id(name, create=False)
    if matter is None:
        raise HarnessError(f"no legal hold matter {name!r}: place someone on it first")
    admin.remove_custodian(matter, _user_or_fail(ctx, args["ref"])["userId"])


@step("code42.legal_hold.close", requires=ADMIN)
def legal_hold_close(ctx: ScenarioContext, args: dict[str, Any] | None) -> None:
    """Close (deactivate) matter ``matter``, releasing every custodian."""
    name = f"{ctx.target.run_prefix} {(args or {}).get('matter', 'matter')}"
    matter = ctx.admin.matter_id(name, create=False)
    if matter is None:
        raise HarnessError(f"no legal hold matter {name!r}")
    ctx.admin.close_matter(matter)


@step("code42.local_user.create", requires=ADMIN)
def local_user_create(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Create a local Code42 user named like the IdP user ``ref`` would be (provisioning may not touch it)."""
    ctx.admin.create_local_user(ctx.user_name(args["ref"]), org=args.get("org"), roles=args.get("roles"))


@step("code42.settings", requires=CONSOLE, destructive="settings")
def settings(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Edit the provider's settings in the console (delay, org mapping, role mapping)."""
    body: dict[str, Any] = {}
    if "deactivation_delay_minutes" in args:
        body["provisioningDeactivationDelay"] = args["deactivation_delay_minutes"]
        ctx.target.profile["deactivation_delay_minutes"] = args["deactivation_delay_minutes"]
    om = args.get("org_mapping") or {}
    if "method" in om:
        body["orgMappingType"] = om["method"]
    if "default_org" in om:
        body["defaultOrgId"] = ctx.admin.org_guid(om["default_org"])
    if "attribute" in om:
        body["scimOrgAttribute"] = om["attribute"]
    if "groups" in om:
        body["scimGroupOrgMap"] = [{"scimGroupUid": _group_uid(ctx, g["group"]), "orgId": ctx.admin.org_guid(g["org"])}
                                   for g in om["groups"]]
    rm = args.get("role_mapping") or {}
    if "method" in rm:
        body["roleMappingType"] = rm["method"]
    if "groups" in rm:
        body["scimGroupRoleMap"] = [{"scimGroupUid": _group_uid(ctx, g["group"]), "roleIds": g["roles"]}
                                    for g in rm["groups"]]
    if "allow_list" in rm:
        body["scimRoleAllowList"] = rm["allow_list"]
    if "attribute" in rm:
        body["scimRoleAttribute"] = rm["attribute"]
    want = args.get("expect_status")
    if want is None:
        ctx.admin.patch_provider(body)
        return
    response = ctx.admin.patch_provider_answer(body)
    if response.status_code != want:
        raise ExpectationFailed(f"the provider settings edit returned HTTP {response.status_code}, expected {want}: "
                                f"{response.text[:200]}")


def _group_uid(ctx: ScenarioContext, ref: str) -> str:
    """The SCIM id of a pushed group; for a group never pushed, its displayName (what a console user would
    try to pick), so a scenario can show that unsynced groups cannot be mapped (``expect_status``)."""
    if ctx.idp_started and ctx.idp.is_group(ref):
        found = ctx.scim_group(ref)
        return found["id"] if found else ctx.group_name(ref)
    return ctx.lookup(f"{ref}.id")


@step("code42.apply_settings", requires=CONSOLE, destructive="settings")
def apply_settings(ctx: ScenarioContext, args: Any) -> None:
    """Click "Apply org and role settings": re-run the mappings for every provisioned user now."""
    ctx.admin.apply_settings()


@step("code42.regenerate_credentials", requires=CONSOLE, destructive="credentials")
def regenerate_credentials(ctx: ScenarioContext, args: dict[str, Any] | None) -> None:
    """Regenerate the provider's SCIM credentials; the IdP is given the new token unless update_idp: false."""
    new = ctx.admin.regenerate_credentials()
    token = new.get("token")
    basic = (new["username"], new["credentialPassword"]) if new.get("credentialPassword") else None
    for secret in (token, basic[1] if basic else None):
        if secret:
            ctx.session.add_secret(secret)
            ctx.target.secrets.append(secret)
    ctx.target.scim_auth.replace(token=token, basic=basic)
    if (args or {}).get("update_idp", True) and ctx.idp_started:
        ctx.idp.set_credentials(token=token, basic=basic)


@step("code42.user.action", requires=ADMIN)
def user_action(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """A console action on ``ref`` (block, unblock, deactivate, activate); ``expect_status`` checks refusals."""
    response = ctx.admin.user_action(_user_or_fail(ctx, args["ref"])["userId"], args["action"])
    want = args.get("expect_status")
    if want is not None and response.status_code != want:
        raise ExpectationFailed(f"{args['action']} returned HTTP {response.status_code}, expected {want}: "
                                f"{response.text[:200]}")
    if want is None and response.status_code >= 300:
        raise ExpectationFailed(f"{args['action']} returned HTTP {response.status_code}: {response.text[:200]}")


# ------------------------------------------------------------------ expectations


def _role_keys(roles: list[dict[str, Any]]) -> set[str]:
    return {str(r.get("roleId")).lower() for r in roles} | {str(r.get("roleName")).lower() for r in roles}


@step("code42.user", phases=("then",), requires=ADMIN)
def code42_user(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """The Code42 user for ``ref``: exists, active/blocked/state, org, roles, manager, attributes, legal hold."""
    args = ctx.render(args)
    name = ctx.user_name(args["ref"])
    user = ctx.code42_user(args["ref"])
    if args.get("exists", True) is False:
        if user is not None:
            raise ExpectationFailed(f"Code42 user {name} exists ({_state(user)}); expected none")
        return
    if user is None:
        raise ExpectationFailed(f"no Code42 user {name}")
    problems = _account_problems(user, args)
    problems += _role_problems(ctx, user, args)
    problems += _user_data_problems(ctx, user, args)
    problems += _legal_hold_problems(ctx, user, args)
    if problems:
        raise ExpectationFailed(f"Code42 user {name}: " + "; ".join(problems))


def _account_problems(user: dict[str, Any], args: dict[str, Any]) -> list[str]:
    """What the user record itself shows: active, blocked, state and org."""
    problems = []
    for key in ("active", "blocked"):
        if key in args and user.get(key) is not args[key]:
            problems.append(f"{key} is {user.get(key)!r}, expected {args[key]!r}")
    if "state" in args and _state(user) != args["state"]:
        problems.append(f"state is {_state(user)}, expected {args['state']}")
    if "org" in args and args["org"] not in (user.get("orgName"), user.get("orgGuid")):
        problems.append(f"org is {user.get('orgName')!r}, expected {args['org']!r}")
    return problems


def _role_problems(ctx: ScenarioContext, user: dict[str, Any], args: dict[str, Any]) -> list[str]:
    """``roles`` (exactly), ``roles_include`` and ``roles_exclude``; the roles are read only when asked."""
    if not any(k in args for k in ("roles", "roles_include", "roles_exclude")):
        return []
    problems = []
    roles = ctx.admin.user_roles(user["userId"])
    keys, ids = _role_keys(roles), sorted(str(r.get("roleId")) for r in roles)
    if "roles" in args and not (all(r.lower() in keys for r in args["roles"]) and len(roles) == len(args["roles"])):
        problems.append(f"roles are {ids}, expected exactly {args['roles']}")
    missing = [r for r in args.get("roles_include", []) if r.lower() not in keys]
    if missing:
        problems.append(f"roles {ids} lack {missing}")
    extra = [r for r in args.get("roles_exclude", []) if r.lower() in keys]
    if extra:
        problems.append(f"roles {ids} must not include {extra}")
    return problems


def _user_data_problems(ctx: ScenarioContext, user: dict[str, Any], args: dict[str, Any]) -> list[str]:
    """``manager`` and ``attributes``, both read from the user's SCIM user data (one request for both)."""
    if "manager" not in args and "attributes" not in args:
        return []
    problems = []
    data = ctx.admin.scim_user_data(user["userId"])
    if "manager" in args:
        want = _expected_manager_id(ctx, args["manager"])
        got = data.get("managerUserId")
        if got != want:
            problems.append(f"manager is {got!r}, expected {want!r} ({args['manager']})")
    for key, want in (args.get("attributes") or {}).items():
        if data.get(key) != want:
            problems.append(f"attribute {key} is {data.get(key)!r}, expected {want!r}")
    return problems


def _expected_manager_id(ctx: ScenarioContext, manager_ref: str | None) -> str | None:
    """The Code42 user id the manager ref should resolve to; a placeholder naming the ref if it has none."""
    if manager_ref is None:
        return None
    manager = ctx.code42_user(manager_ref)
    return manager["userId"] if manager else f"<no Code42 user for {manager_ref}>"


def _legal_hold_problems(ctx: ScenarioContext, user: dict[str, Any], args: dict[str, Any]) -> list[str]:
    """``legal_hold``: whether the user is a custodian of an active hold."""
    if "legal_hold" not in args:
        return []
    # A hold binds only while both the membership and its matter are active: closing a matter
    # releases its custodians without touching their memberships (code42-behaviour.md §2.2).
    on_hold = any(
        m.get("membershipActive") and _matter_active(ctx, m["matterId"])
        for m in ctx.admin.custodian_matters(user["userId"])
    )
    if on_hold is not args["legal_hold"]:
        return [f"on an active legal hold: {on_hold}, expected {args['legal_hold']}"]
    return []


def _matter_active(ctx: ScenarioContext, matter_id: str) -> bool:
    return ctx.admin.matter_active(matter_id)


@step("code42.sync_log", phases=("then",), requires=CONSOLE)
def sync_log(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Sync Log entries since the scenario started matching ref/action/status/message (count, absent)."""
    args = ctx.render(args)
    entries = ctx.admin.sync_log(after=isoformat(ctx.started_at))
    wanted_user = ctx.user_name(args["ref"]).lower() if "ref" in args else None
    pattern = re.compile(args["message"], re.IGNORECASE) if "message" in args else None
    hits = [e for e in entries
            if (wanted_user is None or str(e.get("username") or "").lower() == wanted_user)
            and ("action" not in args or str(e.get("action", "")).lower() == args["action"].lower())
            and ("status" not in args or e.get("status") == args["status"])
            and (pattern is None or pattern.search(str(e.get("message") or "")))]
    what = ", ".join(f"{k}={v!r}" for k, v in args.items() if k not in ("count", "absent"))
    seen = "; ".join(f"{e.get('action')}/{e.get('status')}: {e.get('message')}" for e in entries[-5:]) or "none"
    if args.get("absent"):
        if hits:
            raise ExpectationFailed(f"Sync Log has {len(hits)} entries with {what}; expected none")
    elif "count" in args:
        if len(hits) != args["count"]:
            raise ExpectationFailed(f"Sync Log has {len(hits)} entries with {what}, expected {args['count']} "
                                    f"(latest: {seen})")
    elif not hits:
        raise ExpectationFailed(f"no Sync Log entry with {what} (latest: {seen})")


@step("code42.directory_groups", phases=("then",), requires=ADMIN)
def directory_groups(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """The SCIM groups Code42 offers for mapping (``GET /v1/directory-groups``): ``includes`` / ``excludes`` refs.

    Seed, Step 5: "Groups appear only after a provisioning synchronization from Azure AD has completed."
    """
    listed = set(ctx.admin.directory_group_names())
    problems = [f"{ref} ({ctx.group_name(ref)!r}) is not listed" for ref in args.get("includes", [])
                if ctx.group_name(ref) not in listed]
    problems += [f"{ref} ({ctx.group_name(ref)!r}) is listed" for ref in args.get("excludes", [])
                 if ctx.group_name(ref) in listed]
    if problems:
        raise ExpectationFailed("Code42 directory groups: " + "; ".join(problems) + f" (listed: {sorted(listed)})")


@step("code42.user.edit", requires=ADMIN)
def user_edit(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """An admin edits ``ref``'s profile in the console (firstName, lastName, email) through
    ``PUT /api/v1/User/{userUid}?idType=uid`` (py42 ``update_user``); the next provisioning update must
    overwrite it (seed: "These updates overwrite any changes made in Code42")."""
    fields = {k: v for k, v in ctx.render(args).items() if k != "ref"}
    uid = _user_or_fail(ctx, args["ref"])["userId"]
    response = ctx.admin.edit_user(uid, fields)
    if response.status_code >= 300:  # the console refused an ordinary admin edit: a product defect
        raise ExpectationFailed(f"console edit of {ctx.user_name(args['ref'])} returned HTTP "
                                f"{response.status_code}: {response.text[:200]}")


@step("code42.restart", requires=("sim-control",))
def restart(ctx: ScenarioContext, args: Any) -> None:
    """Restart the mock Code42 on the same database file and clock (simulation only): state that
    survives is what a real service restart keeps, e.g. pending deactivations."""
    if ctx.target.restart is None:
        raise NotVerifiable("code42.restart needs the in-process mock Code42 (it restarts the process on its "
                            "database file); a given target cannot be restarted from here")
    ctx.target.restart()
