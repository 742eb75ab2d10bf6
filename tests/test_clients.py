"""The boto3 clients of the sessions jobkit keeps are kept across listings: a second listing
creates none, each listing still counts its own requests, and the cache closes what it lets
go; sessions passed in or assuming a role keep clients of their own, closed with the listing.

Clients are real boto3 clients talking HTTP to the emulator. They are observed through
botocore's public ``creating-client-class`` event, which lets a session add a base class to
the clients it creates: the base records each client made and each ``close()``.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator
from functools import partial
from typing import Any

import boto3
import pytest
from emulator_env import use_emulator

import jobkit
from jobkit.core.plan import Call
from jobkit.core.policy import RetryPolicy
from jobkit.core.stats import Stats
from jobkit.drivers._clients import SYNC_CLIENTS, ClientCache
from jobkit.drivers._config import client_config, config_key
from jobkit.drivers._sessions import _KEEP, _Cache, new_sync_session, sync_session
from jobkit.drivers.base import BaseDriver
from jobkit.drivers.sync import SyncDriver
from jobkit.testing import REFERENCE_NOW, Emulator
from tests.groundtruth import expected_raw, few_jobs, same_jobs

#: Six adapters of six services: six clients per listing.
ADAPTERS = [
    "sagemaker.processing",
    "batch.jobs",
    "glue.job-runs",
    "comprehend.entities",
    "transcribe.transcription",
    "athena.query-executions",
]
SERVICES = 6


class Recorder:
    """Records the clients a session creates and which of them are closed."""

    def __init__(self) -> None:
        self.made: list[Any] = []
        self.closed: list[Any] = []

    def attach(self, session: boto3.Session) -> boto3.Session:
        session.events.register("creating-client-class", self._mix)
        return session

    def _mix(self, base_classes: list[type], **_: Any) -> None:
        recorder = self

        class Recording:
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                recorder.made.append(self)

            def close(self) -> None:
                recorder.closed.append(self)
                super().close()  # type: ignore[misc]

        base_classes.insert(0, Recording)

    @property
    def open(self) -> list[Any]:
        return [client for client in self.made if client not in self.closed]


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Every test starts and ends with no kept session or client."""
    jobkit.clear_session_cache()
    yield
    jobkit.clear_session_cache()


@pytest.fixture
def kept(small_env: Emulator) -> Recorder:
    """A recorder on the session jobkit keeps for the test's environment (the small emulator)."""
    recorder = Recorder()
    recorder.attach(sync_session())
    return recorder


def _list(*adapters: str, **options: Any) -> jobkit.JobIterator:
    """A finished listing (its jobs consumed), for its stats."""
    it = jobkit.jobs(list(adapters or ADAPTERS), regions=["us-east-1"], **options)
    with it:
        assert list(it)
    return it


