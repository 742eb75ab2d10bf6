"""Retry classification, backoff and error translation, without I/O."""

from __future__ import annotations

import random

import pytest
from botocore import exceptions as bx

from jobkit.core.policy import ErrorKind, RetryPolicy, classify, translate
from jobkit.errors import (
    AccessDeniedError,
    ConnectionFailedError,
    CredentialsError,
    InvalidRequestError,
    NotFoundError,
    RetriesExhaustedError,
)


def client_error(code: str, status: int, headers: dict[str, str] | None = None) -> bx.ClientError:
    """A ClientError as botocore builds it from a parsed error response."""
    response = {
        "Error": {"Code": code, "Message": f"{code} happened"},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers or {}},
    }
    return bx.ClientError(response, "ListThings")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("ThrottlingException", 400, ErrorKind.THROTTLE),
        ("Throttling", 400, ErrorKind.THROTTLE),
        ("ThrottledException", 400, ErrorKind.THROTTLE),
        ("TooManyRequestsException", 400, ErrorKind.THROTTLE),
        ("RequestLimitExceeded", 400, ErrorKind.THROTTLE),
        ("LimitExceededException", 400, ErrorKind.THROTTLE),
        ("SlowDown", 503, ErrorKind.THROTTLE),
        ("RequestThrottled", 400, ErrorKind.THROTTLE),
        ("Whatever", 429, ErrorKind.THROTTLE),
        ("InternalFailure", 500, ErrorKind.TRANSIENT),
        ("ServiceUnavailable", 503, ErrorKind.TRANSIENT),
        ("Unknown", 502, ErrorKind.TRANSIENT),
        ("Unknown", 504, ErrorKind.TRANSIENT),
        ("RequestTimeout", 400, ErrorKind.TRANSIENT),
        ("ServerException", 500, ErrorKind.TRANSIENT),
        ("AccessDeniedException", 403, ErrorKind.FATAL),
        ("ValidationException", 400, ErrorKind.FATAL),
        ("ResourceNotFound", 400, ErrorKind.FATAL),
        ("ExpiredTokenException", 403, ErrorKind.FATAL),
        ("ClientException", 400, ErrorKind.FATAL),
    ],
)
def test_classification_table(code: str, status: int, kind: ErrorKind) -> None:
    """Throttling and transient errors retry; access, validation, not-found do not."""
    assert classify(client_error(code, status)).kind is kind


@pytest.mark.parametrize(
    "error",
    [
        bx.EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
        bx.ConnectionClosedError(endpoint_url="http://127.0.0.1:1"),
        bx.ReadTimeoutError(endpoint_url="http://127.0.0.1:1"),
        bx.ConnectTimeoutError(endpoint_url="http://127.0.0.1:1"),
        ConnectionResetError(),
    ],
)
def test_connection_errors_are_transient(error: Exception) -> None:
    """Resets, refused connections and timeouts are retried."""
    assert classify(error).kind is ErrorKind.TRANSIENT


def test_ssl_errors_are_fatal() -> None:
    """A certificate problem does not heal by waiting."""
    assert classify(bx.SSLError(endpoint_url="x", error="bad cert")).kind is ErrorKind.FATAL


def test_retry_after_header_is_read_in_milliseconds() -> None:
    """x-amz-retry-after is milliseconds; the wait is never shorter than it."""
    verdict = classify(client_error("ThrottlingException", 400, {"x-amz-retry-after": "1500"}))
    assert verdict.retry_after == 1.5
    policy = RetryPolicy(backoff_base=0.01)
    assert policy.wait(1, verdict, random.Random(0)) >= 1.5


def test_full_jitter_bounds() -> None:
    """The n-th retry waits within [0, min(cap, base * 2**(n-1))], and reaches across it."""
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=3.0)
    verdict = classify(client_error("ThrottlingException", 400))
    rng = random.Random(42)
    for retry, bound in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (10, 3.0)]:
        waits = [policy.wait(retry, verdict, rng) for _ in range(400)]
        assert all(0 <= w <= bound for w in waits)
        assert max(waits) > 0.8 * bound and min(waits) < 0.2 * bound


def test_no_jitter_waits_the_bound() -> None:
    """Without jitter the wait is the exponential bound itself."""
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=3.0, jitter=False)
    verdict = classify(client_error("ThrottlingException", 400))
    assert [policy.wait(n, verdict) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]


def test_stop_on_attempts_and_deadline() -> None:
    """The policy stops at max_attempts, and before a wait would pass the page deadline."""
    policy = RetryPolicy(max_attempts=3, page_deadline=10.0)
    assert not policy.should_stop(1, 0.0, 1.0)
    assert policy.should_stop(3, 0.0, 1.0)
    assert policy.should_stop(1, 9.5, 1.0)
    assert not RetryPolicy(page_deadline=None).should_stop(1, 1e9, 1e9)


def test_policy_rejects_nonsense() -> None:
    """Zero attempts or a non-positive backoff is refused at construction."""
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(backoff_base=0)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (client_error("AccessDeniedException", 403), AccessDeniedError),
        (client_error("ExpiredTokenException", 403), AccessDeniedError),
        (client_error("ResourceNotFound", 400), NotFoundError),
        (client_error("ValidationException", 400), InvalidRequestError),
        (client_error("ThrottlingException", 400), RetriesExhaustedError),
        (bx.EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), ConnectionFailedError),
        (bx.NoCredentialsError(), CredentialsError),
    ],
)
def test_translate_types_and_context(error: Exception, expected: type) -> None:
    """Final errors become typed JobkitErrors carrying adapter, region, operation and a hint."""
    result = translate(error, adapter="a.b", region="eu-west-1", operation="ListThings")
    assert type(result) is expected
    assert (result.adapter, result.region, result.operation) == ("a.b", "eu-west-1", "ListThings")
    assert result.hint
    assert "eu-west-1" in str(result) and "hint:" in str(result)


def test_expired_token_hint_says_how_to_recover() -> None:
    """An expired session token tells the user to refresh credentials and resume."""
    result = translate(
        client_error("ExpiredTokenException", 403), adapter="a", region="r", operation="o"
    )
    assert "refresh" in (result.hint or "")
