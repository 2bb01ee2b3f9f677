"""The errors Code42's admin API reports: an HTTP status and an exact error token.

Clients match error *substrings* (code42-behaviour.md §4), so the tokens are part of Code42's
behaviour, decided by the domain services; the HTTP layer only renders them as the legacy
``[{"name": TOKEN, "description": ...}]`` body.
"""

from __future__ import annotations


class AdminError(Exception):
    """An admin-API error: ``status``, ``token`` (e.g. ``USER_NOT_FOUND``), a description, extra headers."""

    def __init__(self, status: int, token: str, description: str = "", headers: dict | None = None):
        super().__init__(description or token)
        self.status, self.token, self.description, self.headers = status, token, description or token, headers or {}
