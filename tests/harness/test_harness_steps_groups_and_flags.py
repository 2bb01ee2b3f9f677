"""The steps added for the group-mapping and Azure request-pattern scenarios can pass and can fail.

``code42.settings`` with ``expect_status``, ``code42.directory_groups`` and ``idp.tenant_url_flag`` each run
against the in-process mocks: once where the documented behaviour holds, once where it does not (a mock
fault, or an expectation the traffic contradicts), so none of them is a check that cannot fail.
"""

from __future__ import annotations

from harness.options import HarnessConfig
from harness.scenario import load_scenario
from harness.scenario_runner import run_scenario
from harness.target import MockTargets

UNSYNCED_GROUP = """\
profile: {base: group-priority}
given:
  users: [{ref: alice}]
  groups:
    - {ref: sales, members: [alice]}
    - {ref: legal, members: [alice]}
  assign: [alice, sales]
when:
  - provision: initial
  - code42.settings:
      org_mapping: {groups: [{group: legal, org: Engineering}]}
      expect_status: 400
then:
  - code42.directory_groups: {includes: [sales], excludes: [legal]}
"""

FLAG = """\
given:
  users: [{ref: alice}]
  assign: [alice]
when:
  - idp.tenant_url_flag: aadOptscim062020
  - provision: initial
  - disable: alice
then:
  - idp.request: {method: PATCH, path: '^/Users/', body: {Operations: [{op: %s, path: active, value: %s}]}, count: 1}
"""


def run(path, faults=None):
    return run_scenario(load_scenario(path), MockTargets(HarnessConfig.from_values({}), faults))


def test_unsynced_group_mapping_is_refused_and_not_listed(write_scenario):
    record = run(write_scenario("g.yaml", UNSYNCED_GROUP))
    assert record.status == "passed", record.message


def test_unsynced_group_steps_fail_when_the_target_accepts_unsynced_groups(write_scenario):
    record = run(write_scenario("g.yaml", UNSYNCED_GROUP), ["groups_visible_before_sync"])
    assert record.status == "failed" and record.category == "product defect", record.message
    assert "returned HTTP 200, expected 400" in record.message


def test_directory_groups_fails_on_a_pushed_group_listed_as_excluded(write_scenario):
    body = UNSYNCED_GROUP.replace("excludes: [legal]", "excludes: [sales]")
    record = run(write_scenario("g.yaml", body))
    assert record.status == "failed", record.message
    assert "sales" in record.message and "is listed" in record.message


def test_tenant_url_flag_switches_to_boolean_lower_case_disable(write_scenario):
    assert run(write_scenario("f.yaml", FLAG % ("replace", "false"))).status == "passed"
    record = run(write_scenario("f.yaml", FLAG % ("Replace", '"False"')))
    assert record.status == "failed" and "Azure AD sent 0 requests" in record.message, record.message
