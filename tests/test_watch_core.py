"""The watch's decisions without I/O: reads per poll, events, pacing, the interval floor."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from jobkit.core.changes import (
    Capabilities,
    Read,
    ReadKind,
    knowledge_of,
    listing_arguments,
    plan_reads,
)
from jobkit.core.polling import (
    LOCAL_MIN_INTERVAL,
    MIN_INTERVAL,
    EventKind,
    Pacer,
    StreamWatch,
    check_interval,
    describe_calls,
    order_events,
)
from jobkit.errors import UsageError
from jobkit.model import Job, JobStatus

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
NOW = T0 + dt.timedelta(hours=1)

NEWEST_FIRST = Capabilities(
    sorted_desc=True, since=True, status=True, window_first=True, modified=None, page_size=100
)
NEITHER = Capabilities(
    sorted_desc=False, since=False, status=False, window_first=False, modified=None, page_size=50
)


def job(name: str, status: JobStatus, minutes: int, updated: int | None = None) -> Job:
    """A job created ``minutes`` after T0."""
    return Job(
        adapter="sagemaker.processing",
        service="sagemaker",
        name=name,
        id=name,
        status=status,
        raw_status=status.value,
        created=T0 + dt.timedelta(minutes=minutes),
        updated=None if updated is None else T0 + dt.timedelta(minutes=updated),
        region="us-east-1",
    )


def test_first_poll_is_a_silent_baseline_then_changes_are_events() -> None:
    """Jobs of the first poll make no event; a status change later makes one, with the
    previous status, and seeing the same status again makes none."""
    watch = StreamWatch(NEWEST_FIRST)
    assert watch.plan() == [Read(kind=ReadKind.WHOLE)]
    assert watch.observe("a", job("a", JobStatus.RUNNING, 50), NOW) is None
    watch.finish()
    watch.plan()
    event = watch.observe("a", job("a", JobStatus.SUCCEEDED, 50), NOW)
    assert event is not None and event.kind is EventKind.CHANGED
    assert event.previous is JobStatus.RUNNING and event.status is JobStatus.SUCCEEDED
    assert watch.observe("a", job("a", JobStatus.SUCCEEDED, 50), NOW) is None


def test_include_existing_reports_the_first_poll_as_new() -> None:
    """With report_existing, the first poll's jobs are NEW events."""
    watch = StreamWatch(NEWEST_FIRST, report_existing=True)
    watch.plan()
    event = watch.observe("a", job("a", JobStatus.RUNNING, 5), NOW)
    assert event is not None and event.kind is EventKind.NEW and event.previous is None


def test_two_statuses_between_polls_are_one_event_with_the_status_seen() -> None:
    """A job that went PENDING -> RUNNING -> SUCCEEDED between two polls is reported once,
    as SUCCEEDED, with PENDING as its previous status."""
    watch = StreamWatch(NEWEST_FIRST)
    watch.plan()
    watch.observe("a", job("a", JobStatus.PENDING, 5), NOW)
    watch.finish()
    watch.plan()
    event = watch.observe("a", job("a", JobStatus.SUCCEEDED, 5), NOW)
    assert event is not None
    assert (event.previous, event.status) == (JobStatus.PENDING, JobStatus.SUCCEEDED)


def test_later_polls_read_newest_first_back_to_the_oldest_running_job() -> None:
    """After the baseline, a newest-first stream is read back to the oldest non-terminal job
    (minus the overlap), not whole; with nothing running, back to the newest job."""
    watch = StreamWatch(NEWEST_FIRST, overlap=dt.timedelta(minutes=2))
    watch.plan()
    for minute in range(0, 300, 3):  # 100 jobs, every third minute; the newest 10 run
        status = JobStatus.RUNNING if minute >= 270 else JobStatus.SUCCEEDED
        watch.observe(f"j{minute}", job(f"j{minute}", status, minute), NOW)
    watch.finish()
    assert watch.plan() == [Read(kind=ReadKind.NEWEST, since=T0 + dt.timedelta(minutes=268))]


def test_since_limits_the_first_poll() -> None:
    """since= makes the first poll a window read instead of a whole listing."""
    watch = StreamWatch(NEWEST_FIRST, since=T0)
    assert watch.plan() == [Read(kind=ReadKind.NEWEST, since=T0)]


