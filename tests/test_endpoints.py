"""Custom endpoints work for every adapter, S3 Control included, without a proxy."""

from __future__ import annotations

import collections
import os

import pytest

import jobkit
from jobkit.core.availability import PLANNED_SKIPS
from jobkit.testing import Emulator
from tests.drivers import Driver


@pytest.mark.parametrize("how", ["AWS_ENDPOINT_URL", "endpoint_url="])
async def test_every_adapter_through_a_plain_endpoint(
    small_env: Emulator, driver: Driver, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """With only AWS_ENDPOINT_URL (no proxy variables, no per-service endpoint), or with
    endpoint_url=, every adapter lists the same jobs as through the emulator's fixture:
    S3 Control's account-prefixed host is sent to the endpoint as configured."""
    expected, _ = await driver.collect(errors="raise")
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL_") or name.lower() in ("http_proxy", "no_proxy"):
            monkeypatch.delenv(name)
    if how == "endpoint_url=":
        monkeypatch.delenv("AWS_ENDPOINT_URL")
    jobkit.clear_session_cache()
    options = {"endpoint_url": small_env.endpoint_url} if how == "endpoint_url=" else {}
    got, it = await driver.collect(errors="raise", **options)
    per_adapter = collections.Counter(j.adapter for j in got)
    assert per_adapter == collections.Counter(j.adapter for j in expected)
    assert per_adapter["s3control.batch-operations"] > 0
    planned = {s.adapter for s in it.skipped if s.reason in PLANNED_SKIPS}
    assert set(per_adapter) | planned == {a.name for a in jobkit.adapters()}
    assert not [s for s in it.skipped if s.reason not in PLANNED_SKIPS] and not it.failures
