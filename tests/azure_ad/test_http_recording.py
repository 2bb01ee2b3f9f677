from __future__ import annotations

import pytest
import requests
from flask import Flask, jsonify, request

from simulators.common.http_recording import REDACTED, RecordingSession
from simulators.common.server import ServerThread

SECRET = "tok-123456789"


@pytest.fixture
def echo_url():
    app = Flask(__name__)

    @app.post("/echo")
    def echo():
        return jsonify({"got": request.get_json(), "auth": request.headers.get("Authorization")}), 201

    @app.get("/slow")
    def slow():
        import time

        time.sleep(1.0)
        return "late"

    with ServerThread(app) as server:
        yield server.url


def test_records_exchange_with_secrets_redacted_everywhere(echo_url):
    session = RecordingSession(secrets=[SECRET])
    response = session.post(f"{echo_url}/echo?token={SECRET}", json={"secret": SECRET, "keep": "visible"},
                            headers={"Authorization": f"Bearer {SECRET}", "X-Api": f"key {SECRET}"})
    assert response.status_code == 201
    assert response.json()["auth"] == f"Bearer {SECRET}"  # the wire is untouched
    (ex,) = session.exchanges
    assert ex.method == "POST" and ex.status == 201 and ex.path == "/echo"
    assert ex.request_headers["Authorization"] == REDACTED
    assert ex.request_headers["X-Api"] == f"key {REDACTED}"
    assert ex.request_body == {"secret": REDACTED, "keep": "visible"}
    assert ex.response_body == {"got": {"secret": REDACTED, "keep": "visible"}, "auth": f"Bearer {REDACTED}"}
    assert SECRET not in str(ex.to_dict())
    assert ex.elapsed_ms > 0 and ex.error is None


def test_connection_failure_and_timeout_are_recorded(echo_url):
    session = RecordingSession(secrets=[SECRET], timeout=0.2)
    with pytest.raises(requests.Timeout):
        session.get(f"{echo_url}/slow")
    with pytest.raises(requests.ConnectionError):
        session.get(f"http://127.0.0.1:9/x?k={SECRET}")
    slow, refused = session.exchanges
    assert slow.status is None and "Timeout" in slow.error
    assert refused.status is None and SECRET not in refused.url and SECRET not in refused.error
    session.clear()
    assert session.exchanges == []


def test_short_secrets_are_refused():
    with pytest.raises(ValueError, match="at least 4"):
        RecordingSession(secrets=["ab"])


def test_a_secret_learnt_from_a_response_is_scrubbed_from_what_was_already_recorded(echo_url):
    """An OAuth token arrives in a response body, recorded before anyone knew it was a secret."""
    session = RecordingSession()
    session.post(f"{echo_url}/echo", json={"access_token": SECRET, "keep": "visible"})
    assert SECRET in str(session.exchanges[0].to_dict())
    session.add_secret(SECRET)
    (ex,) = session.exchanges
    assert SECRET not in str(ex.to_dict())
    assert ex.response_body["got"] == {"access_token": REDACTED, "keep": "visible"}