def test_a_stream_that_can_neither_sort_nor_filter_is_listed_whole_every_poll() -> None:
    """Without time sort or filter every poll is a whole listing (listed_whole says so)."""
    watch = StreamWatch(NEITHER)
    assert watch.listed_whole
    for _ in range(3):
        assert watch.plan() == [Read(kind=ReadKind.WHOLE)]
        watch.observe("a", job("a", JobStatus.RUNNING, 1), NOW)
        watch.finish()


def test_a_running_job_a_covering_read_did_not_return_is_gone() -> None:
    """A non-terminal job missing from a read that covers its creation time left the
    service: finish() names it once, and it no longer holds the window open."""
    watch = StreamWatch(NEWEST_FIRST)
    watch.plan()
    watch.observe("old", job("old", JobStatus.RUNNING, 1), NOW)
    watch.observe("new", job("new", JobStatus.SUCCEEDED, 50), NOW)
    watch.finish()
    reads = watch.plan()
    assert reads[0].since is not None and reads[0].since <= T0 + dt.timedelta(minutes=1)
    watch.observe("new", job("new", JobStatus.SUCCEEDED, 50), NOW)
    gone = watch.finish()
    assert [j.name for j in gone] == ["old"] and watch.is_gone("old")
    assert watch.finish() == []


def test_seeded_jobs_skip_the_whole_first_listing() -> None:
    """A wait() on jobs from a listing starts from them: the first poll reads a window."""
    seed = [("a", job("a", JobStatus.RUNNING, 30)), ("b", job("b", JobStatus.RUNNING, 40))]
    watch = StreamWatch(NEWEST_FIRST, seed=seed)
    reads = watch.plan()
    assert reads[0].kind is ReadKind.NEWEST
    assert reads[0].since is not None and reads[0].since < T0 + dt.timedelta(minutes=30)


def test_knowledge_of_counts_jobs_per_bound() -> None:
    """knowledge_of computes the watermark, the oldest non-terminal job and the counts the
    planner prices reads with."""
    created = [T0 + dt.timedelta(minutes=m) for m in range(10)]
    knowledge = knowledge_of(
        created, created[5:7], modified_watermark=None, overlap=dt.timedelta(minutes=1)
    )
    assert knowledge.watermark == created[-1] and knowledge.oldest_non_terminal == created[5]
    assert knowledge.newer_than(created[4]) == 6 and knowledge.newer_than(created[8]) == 2


def test_listing_arguments_per_read_kind() -> None:
    """Each read kind becomes the jobs() keywords the inventory and the watch both use."""
    since = T0
    assert listing_arguments(Read(kind=ReadKind.NEWEST, since=since), {}) == {
        "order": "created-desc",
        "params": {},
    }
    assert listing_arguments(Read(kind=ReadKind.SINCE, since=since), {"a": "b"}) == {
        "since": since,
        "params": {"a": "b"},
    }
    modified = Read(kind=ReadKind.MODIFIED, since=since, member="LastModifiedTimeAfter")
    assert listing_arguments(modified, {}) == {
        "params": {"LastModifiedTimeAfter": since.isoformat()}
    }
    assert Read(kind=ReadKind.NEWEST, since=since).past(since - dt.timedelta(seconds=1))
    assert not Read(kind=ReadKind.SINCE, since=since).past(since - dt.timedelta(seconds=1))


def test_events_of_a_poll_come_in_the_order_they_happened() -> None:
    """order_events sorts a poll's events by the jobs' modification times."""
    watch = StreamWatch(NEWEST_FIRST, report_existing=True)
    watch.plan()
    late = watch.observe("a", job("a", JobStatus.FAILED, 1, updated=30), NOW)
    early = watch.observe("b", job("b", JobStatus.SUCCEEDED, 2, updated=20), NOW)
    assert late is not None and early is not None
    assert order_events([late, early]) == [early, late]


def test_pacer_spaces_polls_and_stops_at_the_deadline() -> None:
    """The next poll starts an interval after the last one started; one due after the
    deadline is brought forward to it (what changed until then is still seen, and a wait
    never gives up early); none starts after it."""
    pacer = Pacer(interval=60.0, deadline=150.0)
    assert pacer.wait(0.0) == 0.0
    pacer.start(0.0)
    assert pacer.wait(10.0) == 50.0
    pacer.start(60.0)
    pacer.start(120.0)
    assert pacer.wait(125.0) == 25.0 and not pacer.expired(125.0)
    pacer.start(150.0)
    assert pacer.wait(150.5) is None and pacer.expired(150.0)


