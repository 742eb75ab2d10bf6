"""Unavailable is not failed: skipped streams are reported, dead endpoints settle at once."""

from __future__ import annotations

import collections
import socket
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from emulator_env import use_emulator

import jobkit
from jobkit.adapters import REGISTRY
from jobkit.core.availability import unavailable_reason
from jobkit.core.plan import missing_scopes
from jobkit.errors import AccessDeniedError, ConnectionFailedError, NotFoundError
from jobkit.testing import Emulator, Faults
from tests.drivers import Driver
from tests.groundtruth import GROUND_TRUTH_ADAPTERS, expected_raw, same_jobs
from tests.test_fanout import _deny_eu

ADAPTERS = list(GROUND_TRUTH_ADAPTERS)


def _only_us_east_1_listed(emu: Emulator, got: list[jobkit.Job]) -> None:
    """Every adapter's us-east-1 ground truth exactly once, nothing of eu-west-1."""
    for adapter in ADAPTERS:
        same_jobs(
            [j.raw for j in got if j.adapter == adapter and j.region == "us-east-1"],
            expected_raw(emu, adapter, "us-east-1"),
        )
    assert not [j for j in got if j.region == "eu-west-1"]


@pytest.fixture
def denied_eu(emu_env: Emulator) -> Iterator[Emulator]:
    """eu-west-1 answers AccessDenied for every service the five original adapters call."""
    _deny_eu(emu_env, Faults(access_denied=True))
    try:
        yield emu_env
    finally:
        _deny_eu(emu_env)


async def test_denied_region_is_skipped_and_reported(denied_eu: Emulator, driver: Driver) -> None:
    """By default a denied region is skipped, reported once per stream with its reason and
    error, counted, and summarized in one warning; every other stream is listed exactly."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got, it = await driver.collect(ADAPTERS, regions=["us-east-1", "eu-west-1"])
    _only_us_east_1_listed(denied_eu, got)
    skipped = it.skipped
    assert skipped and all(s.region == "eu-west-1" for s in skipped)
    assert all(s.reason == "access-denied" for s in skipped)
    assert all(isinstance(s.error, AccessDeniedError) for s in skipped)
    assert {s.adapter for s in skipped} == set(ADAPTERS)
    assert it.stats.skipped == len(skipped)
    assert not it.failures
    summaries = [w for w in caught if issubclass(w.category, jobkit.JobkitWarning)]
    assert len(summaries) == 1
    assert f"skipped {len(skipped)} unavailable" in str(summaries[0].message)


async def test_errors_raise_keeps_denials_fatal(denied_eu: Emulator, driver: Driver) -> None:
    """errors="raise" is strict: the first denied stream stops the listing."""
    with pytest.raises(AccessDeniedError):
        await driver.collect(ADAPTERS, regions=["us-east-1", "eu-west-1"], errors="raise")


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections: bound and never listening, and held for
    the test, so no other server (another test worker's emulator) can take it meanwhile."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


async def test_dead_endpoint_settles_at_once(
    small_env: Emulator, driver: Driver, monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    """A refused connection is not backed off ten times: each of the dead service's streams
    fails with ConnectionFailedError after exactly one attempt (counted as sent), nothing is
    retried, and every other adapter is listed as it is with the service alive. (Counted,
    not timed: a wall-time comparison failed on a loaded machine with nothing retried.)"""
    # Every adapter that needs no scope from the caller: sagemaker's dead, the rest alive.
    names = [a.name for a in jobkit.adapters() if not missing_scopes(REGISTRY[a.name], {})]

    async def collect() -> Any:
        jobkit.clear_session_cache()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return await driver.collect(names, errors="warn")

    listed, alive = await collect()
    with monkeypatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", f"http://127.0.0.1:{closed_port}")
        got, it = await collect()
    assert not alive.failures
    others = {j.adapter for j in listed if REGISTRY[j.adapter].service != "sagemaker"}
    assert others and {j.adapter for j in got} == others
    failed = [f.adapter for f in it.failures]
    assert failed and all(REGISTRY[name].service == "sagemaker" for name in failed)
    assert all(isinstance(f.error, ConnectionFailedError) for f in it.failures)
    assert all("not retried" in f.error.message for f in it.failures)
    assert it.stats.retries == 0
    attempts = {
        adapter: n
        for (_, adapter), n in it.stats.adapter_requests.items()
        if REGISTRY[adapter].service == "sagemaker"
    }
    assert attempts == dict(collections.Counter(failed)), attempts  # one per failed stream


async def test_refused_connection_raises_fast_by_default(
    emu_env: Emulator, driver: Driver, monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    """Without errors="warn" a refused endpoint is an error, raised at once: not retried
    (the message says so), and within 3 s where backing off ten attempts takes far longer."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port}")
    jobkit.clear_session_cache()
    start = time.perf_counter()
    with pytest.raises(ConnectionFailedError, match="not retried"):
        await driver.collect("sagemaker.processing")
    assert time.perf_counter() - start < 3.0


