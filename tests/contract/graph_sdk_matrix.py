"""The call matrix of issue 13, written against the Graph SDK's public API only, for either SDK
(``msgraph`` on ``/v1.0``, ``msgraph_beta`` on ``/beta``): the generated request builders and models
are resolved by name, so the same steps run unchanged against both packages.

Each step is one SDK call (plus the checks on what it deserialised); :func:`run_matrix` runs them in
order, records which ones failed and why, and prints ``graph sdk: N/M calls ok``. Steps share ids
through :class:`Ctx.state`; a step whose prerequisite failed fails too (its error says so).
"""

from __future__ import annotations

import asyncio
import json
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from graph_sdk_support import Sdk
from kiota_abstractions.base_request_configuration import RequestConfiguration

Step = Callable[["Ctx"], Awaitable[None]]
STEPS: list[tuple[str, Step]] = []
#: the test property that carries the summary line to the terminal summary (tests/contract/conftest.py)
GRAPH_SUMMARY_PROPERTY = "graph_sdk"
PASSWORD = "xWwvJ]6NMw+bWH-d"


def step(name: str) -> Callable[[Step], Step]:
    def register(fn: Step) -> Step:
        STEPS.append((name, fn))
        return fn
    return register


@dataclass
class Ctx:
    sdk: Sdk
    client: Any
    server: str
    domain: str
    state: dict[str, Any] = field(default_factory=dict)

    def m(self, model: str, **kwargs: Any) -> Any:
        """A model instance, ``ctx.m("User", display_name=...)``."""
        return self.sdk.model(model)(**kwargs)

    def query(self, builder: str, *, headers: dict[str, str] | None = None, **params: Any) -> RequestConfiguration:
        """A request configuration with ``builder``'s GET query parameters (``"users.users_request_builder.
        UsersRequestBuilder"``), and headers such as ``ConsistencyLevel``."""
        outer = self.sdk.cls(builder)
        qp_class = getattr(outer, f"{outer.__name__}GetQueryParameters")
        config = RequestConfiguration(query_parameters=qp_class(**params) if params else None)
        for name, value in (headers or {}).items():
            config.headers.add(name, value)
        return config

    def graph_ref(self, object_id: str) -> str:
        return f"https://graph.microsoft.com/{self.sdk.segment}/directoryObjects/{object_id}"

    def sp(self) -> Any:
        return self.client.service_principals.by_service_principal_id(self.state["sp_id"])

    def job(self) -> Any:
        return self.sp().synchronization.jobs.by_synchronization_job_id(self.state["job_id"])

    async def sim_advance(self, seconds: int) -> dict[str, Any]:
        """The harness's own clock control (not Graph): run the cycles that fall due."""
        async with httpx.AsyncClient(timeout=30) as http:
            response = await http.post(f"{self.server}/_sim/clock/advance", json={"seconds": seconds})
        response.raise_for_status()
        return response.json()


EVENTUAL = {"ConsistencyLevel": "eventual"}
USERS = "users.users_request_builder.UsersRequestBuilder"
USER_ITEM = "users.item.user_item_request_builder.UserItemRequestBuilder"
GROUPS = "groups.groups_request_builder.GroupsRequestBuilder"


# ------------------------------------------------------------------------------------------ users
async def _new_user(ctx: Ctx, nickname: str, **extra: Any) -> Any:
    body = ctx.m("User", account_enabled=True, display_name=extra.pop("display_name", nickname.title()),
                 mail_nickname=nickname, user_principal_name=f"{nickname}@{ctx.domain}",
                 password_profile=ctx.m("PasswordProfile", password=PASSWORD,
                                        force_change_password_next_sign_in=False), **extra)
    created = await ctx.client.users.post(body)
    assert created is not None and created.id, "POST /users returned no id"
    assert created.user_principal_name == f"{nickname}@{ctx.domain}", created.user_principal_name
    return created


