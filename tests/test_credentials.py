"""Expiring credentials: refreshable ones are refreshed and the page retried; static ones stay
an error with a hint."""

from __future__ import annotations

import pytest

import jobkit
from jobkit.errors import AccessDeniedError
from jobkit.testing import Emulator
from tests.drivers import Driver
from tests.groundtruth import expected_raw, same_jobs

ADAPTER = "sagemaker.processing"


async def test_expired_token_on_refreshable_credentials_is_refreshed(
    emu_env: Emulator, driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Container credentials told valid for an hour are revoked mid-listing: the service's
    ExpiredTokenException makes jobkit fetch new ones and retry the same page; every job
    comes exactly once and nothing fails."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", emu_env.credentials_url(3600))
    jobkit.clear_session_cache()
    issued_before = len(emu_env.issued_credentials)
    revoked: list[int] = []

    def revoke_once(job: jobkit.Job) -> None:
        if not revoked:
            revoked.append(emu_env.revoke_credentials())

    it = driver.open(ADAPTER, regions=["us-east-1"], page_size=10, max_concurrency=1)
    got = await driver.drain(it, on_job=revoke_once)
    same_jobs([j.raw for j in got], expected_raw(emu_env, ADAPTER, "us-east-1"))
    assert revoked and revoked[0] >= 1
    assert not it.failures
    fetched = emu_env.issued_credentials[issued_before:]
    assert len(fetched) >= 2  # the first credentials, and the refresh after the revocation
    assert not fetched[-1].expired
    assert it.stats.retries >= 1


async def test_expired_static_credentials_stay_an_error(
    emu_env: Emulator, driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Static temporary keys that expire cannot be refreshed: the listing stops with the
    expired-token error, whose hint says how to get new ones and resume."""
    issued = emu_env.issue_credentials(3600)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", issued.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", issued.secret_access_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", issued.session_token)
    jobkit.clear_session_cache()
    emu_env.revoke_credentials()
    with pytest.raises(AccessDeniedError, match="ExpiredToken") as info:
        await driver.collect(ADAPTER, regions=["us-east-1"])
    assert "refresh" in (info.value.hint or "")
