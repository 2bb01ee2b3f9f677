"""The Code42-shaped admin API: what a real Code42 driver (py42, incydr, the console) calls.

Paths, bodies and error tokens follow code42-behaviour.md §4 (clients match error *substrings*, so the
tokens are exact). Authentication is OAuth client credentials with 15-minute tokens on the simulator's
clock (§4.1). Console-only actions that have no public API (provider settings, regenerate credentials,
apply settings, local users) are served under ``/v1/scim-providers/{id}`` and ``POST /v1/users``; those
shapes are scimgate's, modelled on ``ScimServerData`` (code42-open-questions.md).

Seed: "When you manually deactivate users in the Code42 console, there is no delay." so admin
deactivation here is immediate.
"""

from __future__ import annotations

import base64
import copy
import hmac
import re
import secrets
import threading
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from simulators.code42.domain import settings as provider_settings
from simulators.code42.domain.lifecycle import ActiveLegalHoldError
from simulators.code42.domain.roles import ROLES, resolve_role
from simulators.code42.domain.synclog import Entry, page_json, to_csv
from simulators.code42.storage import tables as directory
from simulators.common.clock import isoformat
from simulators.common.json_body import JsonBodyError, parse_json

TOKEN_LIFETIME = timedelta(minutes=15)
INVALID_CREDENTIALS = "Invalid or missing credentials"


class AdminError(Exception):
    """An admin-API error rendered as the legacy ``[{"name": TOKEN, "description": ...}]`` body."""

    def __init__(self, status: int, token: str, description: str = "", headers: dict | None = None):
        super().__init__(description or token)
        self.status, self.token, self.description, self.headers = status, token, description or token, headers or {}


class TokenIssuer:
    """OAuth client-credentials tokens for the admin API, expiring on the simulator clock."""

    def __init__(self, clock: Any):
        self._clock = clock
        self._tokens: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = self._clock.now() + TOKEN_LIFETIME
        return token

    def valid(self, token: str) -> bool:
        """Constant-time: the presented token is compared with every live one by ``hmac.compare_digest``
        (a dict lookup would compare the bytes of a hash-colliding key with an early exit)."""
        presented = token.encode("utf-8", "replace")
        with self._lock:
            now = self._clock.now()
            self._tokens = {t: expiry for t, expiry in self._tokens.items() if now < expiry}
            found = False
            for live in self._tokens:
                found |= hmac.compare_digest(live.encode("ascii"), presented)
            return found


def _unauthorized(description: str = INVALID_CREDENTIALS) -> AdminError:
    return AdminError(401, "SYSTEM", description,
                      {"WWW-Authenticate": 'Bearer realm="code42", error="invalid_token"'})


def _parse_time(text: str | None, name: str) -> datetime | None:
    """``yyyy-MM-dd'T'HH:mm:ss.SSSZ`` (spec §3.9), also with ``Z`` or ``+HH:MM``."""
    if not text:
        return None
    # An unencoded "+" in a query string arrives as a space; read "... 0000" as "+0000".
    fixed = re.sub(r" (\d\d:?\d\d)$", r"+\1", text.strip())
    fixed = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", fixed).replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(fixed)
    except ValueError:
        raise AdminError(400, "INVALID_DATE", f"{name}={text!r} is not yyyy-MM-dd'T'HH:mm:ss.SSSZ") from None
    if when.tzinfo is None:
        raise AdminError(400, "INVALID_DATE", f"{name}={text!r} needs a time zone")
    return when