@step("POST /users (passwordProfile)")
async def create_users(ctx: Ctx) -> None:
    ids = {}
    for nickname, dept, name in (("alice", "Sales", "Alice Anders"), ("bob", "Engineering", "Bob Brown"),
                                 ("carol", "Sales", "Carol Cruz"), ("dave", "Sales", "Dave Diaz"),
                                 ("erin", "Sales", "Erin Evans")):
        user = await _new_user(ctx, nickname, department=dept, display_name=name, job_title="Engineer")
        # "Create User" answers with the default property set: department is read back by $filter below
        assert user.display_name == name and user.job_title == "Engineer" and user.department is None
        ids[nickname] = user.id
    ctx.state["users"] = ids


@step("GET /users/{id}")
async def get_user(ctx: Ctx) -> None:
    user = await ctx.client.users.by_user_id(ctx.state["users"]["alice"]).get()
    assert user.id == ctx.state["users"]["alice"] and user.display_name == "Alice Anders"
    assert user.user_principal_name == f"alice@{ctx.domain}" and user.job_title == "Engineer"
    assert user.business_phones == [], user.business_phones
    by_upn = await ctx.client.users.by_user_id(f"alice@{ctx.domain}").get()  # /users/{id | userPrincipalName}
    assert by_upn.id == user.id


@step("PATCH /users/{id}")
async def patch_user(ctx: Ctx) -> None:
    user_id = ctx.state["users"]["bob"]
    await ctx.client.users.by_user_id(user_id).patch(ctx.m("User", city="Oslo", mobile_phone="+47 555 0101"))
    user = await ctx.client.users.by_user_id(user_id).get(ctx.query(USER_ITEM, select=["city", "mobilePhone"]))
    assert (user.city, user.mobile_phone) == ("Oslo", "+47 555 0101"), (user.city, user.mobile_phone)


@step("GET /users/{id}?$select=<v1.0 properties a client selects>")
async def select_full_property_set(ctx: Ctx) -> None:
    names = ["createdDateTime", "proxyAddresses", "otherMails", "employeeHireDate", "onPremisesSyncEnabled",
             "identities", "creationType", "lastPasswordChangeDateTime", "onPremisesImmutableId",
             "externalUserState", "assignedLicenses", "showInAddressList", "accountEnabled", "department"]
    user = await ctx.client.users.by_user_id(ctx.state["users"]["alice"]).get(ctx.query(USER_ITEM, select=names))
    assert user.created_date_time is not None, "createdDateTime: the mock knows when it created the user"
    assert user.proxy_addresses == [] and user.other_mails == [] and user.assigned_licenses == []
    assert user.employee_hire_date is None and user.on_premises_sync_enabled is None
    assert user.department == "Sales" and user.account_enabled is True
    assert user.display_name is None, "$select must not return unselected properties"


@step("GET /users/{id}?$select=<every property of the SDK's User model>")
async def select_every_sdk_property(ctx: Ctx) -> None:
    names = [n for n in ctx.sdk.structural_properties("User") if not n.startswith("@")]
    assert len(names) > 70, names
    user = await ctx.client.users.by_user_id(ctx.state["users"]["alice"]).get(ctx.query(USER_ITEM, select=names))
    assert user.id == ctx.state["users"]["alice"] and user.display_name == "Alice Anders"
    assert user.user_principal_name == f"alice@{ctx.domain}" and user.mail_nickname == "alice"
    assert user.identities and user.identities[0].issuer_assigned_id == f"alice@{ctx.domain}"
    assert user.on_premises_extension_attributes is not None and user.other_mails == []


@step("GET /users?$filter=department eq 'Sales'")
async def filter_eq(ctx: Ctx) -> None:
    page = await ctx.client.users.get(ctx.query(USERS, filter="department eq 'Sales'", select=["id", "department"]))
    assert {u.id for u in page.value} == {ctx.state["users"][n] for n in ("alice", "carol", "dave", "erin")}


@step("GET /users?$filter=startswith(displayName,'Bo')")
async def filter_startswith(ctx: Ctx) -> None:
    page = await ctx.client.users.get(ctx.query(USERS, filter="startswith(displayName,'Bo')"))
    assert [u.id for u in page.value] == [ctx.state["users"]["bob"]]