def test_the_cache_holds_a_listing_of_every_adapter_in_two_regions(kept: Recorder) -> None:
    """Every adapter in two regions (over a hundred clients: a cache smaller than one
    listing's clients would keep none of them, least recently used first) is listed twice:
    the second listing creates no client."""
    import warnings

    from jobkit.adapters import REGISTRY
    from jobkit.core.plan import missing_scopes

    names = [a.name for a in jobkit.adapters() if not missing_scopes(REGISTRY[a.name], {})]
    regions = ["us-east-1", "us-west-2"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # services not offered in a region are skipped
        jobkit.jobs(names, regions=regions).collect()
        made = len(kept.made)
        assert made > 100, made
        jobkit.jobs(names, regions=regions).collect()
    assert len(kept.made) == made
    assert kept.closed == []


def test_a_second_listing_creates_no_client(kept: Recorder) -> None:
    """The first listing of six services creates six clients and keeps them open; a second
    listing of the same adapters creates none and closes none."""
    _list()
    assert len(kept.made) == SERVICES
    assert kept.closed == []
    assert len(SYNC_CLIENTS) == SERVICES
    _list()
    assert len(kept.made) == SERVICES
    assert kept.closed == []


def test_each_listing_counts_its_own_requests_on_shared_clients(
    kept: Recorder, small_env: Emulator
) -> None:
    """Two listings one after another on the same kept clients: each one's request count is
    what the emulator received during it (handlers are not registered twice)."""
    counts = []
    for _ in range(2):
        small_env.clear_requests()
        it = _list(page_size=2)
        counts.append(it.stats.requests)
        assert it.stats.requests == len(small_env.requests) > SERVICES
    assert counts[0] == counts[1]
    assert len(kept.made) == SERVICES


def test_watching_a_client_twice_counts_each_request_once(small_env: Emulator) -> None:
    """Registering jobkit's request counter on a client it already watches is a no-op, so a
    reused client counts one request once."""
    driver = SyncDriver(
        session=new_sync_session(), policy=RetryPolicy(), stats=Stats(), limiters=None
    )
    try:
        client = driver.client("sagemaker", "us-east-1")
        BaseDriver._watch(client)
        BaseDriver._watch(client)
        small_env.clear_requests()
        call = Call(
            service="sagemaker", region="us-east-1", operation="ListProcessingJobs", params={}
        )
        driver.call(call, "e")
        assert driver.stats.requests == len(small_env.requests) == 1
    finally:
        driver.close()


def test_two_listings_in_two_threads_share_a_client(emu_env: Emulator) -> None:
    """Two listings running at once in two threads use one kept SageMaker client; each lists
    exactly its jobs and counts exactly its own requests."""
    recorder = Recorder()
    recorder.attach(sync_session())
    emu_env.clear_requests()
    adapters = ("sagemaker.processing", "sagemaker.labeling-workteam")
    start = threading.Barrier(2)
    results: dict[str, tuple[list[jobkit.Job], int]] = {}
    errors: list[BaseException] = []

    def run(adapter: str) -> None:
        try:
            it = jobkit.jobs(adapter, regions=["us-east-1"], page_size=10, max_concurrency=4)
            start.wait()
            with it:
                results[adapter] = (list(it), it.stats.requests)
        except BaseException as exc:  # the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(adapter,)) for adapter in adapters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(recorder.made) == 1  # one SageMaker client, shared
    for adapter in adapters:
        same_jobs([j.raw for j in results[adapter][0]], expected_raw(emu_env, adapter, "us-east-1"))
    operations = [record.operation == "ListProcessingJobs" for record in emu_env.requests]
    first, last = operations.index(True), len(operations) - operations[::-1].index(True)
    assert not all(operations[first:last])  # the listings overlapped
    processing = emu_env.request_count(operation="ListProcessingJobs")
    assert results["sagemaker.processing"][1] == processing > 10
    assert results["sagemaker.labeling-workteam"][1] == len(emu_env.requests) - processing > 10


def test_a_changed_environment_gives_new_clients(
    kept: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new AWS_ACCESS_KEY_ID gives a new session, and a listing then creates its own
    clients; going back to the old key finds the old clients again."""
    _list()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ANOTHERKEY")
    other = Recorder()
    other.attach(sync_session())
    _list()
    assert len(other.made) == SERVICES
    assert len(SYNC_CLIENTS) == 2 * SERVICES
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    _list()
    assert len(kept.made) == SERVICES and len(other.made) == SERVICES


def test_other_client_settings_give_other_clients(kept: Recorder) -> None:
    """A listing with a larger connection pool (max_concurrency) or other timeouts does not
    reuse clients configured otherwise."""
    _list("sagemaker.processing")
    _list("sagemaker.processing", max_concurrency=40)
    _list("sagemaker.processing", retry=RetryPolicy(read_timeout=5.0))
    _list("sagemaker.processing", max_concurrency=40)
    assert len(kept.made) == 3


def test_a_session_passed_in_gets_its_own_clients_closed_at_the_end(small_env: Emulator) -> None:
    """A caller's boto3 session is never cached: each listing creates its clients and closes
    every one of them when it ends."""
    recorder = Recorder()
    session = recorder.attach(boto3.Session())
    for listings in (1, 2):
        _list(session=session)
        assert len(recorder.made) == SERVICES * listings
        assert recorder.open == []
    assert len(SYNC_CLIENTS) == 0


@pytest.fixture(scope="module")
def org_emulator() -> Iterator[Emulator]:
    """An emulator serving an organization of three accounts, a few jobs each."""
    with Emulator(accounts=3, now=REFERENCE_NOW, sizes=few_jobs()) as emu:
        yield emu


def test_assumed_role_sessions_keep_no_clients(
    org_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A listing of member accounts through an assumed role keeps none of their clients (not
    even while their sessions live)."""
    use_emulator(monkeypatch, org_emulator)
    members = list(org_emulator.organization.account_ids[1:])
    got = []
    kept = []
    for job in jobkit.jobs(
        "sagemaker.processing", accounts=members, role_name="OrganizationAccountAccessRole"
    ):
        got.append(job)
        kept.append(len(SYNC_CLIENTS))  # while the member's session is in use
    assert {j.account for j in got} == set(members)
    assert set(kept) == {0}


def test_clear_session_cache_closes_kept_clients(kept: Recorder) -> None:
    """clear_session_cache() closes every kept client and the next listing makes new ones."""
    _list()
    assert kept.closed == []
    jobkit.clear_session_cache()
    assert len(kept.closed) == SERVICES and kept.open == []
    assert len(SYNC_CLIENTS) == 0
    _list()
    assert len(SYNC_CLIENTS) == SERVICES


def test_clearing_during_a_listing_closes_its_clients_when_it_ends(kept: Recorder) -> None:
    """A kept client a running listing uses is closed when that listing ends, not under it."""
    it = jobkit.jobs("sagemaker.processing", regions=["us-east-1"], page_size=1)
    with it:
        next(it)
        jobkit.clear_session_cache()
        assert kept.closed == []
        assert list(it)
    assert len(kept.closed) == 1


def test_eviction_closes_the_evicted_client(
    kept: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond its bound the cache evicts the least recently used client and closes it: at
    once if no listing uses it, else when its listing ends."""
    monkeypatch.setattr(SYNC_CLIENTS, "keep", 2)
    _list("sagemaker.processing")
    _list("batch.jobs")
    assert kept.closed == []
    _list("glue.job-runs")  # evicts SageMaker's, unused
    assert [type(c).__name__ for c in kept.closed] == ["SageMaker"]
    _list("comprehend.entities", "transcribe.transcription", "athena.query-executions")
    # Batch and Glue evicted at once, then the first of these three once the listing ended.
    assert len(kept.closed) == 4
    assert len(SYNC_CLIENTS) == 2
    assert len(kept.open) == 2


def test_a_leased_client_is_closed_on_release_after_eviction() -> None:
    """A client evicted while a listing leases it stays open until that listing releases it."""
    recorder = Recorder()
    session = recorder.attach(new_sync_session())
    cache = ClientCache(keep=1)
    cache.adopt(session)
    first, lease = cache.get(session, "a", lambda: session.client("sts", region_name="us-east-1"))
    cache.get(session, "b", lambda: session.client("sts", region_name="us-east-1"))
    assert lease is not None and recorder.closed == []
    cache.release(lease)
    assert recorder.closed == [first]


def test_a_dropped_session_drops_its_clients() -> None:
    """Sessions are held weakly: when one is garbage-collected its clients are closed and
    forgotten."""
    recorder = Recorder()
    session = recorder.attach(new_sync_session())
    cache = ClientCache()
    cache.adopt(session)
    client, lease = cache.get(session, "a", partial(session.client, "sts", region_name="us-east-1"))
    assert lease is not None
    cache.release(lease)
    gone = weakref.ref(session)
    del session
    gc.collect()
    assert gone() is None
    assert len(cache) == 0
    assert recorder.closed == [client]


def test_a_session_not_adopted_gets_a_client_of_its_own() -> None:
    """get() on a session the cache never adopted creates a client and leases nothing."""
    session = new_sync_session()
    cache = ClientCache()
    _, lease = cache.get(session, "a", lambda: session.client("sts", region_name="us-east-1"))
    assert lease is None and len(cache) == 0


def test_the_client_key_holds_the_settings_and_no_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The configuration part of a client's key tells timeouts and pool sizes apart and holds
    no secret, even when the proxy settings carry a password."""
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-never-in-a-key")
    session = sync_session()
    base = client_config(session, RetryPolicy())
    assert config_key(base) == config_key(client_config(session, RetryPolicy()))
    assert config_key(base) != config_key(client_config(session, RetryPolicy(read_timeout=5.0)))
    assert config_key(base) != config_key(
        client_config(session, RetryPolicy(), max_pool_connections=40)
    )
    proxied = base.merge(type(base)(proxies={"https": "http://user:pa55word@proxy:3128"}))
    assert "pa55word" not in repr(config_key(proxied))
    assert "s3cr3t" not in repr(config_key(base))


def test_a_session_evicted_from_the_session_cache_has_its_clients_closed() -> None:
    """When the session cache lets a session go (beyond its bound), the client cache stops
    keeping that session's clients and closes them."""
    clients = ClientCache()
    sessions = _Cache(clients)
    recorder = Recorder()
    first = recorder.attach(sessions.get("p0", new_sync_session))
    client, lease = clients.get(first, "a", partial(first.client, "sts", region_name="us-east-1"))
    assert lease is not None
    clients.release(lease)
    for n in range(1, _KEEP + 1):
        sessions.get(f"p{n}", new_sync_session)
    assert not clients.adopted(first)
    assert recorder.closed == [client]