def _int_arg(name: str, default: int, minimum: int = 0) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise AdminError(400, "INVALID_PARAMETER", f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise AdminError(400, "INVALID_PARAMETER", f"{name} must be >= {minimum}")
    return value


def _bool_arg(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise AdminError(400, "INVALID_PARAMETER", f"{name} must be true or false, got {raw!r}")


def _body() -> dict[str, Any]:
    raw = request.get_data()
    if not raw:
        return {}
    try:
        data = parse_json(raw)
    except JsonBodyError:  # deep nesting and lone surrogates were 500s through request.get_json
        data = None
    if not isinstance(data, dict):
        raise AdminError(400, "INVALID_JSON", "the request body must be a JSON object")
    for name, value in data.items():
        # Handlers bind top-level values as SQLite parameters: a list/object there, or an integer beyond
        # 64 bits, raised from sqlite3 as a 500. Only these fields are structured in Code42's API.
        if isinstance(value, (list, dict)) and name not in _STRUCTURED_FIELDS:
            raise AdminError(400, "INVALID_PARAMETER", f"{name} must be a string, number or boolean")
        if isinstance(value, int) and not -2**63 <= value < 2**63:
            raise AdminError(400, "INVALID_PARAMETER", f"{name} is out of range")
    return data


_STRUCTURED_FIELDS = frozenset({"roleIds", "scimGroupOrgMap", "scimGroupRoleMap", "scimRoleAllowList"})


def _require_strings(body: dict[str, Any], *names: str) -> None:
    """Text fields must be strings (or null): any other JSON type reached SQLite and was a 500."""
    for name in names:
        if body.get(name) is not None and not isinstance(body[name], str):
            raise AdminError(400, "INVALID_PARAMETER", f"{name} must be a string, got {type(body[name]).__name__}")


def _page(items: list[Any]) -> tuple[list[Any], int]:
    """Incydr paging: ``page`` (1-based; 0 is read as 1, the portal's sample sends 0) and ``pageSize`` (100)."""
    page = max(_int_arg("page", 1), 1)
    size = _int_arg("pageSize", 100, 1)
    return items[(page - 1) * size: page * size], len(items)


def create_admin_blueprint(runtime: Any) -> Blueprint:
    """The admin API over ``runtime`` (store, rules = :class:`Code42Domain`, clock, config, credentials)."""
    bp = Blueprint("code42_admin", __name__)
    tokens = TokenIssuer(runtime.clock)
    domain = runtime.rules

    def tx_ctx():
        return runtime.store.transaction()

    def user_or_404(tx: Any, ident: str) -> dict[str, Any]:
        user = directory.resolve_user(tx, ident)
        if user is None:
            raise AdminError(404, "USER_NOT_FOUND", f"no user {ident!r}")
        return user

    @bp.errorhandler(AdminError)
    def _admin_error(error: AdminError):
        response = jsonify([{"name": error.token, "description": error.description}])
        response.status_code = error.status
        response.headers.update(error.headers)
        return response

    @bp.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        """A werkzeug error raised in an admin view (413 from a too-large form body, say) in the admin shape,
        not as werkzeug's HTML page."""
        token = (error.name or "ERROR").upper().replace(" ", "_")
        return _admin_error(AdminError(error.code or 500, token, error.description or error.name or token))

    @bp.before_request
    def _authenticate():
        if request.endpoint in ("code42_admin.oauth", "code42_admin.oauth_v3"):
            return
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer ") or not tokens.valid(header[7:].strip()):
            raise _unauthorized()
        return

    # ------------------------------------------------------------ auth (§4.1)

    def _client_credentials() -> tuple[str, str]:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("basic "):
            try:
                user, _, secret = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
            except ValueError:  # binascii.Error, UnicodeDecodeError, non-ASCII text (that one was a 500)
                raise _unauthorized("malformed Basic credentials") from None
            return user, secret
        return request.form.get("client_id", ""), request.form.get("client_secret", "")

    def _issue():
        grant = request.args.get("grant_type") or request.form.get("grant_type")
        if grant != "client_credentials":
            raise AdminError(400, "unsupported_grant_type", "grant_type must be client_credentials")
        client_id, secret = _client_credentials()
        want_id = current_app.config.get("ADMIN_CLIENT_ID") or ""
        want_secret = current_app.config.get("ADMIN_CLIENT_SECRET") or ""
        ok = bool(want_id and want_secret) and hmac.compare_digest(client_id.encode(), want_id.encode()) \
            and hmac.compare_digest(secret.encode(), want_secret.encode())
        if not ok:
            raise _unauthorized()
        return tokens.issue()

    @bp.post("/v1/oauth", endpoint="oauth")
    def oauth():
        return jsonify({"access_token": _issue(), "token_type": "bearer",
                        "expires_in": int(TOKEN_LIFETIME.total_seconds())})

    @bp.post("/api/v3/oauth/token", endpoint="oauth_v3")
    def oauth_v3():
        return jsonify({"access_token": _issue(), "token_type": "bearer",
                        "expires_in": int(TOKEN_LIFETIME.total_seconds())})

    # ------------------------------------------------------------ users (§4.3)

    @bp.get("/v1/users")
    def list_users():
        active, blocked, username = _bool_arg("active"), _bool_arg("blocked"), request.args.get("username")
        with tx_ctx() as tx:
            domain.prepare(tx)
            if username is not None:
                found = directory.get_user(tx, username=username)
                users = [found] if found else []
            else:
                users = directory.list_users(tx)
            users = [u for u in users if (active is None or u["active"] == active)
                     and (blocked is None or u["blocked"] == blocked)
                     and (username is None or u["username"].lower() == username.lower())]
            page, total = _page(users)
            return jsonify({"users": [directory.user_v1(tx, u) for u in page], "totalCount": total})

    @bp.post("/v1/users")
    def create_user():
        """Console "add user" (scimgate route): ``{username, email, firstName, lastName, orgGuid, roleIds,
        localUser (default true)}``. Local users can only be managed in the console (seed Considerations)."""
        body = _body()
        _require_strings(body, "email", "firstName", "lastName", "orgGuid")
        username = body.get("username")
        if not isinstance(username, str) or "@" not in username:
            raise AdminError(400, "USERNAME_NOT_AN_EMAIL", "username must be an email address")
        with tx_ctx() as tx:
            domain.prepare(tx)
            if directory.get_user(tx, username=username) is not None:
                raise AdminError(500, "USER_DUPLICATE", f"user {username!r} already exists")
            org = directory.resolve_org(tx, body["orgGuid"]) if body.get("orgGuid") else directory.root_org(tx)
            if org is None:
                raise AdminError(400, "ORG_NOT_FOUND", "Organization was not found")
            roles = body.get("roleIds")
            role_ids = [_role_or_400(r) for r in roles] if roles is not None else \
                domain.mapper.org_default_roles(tx, provider_settings.load(tx), org["org_id"])
            local = body.get("localUser", True) is not False
            user = directory.insert_user(tx, username=username, email=body.get("email"),
                                         first_name=body.get("firstName"), last_name=body.get("lastName"),
                                         org_id=org["org_id"], source="local" if local else "admin", local=local,
                                         now=isoformat(tx.now), roles=role_ids)
            return jsonify(directory.user_v1(tx, user)), 201

    @bp.get("/v1/users/<ident>")
    def get_user(ident: str):
        with tx_ctx() as tx:
            domain.prepare(tx)
            return jsonify(directory.user_v1(tx, user_or_404(tx, ident)))

    def _deactivate(ident: str, block: bool):
        with tx_ctx() as tx:
            domain.prepare(tx)
            user = user_or_404(tx, ident)
            try:
                domain.lifecycle.admin_deactivate(tx, user, block=block)
            except ActiveLegalHoldError:
                raise AdminError(400, "ACTIVE_LEGAL_HOLD",
                                 "Cannot deactivate a user who is a custodian of an active legal hold") from None
        return Response(status=204)

    def _activate(ident: str, unblock: bool):
        with tx_ctx() as tx:
            domain.prepare(tx)
            domain.lifecycle.admin_activate(tx, user_or_404(tx, ident), unblock=unblock)
        return Response(status=204)

    @bp.post("/v1/users/<ident>/deactivate")
    def v1_deactivate(ident: str):
        return _deactivate(ident, block=False)

    @bp.post("/v1/users/<ident>/activate")
    def v1_activate(ident: str):
        return _activate(ident, unblock=False)

    @bp.post("/api/v3/users/<ident>/deactivate")
    def v3_deactivate(ident: str):
        return _deactivate(ident, block=bool(_body().get("block", False)))

    @bp.post("/api/v3/users/<ident>/activate")
    def v3_activate(ident: str):
        return _activate(ident, unblock=bool(_body().get("unblock", False)))

    def _block(ident: str, blocked: bool):
        with tx_ctx() as tx:
            domain.prepare(tx)
            domain.lifecycle.admin_block(tx, user_or_404(tx, ident), blocked)
        return Response(status=204)

    @bp.post("/api/v3/users/<ident>/block")
    def v3_block(ident: str):
        return _block(ident, True)

    @bp.post("/api/v3/users/<ident>/unblock")
    def v3_unblock(ident: str):
        return _block(ident, False)

    def _move(ident: str, org_ref: Any):
        if org_ref in (None, ""):
            raise AdminError(400, "ORG_NOT_FOUND", "Organization was not found")
        with tx_ctx() as tx:
            domain.prepare(tx)
            user = user_or_404(tx, ident)
            org = directory.resolve_org(tx, org_ref)
            if org is None:
                raise AdminError(400, "ORG_NOT_FOUND", "Organization was not found")
            directory.update_user(tx, user["user_id"], isoformat(tx.now), org_id=org["org_id"])
        return Response(status=204)

    @bp.post("/v1/users/<ident>/move")
    def v1_move(ident: str):
        return _move(ident, _body().get("orgGuid"))

    @bp.post("/api/v3/users/<ident>/move")
    def v3_move(ident: str):
        return _move(ident, _body().get("orgId"))

    @bp.put("/api/v1/User/<ident>")
    def legacy_update_user(ident: str):
        """``PUT /api/v1/User/{userUid}?idType=uid``: an admin edit. Marks the fields as edited in Code42 so the
        fault ``updates_do_not_overwrite`` can keep them."""
        body = _body()
        fields: dict[str, Any] = {}
        names = {"username": "username", "email": "email", "firstName": "first_name", "lastName": "last_name",
                 "notes": "notes"}
        _require_strings(body, *names)
        for key, column in names.items():
            if key in body:
                fields[column] = body[key]
        if "username" in fields and "@" not in str(fields["username"]):
            raise AdminError(500, "USERNAME_NOT_AN_EMAIL", "username must be an email address")
        if "email" in fields and "@" not in str(fields["email"]):
            raise AdminError(500, "EMAIL_INVALID", "email is not valid")
        with tx_ctx() as tx:
            domain.prepare(tx)
            user = user_or_404(tx, ident)
            edited = sorted(set(user["edited"]) | set(fields))
            user = directory.update_user(tx, user["user_id"], isoformat(tx.now), edited=edited, **fields)
            return jsonify({"metadata": {"timestamp": isoformat(tx.now), "params": {}},
                            "data": directory.user_v1(tx, user)})

    # ------------------------------------------------------------ roles (§4.3, §5)

    def _role_json(role_id: str) -> dict[str, Any]:
        role = ROLES[role_id]
        return {"roleId": role.role_id, "roleName": role.name, "creationDate": None, "modificationDate": None,
                "permissionIds": list(role.permissions)}

    def _role_or_400(ref: Any) -> str:
        role = resolve_role(str(ref))
        if role is None:
            raise AdminError(400, "INVALID_ROLE", f"role {ref!r} does not exist")
        return role.role_id

    @bp.get("/v1/users/roles")
    def list_roles():
        return jsonify([{**_role_json(r), "permissions": [{"permission": p, "description": p}
                                                          for p in ROLES[r].permissions]} for r in ROLES])

    @bp.get("/v1/users/roles/<role_id>")
    def get_role(role_id: str):
        role = resolve_role(role_id)
        if role is None:
            raise AdminError(404, "ROLE_NOT_FOUND", f"no role {role_id!r}")
        return jsonify({**_role_json(role.role_id), "permissions": [{"permission": p} for p in role.permissions]})

    def _get_roles(ident: str) -> list[dict[str, Any]]:
        with tx_ctx() as tx:
            domain.prepare(tx)
            return [_role_json(r) for r in user_or_404(tx, ident)["roles"] if r in ROLES]

    def _replace_roles(ident: str) -> dict[str, Any]:
        wanted = _body().get("roleIds")
        if not isinstance(wanted, list):
            raise AdminError(400, "INVALID_ROLE", "roleIds must be a list")
        ids = [_role_or_400(r) for r in wanted]
        with tx_ctx() as tx:
            domain.prepare(tx)
            user = user_or_404(tx, ident)
            before = set(user["roles"])
            directory.update_user(tx, user["user_id"], isoformat(tx.now), roles=sorted(set(ids)))
        return {"processedReplacementRoleIds": ids, "newlyAssignedRolesIds": sorted(set(ids) - before),
                "unassignedRolesIds": sorted(before - set(ids)), "ignoredRolesIds": []}

    @bp.get("/v1/users/<ident>/roles")
    def v1_user_roles(ident: str):
        return jsonify({"roles": _get_roles(ident)})

    @bp.put("/v1/users/<ident>/roles")
    def v1_replace_roles(ident: str):
        return jsonify(_replace_roles(ident))

    @bp.get("/api/v3/users/<ident>/roles")
    def v3_user_roles(ident: str):
        return jsonify(_get_roles(ident))

    @bp.put("/api/v3/users/<ident>/roles")
    def v3_replace_roles(ident: str):
        return jsonify(_replace_roles(ident))

    # ------------------------------------------------------------ orgs (§4.4)

    @bp.get("/v1/orgs")
    def list_orgs():
        active = _bool_arg("active")
        with tx_ctx() as tx:
            domain.prepare(tx)
            orgs = [directory.org_v1(tx, o) for o in directory.list_orgs(tx) if active is None or o["active"] == active]
            return jsonify({"orgs": orgs, "totalCount": len(orgs)})

    @bp.post("/v1/orgs")
    def create_org():
        body = _body()
        name = body.get("orgName")
        if not isinstance(name, str) or not name.strip():
            raise AdminError(400, "INVALID_ORG_NAME", "orgName is required")
        with tx_ctx() as tx:
            domain.prepare(tx)
            parent = directory.resolve_org(tx, body["parentOrgGuid"]) if body.get("parentOrgGuid") \
                else directory.root_org(tx)
            if parent is None:
                raise AdminError(400, "ORG_NOT_FOUND", "Organization was not found")
            org = directory.insert_org(tx, name=name.strip(), parent_org_id=parent["org_id"], now=isoformat(tx.now),
                                       ext_ref=body.get("orgExtRef"), notes=body.get("notes"))
            return jsonify(directory.org_v1(tx, org)), 201

    @bp.get("/v1/orgs/<ident>")
    def get_org(ident: str):
        with tx_ctx() as tx:
            domain.prepare(tx)
            org = directory.resolve_org(tx, ident)
            if org is None:
                raise AdminError(404, "ORG_NOT_FOUND", "Organization was not found")
            return jsonify(directory.org_v1(tx, org))

    # ------------------------------------------------------------ legal hold (§4.6)

    def _matter_json(matter: dict[str, Any]) -> dict[str, Any]:
        return {"matterId": matter["matter_id"], "name": matter["name"], "description": matter["description"],
                "notes": matter["notes"], "active": bool(matter["active"]), "creationDate": matter["created_at"],
                "policyId": matter["policy_id"], "creator": None, "creatorPrincipal": None}

    def matter_or_403(tx: Any, matter_id: str) -> dict[str, Any]:
        """Not found and not permitted are deliberately the same 403 (spec §4.2)."""
        matter = directory.get_matter(tx, matter_id)
        if matter is None:
            raise AdminError(403, "FORBIDDEN", "legal hold matter not found or not permitted")
        return matter

    @bp.get("/v1/legal-hold/policies")
    def list_policies():
        with tx_ctx() as tx:
            rows = [dict(r) for r in tx.query("SELECT * FROM c42_lh_policies ORDER BY created_at")]
        return jsonify({"policies": [{"policyId": r["policy_id"], "name": r["name"], "creationDate": r["created_at"]}
                                     for r in rows], "totalCount": len(rows)})

    @bp.post("/v1/legal-hold/policies")
    def create_policy():
        name = _body().get("name") or "Legal hold policy"
        with tx_ctx() as tx:
            policy_id = secrets.token_hex(8)
            tx.execute("INSERT INTO c42_lh_policies (policy_id, name, created_at) VALUES (?,?,?)",
                       (policy_id, name, isoformat(tx.now)))
        return jsonify({"policyId": policy_id, "name": name}), 201

    @bp.get("/v1/legal-hold/matters")
    def list_matters():
        active, name = _bool_arg("active"), request.args.get("name")
        with tx_ctx() as tx:
            rows = [dict(r) for r in tx.query("SELECT * FROM c42_lh_matters ORDER BY created_at, matter_id")]
        rows = [r for r in rows if (active is None or bool(r["active"]) == active) and (name is None or r["name"] == name)]
        page, total = _page(rows)
        return jsonify({"matters": [_matter_json(r) for r in page], "totalCount": total})

    @bp.post("/v1/legal-hold/matters")
    def create_matter():
        body = _body()
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise AdminError(400, "INVALID_NAME", "name is required")
        with tx_ctx() as tx:
            policy_id = body.get("policyId")
            if policy_id and not tx.query("SELECT 1 FROM c42_lh_policies WHERE policy_id = ?", (policy_id,)):
                raise AdminError(403, "FORBIDDEN", "legal hold policy not found or not permitted")
            if not policy_id:
                policy_id = secrets.token_hex(8)
                tx.execute("INSERT INTO c42_lh_policies (policy_id, name, created_at) VALUES (?,?,?)",
                           (policy_id, f"{name} policy", isoformat(tx.now)))
            matter_id = secrets.token_hex(8)
            tx.execute("INSERT INTO c42_lh_matters (matter_id, name, description, notes, policy_id, active, created_at)"
                       " VALUES (?,?,?,?,?,1,?)", (matter_id, name, body.get("description"), body.get("notes"),
                                                   policy_id, isoformat(tx.now)))
            return jsonify(_matter_json(directory.get_matter(tx, matter_id))), 201

    @bp.get("/v1/legal-hold/matters/<matter_id>")
    def get_matter(matter_id: str):
        with tx_ctx() as tx:
            return jsonify(_matter_json(matter_or_403(tx, matter_id)))

    def _matter_custodian_uids(tx: Any, matter_id: str) -> list[str]:
        return [r["user_uid"] for r in tx.query(
            "SELECT user_uid FROM c42_lh_memberships WHERE matter_id = ? AND active = 1", (matter_id,))]

    @bp.post("/v1/legal-hold/matters/<matter_id>/deactivate")
    def deactivate_matter(matter_id: str):
        """Closing a matter releases its custodians (CrashPlan "Releasing a user from Legal Hold")."""
        with tx_ctx() as tx:
            domain.prepare(tx)
            matter = matter_or_403(tx, matter_id)
            if not matter["active"]:
                raise AdminError(400, "ALREADY_DEACTIVATED", "the matter is already deactivated")
            tx.execute("UPDATE c42_lh_matters SET active = 0 WHERE matter_id = ?", (matter_id,))
            for uid in _matter_custodian_uids(tx, matter_id):
                domain.lifecycle.released(tx, uid)
        return Response(status=204)

    @bp.post("/v1/legal-hold/matters/<matter_id>/reactivate")
    def reactivate_matter(matter_id: str):
        with tx_ctx() as tx:
            matter = matter_or_403(tx, matter_id)
            if matter["active"]:
                raise AdminError(400, "ALREADY_ACTIVE", "the matter is already active")
            tx.execute("UPDATE c42_lh_matters SET active = 1 WHERE matter_id = ?", (matter_id,))
        return Response(status=204)

    @bp.get("/v1/legal-hold/matters/<matter_id>/custodians")
    def list_custodians(matter_id: str):
        with tx_ctx() as tx:
            matter = matter_or_403(tx, matter_id)
            rows = [dict(r) for r in tx.query("SELECT * FROM c42_lh_memberships WHERE matter_id = ? ORDER BY created_at",
                                              (matter_id,))]
            out = []
            for row in rows:
                user = directory.get_user(tx, uid=row["user_uid"]) or {}
                out.append({"membershipActive": bool(row["active"]), "membershipCreationDate": row["created_at"],
                            "matter": {"matterId": matter["matter_id"], "name": matter["name"]},
                            "custodian": {"userId": row["user_uid"], "username": user.get("username"),
                                          "email": user.get("email")}})
        page, total = _page(out)
        return jsonify({"custodians": page, "totalCount": total})

    @bp.post("/v1/legal-hold/matters/<matter_id>/custodians")
    def add_custodian(matter_id: str):
        ident = _body().get("userId")
        with tx_ctx() as tx:
            domain.prepare(tx)
            matter = matter_or_403(tx, matter_id)
            user = user_or_404(tx, str(ident))
            if not user["active"]:
                # "Deactivated users cannot sign in and cannot be added to a legal hold." (spec §2.1)
                raise AdminError(400, "USER_DEACTIVATED", "deactivated users cannot be added to a legal hold")
            if tx.query("SELECT 1 FROM c42_lh_memberships WHERE matter_id = ? AND user_uid = ? AND active = 1",
                        (matter_id, user["user_uid"])):
                raise AdminError(400, "USER_ALREADY_IN_HOLD", "the user is already a custodian of this matter")
            tx.execute("INSERT INTO c42_lh_memberships (membership_id, matter_id, user_uid, active, created_at)"
                       " VALUES (?,?,?,1,?)", (secrets.token_hex(8), matter_id, user["user_uid"], isoformat(tx.now)))
            return jsonify({"membershipActive": True, "membershipCreationDate": isoformat(tx.now),
                            "matter": {"matterId": matter["matter_id"], "name": matter["name"]},
                            "custodian": {"userId": user["user_uid"], "username": user["username"],
                                          "email": user["email"]}}), 201

    @bp.post("/v1/legal-hold/matters/<matter_id>/custodians/remove")
    def remove_custodian(matter_id: str):
        """Release = deactivating the membership; the custodian is then "automatically deactivated"
        if a SCIM deactivation was waiting (seed, legal hold)."""
        ident = _body().get("userId")
        with tx_ctx() as tx:
            domain.prepare(tx)
            matter_or_403(tx, matter_id)
            user = user_or_404(tx, str(ident))
            if not tx.query("SELECT 1 FROM c42_lh_memberships WHERE matter_id = ? AND user_uid = ? AND active = 1",
                            (matter_id, user["user_uid"])):
                raise AdminError(400, "USER_NOT_IN_HOLD", "the user is not a custodian of this matter")
            tx.execute("UPDATE c42_lh_memberships SET active = 0 WHERE matter_id = ? AND user_uid = ?",
                       (matter_id, user["user_uid"]))
            domain.lifecycle.released(tx, user["user_uid"])
        return Response(status=204)

    @bp.get("/v1/legal-hold/custodians/<ident>")
    def custodian_matters(ident: str):
        with tx_ctx() as tx:
            user = user_or_404(tx, ident)
            rows = [dict(r) for r in tx.query(
                "SELECT m.*, t.name FROM c42_lh_memberships m JOIN c42_lh_matters t ON t.matter_id = m.matter_id"
                " WHERE m.user_uid = ? ORDER BY m.created_at", (user["user_uid"],))]
        return jsonify({"matters": [{"matterId": r["matter_id"], "name": r["name"], "membershipActive": bool(r["active"]),
                                     "membershipCreationDate": r["created_at"]} for r in rows]})

    # ------------------------------------------------------------ provisioned attributes (§4.7)

    @bp.get("/v1/user-risk-profiles/<ident>")
    def risk_profile(ident: str):
        with tx_ctx() as tx:
            domain.prepare(tx)
            user = user_or_404(tx, ident)
            attrs = user["attrs"]
            manager = directory.get_user(tx, uid=attrs["managerUid"]) if attrs.get("managerUid") else None
            names = " ".join(n for n in (user["first_name"], user["last_name"]) if n)
            return jsonify({
                "userId": user["user_uid"], "tenantId": None, "username": user["username"],
                "displayName": names or user["username"], "notes": user["notes"],
                "managerId": attrs.get("managerUid"), "managerUsername": manager["username"] if manager else None,
                "managerDisplayName": " ".join(n for n in (manager["first_name"], manager["last_name"]) if n)
                if manager else None,
                "title": attrs.get("title"), "division": attrs.get("division"), "department": attrs.get("department"),
                "employmentType": attrs.get("employmentType"), "country": attrs.get("country"),
                "region": attrs.get("region"), "locality": attrs.get("locality"), "active": user["active"],
                "deleted": False, "supportUser": False, "startDate": None, "endDate": None, "cloudAliases": [],
            })

    @bp.get("/api/v18/scim-user-data/collated-view")
    def scim_user_data():
        """``ScimUserDataEntry`` (code42-open-questions.md)."""
        ident = request.args.get("userId")
        if not ident:
            raise AdminError(400, "INVALID_PARAMETER", "userId is required")
        with tx_ctx() as tx:
            domain.prepare(tx)
            user = user_or_404(tx, ident)
            attrs = user["attrs"]
            return jsonify({"userId": user["user_uid"], "username": user["username"],
                            "firstName": user["first_name"], "lastName": user["last_name"],
                            "title": attrs.get("title"), "division": attrs.get("division"),
                            "department": attrs.get("department"), "employmentType": attrs.get("employmentType"),
                            "managerUserId": attrs.get("managerUid"), "locality": attrs.get("locality"),
                            "region": attrs.get("region"), "country": attrs.get("country"),
                            "externalId": attrs.get("externalId"), "hasScimUserData": user["scim_id"] is not None,
                            "lastUpdated": user["modified_at"]})

    @bp.get("/v1/directory-groups")
    def directory_groups():
        """"directory group information that has been pushed to Code42 from SCIM" (spec §4.5). Fault
        ``groups_visible_before_sync`` also lists groups that mappings name but were never pushed."""
        with tx_ctx() as tx:
            settings = domain.prepare(tx)
            groups = [{"groupId": str(g["group_id"]), "name": g["name"]} for g in directory.list_groups(tx)]
            if runtime.faults.on("groups_visible_before_sync"):
                known = {g["name"] for g in groups}
                for entry in settings["org_mapping"]["groups"] + settings["role_mapping"]["groups"]:
                    if directory.find_group(tx, entry["group"]) is None and entry["group"] not in known:
                        known.add(entry["group"])
                        groups.append({"groupId": entry["group"], "name": entry["group"]})
        page, total = _page(groups)
        return jsonify({"directoryGroups": page, "totalCount": total})

    # ------------------------------------------------------------ Sync Log (§3.9)

    def _sync_entries() -> list[dict[str, Any]]:
        after = _parse_time(request.args.get("eventOccurredAfter"), "eventOccurredAfter")
        before = _parse_time(request.args.get("eventOccurredBefore"), "eventOccurredBefore")
        with tx_ctx() as tx:
            domain.prepare(tx)
            return domain.synclog.entries(tx, after, before)

    @bp.get("/api/v3/DirectorySyncLog")
    def sync_log():
        entries = _sync_entries()
        page = _int_arg("pgNum", _int_arg("PageNumber", 1, 1), 1)
        size = _int_arg("pgSize", _int_arg("PageSize", 100, 1), 1)
        return jsonify(page_json(entries, page, size))

    @bp.get("/api/v3/DirectorySyncLog/csv")
    def sync_log_csv():
        return Response(to_csv(_sync_entries()), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="directory-sync-log.csv"'})

    # ------------------------------------------------------------ console: provider settings (scimgate shapes)

    def provider_or_404(tx: Any, provider_id: str) -> dict[str, Any]:
        """The provider's settings as a copy the caller may edit (the domain's cached ones are read-only)."""
        settings = domain.prepare(tx)
        if provider_id != settings["provider_id"]:
            raise AdminError(404, "PROVIDER_NOT_FOUND", f"no provisioning provider {provider_id!r}")
        return copy.deepcopy(settings)

    def _base_url() -> str:
        return request.host_url.rstrip("/") + "/scim/v2"

    @bp.get("/v1/scim-providers")
    def list_providers():
        with tx_ctx() as tx:
            settings = domain.prepare(tx)
            return jsonify({"scimServers": [provider_settings.to_scim_server_data(tx, settings, _base_url())],
                            "totalCount": 1})

    @bp.get("/v1/scim-providers/<provider_id>")
    def get_provider(provider_id: str):
        with tx_ctx() as tx:
            settings = provider_or_404(tx, provider_id)
            return jsonify(provider_settings.to_scim_server_data(tx, settings, _base_url()))

    @bp.patch("/v1/scim-providers/<provider_id>")
    def patch_provider(provider_id: str):
        """``ScimServer_Update``: "Missing or empty fields remain unchanged." Mapping edits reach existing users
        only through apply-settings or their next SCIM change (seed: "If you change organization or role
        mapping in the future, apply the mappings")."""
        body = _body()
        with tx_ctx() as tx:
            settings = provider_or_404(tx, provider_id)
            _apply_patch(tx, settings, body)
            provider_settings.save(tx, settings)
            answer = provider_settings.to_scim_server_data(tx, settings, _base_url())
        domain.settings_changed(settings)
        return jsonify(answer)

    def _group_ref(tx: Any, ref: Any, field: str) -> str:
        if not isinstance(ref, str) or not ref:
            raise AdminError(400, "INVALID_GROUP", f"{field}: scimGroupUid is required")
        if directory.find_group(tx, ref) is None and not runtime.faults.on("groups_visible_before_sync"):
            # Seed: "There are no SCIM groups available ... You must first provision groups to Code42".
            raise AdminError(400, "SCIM_GROUP_NOT_FOUND",
                             f"{field}: SCIM group {ref!r} has not been provisioned; groups appear only after a "
                             "provisioning synchronization")
        return ref

    def _org_ref(tx: Any, ref: Any, field: str) -> int:
        org = directory.resolve_org(tx, ref) if ref not in (None, "") else None
        if org is None:
            raise AdminError(400, "ORG_NOT_FOUND", f"{field}: Organization was not found")
        return org["org_id"]

    def _apply_patch(tx: Any, settings: dict[str, Any], body: dict[str, Any]) -> None:
        om, rm = settings["org_mapping"], settings["role_mapping"]
        if body.get("scimServerName"):
            settings["name"] = str(body["scimServerName"])
        if body.get("plan"):
            if body["plan"] not in ("incydr-professional", "incydr-enterprise", "incydr-basic", "incydr-advanced",
                                    "crashplan-cloud", "other"):
                raise AdminError(400, "INVALID_PLAN", f"plan {body['plan']!r} has no SCIM provisioning or is unknown")
            settings["plan"] = body["plan"]
        if body.get("provisioningDeactivationDelay") is not None:
            delay = body["provisioningDeactivationDelay"]
            if not isinstance(delay, int) or isinstance(delay, bool) or not 0 <= delay <= 129600:
                raise AdminError(400, "INVALID_DELAY", "provisioningDeactivationDelay must be minutes in [0,129600]")
            settings["delay_minutes"] = delay
        if body.get("orgMappingType"):
            if body["orgMappingType"] not in ("DEFAULT", "MAPPING", "ATTRIBUTE"):
                raise AdminError(400, "INVALID_MAPPING_TYPE", "orgMappingType must be DEFAULT, MAPPING or ATTRIBUTE")
            om["method"] = body["orgMappingType"]
        if body.get("defaultOrgId") not in (None, ""):
            om["default_org_id"] = _org_ref(tx, body["defaultOrgId"], "defaultOrgId")
        if body.get("scimOrgAttribute"):
            if not 1 <= len(str(body["scimOrgAttribute"])) <= 100:
                raise AdminError(400, "INVALID_ATTRIBUTE", "scimOrgAttribute must be 1-100 characters")
            om["attribute"] = str(body["scimOrgAttribute"])
        if body.get("scimGroupOrgMap"):
            om["groups"] = [{"group": _group_ref(tx, e.get("scimGroupUid"), f"scimGroupOrgMap[{i}]"),
                             "org_id": _org_ref(tx, e.get("orgId"), f"scimGroupOrgMap[{i}]")}
                            for i, e in enumerate(_objects(body["scimGroupOrgMap"], "scimGroupOrgMap"))]
        if body.get("roleMappingType"):
            if body["roleMappingType"] not in ("NONE", "GROUP", "ATTRIBUTE"):
                raise AdminError(400, "INVALID_MAPPING_TYPE", "roleMappingType must be NONE, GROUP or ATTRIBUTE")
            rm["method"] = body["roleMappingType"]
        if body.get("scimGroupRoleMap"):
            entries = []
            for i, e in enumerate(_objects(body["scimGroupRoleMap"], "scimGroupRoleMap")):
                roles = e.get("roleIds")
                if not isinstance(roles, list) or not roles:
                    raise AdminError(400, "INVALID_ROLE", f"scimGroupRoleMap[{i}]: at least one role id is required")
                entries.append({"group": _group_ref(tx, e.get("scimGroupUid"), f"scimGroupRoleMap[{i}]"),
                                "roles": [_role_or_400(r) for r in roles]})
            rm["groups"] = entries
        if body.get("scimRoleAllowList"):
            rm["allow_list"] = [_role_or_400(r) for r in _list(body["scimRoleAllowList"], "scimRoleAllowList")]
        if body.get("scimRoleAttribute"):
            rm["attribute"] = str(body["scimRoleAttribute"])

    def _list(value: Any, field: str) -> list[Any]:
        if not isinstance(value, list):
            raise AdminError(400, "INVALID_PARAMETER", f"{field} must be a list")
        return value

    def _objects(value: Any, field: str) -> list[dict[str, Any]]:
        """A list of JSON objects (a string entry was an AttributeError, i.e. a 500)."""
        entries = _list(value, field)
        if not all(isinstance(e, dict) for e in entries):
            raise AdminError(400, "INVALID_PARAMETER", f"every entry of {field} must be an object")
        return entries

    @bp.post("/v1/scim-providers/<provider_id>/regenerate-credentials")
    def regenerate(provider_id: str):
        """Seed Step 2: "click Regenerate credentials on the provisioning provider details page and copy the
        newly-generated token". The old token stops working at once ([INF] spec §3.1)."""
        with tx_ctx() as tx:
            settings = provider_or_404(tx, provider_id)
            new = runtime.credentials.regenerate()
            domain.synclog.add(tx, "Regenerate credentials", "SUCCESS", "provider credentials regenerated")
        if isinstance(new, tuple):
            return jsonify({"scimBaseUrl": _base_url(), "username": new[0], "credentialPassword": new[1]})
        return jsonify({"scimBaseUrl": _base_url(), "token": new, "credentialType": settings["credential_type"]})

    @bp.post("/v1/scim-providers/<provider_id>/apply-settings")
    def apply_settings(provider_id: str):
        with tx_ctx() as tx:
            provider_or_404(tx, provider_id)
            count = domain.apply_settings(tx)
        return jsonify({"usersEvaluated": count})

    return bp


def _logged_body() -> Any:
    """The rejected request's JSON body for the Sync Log, or None: a body the SCIM layer refused as too
    large, too deep or not Unicode must not turn the rejection into a 500 here."""
    limit = current_app.config.get("MAX_BODY_BYTES")
    if limit is not None and (request.content_length or 0) > limit:
        return None
    try:
        return parse_json(request.get_data(cache=True))
    except (JsonBodyError, HTTPException):
        return None


def install_sync_log_hooks(app: Flask, runtime: Any) -> None:
    """Log SCIM write requests the SCIM layer rejects before the domain sees them (malformed body, unknown
    id, duplicate userName in the store) so that the Sync Log has "an entry for every SCIM action and
    error". Rejections the domain itself made are already logged and are not repeated; 401s are not
    provisioning actions and are left out."""
    domain = runtime.rules

    @app.before_request
    def _mark() -> None:
        g.c42_rejections = domain.synclog.rejections

    @app.after_request
    def _log_rejection(response: Response) -> Response:
        path = request.path
        if (response.status_code < 400 or response.status_code == 401 or request.method not in
                ("POST", "PUT", "PATCH", "DELETE") or not path.startswith("/scim/v2/")
                or domain.synclog.rejections != g.get("c42_rejections", domain.synclog.rejections)):
            return response
        body = _logged_body()
        username = body.get("userName") if isinstance(body, dict) and isinstance(body.get("userName"), str) else None
        error = response.get_json(silent=True) or {}
        detail = error.get("detail") if isinstance(error, dict) else None
        resource = "group" if path.startswith("/scim/v2/Groups") else "user"
        domain.synclog.defer(Entry(runtime.clock.now(), username, None, f"{request.method} {resource}", "ERROR",
                                   f"HTTP {response.status_code}: {detail or response.status}"))
        return response
