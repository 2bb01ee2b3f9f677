"""Graph's directory routes over the mock directory: ``/v1.0/users``, ``/v1.0/groups`` (with members
``$ref``), ``/v1.0/directory/deletedItems``, ``/v1.0/servicePrincipals`` and
``/v1.0/servicePrincipals/{id}/appRoleAssignedTo``.

Every write lands in :class:`~simulators.azure_ad.directory.Directory`, so its change log drives the
next incremental cycle exactly as a portal edit would. Property names are Graph's (``mobilePhone``,
``businessPhones``, ``onPremisesExtensionAttributes``); the directory keeps the provisioning source
names (``mobile``, ``telephoneNumber``, ``extensionAttribute1``) that mapping expressions read.
``DELETE /users/{id}`` is Entra's soft delete (recycle bin), undone by
``POST /directory/deletedItems/{id}/restore``.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

from flask import Blueprint, Response, jsonify, request

from simulators.azure_ad.directory import DirectoryError, DirectoryGroup, DirectoryUser
from simulators.azure_ad.graph.common import (
    GraphError,
    bad_request,
    check_properties,
    context_url,
    graph_url,
    json_body,
    not_found,
    paged,
    reference_id,
    require,
    select,
    typed,
)
from simulators.azure_ad.graph.odata_filter import parse_odata_filter
from simulators.azure_ad.graph.runtime import AzureAdRuntime, role_id
from simulators.common.clock import isoformat

#: Graph v1.0 returns this set for a user when no ``$select`` is given.
USER_DEFAULT_SELECT = ("businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
                       "officeLocation", "preferredLanguage", "surname", "userPrincipalName")
GROUP_DEFAULT_SELECT = ("displayName", "description", "mailNickname", "securityEnabled", "mailEnabled",
                        "groupTypes", "mail", "deletedDateTime")
#: Graph user property → directory source attribute, for the plain string properties.
_USER_STRINGS = {name: name for name in (
    "city", "companyName", "country", "department", "displayName", "employeeId", "employeeType", "givenName",
    "jobTitle", "mail", "mailNickname", "postalCode", "state", "streetAddress", "surname", "usageLocation",
    "userPrincipalName", "userType")} | {"mobilePhone": "mobile"}
USER_WRITABLE = (*_USER_STRINGS, "accountEnabled", "businessPhones", "onPremisesExtensionAttributes", "passwordProfile")
USER_REQUIRED_ON_CREATE = ("accountEnabled", "displayName", "mailNickname", "userPrincipalName", "passwordProfile")
USER_FILTERABLE = ("id", "accountEnabled", "city", "companyName", "country", "department", "displayName",
                   "employeeId", "employeeType", "givenName", "jobTitle", "mail", "mailNickname", "state", "surname",
                   "usageLocation", "userPrincipalName", "userType")
GROUP_WRITABLE = ("displayName", "description", "mailNickname", "securityEnabled", "mailEnabled", "groupTypes")
GROUP_REQUIRED_ON_CREATE = ("displayName", "mailEnabled", "mailNickname", "securityEnabled")
GROUP_FILTERABLE = ("id", "displayName", "mailNickname", "securityEnabled", "mailEnabled", "description")
EXTENSION_ATTRIBUTES = tuple(f"extensionAttribute{i}" for i in range(1, 16))


# ---------------------------------------------------------------------------------------------- rendering
def render_user(user: DirectoryUser) -> dict[str, Any]:
    a = user.attributes
    phone = a.get("telephoneNumber")
    body: dict[str, Any] = {"id": user.object_id}
    body.update({prop: a.get(source) for prop, source in _USER_STRINGS.items()})
    body.update({
        "accountEnabled": a.get("accountEnabled"),
        "businessPhones": [phone] if phone else [],
        "officeLocation": None,
        "preferredLanguage": None,
        "onPremisesExtensionAttributes": {name: a.get(name) for name in EXTENSION_ATTRIBUTES},
        "deletedDateTime": isoformat(user.deleted_at) if user.deleted_at else None,
    })
    return body


def render_group(group: DirectoryGroup) -> dict[str, Any]:
    a = group.attributes
    return {"id": group.object_id, "displayName": a.get("displayName"), "description": a.get("description"),
            "mailNickname": a.get("mailNickname"), "securityEnabled": bool(a.get("securityEnabled", True)),
            "mailEnabled": False, "groupTypes": [], "mail": None,
            "deletedDateTime": isoformat(group.deleted_at) if group.deleted_at else None}


def _typed_object(obj: DirectoryUser | DirectoryGroup) -> dict[str, Any]:
    if isinstance(obj, DirectoryUser):
        return {"@odata.type": "#microsoft.graph.user", **select(render_user(obj), USER_DEFAULT_SELECT, "user")}
    return {"@odata.type": "#microsoft.graph.group", **select(render_group(obj), GROUP_DEFAULT_SELECT, "group")}


# ---------------------------------------------------------------------------------------------- body → directory
def _user_attributes(body: dict[str, Any], *, create: bool) -> dict[str, Any]:
    check_properties(body, USER_WRITABLE, "user")
    if create:
        for name in USER_REQUIRED_ON_CREATE:
            require(body, name, dict if name == "passwordProfile" else bool if name == "accountEnabled" else str,
                    "user")
    attrs: dict[str, Any] = {}
    for prop, source in _USER_STRINGS.items():
        if prop in body:
            attrs[source] = typed(body, prop, str, "user")
    if "accountEnabled" in body:
        attrs["accountEnabled"] = typed(body, "accountEnabled", bool, "user")
    if "businessPhones" in body:
        phones = typed(body, "businessPhones", list, "user") or []
        if len(phones) > 1 or not all(isinstance(p, str) for p in phones):
            raise bad_request("Invalid value for property 'businessPhones': at most one phone number (a string).")
        attrs["telephoneNumber"] = phones[0] if phones else None
    if "onPremisesExtensionAttributes" in body:
        ext = typed(body, "onPremisesExtensionAttributes", dict, "user") or {}
        check_properties(ext, EXTENSION_ATTRIBUTES, "onPremisesExtensionAttributes")
        for name in ext:
            attrs[name] = typed(ext, name, str, "onPremisesExtensionAttributes")
    if "passwordProfile" in body:  # validated, never stored: the mock has no sign-in
        profile = typed(body, "passwordProfile", dict, "user") or {}
        check_properties(profile, ("password", "forceChangePasswordNextSignIn",
                                   "forceChangePasswordNextSignInWithMfa"), "passwordProfile")
        if create:
            require(profile, "password", str, "passwordProfile")
    upn = attrs.get("userPrincipalName")
    if upn is not None and (upn.count("@") != 1 or not upn.split("@")[0] or "." not in upn.split("@")[1]):
        raise bad_request("Property userPrincipalName is invalid.")
    for name in ("displayName", "mailNickname", "userPrincipalName"):
        if name in attrs and attrs[name] is not None and not str(attrs[name]).strip():
            raise bad_request(f"Invalid value specified for property '{name}' of resource 'User'.")
    return attrs


def _group_attributes(body: dict[str, Any], *, create: bool) -> dict[str, Any]:
    check_properties(body, GROUP_WRITABLE, "group")
    if create:
        for name in GROUP_REQUIRED_ON_CREATE:
            require(body, name, bool if name.endswith("Enabled") else str, "group")
    attrs: dict[str, Any] = {}
    for name in ("displayName", "description", "mailNickname"):
        if name in body:
            attrs[name] = typed(body, name, str, "group")
    if "securityEnabled" in body:
        attrs["securityEnabled"] = typed(body, "securityEnabled", bool, "group")
    if typed(body, "mailEnabled", bool, "group"):
        raise bad_request("Only security groups (mailEnabled false) are supported by this tenant.")
    if typed(body, "groupTypes", list, "group"):
        raise bad_request("Only security groups (groupTypes []) are supported by this tenant.")
    return attrs


# ---------------------------------------------------------------------------------------------- blueprint
def create_directory_blueprint(runtime: AzureAdRuntime) -> Blueprint:
    bp = Blueprint("graph_directory", __name__, url_prefix="/v1.0")
    d = runtime.directory

    def live_user(user_id: str) -> DirectoryUser:
        user = d.users.get(user_id)
        if user is None or user.soft_deleted:
            raise not_found(user_id)
        return user

    def live_group(group_id: str) -> DirectoryGroup:
        group = d.groups.get(group_id)
        if group is None or group.soft_deleted:
            raise not_found(group_id)
        return group

    def filtered(items: list[Any], render: Any, allowed: tuple[str, ...], resource: str) -> list[Any]:
        text = request.args.get("$filter")
        if not text:
            return items
        odata = parse_odata_filter(text, allowed, resource)
        return [i for i in items if odata.matches(render(i))]

    def created(body: dict[str, Any], location: str) -> Response:
        response = jsonify(body)
        response.status_code = 201
        response.headers["Location"] = location
        return response

    # ------------------------------------------------------------------ users
    @bp.get("/users")
    def list_users() -> Response:
        users = filtered([u for u in d.users.values() if not u.soft_deleted], render_user, USER_FILTERABLE, "User")
        return paged(users, lambda u: select(render_user(u), USER_DEFAULT_SELECT, "user"), "users")

    @bp.post("/users")
    def create_user() -> Response:
        attrs = _user_attributes(json_body(), create=True)
        upn = attrs["userPrincipalName"]
        if any(str(u.attributes.get("userPrincipalName", "")).lower() == upn.lower() for u in d.users.values()):
            raise bad_request("Another object with the same value for property userPrincipalName already exists.")
        given = {name: None for name in ("mail", "givenName", "surname", "jobTitle", "department", "companyName",
                                         "employeeType", "employeeId", "city", "state", "country", "usageLocation",
                                         "streetAddress", "postalCode", "mobile", "telephoneNumber",
                                         *EXTENSION_ATTRIBUTES)}
        given["userType"] = "Member"
        given.update(attrs)
        try:
            user = d.add_user(**given)
        except DirectoryError as exc:
            raise bad_request(str(exc)) from None
        body = {"@odata.context": context_url("users/$entity"), **render_user(user)}
        return created(body, graph_url(f"users/{user.object_id}"))

    @bp.get("/users/<user_id>")
    def get_user(user_id: str) -> Response:
        user = live_user(user_id)
        return jsonify({"@odata.context": context_url("users/$entity"),
                        **select(render_user(user), USER_DEFAULT_SELECT, "user")})

    @bp.patch("/users/<user_id>")
    def update_user(user_id: str) -> Response:
        user = live_user(user_id)
        attrs = _user_attributes(json_body(), create=False)
        upn = attrs.get("userPrincipalName")
        if upn and any(u is not user and str(u.attributes.get("userPrincipalName", "")).lower() == upn.lower()
                       for u in d.users.values()):
            raise bad_request("Another object with the same value for property userPrincipalName already exists.")
        if attrs:
            d.update_user(user_id, **attrs)
        return Response(status=204)

    @bp.delete("/users/<user_id>")
    def delete_user(user_id: str) -> Response:
        live_user(user_id)
        d.soft_delete(user_id)
        return Response(status=204)

    @bp.get("/users/<user_id>/manager")
    def get_manager(user_id: str) -> Response:
        manager_id = live_user(user_id).attributes.get("manager")
        if not manager_id or manager_id not in d.users:
            raise not_found("manager")
        return jsonify({"@odata.context": context_url("directoryObjects/$entity"), **_typed_object(d.users[manager_id])})

    @bp.put("/users/<user_id>/manager/$ref")
    def set_manager(user_id: str) -> Response:
        live_user(user_id)
        manager_id = reference_id(json_body())
        live_user(manager_id)
        if manager_id == user_id:
            raise bad_request("A user cannot be their own manager.")
        d.update_user(user_id, manager=manager_id)
        return Response(status=204)

    @bp.delete("/users/<user_id>/manager/$ref")
    def remove_manager(user_id: str) -> Response:
        if not live_user(user_id).attributes.get("manager"):
            raise not_found("manager")
        d.update_user(user_id, manager=None)
        return Response(status=204)

    @bp.get("/users/<user_id>/memberOf")
    def member_of(user_id: str) -> Response:
        live_user(user_id)
        return paged(d.direct_groups_of(user_id), _typed_object, "directoryObjects")

    # ------------------------------------------------------------------ deleted items
    def deleted(object_id: str) -> DirectoryUser | DirectoryGroup:
        obj = d.users.get(object_id) or d.groups.get(object_id)
        if obj is None or not obj.soft_deleted:
            raise not_found(object_id)
        return obj

    @bp.get("/directory/deletedItems/microsoft.graph.user")
    def deleted_users() -> Response:
        return paged([u for u in d.users.values() if u.soft_deleted], _typed_object, "directoryObjects")

    @bp.get("/directory/deletedItems/microsoft.graph.group")
    def deleted_groups() -> Response:
        return paged([g for g in d.groups.values() if g.soft_deleted], _typed_object, "directoryObjects")

    @bp.get("/directory/deletedItems/<object_id>")
    def get_deleted(object_id: str) -> Response:
        return jsonify({"@odata.context": context_url("directoryObjects/$entity"), **_typed_object(deleted(object_id))})

    @bp.post("/directory/deletedItems/<object_id>/restore")
    def restore(object_id: str) -> Response:
        obj = deleted(object_id)
        d.restore(object_id)
        return jsonify({"@odata.context": context_url("directoryObjects/$entity"), **_typed_object(obj)})

    @bp.delete("/directory/deletedItems/<object_id>")
    def purge(object_id: str) -> Response:
        deleted(object_id)
        d.hard_delete(object_id)
        return Response(status=204)

    # ------------------------------------------------------------------ groups
    @bp.get("/groups")
    def list_groups() -> Response:
        groups = filtered([g for g in d.groups.values() if not g.soft_deleted], render_group, GROUP_FILTERABLE, "Group")
        return paged(groups, lambda g: select(render_group(g), GROUP_DEFAULT_SELECT, "group"), "groups")

    @bp.post("/groups")
    def create_group() -> Response:
        attrs = _group_attributes(json_body(), create=True)
        name = attrs.pop("displayName")
        group = d.add_group(name, **attrs)
        return created({"@odata.context": context_url("groups/$entity"), **render_group(group)},
                       graph_url(f"groups/{group.object_id}"))

    @bp.get("/groups/<group_id>")
    def get_group(group_id: str) -> Response:
        return jsonify({"@odata.context": context_url("groups/$entity"),
                        **select(render_group(live_group(group_id)), GROUP_DEFAULT_SELECT, "group")})

    @bp.patch("/groups/<group_id>")
    def update_group(group_id: str) -> Response:
        live_group(group_id)
        attrs = _group_attributes(json_body(), create=False)
        if attrs:
            d.update_group(group_id, **attrs)
        return Response(status=204)

    @bp.delete("/groups/<group_id>")
    def delete_group(group_id: str) -> Response:
        live_group(group_id)
        d.soft_delete(group_id)
        return Response(status=204)

    @bp.get("/groups/<group_id>/members")
    def list_members(group_id: str) -> Response:
        group = live_group(group_id)
        members = [obj for m in group.members if (obj := d.users.get(m) or d.groups.get(m)) and not obj.soft_deleted]
        return paged(members, _typed_object, "directoryObjects")

    @bp.post("/groups/<group_id>/members/$ref")
    def add_member(group_id: str) -> Response:
        group = live_group(group_id)
        member_id = reference_id(json_body())
        member = d.users.get(member_id) or d.groups.get(member_id)
        if member is None or member.soft_deleted:
            raise not_found(member_id)
        if member_id in group.members:
            raise bad_request("One or more added object references already exist for the following modified "
                              "properties: 'members'.")
        try:
            d.add_member(group_id, member_id)
        except DirectoryError as exc:
            raise bad_request(str(exc)) from None
        return Response(status=204)

    @bp.delete("/groups/<group_id>/members/<member_id>/$ref")
    def remove_member(group_id: str, member_id: str) -> Response:
        group = live_group(group_id)
        if member_id not in group.members:
            raise not_found(member_id)
        d.remove_member(group_id, member_id)
        return Response(status=204)

    # ------------------------------------------------------------------ service principal and assignments
    def service_principal() -> dict[str, Any]:
        return {"id": runtime.service_principal_id, "appId": runtime.app_id,
                "displayName": runtime.app_display_name, "appDisplayName": runtime.app_display_name,
                "servicePrincipalType": "Application", "accountEnabled": True,
                "appRoleAssignmentRequired": True, "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
                "appRoles": runtime.app_roles_graph()}

    def own_sp(sp_id: str) -> None:
        if sp_id.lower() != runtime.service_principal_id:
            raise not_found(sp_id)

    @bp.get("/servicePrincipals")
    def list_service_principals() -> Response:
        items = [service_principal()]
        text = request.args.get("$filter")
        if text:
            odata = parse_odata_filter(text, ("id", "appId", "displayName"), "ServicePrincipal")
            items = [i for i in items if odata.matches(i)]
        return paged(items, lambda sp: sp, "servicePrincipals")

    @bp.get("/servicePrincipals/<sp_id>")
    def get_service_principal(sp_id: str) -> Response:
        own_sp(sp_id)
        return jsonify({"@odata.context": context_url("servicePrincipals/$entity"), **service_principal()})

    def assignment_id(principal_id: str, role: str) -> str:
        raw = uuid.UUID(principal_id).bytes + uuid.UUID(role_id(role)).bytes
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def render_assignment(a: Any) -> dict[str, Any]:
        principal = d.users.get(a.principal_id) or d.groups.get(a.principal_id)
        return {"id": assignment_id(a.principal_id, a.role), "deletedDateTime": None, "appRoleId": role_id(a.role),
                "createdDateTime": None, "principalDisplayName": principal.display_name if principal else None,
                "principalId": a.principal_id, "principalType": a.principal_type,
                "resourceDisplayName": runtime.app_display_name, "resourceId": runtime.service_principal_id}

    @bp.get("/servicePrincipals/<sp_id>/appRoleAssignedTo")
    def list_assignments(sp_id: str) -> Response:
        own_sp(sp_id)
        return paged(list(d.assignments), render_assignment, f"servicePrincipals('{sp_id}')/appRoleAssignedTo")

    @bp.post("/servicePrincipals/<sp_id>/appRoleAssignedTo")
    def assign(sp_id: str) -> Response:
        own_sp(sp_id)
        body = json_body()
        check_properties(body, ("principalId", "resourceId", "appRoleId", "principalType"), "appRoleAssignment")
        principal_id = require(body, "principalId", str, "appRoleAssignment")
        resource_id = require(body, "resourceId", str, "appRoleAssignment")
        app_role_id = require(body, "appRoleId", str, "appRoleAssignment")
        for name, value in (("principalId", principal_id), ("resourceId", resource_id), ("appRoleId", app_role_id)):
            try:
                uuid.UUID(value)
            except ValueError:
                raise bad_request(f"Invalid value specified for property '{name}' of resource 'AppRoleAssignment'.") from None
        if resource_id.lower() != runtime.service_principal_id:
            raise bad_request("Invalid resource: resourceId must be the id of this service principal.")
        role = runtime.role_name(app_role_id)
        if role is None:
            raise bad_request("Permission being assigned was not found on application")
        principal = d.users.get(principal_id) or d.groups.get(principal_id)
        if principal is None or principal.soft_deleted:
            raise not_found(principal_id)
        if any(a.principal_id == principal_id and a.role == role for a in d.assignments):
            raise bad_request("Permission being assigned already exists on the object")
        assignment = d.assign(principal_id, role)
        return created({"@odata.context": context_url(f"servicePrincipals('{sp_id}')/appRoleAssignedTo/$entity"),
                        **render_assignment(assignment)},
                       graph_url(f"servicePrincipals/{sp_id}/appRoleAssignedTo/{assignment_id(principal_id, role)}"))

    @bp.delete("/servicePrincipals/<sp_id>/appRoleAssignedTo/<assignment>")
    def unassign(sp_id: str, assignment: str) -> Response:
        own_sp(sp_id)
        try:
            raw = base64.urlsafe_b64decode(assignment + "=" * (-len(assignment) % 4))
            principal_id, app_role_id = str(uuid.UUID(bytes=raw[:16])), str(uuid.UUID(bytes=raw[16:32]))
        except (binascii.Error, ValueError):
            raise not_found(assignment) from None
        role = runtime.role_name(app_role_id)
        if role is None or not any(a.principal_id == principal_id and a.role == role for a in d.assignments):
            raise not_found(assignment)
        d.unassign(principal_id, role)
        return Response(status=204)

    return bp


__all__ = ["GraphError", "create_directory_blueprint", "render_group", "render_user"]
