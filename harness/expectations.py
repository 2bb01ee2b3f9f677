"""Where each expectation comes from, and whether this target can check it.

Why: a verdict is only as good as the rule behind it. An RFC-conformant server that allows bulk is not
defective because the Code42 mock chose to refuse it, and a server without the Code42 admin API still
answers everything its SCIM half is asked. So every expectation has a *basis*:

- ``rfc``: an RFC 7643/7644 MUST (or SHALL/REQUIRED);
- ``azure-ad``: what Azure AD's provisioning service needs from a SCIM endpoint (its documents);
- ``code42``: Code42's documented behaviour (the seeds, code42-behaviour.md);
- ``inf:<switch>``: an [INF] behaviour, the profile switch ``<switch>`` (schemas/profile.schema.json).

``code42`` and ``inf`` expectations run only where the profile says the target is Code42 (profile key
``product``, default ``code42``). An expectation whose step needs a capability the target lacks is
skipped alone, with the reason; the rest of the scenario still runs (:func:`blocked`).

The basis is the step's ``basis`` key, else the scenario's ``basis``, else the step kind's default
(``code42.*`` Code42, ``idp.*``/``scim.user``/``scim.group`` Azure AD, ``scim.request`` RFC).
"""

from __future__ import annotations

from typing import Any

from harness.scenario import Scenario, Step
from harness.steps import REGISTRY

#: How the verdict names each basis.
LABELS = {"rfc": "RFC MUST", "azure-ad": "Azure AD requirement", "code42": "Code42 behaviour", "inf": "[INF] profile switch"}
#: Bases that hold only where the target is Code42.
CODE42_ONLY = frozenset({"code42", "inf"})


def basis_of(step: Step, scenario: Scenario) -> str:
    """The expectation's basis: ``rfc``, ``azure-ad``, ``code42`` or ``inf:<switch>``."""
    explicit = step.basis or scenario.basis
    if explicit:
        return explicit
    if step.kind.startswith("code42."):
        return "code42"
    if step.kind.startswith("idp.") or step.kind in ("scim.user", "scim.group"):
        return "azure-ad"
    return "rfc"


def label(basis: str) -> str:
    """``inf:post_inactive`` -> ``[INF] profile switch post_inactive``; ``rfc`` -> ``RFC MUST``."""
    kind, _, switch = basis.partition(":")
    return f"{LABELS.get(kind, kind)} {switch}".rstrip()


def target_is_code42(profile: dict[str, Any]) -> bool:
    """The run's profile says the target is Code42 (``product: code42``, the default)."""
    return (profile or {}).get("product", "code42") == "code42"


def _missing(needed: list[str], capabilities: frozenset[str], why: dict[str, str]) -> str | None:
    absent = [c for c in dict.fromkeys(needed) if c not in capabilities]
    if not absent:
        return None
    reasons = "; ".join(f"{c}: {why.get(c, 'not offered by the target')}" for c in absent)
    return f"requires {', '.join(absent)} ({reasons})"


def setup_blocked(scenario: Scenario, target: Any) -> str | None:
    """Why the scenario cannot set up its state at all (``requires``, ``given``, ``when`` needs), or None."""
    needed = list(scenario.requires)
    if scenario.given:
        needed.append("idp")
    for step in scenario.when:
        needed += list(REGISTRY.get(step.kind).requires)
    return _missing(needed, target.capabilities, target.missing) or _destructive(scenario, target)


def _destructive(scenario: Scenario, target: Any) -> str | None:
    """Why a step that changes tenant-wide state may not run here, or None.

    A fresh in-process mock may take anything. A shared target's reset (``/_sim/reset``) restores its
    settings but not its credentials. A live tenant keeps both: only a run that allows destructive steps
    (``Target.allow_destructive``, from the option ``allow_destructive``) may change them.
    """
    if getattr(target, "allow_destructive", False):
        return None
    for step in scenario.when:
        kind = REGISTRY.get(step.kind).destructive
        if kind == "settings" and target.simulated:
            continue  # the reset before the next scenario puts the profile's settings back
        if kind:
            return (f"{step.label} is destructive: it changes the tenant's {kind} for everyone using it, "
                    "and a shared target keeps the change; it runs against the in-process mock, or where the "
                    "run allows destructive steps")
    return None


def blocked(step: Step, scenario: Scenario, target: Any) -> str | None:
    """Why this one expectation cannot be checked on ``target`` (a capability or the product), or None."""
    basis = basis_of(step, scenario)
    if basis.partition(":")[0] in CODE42_ONLY and not target_is_code42(target.profile):
        return (f"{label(basis)}: checked only where the profile says the target is Code42 "
                f"(profile {target.profile_name!r} has product {target.profile.get('product')!r})")
    return _missing(list(REGISTRY.get(step.kind).requires), target.capabilities, target.missing)
