"""Names vulture reports in the Graph surface and its SDK contract tests that are not dead, each with
who uses it (``vulture`` config in pyproject.toml). Never imported; vulture only reads the names."""
# ruff: noqa

# simulators/azure_ad/graph/odata_filter.py: lark's Transformer calls one method per grammar rule.
membership
# tests/contract/graph_sdk_support.py: kiota's BaseBearerTokenAuthenticationProvider calls the
# AccessTokenProvider contract.
get_authorization_token
get_allowed_hosts_validator
# tests/contract/graph_sdk_matrix.py: attributes of the SDK's request-body models, read by kiota's
# JSON serializer when it writes the body.
use_saved_credentials
test_input_object
additional_data
