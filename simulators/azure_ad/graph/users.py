"""``/users``: list (OData options, odata_query.py), ``/users/$count``, create, get, update, soft
delete, ``manager`` get / ``$ref`` set and remove, ``memberOf``, ``directReports``.

Every write lands in :class:`~simulators.azure_ad.directory.Directory`, so its change log drives the
next incremental cycle exactly as a portal edit would. ``DELETE /users/{id}`` is Entra's soft delete
(recycle bin), undone by ``POST /directory/deletedItems/{id}/restore`` (deleted_items.py).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from simulators.azure_ad.directory import Directory, DirectoryError
from simulators.azure_ad.graph.common import (
    bad_request,
    check_properties,
    context_url,
    graph_url,
    json_body,
    not_found,
    reference_id,
    refuse_options,
    require,
    typed,
)
from simulators.azure_ad.graph.directory_views import (
    DIRECTORY_OBJECTS,
    USERS,
    DirectoryViews,
    created,
    project,
)
from simulators.azure_ad.graph.odata_query import parse_select_list
from simulators.azure_ad.graph.resources import EXTENSION_ATTRIBUTES, USER_DEFAULT_SELECT, USER_STRINGS

USER_WRITABLE = (*USER_STRINGS, "accountEnabled", "businessPhones", "onPremisesExtensionAttributes", "passwordProfile")
USER_REQUIRED_ON_CREATE = {"accountEnabled": bool, "displayName": str, "mailNickname": str, "userPrincipalName": str,
                           "passwordProfile": dict}
_PASSWORD_PROFILE = ("password", "forceChangePasswordNextSignIn", "forceChangePasswordNextSignInWithMfa")
#: directory attributes a Graph-created user starts without (Faker fills only what is not given)
_EMPTY_ON_CREATE = ("mail", "givenName", "surname", "jobTitle", "department", "companyName", "employeeType",
                    "employeeId", "city", "state", "country", "usageLocation", "streetAddress", "postalCode",
                    "mobile", "telephoneNumber", *EXTENSION_ATTRIBUTES)


def _phones(body: dict[str, Any]) -> str | None:
    phones = typed(body, "businessPhones", list, "user") or []
    if len(phones) > 1 or not all(isinstance(p, str) for p in phones):
        raise bad_request("Invalid value for property 'businessPhones': at most one phone number (a string).")
    return phones[0] if phones else None


def _extension_attributes(body: dict[str, Any]) -> dict[str, Any]:
    ext = typed(body, "onPremisesExtensionAttributes", dict, "user") or {}
    check_properties(ext, EXTENSION_ATTRIBUTES, "onPremisesExtensionAttributes")
    return {name: typed(ext, name, str, "onPremisesExtensionAttributes") for name in ext}


def _check_password_profile(body: dict[str, Any], *, create: bool) -> None:
    """Validated, never stored: the mock has no sign-in."""
    profile = typed(body, "passwordProfile", dict, "user") or {}
    check_properties(profile, _PASSWORD_PROFILE, "passwordProfile")
    if create:
        require(profile, "password", str, "passwordProfile")


def _check_names(attrs: dict[str, Any]) -> None:
    upn = attrs.get("userPrincipalName")
    if upn is not None:
        local, at, domain = upn.partition("@")
        if not local or not at or "@" in domain or "." not in domain:
            raise bad_request("Property userPrincipalName is invalid.")
    for name in ("displayName", "mailNickname", "userPrincipalName"):
        if attrs.get(name) is not None and not str(attrs[name]).strip():
            raise bad_request(f"Invalid value specified for property '{name}' of resource 'User'.")


def user_attributes(body: dict[str, Any], *, create: bool) -> dict[str, Any]:
    """The directory attributes a ``POST``/``PATCH /users`` body sets (Graph names → source names)."""
    check_properties(body, USER_WRITABLE, "user")
    if create:
        for name, kind in USER_REQUIRED_ON_CREATE.items():
            require(body, name, kind, "user")
    attrs: dict[str, Any] = {source: typed(body, prop, str, "user")
                             for prop, source in USER_STRINGS.items() if prop in body}
    if "accountEnabled" in body:
        attrs["accountEnabled"] = typed(body, "accountEnabled", bool, "user")
    if "businessPhones" in body:
        attrs["telephoneNumber"] = _phones(body)
    if "onPremisesExtensionAttributes" in body:
        attrs.update(_extension_attributes(body))
    if "passwordProfile" in body:
        _check_password_profile(body, create=create)
    _check_names(attrs)
    return attrs


class UserRoutes:
    def __init__(self, directory: Directory, views: DirectoryViews):
        self.d, self.views = directory, views

    def register(self, bp: Blueprint) -> None:
        for rule, view, method in (
            ("/users", self.list_users, "GET"), ("/users/$count", self.count_users, "GET"),
            ("/users", self.create_user, "POST"), ("/users/<user_id>", self.get_user, "GET"),
            ("/users/<user_id>", self.update_user, "PATCH"), ("/users/<user_id>", self.delete_user, "DELETE"),
            ("/users/<user_id>/manager", self.get_manager, "GET"),
            ("/users/<user_id>/manager/$ref", self.set_manager, "PUT"),
            ("/users/<user_id>/manager/$ref", self.remove_manager, "DELETE"),
            ("/users/<user_id>/memberOf", self.member_of, "GET"),
            ("/users/<user_id>/directReports", self.direct_reports, "GET"),
        ):
            bp.add_url_rule(rule, view_func=view, methods=[method])

    def _upn_taken(self, upn: str | None, by: Any = None) -> None:
        if upn and any(u is not by and str(u.attributes.get("userPrincipalName", "")).lower() == upn.lower()
                       for u in self.d.users.values()):
            raise bad_request("Another object with the same value for property userPrincipalName already exists.")

    def list_users(self) -> Response:
        return self.views.listing(self.views.live_users(), USERS, "users")

    def count_users(self) -> Response:
        return self.views.counted(self.views.live_users(), USERS)

    def create_user(self) -> Response:
        attrs = user_attributes(json_body(), create=True)
        self._upn_taken(attrs["userPrincipalName"])
        given: dict[str, Any] = {**dict.fromkeys(_EMPTY_ON_CREATE), "userType": "Member", **attrs}
        try:
            user = self.d.add_user(**given)
        except DirectoryError as exc:
            raise bad_request(str(exc)) from None
        # "Create User" answers with the new user's default properties (its example response)
        body = {"@odata.context": context_url("users/$entity"), **project(self.views.full(user), USER_DEFAULT_SELECT)}
        return created(body, graph_url(f"users/{user.object_id}"))

    def get_user(self, user_id: str) -> Response:
        return self.views.entity(self.views.live_user(user_id), USERS, "users/$entity")

    def update_user(self, user_id: str) -> Response:
        user = self.views.live_user(user_id)
        attrs = user_attributes(json_body(), create=False)
        self._upn_taken(attrs.get("userPrincipalName"), by=user)
        if attrs:
            self.d.update_user(user.object_id, **attrs)
        return Response(status=204)

    def delete_user(self, user_id: str) -> Response:
        self.d.soft_delete(self.views.live_user(user_id).object_id)
        return Response(status=204)

    def get_manager(self, user_id: str) -> Response:
        manager = self.views.related(self.views.live_user(user_id), "manager")
        if manager is None:
            raise not_found("manager")
        refuse_options("$select")
        text = request.args.get("$select")
        names = parse_select_list(text, DIRECTORY_OBJECTS.properties, "directoryObject") if text else None
        return jsonify({"@odata.context": context_url("directoryObjects/$entity"),
                        **self.views.typed_object(manager, names)})

    def set_manager(self, user_id: str) -> Response:
        user = self.views.live_user(user_id)
        manager_id = reference_id(json_body())
        self.views.live_user(manager_id)
        if manager_id == user.object_id:
            raise bad_request("A user cannot be their own manager.")
        self.d.update_user(user.object_id, manager=manager_id)
        return Response(status=204)

    def remove_manager(self, user_id: str) -> Response:
        user = self.views.live_user(user_id)
        if not user.attributes.get("manager"):
            raise not_found("manager")
        self.d.update_user(user.object_id, manager=None)
        return Response(status=204)

    def member_of(self, user_id: str) -> Response:
        return self.views.related_page(self.views.related(self.views.live_user(user_id), "memberOf"))

    def direct_reports(self, user_id: str) -> Response:
        return self.views.related_page(self.views.related(self.views.live_user(user_id), "directReports"))


__all__ = ["USER_WRITABLE", "UserRoutes", "user_attributes"]