def test_reasons_are_decided_from_the_error() -> None:
    """unavailable_reason: codes map to reasons; not-found only for a discovered scope; a
    host name that does not resolve anywhere in the chain is "no-endpoint"."""
    denied = AccessDeniedError("no", code="AccessDeniedException")
    assert unavailable_reason(denied) == "access-denied"
    gone = NotFoundError("gone", code="ResourceNotFoundException")
    assert unavailable_reason(gone, discovered_scope=True) == "scope-gone"
    assert unavailable_reason(gone, discovered_scope=False) is None
    optin = AccessDeniedError("opt in", code="OptInRequired")
    assert unavailable_reason(optin) == "opt-in-required"
    unresolved = ConnectionFailedError("could not reach")
    try:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as inner:
            raise unresolved from inner
    except ConnectionFailedError:
        pass
    assert unavailable_reason(unresolved) == "no-endpoint"
    assert unavailable_reason(ConnectionFailedError("refused")) is None


@pytest.fixture
def fresh_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An emulator of this test's own (scopes deleted in it stay deleted)."""
    from jobkit.testing import REFERENCE_NOW

    with Emulator(now=REFERENCE_NOW) as emu:
        use_emulator(monkeypatch, emu)
        jobkit.clear_session_cache()
        yield emu


async def test_discovered_scope_deleted_is_skipped(
    fresh_emulator: Emulator, driver: Driver
) -> None:
    """A work team and a job queue deleted after discovery listed them: their streams are
    skipped as scope-gone (with the service's not-found error); every other scope is listed
    exactly once. Named explicitly, the same deleted scope is an error."""
    emu = fresh_emulator
    region = "us-east-1"
    team = emu.data.workteams(region)[0]["WorkteamArn"]
    queue = next(
        q for q in emu.data.job_queues(region) if q.get("jobQueueType") == "SAGEMAKER_TRAINING"
    )
    expected_labeling = [
        r
        for t in emu.data.workteams(region)
        if t["WorkteamArn"] != team
        for r in emu.data.records(
            "sagemaker", "ListLabelingJobsForWorkteam", region, WorkteamArn=t["WorkteamArn"]
        )
    ]
    expected_batch = [
        r
        for q in emu.data.job_queues(region)
        if q.get("jobQueueType") == "SAGEMAKER_TRAINING"
        and q["jobQueueArn"] != queue["jobQueueArn"]
        for r in emu.data.records("batch", "ListServiceJobs", region, jobQueue=q["jobQueueArn"])
    ]
    emu.delete_scope(region, WorkteamArn=team)
    emu.delete_scope(region, jobQueue=queue["jobQueueArn"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got, it = await driver.collect(
            ["sagemaker.labeling-workteam", "batch.service"], regions=[region]
        )
    same_jobs([j.raw for j in got if j.adapter == "sagemaker.labeling-workteam"], expected_labeling)
    same_jobs([j.raw for j in got if j.adapter == "batch.service"], expected_batch)
    gone = {(s.adapter, tuple(sorted(s.scope.values()))) for s in it.skipped}
    assert ("sagemaker.labeling-workteam", (team,)) in gone
    assert any(a == "batch.service" and queue["jobQueueArn"] in v for a, v in gone)
    assert all(s.reason == "scope-gone" for s in it.skipped)
    with pytest.raises(NotFoundError):
        await driver.collect(
            "sagemaker.labeling-workteam", regions=[region], params={"WorkteamArn": team}
        )


@pytest.mark.parametrize(
    "reason", ["opt-in-required", "unrecognized-client", "not-subscribed", "access-denied"]
)
async def test_each_way_an_account_says_no_is_skipped(
    fresh_emulator: Emulator, driver: Driver, reason: str
) -> None:
    """The emulator answers a region as AWS does when it is not opted in, the credentials
    are not valid there, the account is not subscribed or may not call it: each is skipped
    with that reason, and the other region is listed exactly once."""
    emu = fresh_emulator
    emu.deny(region="eu-west-1", reason=reason)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got, it = await driver.collect(ADAPTERS, regions=["us-east-1", "eu-west-1"])
    _only_us_east_1_listed(emu, got)
    assert it.skipped and {s.reason for s in it.skipped} == {reason}
    assert {s.region for s in it.skipped} == {"eu-west-1"}
    assert not it.failures


def test_unbounded_discovery_runs_only_when_named(small_env: Emulator) -> None:
    """A listing of every adapter skips Step Functions map runs ("scope-required", no
    warning): finding them reads every execution of every state machine. Named, the
    adapter discovers its executions and lists their map runs."""
    small_env.clear_requests()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        it = jobkit.jobs(regions="us-east-1")
        listed = list(it)
    skipped = {s.adapter: s.reason for s in it.skipped}
    assert skipped.get("stepfunctions.map-runs") == "scope-required"
    assert not any(j.adapter == "stepfunctions.map-runs" for j in listed)
    assert not {"ListMapRuns", "DescribeMapRun"} & {r.operation for r in small_env.requests}
    small_env.clear_requests()
    jobkit.jobs("stepfunctions.map-runs", regions="us-east-1").collect()
    assert {"ListExecutions", "ListMapRuns"} <= {r.operation for r in small_env.requests}
