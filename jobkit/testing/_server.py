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
import json
import logging
import math
import os
import re
import socket
import struct
import sys
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import attrs
from botocore.model import OperationModel, ServiceModel

from jobkit.testing._auth import (
    DENY_REASONS,
    Denial,
    DenyReason,
    IssuedCredentials,
    Keyring,
    auth_error,
)
from jobkit.testing._data import ACCOUNT_ID, EmulatorData, _salt
from jobkit.testing._environment import EmulatorEnvironment
from jobkit.testing._faults import FaultKind, Faults, FaultState
from jobkit.testing._generic import host_prefix_env
from jobkit.testing._organizations import DEFAULT_OUS, Organization, role_account, summary
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
    load_service_model,
    parse_input,
)
from jobkit.testing._services import (
    HANDLERS,
    SERVICES,
    ApiError,
    ServiceSpec,
    _page_of,
    _Pager,
    service_by_name,
    services_by_signing_name,
)

__all__ = ["Emulator", "RequestRecord"]

logger = logging.getLogger("jobkit.testing")

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
_ACCOUNT_OPERATIONS = (
    ("organizations", "ListAccounts"),
    ("organizations", "ListRoots"),
    ("organizations", "ListOrganizationalUnitsForParent"),
    ("organizations", "ListAccountsForParent"),
    ("organizations", "DescribeOrganization"),
    ("sts", "AssumeRole"),
    ("sts", "GetCallerIdentity"),
)
"""Operations answered from the organization and the caller (``Emulator._accounts_call``)."""
CREDENTIALS_PATH = "/_jobkit/credentials"
"""Path of the emulator's container credential endpoint (``credentials_url()``)."""
S3_CONTROL_HOST = "s3-control.invalid"
"""Host of the S3 Control endpoint ``env(proxy=True)`` sets: never resolved (``.invalid``,
RFC 6761), because requests to it go through the emulator as an HTTP proxy."""


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
    account: str = ACCOUNT_ID
    """The caller's account, told by its access key."""


