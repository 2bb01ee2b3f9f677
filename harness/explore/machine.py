"""The Hypothesis state machine: random Azure AD and Code42-console operations, applied to both sides.

Why a ``RuleBasedStateMachine``: the scenario suite checks the sequences someone thought of; the
explorer generates sequences nobody wrote down (disable, place on hold, re-enable, time passes ...)
and Hypothesis shrinks a disagreement to the shortest program that still shows it. Each step applies
one operation to the target and to the reference alike, lets the mock Azure AD run an incremental
cycle where Azure would, then reads both Code42 tenants through the admin API; any difference (or a
console call answered differently) raises :class:`Disagreement`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from harness.explore.observe import describe, differences, snapshot
from harness.explore.sides import REFERENCE, TARGET, Side, SidePair
from simulators.common.http_recording import Exchange

MAX_USERS = 2
#: (Azure AD attribute, value) edits. ``usageLocation`` feeds ``addresses[work].country``; "ZZ" is no
#: ISO 3166-1 alpha-2 code, which Code42 must refuse (seed 000 Troubleshooting: the country value).
EDITS = (("jobTitle", "Analyst"), ("jobTitle", "Engineer"), ("department", "Legal"), ("department", "Sales"),
         ("givenName", "Zoë"), ("surname", "O'Brien"), ("usageLocation", "DE"), ("usageLocation", "ZZ"))
DEPARTMENTS = ("Sales", "Engineering", "Legal")
OTHER_GROUP = "Others"


class Disagreement(AssertionError):
    """Target and reference differ after a step. ``lines`` say what differs."""

    def __init__(self, step: str, lines: list[str]):
        super().__init__(f"after {step}: " + "; ".join(lines))
        self.step, self.lines = step, lines


@dataclass
class ModelUser:
    """What the explorer itself did to one user: enough to offer only operations that change something."""

    assigned: bool = False
    ever_assigned: bool = False
    enabled: bool = True
    on_hold: bool = False
    manager: str | None = None
    groups: set[str] = field(default_factory=set)


@dataclass
class StepLog:
    """One rule as it ran: its label, each side's exchanges, the state read afterwards, the verdict."""

    label: str
    exchanges: dict[str, list[Exchange]] = field(default_factory=dict)
    state: str = ""
    differences: list[str] = field(default_factory=list)


@dataclass
class RunLog:
    """One Hypothesis example (a program of steps)."""

    prefix: str
    steps: list[StepLog] = field(default_factory=list)
    cleanup: list[str] = field(default_factory=list)



@dataclass
class Recorder:
    """Survives across examples. ``failing`` is the shortest disagreeing program seen (the later one on a
    tie, so normally the shrunk program Hypothesis replays last); ``last`` is the last one that ran.

    Why not simply the last: when the shrink budget runs out, Hypothesis replays its simplest program
    by its own order (fewer and smaller choices), which can take more steps than one seen before.
    """

    runs: int = 0
    steps: int = 0
    started: float = field(default_factory=time.perf_counter)
    first_found_s: float | None = None   # seconds from start to the first disagreement (before shrinking)
    runs_to_find: int | None = None
    found_length: int | None = None      # steps of the first disagreeing program, before shrinking
    failing: RunLog | None = None
    last: RunLog | None = None
    cleanup: list[str] = field(default_factory=list)

    def disagreed(self, run: RunLog) -> None:
        """``run`` just ended in a disagreement."""
        self.last = run
        if self.failing is None or len(run.steps) <= len(self.failing.steps):
            self.failing = run


#: Per-user operations and when each would change something, in the order Hypothesis treats as simplest.
OPERATIONS: dict[str, Callable[[Any, ModelUser], bool]] = {
    "disable": lambda m, u: u.enabled,
    "place_hold": lambda m, u: u.ever_assigned and not u.on_hold,   # a hold needs a Code42 user
    "release_hold": lambda m, u: u.on_hold,
    "enable": lambda m, u: not u.enabled,
    "unassign": lambda m, u: u.assigned,
    "assign": lambda m, u: not u.assigned,
    "set_manager": lambda m, u: len(m.model) > 1 and u.manager is None,
    "clear_manager": lambda m, u: u.manager is not None,
    "attribute": lambda m, u: True,
}


