"""The loopback HTTP server: routing, SigV4 scope, faults, request log.

Routing uses the botocore models: ``X-Amz-Target`` for awsJson, ``/service/<prefix>/operation/<op>``
with ``smithy-protocol: rpc-v2-cbor`` for RPC v2 CBOR, and the operation's ``requestUri``
template plus method for REST (among the operations of the service named in the SigV4 credential
scope, since Clean Rooms and Clean Rooms ML share path prefixes). Region and signing service come
from ``Credential=AKID/DATE/REGION/SERVICE/aws4_request``; the signature itself is not checked.

Each response goes out in one ``sendall`` on a ``TCP_NODELAY`` socket: headers and body in two
writes would meet Nagle's algorithm and delayed ACKs (~40 ms per keep-alive request).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import re
import socket
import struct
import threading
import uuid
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import attrs
import botocore.session
from botocore.model import OperationModel, ServiceModel

from jobkit.testing._data import EmulatorData
from jobkit.testing._faults import FaultKind, Faults, FaultState
from jobkit.testing._generic import host_prefix_env
from jobkit.testing._protocols import (
    CBOR,
    JSON,
    QUERY,
    REST,
    REST_JSON,
    REST_XML,
    InputError,
    Response,
    UriMatcher,
    cbor_available,
    encode_error,
    encode_output,
    parse_input,
)
from jobkit.testing._services import (
    HANDLERS,
    SERVICES,
    ApiError,
    ServiceSpec,
    service_by_name,
    services_by_signing_name,
)

__all__ = ["Emulator", "RequestRecord"]

_CREDENTIAL = re.compile(
    r"Credential=(?P<akid>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/"
    r"(?P<service>[A-Za-z0-9._-]+)/aws4_request"
)
_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_LOOPBACK = ("127.0.0.1", "localhost")


@attrs.frozen(kw_only=True)
class RequestRecord:
    """One request the emulator answered (or reset): who, what, and the outcome."""

    service: str
    """boto3 service name (``""`` if the request could not be attributed)."""
    operation: str
    region: str
    protocol: str
    """botocore protocol name: ``json``, ``rest-json``, ``smithy-rpc-v2-cbor``, ``rest-xml`` or
    ``query``."""
    params: dict[str, Any]
    status: int
    """HTTP status; 0 when the connection was reset without a response."""
    error_code: str | None
    user_agent: str = ""
    """The request's User-Agent header (credentials are never recorded)."""


class _Models:
    """botocore service and operation models plus REST matchers, loaded once per emulator."""

    def __init__(self) -> None:
        session = botocore.session.get_session()
        self.services: dict[str, ServiceModel] = {
            name: session.get_service_model(name) for name in SERVICES
        }
        self.operations: dict[tuple[str, str], OperationModel] = {
            (svc, op): self.services[svc].operation_model(op) for svc, op in HANDLERS
        }
        self.rest: dict[str, list[UriMatcher]] = {}
        for (svc, _op), model in self.operations.items():
            if self.services[svc].protocol in REST:
                self.rest.setdefault(svc, []).append(UriMatcher(model))
        for matchers in self.rest.values():
            # The most specific template (most literal characters) wins.
            matchers.sort(key=lambda m: -m.literal_length)

    def route_candidates(self, signing_name: str) -> list[ServiceSpec]:
        """The services a request signed for ``signing_name`` may be for, most likely first."""
        return services_by_signing_name(signing_name)

    def target_prefix(self, service: str) -> str | None:
        prefix = self.services[service].metadata.get("targetPrefix")
        return None if prefix is None else str(prefix)


@functools.cache
def _shared_models() -> _Models:
    # Loading every served model and compiling the REST matchers takes a while with dozens of
    # services; emulators in one process share them (they are read-only).
    return _Models()


class _Outcome:
    __slots__ = ("delay", "response", "retry_after")

    def __init__(self, response: Response | None, delay: float = 0.0) -> None:
        self.response = response
        self.delay = delay


