"""Profile loading: defaults, validation errors that name file and field, the example profiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.code42.domain.profile import ProfileError, load_profile, profile_schema
from simulators.common.bundled import data_dir

PROFILES = sorted((data_dir("scenarios") / "profiles").glob("*.yaml"))


def test_defaults_are_the_documented_ones():
    p = load_profile({})
    assert p.plan == "crashplan-cloud"
    assert p.deactivation_delay_minutes == 15  # seed: "Code42 waits 15 minutes"
    assert p.org_mapping.method == "DEFAULT"
    assert p.org_mapping.attribute == "c42OrgName"
    assert p.role_mapping.method == "NONE"
    assert p.provider["credential_type"] == "oauth"
    assert p.switches["unknown_manager"] == "accept-and-drop"
    assert p.switches["delete_users"] == "deactivate-204"
    assert p.switches["post_inactive"] == "create-active"
    assert p.switches["post_existing_username"] == "conflict-409"
    assert p.switches["scim_reactivation_lifts_admin_block"] is False
    assert p.switches["block_on_deactivation_incydr_pro_enterprise"] is False


def test_every_schema_property_has_description_and_default():
    def walk(schema, path):
        for name, sub in schema.get("properties", {}).items():
            assert "description" in sub, f"{path}/{name} has no description"
            assert "default" in sub, f"{path}/{name} has no default"
            walk(sub, f"{path}/{name}")
        if isinstance(schema.get("items"), dict):
            walk(schema["items"], f"{path}[]")
    walk(profile_schema(), "")


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.name)
def test_example_profiles_load(path: Path):
    assert load_profile(path).source == str(path)


def test_example_profiles_cover_plans_and_methods():
    loaded = [load_profile(p) for p in PROFILES]
    assert {p.org_mapping.method for p in loaded} == {"DEFAULT", "MAPPING", "ATTRIBUTE"}
    assert {p.role_mapping.method for p in loaded} == {"NONE", "GROUP", "ATTRIBUTE"}
    assert {"crashplan-cloud", "incydr-professional"} <= {p.plan for p in loaded}


def test_small_business_is_refused_with_the_seed_reason():
    with pytest.raises(ProfileError, match="CrashPlan for Small Business has no SCIM provisioning"):
        load_profile({"plan": "crashplan-small-business"})


@pytest.mark.parametrize("minutes, ok", [(0, True), (129600, True), (129601, False), (-1, False)])
def test_delay_bounds(minutes, ok):
    if ok:
        assert load_profile({"deactivation_delay_minutes": minutes}).deactivation_delay_minutes == minutes
    else:
        with pytest.raises(ProfileError, match="field deactivation_delay_minutes"):
            load_profile({"deactivation_delay_minutes": minutes})


def test_errors_name_file_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("org_mapping:\n  method: GROUPS\n")
    with pytest.raises(ProfileError) as info:
        load_profile(bad)
    assert str(bad) in str(info.value) and "field org_mapping/method" in str(info.value)


def test_unknown_switch_is_rejected():
    with pytest.raises(ProfileError, match="switches"):
        load_profile({"switches": {"make_it_work": True}})


def test_undeclared_org_reference_is_rejected():
    with pytest.raises(ProfileError, match="org_mapping/groups/0/org"):
        load_profile({"org_mapping": {"method": "MAPPING", "groups": [{"group": "G", "org": "Nowhere"}]}})


@pytest.mark.parametrize("urn, ok", [
    ("urn:ietf:params:scim:schemas:extension:code42:2.0:User", True),
    ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", True),
    ("URN:example:acme:2.0:User", True),
    ("urn:ietf:params:scim:schemas:core:2.0:group", False),  # URNs compare case-insensitively
    ("c42", False),
])
def test_attribute_urn_must_be_able_to_extend_a_user(urn, ok):
    data = {"org_mapping": {"method": "ATTRIBUTE", "attribute_urn": urn}}
    if ok:
        assert load_profile(data).org_mapping.attribute_urn == urn
    else:
        with pytest.raises(ProfileError, match="field org_mapping/attribute_urn"):
            load_profile(data)


def test_yaml_syntax_error_names_the_file(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("plan: [unclosed\n")
    with pytest.raises(ProfileError, match="broken.yaml: not valid YAML"):
        load_profile(bad)


def test_switch_lookup_rejects_typos():
    with pytest.raises(KeyError, match="unknown profile switch"):
        load_profile({}).switch("unknown_manger")


def test_unknown_roles_are_rejected_with_their_field():
    with pytest.raises(ProfileError, match="role_mapping/groups/0/roles/1: unknown Code42 role 'Emperor'"):
        load_profile({"role_mapping": {"method": "GROUP", "groups": [{"group": "G", "roles": ["org-admin", "Emperor"]}]}})
