"""``PUT .../synchronization/secrets``: the job's credentials and settings as
``synchronizationSecretKeyStringValuePair`` items (azure-ad-behaviour.md §9). ``BaseAddress`` and
``SecretToken`` point the engine at its target; ``SyncAll``, ``SkipOutOfScopeDeletions`` and
``SyncNotificationSettings`` (notification e-mail, accidental-deletions threshold) set engine flags;
the other keys of Graph's enum are accepted and kept. The token is never stored outside the engine."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response

from simulators.azure_ad.graph.common import bad_request, check_properties, json_body, require
from simulators.azure_ad.graph.runtime import AzureAdRuntime

#: [GRAPH §9] secret keys: the ones the mock acts on, then the rest of the documented enum (accepted, stored).
SECRET_KEYS = frozenset({"BaseAddress", "SecretToken", "SyncAll", "SkipOutOfScopeDeletions", "SyncNotificationSettings",
                         "HardDeletesEnabled", "TestReferences", "ClientIdentifier", "ClientSecret", "UserName",
                         "Password", "Domain", "Server", "InstanceName", "AppKey", "Oauth2AccessToken",
                         "Oauth2RefreshToken", "Oauth2TokenExchangeUri", "Oauth2ClientId", "Oauth2ClientSecret",
                         "SingleSignOnType", "Sandbox", "Url", "ValidateDomain", "SyncNowInterval"})
_NOT_JSON = "SyncNotificationSettings must be a JSON object encoded as a string."


def key_values(items: Any, where: str) -> dict[str, str]:
    """``[{"key", "value"}]`` → dict, every key one of Graph's synchronizationSecret names."""
    if not isinstance(items, list):
        raise bad_request(f"'{where}' must be a list of {{\"key\", \"value\"}} objects.")
    result: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not isinstance(item.get("value"), str):
            raise bad_request(f"every item of '{where}' must be {{\"key\": string, \"value\": string}}.")
        if item["key"] not in SECRET_KEYS:
            raise bad_request(f"'{item['key']}' is not a synchronizationSecret; known: {', '.join(sorted(SECRET_KEYS))}.")
        result[item["key"]] = item["value"]
    return result


def _bool_text(value: str, key: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise bad_request(f"secret '{key}' must be \"true\" or \"false\".")
    return value.lower() == "true"


def _notification_changes(text: str) -> dict[str, Any]:
    try:
        notify = json.loads(text)
    except ValueError:
        raise bad_request(_NOT_JSON) from None
    if not isinstance(notify, dict):
        raise bad_request(_NOT_JSON)
    changes: dict[str, Any] = {}
    if notify.get("Enabled") is True and isinstance(notify.get("Recipients"), str):
        changes["notification_email"] = notify["Recipients"]
    if notify.get("DeleteThresholdEnabled") is True:
        threshold = notify.get("DeleteThresholdValue")
        if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
            raise bad_request("DeleteThresholdValue must be a positive integer.")
        changes["accidental_deletion_threshold"] = threshold
    elif notify.get("DeleteThresholdEnabled") is False:
        changes["accidental_deletion_threshold"] = None
    return changes


def flag_changes(values: dict[str, str]) -> dict[str, Any]:
    """The engine-flag changes the secrets ask for (validated; nothing applied)."""
    changes: dict[str, Any] = {}
    if "SyncAll" in values:
        changes["sync_all"] = _bool_text(values["SyncAll"], "SyncAll")
    if "SkipOutOfScopeDeletions" in values:
        changes["skip_out_of_scope_deletions"] = _bool_text(values["SkipOutOfScopeDeletions"], "SkipOutOfScopeDeletions")
    if "SyncNotificationSettings" in values:
        changes.update(_notification_changes(values["SyncNotificationSettings"]))
    return changes


class SecretRoutes:
    def __init__(self, runtime: AzureAdRuntime):
        self.runtime = runtime

    def register(self, bp: Blueprint) -> None:
        bp.add_url_rule("/secrets", view_func=self.put_secrets, methods=["PUT"])

    def put_secrets(self) -> Response:
        body = json_body()
        check_properties(body, ("value",), "synchronizationSecretKeyStringValuePair")
        values = key_values(require(body, "value", list, "synchronizationSecretKeyStringValuePair"), "value")
        engine = self.runtime.engine
        engine.flags = engine.flags.with_(**flag_changes(values))  # everything validated before the engine changes
        if "BaseAddress" in values or "SecretToken" in values:
            engine.set_target(values.get("BaseAddress"), values.get("SecretToken"))
        self.runtime.secrets.update({k: v for k, v in values.items() if k != "SecretToken"})
        self.runtime.configured = engine.has_target
        return Response(status=204)


__all__ = ["SECRET_KEYS", "SecretRoutes", "flag_changes", "key_values"]
