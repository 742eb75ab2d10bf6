"""Fan-out: regions x accounts x streams concurrently, partial failures, merge, shards, close;
one suite, run with both drivers (threads for ``jobs()``, tasks for ``ajobs()``)."""

from __future__ import annotations

import asyncio
import gc
import uuid
import warnings

import boto3
import pytest

import jobkit
from jobkit.core.fanout import JobkitWarning
from jobkit.drivers._config import available_regions
from jobkit.errors import AccessDeniedError, UsageError
from jobkit.testing import Emulator, Faults
from tests.drivers import Driver
from tests.groundtruth import GROUND_TRUTH_ADAPTERS, expected_raw, same_jobs

ADAPTERS = list(GROUND_TRUTH_ADAPTERS)


async def test_regions_and_accounts_fan_out(
    emu_env: Emulator, driver: Driver, aws_profiles: tuple[str, ...]
) -> None:
    """Two regions x two accounts: each account lists each region's jobs once."""
    sessions = [boto3.Session(profile_name=name) for name in aws_profiles]
    regions = ["us-east-1", "eu-west-1"]
    got, it = await driver.collect("comprehendmedical.snomedct", regions=regions, session=sessions)
    assert len(it.stats.endpoints) == 4
    for region in regions:
        expected = expected_raw(emu_env, "comprehendmedical.snomedct", region)
        # Both accounts see the same emulator data: every job exactly twice.
        same_jobs([j.raw for j in got if j.region == region], expected + expected, unique=False)
        endpoints = {
            key: endpoint
            for key, endpoint in it.stats.endpoints.items()
            if key.startswith(f"comprehendmedical/{region}@")
        }
        assert len(endpoints) == 2, sorted(it.stats.endpoints)
        assert all(endpoint.jobs == len(expected) for endpoint in endpoints.values())


async def test_every_adapter_in_two_regions(emu_env: Emulator, driver: Driver) -> None:
    """Every adapter in two regions, concurrently: each region's ground truth, once."""
    regions = ["us-east-1", "eu-west-1"]
    got, _ = await driver.collect(ADAPTERS, regions=regions)
    for region in regions:
        for adapter in ADAPTERS:
            same_jobs(
                [j.raw for j in got if j.adapter == adapter and j.region == region],
                expected_raw(emu_env, adapter, region),
            )


async def test_all_regions_means_the_partition(emu_env: Emulator, driver: Driver) -> None:
    """regions="all" lists every region botocore offers the service in the default partition."""
    got, _ = await driver.collect("comprehendmedical.snomedct", regions="all", limit=None)
    expected_regions = set(available_regions("comprehendmedical", "aws"))
    assert {j.region for j in got} == expected_regions
    assert "us-gov-west-1" not in expected_regions


