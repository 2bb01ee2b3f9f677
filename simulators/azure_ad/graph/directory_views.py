"""How the directory routes read the mock directory: live-object lookups (Graph's 404 otherwise),
the full renderings (resources.py), ``$select`` projections, ``$expand``-ed relationships, and the
collection, ``/$count`` and entity responses built on odata_query.py. Shared by users.py, groups.py
and deleted_items.py so each route module holds only its routes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response, jsonify, request

from simulators.azure_ad.directory import Directory, DirectoryGroup, DirectoryUser
from simulators.azure_ad.graph.common import (
    bad_request,
    context_url,
    not_found,
    paged,
    refuse_options,
    request_version,
)
from simulators.azure_ad.graph.odata_query import (
    CollectionQuery,
    CollectionSpec,
    Expansion,
    parse_expand,
    parse_select_list,
    require_count_segment,
)
from simulators.azure_ad.graph.resources import (
    GROUP_DEFAULT_SELECT,
    USER_DEFAULT_SELECT,
    CreationTimes,
    render_group,
    render_user,
)

DirectoryObject = DirectoryUser | DirectoryGroup

#: [AQ] "Support for filter by properties": the user properties the mock can filter on.
USER_FILTERABLE = ("id", "accountEnabled", "city", "companyName", "country", "createdDateTime", "department",
                   "displayName", "employeeId", "employeeType", "givenName", "jobTitle", "mail", "mailNickname",
                   "mobilePhone", "postalCode", "state", "surname", "usageLocation", "userPrincipalName", "userType")
GROUP_FILTERABLE = ("id", "displayName", "mailNickname", "securityEnabled", "mailEnabled", "description",
                    "createdDateTime")
USER_PROPERTIES = frozenset(render_user(DirectoryUser("", {})))
BETA_USER_PROPERTIES = frozenset(render_user(DirectoryUser("", {}), beta=True))
GROUP_PROPERTIES = frozenset(render_group(DirectoryGroup("", {})))
USERS = CollectionSpec("User", "user", USER_PROPERTIES, USER_FILTERABLE,
                       orderby_default=("displayName", "userPrincipalName"),
                       orderby_advanced=("createdDateTime", "deletedDateTime"),
                       expandable=("manager", "memberOf", "directReports"))
GROUPS = CollectionSpec("Group", "group", GROUP_PROPERTIES, GROUP_FILTERABLE, orderby_default=("displayName",),
                        orderby_advanced=("createdDateTime", "deletedDateTime"), expandable=("members",))


#: a mixed collection of users and groups (memberOf, members, directReports, deletedItems)
DIRECTORY_OBJECTS = CollectionSpec("DirectoryObject", "directoryObject", USER_PROPERTIES | GROUP_PROPERTIES,
                                   tuple(dict.fromkeys((*USER_FILTERABLE, *GROUP_FILTERABLE))), orderby_default=(),
                                   orderby_advanced=("displayName",))


def expanded_properties(_name: str) -> frozenset[str]:
    """What a nested ``$select`` may name: an expanded directoryObject is a user or a group."""
    return USER_PROPERTIES | GROUP_PROPERTIES


def project(resource: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: resource.get(name) for name in dict.fromkeys(["id", *names])}


def created(body: dict[str, Any], location: str) -> Response:
    """201 with the new resource and its ``Location``."""
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = location
    return response


class DirectoryViews:
    """Reads of one tenant's directory in Graph's shapes."""

    def __init__(self, directory: Directory):
        self.d = directory
        self.times = CreationTimes(directory)

    # ------------------------------------------------------------------ lookups
    def live_user(self, user_id: str) -> DirectoryUser:
        """By object id, or by userPrincipalName as Graph allows (``GET /users/{id | userPrincipalName}``)."""
        user = self.d.users.get(user_id)
        if user is None and "@" in user_id:
            user = next((u for u in self.d.users.values()
                         if str(u.attributes.get("userPrincipalName") or "").lower() == user_id.lower()), None)
        if user is None or user.soft_deleted:
            raise not_found(user_id)
        return user

    def live_group(self, group_id: str) -> DirectoryGroup:
        group = self.d.groups.get(group_id)
        if group is None or group.soft_deleted:
            raise not_found(group_id)
        return group

    def live_object(self, object_id: str) -> DirectoryObject:
        obj = self.d.users.get(object_id) or self.d.groups.get(object_id)
        if obj is None or obj.soft_deleted:
            raise not_found(object_id)
        return obj

    def live_users(self) -> list[DirectoryUser]:
        return [u for u in self.d.users.values() if not u.soft_deleted]

    def live_groups(self) -> list[DirectoryGroup]:
        return [g for g in self.d.groups.values() if not g.soft_deleted]

    # ------------------------------------------------------------------ renderings
    def full(self, obj: DirectoryObject) -> dict[str, Any]:
        if isinstance(obj, DirectoryUser):
            return render_user(obj, self.times, beta=request_version() == "beta")
        return render_group(obj, self.times)

    def typed_object(self, obj: DirectoryObject, names: tuple[str, ...] | None = None) -> dict[str, Any]:
        """A directoryObject in a mixed collection: ``@odata.type`` and the type's default properties."""
        if isinstance(obj, DirectoryUser):
            return {"@odata.type": "#microsoft.graph.user", **project(self.full(obj), names or USER_DEFAULT_SELECT)}
        return {"@odata.type": "#microsoft.graph.group", **project(self.full(obj), names or GROUP_DEFAULT_SELECT)}

    def selected(self, obj: DirectoryObject, rendered: dict[str, Any] | None = None) -> dict[str, Any]:
        """``$select`` (or the default set) of one object, as in a collection or an entity response."""
        user = isinstance(obj, DirectoryUser)
        text = request.args.get("$select")
        if text:
            users = BETA_USER_PROPERTIES if request_version() == "beta" else USER_PROPERTIES
            names = parse_select_list(text, users if user else GROUP_PROPERTIES, "user" if user else "group")
        else:
            names = USER_DEFAULT_SELECT if user else GROUP_DEFAULT_SELECT
        return project(rendered or self.full(obj), names)

    # ------------------------------------------------------------------ relationships
    def related(self, obj: DirectoryObject, name: str) -> Any:
        """``manager`` (a user or None), ``memberOf``, ``directReports`` or ``members`` (lists)."""
        if name == "manager":
            manager = self.d.users.get(str(obj.attributes.get("manager") or ""))
            return manager if manager is not None and not manager.soft_deleted else None
        if name == "memberOf":
            return self.d.direct_groups_of(obj.object_id)
        if name == "directReports":
            return [u for u in self.live_users() if u.attributes.get("manager") == obj.object_id]
        assert isinstance(obj, DirectoryGroup)
        members = (self.d.users.get(i) or self.d.groups.get(i) for i in obj.members)
        return [m for m in members if m is not None and not m.soft_deleted]

    def with_expansions(self, obj: DirectoryObject, body: dict[str, Any], expand: list[Expansion]) -> dict[str, Any]:
        for e in expand:
            value = self.related(obj, e.name)
            if isinstance(value, list):
                body[e.name] = [self.typed_object(v, e.select) for v in value]
            elif value is not None:  # no manager: Graph leaves the property out
                body[e.name] = self.typed_object(value, e.select)
        return body

    # ------------------------------------------------------------------ responses
    def listing(self, objects: list[Any], spec: CollectionSpec, context: str) -> Response:
        query = CollectionQuery.from_request(spec, target_properties=expanded_properties)
        rows = query.apply([(o, self.full(o)) for o in objects])
        return paged(rows, lambda row: self.with_expansions(row[0], self.selected(row[0], row[1]), query.expand),
                     context, count=query.count(len(rows)), cap=query.page_cap)

    def counted(self, objects: list[Any], spec: CollectionSpec) -> Response:
        require_count_segment()
        query = CollectionQuery.from_request(spec)
        if query.orderby or query.expand:
            raise bad_request("$orderby and $expand do not apply to a $count segment.")
        rows = query.apply([(o, self.full(o)) for o in objects])
        return Response(str(len(rows)), mimetype="text/plain")

    def entity(self, obj: DirectoryObject, spec: CollectionSpec, context: str) -> Response:
        refuse_options("$select", "$expand")
        expand = parse_expand(request.args.get("$expand"), spec.expandable, spec.type_name, expanded_properties)
        return jsonify({"@odata.context": context_url(context), **self.with_expansions(obj, self.selected(obj), expand)})

    def related_page(self, items: list[DirectoryObject]) -> Response:
        """A relationship collection (memberOf, members, directReports, deletedItems): the same
        ``$filter``/``$search``/``$orderby``/``$count`` rules as a collection; ``$select`` names any
        user or group property; ``$expand`` is not offered here (400)."""
        query = CollectionQuery.from_request(DIRECTORY_OBJECTS)
        text = request.args.get("$select")
        names = parse_select_list(text, DIRECTORY_OBJECTS.properties, "directoryObject") if text else None
        rows = query.apply([(o, self.full(o)) for o in items])
        return paged(rows, lambda row: self.typed_object(row[0], names), "directoryObjects",
                     count=query.count(len(rows)))


__all__ = ["DIRECTORY_OBJECTS", "GROUPS", "GROUP_FILTERABLE", "USERS", "USER_FILTERABLE", "DirectoryViews", "created", "project"]
