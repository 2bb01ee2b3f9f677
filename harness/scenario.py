"""Load scenario YAML with line numbers and validate it against ``schemas/scenario.schema.json``.

Why line numbers: a scenario author fixing ``then[1].code42.user.blocked: 'yes' is not of type
'boolean'`` needs the line too, and PyYAML's ``safe_load`` throws positions away. We compose the node
tree once, build the data from it and keep a map from field path to line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from harness.errors import ScenarioFormatError
from simulators.common.bundled import data_dir

PathKey = tuple[str | int, ...]
TIMING_KEYS = ("before", "after")


@dataclass(frozen=True)
class Step:
    """One entry of ``when`` or ``then``: a registered step ``kind`` with its ``args``."""

    phase: str  # "when" or "then"
    index: int
    kind: str
    args: Any
    line: int | None
    before: Any = None  # timing window (then only), unresolved
    after: Any = None

    @property
    def label(self) -> str:
        return f"{self.phase}[{self.index}] {self.kind}"


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file."""

    id: str
    title: str
    area: str
    doc: dict[str, str]
    severity: str
    tags: list[str]
    requires: list[str]
    profile: dict[str, Any]
    given: dict[str, Any]
    when: list[Step]
    then: list[Step]
    path: Path
    source: str
    line: int = 1
    description: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@lru_cache(maxsize=1)
def scenario_schema() -> dict[str, Any]:
    return json.loads((data_dir("schemas") / "scenario.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = scenario_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def format_path(path: PathKey) -> str:
    """``("then", 1, "code42.user", "blocked")`` -> ``then[1].code42.user.blocked``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _build(node: yaml.Node, loader: yaml.SafeLoader, path: PathKey, lines: dict[PathKey, int], where: str) -> Any:
    """Turn a composed node into Python data, recording the line of every field."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolve YAML merge keys (<<)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise ScenarioFormatError(where, key_node.start_mark.line + 1, format_path(path),
                                          f"keys must be strings, got {key!r}")
            if key in out:
                raise ScenarioFormatError(where, key_node.start_mark.line + 1, format_path(path + (key,)),
                                          f"duplicate key {key!r}")
            out[key] = _build(value_node, loader, path + (key,), lines, where)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, loader, path + (i,), lines, where) for i, child in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def parse_yaml(text: str, where: str) -> tuple[Any, dict[PathKey, int]]:
    """Parse one YAML document; return the data and a field-path -> line map."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioFormatError(where, 1, "", "the file is empty")
        lines: dict[PathKey, int] = {}
        return _build(node, loader, (), lines, where), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise ScenarioFormatError(where, mark.line + 1 if mark else None, "", f"not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioFormatError(where, None, "", f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def _line_of(path: PathKey, lines: dict[PathKey, int]) -> int | None:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


def _describe(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """Descend into ``oneOf``/``anyOf`` so the message names the real mismatch, not 'not valid under any'."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


def validate(data: Any, lines: dict[PathKey, int], where: str) -> None:
    """Raise one :class:`ScenarioFormatError` for the first problem (schema, then step shape)."""
    errors = list(_validator().iter_errors(data))
    if errors:
        error = _describe(jsonschema.exceptions.best_match(errors))
        path = tuple(error.absolute_path)
        message = error.message
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = sorted(error.schema.get("properties", {}))
            extra = sorted(set(error.instance) - set(allowed))
            if extra:
                path = path + (extra[0],)
                message = f"unknown key {extra[0]!r}" + (f"; expected one of: {', '.join(allowed)}" if allowed else "")
        elif error.validator in ("maxProperties", "minProperties") and isinstance(error.instance, dict):
            keys = ", ".join(error.instance) or "none"
            message = f"each entry is exactly one step (plus before/after in then); got keys: {keys}"
        raise ScenarioFormatError(where, _line_of(path, lines), format_path(path), message)
    for i, entry in enumerate(data.get("then", [])):
        kinds = [k for k in entry if k not in TIMING_KEYS]
        if len(kinds) != 1:
            raise ScenarioFormatError(where, _line_of(("then", i), lines), f"then[{i}]",
                                      f"needs exactly one expectation besides before/after, got {kinds or 'none'}")
        if "before" in entry and "after" in entry:
            raise ScenarioFormatError(where, _line_of(("then", i), lines), f"then[{i}]",
                                      "use either 'before' or 'after', not both; write two expectations")


