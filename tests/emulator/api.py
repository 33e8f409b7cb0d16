"""The AWS wire protocol, driven by botocore's service models: routing a REST request to its operation, reading
its input, checking it against the model's constraints, and writing responses and errors the way the service
does. Because everything here comes from the installed botocore, the emulator cannot drift from the API the
collection's modules call."""

from __future__ import annotations

import datetime
import functools
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote

import botocore.session

_SESSION = botocore.session.get_session()


@functools.cache
def service_model(name: str):
    return _SESSION.get_service_model(name)


class ApiError(Exception):
    """An error the service answers with; `code` is an error shape of the operation's service."""

    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def validation_error(message: str) -> ApiError:
    return ApiError("ValidationException", message)


def not_found(message: str) -> ApiError:
    return ApiError("ResourceNotFoundException", message)


# --------------------------------------------------------------------------------------------------- routing
@dataclass
class Route:
    operation: object  # botocore OperationModel
    method: str
    regex: re.Pattern
    labels: list[str]
    query_literals: dict[str, str | None]
    specificity: tuple = field(default=())


def _compile(operation) -> Route:
    method = operation.http["method"]
    uri = operation.http["requestUri"]
    path, _sep, query = uri.partition("?")
    labels = []
    pattern = ""
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{"):
            name = piece[1:-1]
            greedy = name.endswith("+")
            labels.append(name.rstrip("+"))
            pattern += "(.+)" if greedy else "([^/]+)"
        else:
            pattern += re.escape(piece)
    literals: dict[str, str | None] = {}
    for part in filter(None, query.split("&")):
        key, _sep, value = part.partition("=")
        literals[key] = value or None
    literal_chars = len(re.sub(r"\{[^}]+\}", "", path))
    return Route(
        operation,
        method,
        re.compile(f"^{pattern.rstrip('/') or '/'}/?$"),
        labels,
        literals,
        (len(literals), literal_chars, -len(labels)),
    )


@functools.cache
def routes(service: str) -> list[Route]:
    model = service_model(service)
    compiled = [_compile(model.operation_model(name)) for name in model.operation_names]
    return sorted(compiled, key=lambda r: r.specificity, reverse=True)


def match(service: str, method: str, raw_path: str, query: dict[str, list[str]]):
    """The operation a REST request is for and its (decoded) URI labels, or (None, {})."""
    for route in routes(service):
        if route.method != method:
            continue
        found = route.regex.match(raw_path)
        if not found:
            continue
        if any(
            key not in query or (value is not None and value not in query[key])
            for key, value in route.query_literals.items()
        ):
            continue
        return route.operation, {name: unquote(value) for name, value in zip(route.labels, found.groups())}
    return None, {}


# Signing names that are not the name of botocore's service model.
_MODEL_NAMES = {"monitoring": "cloudwatch"}


def model_name(service: str) -> str:
    """botocore's name for the service a request's credential scope names (CloudWatch signs as `monitoring`)."""
    return _MODEL_NAMES.get(service, service)


def operation_of(service: str, environ: dict, body: bytes) -> str:
    """The operation name of any request to `service`, whatever its protocol (for the call log and faults)."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        # awsJson 1.0/1.1; botocore also sends CloudWatch, whose model lists several protocols, this way
        return target.rpartition(".")[2] or "Unknown"
    model = service_model(model_name(service))
    protocol = model.metadata["protocol"]
    if protocol in ("query", "ec2"):
        params = parse_qs(body.decode("utf-8", "replace")) | parse_qs(environ.get("QUERY_STRING", ""))
        return params.get("Action", ["Unknown"])[0]
    if protocol == "json":
        return "Unknown"
    raw_path, query = split_uri(environ)
    operation, _labels = match(service, environ["REQUEST_METHOD"], raw_path, query)
    return operation.name if operation else "Unknown"


def split_uri(environ: dict) -> tuple[str, dict[str, list[str]]]:
    """The still-percent-encoded path (labels may hold an encoded `/`) and the parsed query."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
    path, _sep, query = raw.partition("?")
    return path, parse_qs(query or environ.get("QUERY_STRING", ""), keep_blank_values=True)


# ----------------------------------------------------------------------------------------------- input
def _coerce(shape, text: str):
    if shape.type_name in ("integer", "long"):
        try:
            return int(text)
        except ValueError as e:
            raise validation_error(f"Value '{text}' is not a valid integer") from e
    if shape.type_name == "boolean":
        return text.lower() == "true"
    return text


def read_input(operation, labels: dict[str, str], query: dict[str, list[str]], headers: dict, body: bytes) -> dict:
    """The operation's input as the caller sent it, member names as in the model."""
    shape = operation.input_shape
    if shape is None:
        return {}
    params: dict = {}
    payload = json.loads(body) if body.strip() else {}
    if not isinstance(payload, dict):
        raise ApiError("SerializationException", "The request body is not a JSON object")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri":
            if wire in labels:
                params[name] = _coerce(member, labels[wire])
        elif location == "querystring":
            if wire in query:
                values = query[wire]
                params[name] = (
                    [_coerce(member.member, v) for v in values]
                    if member.type_name == "list"
                    else _coerce(member, values[0])
                )
        elif location == "header":
            value = headers.get(wire.lower())
            if value is not None:
                params[name] = _coerce(member, value)
        elif wire in payload:
            params[name] = payload[wire]
    return params


# ------------------------------------------------------------------------------------------ constraints
def _pattern(text: str):
    try:
        return re.compile(text)
    except re.error:
        return None  # a Java-only construct: the constraint cannot be checked here, so it is not enforced


def constraint_errors(shape, value, path: str = "") -> list[str]:
    """Every way `value` breaks `shape`'s constraints (required, type, enum, length, range, pattern), worded as
    the services word them. An empty list means valid."""
    where = path or shape.name
    errors: list[str] = []
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"Value at '{where}' failed to satisfy constraint: Member must be a structure"]
        for name in shape.required_members:
            if value.get(name) is None:
                errors.append(
                    f"Value null at '{_join(path, name)}' failed to satisfy constraint: Member must not be null"
                )
        for name, member_value in value.items():
            member = shape.members.get(name)
            if member is not None and member_value is not None:
                errors += constraint_errors(member, member_value, _join(path, name))
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"Value at '{where}' failed to satisfy constraint: Member must be a list"]
        errors += _length(meta, len(value), where, "length")
        for index, item in enumerate(value):
            errors += constraint_errors(shape.member, item, f"{where}.{index + 1}.member")
        return errors
    if kind == "map":
        if not isinstance(value, dict):
            return [f"Value at '{where}' failed to satisfy constraint: Member must be a map"]
        for key, item in value.items():
            errors += constraint_errors(shape.value, item, f"{where}.{key}")
        return errors
    if kind == "string":
        if not isinstance(value, str):
            return [f"Value at '{where}' failed to satisfy constraint: Member must be a string"]
        if "enum" in meta and value not in meta["enum"]:
            errors.append(
                f"Value '{value}' at '{where}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]"
            )
        errors += [e.replace("Value at", f"Value '{value}' at", 1) for e in _length(meta, len(value), where, "length")]
        if "pattern" in meta:
            compiled = _pattern(meta["pattern"])
            if compiled is not None and not compiled.fullmatch(value):
                errors.append(
                    f"Value '{value}' at '{where}' failed to satisfy constraint: "
                    f"Member must satisfy regular expression pattern: {meta['pattern']}"
                )
        return errors
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"Value at '{where}' failed to satisfy constraint: Member must be a number"]
        return _length(meta, value, where, "value")
    if kind == "boolean" and not isinstance(value, bool):
        return [f"Value at '{where}' failed to satisfy constraint: Member must be a boolean"]
    if kind == "timestamp" and not isinstance(value, (datetime.datetime, str, int, float)):
        return [f"Value at '{where}' failed to satisfy constraint: Member must be a timestamp"]
    return errors


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _length(meta: dict, size: int, where: str, what: str) -> list[str]:
    word = "length " if what == "length" else ""
    prefix = f"Value at '{where}' failed to satisfy constraint: Member must have {word}"
    if "min" in meta and size < meta["min"]:
        return [f"{prefix}greater than or equal to {meta['min']}"]
    if "max" in meta and size > meta["max"]:
        return [f"{prefix}less than or equal to {meta['max']}"]
    return []


