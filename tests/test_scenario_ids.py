"""Every bundled scenario's id is its path under ``scenarios/``, so an id in a report, a ``caught_by``
list or a known-deviations file leads straight to its file."""

from __future__ import annotations

from pathlib import Path

import pytest

import harness.scenario as scenario_module
from harness.errors import ScenarioFormatError
from harness.scenario import discover, load_scenario
from simulators.code42.domain.faults import FAULTS

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BUNDLED = discover([SCENARIOS])


def test_the_bundled_suite_is_found():
    assert len(BUNDLED) >= 60, BUNDLED


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.relative_to(SCENARIOS).as_posix())
def test_scenario_id_is_its_path(path: Path):
    assert load_scenario(path).id == path.relative_to(SCENARIOS).with_suffix("").as_posix()


def test_every_caught_by_entry_names_a_bundled_scenario():
    ids = {p.relative_to(SCENARIOS).with_suffix("").as_posix() for p in BUNDLED}
    unknown = {(name, s) for name, fault in FAULTS.items() for s in fault.caught_by if s not in ids}
    assert not unknown


def test_loader_refuses_a_bundled_scenario_whose_id_is_not_its_path(tmp_path, monkeypatch):
    source = SCENARIOS / "legal-hold" / "released-custodian-is-deactivated.yaml"
    moved = tmp_path / "legal-hold" / "renamed.yaml"
    moved.parent.mkdir()
    moved.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(scenario_module, "data_dir", lambda name: tmp_path)
    with pytest.raises(ScenarioFormatError) as caught:
        load_scenario(moved, display="scenarios/legal-hold/renamed.yaml")
    assert str(caught.value) == (
        "scenarios/legal-hold/renamed.yaml:1: id: a bundled scenario's id must be its path under scenarios/: "
        "'legal-hold/renamed', not 'legal-hold/released-custodian-is-deactivated'")


def test_loader_leaves_ids_outside_the_bundled_folder_alone(tmp_path):
    source = SCENARIOS / "legal-hold" / "released-custodian-is-deactivated.yaml"
    own = tmp_path / "mine.yaml"
    own.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_scenario(own).id == "legal-hold/released-custodian-is-deactivated"
