"""Fan-out in asyncio: mirrors test_fanout.py for the aiobotocore driver."""

from __future__ import annotations

import asyncio
import gc

import pytest

import jobkit
from jobkit.errors import AccessDeniedError
from jobkit.testing import Emulator, Faults
from tests.groundtruth import SEED, expected_raw, same_jobs
from tests.test_fanout import _deny_eu

ADAPTERS = list(SEED)


async def test_regions_fan_out(emu_env: Emulator) -> None:
    """Every adapter in two regions, concurrently: each region's ground truth, once."""
    got = await jobkit.ajobs(ADAPTERS, regions=["us-east-1", "eu-west-1"]).collect()
    for region in ("us-east-1", "eu-west-1"):
        for adapter in ADAPTERS:
            same_jobs(
                [j.raw for j in got if j.adapter == adapter and j.region == region],
                expected_raw(emu_env, adapter, region),
            )


async def test_errors_collect_goes_on(emu_env: Emulator) -> None:
    """errors="collect": the failing region (expired static credentials) fails alone, the
    rest is listed."""
    _deny_eu(emu_env, Faults(expired_token=1.0))
    try:
        it = jobkit.ajobs(ADAPTERS, regions=["us-east-1", "eu-west-1"], errors="collect")
        got = await it.collect()
    finally:
        _deny_eu(emu_env)
    assert {j.region for j in got} == {"us-east-1"}
    assert it.failures and all(isinstance(f.error, AccessDeniedError) for f in it.failures)


async def test_errors_raise(emu_env: Emulator) -> None:
    """errors="raise": the first failure stops everything with the typed error."""
    _deny_eu(emu_env, Faults(access_denied=True))
    try:
        with pytest.raises(AccessDeniedError):
            await jobkit.ajobs(
                ADAPTERS, regions=["us-east-1", "eu-west-1"], errors="raise"
            ).collect()
    finally:
        _deny_eu(emu_env)


async def test_cancelling_the_task_cleans_up(emu_env: Emulator) -> None:
    """Cancelling the consuming task stops every call and closes every client."""
    emu_env.set_faults(Faults(latency=0.05))
    try:
        seen = asyncio.Event()

        async def consume() -> None:
            async with jobkit.ajobs(ADAPTERS) as it:
                async for _ in it:
                    seen.set()

        task = asyncio.ensure_future(consume())
        await asyncio.wait_for(seen.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert not pending
        gc.collect()  # an unclosed aiohttp session would warn here (ResourceWarning = error)
    finally:
        emu_env.set_faults(None)


async def test_top_k_reads_only_needed_pages(emu_env: Emulator) -> None:
    """limit=k ordered over a sorted stream: ceil(k / page size) requests."""
    emu_env.clear_requests()
    got = await jobkit.ajobs("sagemaker.processing", order="created-desc", limit=250).collect()
    truth = emu_env.data.records("sagemaker", "ListProcessingJobs", "us-east-1")
    assert [j.raw for j in got] == truth[:250]
    assert emu_env.request_count(operation="ListProcessingJobs") == 3


async def test_shards(emu_env: Emulator) -> None:
    """shards=n in asyncio: each job once."""
    got = await jobkit.ajobs("comprehendmedical.snomedct", shards=6).collect()
    same_jobs(
        [j.raw for j in got], expected_raw(emu_env, "comprehendmedical.snomedct", "us-east-1")
    )
