"""A small, permissive SCIM service provider for engine transcript tests: it stores what the engine
sends, accepts Entra's legacy PATCH forms, and can be told to fail (429/5xx/slow/401) on chosen
requests. It is a test double for the *target*; the engine under test is real and talks real HTTP."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

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


def create_fake_sp(sp: FakeSP) -> Flask:
    app = Flask(__name__)
    app.extensions["fake_sp"] = sp
    app.before_request(_gate)  # every path, as a real target's auth layer
    app.register_blueprint(scim)
    return app


scim = Blueprint("fake_scim", __name__, url_prefix="/scim/v2")


def _sp() -> FakeSP:
    return current_app.extensions["fake_sp"]


def _gate():
    sp = _sp()
    for fault in sp.faults:
        if fault.times > 0 and request.method == fault.method and request.path.startswith(fault.path_prefix):
            fault.times -= 1
            if fault.delay:
                time.sleep(fault.delay)
            response = _error(fault.status, "injected fault")
            response.headers.update(fault.headers)
            return response
    if request.headers.get("Authorization") != f"Bearer {sp.token}":
        return _error(401, "bad token")
    return None


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


@scim.get("/Users")
def list_users():
    return _query(_sp().users)


@scim.get("/Groups")
def list_groups():
    return _query(_sp().groups)


@scim.post("/Users")
def create_user():
    users = _sp().users
    body = request.get_json(force=True)
    if any(u["userName"] == body.get("userName") for u in users.values()):
        return _error(409, "userName taken")
    body["id"] = uuid.uuid4().hex[:20]
    users[body["id"]] = body
    return jsonify(body), 201


@scim.post("/Groups")
def create_group():
    body = request.get_json(force=True)
    body["id"] = uuid.uuid4().hex[:20]
    body["members"] = []
    _sp().groups[body["id"]] = body
    return jsonify(body), 201


@scim.get("/Users/<rid>")
def get_user(rid: str):
    users = _sp().users
    return jsonify(users[rid]) if rid in users else _error(404, "no such user")


@scim.get("/Groups/<rid>")
def get_group(rid: str):
    groups = _sp().groups
    if rid not in groups:
        return _error(404, "no such group")
    group = groups[rid]
    if request.args.get("excludedAttributes") == "members":
        group = {k: v for k, v in group.items() if k != "members"}
    return jsonify(group)


def _apply_user_op(user: dict[str, Any], op: dict[str, Any]) -> None:
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


@scim.patch("/Users/<rid>")
def patch_user(rid: str):
    users = _sp().users
    if rid not in users:
        return _error(404, "no such user")
    for op in request.get_json(force=True)["Operations"]:
        _apply_user_op(users[rid], op)
    return jsonify(users[rid])


def _apply_group_op(group: dict[str, Any], op: dict[str, Any]) -> None:
    kind, path = op["op"].lower(), op.get("path", "")
    if kind == "add" and path == "members":
        group["members"] += [{"value": v["value"]} for v in op["value"]]
    elif kind == "remove" and path == "members":
        gone = {v["value"] for v in op["value"]}
        group["members"] = [m for m in group["members"] if m["value"] not in gone]
    elif kind == "remove" and path.startswith("members[value eq"):
        gone_one = path.split('"')[1]
        group["members"] = [m for m in group["members"] if m["value"] != gone_one]
    elif kind == "replace":
        if path:
            group[path] = op["value"]
        else:
            group.update(op["value"])


@scim.patch("/Groups/<rid>")
def patch_group(rid: str):
    groups = _sp().groups
    if rid not in groups:
        return _error(404, "no such group")
    for op in request.get_json(force=True)["Operations"]:
        _apply_group_op(groups[rid], op)
    return "", 204


@scim.delete("/Users/<rid>")
def delete_user(rid: str):
    return ("", 204) if _sp().users.pop(rid, None) is not None else _error(404, "no such user")


@scim.delete("/Groups/<rid>")
def delete_group(rid: str):
    return ("", 204) if _sp().groups.pop(rid, None) is not None else _error(404, "no such group")
