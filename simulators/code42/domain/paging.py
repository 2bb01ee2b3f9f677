"""Incydr paging of admin-API lists: ``page`` (1-based) and ``pageSize``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Paging:
    """One page of a list; the HTTP layer parses it from the query (``page`` 0 is read as 1)."""

    page: int = 1
    size: int = 100

    def apply(self, items: list[Any]) -> tuple[list[Any], int]:
        """The items of this page and the total count."""
        return items[(self.page - 1) * self.size: self.page * self.size], len(items)
