"""A small, permissive SCIM service provider for engine transcript tests: it stores what the engine
sends, accepts Entra's legacy PATCH forms, and can be told to fail (429/5xx/slow/401) on chosen
requests. It is a test double for the *target*; the engine under test is real and talks real HTTP."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request

LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
_FILTER = re.compile(r'^(\w+) eq "(.*)"$')


@dataclass
class Fault:
    method: str
    path_prefix: str
    status: int
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class FakeSP:
    token: str
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)

    def fail(self, method: str, path_prefix: str, status: int, *, times: int = 1, delay: float = 0.0,
             **headers: str) -> None:
        self.faults.append(Fault(method, path_prefix, status, times, {k.replace("_", "-"): v for k, v in headers.items()}, delay))

    def user_by_name(self, user_name: str) -> dict[str, Any]:
        return next(u for u in self.users.values() if u["userName"] == user_name)


def _error(status: int, detail: str):
    response = jsonify({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": str(status), "detail": detail})
    response.status_code = status
    return response


def _set_path(resource: dict[str, Any], path: str, value: Any) -> None:
    m = re.match(r'^(\w+)\[type eq "([^"]+)"\]\.(\w+)$', path)
    if m:
        items = resource.setdefault(m[1], [])
        element = next((e for e in items if e.get("type") == m[2]), None)
        if element is None:
            element = {"type": m[2]}
            items.append(element)
        element[m[3]] = value
    elif path.startswith("urn:"):
        urn, _, attr = path.rpartition(":")
        resource.setdefault(urn, {})[attr] = value
    elif "." in path:
        attr, sub = path.split(".", 1)
        resource.setdefault(attr, {})[sub] = value
    else:
        resource[path] = value


def _injected_fault(sp: FakeSP):
    """The first armed fault matching this request, as its error response (after its delay)."""
    for fault in sp.faults:
        if fault.times > 0 and request.method == fault.method and request.path.startswith(fault.path_prefix):
            fault.times -= 1
            if fault.delay:
                time.sleep(fault.delay)
            response = _error(fault.status, "injected fault")
            response.headers.update(fault.headers)
            return response
    return None


def _refused_token(sp: FakeSP):
    if request.headers.get("Authorization") != f"Bearer {sp.token}":
        return _error(401, "bad token")
    return None


def _patch_user(user: dict[str, Any], operations: list[dict[str, Any]]) -> None:
    for op in operations:
        kind = op["op"].lower()
        if kind in ("add", "replace"):
            if "path" not in op:
                for key, value in op["value"].items():
                    _set_path(user, key, value)
            elif op["path"] == "active":
                user["active"] = op["value"] in (True, "True", "true")
            else:
                _set_path(user, op["path"], op["value"])
        elif kind == "remove" and "manager" in op["path"]:
            user.get(ENTERPRISE, {}).pop("manager", None)


def _patch_group(group: dict[str, Any], operations: list[dict[str, Any]]) -> None:
    for op in operations:
        kind, path = op["op"].lower(), op.get("path", "")
        if kind == "add" and path == "members":
            group["members"] += [{"value": v["value"]} for v in op["value"]]
        elif kind == "remove" and path == "members":
            gone = {v["value"] for v in op["value"]}
            group["members"] = [m for m in group["members"] if m["value"] not in gone]
        elif kind == "remove" and path.startswith("members[value eq"):
            gone = path.split('"')[1]
            group["members"] = [m for m in group["members"] if m["value"] != gone]
        elif kind == "replace":
            if path:
                group[path] = op["value"]
            else:
                group.update(op["value"])


def _query(store: dict[str, dict[str, Any]]):
    text = request.args.get("filter", "")
    m = _FILTER.match(text)
    if not m:
        return _error(400, f"unsupported filter {text!r}")
    found = [r for r in store.values() if str(r.get(m[1])) == m[2]]
    if request.args.get("excludedAttributes") == "members":
        found = [{k: v for k, v in r.items() if k != "members"} for r in found]
    return jsonify({"schemas": [LIST], "totalResults": len(found), "Resources": found, "startIndex": 1,
                    "itemsPerPage": len(found)})


def create_fake_sp(sp: FakeSP) -> Flask:
    app = Flask(__name__)

    @app.before_request
    def _gate():
        return _injected_fault(sp) or _refused_token(sp)

    _user_routes(app, sp)
    _group_routes(app, sp)
    return app


def _user_routes(app: Flask, sp: FakeSP) -> None:
    @app.get("/scim/v2/Users")
    def list_users():
        return _query(sp.users)

    @app.post("/scim/v2/Users")
    def create_user():
        body = request.get_json(force=True)
        if any(u["userName"] == body.get("userName") for u in sp.users.values()):
            return _error(409, "userName taken")
        body["id"] = uuid.uuid4().hex[:20]
        sp.users[body["id"]] = body
        return jsonify(body), 201

    @app.get("/scim/v2/Users/<rid>")
    def get_user(rid: str):
        return jsonify(sp.users[rid]) if rid in sp.users else _error(404, "no such user")

    @app.patch("/scim/v2/Users/<rid>")
    def patch_user(rid: str):
        if rid not in sp.users:
            return _error(404, "no such user")
        user = sp.users[rid]
        _patch_user(user, request.get_json(force=True)["Operations"])
        return jsonify(user)

    @app.delete("/scim/v2/Users/<rid>")
    def delete_user(rid: str):
        return ("", 204) if sp.users.pop(rid, None) is not None else _error(404, "no such user")


def _group_routes(app: Flask, sp: FakeSP) -> None:
    @app.get("/scim/v2/Groups")
    def list_groups():
        return _query(sp.groups)

    @app.post("/scim/v2/Groups")
    def create_group():
        body = request.get_json(force=True)
        body["id"] = uuid.uuid4().hex[:20]
        body["members"] = []
        sp.groups[body["id"]] = body
        return jsonify(body), 201

    @app.get("/scim/v2/Groups/<rid>")
    def get_group(rid: str):
        if rid not in sp.groups:
            return _error(404, "no such group")
        group = sp.groups[rid]
        if request.args.get("excludedAttributes") == "members":
            group = {k: v for k, v in group.items() if k != "members"}
        return jsonify(group)

    @app.patch("/scim/v2/Groups/<rid>")
    def patch_group(rid: str):
        if rid not in sp.groups:
            return _error(404, "no such group")
        _patch_group(sp.groups[rid], request.get_json(force=True)["Operations"])
        return "", 204

    @app.delete("/scim/v2/Groups/<rid>")
    def delete_group(rid: str):
        return ("", 204) if sp.groups.pop(rid, None) is not None else _error(404, "no such group")
