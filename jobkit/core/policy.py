"""Retry decisions, without I/O: which errors are retried, how long to wait, when to give up.

One table classifies every error a botocore call can raise as THROTTLE, TRANSIENT or FATAL.
``RetryPolicy`` turns a failed attempt into a wait (capped exponential backoff with full
jitter, never shorter than a server's ``x-amz-retry-after``) or a stop. ``translate`` turns
the final botocore error into a typed ``JobkitError`` with a hint, chained to the original.
"""

from __future__ import annotations

import enum
import random
import socket
import ssl
from collections.abc import Callable
from typing import Any

import attrs
from botocore import exceptions as bx

from jobkit.errors import (
    AccessDeniedError,
    ConnectionFailedError,
    CredentialsError,
    InvalidRequestError,
    JobkitError,
    NotFoundError,
    RetriesExhaustedError,
    ServiceError,
    UsageError,
)

__all__ = [
    "EXPIRED_CODES",
    "ErrorKind",
    "RetryPolicy",
    "Verdict",
    "classify",
    "in_chain",
    "translate",
]


class ErrorKind(enum.Enum):
    """How a failed call is treated."""

    THROTTLE = "throttle"  # retried, and the endpoint's limiter slows down
    TRANSIENT = "transient"  # retried
    FATAL = "fatal"  # raised at once


#: Error codes services use to say "slow down". HTTP 429 counts too, whatever the code.
THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "LimitExceededException",
        "SlowDown",
        "BandwidthLimitExceeded",
        "EC2ThrottledException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "PriorRequestNotComplete",
    }
)

#: Error codes for failures on the service's side that a later attempt may not meet.
TRANSIENT_CODES = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "InternalServerException",
        "InternalServiceException",
        "InternalServiceError",
        "ServerException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ServiceException",
        "Unavailable",
    }
)

TRANSIENT_STATUS = frozenset({500, 502, 503, 504})

ACCESS_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "MissingAuthenticationToken",
        "IncompleteSignature",
        "AuthFailure",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
    }
)

#: The credentials' token expired (or the request's signature time is too old).
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})

NOT_FOUND_CODES = frozenset(
    {"ResourceNotFound", "ResourceNotFoundException", "NotFoundException", "NotFound"}
)

_HINTS = {
    "ExpiredToken": "the session credentials expired: refresh them (e.g. `aws sso login` or "
    "assume the role again) and resume the listing from its cursor",
    "ExpiredTokenException": "the session credentials expired: refresh them (e.g. `aws sso "
    "login` or assume the role again) and resume the listing from its cursor",
    "UnrecognizedClientException": "the access key is not valid in this account or region",
    "InvalidClientTokenId": "the access key is not valid in this account or region",
}


@attrs.frozen
class Verdict:
    """The classification of one failed call."""

    kind: ErrorKind
    code: str | None = None
    http_status: int | None = None
    message: str | None = None
    retry_after: float | None = None

    @property
    def retryable(self) -> bool:
        """True for throttling and transient errors."""
        return self.kind is not ErrorKind.FATAL