class Emulator:
    """A loopback AWS endpoint serving deterministic jobs for jobkit's operations.

    Use as a context manager (or ``start()``/``close()``). Point boto3 at ``endpoint_url`` with
    any credentials; the region and service are read from each request's SigV4 scope.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        sizes: Mapping[str, int] | None = None,
        malformed: int = 0,
        faults: Faults | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
        now: dt.datetime | None = None,
    ) -> None:
        if host not in _LOOPBACK:
            raise ValueError("the emulator only binds to the loopback interface (127.0.0.1)")
        self.data = EmulatorData(seed=seed, sizes=sizes, malformed=malformed, now=now)
        self._host = "127.0.0.1"
        self._port = port
        self._faults: dict[tuple[str | None, str | None], Faults | None] = {(None, None): faults}
        self._fault_states: dict[tuple[str, str], FaultState] = {}
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._models: _Models | None = None
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._ids = itertools.count()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Bind and serve in a background thread; returns self."""
        if self._httpd is not None:
            return self
        self._models = _shared_models()
        self._stopping.clear()
        httpd = _HTTPServer((self._host, self._port), _Handler)
        httpd.emulator = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="jobkit-emulator"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, drop open connections and join every server thread."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.drop_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ public helpers

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self._httpd is None:
            raise RuntimeError("the emulator is not running; call start() or use `with`")
        return f"http://{self._host}:{self._httpd.server_address[1]}"

    def env(self, region: str = "us-east-1") -> dict[str, str]:
        """Environment variables that point boto3 at this emulator with fake credentials.

        S3 Control's endpoint rules put the account in the host name
        (``http://123456789012.<endpoint>``), which no resolver knows. So S3 Control gets the
        endpoint ``http://localhost:PORT`` and reaches the emulator through it as an HTTP
        proxy, while ``NO_PROXY=127.0.0.1`` keeps every other service on direct connections.
        """
        port = self._httpd.server_address[1] if self._httpd is not None else 0
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ENDPOINT_URL_S3_CONTROL": f"http://localhost:{port}",
            **dict.fromkeys(host_prefix_env(), f"http://localhost:{port}"),
            "HTTP_PROXY": self.endpoint_url,
            "http_proxy": self.endpoint_url,
            "NO_PROXY": self._host,
            "no_proxy": self._host,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": region,
        }

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request answered so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def request_count(
        self, operation: str | None = None, region: str | None = None, service: str | None = None
    ) -> int:
        """How many requests matched every given criterion (faulted ones included)."""
        canonical = _canonical_service(service)
        return sum(
            1
            for r in self.requests
            if (operation is None or r.operation == operation)
            and (region is None or r.region == region)
            and (canonical is None or r.service == canonical)
        )

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

    def set_faults(
        self, faults: Faults | None, *, service: str | None = None, region: str | None = None
    ) -> None:
        """Set the faults of one endpoint; ``None`` service/region means every one of them.

        The most specific setting wins: (service, region), then service, then region, then the
        default; ``faults=None`` there means "no faults at this endpoint" even where a broader
        setting has some (``clear_faults`` removes a setting instead). Setting faults resets
        the affected endpoints' random state and token buckets.
        """
        canonical = _canonical_service(service)
        with self._lock:
            self._faults[(canonical, region)] = faults
            self._fault_states = {
                key: state
                for key, state in self._fault_states.items()
                if not (
                    (canonical is None or key[0] == canonical)
                    and (region is None or key[1] == region)
                )
            }

    def clear_faults(self, *, service: str | None = None, region: str | None = None) -> None:
        """Remove the setting made for exactly (service, region), so broader settings apply
        there again (``set_faults(None, ...)`` instead *exempts* that endpoint). With neither
        given, every setting is removed and no endpoint has faults."""
        canonical = _canonical_service(service)
        with self._lock:
            if canonical is None and region is None:
                self._faults = {(None, None): None}
            else:
                self._faults.pop((canonical, region), None)
            self._fault_states = {
                key: state
                for key, state in self._fault_states.items()
                if not (
                    (canonical is None or key[0] == canonical)
                    and (region is None or key[1] == region)
                )
            }

    # ------------------------------------------------------------------ request path

    def _fault_state(self, service: str, region: str) -> FaultState | None:
        with self._lock:
            state = self._fault_states.get((service, region))
            if state is not None:
                return state
            for key in ((service, region), (service, None), (None, region), (None, None)):
                if key in self._faults:
                    faults = self._faults[key]
                    break
            else:  # pragma: no cover - the default key always exists
                faults = None
            if faults is None:
                return None
            state = FaultState(faults, service, region)
            self._fault_states[(service, region)] = state
            return state

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._requests.append(record)

    def _handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[Response | None, float]:
        """Answer one HTTP request; a None response means: reset the connection."""
        assert self._models is not None
        models = self._models
        split = urlsplit(target)
        lower = {k.lower(): v for k, v in headers.items()}
        amz_target = lower.get("x-amz-target")
        if amz_target:
            protocol = JSON
        elif split.path.startswith("/service/") and lower.get("smithy-protocol") == "rpc-v2-cbor":
            protocol = CBOR
        else:
            protocol = REST_JSON
        record = {
            "service": "",
            "operation": "",
            "region": "",
            "protocol": protocol,
            "user_agent": lower.get("user-agent", ""),
        }

        def fail(status: int, code: str, message: str, **extra: Any) -> tuple[Response, float]:
            resp = encode_error(protocol, status, code, message, extra=extra or None)
            self._finish(resp, record, {}, code)
            return resp, 0.0

        auth = lower.get("authorization")
        if not auth:
            return fail(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        scope = _CREDENTIAL.search(auth)
        if scope is None:
            return fail(
                403,
                "IncompleteSignatureException",
                "Authorization header requires a Credential=AKID/date/region/service/aws4_request",
            )
        record["region"] = region = scope["region"]
        spec = service_by_name(scope["service"])
        unknown_status = 404 if protocol != JSON else 400
        if spec is None:
            return fail(
                unknown_status,
                "UnknownOperationException",
                f"service {scope['service']!r} is not emulated",
            )
        sent_protocol = protocol
        op = None
        # Several services may sign with one name (bedrock, bedrock-agent): the first whose
        # operations match the request serves it.
        for candidate in models.route_candidates(scope["service"]):
            spec = candidate
            record["service"] = spec.name
            protocol = sent_protocol
            model_protocol = models.services[spec.name].protocol
            if protocol == REST_JSON and model_protocol in (REST_XML, QUERY):
                # No target header and no CBOR path: the service's own protocol says how.
                protocol = model_protocol
            record["protocol"] = protocol
            action = None
            if protocol == QUERY:
                form = parse_qs(body.decode("utf-8", "replace"))
                action = (form.get("Action") or [""])[-1]
            op = self._route(
                models,
                spec=spec,
                protocol=protocol,
                path=split.path,
                query=split.query,
                method=method,
                amz_target=amz_target,
                action=action,
            )
            if op is not None:
                break
        if op is None:
            return fail(unknown_status, "UnknownOperationException", "Unknown operation")
        operation, labels = op
        record["operation"] = operation.name
        if protocol == CBOR and not cbor_available():
            resp = encode_error(
                CBOR,
                500,
                "InternalFailure",
                "the emulator needs cbor2 for smithy RPC v2 CBOR: pip install 'jobkit[testing]'",
            )
            self._finish(resp, record, {}, "InternalFailure")
            return resp, 0.0

        try:
            params = parse_input(
                operation, protocol, body, labels=labels, query=split.query, headers=headers
            )
        except InputError as exc:
            code, status = spec.validation
            return fail(status, code, str(exc))

        state = self._fault_state(spec.name, region)
        delay = 0.0
        if state is not None:
            decision = state.decide()
            delay = decision.delay
            faulted = self._fault_response(spec, protocol, decision.kind, decision.status, state)
            if faulted is not None:
                code = faulted[1]
                if faulted[0] is None:
                    self._finish(None, record, params, code)
                else:
                    self._finish(faulted[0], record, params, code)
                return faulted[0], delay

        handler = HANDLERS[(spec.name, operation.name)]
        json_version = str(operation.service_model.metadata.get("jsonVersion", "1.1"))
        try:
            output = handler(self.data, region, params)
            resp = encode_output(operation, protocol, output)
            code_out: str | None = None
        except ApiError as exc:
            resp = encode_error(
                protocol,
                exc.status,
                exc.code,
                exc.message,
                json_version=json_version,
                extra=exc.extra,
            )
            code_out = exc.code
        except Exception as exc:  # a handler bug must still answer in the service's format
            code_out = spec.server_errors[500]
            resp = encode_error(
                protocol, 500, code_out, f"emulator error: {type(exc).__name__}: {exc}"
            )
        self._finish(resp, record, params, code_out)
        return resp, delay

    def _route(
        self,
        models: _Models,
        *,
        spec: ServiceSpec,
        protocol: str,
        path: str,
        query: str,
        method: str,
        amz_target: str | None,
        action: str | None = None,
    ) -> tuple[OperationModel, dict[str, str] | None] | None:
        if protocol == QUERY:
            found = models.operations.get((spec.name, action or ""))
            return None if found is None else (found, None)
        if protocol in (JSON, CBOR):
            if protocol == JSON:
                assert amz_target is not None
                prefix, _, name = amz_target.rpartition(".")
            else:
                parts = path.split("/")
                if len(parts) != 5 or parts[3] != "operation":
                    return None
                prefix, name = parts[2], parts[4]
            if prefix != models.target_prefix(spec.name):
                return None
            model = models.operations.get((spec.name, name))
            return None if model is None else (model, None)
        for matcher in models.rest.get(spec.name, []):
            labels = matcher.match(method, path, query)
            if labels is not None:
                return matcher.operation, labels
        return None

    def _fault_response(
        self, spec: ServiceSpec, protocol: str, kind: FaultKind, status: int, state: FaultState
    ) -> tuple[Response | None, str] | None:
        if kind is FaultKind.NONE:
            return None
        if kind is FaultKind.RESET:
            return None, "ConnectionReset"
        if kind is FaultKind.ACCESS_DENIED:
            code, http, message = (
                "AccessDeniedException",
                spec.access_denied_status,
                "User: arn:aws:iam::123456789012:user/testing is not authorized to perform "
                "this action",
            )
        elif kind is FaultKind.EXPIRED_TOKEN:
            code, http, message = (
                "ExpiredTokenException",
                spec.expired_token_status,
                "The security token included in the request is expired",
            )
        elif kind is FaultKind.SERVER_ERROR:
            code, http, message = spec.server_errors[status], status, "Service unavailable"
        else:
            code, http = spec.throttle
            message = "Rate exceeded"
        resp = encode_error(protocol, http, code, message)
        retry_after = state.faults.retry_after
        if retry_after is not None and kind in (FaultKind.THROTTLE, FaultKind.RATE_LIMITED):
            resp.headers["x-amz-retry-after"] = str(round(retry_after * 1000))
        return resp, code

    def _finish(
        self,
        resp: Response | None,
        record: Mapping[str, str],
        params: Mapping[str, Any],
        code: str | None,
    ) -> None:
        if resp is not None:
            resp.headers["x-amzn-RequestId"] = str(
                uuid.UUID(int=next(self._ids) + (1 << 62), version=4)
            )
        self._record(
            RequestRecord(
                service=record["service"],
                operation=record["operation"],
                region=record["region"],
                protocol=record["protocol"],
                params=dict(params),
                status=0 if resp is None else resp.status,
                error_code=code,
                user_agent=record.get("user_agent", ""),
            )
        )

    def _sleep(self, seconds: float) -> None:
        # An Event wait, so close() wakes handlers stuck in a slow-response fault.
        if seconds > 0:
            self._stopping.wait(seconds)


def _canonical_service(service: str | None) -> str | None:
    if service is None:
        return None
    spec = service_by_name(service)
    return service if spec is None else spec.name


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops the SYNs of a burst of new connections (a
    # client opening 20 at once), and the kernel retries them only after a second.
    request_queue_size = 1024
    emulator: Emulator

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def track(self, sock: socket.socket, *, add: bool) -> None:
        with self._conn_lock:
            if add:
                self._connections.add(sock)
            else:
                self._connections.discard(sock)

    def drop_connections(self) -> None:
        # Keep-alive clients would otherwise hold handler threads (and close()) forever.
        with self._conn_lock:
            connections = list(self._connections)
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        self.server.track(self.connection, add=False)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: request lines would add noise, and headers must never be logged."""

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        emulator = self.server.emulator
        resp, delay = emulator._handle(self.command, self.path, dict(self.headers.items()), body)
        emulator._sleep(delay)
        if resp is None:
            # SO_LINGER with a zero timeout turns close() into a TCP RST: a reset, not an EOF.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.server.track(self.connection, add=False)
            self.connection.close()
            return
        head = [f"HTTP/1.1 {resp.status} {_REASONS.get(resp.status, 'Error')}"]
        head += [f"{k}: {v}" for k, v in resp.headers.items()]
        head.append(f"Content-Length: {len(resp.body)}")
        if self.close_connection:
            head.append("Connection: close")
        payload = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if self.command != "HEAD":
            payload += resp.body
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch
