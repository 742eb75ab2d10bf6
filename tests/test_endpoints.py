"""Custom endpoints work for every adapter, S3 Control included, without a proxy."""

from __future__ import annotations

import collections

import pytest

import jobkit
from jobkit.testing import Emulator
from tests.drivers import Driver


@pytest.mark.parametrize("how", ["AWS_ENDPOINT_URL", "endpoint_url="])
async def test_every_adapter_through_a_plain_endpoint(
    emu_env: Emulator, driver: Driver, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """With only AWS_ENDPOINT_URL (no proxy variables, no per-service endpoint), or with
    endpoint_url=, every adapter lists the same jobs as through the emulator's fixture:
    S3 Control's account-prefixed host is sent to the endpoint as configured."""
    expected, _ = await driver.collect(errors="raise")
    for name in ("AWS_ENDPOINT_URL_S3_CONTROL", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    if how == "endpoint_url=":
        monkeypatch.delenv("AWS_ENDPOINT_URL")
    jobkit.clear_session_cache()
    options = {"endpoint_url": emu_env.endpoint_url} if how == "endpoint_url=" else {}
    got, it = await driver.collect(errors="raise", **options)
    per_adapter = collections.Counter(j.adapter for j in got)
    assert per_adapter == collections.Counter(j.adapter for j in expected)
    assert per_adapter["s3control.batch-operations"] > 0
    assert set(per_adapter) == {a.name for a in jobkit.adapters()}
    assert not it.skipped and not it.failures
