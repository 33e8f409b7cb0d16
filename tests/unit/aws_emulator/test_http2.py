"""The served emulator (`python -m emulator`, what every test stage, the demo and molecule start) on the wire:
one port answers boto3 over HTTP/1.1 and an HTTP/2 client that opens with the connection preface (cleartext,
prior knowledge, no Upgrade), as the AWS SDK for JavaScript v3 does for bedrock-runtime (FIDELITY.md,
"Transport"). Converse and ConverseStream come back whole over HTTP/2, also to a client that sends GOAWAY as
soon as the response headers arrive (the SDK's `disableConcurrentStreams`)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer

from emulator import Control, transport

httpx = pytest.importorskip("httpx")
h2_connection = pytest.importorskip("h2.connection")
h2_events = pytest.importorskip("h2.events")
h2_settings = pytest.importorskip("h2.settings")
hyperframe_frame = pytest.importorskip("hyperframe.frame")
if not transport.HTTP2:
    pytest.skip("granian is not installed: the emulator serves HTTP/1.1 only", allow_module_level=True)

TESTS = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
MODEL = "amazon.nova-lite-v1:0"
MESSAGES = [{"role": "user", "content": [{"text": "Say hello over HTTP/2"}]}]
# Connection-specific headers, malformed in an HTTP/2 response (RFC 9113, 8.2.2)
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """`python -m emulator --port 0` in a process of its own, stopped by the PID it wrote."""
    pid_file = tmp_path_factory.mktemp("emulator") / "emulator.pid"
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--host", "127.0.0.1", "--port", "0", "--pid-file", str(pid_file)],
        env=dict(os.environ, PYTHONPATH=str(TESTS)),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
        else:
            proc.terminate()
        assert proc.wait(timeout=60) == 0
    assert not pid_file.exists()


@pytest.fixture
def control(endpoint) -> Control:
    control = Control(endpoint)
    control.reset()
    return control


def boto3_client(endpoint: str, service: str):
    return boto3.session.Session().client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def signed(endpoint: str, model_id: str, operation: str) -> tuple[str, dict[str, str], bytes]:
    """A bedrock-runtime request signed as the SDKs sign it (the emulator reads the service and region from the
    credential scope); the model ID percent-encoded in the path, as the SDKs encode a label."""
    url = f"{endpoint}/model/{quote(model_id, safe='')}/{operation}"
    body = json.dumps({"messages": MESSAGES}).encode()
    request = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials("testing", "testing"), "bedrock", REGION).add_auth(request)
    headers = {name: value for name, value in request.headers.items() if name.lower() != "host"}
    return url, headers, body


def decode_events(payload: bytes) -> list[tuple[str, dict]]:
    buffer = EventStreamBuffer()  # botocore's decoder: it checks every frame's lengths and CRC32s
    buffer.add_data(payload)
    return [(message.headers[":event-type"], json.loads(message.payload)) for message in buffer]


def assert_http2_headers(headers, content_type: str) -> None:
    assert headers["content-type"] == content_type
    assert headers["x-amzn-requestid"]
    assert not HOP_BY_HOP & {name.lower() for name in headers}


def test_one_port_speaks_http1_to_boto3_and_h2c_with_prior_knowledge(endpoint):
    profiles = boto3_client(endpoint, "bedrock").list_inference_profiles(typeEquals="SYSTEM_DEFINED")
    assert profiles["inferenceProfileSummaries"]
    with httpx.Client(http1=True, http2=False) as http1, httpx.Client(http1=False, http2=True) as http2:
        over_1 = http1.get(f"{endpoint}/_emulator/health")
        # http1=False on an http:// URL: httpx opens with the HTTP/2 preface, no Upgrade, no fallback
        over_2 = http2.get(f"{endpoint}/_emulator/health")
    assert (over_1.http_version, over_1.json()) == ("HTTP/1.1", {"status": "ok"})
    assert (over_2.http_version, over_2.json()) == ("HTTP/2", {"status": "ok"})


def test_converse_over_h2c_answers_as_over_http1(endpoint, control):
    url, headers, body = signed(endpoint, MODEL, "converse")
    with httpx.Client(http1=False, http2=True) as http2:
        response = http2.post(url, headers=headers, content=body)
    assert (response.http_version, response.status_code) == ("HTTP/2", 200)
    assert_http2_headers(response.headers, "application/json")
    answer = response.json()
    expected = boto3_client(endpoint, "bedrock-runtime").converse(modelId=MODEL, messages=MESSAGES)
    assert answer["output"] == expected["output"]
    assert answer["stopReason"] == expected["stopReason"] == "end_turn"
    assert answer["usage"] == expected["usage"]
    calls = [(c["service"], c["operation"], c["status"]) for c in control.calls()["calls"]]
    assert calls == [("bedrock-runtime", "Converse", 200)] * 2


def test_an_application_profile_arn_in_the_path_reaches_converse_over_h2c(endpoint, control):
    bedrock = boto3_client(endpoint, "bedrock")
    source = bedrock.get_inference_profile(inferenceProfileIdentifier=f"us.{MODEL}")["inferenceProfileArn"]
    arn = bedrock.create_inference_profile(inferenceProfileName="h2c", modelSource={"copyFrom": source})[
        "inferenceProfileArn"
    ]
    url, headers, body = signed(endpoint, arn, "converse")
    assert "%2F" in url  # the ARN's slash travels encoded: only the raw path tells it from a separator
    control.clear_calls()
    with httpx.Client(http1=False, http2=True) as http2:
        response = http2.post(url, headers=headers, content=body)
    assert (response.http_version, response.status_code) == ("HTTP/2", 200), response.text
    assert response.json()["output"]["message"]["role"] == "assistant"
    calls = [(c["service"], c["operation"], c["status"]) for c in control.calls()["calls"]]
    assert calls == [("bedrock-runtime", "Converse", 200)]


def test_converse_stream_over_h2c_delivers_every_event(endpoint):
    url, headers, body = signed(endpoint, MODEL, "converse-stream")
    with httpx.Client(http1=False, http2=True) as http2:
        response = http2.post(url, headers=headers, content=body)
    assert (response.http_version, response.status_code) == ("HTTP/2", 200)
    assert_http2_headers(response.headers, "application/vnd.amazon.eventstream")
    events = decode_events(response.content)
    kinds = [kind for kind, _payload in events]
    assert kinds[:2] == ["messageStart", "contentBlockDelta"]
    assert kinds[-3:] == ["contentBlockStop", "messageStop", "metadata"]
    assert set(kinds[1:-3]) == {"contentBlockDelta"}
    text = "".join(payload["delta"]["text"] for kind, payload in events if kind == "contentBlockDelta")
    plain = boto3_client(endpoint, "bedrock-runtime").converse(modelId=MODEL, messages=MESSAGES)
    assert text == plain["output"]["message"]["content"][0]["text"]
    assert events[-1][1]["usage"] == plain["usage"]


def test_the_stream_survives_a_goaway_sent_on_the_response_headers(endpoint):
    """The SDK's `disableConcurrentStreams` closes the session (GOAWAY) once the response headers are in; the
    body must still come. The client opens with a stream window of 0, so the server can send nothing but the
    headers until the client, after its GOAWAY, opens the window: the GOAWAY certainly precedes the body, on any
    machine."""
    url, headers, body = signed(endpoint, MODEL, "converse-stream")
    parts = urlsplit(url)
    connection = h2_connection.H2Connection()
    connection.initiate_connection()
    connection.update_settings({h2_settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
    stream = connection.get_next_available_stream_id()
    request_headers = [
        (":method", "POST"),
        (":scheme", "http"),
        (":authority", parts.netloc),
        (":path", parts.path),
        *((name.lower(), value) for name, value in headers.items()),
    ]
    connection.send_headers(stream, request_headers)
    connection.send_data(stream, body, end_stream=True)
    status, response_headers, payload, ended = None, {}, bytearray(), False
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        sock.sendall(connection.data_to_send())
        while not ended:
            data = sock.recv(65536)
            assert data, "the server closed the connection before the stream ended"
            for event in connection.receive_data(data):
                if isinstance(event, h2_events.ResponseReceived):
                    assert not payload  # nothing of the body can have been sent yet
                    response_headers = {k.decode(): v.decode() for k, v in event.headers}
                    status = response_headers[":status"]
                    sock.sendall(connection.data_to_send())
                    goaway = hyperframe_frame.GoAwayFrame(0)  # as Node's session.close(): no pushed stream seen
                    sock.sendall(goaway.serialize())
                    connection.increment_flow_control_window(1 << 20, stream_id=stream)
                elif isinstance(event, h2_events.DataReceived):
                    payload += event.data
                    connection.acknowledge_received_data(event.flow_controlled_length, stream)
                elif isinstance(event, h2_events.StreamEnded):
                    ended = True
                elif isinstance(event, h2_events.ConnectionTerminated):
                    # The server's own GOAWAY may answer the client's; it must keep the stream open to its end.
                    assert (event.error_code, event.last_stream_id >= stream) == (0, True), event
                elif isinstance(event, h2_events.StreamReset):
                    pytest.fail(f"the stream was cut after the GOAWAY: {event}")
            sock.sendall(connection.data_to_send())
    assert status == "200"
    assert_http2_headers(response_headers, "application/vnd.amazon.eventstream")
    assert int(response_headers["content-length"]) == len(payload)
    kinds = [kind for kind, _payload in decode_events(bytes(payload))]
    assert kinds[0] == "messageStart" and kinds[-3:] == ["contentBlockStop", "messageStop", "metadata"]
