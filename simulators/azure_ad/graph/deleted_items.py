"""``/directory/deletedItems``: the recycle bin of soft-deleted users and groups — list by type, get,
``restore`` (Entra's undo of a soft delete) and ``DELETE`` (purge: the hard delete)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from simulators.azure_ad.directory import Directory
from simulators.azure_ad.graph.common import context_url, not_found, refuse_options
from simulators.azure_ad.graph.directory_views import DirectoryObject, DirectoryViews


class DeletedItemRoutes:
    def __init__(self, directory: Directory, views: DirectoryViews):
        self.d, self.views = directory, views

    def register(self, bp: Blueprint) -> None:
        for rule, view, method in (
            ("/directory/deletedItems/microsoft.graph.user", self.deleted_users, "GET"),
            ("/directory/deletedItems/microsoft.graph.group", self.deleted_groups, "GET"),
            ("/directory/deletedItems/<object_id>", self.get_deleted, "GET"),
            ("/directory/deletedItems/<object_id>/restore", self.restore, "POST"),
            ("/directory/deletedItems/<object_id>", self.purge, "DELETE"),
        ):
            bp.add_url_rule(rule, view_func=view, methods=[method])

    def deleted(self, object_id: str) -> DirectoryObject:
        obj = self.d.users.get(object_id) or self.d.groups.get(object_id)
        if obj is None or not obj.soft_deleted:
            raise not_found(object_id)
        return obj

    def deleted_users(self) -> Response:
        return self.views.related_page([u for u in self.d.users.values() if u.soft_deleted])

    def deleted_groups(self) -> Response:
        return self.views.related_page([g for g in self.d.groups.values() if g.soft_deleted])

    def get_deleted(self, object_id: str) -> Response:
        refuse_options()
        return jsonify({"@odata.context": context_url("directoryObjects/$entity"),
                        **self.views.typed_object(self.deleted(object_id))})

    def restore(self, object_id: str) -> Response:
        obj = self.deleted(object_id)
        self.d.restore(object_id)
        return jsonify({"@odata.context": context_url("directoryObjects/$entity"), **self.views.typed_object(obj)})

    def purge(self, object_id: str) -> Response:
        self.deleted(object_id)
        self.d.hard_delete(object_id)
        return Response(status=204)


__all__ = ["DeletedItemRoutes"]
