"""SCIM steps: raw requests (RFC 7644 core scenarios) and resource-state expectations.

Why raw requests: conformance to RFC 7644 is about exact status codes, ``scimType`` values and error
bodies, which only a request the scenario spells out byte by byte can prove.
"""

from __future__ import annotations

import json
import re
from typing import Any

from harness.context import ScenarioContext
from harness.errors import ExpectationFailed, NotVerifiable
from harness.matching import dig, mismatches
from harness.steps import step

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


def check_response(status: int, headers: Any, body: Any, expect: dict[str, Any], what: str) -> list[str]:
    """Problems with one response against an ``expect`` block (status, scimType, error, body, headers)."""
    problems = []
    want = expect.get("status")
    if want is not None and status not in (want if isinstance(want, list) else [want]):
        detail = f" ({body.get('detail')})" if isinstance(body, dict) and body.get("detail") else ""
        problems.append(f"{what}: expected HTTP {want}, got {status}{detail}")
    if expect.get("error"):
        if not isinstance(body, dict) or ERROR_SCHEMA not in (body.get("schemas") or []):
            problems.append(f"{what}: the body is not an RFC 7644 §3.12 error (schemas must list {ERROR_SCHEMA})")
        elif body.get("status") != str(status):
            problems.append(f"{what}: error body status {body.get('status')!r} must be the HTTP status as a "
                            f"string ({str(status)!r})")
    if "scimType" in expect:
        got = body.get("scimType") if isinstance(body, dict) else None
        if got != expect["scimType"]:
            problems.append(f"{what}: expected scimType {expect['scimType']!r}, got {got!r}")
    if "body" in expect:
        problems += [f"{what}: body.{m}" for m in mismatches(expect["body"], body)]
    for path in expect.get("body_absent", []):
        try:
            value = dig(body, path)
        except KeyError:
            continue
        # RFC 7643 §2.5: null and an empty multi-valued attribute are equivalent to an unassigned one.
        if value is not None and value != []:
            problems.append(f"{what}: body.{path} must be absent, got {json.dumps(value, default=str)[:120]}")
    for name, pattern in (expect.get("headers") or {}).items():
        value = headers.get(name)
        if value is None or not re.search(pattern, value):
            problems.append(f"{what}: header {name} {value!r} does not match {pattern!r}")
    return problems


@step("scim.request", phases=("when", "then"), requires=("scim",))
def scim_request(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """Send one SCIM request to the target and check the response against ``expect``."""
    args = ctx.render({k: v for k, v in args.items() if k != "expect"}) | {"expect": args.get("expect")}
    prerequisite = bool(args.get("prerequisite"))
    response = ctx.scim.request(args["method"], args["path"], body=args.get("body"), raw_body=args.get("raw_body"),
                                headers=args.get("headers"), auth=args.get("auth", "token"))
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = response.text
    ctx.vars["last.status"] = response.status_code
    expect = ctx.render(args.get("expect") or {})
    problems = check_response(response.status_code, response.headers, body, expect,
                              f"{args['method']} {args['path']}")
    if problems and prerequisite:  # the state the check needs is not there: it cannot be judged here
        raise NotVerifiable("prerequisite not met, so the scenario cannot be checked on this target: "
                            + "; ".join(problems))
    if problems:
        raise ExpectationFailed("; ".join(problems))
    for name, path in (args.get("save") or {}).items():
        try:
            ctx.vars[name] = dig(body, path)
        except KeyError as exc:
            raise ExpectationFailed(f"save {name}: {exc.args[0]} (HTTP {response.status_code})") from None


@step("scim.user", phases=("then",), requires=("scim", "filter"))
def scim_user(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """The target's SCIM User for ``ref`` (found by userName) exists / contains ``attributes``."""
    found = ctx.scim_user(args["ref"])
    name = ctx.user_name(args["ref"])
    if args.get("exists", True) is False:
        if found is not None:
            raise ExpectationFailed(f"SCIM User {name} exists (id {found.get('id')}); expected none")
        return
    if found is None:
        raise ExpectationFailed(f'no SCIM User with userName eq "{name}" on the target' + _refused(ctx, args["ref"]))
    problems = mismatches(ctx.render(args.get("attributes") or {}), found)
    if problems:
        raise ExpectationFailed(f"SCIM User {name}: " + "; ".join(problems))


@step("scim.group", phases=("then",), requires=("scim", "scim-groups", "filter"))
def scim_group(ctx: ScenarioContext, args: dict[str, Any]) -> None:
    """The target's SCIM Group for ``ref`` (found by displayName) exists / has the given members."""
    name = ctx.group_name(args["ref"])
    found = ctx.scim_group(args["ref"])
    if args.get("exists", True) is False:
        if found is not None:
            raise ExpectationFailed(f"SCIM Group {name!r} exists (id {found.get('id')}); expected none")
        return
    if found is None:
        raise ExpectationFailed(f'no SCIM Group with displayName eq "{name}" on the target' + _refused(ctx, args["ref"]))
    if "displayName" in args and found.get("displayName") != args["displayName"]:
        raise ExpectationFailed(f"SCIM Group displayName is {found.get('displayName')!r}, expected {args['displayName']!r}")
    if "members" in args:
        full = ctx.scim.get("Groups", found["id"]) or found
        got = {m.get("value") for m in full.get("members") or []}
        want = {ctx.lookup(f"{ref}.id") for ref in args["members"]}
        if got != want:
            raise ExpectationFailed(f"SCIM Group {name!r} members {sorted(got)}, expected {sorted(want)} "
                                    f"({', '.join(args['members'])})" + _refused(ctx, args["ref"], found["id"]))


def _refused(ctx: ScenarioContext, ref: str, resource_id: str | None = None) -> str:
    """What the target refused of Azure AD's requests about ``ref`` (its member PATCHes name the group by
    id only), as a clause to append to a failure: the cause usually sits there, not in the end state."""
    refused = [r for r in [ctx.azure_refusals(ref)] if r]
    if resource_id and ctx.idp_started:
        base = ctx.target.scim_url.rstrip("/")
        refused += [f"{ex.method} {ex.url.removeprefix(base)} -> HTTP {ex.status}" for ex in ctx.idp.exchanges
                    if isinstance(ex.status, int) and ex.status >= 400 and ex.url.split("?")[0].endswith(f"/{resource_id}")]
    return f"; the target refused Azure AD's requests: {'; '.join(dict.fromkeys(refused))}" if refused else ""
