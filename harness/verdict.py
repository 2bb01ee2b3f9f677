"""A scenario's (and a step's) verdict: a status, and for the bad ones the category that explains it.

Why an enum taken from the exceptions: the category text is the one the exception classes in
:mod:`harness.errors` declare, so the runner never retypes it; the report, the terminal and the
Allure categories all read the same words.
"""

from __future__ import annotations

from enum import Enum, StrEnum

from harness.errors import ExpectationFailed, HarnessError, NotVerifiable, TargetUnreachable


class Status(StrEnum):
    """Allure's four statuses, ranked: a scenario keeps the worst status any of its steps had."""

    PASSED = "passed"
    SKIPPED = "skipped"
    FAILED = "failed"
    BROKEN = "broken"

    @property
    def rank(self) -> int:
        return list(Status).index(self)


class Verdict(Enum):
    """How a step or scenario ended. ``category`` is the exception class's own ``category``."""

    PASSED = (Status.PASSED, "")
    NOT_VERIFIABLE = (Status.SKIPPED, NotVerifiable.category)
    PRODUCT_DEFECT = (Status.FAILED, ExpectationFailed.category)
    TARGET_UNREACHABLE = (Status.BROKEN, TargetUnreachable.category)
    HARNESS_ERROR = (Status.BROKEN, HarnessError.category)

    def __init__(self, status: Status, category: str) -> None:
        self.status = status
        self.category = category

    @classmethod
    def of(cls, error: BaseException | None) -> Verdict:
        """The verdict an exception raised by a step means (``None``: the step passed)."""
        if error is None:
            return cls.PASSED
        for verdict, kinds in _BY_EXCEPTION:
            if isinstance(error, kinds):
                return verdict
        return cls.HARNESS_ERROR  # any other exception is a bug in scimgate or a simulator


_BY_EXCEPTION: tuple[tuple[Verdict, type[BaseException] | tuple[type[BaseException], ...]], ...] = (
    (Verdict.PRODUCT_DEFECT, ExpectationFailed),
    (Verdict.NOT_VERIFIABLE, NotVerifiable),
    (Verdict.TARGET_UNREACHABLE, TargetUnreachable),
)