def operation_names(groups: list[str]) -> list[str]:
    """The operations a step draws from, as one fixed list (then a user, then a group, likewise fixed).

    Why fixed rather than a list of what applies now: a draw is an index, and a fixed list keeps an
    index meaning the same operation when the shrinker deletes earlier steps, so "create, hold,
    disable" can shrink to "create, disable". A draw that would change nothing is skipped (see
    ``step``). The order is the one Hypothesis treats as simplest, tries first and shrinks towards:
    disable, time passing (listed twice: most lifecycle bugs show only once the delay is over), legal
    hold, release, enable ..., edits last. Joining is listed once per mapped group, so under a profile that maps SCIM groups to
    orgs and roles, membership changes come up as often as that mapping matters.
    """
    lifecycle = list(OPERATIONS)
    return lifecycle[:1] + ["time_passes"] * 2 + lifecycle[1:] + ["join_group"] * max(1, len(groups) - 1) \
        + ["leave_group", "create_user"]


def group_names(pair: SidePair) -> list[str]:
    """The SCIM groups the profile maps (so org and role mappings come into play), plus one unmapped.

    Against a live tenant every name carries the run prefix (live-tenant safety), so the tenant's own
    mappings never match them; the reference runs the same profile and sees the same names.
    """
    profile = pair.profile
    names = [g["group"] for section in ("org_mapping", "role_mapping")
             for g in (profile.get(section) or {}).get("groups") or []]
    names = list(dict.fromkeys(names))[:3] + [OTHER_GROUP]
    return names if pair.simulated else [f"{pair.run_prefix} {n}" for n in names]


def time_offsets(pair: SidePair) -> list[int]:
    """Minutes to let pass around the profile's deactivation delay (15 min unless the profile says): just
    short of it (a deactivation must not have happened yet) and, twice as often, just past it (it must)."""
    delay = int(pair.profile.get("deactivation_delay_minutes", 15))
    return [delay + 1, max(delay - 1, 1), delay + 1] if delay > 1 else [delay + 1]


