"""Fan-out: regions x accounts x streams concurrently, partial failures, merge, shards, close."""

from __future__ import annotations

import threading
import time
import warnings

import boto3
import pytest

import jobkit
from jobkit.core.fanout import JobkitWarning
from jobkit.drivers._config import available_regions
from jobkit.errors import AccessDeniedError, UsageError
from jobkit.testing import Emulator, Faults
from tests.groundtruth import SEED, expected_raw, same_jobs

ADAPTERS = list(SEED)


def jobkit_threads() -> list[threading.Thread]:
    """jobkit's own worker threads (the emulator's server threads are not jobkit's)."""
    return [t for t in threading.enumerate() if t.name.startswith("jobkit_")]


def test_regions_and_accounts_fan_out(emu_env: Emulator) -> None:
    """Two regions x two accounts: each account lists each region's jobs once."""
    sessions = [boto3.Session(), boto3.Session()]
    regions = ["us-east-1", "eu-west-1"]
    it = jobkit.jobs("comprehendmedical.snomedct", regions=regions, session=sessions)
    got = list(it)
    for region in regions:
        expected = expected_raw(emu_env, "comprehendmedical.snomedct", region)
        # Both accounts see the same emulator data: every job exactly twice.
        same_jobs([j.raw for j in got if j.region == region], expected + expected, unique=False)
        for account in ("session0", "session1"):
            endpoint = it.stats.endpoints[f"comprehendmedical/{region}@{account}"]
            assert endpoint.jobs == len(expected)
    assert len(it.stats.endpoints) == 4


def test_all_regions_means_the_partition(emu_env: Emulator) -> None:
    """regions="all" lists every region botocore offers the service in the default partition."""
    got = list(jobkit.jobs("comprehendmedical.snomedct", regions="all", limit=None))
    expected_regions = set(available_regions("comprehendmedical", "aws"))
    assert {j.region for j in got} == expected_regions
    assert "us-gov-west-1" not in expected_regions


def test_region_without_the_service_is_skipped(emu_env: Emulator) -> None:
    """A region where the service is not offered is skipped with a notice, not an error."""
    it = jobkit.jobs(["comprehendmedical.snomedct", "sagemaker.processing"], regions=["eu-north-1"])
    with pytest.warns(jobkit.JobkitWarning, match="1 not-offered"):
        got = list(it)
    assert [(s.adapter, s.region, s.reason) for s in it.skipped] == [
        ("comprehendmedical.snomedct", "eu-north-1", "not-offered")
    ]
    assert it.stats.skipped == 1
    same_jobs([j.raw for j in got], expected_raw(emu_env, "sagemaker.processing", "eu-north-1"))


#: Every service the seed adapters call (listing and discovery).
SERVICES = ("sagemaker", "comprehendmedical", "batch", "cleanroomsml", "cleanrooms")


def _deny_eu(emu: Emulator, faults: Faults | None = None) -> None:
    """Deny (or, with None, restore) eu-west-1 for every service, per (service, region): a
    service-wide setting left by another test cannot shadow it."""
    for service in SERVICES:
        emu.set_faults(faults, service=service, region="eu-west-1")


def test_errors_raise_stops_everything(emu_env: Emulator) -> None:
    """errors="raise": a denied region stops the listing with a typed error, no hung threads."""
    _deny_eu(emu_env, Faults(access_denied=True))
    try:
        with pytest.raises(AccessDeniedError):
            list(jobkit.jobs(ADAPTERS, regions=["us-east-1", "eu-west-1"], errors="raise"))
    finally:
        _deny_eu(emu_env)
    assert not jobkit_threads()


@pytest.mark.parametrize("mode", ["warn", "collect"])
def test_errors_warn_and_collect_go_on(emu_env: Emulator, mode: str) -> None:
    """errors="warn"/"collect": the failing region (expired static credentials) fails alone;
    every other stream is listed."""
    _deny_eu(emu_env, Faults(expired_token=1.0))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            it = jobkit.jobs(ADAPTERS, regions=["us-east-1", "eu-west-1"], errors=mode)
            got = list(it)
    finally:
        _deny_eu(emu_env)
    for adapter in ADAPTERS:
        same_jobs(
            [j.raw for j in got if j.adapter == adapter and j.region == "us-east-1"],
            expected_raw(emu_env, adapter, "us-east-1"),
        )
    assert not [j for j in got if j.region == "eu-west-1"]
    assert it.failures and all(f.region == "eu-west-1" for f in it.failures)
    assert all(isinstance(f.error, AccessDeniedError) for f in it.failures)
    warned = [w for w in caught if issubclass(w.category, JobkitWarning)]
    assert bool(warned) == (mode == "warn")


