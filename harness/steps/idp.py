"""IdP steps: change the mock Azure AD directory and run provisioning against the target.

Each directory change runs an incremental cycle afterwards once provisioning has started (the way a
change reaches Code42 in practice, ~40 min later in Azure, at once here); pass ``cycle: false`` to
batch several changes into the next cycle.
"""

from __future__ import annotations

from typing import Any

from harness.context import ScenarioContext
from harness.errors import ExpectationFailed, HarnessError, TargetUnreachable
from harness.matching import mismatches
from harness.steps import step

IDP = ("idp",)


def _ref(args: Any) -> tuple[str, bool | None]:
    return (args, None) if isinstance(args, str) else (args["ref"], args.get("cycle"))


def _then_cycle(ctx: ScenarioContext, cycle: bool | None) -> None:
    if cycle if cycle is not None else ctx.idp.started:
        ctx.idp.run_cycle()


def _simple(name: str, summary: str) -> None:
    def run(ctx: ScenarioContext, args: Any) -> None:
        ref, cycle = _ref(args)
        getattr(ctx.idp, name)(ref)
        _then_cycle(ctx, cycle)
    run.__doc__ = summary
    run.__name__ = name
    step(name, requires=IDP)(run)


_simple("disable", "Set accountEnabled = false on the user (Azure then sends active false).")
_simple("enable", "Set accountEnabled = true on the user.")
_simple("assign", "Assign the user or group to the Code42 app (puts it in provisioning scope).")
_simple("unassign", "Remove the app assignment (out of scope: Azure disables the user in the target).")
_simple("soft_delete", "Delete the user into the recycle bin (IsSoftDeleted).")
_simple("restore", "Restore a soft-deleted user.")
_simple("hard_delete", "Purge the user or group from the directory.")