@pytest.mark.parametrize("value", [0, -1, 0.5, float("nan"), "60", True])
def test_interval_below_the_floor_is_a_usage_error(value: object) -> None:
    """interval must be a number of seconds at or above the floor (1 s against AWS)."""
    with pytest.raises(UsageError, match="interval"):
        check_interval(value, None)


def test_the_floor_is_lower_against_a_loopback_endpoint() -> None:
    """The emulator on 127.0.0.1 has no quota: the floor there is LOCAL_MIN_INTERVAL."""
    assert check_interval(MIN_INTERVAL, None) == MIN_INTERVAL
    assert check_interval(0.05, "http://127.0.0.1:5000") == 0.05
    with pytest.raises(UsageError):
        check_interval(LOCAL_MIN_INTERVAL / 2, "http://localhost:1")
    with pytest.raises(UsageError):
        check_interval(0.05, "https://sagemaker.us-east-1.amazonaws.com")


def test_a_newest_first_read_ends_once_every_running_job_is_seen() -> None:
    """After the last running job and past the new-job bound, the read is complete: the
    page that would only show the first older job is not fetched."""
    watch = StreamWatch(NEWEST_FIRST, overlap=dt.timedelta(minutes=2))
    watch.plan()
    for minute in range(0, 300, 3):
        status = JobStatus.RUNNING if minute in (270, 240) else JobStatus.SUCCEEDED
        watch.observe(f"j{minute}", job(f"j{minute}", status, minute), NOW)
    watch.finish()
    (read,) = watch.plan()
    progress = watch.progress(read)
    at = T0 + dt.timedelta(minutes=297)
    assert not progress.stop_before(at) and not progress.complete_after("j297", at)
    assert not progress.complete_after("j270", T0 + dt.timedelta(minutes=270))
    assert progress.complete_after("j240", T0 + dt.timedelta(minutes=240))
    # A baseline read never ends early: nothing is known yet.
    first = StreamWatch(NEWEST_FIRST)
    (whole,) = first.plan()
    assert not first.progress(whole).complete_after("x", T0)


def test_few_running_jobs_among_many_are_described_by_id() -> None:
    """With a batch describe call, re-reading 3 running jobs costs one call instead of a
    window of 10 pages; without one (or for the inventory) the window stays."""
    caps = attrs.evolve(NEWEST_FIRST, sorted_desc=False, window_first=False, describe_batch=100)
    created = [T0 + dt.timedelta(minutes=m) for m in range(1000)]
    knowledge = knowledge_of(
        created, created[:3], modified_watermark=None, overlap=dt.timedelta(minutes=2)
    )
    kinds = [
        r.kind for r in plan_reads(caps, knowledge, overlap=dt.timedelta(minutes=2), describe=True)
    ]
    assert kinds == [ReadKind.SINCE, ReadKind.DESCRIBE]
    assert [r.kind for r in plan_reads(caps, knowledge, overlap=dt.timedelta(minutes=2))] == [
        ReadKind.SINCE
    ]


def test_describe_calls_take_at_most_the_batch_size() -> None:
    """250 ids make three DescribeJobs calls of 100, 100 and 50 ids."""
    from jobkit.adapters import get

    calls = describe_calls(get("batch.jobs"), "us-east-1", [f"id{i}" for i in range(250)])
    assert [len(c.params["jobs"]) for c in calls] == [100, 100, 50]
    assert {c.operation for c in calls} == {"DescribeJobs"}


def test_describe_declarations_match_the_botocore_model() -> None:
    """Every adapter's batch describe names a real operation, a list request member and a
    result list whose records carry the adapter's id, status and creation members."""
    import botocore.session

    from jobkit.adapters import REGISTRY

    declared = [spec for spec in REGISTRY.values() if spec.describe is not None]
    assert declared
    for spec in declared:
        assert spec.describe is not None
        model = botocore.session.get_session().get_service_model(spec.service)
        operation = model.operation_model(spec.describe.operation)
        assert operation.input_shape.members[spec.describe.ids_member].type_name == "list"
        result = operation.output_shape.members[spec.describe.result_key]
        members = result.member.members
        for field in (spec.id_field, spec.status_field, spec.created_field):
            assert field in members, (spec.name, field)
