"""model_invocation reports a target that gives no answer (timeout, no connection) per target, like one that
answers with an error, and goes on with the others: no traceback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from ansible_collections.librechat.bedrock.plugins.modules import model_invocation

ROOT = Path(__file__).resolve().parents[4]


class Runtime:
    """A bedrock-runtime client whose Converse answers per target: an exception to raise, or a response."""

    def __init__(self, outcomes):
        self.outcomes = outcomes

    def converse(self, modelId, **_kwargs):
        outcome = self.outcomes[modelId]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


ANSWER = {
    "output": {"message": {"content": [{"text": "OK"}]}},
    "stopReason": "end_turn",
    "usage": {"inputTokens": 5, "outputTokens": 1},
    "metrics": {"latencyMs": 42},
}


def test_a_timeout_and_a_lost_connection_are_reported_per_target():
    runtime = Runtime(
        {
            "slow": ReadTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com/model/slow"),
            "unreachable": EndpointConnectionError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"),
            "denied": ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "Converse"),
            "fine": ANSWER,
        }
    )
    results = {t: model_invocation.invoke(runtime, t, "hi", 16) for t in ("slow", "unreachable", "denied", "fine")}
    assert results["slow"]["ok"] is False and results["slow"]["error_code"] == "ReadTimeoutError"
    assert "Read timeout" in results["slow"]["error"]
    assert results["unreachable"]["error_code"] == "EndpointConnectionError"
    assert "Could not connect to the endpoint URL" in results["unreachable"]["error"]
    assert results["denied"]["error_code"] == "AccessDeniedException"
    assert results["fine"] == {
        "target": "fine",
        "ok": True,
        "skipped": False,
        "answer": "OK",
        "stop_reason": "end_turn",
        "input_tokens": 5,
        "output_tokens": 1,
        "latency_ms": 42,
    }


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_module_answers_an_unreachable_endpoint_with_a_result_not_a_traceback(tmp_path):
    args = tmp_path / "args.json"
    targets = ["us.amazon.nova-pro-v1:0", "us.amazon.nova-lite-v1:0"]
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {"targets": targets, "region": "us-east-1"}}))
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / ".cache" / "collections"),
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{closed_port()}",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_MAX_ATTEMPTS="1",
    )
    run = subprocess.run(
        [sys.executable, "-m", "ansible_collections.librechat.bedrock.plugins.modules.model_invocation", str(args)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "Traceback" not in run.stderr
    result = json.loads(run.stdout)
    # (amazon.aws's own deprecation warnings carry a formatted traceback; the module's result must not)
    assert not result.get("failed") and "exception" not in result, result
    assert result["failed_targets"] == targets
    assert [r["error_code"] for r in result["invocations"]] == ["EndpointConnectionError"] * 2
