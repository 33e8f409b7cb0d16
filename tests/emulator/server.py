"""The emulator as a WSGI application and a server: moto's server for IAM, S3, CloudWatch Logs, STS and the rest,
this package's Bedrock in front of it, a call log and fault knobs around both, and a small control API under
/_emulator/ for tests (see README.md)."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from dataclasses import asdict, dataclass, field

from moto.iam.models import get_account_id_from
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from . import api, costexplorer, transport
from .bedrock import HANDLERS, Bedrock, Context, Settings, request_id

_SCOPE = re.compile(r"Credential=(?P<key>[^/]+)/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")
_READ_PREFIXES = ("Get", "List", "Describe", "Head", "Filter", "Lookup", "Search", "Query", "Select", "Scan", "Check")
# The error each protocol's clients retry as throttling.
_THROTTLE_CODE = {"s3": ("SlowDown", 503), "iam": ("Throttling", 400), "sts": ("Throttling", 400)}
# bedrock-runtime shares bedrock's signing name; these path prefixes are its own.
_RUNTIME_PATHS = ("/model/", "/guardrail/", "/async-invoke")
# The CloudWatch Logs reads that see invocation records (log_delivery_reads counts them).
_LOG_READS = ("FilterLogEvents", "GetLogEvents")
# awsJson operations this package answers in front of moto, by signing name
JSON_HANDLERS = {"ce": costexplorer.HANDLERS}
# The account moto gives every access key; the control API's default
DEFAULT_ACCOUNT = "123456789012"


@dataclass
class Faults:
    """Throttling: every `throttle_every`-th request that matches the service and operation filters (empty means
    all) is answered with the service's throttling error, before it reaches the service."""

    throttle_every: int = 0
    throttle_services: list[str] = field(default_factory=list)
    throttle_operations: list[str] = field(default_factory=list)
    matched: int = 0


def is_write(service: str, operation: str) -> bool:
    """Whether a call changes AWS: everything but reads and model invocations."""
    return service != "bedrock-runtime" and not operation.startswith(_READ_PREFIXES)


