"""Names in ``simulators/code42`` that vulture reports as unused but are used, each with the reason.

Not a test module (pytest does not collect it) and never imported: vulture only reads it. Run:
``vulture simulators/code42 tests/code42/vulture_whitelist.py --min-confidence 60
--ignore-decorators "@bp.*,@app.*"`` (Flask registers decorated views and hooks by decoration).
"""

import sqlite3

from flask import g
from flask.json.provider import DefaultJSONProvider

from simulators.code42.domain.faults import Fault
from simulators.code42.domain.profile import Code42Profile
from simulators.code42.storage.store import Tx


def _used_elsewhere() -> tuple[object, ...]:
    return (
        Fault.caught_by,  # the fault catalogue's data: read by harness/cli.py and the fault-matrix tooling
        Code42Profile.switch,  # the checked accessor tests/code42/test_profile.py exercises
        Tx.get_user_by_username,  # store API under test (case-insensitive userName, test_store.py)
        Tx.group_member_ids,  # store API under test (test_store.py)
        DefaultJSONProvider.sort_keys,  # app.json.sort_keys = False: Flask's JSON provider reads it
        sqlite3.Connection.row_factory,  # the store sets it; sqlite3 reads it
        g.c42_rejections,  # set in one app hook, read back by g.get("c42_rejections") in the other
    )


_used_elsewhere  # noqa: B018  (the whitelist function itself)
