"""Microsoft's Graph beta SDK for Python (``msgraph-beta-sdk``, ``/beta``) against the mock Azure AD
over HTTP: the same matrix as the v1.0 SDK, through the beta package's own request builders and models."""

from __future__ import annotations

import pytest
from graph_sdk_fixtures import code42_url, mock_tenant  # noqa: F401 - pytest fixtures
from graph_sdk_matrix import GRAPH_SUMMARY_PROPERTY, run_matrix, summary
from graph_sdk_support import Sdk

# the SDK's generated builders define deprecated request-configuration classes at import time
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_msgraph_beta_sdk_matrix(mock_tenant, record_property) -> None:  # noqa: F811 - the imported fixture
    t = mock_tenant
    sdk = Sdk("msgraph_beta", "beta")
    outcomes = run_matrix(sdk, t.url, t.tenant_id, t.client_id, t.client_secret, t.domain,
                          t.target_url, t.target_token)
    record_property(GRAPH_SUMMARY_PROPERTY, summary(sdk, outcomes))  # shown in the terminal summary
    failed = [f"{o.name}: {o.detail}" for o in outcomes if not o.ok]
    assert not failed, "\n".join(failed)
