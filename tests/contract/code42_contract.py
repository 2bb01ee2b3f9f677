"""A pytest-free recorder for SDK contract runs: every SDK call is attempted, its outcome and the checks on
what it returned are recorded, and the run ends with one line, ``code42 sdk: N/M calls ok``.

Why a recorder rather than one assert per call: the point is the whole picture (which of Code42's own
calls the mock serves), and a failing call must not hide the ones after it. A call whose input came from a
failed call fails too (it is attempted with ``None`` and raises), so M never depends on what broke.

Checks are plain functions raising ``AssertionError``. Iterators are drained through :func:`bounded`, which
fails after a fixed number of items, so a list that ignores paging (and would repeat page 1 forever) ends
the check instead of the test run; nothing here waits on a clock.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Check = Callable[[Any], None]
#: The test property that carries a run's summary line to the terminal summary (xdist workers included).
SUMMARY_PROPERTY = "code42_sdk"


@dataclass
class Outcome:
    label: str
    error: str | None


@dataclass
class Contract:
    """Run SDK calls; ``between`` runs before every call but the first (e.g. advance the virtual clock)."""

    name: str
    between: Callable[[], None] | None = None
    outcomes: list[Outcome] = field(default_factory=list)

    def call(self, label: str, fn: Callable[[], Any], *checks: Check) -> Any:
        """Call ``fn()``; record success only if it returns and every check passes. Returns the value (or
        None when the call or a check failed, so dependants fail visibly)."""
        if self.between is not None and self.outcomes:
            try:
                self.between()
            except Exception as exc:  # noqa: BLE001 - recorded, and the call below still runs
                self.outcomes.append(Outcome(f"{label} (before: advance the clock)", _describe(exc)))
        try:
            value = fn()
            for check in checks:
                check(value)
        except Exception as exc:  # noqa: BLE001 - every failure is data for the summary
            self.outcomes.append(Outcome(label, _describe(exc)))
            return None
        self.outcomes.append(Outcome(label, None))
        return value

    @property
    def ok(self) -> int:
        return sum(1 for o in self.outcomes if o.error is None)

    def summary(self) -> str:
        return f"code42 sdk: {self.ok}/{len(self.outcomes)} calls ok"

    def report(self) -> str:
        """The summary line plus one line per failed call."""
        lines = [f"{self.summary()} ({self.name})"]
        lines += [f"  FAIL {o.label}: {o.error}" for o in self.outcomes if o.error is not None]
        return "\n".join(lines)


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    response = getattr(exc, "response", None)
    if response is not None and getattr(response, "text", None) is not None:
        text += f" | {response.status_code} {response.text[:200]!r}"
    return " ".join(text.split())[:600]


# ---------------------------------------------------------------- checks


def _get(obj: Any, path: str) -> Any:
    """``a.b`` on pydantic models (attributes), dicts and py42 responses (keys) alike."""
    for part in path.split("."):
        if obj is None:
            return None
        if isinstance(obj, dict):
            obj = obj.get(part)
        elif hasattr(type(obj), "model_fields") or not hasattr(obj, "__getitem__"):
            obj = getattr(obj, part, None)
        else:  # a Py42Response: keys of the unwrapped JSON body
            try:
                obj = obj[part]
            except Exception:  # noqa: BLE001 - a missing key (or a list body) reads as "not filled"
                return None
    return obj


def filled(*paths: str) -> Check:
    """Every path is present and not None (the mock has data for it)."""
    def check(value: Any) -> None:
        missing = [p for p in paths if _get(value, p) is None]
        assert not missing, f"empty fields {missing} in {_short(value)}"
    return check


def all_filled(*, unset: Iterable[str] = ()) -> Check:
    """Every field of a pydantic model is filled, except ``unset`` (fields the mock has no data for; each
    caller says why in a comment)."""
    skip = set(unset)

    def check(value: Any) -> None:
        names = [n for n in type(value).model_fields if n not in skip]
        missing = [n for n in names if getattr(value, n) is None]
        assert not missing, f"empty fields {missing} in {_short(value)}"
    return check


def equals(path: str, expected: Any) -> Check:
    def check(value: Any) -> None:
        got = _get(value, path)
        assert got == expected, f"{path} = {got!r}, expected {expected!r}"
    return check


def satisfies(description: str, predicate: Callable[[Any], bool]) -> Check:
    def check(value: Any) -> None:
        assert predicate(value), f"{description}: got {_short(value)}"
    return check


def each(*checks: Check, at_least: int = 1) -> Check:
    """Apply checks to every item of a list (which must hold at least ``at_least`` items)."""
    def check(value: Any) -> None:
        items = list(value or [])
        assert len(items) >= at_least, f"expected at least {at_least} items, got {len(items)}"
        for item in items:
            for inner in checks:
                inner(item)
    return check


def count(expected: int) -> Check:
    def check(value: Any) -> None:
        assert len(value) == expected, f"expected {expected} items, got {len(value)}: {_short(value)}"
    return check


def bounded(items: Iterable[Any], limit: int) -> list[Any]:
    """Drain an SDK iterator, failing once it yields more than ``limit`` items (it does not terminate)."""
    drained = list(itertools.islice(items, limit + 1))
    if len(drained) > limit:
        raise AssertionError(f"iterator did not stop within {limit} items (paging ignored?)")
    return drained


def raises(exc_type: type[BaseException] | tuple[type[BaseException], ...], fn: Callable[[], Any]) -> Callable[[], str]:
    """A call whose documented outcome is an error (e.g. py42's ``get_current`` under an API client)."""
    def call() -> str:
        try:
            fn()
        except exc_type as exc:
            return type(exc).__name__
        raise AssertionError(f"expected {exc_type} to be raised")
    return call


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 300 else text[:300] + "..."