@step("GET /users?$top=2 then @odata.nextLink")
async def top_and_next_link(ctx: Ctx) -> None:
    page = await ctx.client.users.get(ctx.query(USERS, top=2))
    seen = [u.id for u in page.value]
    assert len(seen) == 2 and page.odata_next_link, page.odata_next_link
    pages = 1
    while page.odata_next_link and pages < 10:
        page = await ctx.client.users.with_url(page.odata_next_link).get()
        seen += [u.id for u in page.value]
        pages += 1
    assert pages == 3 and sorted(seen) == sorted(ctx.state["users"].values()), (pages, seen)


@step("GET /users?$orderby=displayName desc")
async def orderby(ctx: Ctx) -> None:
    page = await ctx.client.users.get(ctx.query(USERS, orderby=["displayName desc"], select=["displayName"]))
    names = [u.display_name for u in page.value]
    assert names == sorted(names, reverse=True) and len(names) == 5, names


@step("GET /users?$count=true (ConsistencyLevel: eventual)")
async def count_inline(ctx: Ctx) -> None:
    page = await ctx.client.users.get(ctx.query(USERS, headers=EVENTUAL, count=True, filter="department eq 'Sales'"))
    assert page.odata_count == 4 and len(page.value) == 4, page.odata_count


@step("GET /users/$count (ConsistencyLevel: eventual)")
async def count_segment(ctx: Ctx) -> None:
    config = RequestConfiguration()
    config.headers.add("ConsistencyLevel", "eventual")
    count = await ctx.client.users.count.get(config)
    assert count == 5, count


@step('GET /users?$search="displayName:anders" (ConsistencyLevel: eventual)')
async def search(ctx: Ctx) -> None:
    page = await ctx.client.users.get(ctx.query(USERS, headers=EVENTUAL, search='"displayName:anders"'))
    assert [u.id for u in page.value] == [ctx.state["users"]["alice"]], [u.display_name for u in page.value]


@step("PUT /users/{id}/manager/$ref")
async def set_manager(ctx: Ctx) -> None:
    users = ctx.state["users"]
    await ctx.client.users.by_user_id(users["bob"]).manager.ref.put(
        ctx.m("ReferenceUpdate", odata_id=ctx.graph_ref(users["alice"])))


@step("GET /users/{id}/manager")
async def get_manager(ctx: Ctx) -> None:
    manager = await ctx.client.users.by_user_id(ctx.state["users"]["bob"]).manager.get()
    assert manager.id == ctx.state["users"]["alice"] and type(manager).__name__ == "User", manager
    assert manager.display_name == "Alice Anders"


@step("GET /users/{id}?$expand=manager")
async def expand_manager(ctx: Ctx) -> None:
    user = await ctx.client.users.by_user_id(ctx.state["users"]["bob"]).get(ctx.query(USER_ITEM, expand=["manager"]))
    assert user.display_name == "Bob Brown"
    assert user.manager is not None and user.manager.id == ctx.state["users"]["alice"], user.manager
    assert user.manager.display_name == "Alice Anders"


@step("DELETE /users/{id}/manager/$ref")
async def remove_manager(ctx: Ctx) -> None:
    user = ctx.client.users.by_user_id(ctx.state["users"]["bob"])
    await user.manager.ref.delete()
    after = await user.get(ctx.query(USER_ITEM, expand=["manager"]))
    assert after.manager is None, after.manager


# ------------------------------------------------------------------------------------------ groups
@step("POST /groups with members@odata.bind")
async def create_group(ctx: Ctx) -> None:
    users = ctx.state["users"]
    body = ctx.m("Group", display_name="Sales Team", mail_enabled=False, mail_nickname="sales-team",
                 security_enabled=True, description="everyone in sales")
    body.additional_data = {"members@odata.bind": [ctx.graph_ref(users["alice"]), ctx.graph_ref(users["carol"])]}
    group = await ctx.client.groups.post(body)
    assert group.id and group.display_name == "Sales Team" and group.security_enabled is True
    ctx.state["group_id"] = group.id


@step("GET /groups?$filter=displayName eq 'Sales Team'")
async def list_groups(ctx: Ctx) -> None:
    page = await ctx.client.groups.get(ctx.query(GROUPS, filter="displayName eq 'Sales Team'"))
    assert [g.id for g in page.value] == [ctx.state["group_id"]]
    assert page.value[0].description == "everyone in sales" and page.value[0].group_types == []


