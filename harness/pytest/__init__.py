"""The pytest glue (entry point ``pytest11: scimgate`` -> :mod:`harness.pytest.plugin`).

The only package that imports pytest. ``plugin`` holds the hooks, ``items`` the collected nodes,
``live`` the run loop for concurrent and live runs, ``outcomes`` the mapping from a plain
:class:`~harness.record.ScenarioRecord` to pytest outcomes; Allure rendering is :mod:`harness.report.allure`.
"""