def check_input(operation, params: dict) -> None:
    if operation.input_shape is None:
        return
    errors = constraint_errors(operation.input_shape, params)
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise validation_error(f"{len(errors)} validation {noun} detected: {'; '.join(errors)}")


# --------------------------------------------------------------------------------------------- output
def _wire(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def json_input(operation, body: bytes) -> dict:
    """The input of an awsJson request: the body is the input structure itself."""
    payload = json.loads(body) if body.strip() else {}
    if not isinstance(payload, dict):
        raise ApiError("SerializationException", "The request body is not a JSON object")
    return payload


def json_response(service: str, output: dict | None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body for an awsJson operation's output."""
    version = service_model(service).metadata.get("jsonVersion", "1.1")
    return 200, {"Content-Type": f"application/x-amz-json-{version}"}, json.dumps(_wire(output or {})).encode()


def rest_json_response(operation, output: dict | None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body for a REST-JSON operation's output."""
    status = operation.http.get("responseCode", 200)
    headers = {"Content-Type": "application/json"}
    body: dict = {}
    shape = operation.output_shape
    streamed = shape.serialization.get("payload") if shape is not None else None
    if streamed and shape.members[streamed].serialization.get("eventstream"):
        # an event-stream payload (ConverseStream): the handler encoded the messages (metrics.event_message)
        return status, {"Content-Type": "application/vnd.amazon.eventstream"}, output[streamed]
    for name, value in (output or {}).items():
        member = shape.members[name] if shape is not None else None
        if member is not None and member.serialization.get("location") == "header":
            headers[member.serialization.get("name", name)] = str(value)
        else:
            body[name] = value
    return status, headers, json.dumps(_wire(body)).encode()


def error_response(service: str, error: ApiError, request_id: str) -> tuple[int, dict[str, str], bytes]:
    """An error in the service's own protocol, with the HTTP status its model gives the error."""
    model = service_model(service)
    status = error.status
    if status is None:
        shape = next((s for s in model.error_shapes if s.name == error.code), None)
        status = shape.metadata.get("error", {}).get("httpStatusCode", 400) if shape is not None else 400
    protocol = model.metadata["protocol"]
    if protocol in ("rest-json", "json"):
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "x-amzn-ErrorType": error.code,
            "x-amzn-RequestId": request_id,
        }
        body = {"__type": error.code, "message": error.message} if protocol == "json" else {"message": error.message}
        return status, headers, json.dumps(body).encode()
    if protocol == "rest-xml":
        body = (
            f"<Error><Code>{error.code}</Code><Message>{error.message}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
    else:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{error.code}</Code><Message>{error.message}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    return status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body.encode()