@step("POST /groups (two more, to sort, count and search)")
async def more_groups(ctx: Ctx) -> None:
    for name, nickname in (("Legal Team", "legal-team"), ("Backup Users", "backup-users")):
        group = await ctx.client.groups.post(ctx.m("Group", display_name=name, mail_enabled=False,
                                                   mail_nickname=nickname, security_enabled=True))
        assert group.id and group.display_name == name


@step("GET /groups?$orderby=displayName")
async def groups_orderby(ctx: Ctx) -> None:
    page = await ctx.client.groups.get(ctx.query(GROUPS, orderby=["displayName"], select=["displayName"]))
    assert [g.display_name for g in page.value] == ["Backup Users", "Legal Team", "Sales Team"], page.value


@step("GET /groups?$count=true&$filter=endswith(displayName,'Team') (ConsistencyLevel: eventual)")
async def groups_count_inline(ctx: Ctx) -> None:
    page = await ctx.client.groups.get(ctx.query(GROUPS, headers=EVENTUAL, count=True,
                                                 filter="endswith(displayName,'Team')"))
    assert page.odata_count == 2 and sorted(g.display_name for g in page.value) == ["Legal Team", "Sales Team"]


@step("GET /groups/$count (ConsistencyLevel: eventual)")
async def groups_count_segment(ctx: Ctx) -> None:
    config = RequestConfiguration()
    config.headers.add("ConsistencyLevel", "eventual")
    assert await ctx.client.groups.count.get(config) == 3


@step('GET /groups?$search="displayName:team" (ConsistencyLevel: eventual)')
async def groups_search(ctx: Ctx) -> None:
    page = await ctx.client.groups.get(ctx.query(GROUPS, headers=EVENTUAL, search='"displayName:team"'))
    assert sorted(g.display_name for g in page.value) == ["Legal Team", "Sales Team"], page.value


@step("GET /groups/{id}/members")
async def list_members(ctx: Ctx) -> None:
    page = await ctx.client.groups.by_group_id(ctx.state["group_id"]).members.get()
    users = ctx.state["users"]
    assert sorted(m.id for m in page.value) == sorted([users["alice"], users["carol"]])
    assert all(type(m).__name__ == "User" and m.display_name for m in page.value)


@step("POST /groups/{id}/members/$ref")
async def add_member(ctx: Ctx) -> None:
    members = ctx.client.groups.by_group_id(ctx.state["group_id"]).members
    await members.ref.post(ctx.m("ReferenceCreate", odata_id=ctx.graph_ref(ctx.state["users"]["dave"])))
    page = await members.get()
    assert ctx.state["users"]["dave"] in {m.id for m in page.value}


@step("DELETE /groups/{id}/members/{id}/$ref")
async def remove_member(ctx: Ctx) -> None:
    members = ctx.client.groups.by_group_id(ctx.state["group_id"]).members
    await members.by_directory_object_id(ctx.state["users"]["dave"]).ref.delete()
    page = await members.get()
    assert ctx.state["users"]["dave"] not in {m.id for m in page.value}


@step("GET /users/{id}?$expand=memberOf")
async def expand_member_of(ctx: Ctx) -> None:
    user = await ctx.client.users.by_user_id(ctx.state["users"]["alice"]).get(ctx.query(USER_ITEM, expand=["memberOf"]))
    assert [g.id for g in user.member_of] == [ctx.state["group_id"]], user.member_of
    assert type(user.member_of[0]).__name__ == "Group" and user.member_of[0].display_name == "Sales Team"


@step("GET /users/{id}/memberOf")
async def member_of(ctx: Ctx) -> None:
    page = await ctx.client.users.by_user_id(ctx.state["users"]["carol"]).member_of.get()
    assert [g.id for g in page.value] == [ctx.state["group_id"]]


# ------------------------------------------------------------------------------------------ service principal
@step("GET /servicePrincipals")
async def service_principals(ctx: Ctx) -> None:
    page = await ctx.client.service_principals.get()
    assert len(page.value) == 1
    sp = page.value[0]
    assert sp.id and sp.app_id and sp.display_name and sp.app_roles and sp.app_roles[0].id
    ctx.state.update(sp_id=sp.id, role_id=sp.app_roles[0].id)


