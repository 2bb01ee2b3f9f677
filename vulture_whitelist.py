"""Names vulture cannot see being used, because a framework calls or reads them (``vulture`` config in
pyproject.toml). Never executed; each entry says who uses the name. Decorator-registered callables
(Flask views and hooks, ``@step``, ``@function``, Hypothesis ``@rule``/``@initialize``) and ``pytest_*``
hooks are ignored in pyproject, not listed here. Dead code is deleted, never added here.
"""

from vulture.whitelists.whitelist_utils import Whitelist

_ = Whitelist()

# harness/explore/machine.py: Hypothesis's RuleBasedStateMachine calls teardown() after each program;
# the one ``step`` rule dispatches to ``_<operation>`` by name (getattr), one method per operation.
_.teardown
_._create_user
_._time_passes
_._disable
_._enable
_._unassign
_._assign
_._set_manager
_._clear_manager
_._join_group
_._leave_group
_._place_hold
_._release_hold
_.__qualname__  # read by Hypothesis and pytest when they name the generated state machine class

# harness/drivers/sdk_transport.py: requests runs a PreparedRequest's ``hooks`` when a session sends it;
# RecordingAdapter empties them so the SDK's hooks do not run twice.
_.hooks

# harness/pytest/: pytest's collection and reporting API calls these on our File and Item nodes.
_.currentfspath  # pytest's TerminalReporter reads it: live.py clears it so -v rewrites the node id
_.collect
_.reportinfo
_.runtest
_.exitstatus  # a pytest_terminal_summary hook parameter: pytest passes hook arguments by name

# Parser callbacks called by rule or token name: lark Transformer methods (graph_filter.py); sly lexer
# token rules, a method or a regex class attribute per token (filters.py).
_.true
_.false
_.null
_.comparison
_.and_
_.or_
_.not_
_.COMP_VALUE
_.NUMBER

# Attributes a library reads after we set them.
_.sort_keys           # Flask's JSON provider (app.json.sort_keys)
_.row_factory         # sqlite3.Connection
_.trust_env           # requests.Session: no proxies from the environment in benchmarks
_.testing             # Flask app.testing (tests)
_.daemon_threads      # socketserver.ThreadingMixIn (tests/harness/faulty.py)
_.handle              # socketserver.BaseRequestHandler.handle (tests/harness/faulty.py)
_.hooks               # requests.Session.send dispatches PreparedRequest.hooks (harness/drivers/sdk_transport.py
                      # clears incydr's response hook on its copy, so the hook runs once, in incydr's session)

_.c42_rejections      # flask.g, read back with g.get("c42_rejections") by RejectionLog.log after the request

# A maintenance entry point run by hand (its docstring gives the command) to regenerate schemas/.
_.write_json_schemas

# Module-level names pytest reads.
_.pytest_plugins      # tests/conftest.py
_.pytestmark          # tests/harness/test_harness_live.py

# __exit__(self, exc_type, exc, tb): the context-manager protocol fixes the signature.
_.exc_type
_.tb