class _Models:
    """botocore service and operation models plus REST matchers, loaded once per emulator."""

    def __init__(self) -> None:
        self.services: dict[str, ServiceModel] = {
            name: load_service_model(name) for name in SERVICES
        }
        self.operations: dict[tuple[str, str], OperationModel] = {
            (svc, op): self.services[svc].operation_model(op)
            for svc, op in (*HANDLERS, *_ACCOUNT_OPERATIONS)
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
        accounts: int = 1,
        ous: Sequence[str] = DEFAULT_OUS,
        assume_role_lifetime: float | None = None,
    ) -> None:
        if host not in _LOOPBACK:
            raise ValueError("the emulator only binds to the loopback interface (127.0.0.1)")
        self.data = EmulatorData(seed=seed, sizes=sizes, malformed=malformed, now=now)
        self.organization = Organization(seed=seed, accounts=accounts, ous=ous, now=self.data.now)
        """The accounts, root and OUs Organizations serves (``accounts=1``: none)."""
        self.assume_role_lifetime = assume_role_lifetime
        """Seconds that AssumeRole credentials live, whatever ``DurationSeconds`` says
        (None: ``DurationSeconds``, default 3600)."""
        self._account_data: dict[str, EmulatorData] = {ACCOUNT_ID: self.data}
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
        self._denials: list[Denial] = []
        self._keyring = Keyring()
        self._environments: list[EmulatorEnvironment] = []

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
        """Restore every environment applied with ``environment()``, stop serving, drop open
        connections and join every server thread."""
        for environment in reversed(list(self._environments)):
            environment.restore()
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

    @property
    def proxies(self) -> dict[str, str]:
        """``Config(proxies=emu.proxies)`` for an S3 Control client whose endpoint is this
        emulator (botocore puts the account id in front of the host, a name no resolver
        knows; through the emulator as an HTTP proxy no name is resolved)."""
        return {"http": self.endpoint_url}

    def env(
        self,
        region: str = "us-east-1",
        *,
        proxy: bool = True,
        credentials_lifetime: float | None = None,
    ) -> dict[str, str]:
        """The environment variables that point boto3 (and jobkit) at this emulator.

        Prefer ``environment()``, which also removes what must be absent and restores
        everything afterwards. The variables:

        ``AWS_ENDPOINT_URL``
            this emulator, for every service.
        ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``
            fake static keys (``testing``), which never expire; left out when
            ``credentials_lifetime`` is given.
        ``AWS_CONTAINER_CREDENTIALS_FULL_URI``
            only with ``credentials_lifetime``: the emulator's credential endpoint, which
            botocore and aiobotocore call for temporary keys and call again before they
            expire (``credentials_url()``).
        ``AWS_DEFAULT_REGION``
            ``region``.
        ``AWS_ENDPOINT_URL_S3_CONTROL``, ``HTTP_PROXY``/``http_proxy``, ``NO_PROXY``/``no_proxy``
            only with ``proxy=True`` (the default), for S3 Control: botocore's endpoint rules
            put the account id in front of the host (``123456789012.<host>``), a name no
            resolver knows. S3 Control gets the endpoint ``http://s3-control.invalid:PORT``
            and plain-HTTP requests go through the emulator as a proxy, which answers them;
            ``NO_PROXY`` keeps 127.0.0.1 and ::1 direct and keeps the entries it had. While
            these are set, other plain-HTTP requests of the process to hosts not in
            ``NO_PROXY`` reach the emulator too: use ``proxy=False`` when the code under test
            does not list S3 Control (or gives its S3 Control client ``Config(proxies=
            emu.proxies)``).
        """
        port = self._httpd.server_address[1] if self._httpd is not None else 0
        out = {"AWS_ENDPOINT_URL": self.endpoint_url}
        if credentials_lifetime is None:
            out["AWS_ACCESS_KEY_ID"] = "testing"
            out["AWS_SECRET_ACCESS_KEY"] = "testing"
        else:
            out["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = self.credentials_url(credentials_lifetime)
        out["AWS_DEFAULT_REGION"] = region
        if proxy:
            kept = os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or ""
            no_proxy = ",".join(["127.0.0.1", "::1", *(h for h in kept.split(",") if h.strip())])
            out.update(
                {
                    "AWS_ENDPOINT_URL_S3_CONTROL": f"http://{S3_CONTROL_HOST}:{port}",
                    **dict.fromkeys(host_prefix_env(), f"http://{S3_CONTROL_HOST}:{port}"),
                    "HTTP_PROXY": self.endpoint_url,
                    "http_proxy": self.endpoint_url,
                    "NO_PROXY": no_proxy,
                    "no_proxy": no_proxy,
                }
            )
        return out

    def environment(
        self,
        region: str = "us-east-1",
        *,
        proxy: bool = True,
        credentials_lifetime: float | None = None,
    ) -> EmulatorEnvironment:
        """``env()`` as a context manager that restores the environment exactly on exit::

            with emu.environment(region="eu-west-1"):
                jobkit.jobs(...)

        or ``emu.environment().apply()`` in a notebook: ``restore()``, or ``close()`` of the
        emulator, puts every variable back. Besides ``env()``'s variables it removes
        ``AWS_SESSION_TOKEN``, ``AWS_SECURITY_TOKEN`` and ``AWS_PROFILE`` (they would mix the
        host's identity into the emulator's), and with ``credentials_lifetime`` also the
        static keys and the shared config and credentials files (``AWS_CONFIG_FILE`` and
        ``AWS_SHARED_CREDENTIALS_FILE`` point at an empty file), which botocore would
        otherwise prefer to the credential endpoint.
        """
        variables: dict[str, str | None] = dict.fromkeys(
            ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE")
        )
        if credentials_lifetime is not None:
            variables.update(
                {
                    "AWS_ACCESS_KEY_ID": None,
                    "AWS_SECRET_ACCESS_KEY": None,
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": None,
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN": None,
                    "AWS_CONFIG_FILE": os.devnull,
                    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                }
            )
        variables.update(self.env(region, proxy=proxy, credentials_lifetime=credentials_lifetime))
        return EmulatorEnvironment(
            variables, on_apply=self._environments.append, on_restore=self._environments.remove
        )

    # ------------------------------------------------------------------ accounts

    def data_for(self, account: str) -> EmulatorData:
        """The ground truth of ``account``: its own jobs (seeded by the account) with its id
        in every ARN. ``data_for(ACCOUNT_ID)`` is ``data``."""
        with self._lock:
            found = self._account_data.get(account)
            if found is None:
                base = self.data
                found = EmulatorData(
                    seed=_salt(base.seed, account) & 0xFFFF_FFFF,
                    sizes=base.sizes,
                    malformed=base.malformed,
                    now=base.now,
                    account=account,
                )
                self._account_data[account] = found
            return found

    # ------------------------------------------------------------------ access control

    def deny(
        self,
        *,
        service: str | None = None,
        operation: str | None = None,
        region: str | None = None,
        account: str | None = None,
        reason: DenyReason = "access-denied",
    ) -> None:
        """Refuse matching requests (None matches anything) as AWS does for ``reason``:
        ``access-denied``, ``opt-in-required``, ``unrecognized-client`` or
        ``not-subscribed`` (codes and statuses per protocol: docs/testing.md). A rule for
        the same (service, operation, region, account) replaces the previous one; where
        several match, the one naming most fields answers. ``account`` is the caller's
        account (its access key tells it)."""
        if reason not in DENY_REASONS:
            raise ValueError(f"reason must be one of {DENY_REASONS}, got {reason!r}")
        rule = Denial(
            service=_canonical_service(service),
            operation=operation,
            region=region,
            account=account,
            reason=reason,
        )
        with self._lock:
            self._denials = [d for d in self._denials if d.key != rule.key] + [rule]

    def allow(
        self,
        *,
        service: str | None = None,
        operation: str | None = None,
        region: str | None = None,
        account: str | None = None,
    ) -> None:
        """Remove the ``deny`` rule made for exactly these fields; with none given, every
        rule."""
        key = (_canonical_service(service), operation, region, account)
        with self._lock:
            if key == (None, None, None, None):
                self._denials = []
            else:
                self._denials = [d for d in self._denials if d.key != key]

    def delete_scope(self, region: str, **scope: str) -> None:
        """Delete a parent resource after it was listed: discovery still lists it (as AWS
        may, until its listing catches up), but listing its jobs answers the service's
        not-found error. ``scope`` is named like the request member: ``jobQueue=`` (name or
        ARN), ``WorkteamArn=``, ``collaborationIdentifier=``, ``trainedModelArn=``,
        ``PipelineName=``, ``JobName=``, ``applicationId=``, ``stateMachineArn=``, ...
        """
        self.data.delete_scope(region, **scope)

    def issue_credentials(
        self, lifetime: float = 3600.0, *, account: str | None = None
    ) -> IssuedCredentials:
        """Mint temporary credentials (``ASIA...`` key, secret, session token) valid for
        ``lifetime`` seconds of wall-clock time; a request signed with them afterwards gets
        the service's expired-token error."""
        return self._keyring.issue(lifetime, account or ACCOUNT_ID)

    def credentials_url(self, lifetime: float = 3600.0, *, account: str | None = None) -> str:
        """A container credential endpoint on this emulator: set it as
        ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` and botocore/aiobotocore fetch credentials
        from it that expire after ``lifetime`` seconds, and fetch new ones before they do."""
        if not lifetime > 0 or not math.isfinite(lifetime):
            raise ValueError(f"lifetime must be a positive number of seconds, got {lifetime!r}")
        query = f"lifetime={lifetime!r}" + (f"&account={account}" if account else "")
        return f"{self.endpoint_url}{CREDENTIALS_PATH}?{query}"

    def revoke_credentials(self) -> int:
        """Expire every credential issued so far, now, whatever expiration its holder was
        told: the next request signed with one gets the expired-token error (the way a
        token revoked early, or a clock skew, looks to a client). Returns how many were
        still valid."""
        return self._keyring.revoke()

    @property
    def issued_credentials(self) -> list[IssuedCredentials]:
        """Every credential the emulator issued, oldest first (endpoint fetches included)."""
        return self._keyring.all()

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request answered so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def request_count(
        self,
        operation: str | None = None,
        region: str | None = None,
        service: str | None = None,
        account: str | None = None,
    ) -> int:
        """How many requests matched every given criterion (faulted ones included)."""
        canonical = _canonical_service(service)
        return sum(
            1
            for r in self.requests
            if (operation is None or r.operation == operation)
            and (region is None or r.region == region)
            and (canonical is None or r.service == canonical)
            and (account is None or r.account == account)
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

        if method == "GET" and split.path == CREDENTIALS_PATH:
            return self._credentials_endpoint(split.query), 0.0
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
        record["account"] = self._caller(scope["akid"])
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
        json_version = str(operation.service_model.metadata.get("jsonVersion", "1.1"))
        refusal = self._refusal(spec, protocol, operation.name, region, scope["akid"])
        if refusal is not None:
            code, status, message = refusal
            resp = encode_error(protocol, status, code, message, json_version=json_version)
            self._finish(resp, record, {}, code)
            return resp, 0.0
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

        account = self._caller(scope["akid"])
        handler: Callable[[EmulatorData, str, Mapping[str, Any]], dict[str, Any]]
        if (spec.name, operation.name) in _ACCOUNT_OPERATIONS:
            handler = self._accounts_call(spec, operation.name, account, protocol)
        else:
            handler = HANDLERS[(spec.name, operation.name)]
        try:
            output = handler(self.data_for(account), region, params)
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
        if kind in (FaultKind.ACCESS_DENIED, FaultKind.EXPIRED_TOKEN):
            code, http, message = self._auth_error(
                spec,
                protocol,
                "access-denied" if kind is FaultKind.ACCESS_DENIED else "expired",
                region=state.region,
                account=ACCOUNT_ID,
                operation="",
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

    def _credentials_endpoint(self, query: str) -> Response:
        form = parse_qs(query)
        try:
            lifetime = float((form.get("lifetime") or ["3600"])[-1])
            account = form["account"][-1] if form.get("account") else None
            creds = self.issue_credentials(lifetime, account=account)
        except ValueError as exc:
            body = json.dumps({"message": str(exc)}).encode()
            return Response(400, {"Content-Type": "application/json"}, body)
        body = json.dumps(creds.container_response()).encode()
        return Response(200, {"Content-Type": "application/json"}, body)

    def _caller(self, access_key: str) -> str:
        issued = self._keyring.get(access_key)
        return ACCOUNT_ID if issued is None else issued.account

    def _accounts_call(
        self, spec: ServiceSpec, operation: str, account: str, protocol: str
    ) -> Callable[[EmulatorData, str, Mapping[str, Any]], dict[str, Any]]:
        """A handler for Organizations and STS, which answer from the caller's account."""
        org = self.organization

        def organizations(_data: EmulatorData, _region: str, params: Mapping[str, Any]) -> Any:
            if not org.enabled:
                raise ApiError(
                    "AWSOrganizationsNotInUseException",
                    "Your account is not a member of an organization.",
                )
            if account != org.management:
                raise ApiError(
                    "AccessDeniedException", "You don't have permissions to access this resource."
                )
            if operation == "DescribeOrganization":
                return {"Organization": dict(summary(org))}
            items: list[dict[str, Any]]
            if operation == "ListAccounts":
                items, key = org.accounts, "Accounts"
            elif operation == "ListRoots":
                items, key = [org.root], "Roots"
            else:
                parent = str(params.get("ParentId") or "")
                if not org.is_parent(parent):
                    raise ApiError(
                        "ParentNotFoundException", f"We can't find a root or OU with id {parent}."
                    )
                if operation == "ListAccountsForParent":
                    items, key = org.accounts_for_parent(parent), "Accounts"
                else:
                    items, key = org.ous_for_parent(parent), "OrganizationalUnits"
            pager = _Pager(
                spec,
                operation,
                params,
                token_key="NextToken",
                max_key="MaxResults",
                bounds=(1, 20),
                default=20,
            )
            page, token = _page_of(items, pager)
            out: dict[str, Any] = {key: page}
            if token is not None:
                out["NextToken"] = token
            return out

        def sts(_data: EmulatorData, region: str, params: Mapping[str, Any]) -> Any:
            if operation == "GetCallerIdentity":
                return {
                    "UserId": "AIDAJOBKITEMULATOR00",
                    "Account": account,
                    "Arn": f"arn:aws:iam::{account}:user/testing",
                }
            target = role_account(str(params.get("RoleArn") or ""))
            if target is None:
                raise spec.validation_error(f"{params.get('RoleArn')!r} is not a role ARN")
            role_acct, role_name = target
            refused = role_acct not in org and role_acct != account
            refusal = (
                None if refused else self._denial(spec, protocol, operation, region, role_acct)
            )
            if refused or refusal is not None:
                raise ApiError(
                    "AccessDenied",
                    f"User: arn:aws:iam::{account}:user/testing is not authorized to perform: "
                    f"sts:AssumeRole on resource: {params['RoleArn']}",
                    403,
                )
            duration = int(params.get("DurationSeconds") or 3600)
            if not 900 <= duration <= 43200:
                raise spec.validation_error(
                    f"1 validation error detected: Value '{duration}' at 'durationSeconds' "
                    "failed to satisfy constraint: Member must have value between 900 and 43200"
                )
            lifetime = self.assume_role_lifetime or float(duration)
            creds = self._keyring.issue(lifetime, role_acct)
            session = str(params.get("RoleSessionName") or "session")
            return {
                "Credentials": {
                    "AccessKeyId": creds.access_key_id,
                    "SecretAccessKey": creds.secret_access_key,
                    "SessionToken": creds.session_token,
                    "Expiration": creds.expiration,
                },
                "AssumedRoleUser": {
                    "AssumedRoleId": f"AROAJOBKIT{role_acct}:{session}",
                    "Arn": f"arn:aws:sts::{role_acct}:assumed-role/{role_name}/{session}",
                },
                "PackedPolicySize": 0,
            }

        return organizations if spec.name == "organizations" else sts

    def _denial(
        self, spec: ServiceSpec, protocol: str, operation: str, region: str, account: str
    ) -> tuple[str, int, str] | None:
        with self._lock:
            rules = [d for d in self._denials if d.matches(spec.name, operation, region, account)]
        if not rules:
            return None
        rule = max(rules, key=lambda d: d.specificity)
        return self._auth_error(
            spec, protocol, rule.reason, region=region, account=account, operation=operation
        )

    def _refusal(
        self, spec: ServiceSpec, protocol: str, operation: str, region: str, access_key: str
    ) -> tuple[str, int, str] | None:
        issued = self._keyring.get(access_key)
        account = ACCOUNT_ID if issued is None else issued.account
        if issued is not None and issued.expired:
            return self._auth_error(
                spec, protocol, "expired", region=region, account=account, operation=operation
            )
        return self._denial(spec, protocol, operation, region, account)

    @staticmethod
    def _auth_error(
        spec: ServiceSpec,
        protocol: str,
        reason: str,
        *,
        region: str,
        account: str,
        operation: str,
    ) -> tuple[str, int, str]:
        expired = reason == "expired"
        return auth_error(
            protocol,
            reason,
            json_status=spec.expired_token_status if expired else spec.access_denied_status,
            xml_status=spec.expired_token_status if expired else 403,
            region=region,
            account=account,
            action=f"{spec.signing_name}:{operation or '*'}",
        )

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
                account=record.get("account", ACCOUNT_ID),
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

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that closes or resets its connection is normal (a listing closed early,
        a pool dropped): debug level. Anything else is an emulator bug: logged with its
        traceback through ``logging``, never printed to stderr by socketserver."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError) or self.emulator._stopping.is_set():
            logger.debug("client %s disconnected: %r", client_address, exc)
            return
        logger.error("emulator error serving %s", client_address, exc_info=True)

    def drop_connections(self) -> None:
        # Keep-alive clients would otherwise hold handler threads (and close()) forever.
        with self._conn_lock:
            connections = list(self._connections)
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Headers:
    """A request's headers: ``get`` by name in any case (the first of repeated names, as
    ``email.message.Message``), ``items`` in the order sent."""

    def __init__(self) -> None:
        self._items: list[tuple[str, str]] = []
        self._lower: dict[str, str] = {}

    def add(self, name: str, value: str) -> None:
        self._items.append((name, value))
        self._lower.setdefault(name.lower(), value)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._lower.get(name.lower(), default)

    def fold(self, more: str) -> None:
        """An obsolete folded line continues the last header."""
        name, value = self._items[-1]
        self._items[-1] = (name, f"{value} {more}")
        if self._lower.get(name.lower()) == value:
            self._lower[name.lower()] = f"{value} {more}"

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)


#: A header line's limit and the count of headers, as ``http.client``'s.
_MAX_LINE = 65536
_MAX_HEADERS = 100


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def parse_request(self) -> bool:
        """The base class's ``parse_request`` for an ordinary HTTP/1.x request line, with the
        headers read as plain lines: the base class parses them with the ``email`` package,
        which was a quarter of the emulator's CPU per request. Anything unusual in the request
        line goes to the base class."""
        line: bytes = self.raw_requestline  # type: ignore[attr-defined]
        words = str(line, "iso-8859-1").rstrip("\r\n").split()
        if len(words) != 3 or words[2] not in ("HTTP/1.0", "HTTP/1.1") or "//" in words[1][:2]:
            return bool(super().parse_request())
        self.requestline = " ".join(words)
        self.command, self.path, self.request_version = words
        self.close_connection = self.request_version != "HTTP/1.1"
        headers = _Headers()
        while True:
            line = self.rfile.readline(_MAX_LINE + 1)
            if len(line) > _MAX_LINE:
                self.send_error(431, "Line too long")
                return False
            if line in (b"\r\n", b"\n", b""):
                break
            text = line.decode("iso-8859-1").rstrip("\r\n")
            if text[:1] in (" ", "\t") and len(headers):
                headers.fold(text.strip())
                continue
            name, sep, value = text.partition(":")
            if not sep or not name or name != name.strip():
                self.send_error(400, "Bad header line")
                return False
            if len(headers) >= _MAX_HEADERS:
                self.send_error(431, "Too many headers")
                return False
            headers.add(name, value.strip())
        self.headers = headers  # type: ignore[assignment]
        connection = (headers.get("Connection") or "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        expect = (headers.get("Expect") or "").lower()
        if expect == "100-continue" and self.request_version == "HTTP/1.1":
            return bool(self.handle_expect_100())
        return True

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