class Application:
    """The WSGI application; one per process, because moto's backends are process-wide."""

    def __init__(self):
        self.settings = Settings()
        self.faults = Faults()
        self.bedrock = Bedrock(self.settings)
        self.cost_explorer = costexplorer.CostExplorer()
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.calls: list[dict] = []
        self.lock = threading.Lock()

    # ------------------------------------------------------------------------ control API
    def reset(self) -> None:
        moto_api_backend.reset()
        self.bedrock.reset()
        self.cost_explorer.reset()
        with self.lock:
            self.settings.__init__()
            self.faults.__init__()
            self.calls.clear()

    def _control(self, method: str, path: str, body: bytes):
        data = json.loads(body) if body.strip() else {}
        route = path.removeprefix("/_emulator/").strip("/")
        if route == "health" and method == "GET":
            return 200, {"status": "ok"}
        if route == "reset" and method == "POST":
            self.reset()
            return 200, {"reset": True}
        if route == "config":
            if method == "POST":
                faults = {k: data.pop(k) for k in list(data) if k in Faults.__dataclass_fields__ and k != "matched"}
                self.settings.update(data)
                with self.lock:
                    for key, value in faults.items():
                        setattr(self.faults, key, value)
                    self.faults.matched = 0
            return 200, asdict(self.settings) | {k: v for k, v in asdict(self.faults).items() if k != "matched"}
        if route == "availability" and method == "POST":
            state = self.bedrock.set_availability(data.pop("aws_region"), data.pop("model_id"), data)
            return 200, state
        if route == "state" and method == "GET":
            return 200, self.bedrock.snapshot() | {"cost_allocation_tags": self.cost_explorer.snapshot()}
        if route == "cost_allocation_tags":
            if method == "POST":
                self.cost_explorer.declare_seen(data.get("account", DEFAULT_ACCOUNT), data["keys"])
            return 200, self.cost_explorer.snapshot()
        if route == "calls":
            with self.lock:
                if method == "DELETE":
                    self.calls.clear()
                    # The throttling count restarts with the log, so in a fresh log every throttle_every-th
                    # matching call is the throttled one: a test can assert exact figures.
                    self.faults.matched = 0
                calls = list(self.calls)
            return 200, {"calls": calls, "writes": sum(c["write"] for c in calls), "count": len(calls)}
        return 404, {"error": f"no control route {method} {path}"}

    # ------------------------------------------------------------------------ requests
    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = (
            environ["wsgi.input"].read(length)
            if length
            else environ["wsgi.input"].read()
            if environ.get("HTTP_TRANSFER_ENCODING")
            else b""
        )
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        path = environ.get("PATH_INFO", "/")
        if path.startswith("/_emulator/"):
            try:
                status, payload = self._control(environ["REQUEST_METHOD"], path, body)
            except (KeyError, ValueError, TypeError) as e:
                status, payload = 400, {"error": str(e)}
            return self._respond(
                start_response, status, {"Content-Type": "application/json"}, json.dumps(payload).encode()
            )

        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if scope is None:
            return self.moto(environ, start_response)
        service = scope["service"]
        if service == "bedrock" and path.startswith(_RUNTIME_PATHS):
            service = "bedrock-runtime"
        try:
            operation = api.operation_of(service, environ, body)
        except Exception:  # a service botocore does not know: moto may still answer it
            operation = "Unknown"
        call = {"time": time.time(), "service": service, "operation": operation, "region": scope["region"]}
        call["write"] = is_write(service, operation)

        throttled = self._throttle(service, operation)
        if throttled is not None:
            status, headers, payload = throttled
            if service == "bedrock-runtime":  # Bedrock counts it as InvocationThrottles (metrics.py)
                self.bedrock.throttled(get_account_id_from(scope["key"]), scope["region"], api.split_uri(environ)[0])
        elif service in HANDLERS:
            status, headers, payload = self._bedrock(service, environ, body, scope)
        elif operation in JSON_HANDLERS.get(service, {}):
            status, headers, payload = self._json(service, operation, body, scope)
        else:
            if service == "logs" and operation in _LOG_READS:
                self._log_read(scope, body)
            return self._moto(environ, start_response, call)
        self._record(call, status)
        return self._respond(start_response, status, headers, payload)

    def _log_read(self, scope, body: bytes) -> None:
        """Bedrock delivers invocation records asynchronously: let the records that waited enough reads of this
        log group (log_delivery_reads) into it before moto answers the read."""
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return
        # logGroupIdentifier may be the group's ARN
        identifier = str(data.get("logGroupIdentifier") or "")
        group = data.get("logGroupName") or identifier.rsplit(":log-group:", maxsplit=1)[-1]
        if group:
            self.bedrock.read_log_group(get_account_id_from(scope["key"]), scope["region"], group)

    def _throttle(self, service: str, operation: str):
        with self.lock:
            faults = self.faults
            if faults.throttle_every <= 0:
                return None
            if faults.throttle_services and service not in faults.throttle_services:
                return None
            if faults.throttle_operations and operation not in faults.throttle_operations:
                return None
            faults.matched += 1
            if faults.matched % faults.throttle_every:
                return None
        code, status = _THROTTLE_CODE.get(service, ("ThrottlingException", None))
        try:
            return api.error_response(service, api.ApiError(code, "Rate exceeded", status), request_id())
        except Exception:  # not in botocore's models: answer as a JSON service would
            return (
                400,
                {"Content-Type": "application/json"},
                json.dumps({"__type": code, "message": "Rate exceeded"}).encode(),
            )

    def _bedrock(self, service: str, environ: dict, body: bytes, scope):
        rid = request_id()
        raw_path, query = api.split_uri(environ)
        operation, labels = api.match(service, environ["REQUEST_METHOD"], raw_path, query)
        try:
            if operation is None:
                raise api.ApiError(
                    "UnknownOperationException", f"No operation at {environ['REQUEST_METHOD']} {raw_path}", 404
                )
            handler = HANDLERS[service].get(operation.name)
            if handler is None:
                raise api.ApiError(
                    "UnknownOperationException", f"The emulator does not implement {operation.name}", 501
                )
            headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
            params = api.read_input(operation, labels, query, headers, body)
            api.check_input(operation, params)
            account = get_account_id_from(scope["key"])
            output = handler(self.bedrock, Context(account, scope["region"], rid, self.settings), params)
            status, response_headers, payload = api.rest_json_response(operation, output)
            response_headers["x-amzn-RequestId"] = rid
            return status, response_headers, payload
        except api.ApiError as error:
            return api.error_response(service, error, rid)
        except json.JSONDecodeError:
            return api.error_response(
                service, api.ApiError("SerializationException", "The body is not valid JSON", 400), rid
            )

    def _json(self, service: str, operation_name: str, body: bytes, scope):
        """An awsJson call this package answers: input read and checked against botocore's model, as for REST."""
        rid = request_id()
        operation = api.service_model(service).operation_model(operation_name)
        try:
            params = api.json_input(operation, body)
            api.check_input(operation, params)
            handler = JSON_HANDLERS[service][operation_name]
            output = handler(self.cost_explorer, get_account_id_from(scope["key"]), params)
            status, headers, payload = api.json_response(service, output)
            headers["x-amzn-RequestId"] = rid
            return status, headers, payload
        except api.ApiError as error:
            return api.error_response(service, error, rid)
        except json.JSONDecodeError:
            return api.error_response(
                service, api.ApiError("SerializationException", "The body is not valid JSON", 400), rid
            )

    def _moto(self, environ, start_response, call):
        def recording_start_response(status, headers, exc_info=None):
            self._record(call, int(status.split()[0]))
            return start_response(status, headers, exc_info)

        return self.moto(environ, recording_start_response)

    def _record(self, call: dict, status: int) -> None:
        with self.lock:
            self.calls.append(call | {"status": status})

    @staticmethod
    def _respond(start_response, status: int, headers: dict, payload: bytes):
        reason = {200: "OK", 201: "Created", 202: "Accepted", 404: "Not Found"}.get(status, "Status")
        start_response(f"{status} {reason}", [*headers.items(), ("Content-Length", str(len(payload)))])
        return [payload]


class Emulator:
    """The emulator on a loopback port, served from a thread of this process: HTTP/1.1 and cleartext HTTP/2 on
    the one port (transport.py). The port is bound and listening when the constructor returns."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, log_requests: bool = False):
        self.app = Application()
        self.app.reset()
        self.socket = transport.listen(host, port)
        self.endpoint = transport.endpoint_of(self.socket)
        self.transport = transport.serve(self.app, self.socket, log_requests=log_requests)

    def start(self) -> Emulator:
        self.transport.start()
        return self

    def stop(self) -> None:
        self.transport.stop()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
