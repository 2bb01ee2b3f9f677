"""SCIM endpoint credentials: a bearer token and/or a Basic user and password, regenerable.

Code42 issues per-provider credentials when the provider is added ("Authentication credential type:
OAuth token or Basic authentication", code42-behaviour.md §3.1) and lets the admin "click Regenerate
credentials on the provisioning provider details page" (seed Step 2). [INF] the old secret dies at
once (spec §3.1); the fault ``regenerated_token_still_valid`` keeps it alive.

Secrets are kept only as SHA-256 digests, in the store (so a file database keeps a regenerated token
across a restart), and compared with :func:`hmac.compare_digest`. The configured secret seeds the
store; a restart with a *different* configured secret replaces what is stored (the operator's explicit
choice wins), a restart with the same one keeps any regenerated secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

from simulators.code42.domain.faults import Faults
from simulators.code42.storage.store import Store

REALM = "scimgate"
_KV_KEY = "scim_credentials"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


class ScimCredentials:
    """The secrets that open ``/scim/v2``.

    ``token`` enables ``Authorization: Bearer``; ``basic`` (user, password) enables
    ``Authorization: Basic``. ``credential_type`` (``"oauth"`` or ``"basic"``, as the profile's
    provider says) picks what :meth:`regenerate` renews when both are configured. With neither
    configured and nothing stored, a random token is made (read it from :attr:`token`).
    """

    def __init__(
        self,
        store: Store,
        *,
        token: str | None = None,
        basic: tuple[str, str] | None = None,
        faults: Faults | None = None,
        credential_type: str = "oauth",
    ):
        self._store = store
        self._faults = faults or Faults()
        self.token: str | None = token  # the plain token, only when this process knows it
        self.basic: tuple[str, str] | None = tuple(basic) if basic else None  # type: ignore[assignment]
        if token is None and basic is None:
            with store.read() as tx:
                stored = tx.kv_get(_KV_KEY)
            if stored is None:
                self.token = token = secrets.token_urlsafe(32)
        fingerprint = _digest(json.dumps([token, list(basic) if basic else None]))
        with store.transaction() as tx:
            state = json.loads(tx.kv_get(_KV_KEY) or "null")
            configured = token is not None or basic is not None
            if state is None or (configured and state.get("configured") != fingerprint):
                state = {
                    "configured": fingerprint,
                    "token": _digest(token) if token else None,
                    "basic_user": basic[0] if basic else None,
                    "basic_password": _digest(basic[1]) if basic else None,
                    "retired": [],
                }
                tx.kv_put(_KV_KEY, json.dumps(state))
        self._cache = state
        self.credential_type = "basic" if (credential_type == "basic" and state.get("basic_user")) or not (
            state.get("token")) else "oauth"

    # ---------------------------------------------------------------- checking

    def _state(self) -> dict[str, Any]:
        # In memory: this process is the only writer of the stored state, and regenerate() replaces
        # the cache only once its transaction has committed (Tx.on_commit), so a regenerate that
        # rolls back leaves no stale secret here, and a check costs no SQLite read.
        return self._cache

    @property
    def schemes(self) -> list[str]:
        """The schemes that can succeed now: ``"Bearer"`` and/or ``"Basic"``."""
        state = self._state()
        return [s for s, on in (("Bearer", state.get("token")), ("Basic", state.get("basic_user"))) if on]

    def challenges(self) -> list[str]:
        """``WWW-Authenticate`` values for a 401 (RFC 6750 §3, RFC 7617 §2)."""
        return [f'{scheme} realm="{REALM}"' for scheme in self.schemes] or [f'Bearer realm="{REALM}"']

    def check(self, authorization: str | None) -> bool:
        """True when the ``Authorization`` header carries a valid secret."""
        if not authorization:
            return False
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if not value:
            return False
        state = self._state()
        retired = state.get("retired", []) if self._faults.on("regenerated_token_still_valid") else []
        if scheme.lower() == "bearer":
            presented = _digest(value)
            valid = [d for d in [state.get("token")] + [r["token"] for r in retired if r.get("token")] if d]
            return any(_same(presented, d) for d in valid)  # every candidate compared: no early exit on match
        if scheme.lower() == "basic":
            try:
                user, sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
            except ValueError:  # binascii.Error, UnicodeDecodeError, and non-ASCII text (that one was a 500)
                return False
            if not sep:
                return False
            pairs = [(state.get("basic_user"), state.get("basic_password"))]
            pairs += [(r.get("basic_user"), r.get("basic_password")) for r in retired]
            presented = _digest(password)
            ok = False
            for stored_user, stored_pw in pairs:
                if stored_user and stored_pw:
                    ok |= _same(_digest(user), _digest(stored_user)) & _same(presented, stored_pw)
            return ok
        return False

    # ---------------------------------------------------------------- regeneration

    def regenerate(self) -> str | tuple[str, str]:
        """Issue a new secret and make the old one invalid at once (unless the fault keeps it).

        Returns the new bearer token, or ``(user, password)`` for a Basic-authentication provider
        (Code42: "Reset the password for a SCIM Server's Sync User": the user stays, the password changes).
        """
        with self._store.transaction() as tx:
            state = json.loads(tx.kv_get(_KV_KEY) or "{}")
            retired = {k: state.get(k) for k in ("token", "basic_user", "basic_password")}
            state["retired"] = [*state.get("retired", []), retired]
            new: str | tuple[str, str]
            if self.credential_type == "basic":
                password = secrets.token_urlsafe(24)
                state["basic_password"] = _digest(password)
                new = (state["basic_user"], password)
            else:
                new = secrets.token_urlsafe(32)
                state["token"] = _digest(new)
            # The plain secret becomes ours only when the caller's transaction commits: if it rolls
            # back, the stored (old) secret still opens the door and .token/.basic must say so.
            tx.kv_put(_KV_KEY, json.dumps(state))
            tx.on_commit(lambda: self._remember(new, state))
        return new

    def _remember(self, secret: str | tuple[str, str], state: dict[str, Any]) -> None:
        self._cache = state
        if isinstance(secret, tuple):
            self.basic = secret
        else:
            self.token = secret
