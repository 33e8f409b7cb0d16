"""How the emulator's WSGI application is put on the wire: granian, embedded in this process, speaking HTTP/1.1
and cleartext HTTP/2 (prior knowledge, no Upgrade) on one port. boto3 speaks HTTP/1.1; the AWS SDK for
JavaScript v3 speaks only HTTP/2 to bedrock-runtime (FIDELITY.md, "Transport").

granian's embedded server takes ASGI applications only, and ASGI is also the interface where granian hands
over the request path as it arrived (`raw_path`): its WSGI interface decodes the path and drops the raw one,
which would turn an ARN's `%2F` into a path separator. So the WSGI application is bridged here, each call run
in a thread of a pool, with the environ werkzeug's dev server built (RAW_URI, moto's preserved header names).

Where granian is not installed (the oldest cell of the version matrix), werkzeug's dev server serves HTTP/1.1
alone, which is all boto3 needs."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote_to_bytes

from moto.core.request import (
    PRESERVED_HEADER_NAMES_ENVIRON_KEY,
    environ_key_for_header,
    should_preserve_original_header_name,
)

try:
    from granian._granian import SocketHolder
    from granian.constants import HTTPModes, Interfaces
    from granian.log import LogLevels
    from granian.server.embed import Server as _GranianServer
except ImportError:  # the oldest cell of the version matrix installs no granian (tests/requirements-oldest.txt)
    _GranianServer = None

# Whether `serve` speaks HTTP/2 as well as HTTP/1.1.
HTTP2 = _GranianServer is not None

# Connection-level headers: a WSGI application may not send them (PEP 3333), and an HTTP/2 response that
# carries one is malformed (RFC 9113, 8.2.2), so they never leave the bridge.
_HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
_BACKLOG = 128
# werkzeug's threaded dev server had no limit; moto's handlers are short, so a pool this size never queues a
# test's requests behind one another.
_THREADS = 32


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket. Binding it here, before granian starts, is what makes `--port 0` safe: the kernel
    picks a free port and it stays this socket's until the emulator closes it (granian serves this very socket,
    see _EmbeddedServer), so no other process can take it between choosing and serving; and a client that
    connects as soon as it is told the URL waits in the backlog instead of being refused."""
    family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restarted `make emulator` rebinds 4599
        sock.bind(address)
        sock.listen(_BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock


def endpoint_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _native_threads() -> set[int]:
    """The OS threads of this process that Python's threading module did not start (Linux only)."""
    try:
        tids = {int(tid) for tid in os.listdir("/proc/self/task")}
    except OSError:
        return set()
    return tids - {thread.native_id for thread in threading.enumerate()}


def _join_native_threads(tids: set[int]) -> None:
    """Wait for these threads to exit. granian's server reports itself stopped while a thread of its own still
    has to take the GIL once more to end; if the interpreter is finalizing by then, that thread aborts the whole
    process (SIGABRT, "panic in a function that cannot unwind"): a test run or `python -m emulator` would fail
    after it passed. So stop() returns only once granian's threads are gone. The deadline only keeps a stray
    native thread of someone else's from hanging a stop."""
    deadline = time.monotonic() + 10
    while tids and time.monotonic() < deadline:
        time.sleep(0.001)
        tids &= _native_threads()


class WsgiBridge:
    """An ASGI application calling a WSGI one: the whole request body is read first, and the whole response is
    sent at once with its own Content-Length (the emulator's answers, ConverseStream's event stream included,
    are built in full before they are sent)."""

    def __init__(self, app, executor: ThreadPoolExecutor):
        self.app = app
        self.executor = executor

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        environ = self.environ(scope, bytes(body))
        loop = asyncio.get_running_loop()
        status, headers, payload = await loop.run_in_executor(self.executor, self.call, environ)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    @staticmethod
    def environ(scope, body: bytes) -> dict:
        raw_path = scope["raw_path"].decode("latin-1")
        query = scope["query_string"].decode("latin-1")
        server = scope.get("server") or ("127.0.0.1", "0")
        client = scope.get("client") or ("", "0")
        environ = {
            "REQUEST_METHOD": scope["method"],
            "SCRIPT_NAME": "",
            # PEP 3333: the decoded path's bytes, one character per byte
            "PATH_INFO": unquote_to_bytes(raw_path).decode("latin-1"),
            "QUERY_STRING": query,
            "RAW_URI": raw_path + (f"?{query}" if query else ""),
            "REQUEST_URI": raw_path + (f"?{query}" if query else ""),
            "SERVER_NAME": str(server[0]),
            "SERVER_PORT": str(server[1]),
            "REMOTE_ADDR": str(client[0]),
            "REMOTE_PORT": str(client[1]),
            "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.get("scheme", "http"),
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        # As werkzeug's dev server and moto's request handler build them: a name with an underscore is dropped
        # (WSGI cannot tell X_Foo from X-Foo, so one may not spoof the other), except S3 metadata names, which
        # moto reads under their own spelling and which never stand in for a dashed name.
        dashed: dict[str, list[str]] = {}
        underscored: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
            key = environ_key_for_header(name)
            if "_" not in name:
                dashed.setdefault(key, []).append(value)
            elif should_preserve_original_header_name(name):
                names.setdefault(key, name)
                underscored.setdefault(key, []).append(value)
        for key, values in (underscored | dashed).items():
            environ[key] = ",".join(values)
        environ["CONTENT_LENGTH"] = str(len(body))  # the body as received, whatever framing it came in
        environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = {k: v for k, v in names.items() if k not in dashed}
        return environ

    def call(self, environ: dict):
        response: dict = {}

        def start_response(status, headers, exc_info=None):
            response["status"], response["headers"] = status, headers
            return lambda _data: None

        try:
            result = self.app(environ, start_response)
            try:
                payload = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception:
            logging.getLogger(__name__).exception(
                "the emulator failed on %s %s", environ["REQUEST_METHOD"], environ["RAW_URI"]
            )
            return 500, [(b"content-type", b"text/plain")], b"the emulator failed; see its stderr"
        headers = [
            (name.lower().encode("latin-1"), str(value).encode("latin-1"))
            for name, value in response["headers"]
            if name.lower().encode("latin-1") not in _HOP_BY_HOP
        ]
        return int(response["status"].split()[0]), headers, payload


if HTTP2:

    class _EmbeddedServer(_GranianServer):
        """granian's embedded server, serving a socket bound beforehand (`listen`) instead of binding its own, which
        it would do only once it runs, and on port 0 a port it does not report."""

        def __init__(self, target, sock: socket.socket, **options):
            host, port = sock.getsockname()[:2]
            super().__init__(target, address=host, port=port, **options)
            self.listening = sock

        def _init_shared_socket(self):
            # granian's listener takes ownership of the descriptor it is given and closes it when it stops: it gets
            # a duplicate, so the emulator's own socket is closed exactly once, by the emulator.
            self._ssp = None
            self._shd = SocketHolder(os.dup(self.listening.fileno()), False, _BACKLOG)


class GranianTransport:
    """Serves a WSGI application on `sock` from a thread of this process until `stop()`."""

    def __init__(self, app, sock: socket.socket, *, log_requests: bool = False):
        self.sock = sock
        self.executor = ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="emulator")
        self.loop = asyncio.new_event_loop()
        stderr = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
        self.server = _EmbeddedServer(
            WsgiBridge(app, self.executor),
            sock,
            interface=Interfaces.ASGINL,
            http=HTTPModes.auto,  # HTTP/1.1, and HTTP/2 when a connection opens with its preface
            websockets=False,
            log_level=LogLevels.error,
            log_access=log_requests,
            # granian logs to stdout by default; the emulator's stdout carries only its URL
            log_dictconfig={
                "handlers": {"console": stderr | {"formatter": "generic"}, "access": stderr | {"formatter": "access"}}
            },
        )
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        before = _native_threads()
        try:
            self.loop.run_until_complete(self.server.serve())
        except BaseException as error:
            self.error = error
            raise
        finally:
            # Whether stopped or failed, nothing accepts any more: refuse connections rather than queue them.
            self.sock.close()
            self.loop.close()
            self.executor.shutdown(wait=True)
            _join_native_threads(_native_threads() - before)

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="emulator-granian", daemon=True)
        self.thread.start()

    def request_stop(self) -> None:
        """Ask the server to stop, without waiting; safe in a signal handler, and before start() (the server
        then stops as soon as it starts)."""
        with contextlib.suppress(RuntimeError):  # the loop is closed: the server is down already
            self.loop.call_soon_threadsafe(self.server.stop)

    def wait(self) -> None:
        """Block until the server has stopped and closed its socket."""
        if self.thread is not None:
            self.thread.join()

    def stop(self) -> None:
        if self.thread is None:  # never started
            self.sock.close()
            self.loop.close()
            self.executor.shutdown()
            return
        self.request_stop()
        self.wait()


class WerkzeugTransport:
    """HTTP/1.1 only, from werkzeug's threaded dev server: what serves the emulator where granian is not
    installed (boto3 needs nothing more). Same contract as GranianTransport."""

    def __init__(self, app, sock: socket.socket, *, log_requests: bool = False):
        from moto.moto_server.werkzeug_app import MotoRequestHandler
        from werkzeug.serving import make_server

        if not log_requests:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        host, port = sock.getsockname()[:2]
        self.sock = sock
        # werkzeug serves a duplicate of the bound socket's descriptor (fd=): see `listen`
        self.server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler, fd=sock.fileno())
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self.server.serve_forever, name="emulator-werkzeug", daemon=True)
        self.thread.start()

    def request_stop(self) -> None:
        if self.thread is not None:
            self.server.shutdown()  # returns once serve_forever has

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
        self.server.server_close()
        self.sock.close()

    def stop(self) -> None:
        self.request_stop()
        self.wait()


def serve(app, sock: socket.socket, *, log_requests: bool = False):
    """The transport for `app` on `sock`: granian (HTTP/1.1 and HTTP/2) when installed, else werkzeug."""
    transport = GranianTransport if HTTP2 else WerkzeugTransport
    return transport(app, sock, log_requests=log_requests)
