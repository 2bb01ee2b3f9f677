"""``/groups``: list (OData options), ``/groups/$count``, create and update (both with
``members@odata.bind``), get, soft delete, and ``members`` (list, ``$ref`` add and remove). The tenant has security groups
only (``mailEnabled`` false, ``groupTypes`` [])."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from simulators.azure_ad.directory import Directory, DirectoryError
from simulators.azure_ad.graph.common import (
    bad_request,
    check_properties,
    context_url,
    graph_url,
    json_body,
    not_found,
    reference_id,
    require,
    typed,
)
from simulators.azure_ad.graph.directory_views import GROUPS, DirectoryViews, created

GROUP_WRITABLE = ("displayName", "description", "mailNickname", "securityEnabled", "mailEnabled", "groupTypes")
GROUP_REQUIRED_ON_CREATE = {"displayName": str, "mailEnabled": bool, "mailNickname": str, "securityEnabled": bool}
#: ``members@odata.bind`` on POST /groups ("Create group": "you can add up to 20 members" in the request,
#: as ``https://graph.microsoft.com/v1.0/directoryObjects/{id}`` references). ``owners@odata.bind`` is
#: refused: the mock's groups have no owners.
GROUP_BIND_LIMIT = 20


def group_attributes(body: dict[str, Any], *, create: bool) -> dict[str, Any]:
    """The directory attributes a ``POST``/``PATCH /groups`` body sets."""
    check_properties(body, GROUP_WRITABLE, "group")
    if create:
        for name, kind in GROUP_REQUIRED_ON_CREATE.items():
            require(body, name, kind, "group")
    attrs: dict[str, Any] = {name: typed(body, name, str, "group")
                             for name in ("displayName", "description", "mailNickname") if name in body}
    if "securityEnabled" in body:
        attrs["securityEnabled"] = typed(body, "securityEnabled", bool, "group")
    if typed(body, "mailEnabled", bool, "group"):
        raise bad_request("Only security groups (mailEnabled false) are supported by this tenant.")
    if typed(body, "groupTypes", list, "group"):
        raise bad_request("Only security groups (groupTypes []) are supported by this tenant.")
    return attrs


class GroupRoutes:
    def __init__(self, directory: Directory, views: DirectoryViews):
        self.d, self.views = directory, views

    def register(self, bp: Blueprint) -> None:
        for rule, view, method in (
            ("/groups", self.list_groups, "GET"), ("/groups/$count", self.count_groups, "GET"),
            ("/groups", self.create_group, "POST"), ("/groups/<group_id>", self.get_group, "GET"),
            ("/groups/<group_id>", self.update_group, "PATCH"), ("/groups/<group_id>", self.delete_group, "DELETE"),
            ("/groups/<group_id>/members", self.list_members, "GET"),
            ("/groups/<group_id>/members/$ref", self.add_member, "POST"),
            ("/groups/<group_id>/members/<member_id>/$ref", self.remove_member, "DELETE"),
        ):
            bp.add_url_rule(rule, view_func=view, methods=[method])

    def bound_members(self, body: dict[str, Any]) -> list[str]:
        """The object ids of ``members@odata.bind``, each a live user or group; checked (and removed
        from ``body``) before anything is created."""
        refs = body.pop("members@odata.bind", None)
        if "owners@odata.bind" in body:
            raise bad_request("owners@odata.bind is not supported by this tenant: groups have no owners here.")
        if refs is None:
            return []
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            raise bad_request("'members@odata.bind' must be an array of directoryObjects URLs.")
        if len(refs) > GROUP_BIND_LIMIT:
            raise bad_request(f"At most {GROUP_BIND_LIMIT} members can be added when a group is created.")
        ids = list(dict.fromkeys(reference_id({"@odata.id": r}) for r in refs))
        for member_id in ids:
            self.views.live_object(member_id)
        return ids

    def list_groups(self) -> Response:
        return self.views.listing(self.views.live_groups(), GROUPS, "groups")

    def count_groups(self) -> Response:
        return self.views.counted(self.views.live_groups(), GROUPS)

    def create_group(self) -> Response:
        body = json_body()
        members = self.bound_members(body)
        attrs = group_attributes(body, create=True)
        group = self.d.add_group(attrs.pop("displayName"), **attrs)
        for member_id in members:
            self.d.add_member(group.object_id, member_id)
        return created({"@odata.context": context_url("groups/$entity"), **self.views.full(group)},
                       graph_url(f"groups/{group.object_id}"))

    def get_group(self, group_id: str) -> Response:
        return self.views.entity(self.views.live_group(group_id), GROUPS, "groups/$entity")

    def update_group(self, group_id: str) -> Response:
        """Also adds members: "Add multiple members to a group in a single request" is a PATCH with
        ``members@odata.bind`` (up to 20), refused when one of them is a member already ("Add members")."""
        group = self.views.live_group(group_id)
        body = json_body()
        members = self.bound_members(body)
        attrs = group_attributes(body, create=False)
        if any(m in group.members for m in members):
            raise bad_request("One or more added object references already exist for the following modified "
                              "properties: 'members'.")
        if attrs:
            self.d.update_group(group_id, **attrs)
        for member_id in members:
            self.d.add_member(group_id, member_id)
        return Response(status=204)

    def delete_group(self, group_id: str) -> Response:
        self.views.live_group(group_id)
        self.d.soft_delete(group_id)
        return Response(status=204)

    def list_members(self, group_id: str) -> Response:
        return self.views.related_page(self.views.related(self.views.live_group(group_id), "members"))

    def add_member(self, group_id: str) -> Response:
        group = self.views.live_group(group_id)
        member_id = reference_id(json_body())
        self.views.live_object(member_id)
        if member_id in group.members:
            raise bad_request("One or more added object references already exist for the following modified "
                              "properties: 'members'.")
        try:
            self.d.add_member(group_id, member_id)
        except DirectoryError as exc:
            raise bad_request(str(exc)) from None
        return Response(status=204)

    def remove_member(self, group_id: str, member_id: str) -> Response:
        group = self.views.live_group(group_id)
        if member_id not in group.members:
            raise not_found(member_id)
        self.d.remove_member(group_id, member_id)
        return Response(status=204)


__all__ = ["GROUP_BIND_LIMIT", "GROUP_WRITABLE", "GroupRoutes", "group_attributes"]
