"""The Code42 article's country expression, shipped verbatim and evaluated as Azure would.

Seed 000_fdc7d7180481efa8.txt, "Option 1: Build an expression": "create a mapping expression that looks up
appropriate ISO 3166 country codes for long-form country names ... In the Expression field enter the
following switch expression: IIF(IsNull([country]), "", Switch(ToLower([country], ), , ...))".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.azure_ad.expressions import (
    ExpressionEvaluationError,
    ExpressionOptions,
    load_code42_country_expression,
    parse_expression,
)

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
SEED = SEEDS / "000_fdc7d7180481efa8.txt"


@pytest.fixture(scope="module")
def country():
    return parse_expression(load_code42_country_expression())


def test_shipped_copy_is_the_seed_expression_byte_for_byte():
    if not SEEDS.is_dir():
        pytest.skip(f"seeds folder {SEEDS} is absent (it sits beside the repository in CI as ../shared/seeds)")
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.startswith("IIF(IsNull([country])")]
    assert len(lines) == 1
    assert load_code42_country_expression() == lines[0]


def test_shipped_copy_has_the_empty_arguments_and_no_default():
    text = load_code42_country_expression()
    assert "ToLower([country], ), , \"afghanistan\", \"AF\"" in text
    assert text.endswith('"zimbabwe", "ZW"))')


def test_graph_shape_omits_the_empty_arguments(country):
    graph = country.to_graph()
    assert graph["name"] == "IIF"
    switch = graph["parameters"][2]["value"]
    assert switch["name"] == "Switch"
    # source, then key/value pairs; the empty defaultValue is not listed.
    assert [p["key"] for p in switch["parameters"][:3]] == ["source", "key", "value"]
    to_lower = switch["parameters"][0]["value"]
    assert to_lower["name"] == "ToLower" and [p["key"] for p in to_lower["parameters"]] == ["source"]
    assert switch["expression"].startswith('Switch(ToLower([country], ), , "afghanistan", "AF", ')


@pytest.mark.parametrize(("value", "code"), [
    ("Germany", "DE"), ("GERMANY", "DE"), ("germany", "DE"), ("gErMaNy", "DE"),
    ("United States", "US"), ("UNITED STATES", "US"), ("united states", "US"),
    ("United Kingdom", "GB"), ("France", "FR"), ("Japan", "JP"), ("Brazil", "BR"), ("India", "IN"),
    ("Canada", "CA"), ("Australia", "AU"), ("Netherlands", "NL"), ("Switzerland", "CH"),
    ("South Korea", "KR"), ("Korea", "KR"), ("Democratic People's Republic of Korea", "KP"),
    ("Guinea-Bissau", "GW"), ("Timor-Leste", "TL"),
    ("Saint Helena, Ascension and Tristan da Cunha", "SH"), ("Taiwan, Republic of China", "TW"),
    ("Antigua", "AG"), ("Barbuda", "AG"), ("Bosnia", "BA"), ("Herzegovina", "BA"),
    ("Russia", "RU"), ("Russian Federation", "RU"), ("Viet Nam", "VN"), ("Vietnam", "VN"),
    ("Zimbabwe", "ZW"), ("Afghanistan", "AF"),
    # keys with diacritics match when the input carries them (ToLower keeps accents)
    ("Curaçao", "CW"), ("CURAÇAO", "CW"), ("Réunion", "RE"), ("RÉUNION", "RE"), ("Saint Barthélemy", "BL"),
])
def test_known_countries_in_any_case(country, value, code):
    assert country.evaluate({"country": value}) == code


@pytest.mark.parametrize("value", [
    "Narnia", "USA", "UK", "Deutschland", "US", "DE",
    "Curacao", "Reunion",  # without the diacritics the seed's keys do not match
    " Germany", "Germany ", "  united states  ",  # Switch compares exactly; nothing trims
    "United  States", "Korea, Republic of",
])
def test_unknown_values_fall_to_the_absent_default_and_flow_null(country, value):
    # Switch(source, <empty>, ...): the omitted defaultValue is an absent parameter, so no match = null.
    assert country.evaluate({"country": value}) is None


def test_empty_string_country_is_not_null_so_switch_runs_and_finds_nothing(country):
    assert country.evaluate({"country": ""}) is None


@pytest.mark.parametrize("source", [{}, {"country": None}, {"department": "Sales"}])
def test_missing_or_null_country_yields_empty_string_via_iif(country, source):
    assert country.evaluate(source) == ""


def test_attribute_name_is_case_insensitive(country):
    assert country.evaluate({"Country": "Spain"}) == "ES"
    assert country.evaluate({"COUNTRY": "spain"}) == "ES"


def test_strict_iif_mode_reproduces_the_documented_condition_failure():
    strict = parse_expression(load_code42_country_expression(), ExpressionOptions(iif_null_condition="fail"))
    assert strict.evaluate({"country": "Germany"}) == "DE"
    with pytest.raises(ExpressionEvaluationError, match=r"condition check fails.*\[country\]") as info:
        strict.evaluate({})
    assert info.value.position == 1


def test_every_pair_of_the_seed_maps_its_own_key(country):
    """Walk the shipped Switch's own key/value pairs: each key (upper-cased input) yields its value, except
    where an earlier duplicate key wins, as Switch returns the first match."""
    switch = country.tree.args[2]
    seen: dict[str, str] = {}
    for key_node, value_node in zip(switch.args[2::2], switch.args[3::2]):
        seen.setdefault(key_node.value, value_node.value)
    assert len(seen) > 240
    for key, code in seen.items():
        assert country.evaluate({"country": key.upper() if "ß" not in key else key}) == code, key