@step("POST /servicePrincipals/{id}/appRoleAssignedTo")
async def assign(ctx: Ctx) -> None:
    for nickname in ("alice", "bob", "dave", "erin"):
        principal = ctx.state["users"][nickname]
        assignment = await ctx.sp().app_role_assigned_to.post(ctx.m(
            "AppRoleAssignment", principal_id=principal, resource_id=ctx.state["sp_id"], app_role_id=ctx.state["role_id"]))
        assert str(assignment.principal_id) == principal and assignment.principal_type == "User"
        assert assignment.id and assignment.resource_display_name


@step("GET /servicePrincipals/{id}/appRoleAssignedTo")
async def list_assignments(ctx: Ctx) -> None:
    page = await ctx.sp().app_role_assigned_to.get()
    users = ctx.state["users"]
    assert sorted(str(a.principal_id) for a in page.value) == sorted(users[n] for n in ("alice", "bob", "dave", "erin"))
    assert all(a.principal_display_name for a in page.value)


# ------------------------------------------------------------------------------------------ synchronization
@step("GET .../synchronization/templates")
async def templates(ctx: Ctx) -> None:
    page = await ctx.sp().synchronization.templates.get()
    assert page.value and page.value[0].id and page.value[0].factory_tag
    ctx.state["template_id"] = page.value[0].id


@step("GET .../synchronization/jobs")
async def list_jobs(ctx: Ctx) -> None:
    page = await ctx.sp().synchronization.jobs.get()
    assert len(page.value) == 1 and page.value[0].template_id == ctx.state["template_id"]
    ctx.state["job_id"] = page.value[0].id


@step("DELETE .../synchronization/jobs/{id}")
async def delete_job(ctx: Ctx) -> None:
    await ctx.job().delete()
    page = await ctx.sp().synchronization.jobs.get()
    assert page.value == [], page.value


@step("POST .../synchronization/jobs")
async def create_job(ctx: Ctx) -> None:
    job = await ctx.sp().synchronization.jobs.post(ctx.m("SynchronizationJob", template_id=ctx.state["template_id"]))
    assert job.id and job.template_id == ctx.state["template_id"]
    assert job.schedule.state.value == "Disabled" and job.schedule.interval is not None, job.schedule
    ctx.state["job_id"] = job.id


@step("PUT .../synchronization/secrets")
async def put_secrets(ctx: Ctx) -> None:
    body = ctx.sdk.cls("service_principals.item.synchronization.secrets.secrets_put_request_body.SecretsPutRequestBody")()
    pair, key = ctx.sdk.model("SynchronizationSecretKeyStringValuePair"), ctx.sdk.model("SynchronizationSecret")
    body.value = [pair(key=key.BaseAddress, value=ctx.state["target_url"]),
                  pair(key=key.SecretToken, value=ctx.state["target_token"])]
    await ctx.sp().synchronization.secrets.put(body)


@step("GET .../synchronization/jobs/{id}")
async def get_job(ctx: Ctx) -> None:
    job = await ctx.job().get()
    assert job.id == ctx.state["job_id"] and job.status.code.value == "NotRun", job.status.code


@step("POST .../jobs/{id}/validateCredentials")
async def validate_credentials(ctx: Ctx) -> None:
    body = ctx.sdk.cls("service_principals.item.synchronization.jobs.item.validate_credentials."
                       "validate_credentials_post_request_body.ValidateCredentialsPostRequestBody")()
    body.use_saved_credentials = True
    await ctx.job().validate_credentials.post(body)


@step("GET .../jobs/{id}/schema (typed attributeDefinition)")
async def get_schema(ctx: Ctx) -> None:
    schema = await ctx.job().schema.get()
    rule = schema.synchronization_rules[0]
    ctx.state["rule_id"] = rule.id
    mapping = next(m for m in rule.object_mappings if m.source_object_name == "User")
    assert any(a.target_attribute_name == "userName" for a in mapping.attribute_mappings)
    for directory in schema.directories:
        for obj in directory.objects:
            assert obj.attributes, (directory.name, obj.name)
            assert all(a.name and a.type is not None for a in obj.attributes), (directory.name, obj.name)
    aad = next(d for d in schema.directories if d.name == "Azure Active Directory")
    user = next(o for o in aad.objects if o.name == "User")
    assert "userPrincipalName" in {a.name for a in user.attributes}
    ctx.state["schema"] = schema