def _steps(data: dict[str, Any], phase: str, lines: dict[PathKey, int]) -> list[Step]:
    steps = []
    for i, entry in enumerate(data.get(phase) or []):
        kind = next(k for k in entry if k not in TIMING_KEYS)
        steps.append(Step(phase, i, kind, entry[kind], _line_of((phase, i), lines),
                          before=entry.get("before"), after=entry.get("after")))
    return steps


def bundled_id(path: Path) -> str | None:
    """The id a bundled scenario must carry: its path under ``scenarios/`` without the suffix.

    Why: ids are what reports, ``caught_by`` lists and known-deviation files key on, so a reader must be
    able to go from an id to its file without a search. ``None`` for files outside the bundled folder
    (a user's own ``--scenarios`` root may name its ids as it likes).
    """
    try:
        rel = path.resolve().relative_to(data_dir("scenarios").resolve())
    except ValueError:
        return None
    return rel.with_suffix("").as_posix()


def _check_bundled_id(path: Path, scenario_id: str, where: str, lines: dict[PathKey, int]) -> None:
    expected = bundled_id(path)
    if expected is not None and scenario_id != expected:
        raise ScenarioFormatError(where, _line_of(("id",), lines), "id",
                                  f"a bundled scenario's id must be its path under scenarios/: {expected!r}, "
                                  f"not {scenario_id!r}")


def load_scenario(path: str | Path, *, display: str | None = None) -> Scenario:
    """Load and validate one scenario file. Errors name ``display`` (default: the path as given)."""
    path = Path(path)
    where = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioFormatError(where, None, "", f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioFormatError(where, None, "", f"not UTF-8 text: {exc.reason}") from None
    data, lines = parse_yaml(text, where)
    if not isinstance(data, dict):
        raise ScenarioFormatError(where, 1, "", f"a scenario must be a mapping, got {type(data).__name__}")
    validate(data, lines, where)
    _check_bundled_id(path, data["id"], where, lines)
    return Scenario(
        id=data["id"], title=data["title"], area=data["area"], doc=dict(data["doc"]),
        severity=data.get("severity", "normal"), tags=list(data.get("tags", [])),
        requires=list(data.get("requires", [])), profile=dict(data.get("profile") or {}),
        given=dict(data.get("given") or {}), when=_steps(data, "when", lines), then=_steps(data, "then", lines),
        path=path, source=text, line=lines.get((), 1), description=data.get("description", ""), raw=data,
    )


def is_scenario_file(path: Path, roots: list[Path]) -> bool:
    """A scenario is a ``*.yaml``/``*.yml`` under one of ``roots`` and not under a ``profiles/`` folder.

    Why: ``tests/`` and ``scenarios/`` can both be in ``testpaths`` without YAML fixtures in ``tests/``
    being mistaken for scenarios, and profiles (another schema) live next to the scenarios.
    """
    if path.suffix not in (".yaml", ".yml"):
        return False
    resolved = path.resolve()
    for root in roots:
        try:
            rel = resolved.relative_to(root.resolve())
        except ValueError:
            continue
        return "profiles" not in rel.parts[:-1]
    return False


def discover(paths: list[Path]) -> list[Path]:
    """Every scenario file under ``paths`` (files are taken as given), sorted for a stable order."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += [f for f in sorted(p.rglob("*.y*ml")) if is_scenario_file(f, [p])]
        elif p.is_file():
            found.append(p)
    return found