@step("create_user", requires=IDP)
def create_user(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Add a user to the directory (Faker fills what is not given); not assigned unless you assign it."""
    ctx.idp.create_user(ctx.render(args))
    _then_cycle(ctx, args.get("cycle"))


@step("update_user", requires=IDP)
def update_user(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Change directory attributes of ``ref`` (e.g. department: Legal)."""
    changes = {k: v for k, v in ctx.render(args).items() if k not in ("ref", "cycle")}
    ctx.idp.update_user(args["ref"], changes)
    _then_cycle(ctx, args.get("cycle"))


@step("set_manager", requires=IDP)
def set_manager(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Set or change ``ref``'s manager to the user ``manager``."""
    ctx.idp.update_user(args["ref"], {"manager": args["manager"]})
    _then_cycle(ctx, args.get("cycle"))


@step("remove_manager", requires=IDP)
def remove_manager(ctx: ScenarioContext, args: Any) -> None:
    """Clear ``ref``'s manager."""
    ref, cycle = _ref(args)
    ctx.idp.update_user(ref, {"manager": None})
    _then_cycle(ctx, cycle)


@step("create_group", requires=IDP)
def create_group(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Create a group with members; ``assign: true`` assigns it to the app."""
    ctx.idp.create_group(ctx.render(args))
    if args.get("assign"):
        ctx.idp.assign(args["ref"])
    _then_cycle(ctx, args.get("cycle"))


@step("rename_group", requires=IDP)
def rename_group(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Change a group's displayName."""
    ctx.idp.rename_group(args["ref"], ctx.render(args["displayName"]))
    _then_cycle(ctx, args.get("cycle"))


@step("delete_group", requires=IDP)
def delete_group(ctx: ScenarioContext, args: Any) -> None:
    """Delete a group (hard delete)."""
    ref, cycle = _ref(args)
    ctx.idp.hard_delete(ref)
    _then_cycle(ctx, cycle)


@step("add_members", requires=IDP)
def add_members(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Add users to a group."""
    ctx.idp.add_members(args["group"], args["members"])
    _then_cycle(ctx, args.get("cycle"))


@step("remove_members", requires=IDP)
def remove_members(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Remove users from a group."""
    ctx.idp.remove_members(args["group"], args["members"])
    _then_cycle(ctx, args.get("cycle"))


@step("provision", requires=IDP)
def provision(ctx: ScenarioContext, args: str) -> None:
    """Run a provisioning cycle: ``initial`` (once) or ``incremental``."""
    ctx.idp.run_cycle(args)


@step("provision_on_demand", requires=IDP)
def provision_on_demand(ctx: ScenarioContext, args: str) -> None:
    """Provision one user now (Azure's "Provision on demand")."""
    ctx.idp.provision_on_demand(args)


@step("test_connection", requires=IDP)
def test_connection(ctx: ScenarioContext, args: dict[str, Any] | None) -> None:
    """Azure's "Test Connection" probe; fails the scenario unless the outcome is ``expect_success``."""
    result = ctx.idp.test_connection()
    want = (args or {}).get("expect_success", True)
    if not result.ok and result.status is None:
        # No HTTP answer at all (timeout, refused): the target is unreachable, not defective.
        raise TargetUnreachable(f"Test Connection got no answer from the target: {result.message} "
                                f"({result.error_code})")
    if bool(result.ok) is not want:
        raise ExpectationFailed(f"Test Connection {'failed' if want else 'succeeded'}: {result.message} "
                                f"(HTTP {result.status}, {result.error_code})")


# ------------------------------------------------------------------ expectations on Azure's side


def _path_of(url: str, base: str) -> str:
    return url.removeprefix(base)


@step("idp.request", phases=("then",), requires=IDP)
def idp_request(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """The SCIM traffic Azure AD sent: requests matching method/path regex/body subset (count, min_count)."""
    import re

    args = ctx.render(args)
    base = ctx.target.scim_url.rstrip("/")
    pattern = re.compile(args["path"]) if "path" in args else None
    hits = []
    for ex in ctx.idp.exchanges:
        path = _path_of(ex.url, base)
        if "method" in args and ex.method != args["method"]:
            continue
        if pattern is not None and not pattern.search(path):
            continue
        if "status" in args and ex.status not in (args["status"] if isinstance(args["status"], list) else [args["status"]]):
            continue
        if "body" in args and mismatches(args["body"], ex.request_body):
            continue
        hits.append(ex)
    what = ", ".join(f"{k}={v!r}" for k, v in args.items() if k not in ("count", "min_count"))
    refused = [f"{ex.method} {_path_of(ex.url, base)} -> HTTP {ex.status}" for ex in ctx.idp.exchanges
               if isinstance(ex.status, int) and ex.status >= 400]
    # Azure AD sends what its view of the target implies: an earlier refusal usually explains a missing request.
    what += f" (the target refused earlier Azure AD requests: {'; '.join(refused[:3])})" if refused else ""
    if "count" in args and len(hits) != args["count"]:
        raise ExpectationFailed(f"Azure AD sent {len(hits)} requests with {what}, expected {args['count']}")
    if "count" not in args and len(hits) < args.get("min_count", 1):
        sent = "; ".join(f"{ex.method} {_path_of(ex.url, base)}" for ex in ctx.idp.exchanges[-8:]) or "nothing"
        raise ExpectationFailed(f"Azure AD sent no request with {what} (last sent: {sent})")


@step("idp.log", phases=("then",), requires=IDP)
def idp_log(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Azure's provisioning logs: records for ``ref`` with ``action`` / ``status`` (count)."""
    oid = ctx.idp.object_id(args["ref"]) if "ref" in args else None
    hits = []
    for rec in ctx.idp.logs:
        source, action, status = rec.source_id, rec.action, rec.status
        if oid is not None and source != oid:
            continue
        if "action" in args and str(action).lower() != args["action"].lower():
            continue
        if "status" in args and str(status).lower() != args["status"].lower():
            continue
        hits.append(rec)
    what = ", ".join(f"{k}={v!r}" for k, v in args.items() if k != "count")
    refused = ""
    if "ref" in args and ("count" in args and len(hits) != args["count"] or "count" not in args and not hits):
        refused = ctx.azure_refusals(args["ref"])
        refused = f"; the target refused Azure AD: {refused}" if refused else ""
    if "count" in args and len(hits) != args["count"]:
        raise ExpectationFailed(f"{len(hits)} provisioning log records with {what}, expected {args['count']}{refused}")
    if "count" not in args and not hits:
        raise ExpectationFailed(f"no provisioning log record with {what}{refused}")


# ------------------------------------------------------------------ Azure AD configuration (admin edits)


@step("idp.tenant_url_flag", requires=IDP)
def tenant_url_flag(ctx: ScenarioContext, args: str) -> None:
    """Append a behaviour flag (``aadOptscim062020``) to the Tenant URL, as an Azure admin does.

    azure-ad-behaviour.md §1.1: "Behaviour flags are appended to the tenant URL as a query string, e.g.
    https://host/scim/v2?aadOptscim062020"; the engine reads them from the URL (``set_target``).
    """
    ctx.idp.engine.set_target(f"{ctx.target.scim_url.rstrip('/')}?{args}")


@step("idp.mapping", requires=IDP)
def idp_mapping(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Edit a user attribute mapping in Azure AD (delete it, or set a source / expression / constant).

    ``expression_file`` names a bundled expression in ``simulators/azure_ad/expressions/data`` (the Code42 article's
    country Switch ships as ``code42_country_expression.txt``). Like saving the mapping page, this runs
    no cycle: the next provisioning cycle uses the new mapping.
    """
    args = ctx.render(args)
    expression = args.get("expression")
    if "expression_file" in args:
        from importlib import resources

        data = resources.files("simulators.azure_ad.expressions") / "data" / args["expression_file"]
        if not data.is_file():
            raise HarnessError(f"idp.mapping: no bundled expression {args['expression_file']!r} in "
                               "simulators/azure_ad/expressions/data")
        expression = data.read_text(encoding="utf-8").strip()
    ctx.idp.edit_user_mapping(args["target"], source=args.get("source"), expression=expression,
                              constant=args.get("constant"), delete=bool(args.get("delete")))