@step("POST .../jobs/{id}/schema/parseExpression")
async def parse_expression(ctx: Ctx) -> None:
    body = ctx.sdk.cls("service_principals.item.synchronization.jobs.item.schema.parse_expression."
                       "parse_expression_post_request_body.ParseExpressionPostRequestBody")()
    body.expression = 'Join("@", [mailNickname], "contoso.example")'
    body.test_input_object = ctx.m("ExpressionInputObject", properties=[
        ctx.m("StringKeyObjectValuePair", key="mailNickname", additional_data={"value": "alice"})])
    result = await ctx.job().schema.parse_expression.post(body)
    assert result.parsing_succeeded is True and result.evaluation_succeeded is True, result.error
    assert result.evaluation_result == ["alice@contoso.example"], result.evaluation_result
    assert result.parsed_expression is not None and result.parsed_expression.name == "Join"


@step("POST .../jobs/{id}/start")
async def start(ctx: Ctx) -> None:
    await ctx.job().start.post()
    job = await ctx.job().get()
    assert job.schedule.state.value == "Active", job.schedule.state


@step("POST .../jobs/{id}/pause")
async def pause(ctx: Ctx) -> None:
    await ctx.job().pause.post()
    job = await ctx.job().get()
    assert job.schedule.state.value == "Paused", job.schedule.state


@step("POST .../jobs/{id}/restart")
async def restart(ctx: Ctx) -> None:
    body = ctx.sdk.cls("service_principals.item.synchronization.jobs.item.restart.restart_post_request_body."
                       "RestartPostRequestBody")()
    body.criteria = ctx.m("SynchronizationJobRestartCriteria",
                          reset_scope=ctx.sdk.model("SynchronizationJobRestartScope").Full)
    await ctx.job().restart.post(body)


