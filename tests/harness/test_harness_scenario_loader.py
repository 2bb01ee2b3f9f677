"""The scenario loader: valid files load; every bad file is one error naming file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from harness.errors import ScenarioFormatError
from harness.scenario import META_KEYS, discover, is_scenario_file, load_scenario, scenario_schema
from harness.steps import REGISTRY

HEAD = """\
id: legal-hold/x
title: X
area: legal hold
doc: {seed: 000_fdc7d7180481efa8.txt, section: "Legal hold"}
"""


def write(tmp_path: Path, body: str, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return path


def error_of(path: Path, display: str | None = None) -> str:
    with pytest.raises(ScenarioFormatError) as info:
        load_scenario(path, display=display)
    return str(info.value)


def test_valid_scenario_loads_with_steps_and_lines(tmp_path):
    path = write(tmp_path, """\
        given:
          users: [{ref: alice}]
          assign: [alice]
        when:
          - provision: initial
          - disable: alice
        then:
          - code42.user: {ref: alice, blocked: true}
          - after: {profile: deactivation_delay, tolerance: 2m}
            code42.user: {ref: alice, active: false}
        """)
    s = load_scenario(path)
    assert s.id == "legal-hold/x" and s.severity == "normal"
    assert [(st.kind, st.line) for st in s.when] == [("provision", 9), ("disable", 10)]
    assert s.then[1].kind == "code42.user" and s.then[1].after == {"profile": "deactivation_delay", "tolerance": "2m"}
    assert s.then[1].line == 13


def test_wrong_type_names_file_line_and_field_path(tmp_path):
    path = write(tmp_path, """\
        then:
          - code42.user: {ref: alice, blocked: true}
          - after: {profile: deactivation_delay}
            code42.user:
              ref: alice
              blocked: 'yes'
        """)
    assert error_of(path, "scenarios/legal_hold/x.yaml") == (
        "scenarios/legal_hold/x.yaml:10: then[1].code42.user.blocked: 'yes' is not of type 'boolean'")


def test_unknown_key_is_named_with_the_allowed_ones(tmp_path):
    path = write(tmp_path, "then:\n  - code42.user: {ref: alice, blokked: true}\n")
    message = error_of(path)
    assert message.startswith(f"{path}:6: then[0].code42.user.blokked: unknown key 'blokked'")
    assert "blocked" in message


def test_unknown_step_kind(tmp_path):
    path = write(tmp_path, "when:\n  - frobnicate: alice\nthen:\n  - code42.user: {ref: alice}\n")
    assert error_of(path).startswith(f"{path}:6: when[0].frobnicate: unknown key 'frobnicate'")


def test_bad_duration_points_into_the_step(tmp_path):
    path = write(tmp_path, "when:\n  - wait: 15 minutes\nthen:\n  - code42.user: {ref: a}\n")
    assert f"{path}:6: when[0].wait:" in error_of(path)


def test_two_steps_in_one_entry(tmp_path):
    path = write(tmp_path, "when:\n  - {disable: alice, enable: alice}\nthen:\n  - code42.user: {ref: a}\n")
    assert "each entry is exactly one step" in error_of(path)


def test_before_and_after_together(tmp_path):
    path = write(tmp_path, "then:\n  - before: 1m\n    after: 2m\n    code42.user: {ref: a}\n")
    assert error_of(path).startswith(f"{path}:6: then[0]:")


def test_timing_without_expectation(tmp_path):
    path = write(tmp_path, "then:\n  - after: 1m\n")
    assert "needs exactly one expectation" in error_of(path)


def test_missing_required_top_level_field(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("id: a/b\ntitle: t\narea: a\nthen:\n  - code42.user: {ref: a}\n")
    assert error_of(path) == f"{path}:1: 'doc' is a required property"


def test_yaml_syntax_error_has_a_line(tmp_path):
    path = write(tmp_path, "then: [\n")
    message = error_of(path)
    assert message.startswith(f"{path}:") and "not valid YAML" in message


def test_duplicate_key_is_an_error(tmp_path):
    path = write(tmp_path, "title: again\nthen:\n  - code42.user: {ref: a}\n")
    assert error_of(path) == f"{path}:5: title: duplicate key 'title'"


def test_empty_and_non_mapping_files(tmp_path):
    empty = tmp_path / "e.yaml"
    empty.write_text("")
    assert "empty" in error_of(empty)
    listy = tmp_path / "l.yaml"
    listy.write_text("- a\n")
    assert "must be a mapping" in error_of(listy)


def test_schema_step_kinds_match_the_registry():
    """Every registered step kind has an argument schema and vice versa (one list cannot drift)."""
    defs = scenario_schema()["$defs"]
    when = set(defs["action"]["properties"])
    then = set(defs["expectation"]["properties"]) - set(META_KEYS)
    kinds = REGISTRY.kinds()
    assert when == {k for k, v in kinds.items() if "when" in v.phases}
    assert then == {k for k, v in kinds.items() if "then" in v.phases}


def test_scenario_files_exclude_profiles_and_foreign_yaml(tmp_path):
    root = tmp_path / "scenarios"
    (root / "profiles").mkdir(parents=True)
    (root / "area").mkdir()
    (root / "area" / "a.yaml").write_text("x: 1")
    (root / "profiles" / "p.yaml").write_text("x: 1")
    (tmp_path / "other.yaml").write_text("x: 1")
    assert is_scenario_file(root / "area" / "a.yaml", [root])
    assert not is_scenario_file(root / "profiles" / "p.yaml", [root])
    assert not is_scenario_file(tmp_path / "other.yaml", [root])
    assert discover([root]) == [root / "area" / "a.yaml"]


def test_bundled_scenarios_are_valid():
    from simulators.common.bundled import data_dir

    files = discover([data_dir("scenarios")])
    assert files, "the bundled suite has no scenarios"
    ids = [load_scenario(f).id for f in files]
    assert len(ids) == len(set(ids))
