"""The harness's exception hierarchy, one class per way a scenario can end badly.

Why separate classes: the report sorts outcomes into Allure categories (product defect, target
unreachable, harness error, not verifiable), and an engineer triaging a red run needs to know at a
glance whether the target, the network or scimgate itself is at fault.
"""

from __future__ import annotations


class HarnessError(Exception):
    """A bug or misconfiguration in scimgate (or a scenario it cannot run): not the target's fault."""

    category = "harness error"


class ScenarioFormatError(HarnessError):
    """A scenario file that does not match ``schemas/scenario.schema.json``.

    ``str()`` is one line: ``file:line: field.path: message``.
    """

    def __init__(self, path: str, line: int | None, field: str, message: str):
        self.path, self.line, self.field, self.message = path, line, field, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


class ConfigError(HarnessError):
    """Bad options: a missing secret, an unreadable profile, a live target without ``--live``."""


class ExpectationFailed(AssertionError):
    """The target behaved differently from the documented behaviour: a product defect."""

    category = "product defect"


class TargetUnreachable(Exception):
    """The target did not answer (connection refused, DNS, timeout): the run proves nothing."""

    category = "target unreachable"


class CredentialsRejected(Exception):
    """The target refused the configured credentials (HTTP 401/403 on the start-of-run probe): nothing
    the run could check would mean anything."""

    category = "credentials rejected"


class TargetMisconfigured(Exception):
    """The target is not what the options say: not a SCIM service provider at ``--scim-url``, or its
    settings differ from ``--profile``. A configuration error, never a product defect."""

    category = "configuration error"


class NotVerifiable(Exception):
    """The scenario cannot be checked against this target (a missing capability); reported as a skip."""

    category = "not verifiable"


class RunInterrupted(BaseException):
    """The run was interrupted (Ctrl-C) while a scenario waited: stop waiting, clean up, report.

    A ``BaseException`` like ``KeyboardInterrupt``, so no step handler mistakes it for a verdict.
    """
