"""What an admin view needs from the app it serves: the tenant's Code42 domain, its admin tokens, and
the API client the request authenticated as.

The domain and the tokens live in ``app.extensions`` (no globals), set by
:func:`simulators.code42.http.admin.blueprint.install`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, g

if TYPE_CHECKING:
    from simulators.code42.domain.admin_tokens import AdminTokens
    from simulators.code42.domain.rules import Code42Domain

DOMAIN_KEY = "scimgate.code42_domain"
TOKENS_KEY = "scimgate.code42_admin_tokens"


def domain() -> Code42Domain:
    """The Code42 rules of this app's tenant (the runtime's rules when the admin API was installed)."""
    return current_app.extensions[DOMAIN_KEY]


def tokens() -> AdminTokens:
    return current_app.extensions[TOKENS_KEY]


def creator() -> tuple[str, str]:
    """Who makes what this request creates: the API client its bearer token names (``API_CLIENT``, id)."""
    return ("API_CLIENT", g.admin_client)
