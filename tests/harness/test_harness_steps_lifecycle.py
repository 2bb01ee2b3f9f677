"""The steps added for the creation, manager and deactivation-timing scenarios can pass and can fail.

``idp.mapping``, ``code42.user.edit`` and ``code42.restart`` each run against the in-process mocks: once
where the documented behaviour holds, once where it does not (a mock fault, or an expectation the
traffic contradicts), so none of them is a check that cannot fail.
"""

from __future__ import annotations

from harness.options import HarnessConfig
from harness.scenario import load_scenario
from harness.scenario_runner import run_scenario
from harness.target import MockTargets

COUNTRY = """\
given:
  users: [{ref: alice, country: Germany, usageLocation: FR}]
  assign: [alice]
when:
  - idp.mapping: {target: 'addresses[type eq "work"].country', expression_file: code42_country_expression.txt}
  - provision: initial
then:
  - code42.user: {ref: alice, attributes: {country: %s}}
"""

DELETED = """\
given:
  users: [{ref: alice, usageLocation: FR}]
  assign: [alice]
when:
  - idp.mapping: {target: 'addresses[type eq "work"].country', delete: true}
  - provision: initial
then:
  - idp.request: {method: POST, path: ^/Users$, body: {addresses: [{type: work, country: FR}]}, count: %d}
"""

EDIT = """\
given:
  users: [{ref: alice, givenName: Alice, jobTitle: Analyst}]
  assign: [alice]
when:
  - provision: initial
  - code42.user.edit: {ref: alice, firstName: Edited}
  - update_user: {ref: alice, jobTitle: Lead}
then:
  - code42.user: {ref: alice, attributes: {firstName: Alice, title: Lead}}
"""

RESTART = """\
given:
  users: [{ref: alice}]
  assign: [alice]
when:
  - provision: initial
  - disable: alice
  - code42.restart: {}
then:
  - code42.user: {ref: alice, state: blocked}
  - after: {profile: deactivation_delay, tolerance: 1m}
    code42.user: {ref: alice, state: deactivated}
"""


def run(path, faults=None):
    return run_scenario(load_scenario(path), MockTargets(HarnessConfig.from_values({}), faults))


def test_mapping_expression_file_sends_the_looked_up_country(write_scenario):
    assert run(write_scenario("c.yaml", COUNTRY % "DE")).status == "passed"
    record = run(write_scenario("c.yaml", COUNTRY % "FR"))  # FR would mean the usageLocation default still flows
    assert record.status == "failed" and "attribute country is 'DE', expected 'FR'" in record.message, record.message


def test_mapping_delete_stops_the_attribute_flowing(write_scenario):
    assert run(write_scenario("d.yaml", DELETED % 0)).status == "passed"
    record = run(write_scenario("d.yaml", DELETED % 1))
    assert record.status == "failed" and "Azure AD sent 0 requests" in record.message, record.message


def test_mapping_of_an_unknown_target_to_delete_is_a_harness_error(write_scenario):
    body = DELETED.replace("addresses[type eq \"work\"].country", "nickName") % 0
    record = run(write_scenario("d.yaml", body))
    assert record.status == "broken" and "nickName" in record.message, record.message


def test_console_edit_is_overwritten_unless_the_target_keeps_it(write_scenario):
    assert run(write_scenario("e.yaml", EDIT)).status == "passed"
    record = run(write_scenario("e.yaml", EDIT), ["updates_do_not_overwrite"])
    assert record.status == "failed" and "firstName is 'Edited', expected 'Alice'" in record.message, record.message


def test_restart_keeps_pending_deactivations_on_the_database_file(write_scenario):
    record = run(write_scenario("r.yaml", RESTART))
    assert record.status == "passed", record.message
    record = run(write_scenario("r.yaml", RESTART), ["pending_deactivations_lost_on_restart"])
    assert record.status == "failed" and "state is blocked, expected deactivated" in record.message, record.message