async def _on_demand(ctx: Ctx, object_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    module = "service_principals.item.synchronization.jobs.item.provision_on_demand."
    body = ctx.sdk.cls(module + "provision_on_demand_post_request_body.ProvisionOnDemandPostRequestBody")()
    body.parameters = [ctx.m("SynchronizationJobApplicationParameters", rule_id=ctx.state["rule_id"], subjects=[
        ctx.m("SynchronizationJobSubject", object_id=object_id, object_type_name="User")])]
    pair = await ctx.job().provision_on_demand.post(body)
    key, value = json.loads(pair.key), json.loads(pair.value)
    assert value["sourceIdentity"]["id"] == object_id, ("the result is about someone else", value["sourceIdentity"])
    return key, value


def _scoping_step(value: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in value["provisioningSteps"] if s["type"] == "Scoping")


@step("POST .../provisionOnDemand (assigned user)")
async def on_demand_assigned(ctx: Ctx) -> None:
    key, value = await _on_demand(ctx, ctx.state["users"]["alice"])
    assert key["result"] == "Success", key
    assert value["action"] == "Create" and value["targetIdentity"]["id"], value


@step("POST .../provisionOnDemand (unassigned user)")
async def on_demand_unassigned(ctx: Ctx) -> None:
    key, value = await _on_demand(ctx, ctx.state["users"]["carol"])
    assert key["result"] == "Skipped", key
    assert _scoping_step(value)["details"]["ScopeEvaluationResult"] == "NotInScope", value


@step("PATCH .../jobs/{id}/schema (user scoping filter department EQUALS Sales)")
async def put_schema_scope(ctx: Ctx) -> None:
    schema = ctx.state["schema"]
    user_mapping = next(m for m in schema.synchronization_rules[0].object_mappings if m.source_object_name == "User")
    user_mapping.scope = ctx.m("Filter", groups=[ctx.m("FilterGroup", name="Sales only", clauses=[ctx.m(
        "FilterClause", operator_name="EQUALS", source_operand_name="department",
        target_operand=ctx.m("FilterOperand", values=["Sales"]))])])
    await ctx.job().schema.patch(schema)  # the SDK's only write on this builder (Graph documents PUT)
    after = await ctx.job().schema.get()
    scope = next(m for m in after.synchronization_rules[0].object_mappings if m.source_object_name == "User").scope
    assert scope.groups[0].clauses[0].source_operand_name == "department", scope


@step("POST .../provisionOnDemand (assigned, out of scope by scoping filter)")
async def on_demand_out_of_scope(ctx: Ctx) -> None:
    key, value = await _on_demand(ctx, ctx.state["users"]["bob"])  # Engineering
    assert key["result"] == "Skipped", key
    scoping = _scoping_step(value)
    assert scoping["details"]["ScopeEvaluationResult"] == "NotInScope" and "department" in scoping["description"]


@step("DELETE /users/{id} then provisionOnDemand (soft-deleted user)")
async def on_demand_soft_deleted(ctx: Ctx) -> None:
    dave = ctx.state["users"]["dave"]
    await ctx.client.users.by_user_id(dave).delete()
    key, value = await _on_demand(ctx, dave)
    # "can't disable or delete users that are disabled or deleted in Microsoft Entra ID" (On-demand provisioning)
    assert key["result"] == "Skipped" and "deleted" in key["details"]["errorMessage"], key
    assert value["action"] == "Other", value


@step("POST .../provisionOnDemand (unknown id: Graph 404)")
async def on_demand_unknown(ctx: Ctx) -> None:
    odata_error = ctx.sdk.cls("models.o_data_errors.o_data_error.ODataError")
    try:
        await _on_demand(ctx, "00000000-0000-4000-8000-00000000dead")
    except odata_error as exc:
        assert exc.response_status_code == 404 and exc.error.code == "Request_ResourceNotFound", exc.error.code
    else:
        raise AssertionError("an unknown objectId must be a Graph 404")


@step("GET /auditLogs/provisioning (enum casing)")
async def audit_logs(ctx: Ctx) -> None:
    page = await ctx.client.audit_logs.provisioning.get()
    assert page.value, "on-demand runs write provisioning logs"
    actions = {r.provisioning_action for r in page.value}
    assert None not in actions, "every provisioningAction must be a member of Graph's enum"
    assert "create" in {a.value for a in actions}, actions
    for record in page.value:
        assert record.provisioning_status_info.status is not None
        assert record.source_identity.id and record.job_id == ctx.state["job_id"]
        assert record.initiated_by.initiator_type is not None
        # kiota maps "import" to no member (the member is named Import_), so only the other step types
        assert all(s.provisioning_step_type is not None for s in record.provisioning_steps
                   if s.name != "EntryImport" and s.description)
    ctx.state["log_id"] = page.value[0].id


@step("GET /auditLogs/provisioning?$filter=provisioningAction eq 'create'")
async def filter_logs(ctx: Ctx) -> None:
    page = await ctx.client.audit_logs.provisioning.get(ctx.query(
        "audit_logs.provisioning.provisioning_request_builder.ProvisioningRequestBuilder",
        filter="provisioningAction eq 'create'"))
    assert page.value and all(r.provisioning_action.value == "create" for r in page.value)


@step("staged deletes: GET /auditLogs/provisioning?$filter=provisioningAction eq 'stagedDelete'")
async def staged_deletes(ctx: Ctx) -> None:
    body = ctx.sdk.cls("service_principals.item.synchronization.secrets.secrets_put_request_body.SecretsPutRequestBody")()
    pair, key = ctx.sdk.model("SynchronizationSecretKeyStringValuePair"), ctx.sdk.model("SynchronizationSecret")
    body.value = [pair(key=key.SyncNotificationSettings, value=json.dumps(
        {"Enabled": False, "DeleteThresholdEnabled": True, "DeleteThresholdValue": 1}))]
    await ctx.sp().synchronization.secrets.put(body)  # the accidental-deletions threshold: 1
    await ctx.job().start.post()
    await ctx.sim_advance(60)  # the initial cycle provisions the assigned users
    page = await ctx.sp().app_role_assigned_to.get()
    gone = [a for a in page.value if str(a.principal_id) in (ctx.state["users"]["alice"], ctx.state["users"]["erin"])]
    for assignment in gone:
        await ctx.sp().app_role_assigned_to.by_app_role_assignment_id(assignment.id).delete()
    await ctx.sim_advance(2400)  # the next cycle would remove two users: over the threshold, staged
    page = await ctx.client.audit_logs.provisioning.get(ctx.query(
        "audit_logs.provisioning.provisioning_request_builder.ProvisioningRequestBuilder",
        filter="provisioningAction eq 'stagedDelete'"))
    staged = ctx.sdk.model("ProvisioningAction").StagedDelete
    assert sorted(r.source_identity.id for r in page.value) == sorted(str(a.principal_id) for a in gone), page.value
    assert all(r.provisioning_action is staged for r in page.value)


@step("failed cycle: job status.lastExecution.error is a synchronizationError")
async def failed_cycle(ctx: Ctx) -> None:
    body = ctx.sdk.cls("service_principals.item.synchronization.secrets.secrets_put_request_body.SecretsPutRequestBody")()
    pair, key = ctx.sdk.model("SynchronizationSecretKeyStringValuePair"), ctx.sdk.model("SynchronizationSecret")
    body.value = [pair(key=key.SecretToken, value="a-token-the-target-refuses")]
    await ctx.sp().synchronization.secrets.put(body)
    await ctx.job().start.post()
    await ctx.sim_advance(60)
    job = await ctx.job().get()
    last = job.status.last_execution
    assert last.state.value == "Failed", last.state
    assert type(last.error).__name__ == "SynchronizationError", type(last.error)
    assert last.error.code and last.error.message and last.error.tenant_actionable is True, last.error
    assert job.status.code.value == "Quarantine" and job.status.quarantine.error.code == last.error.code


@step("DELETE /groups/{id} and DELETE /users/{id}")
async def cleanup(ctx: Ctx) -> None:
    await ctx.client.groups.by_group_id(ctx.state["group_id"]).delete()
    await ctx.client.users.by_user_id(ctx.state["users"]["erin"]).delete()
    page = await ctx.client.users.get(ctx.query(USERS, select=["id"]))
    assert ctx.state["users"]["erin"] not in {u.id for u in page.value}


# ------------------------------------------------------------------------------------------ runner
@dataclass
class Outcome:
    name: str
    ok: bool
    detail: str = ""


async def _run(ctx: Ctx) -> list[Outcome]:
    outcomes = []
    for name, fn in STEPS:
        try:
            await fn(ctx)
        except Exception as exc:  # noqa: BLE001 - one failed call must not hide the others
            error = getattr(exc, "error", None)
            detail = f"{type(exc).__name__}: {getattr(error, 'code', '')} {getattr(error, 'message', '') or exc}"
            outcomes.append(Outcome(name, False, detail.strip() + "\n" + traceback.format_exc(limit=-2)))
        else:
            outcomes.append(Outcome(name, True))
    return outcomes


def run_matrix(sdk: Sdk, server: str, tenant: str, client_id: str, client_secret: str, domain: str,
               target_url: str, target_token: str) -> list[Outcome]:
    """Run every step against ``server`` through ``sdk``; print ``graph sdk: N/M calls ok``."""

    async def main() -> list[Outcome]:
        client, _tokens = sdk.client(server, tenant, client_id, client_secret)
        ctx = Ctx(sdk, client, server, domain, {"target_url": target_url, "target_token": target_token})
        return await _run(ctx)

    outcomes = asyncio.run(main())
    for o in outcomes:
        if not o.ok:
            print(f"  FAILED {o.name}: {o.detail}")
    print(summary(sdk, outcomes))
    return outcomes


def summary(sdk: Sdk, outcomes: list[Outcome]) -> str:
    """``graph sdk: N/M calls ok (package version, /segment)``: the line issue 13 asks each SDK run to print."""
    ok = sum(o.ok for o in outcomes)
    return f"graph sdk: {ok}/{len(outcomes)} calls ok ({sdk.package} {sdk.version}, /{sdk.segment})"
