"""Graph's directory routes over the mock directory, as one blueprint: ``/users`` (users.py),
``/groups`` (groups.py), ``/directory/deletedItems`` (deleted_items.py) and ``/servicePrincipals``
with ``appRoleAssignedTo`` (service_principals.py), sharing one :class:`DirectoryViews`.

Property names are Graph's (``mobilePhone``, ``businessPhones``, ``onPremisesExtensionAttributes``);
the directory keeps the provisioning source names (``mobile``, ``telephoneNumber``,
``extensionAttribute1``) that mapping expressions read (resources.py maps one onto the other).
"""

from __future__ import annotations

from flask import Blueprint

from simulators.azure_ad.graph.deleted_items import DeletedItemRoutes
from simulators.azure_ad.graph.directory_views import GROUPS, USERS, DirectoryViews
from simulators.azure_ad.graph.groups import GroupRoutes
from simulators.azure_ad.graph.resources import render_group, render_user
from simulators.azure_ad.graph.runtime import AzureAdRuntime
from simulators.azure_ad.graph.service_principals import ServicePrincipalRoutes
from simulators.azure_ad.graph.users import UserRoutes


def create_directory_blueprint(runtime: AzureAdRuntime) -> Blueprint:
    bp = Blueprint("graph_directory", __name__, url_prefix="/v1.0")
    views = DirectoryViews(runtime.directory)
    UserRoutes(runtime.directory, views).register(bp)
    GroupRoutes(runtime.directory, views).register(bp)
    DeletedItemRoutes(runtime.directory, views).register(bp)
    ServicePrincipalRoutes(runtime).register(bp)
    return bp


__all__ = ["GROUPS", "USERS", "create_directory_blueprint", "render_group", "render_user"]
