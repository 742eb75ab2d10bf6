"""Sessions that assume a role: refreshable credentials from STS ``AssumeRole``, sync and async.

A listing that runs longer than a role session must never fail on an expired token, and each
account assumes its role once per credentials lifetime, not once per stream. botocore's
refreshable credentials do both: the credentials are fetched on first use (under the
listing's initialization gate) and fetched again shortly before they expire. The refresh
windows scale with the credentials' lifetime (botocore's fixed 15 and 10 minute windows would
refresh short-lived credentials on every request).

Secrets live only inside the botocore credential objects: never logged, printed, put in an
error or a cursor.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import boto3
from aiobotocore.credentials import AioDeferredRefreshableCredentials
from aiobotocore.session import AioSession
from botocore.credentials import DeferredRefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from jobkit.errors import AccessDeniedError, CredentialsError

__all__ = ["aio_role_session", "sync_role_session"]

_METHOD = "jobkit-assume-role"
_TYPICAL_LIFETIME = 3600.0  # the lifetime botocore's refresh windows are made for


def _scaled(refresh_in: float, lifetime: float | None) -> float:
    """botocore's refresh window, scaled to credentials that live ``lifetime`` seconds."""
    if not lifetime or lifetime >= _TYPICAL_LIFETIME:
        return refresh_in
    return refresh_in * lifetime / _TYPICAL_LIFETIME


class _RoleCredentials(DeferredRefreshableCredentials):  # type: ignore[misc]
    lifetime: float | None = None

    def refresh_needed(self, refresh_in: float | None = None) -> bool:
        if refresh_in is None:
            refresh_in = self._advisory_refresh_timeout
        return bool(super().refresh_needed(_scaled(refresh_in, self.lifetime)))


class _AioRoleCredentials(AioDeferredRefreshableCredentials):  # type: ignore[misc]
    lifetime: float | None = None

    def refresh_needed(self, refresh_in: float | None = None) -> bool:
        if refresh_in is None:
            refresh_in = self._advisory_refresh_timeout
        return bool(super().refresh_needed(_scaled(refresh_in, self.lifetime)))


def _request(role_arn: str, external_id: str | None, session_name: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": session_name}
    if external_id is not None:
        kwargs["ExternalId"] = external_id
    return kwargs


def _denied(role_arn: str, error: Exception) -> Exception:
    """The typed error for a role that cannot be assumed (the account is then skipped)."""
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        code = info.get("Code")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return AccessDeniedError(
            f"could not assume {role_arn}: {code}: {info.get('Message') or 'no message'}",
            code=code,
            http_status=status,
            operation="AssumeRole",
            hint="check that the role exists in that account, trusts the caller's account "
            "(and the external id, if the trust policy asks for one)",
        )
    return CredentialsError(
        f"could not assume {role_arn}: {type(error).__name__}",
        operation="AssumeRole",
        hint="check the caller's credentials and the STS endpoint",
    )


def _metadata(answer: dict[str, Any], holder: Any) -> dict[str, Any]:
    keys = answer["Credentials"]
    expiry = keys["Expiration"]
    if isinstance(expiry, dt.datetime):
        expiry = expiry.astimezone(dt.UTC)
        holder.lifetime = max(1.0, (expiry - dt.datetime.now(dt.UTC)).total_seconds())
        expiry = expiry.isoformat()
    return {
        "access_key": keys["AccessKeyId"],
        "secret_key": keys["SecretAccessKey"],
        "token": keys["SessionToken"],
        "expiry_time": expiry,
    }


class _Provider:
    """A credential provider that hands botocore the role's refreshable credentials."""

    METHOD = _METHOD
    CANONICAL_NAME = "jobkit-assume-role"

    def __init__(self, credentials: Any) -> None:
        self._credentials = credentials

    def load(self) -> Any:
        return self._credentials


class _AioProvider(_Provider):
    async def load(self) -> Any:
        return self._credentials


def sync_role_session(
    source: boto3.Session,
    *,
    role_arn: str,
    external_id: str | None,
    session_name: str,
    region: str | None,
    new_session: Callable[[], boto3.Session],
) -> boto3.Session:
    """A boto3 session whose credentials assume ``role_arn`` from ``source``'s credentials
    (regional STS endpoint), fetched on first use and refreshed before they expire."""
    lock = threading.Lock()
    sts: list[Any] = []
    credentials = _RoleCredentials(refresh_using=lambda: fetch(), method=_METHOD)  # noqa: PLW0108 - fetch is defined below

    def fetch() -> dict[str, Any]:
        with lock:
            if not sts:
                sts.append(source.client("sts", region_name=region or "us-east-1"))
        try:
            answer = sts[0].assume_role(**_request(role_arn, external_id, session_name))
        except (ClientError, BotoCoreError) as exc:
            raise _denied(role_arn, exc) from exc
        return _metadata(answer, credentials)

    session = new_session()
    core = session._session  # the botocore session boto3 wraps (public attribute in practice)
    core.get_component("credential_provider").insert_before("env", _Provider(credentials))
    if region:
        core.set_config_variable("region", region)
    return session


def aio_role_session(
    source: AioSession,
    *,
    role_arn: str,
    external_id: str | None,
    session_name: str,
    region: str | None,
    new_session: Callable[[], AioSession],
) -> AioSession:
    """The aiobotocore twin of ``sync_role_session``."""
    credentials = _AioRoleCredentials(refresh_using=lambda: fetch(), method=_METHOD)  # noqa: PLW0108 - fetch is defined below

    def fetch() -> Awaitable[dict[str, Any]]:
        async def run() -> dict[str, Any]:
            try:
                async with source.create_client("sts", region_name=region or "us-east-1") as sts:
                    answer = await sts.assume_role(**_request(role_arn, external_id, session_name))
            except (ClientError, BotoCoreError) as exc:
                raise _denied(role_arn, exc) from exc
            return _metadata(answer, credentials)

        return run()

    session = new_session()
    session.get_component("credential_provider").insert_before("env", _AioProvider(credentials))
    if region:
        session.set_config_variable("region", region)
    return session
