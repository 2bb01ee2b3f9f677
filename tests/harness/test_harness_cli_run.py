"""``scimgate run`` forwards --concurrency to the plugin (threads that overlap waits), not to xdist."""

from __future__ import annotations

import pytest

from harness import cli


def test_run_forwards_concurrency_and_keeps_secrets_out_of_argv(monkeypatch, tmp_path):
    seen: dict = {}

    def fake_main(args):
        import os

        seen["args"], seen["token"] = list(args), os.environ.get("SCIMGATE_SCIM_TOKEN")
        return 0

    monkeypatch.setattr(pytest, "main", fake_main)
    code = cli.main(["run", "--scim-url", "https://t.example/scim/v2", "--live", "--scim-token", "tok-secret-1",
                     "--concurrency", "4", "--request-timeout", "5", "--no-html",
                     "--alluredir", str(tmp_path / "r")])
    assert code == 0
    args = seen["args"]
    assert args[args.index("--concurrency") + 1] == "4" and "-n" not in args
    assert args[args.index("--request-timeout") + 1] == "5"
    assert "tok-secret-1" not in " ".join(args) and seen["token"] == "tok-secret-1"