async def test_region_without_the_service_is_skipped(emu_env: Emulator, driver: Driver) -> None:
    """A region where the service is not offered is skipped with a notice, not an error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got, it = await driver.collect(
            ["comprehendmedical.snomedct", "sagemaker.processing"], regions=["eu-north-1"]
        )
    # A fact of the plan, not the account saying no: listed and counted, not warned about.
    assert not [w for w in caught if issubclass(w.category, JobkitWarning)]
    assert [(s.adapter, s.region, s.reason) for s in it.skipped] == [
        ("comprehendmedical.snomedct", "eu-north-1", "not-offered")
    ]
    assert it.stats.skipped == 1
    same_jobs([j.raw for j in got], expected_raw(emu_env, "sagemaker.processing", "eu-north-1"))


#: Every service the ground-truth adapters call (listing and discovery).
SERVICES = ("sagemaker", "comprehendmedical", "batch", "cleanroomsml", "cleanrooms")


def _deny_eu(emu: Emulator, faults: Faults | None = None) -> None:
    """Deny (or, with None, restore) eu-west-1 for every service, per (service, region): a
    service-wide setting left by another test cannot shadow it."""
    for service in SERVICES:
        emu.set_faults(faults, service=service, region="eu-west-1")


async def test_errors_raise_stops_everything(emu_env: Emulator, driver: Driver) -> None:
    """errors="raise": a denied region stops the listing with a typed error; no thread or task
    is left running."""
    _deny_eu(emu_env, Faults(access_denied=True))
    try:
        with pytest.raises(AccessDeniedError):
            await driver.collect(ADAPTERS, regions=["us-east-1", "eu-west-1"], errors="raise")
    finally:
        _deny_eu(emu_env)
    assert not driver.leftovers()


@pytest.mark.parametrize("mode", ["warn", "collect"])
async def test_errors_warn_and_collect_go_on(emu_env: Emulator, driver: Driver, mode: str) -> None:
    """errors="warn"/"collect": the failing region (expired static credentials) fails alone;
    every other stream is listed."""
    _deny_eu(emu_env, Faults(expired_token=1.0))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got, it = await driver.collect(
                ADAPTERS, regions=["us-east-1", "eu-west-1"], errors=mode
            )
    finally:
        _deny_eu(emu_env)
    for adapter in ADAPTERS:
        same_jobs(
            [j.raw for j in got if j.adapter == adapter and j.region == "us-east-1"],
            expected_raw(emu_env, adapter, "us-east-1"),
        )
    assert {j.region for j in got} == {"us-east-1"}
    assert it.failures and all(f.region == "eu-west-1" for f in it.failures)
    assert all(isinstance(f.error, AccessDeniedError) for f in it.failures)
    warned = [w for w in caught if issubclass(w.category, JobkitWarning)]
    assert bool(warned) == (mode == "warn")


async def test_bad_fanout_arguments(driver: Driver) -> None:
    """Bad errors= / max_concurrency= / shards= / profiles= values are usage errors naming
    what is right, raised when the listing is made."""
    with pytest.raises(UsageError, match="'collect'"):
        driver.open("sagemaker.processing", errors="ignore")
    with pytest.raises(UsageError, match="max_concurrency"):
        driver.open("sagemaker.processing", max_concurrency=0)
    with pytest.raises(UsageError, match="shards"):
        driver.open("sagemaker.processing", shards=0)
    with pytest.raises(UsageError, match="no-such"):
        driver.open("sagemaker.processing", profiles=["no-such"])


async def test_break_stops_promptly_and_cleans_up(emu_env: Emulator, driver: Driver) -> None:
    """Breaking out closes the listing: threads joined or tasks ended, no further requests."""
    emu_env.set_faults(Faults(latency=0.05))
    try:
        got, _ = await driver.take(151, ADAPTERS, max_concurrency=8)
        assert len(got) == 151
        assert not driver.leftovers()
        count = emu_env.request_count()
        await asyncio.sleep(0.3)
        assert emu_env.request_count() == count, "requests went on after close()"
    finally:
        emu_env.set_faults(None)


async def test_cancelling_the_task_cleans_up(emu_env: Emulator) -> None:
    """Cancelling the task consuming ``ajobs()`` stops every call and closes every client
    (async only: a sync loop has no task to cancel)."""
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


async def test_ordered_merge_across_adapters(emu_env: Emulator, driver: Driver) -> None:
    """order="created-desc" gives one global order across every stream, and the same jobs."""
    got, _ = await driver.collect(ADAPTERS, order="created-desc")
    expected = [r for a in ADAPTERS for r in expected_raw(emu_env, a, "us-east-1")]
    same_jobs([j.raw for j in got], expected)
    dated = [j.created for j in got if j.created is not None]
    assert dated == sorted(dated, reverse=True)


@pytest.mark.parametrize(
    ("order", "limit", "pages"),
    [("created-desc", 150, 2), ("created-asc", 150, 2), ("created-desc", 250, 3)],
)
async def test_top_k_from_a_sorted_source_reads_only_needed_pages(
    emu_env: Emulator, driver: Driver, order: str, limit: int, pages: int
) -> None:
    """limit=k over a server-sorted stream fetches ceil(k / page size) pages, no more."""
    emu_env.clear_requests()
    got, _ = await driver.collect("sagemaker.processing", order=order, limit=limit)
    truth = emu_env.data.records("sagemaker", "ListProcessingJobs", "us-east-1")
    if order == "created-asc":
        truth = truth[::-1]
    assert [j.raw for j in got] == truth[:limit]
    assert emu_env.request_count(operation="ListProcessingJobs") == pages


async def test_shards_list_each_job_once(emu_env: Emulator, driver: Driver) -> None:
    """shards=n splits a stream into n creation-time windows; each job comes exactly once."""
    emu_env.clear_requests()
    got, it = await driver.collect("sagemaker.processing", shards=5)
    same_jobs([j.raw for j in got], expected_raw(emu_env, "sagemaker.processing", "us-east-1"))
    windows = {
        (r.params.get("CreationTimeAfter"), r.params.get("CreationTimeBefore"))
        for r in emu_env.requests
        if r.operation == "ListProcessingJobs"
    }
    assert len(windows) == 5 and it.stats.streams == 5


async def test_shards_of_a_filter_object_api(emu_env: Emulator, driver: Driver) -> None:
    """shards=n where the time window goes in a Filter object (Comprehend Medical): n streams,
    each job once."""
    got, it = await driver.collect("comprehendmedical.snomedct", shards=6)
    same_jobs(
        [j.raw for j in got], expected_raw(emu_env, "comprehendmedical.snomedct", "us-east-1")
    )
    assert it.stats.streams == 6


async def test_shards_ignore_adapters_without_time_filters(
    emu_env: Emulator, driver: Driver
) -> None:
    """An adapter whose API cannot filter by time is listed as one stream despite shards."""
    got, _ = await driver.collect("cleanroomsml.trained-model-export", shards=4)
    same_jobs(
        [j.raw for j in got],
        expected_raw(emu_env, "cleanroomsml.trained-model-export", "us-east-1"),
    )


async def test_comprehend_medical_is_merged_lazily_when_newest_first(
    emu_env: Emulator, driver: Driver
) -> None:
    """Newest first, Comprehend Medical gets a lower time bound (it then sorts newest first),
    so limit=k reads only the pages it needs."""
    emu_env.clear_requests()
    got, _ = await driver.collect("comprehendmedical.snomedct", order="created-desc", limit=600)
    truth = expected_raw(emu_env, "comprehendmedical.snomedct", "us-east-1")
    newest = sorted(truth, key=lambda r: r["SubmitTime"], reverse=True)[:600]
    assert [j.raw for j in got] == newest
    assert emu_env.request_count(operation="ListSNOMEDCTInferenceJobs") == 2


async def test_page_size_caps_each_page(emu_env: Emulator, driver: Driver) -> None:
    """page_size=n asks for n jobs per page: more requests, the same jobs."""
    emu_env.clear_requests()
    got, it = await driver.collect("sagemaker.processing", page_size=40)
    same_jobs([j.raw for j in got], expected_raw(emu_env, "sagemaker.processing", "us-east-1"))
    sizes = {
        r.params.get("MaxResults") for r in emu_env.requests if r.operation == "ListProcessingJobs"
    }
    assert sizes == {40} and it.stats.pages == -(-len(got) // 40)
    with pytest.raises(UsageError, match="page_size"):
        driver.open("sagemaker.processing", page_size=0)


# --------------------------------------------------------------------------- issue 11


async def _settled_request_count(emu: Emulator) -> int:
    """The emulator's request count once no request has arrived for 0.2 s (a cancelled call's
    request may still be on its way when the listing has closed)."""
    count = emu.request_count()
    while True:
        await asyncio.sleep(0.2)
        now = emu.request_count()
        if now == count:
            return count
        count = now


async def test_stats_after_a_break_count_what_was_sent_and_released(
    emu_env: Emulator, driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Breaking out of a paced listing of many streams: stats.requests equals the requests
    the emulator received (a call cancelled while it waited for its pacing slot was never
    sent) and stats.jobs the jobs the caller got."""
    # Limiters are shared per credentials and endpoint: a key of its own keeps the ones this
    # test slows down away from every other test.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", f"pacing-{uuid.uuid4().hex}")
    emu_env.set_faults(Faults(rate_limit=2.0, burst=1.0))
    emu_env.clear_requests()
    try:
        got, it = await driver.take(
            600,
            ADAPTERS,
            regions=["us-east-1", "us-west-2"],
            max_concurrency=16,
            retry=jobkit.RetryPolicy(max_attempts=40, backoff_base=0.001, backoff_cap=0.01),
        )
        sent = await _settled_request_count(emu_env)
    finally:
        emu_env.set_faults(None)
    assert len(got) == 600
    assert it.stats.throttles > 0, "the rate limit should have engaged pacing"
    assert it.stats.jobs == 600
    assert it.stats.requests == sent
