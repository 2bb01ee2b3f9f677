"""Names vulture reports in ``simulators/azure_ad`` that are not dead, each with the reason.

    vulture simulators/azure_ad tests/azure_ad/vulture_whitelist.py --min-confidence 60

Not imported by anything (vulture only reads the names).
"""
# ruff: noqa

# Expression functions: registered in FUNCTIONS by the @function(...) decorator, called through it.
_cbool
_cdate
_coalesce
_to_base64
_to_utf8_hex
_count
_cstr
_date_add
_date_diff
_date_from_num
_num_from_date
_format_datetime
_guid
_ignore_flow
_iif
_instr
_is_null
_is_null_or_empty
_is_present
_is_string
_item
_join
_left
_mid
_normalize
_not
_now
_pcase
_random_string
_redact
_remove_duplicates
_replace
_select_unique
_split
_strip_spaces
_switch
_to_lower
_append
_to_upper
_word
_single_role
_bit_and

# Graph views and error handlers: registered on blueprints by Flask decorators.
list_provisioning
get_provisioning
_graph_error
_http_error
_unexpected
list_users
create_user
get_user
delete_user
get_manager
set_manager
remove_manager
member_of
deleted_users
deleted_groups
get_deleted
purge
list_groups
create_group
get_group
delete_group
list_members
list_service_principals
get_service_principal
list_assignments
_loopback_only
clock_now
_ids
_own_job
_defaults
templates
list_jobs
get_job
validate_credentials
get_schema
put_schema
reset_schema
functions
filter_operators
put_secrets
_.and_
_.or_
_.not_
_.true
_.false
_.null
_.guid
_.comparison

# Used outside the package, by data, or public API pinned by tests.
_.sort_keys  # Flask's JSON provider setting (keep Graph's key order)
_graph_needs_a_token  # a Flask before_request hook
filter_set  # scoping filter constructor used by tests/azure_ad/test_model.py
_.disable_user  # scenario steps (harness/drivers/idp.py) and the transcript tests call it
_.enable_user  # scenario steps (harness/drivers/idp.py) and the transcript tests call it
_.transitive_members  # the directory's nested-group view, pinned by tests/azure_ad/test_model.py (the engine deliberately reads direct members only: nested groups are not provisioned)
_.exists  # harness/drivers/idp.py cleanup calls it
_.canonical  # public Expression API, pinned by tests/azure_ad/test_expressions_syntax.py
_.allow_deletes  # public engine API (the portal's "allow deletes"), pinned by tests/azure_ad/test_engine_failures.py
_.redacted  # public Expression API, pinned by tests/azure_ad/test_expressions_functions.py
_.function_name  # public Expression API, pinned by tests/azure_ad/test_expressions_functions.py
at  # Change.at, the change log's timestamp (data)
strip_flag_from_urls  # an engine flag (EngineFlags field), read by the target client
ACTIVE_EXPRESSION_NOT  # the documented alternative 'active' expression, offered to mapping edits
INTEGER  # TargetType member, looked up by value from Graph schemas
DATETIME  # TargetType member, looked up by value from Graph schemas
BINARY  # TargetType member, looked up by value from Graph schemas