class ExploreCode42(RuleBasedStateMachine):
    """The exploration's state machine; :func:`build_machine` binds it to one side pair and recorder."""

    pair: SidePair
    recorder: Recorder
    groups: list[str]
    offsets: list[int]
    names: list[str]

    def __init__(self) -> None:
        super().__init__()
        self.prefix = self.pair.begin_example()
        self.run = RunLog(self.prefix)
        self.model: dict[str, ModelUser] = {}
        self.pending = False   # a lifecycle change happened since time last passed
        self.recorder.runs += 1
        for side in self.pair.sides:  # created empty and assigned: the first cycle provisions them
            for name in self.groups:
                side.idp.create_group({"ref": _group_ref(name), "displayName": name})
                side.idp.assign(_group_ref(name))

    def teardown(self) -> None:
        self.run.cleanup = self.pair.end_example()
        self.recorder.cleanup += self.run.cleanup

    # ---------------------------------------------------------- plumbing

    def _step(self, label: str, action: Callable[[Side], Any]) -> dict[str, Any]:
        """Apply ``action`` to both sides, then demand that outcomes and Code42 state agree."""
        self.recorder.steps += 1
        log = StepLog(label)
        self.run.steps.append(log)
        marks = {side.name: side.mark() for side in self.pair.sides}
        outcomes = self.pair.both(action)
        self.pair.follow_wall_clock()
        usernames = {ref: self.pair.reference.idp.user_name(ref) for ref in self.model}
        snaps = self.pair.both(lambda side: snapshot(side.admin, usernames))
        log.exchanges = {side.name: side.since(marks[side.name]) for side in self.pair.sides}
        log.state = describe(snaps[REFERENCE])
        lines = []
        if outcomes[TARGET] != outcomes[REFERENCE]:
            lines.append(f"the step itself: target answered {outcomes[TARGET]!r}, "
                         f"reference answered {outcomes[REFERENCE]!r}")
        lines += differences(snaps[TARGET], snaps[REFERENCE])
        if lines:
            log.differences = lines
            self.recorder.disagreed(self.run)
            if self.recorder.first_found_s is None:
                self.recorder.first_found_s = time.perf_counter() - self.recorder.started
                self.recorder.runs_to_find = self.recorder.runs
                self.recorder.found_length = len(self.run.steps)
            raise Disagreement(label, lines)
        return outcomes

    def _directory(self, label: str, change: Callable[[Side], None]) -> None:
        """A directory change followed by an incremental cycle, as Azure would run it."""
        def action(side: Side) -> None:
            change(side)
            side.idp.run_cycle()
        self._step(label, action)

    # ---------------------------------------------------------- Azure AD directory

    @initialize(department=st.sampled_from(DEPARTMENTS))
    def first_user(self, department: str) -> None:
        """Every program starts with one provisioned user, so its steps act on someone at once."""
        self.create_user(department, True)

    # One rule for every operation. Why not one rule per operation: Hypothesis's swarm testing
    # switches whole rules off per program, and the three or four operations a lifecycle bug needs
    # (place a hold, disable, let time pass) were then rarely all on together within a CI budget of
    # a few dozen programs. What is drawn, and in which order, is ``operation_names``.

    def applicable(self, option: tuple[str, str, str]) -> bool:
        """Would ``option`` change something now? A drawn option that would not is skipped."""
        name, ref, group = option
        if name == "time_passes":  # with nothing pending, time passing cannot change Code42
            return self.pair.simulated and self.pending
        if name == "create_user":
            return len(self.model) < MAX_USERS
        user = self.model.get(ref)
        if user is None:
            return False
        if name == "join_group":
            return group not in user.groups
        if name == "leave_group":
            return group in user.groups
        return OPERATIONS[name](self, user)

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(self.names), label="operation")
        ref = group = ""
        if name in OPERATIONS or name.endswith("_group"):
            ref = data.draw(st.sampled_from(sorted(self.model)), label="user")  # only grows: u1, u2
        if name.endswith("_group"):
            group = data.draw(st.sampled_from(self.groups), label="group")
        if not self.applicable((name, ref, group)):
            return  # skipped, not replaced, so that a draw keeps its meaning while shrinking; no HTTP
        getattr(self, "_" + name)(data, ref, *([group] if group else []))

    def _create_user(self, data: st.DataObject, _: str) -> None:
        department = data.draw(st.sampled_from(DEPARTMENTS), label="department")
        self.create_user(department, data.draw(st.booleans(), label="assigned"))

    def create_user(self, department: str, assigned: bool) -> None:
        ref = f"u{len(self.model) + 1}"
        self.model[ref] = ModelUser(assigned=assigned, ever_assigned=assigned)

        def change(side: Side) -> None:
            side.idp.create_user({"ref": ref, "department": department})
            if assigned:
                side.idp.assign(ref)
        self._directory(f"create user {ref} (department {department}, "
                        f"{'assigned to the app' if assigned else 'not assigned'})", change)

    def _time_passes(self, data: st.DataObject, _: str) -> None:
        minutes = data.draw(st.sampled_from(self.offsets), label="minutes")
        self.pending = minutes < max(self.offsets)  # short of the delay: what is pending still is
        self._step(f"{minutes} minutes pass", lambda side: side.advance(minutes * 60))

    # ---------------------------------------------------------- the operations

    def _disable(self, data: st.DataObject, ref: str) -> None:
        self.model[ref].enabled, self.pending = False, True
        self._directory(f"disable {ref} (accountEnabled false)", lambda side: side.idp.disable(ref))

    def _enable(self, data: st.DataObject, ref: str) -> None:
        self.model[ref].enabled, self.pending = True, True
        self._directory(f"enable {ref} (accountEnabled true)", lambda side: side.idp.enable(ref))

    def _unassign(self, data: st.DataObject, ref: str) -> None:
        self.model[ref].assigned, self.pending = False, True
        self._directory(f"unassign {ref} from the app", lambda side: side.idp.unassign(ref))

    def _assign(self, data: st.DataObject, ref: str) -> None:
        self.model[ref].assigned = self.model[ref].ever_assigned = self.pending = True
        self._directory(f"assign {ref} to the app", lambda side: side.idp.assign(ref))

    def _attribute(self, data: st.DataObject, ref: str) -> None:
        attribute, value = data.draw(st.sampled_from(EDITS), label="edit")
        self._directory(f"set {ref}.{attribute} = {value!r}",
                        lambda side: side.idp.update_user(ref, {attribute: value}))

    def _set_manager(self, data: st.DataObject, ref: str) -> None:
        manager = data.draw(st.sampled_from(self.managers_for(ref)), label="manager")
        self.model[ref].manager = manager
        self._directory(f"set {ref}'s manager to {manager}",
                        lambda side: side.idp.update_user(ref, {"manager": manager}))

    def _clear_manager(self, data: st.DataObject, ref: str) -> None:
        self.model[ref].manager = None
        self._directory(f"clear {ref}'s manager", lambda side: side.idp.update_user(ref, {"manager": None}))

    def _join_group(self, data: st.DataObject, ref: str, group: str) -> None:
        self.model[ref].groups.add(group)
        self.pending = True
        self._directory(f"add {ref} to group {group!r}",
                        lambda side: side.idp.add_members(_group_ref(group), [ref]))

    def _leave_group(self, data: st.DataObject, ref: str, group: str) -> None:
        self.model[ref].groups.discard(group)
        self.pending = True
        self._directory(f"remove {ref} from group {group!r}",
                        lambda side: side.idp.remove_members(_group_ref(group), [ref]))

    def _place_hold(self, data: st.DataObject, ref: str) -> None:
        outcome = self._step(f"place {ref} on legal hold (Code42 admin API)",
                             lambda side: _hold(side, ref, place=True))
        self.model[ref].on_hold = outcome[REFERENCE].startswith("HTTP 2")  # starts no timer: not pending

    def _release_hold(self, data: st.DataObject, ref: str) -> None:
        self.model[ref].on_hold, self.pending = False, True
        self._step(f"release {ref} from legal hold (Code42 admin API)", lambda side: _hold(side, ref, place=False))

    def managers_for(self, ref: str) -> list[str]:
        return [r for r in self.model if r not in (ref, self.model[ref].manager)]


def build_machine(pair: SidePair, recorder: Recorder) -> type[RuleBasedStateMachine]:
    """A state machine class bound to ``pair`` (Hypothesis instantiates it once per example)."""
    groups = group_names(pair)
    attributes = {"pair": pair, "recorder": recorder, "groups": groups, "offsets": time_offsets(pair),
                  "names": operation_names(groups)}
    return type("ExploreCode42", (ExploreCode42,), attributes)


def _group_ref(name: str) -> str:
    return "g-" + "".join(c if c.isalnum() else "-" for c in name.lower())


def _hold(side: Side, ref: str, *, place: bool) -> str:
    """Add or remove ``ref`` as custodian of this example's matter; the outcome is what the API answered."""
    admin = side.admin
    user = admin.find_user(side.idp.user_name(ref))
    if user is None:
        return "no Code42 user"
    if side.matter is None:
        if not place:
            return "no matter yet"
        side.matter = admin.matter_id(f"{side.prefix} explore", create=True)
    return admin.hold_outcome(side.matter, user["userId"], place=place)