def test_bad_fanout_arguments() -> None:
    """Bad errors= / max_concurrency= / shards= values are usage errors naming what is right."""
    with pytest.raises(UsageError, match="'collect'"):
        jobkit.jobs("sagemaker.processing", errors="ignore")
    with pytest.raises(UsageError, match="max_concurrency"):
        jobkit.jobs("sagemaker.processing", max_concurrency=0)
    with pytest.raises(UsageError, match="shards"):
        jobkit.jobs("sagemaker.processing", shards=0)
    with pytest.raises(UsageError, match="no-such"):
        jobkit.jobs("sagemaker.processing", profiles=["no-such"])


def test_break_stops_promptly_and_cleans_up(emu_env: Emulator) -> None:
    """Breaking out closes the listing: threads joined, no further requests afterwards."""
    emu_env.set_faults(Faults(latency=0.05))
    try:
        it = jobkit.jobs(ADAPTERS, max_concurrency=8)
        for n, _job in enumerate(it):
            if n == 150:
                break
        it.close()
        assert not jobkit_threads()
        count = emu_env.request_count()
        time.sleep(0.3)
        assert emu_env.request_count() == count, "requests went on after close()"
    finally:
        emu_env.set_faults(None)


def test_ordered_merge_across_adapters(emu_env: Emulator) -> None:
    """order="created-desc" gives one global order across every stream, and the same jobs."""
    got = list(jobkit.jobs(ADAPTERS, order="created-desc"))
    expected = [r for a in ADAPTERS for r in expected_raw(emu_env, a, "us-east-1")]
    same_jobs([j.raw for j in got], expected)
    dated = [j.created for j in got if j.created is not None]
    assert dated == sorted(dated, reverse=True)


@pytest.mark.parametrize("order", ["created-desc", "created-asc"])
def test_top_k_from_a_sorted_source_reads_only_needed_pages(emu_env: Emulator, order: str) -> None:
    """limit=k over a server-sorted stream fetches ceil(k / page size) pages, no more."""
    emu_env.clear_requests()
    got = list(jobkit.jobs("sagemaker.processing", order=order, limit=150))
    truth = emu_env.data.records("sagemaker", "ListProcessingJobs", "us-east-1")
    if order == "created-asc":
        truth = truth[::-1]
    assert [j.raw for j in got] == truth[:150]
    assert emu_env.request_count(operation="ListProcessingJobs") == 2


def test_shards_list_each_job_once(emu_env: Emulator) -> None:
    """shards=n splits a stream into n creation-time windows; each job comes exactly once."""
    emu_env.clear_requests()
    it = jobkit.jobs("sagemaker.processing", shards=5)
    got = list(it)
    same_jobs([j.raw for j in got], expected_raw(emu_env, "sagemaker.processing", "us-east-1"))
    windows = {
        (r.params.get("CreationTimeAfter"), r.params.get("CreationTimeBefore"))
        for r in emu_env.requests
        if r.operation == "ListProcessingJobs"
    }
    assert len(windows) == 5 and it.stats.streams == 5


def test_shards_ignore_adapters_without_time_filters(emu_env: Emulator) -> None:
    """An adapter whose API cannot filter by time is listed as one stream despite shards."""
    it = jobkit.jobs("cleanroomsml.trained-model-export", shards=4)
    got = list(it)
    same_jobs(
        [j.raw for j in got],
        expected_raw(emu_env, "cleanroomsml.trained-model-export", "us-east-1"),
    )


def test_comprehend_medical_is_merged_lazily_when_newest_first(emu_env: Emulator) -> None:
    """Newest first, Comprehend Medical gets a lower time bound (it then sorts newest first),
    so limit=k reads only the pages it needs."""
    emu_env.clear_requests()
    got = list(jobkit.jobs("comprehendmedical.snomedct", order="created-desc", limit=600))
    truth = expected_raw(emu_env, "comprehendmedical.snomedct", "us-east-1")
    newest = sorted(truth, key=lambda r: r["SubmitTime"], reverse=True)[:600]
    assert [j.raw for j in got] == newest
    assert emu_env.request_count(operation="ListSNOMEDCTInferenceJobs") == 2


def test_page_size_caps_each_page(emu_env: Emulator) -> None:
    """page_size=n asks for n jobs per page: more requests, the same jobs."""
    emu_env.clear_requests()
    it = jobkit.jobs("sagemaker.processing", page_size=40)
    got = list(it)
    same_jobs([j.raw for j in got], expected_raw(emu_env, "sagemaker.processing", "us-east-1"))
    sizes = {
        r.params.get("MaxResults") for r in emu_env.requests if r.operation == "ListProcessingJobs"
    }
    assert sizes == {40} and it.stats.pages == -(-len(got) // 40)
    with pytest.raises(UsageError, match="page_size"):
        jobkit.jobs("sagemaker.processing", page_size=0)
