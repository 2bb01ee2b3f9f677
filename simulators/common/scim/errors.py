"""RFC 7644 §3.12 errors, raised anywhere in a simulator and rendered once by the app.

Every 4xx/5xx a simulator returns goes through :class:`ScimError`, so the body always has the
``urn:ietf:params:scim:api:messages:2.0:Error`` schema, ``status`` as a string, and ``scimType``
where RFC 7644 defines one for the condition.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"

# scimType values defined by RFC 7644 table 9.
SCIM_TYPES = frozenset(
    {
        "invalidFilter",
        "tooMany",
        "uniqueness",
        "mutability",
        "invalidSyntax",
        "invalidPath",
        "noTarget",
        "invalidValue",
        "invalidVers",
        "sensitive",
    }
)


class ScimError(Exception):
    """A SCIM protocol error with the HTTP status and optional ``scimType``."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None, headers: dict | None = None):
        if scim_type is not None and scim_type not in SCIM_TYPES:
            raise ValueError(f"scim_type={scim_type!r} is not one of RFC 7644's scimType values")
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type
        self.headers = headers or {}

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body

    def __repr__(self) -> str:
        return f"ScimError({self.status}, {self.detail!r}, scim_type={self.scim_type!r})"
