"""``/v1/scim-providers``: the console's provider settings, credentials and apply-settings actions
(scimgate shapes, see :mod:`simulators.code42.domain.provisioning_provider`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from simulators.code42.domain import provisioning_provider
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import body, scim_base_url

bp = Blueprint("providers", __name__)


@bp.get("/v1/scim-providers")
def list_providers() -> Any:
    rules = domain()
    with rules.transaction() as tx:
        return jsonify(provisioning_provider.list_providers(rules, tx, scim_base_url()))


@bp.get("/v1/scim-providers/<provider_id>")
def get_provider(provider_id: str) -> Any:
    rules = domain()
    with rules.transaction() as tx:
        return jsonify(provisioning_provider.get_provider(rules, tx, provider_id, scim_base_url()))


@bp.patch("/v1/scim-providers/<provider_id>")
def patch_provider(provider_id: str) -> Any:
    """``ScimServer_Update`` (:func:`provisioning_provider.patch_provider`)."""
    data = body()
    rules = domain()
    with rules.transaction() as tx:
        answer = provisioning_provider.patch_provider(rules, tx, provider_id, data, scim_base_url())
    return jsonify(answer)


@bp.post("/v1/scim-providers/<provider_id>/regenerate-credentials")
def regenerate(provider_id: str) -> Any:
    rules = domain()
    with rules.transaction() as tx:
        answer = provisioning_provider.regenerate_credentials(rules, tx, provider_id, scim_base_url())
    return jsonify(answer)


@bp.post("/v1/scim-providers/<provider_id>/apply-settings")
def apply_settings(provider_id: str) -> Any:
    rules = domain()
    with rules.transaction() as tx:
        answer = provisioning_provider.apply_settings(rules, tx, provider_id)
    return jsonify(answer)
