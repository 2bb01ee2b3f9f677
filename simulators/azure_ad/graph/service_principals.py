"""``/servicePrincipals``: the tenant's one enterprise app (the Code42 app the job belongs to) and
its ``appRoleAssignedTo`` collection — the assignments that put users and groups in the job's scope.
Assignment ids are the principal id and the app-role id, base64url-encoded (stable and opaque)."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

from flask import Blueprint, Response, jsonify, request

from simulators.azure_ad.directory import AppRoleAssignment
from simulators.azure_ad.graph.common import (
    bad_request,
    check_properties,
    context_url,
    graph_url,
    json_body,
    not_found,
    paged,
    refuse_options,
    require,
    select,
)
from simulators.azure_ad.graph.directory_views import created
from simulators.azure_ad.graph.odata_filter import parse_odata_filter
from simulators.azure_ad.graph.runtime import AzureAdRuntime, role_id

_ASSIGNMENT_PROPERTIES = ("principalId", "resourceId", "appRoleId", "principalType")


def assignment_id(principal_id: str, role: str) -> str:
    raw = uuid.UUID(principal_id).bytes + uuid.UUID(role_id(role)).bytes
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _guid(name: str, value: str) -> None:
    try:
        uuid.UUID(value)
    except ValueError:
        raise bad_request(f"Invalid value specified for property '{name}' of resource 'AppRoleAssignment'.") from None


class ServicePrincipalRoutes:
    def __init__(self, runtime: AzureAdRuntime):
        self.runtime, self.d = runtime, runtime.directory

    def register(self, bp: Blueprint) -> None:
        for rule, view, method in (
            ("/servicePrincipals", self.list_service_principals, "GET"),
            ("/servicePrincipals/<sp_id>", self.get_service_principal, "GET"),
            ("/servicePrincipals/<sp_id>/appRoleAssignedTo", self.list_assignments, "GET"),
            ("/servicePrincipals/<sp_id>/appRoleAssignedTo", self.assign, "POST"),
            ("/servicePrincipals/<sp_id>/appRoleAssignedTo/<assignment>", self.unassign, "DELETE"),
        ):
            bp.add_url_rule(rule, view_func=view, methods=[method])

    def service_principal(self) -> dict[str, Any]:
        rt = self.runtime
        return {"id": rt.service_principal_id, "appId": rt.app_id, "displayName": rt.app_display_name,
                "appDisplayName": rt.app_display_name, "servicePrincipalType": "Application", "accountEnabled": True,
                "appRoleAssignmentRequired": True, "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
                "appRoles": rt.app_roles_graph()}

    def own_sp(self, sp_id: str) -> None:
        if sp_id.lower() != self.runtime.service_principal_id:
            raise not_found(sp_id)

    def render_assignment(self, a: AppRoleAssignment) -> dict[str, Any]:
        principal = self.d.users.get(a.principal_id) or self.d.groups.get(a.principal_id)
        return {"id": assignment_id(a.principal_id, a.role), "deletedDateTime": None, "appRoleId": role_id(a.role),
                "createdDateTime": None, "principalDisplayName": principal.display_name if principal else None,
                "principalId": a.principal_id, "principalType": a.principal_type,
                "resourceDisplayName": self.runtime.app_display_name, "resourceId": self.runtime.service_principal_id}

    def list_service_principals(self) -> Response:
        refuse_options("$filter", "$select", "$top", "$skiptoken")
        items = [self.service_principal()]
        text = request.args.get("$filter")
        if text:
            odata = parse_odata_filter(text, ("id", "appId", "displayName"), "ServicePrincipal")
            items = [i for i in items if odata.matches(i)]
        return paged(items, lambda sp: select(sp, sp, "servicePrincipal"), "servicePrincipals")

    def get_service_principal(self, sp_id: str) -> Response:
        self.own_sp(sp_id)
        refuse_options("$select")
        sp = self.service_principal()
        return jsonify({"@odata.context": context_url("servicePrincipals/$entity"), **select(sp, sp, "servicePrincipal")})

    def list_assignments(self, sp_id: str) -> Response:
        self.own_sp(sp_id)
        refuse_options("$top", "$skiptoken")
        return paged(list(self.d.assignments), self.render_assignment,
                     f"servicePrincipals('{sp_id}')/appRoleAssignedTo")

    def assign(self, sp_id: str) -> Response:
        self.own_sp(sp_id)
        body = json_body()
        check_properties(body, _ASSIGNMENT_PROPERTIES, "appRoleAssignment")
        values = {name: require(body, name, str, "appRoleAssignment") for name in _ASSIGNMENT_PROPERTIES[:3]}
        for name, value in values.items():
            _guid(name, value)
        principal_id = values["principalId"]
        if values["resourceId"].lower() != self.runtime.service_principal_id:
            raise bad_request("Invalid resource: resourceId must be the id of this service principal.")
        role = self.runtime.role_name(values["appRoleId"])
        if role is None:
            raise bad_request("Permission being assigned was not found on application")
        principal = self.d.users.get(principal_id) or self.d.groups.get(principal_id)
        if principal is None or principal.soft_deleted:
            raise not_found(principal_id)
        if any(a.principal_id == principal_id and a.role == role for a in self.d.assignments):
            raise bad_request("Permission being assigned already exists on the object")
        assignment = self.d.assign(principal_id, role)
        return created({"@odata.context": context_url(f"servicePrincipals('{sp_id}')/appRoleAssignedTo/$entity"),
                        **self.render_assignment(assignment)},
                       graph_url(f"servicePrincipals/{sp_id}/appRoleAssignedTo/{assignment_id(principal_id, role)}"))

    def unassign(self, sp_id: str, assignment: str) -> Response:
        self.own_sp(sp_id)
        try:
            raw = base64.urlsafe_b64decode(assignment + "=" * (-len(assignment) % 4))
            principal_id, app_role_id = str(uuid.UUID(bytes=raw[:16])), str(uuid.UUID(bytes=raw[16:32]))
        except (binascii.Error, ValueError):
            raise not_found(assignment) from None
        role = self.runtime.role_name(app_role_id)
        if role is None or not any(a.principal_id == principal_id and a.role == role for a in self.d.assignments):
            raise not_found(assignment)
        self.d.unassign(principal_id, role)
        return Response(status=204)


__all__ = ["ServicePrincipalRoutes", "assignment_id"]
