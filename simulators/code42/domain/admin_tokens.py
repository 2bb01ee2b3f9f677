"""Admin-API access tokens: signed JWTs carrying the claims Code42's SDKs read, expiring on the wall clock.

Why JWTs: incydr's ``Client.tenant_id`` decodes the access token's payload and reads its ``tenantUid``
claim (``_incydr_sdk/core/client.py``), so an opaque token breaks a documented SDK property. Why the wall
clock: both SDKs keep a token until *their* wall clock says ``expires_in`` has passed (incydr
``AuthResponse.expired``; py42 until a 401) and incydr never retries a 401, so a token that died when
the simulation advanced its virtual clock by one deactivation delay ended every SDK session
(issue 12). Simulated time moves deactivations, not sessions.

Tokens are HS256-signed with a key made per process (PyJWT): a forged or edited token fails, and a
restart ends old sessions, as a real token service's key rotation would.
"""

from __future__ import annotations

import secrets
import time

import jwt

TOKEN_LIFETIME_SECONDS = 900  # Code42: "expires_in": 900 (code42-behaviour.md §4.1)
_ALGORITHM = "HS256"


class AdminTokens:
    """Issue and check the admin API's bearer tokens for one tenant."""

    def __init__(self, lifetime: int = TOKEN_LIFETIME_SECONDS):
        self._key = secrets.token_bytes(32)
        self.lifetime = lifetime

    def issue(self, client_id: str, tenant_uid: str, *, issued_at: float | None = None) -> str:
        """A token for ``client_id`` of tenant ``tenant_uid`` (``issued_at``: wall-clock seconds, default now)."""
        now = int(time.time() if issued_at is None else issued_at)
        claims = {"sub": client_id, "tenantUid": tenant_uid, "iat": now, "exp": now + self.lifetime,
                  "jti": secrets.token_hex(8)}
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM)

    def client_id(self, token: str) -> str | None:
        """The API client a valid, unexpired token was issued to; None for anything else."""
        try:
            claims = jwt.decode(token, self._key, algorithms=[_ALGORITHM],
                                options={"require": ["sub", "exp", "iat", "tenantUid"]})
        except jwt.PyJWTError:  # bad signature, expired (on the wall clock), malformed, claims missing
            return None
        return str(claims["sub"])