def _retry_after(headers: dict[str, Any]) -> float | None:
    # AWS sends x-amz-retry-after in milliseconds; a plain Retry-After is in seconds.
    for name, scale in (("x-amz-retry-after", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / scale
        except (TypeError, ValueError):
            continue
        if seconds >= 0:
            return seconds
    return None


#: Connection failures that waiting does not cure (checked anywhere in an error's chain).
_HOPELESS: tuple[type[BaseException], ...] = (
    socket.gaierror,
    ConnectionRefusedError,
    ssl.SSLCertVerificationError,
)


def in_chain(error: BaseException, *kinds: type[BaseException]) -> bool:
    """Whether ``error``, or an error it wraps (``__cause__``, ``__context__``, botocore's
    ``error=`` keyword, aiohttp's ``os_error``), is one of ``kinds``; aiohttp's DNS error
    counts as ``socket.gaierror``."""
    seen: set[int] = set()
    stack: list[object] = [error]
    while stack:
        exc = stack.pop()
        if not isinstance(exc, BaseException) or id(exc) in seen:
            continue
        seen.add(id(exc))
        if isinstance(exc, kinds):
            return True
        if socket.gaierror in kinds and type(exc).__name__ == "ClientConnectorDNSError":
            return True
        stack.extend([exc.__cause__, exc.__context__, getattr(exc, "os_error", None)])
        kwargs = getattr(exc, "kwargs", None)
        if isinstance(kwargs, dict):
            stack.append(kwargs.get("error"))
        stack.extend(getattr(exc, "args", ()))
    return False


def classify(error: BaseException) -> Verdict:
    """Classify an exception raised by a botocore or aiobotocore call."""
    if isinstance(error, bx.ClientError):
        err = error.response.get("Error", {})
        meta = error.response.get("ResponseMetadata", {})
        code = err.get("Code") or None
        status = meta.get("HTTPStatusCode")
        headers = {k.lower(): v for k, v in (meta.get("HTTPHeaders") or {}).items()}
        message = err.get("Message") or None
        retry_after = _retry_after(headers)
        if code in THROTTLE_CODES or status == 429:
            kind = ErrorKind.THROTTLE
        elif code in TRANSIENT_CODES or status in TRANSIENT_STATUS:
            kind = ErrorKind.TRANSIENT
        else:
            kind = ErrorKind.FATAL
        return Verdict(kind, code, status, message, retry_after)
    if isinstance(error, bx.SSLError) or in_chain(error, *_HOPELESS):
        # A certificate problem, a host name that does not resolve or a refused connection do
        # not heal by waiting: settle the stream at once instead of backing off ten times.
        # (A reset or a timeout may heal, and is retried below.)
        return Verdict(ErrorKind.FATAL, type(error).__name__, message=str(error))
    if isinstance(error, bx.ConnectionError | bx.HTTPClientError | ConnectionError | TimeoutError):
        return Verdict(ErrorKind.TRANSIENT, type(error).__name__, message=str(error))
    return Verdict(ErrorKind.FATAL, type(error).__name__, message=str(error))


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How a failed page is retried. Keyword-only; the defaults suit most listings.

    - ``max_attempts``: calls per page at most, the first included (1 turns retries off).
    - ``backoff_base`` / ``backoff_cap``: the n-th retry waits up to
      ``min(backoff_cap, backoff_base * 2 ** (n - 1))`` seconds.
    - ``jitter``: full jitter (a uniform draw from 0 to that bound), which spreads retries of
      many streams apart; without it the wait is the bound itself.
    - ``page_deadline``: seconds one page may take over all its attempts; None for no limit.
    - ``connect_timeout`` / ``read_timeout``: seconds one attempt may wait to connect, and
      for the response; an attempt that times out is retried like any transient error.

    A server's ``x-amz-retry-after`` is honoured: the wait is never shorter than it asks.
    """

    max_attempts: int = attrs.field(default=10, validator=attrs.validators.ge(1))
    backoff_base: float = attrs.field(default=0.1, validator=attrs.validators.gt(0))
    backoff_cap: float = attrs.field(default=20.0, validator=attrs.validators.gt(0))
    jitter: bool = True
    page_deadline: float | None = 300.0
    connect_timeout: float = attrs.field(default=10.0, validator=attrs.validators.gt(0))
    read_timeout: float = attrs.field(default=60.0, validator=attrs.validators.gt(0))

    def wait(self, retry: int, verdict: Verdict, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        bound = min(self.backoff_cap, self.backoff_base * 2 ** (retry - 1))
        wait = (rng or random).uniform(0, bound) if self.jitter else bound
        if verdict.retry_after is not None:
            wait = max(wait, min(verdict.retry_after, self.backoff_cap))
        return wait

    def should_stop(self, attempts: int, elapsed: float, next_wait: float) -> bool:
        """True when no further attempt may be made after ``attempts`` calls."""
        if attempts >= self.max_attempts:
            return True
        return self.page_deadline is not None and elapsed + next_wait > self.page_deadline


#: The policy used when the caller gives none.
DEFAULT_POLICY = RetryPolicy()


def translate(
    error: BaseException,
    *,
    adapter: str,
    region: str,
    operation: str,
    attempts: int = 1,
) -> JobkitError:
    """The typed ``JobkitError`` for a final error; the caller raises it ``from error``."""
    if isinstance(error, JobkitError):
        return error
    where: dict[str, Any] = {"adapter": adapter, "region": region, "operation": operation}
    if isinstance(error, bx.NoCredentialsError | bx.PartialCredentialsError):
        return CredentialsError(
            f"no AWS credentials found ({type(error).__name__})",
            hint="configure credentials (environment, ~/.aws/credentials, AWS_PROFILE or "
            "an SSO login), or pass session=",
            **where,
        )
    if isinstance(error, bx.CredentialRetrievalError | bx.ProfileNotFound):
        return CredentialsError(str(error), hint="check AWS_PROFILE and ~/.aws/config", **where)
    if isinstance(error, bx.ParamValidationError):
        return UsageError(
            f"botocore rejected the request parameters: {error}",
            hint="check params= against the operation's request shape",
            **where,
        )
    verdict = classify(error)
    tried = f" after {attempts} attempts" if attempts > 1 else ""
    if not isinstance(error, bx.ClientError):
        if verdict.retryable:
            return ConnectionFailedError(
                f"could not reach the endpoint{tried}: {error}",
                hint="check the endpoint URL and network; raise RetryPolicy.max_attempts "
                "for a flaky link",
                **where,
            )
        if isinstance(error, bx.ConnectionError):
            return ConnectionFailedError(
                f"could not reach the endpoint (not retried: waiting would not help): {error}",
                hint="check the endpoint URL (AWS_ENDPOINT_URL, endpoint_url=), that the host "
                "name resolves and that the server is up",
                **where,
            )
        return JobkitError(f"{type(error).__name__}: {error}", **where)
    code, status = verdict.code, verdict.http_status
    text = f"{code} (HTTP {status}){tried}: {verdict.message or 'no message'}"
    factory: Callable[..., ServiceError]
    if verdict.retryable:
        factory = RetriesExhaustedError
        hint = (
            "the service kept throttling or failing; retry later, lower max_concurrency, "
            "or raise RetryPolicy.max_attempts / page_deadline"
        )
    elif code in ACCESS_CODES or status in (401, 403):
        factory = AccessDeniedError
        hint = _HINTS.get(code or "", f"the credentials may not call {operation} in {region}")
    elif code in NOT_FOUND_CODES or status == 404:
        factory = NotFoundError
        hint = "check the scope parameters (ARN, name, id) and the region"
    else:
        factory = InvalidRequestError
        hint = "check params= and filters against the service's documented limits"
    return factory(text, code=code, http_status=status, hint=hint, **where)
