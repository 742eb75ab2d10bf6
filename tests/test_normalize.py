"""Normalization of summaries into Jobs, for each adapter with a hand-computed ground truth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from dateutil.tz import tzutc

from jobkit.adapters import REGISTRY
from jobkit.adapters.sagemaker import labeling_status
from jobkit.core.normalize import account_from_arn, normalize, read_page, to_utc
from jobkit.core.spec import TimeFormat
from jobkit.core.stats import Stats
from jobkit.model import JobStatus


def test_sagemaker_processing_summary() -> None:
    """Name, ARN, status, times (tz converted to UTC) and extras come out right."""
    created = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=tzutc())
    ended = datetime(2026, 1, 2, 5, 0, tzinfo=timezone(timedelta(hours=2)))
    raw = {
        "ProcessingJobName": "p1",
        "ProcessingJobArn": "arn:aws:sagemaker:eu-west-1:111122223333:processing-job/p1",
        "CreationTime": created,
        "ProcessingEndTime": ended,
        "ProcessingJobStatus": "Completed",
        "ExitMessage": "ok",
    }
    job = normalize(REGISTRY["sagemaker.processing"], raw, region="eu-west-1", scope={})
    assert job.status is JobStatus.SUCCEEDED and job.raw_status == "Completed"
    assert job.created == datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert job.ended == datetime(2026, 1, 2, 3, 0, tzinfo=UTC)
    assert job.ended is not None and job.ended.utcoffset() == timedelta(0)
    assert job.updated is None
    assert job.account == "111122223333"
    assert dict(job.extras) == {"ExitMessage": "ok"}
    assert job.raw == raw
    with pytest.raises(TypeError):
        job.extras["x"] = 1  # type: ignore[index]


def test_batch_epoch_milliseconds() -> None:
    """Batch's epoch-millisecond longs become UTC datetimes; a partition status is mapped."""
    raw = {
        "jobId": "j1",
        "jobName": "train",
        "jobArn": "arn:aws:batch:us-east-1:123456789012:job/j1",
        "createdAt": 1_700_000_000_123,
        "stoppedAt": 1_700_000_100_000,
        "status": "RUNNABLE",
        "serviceJobType": "SAGEMAKER_TRAINING",
    }
    job = normalize(REGISTRY["batch.service"], raw, region="us-east-1", scope={"jobQueue": "q"})
    assert job.created == datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    assert job.ended == datetime(2023, 11, 14, 22, 15, tzinfo=UTC)
    assert job.status is JobStatus.PENDING and job.account == "123456789012"
    assert job.extras["serviceJobType"] == "SAGEMAKER_TRAINING"


def test_malformed_record_is_yielded_and_counted() -> None:
    """A record whose timestamp cannot be read is kept raw, marked, and counted."""
    raw = {"jobId": "j1", "jobName": "x", "createdAt": "not-a-number", "status": "RUNNING"}
    stats = Stats()
    (job,), ends = read_page(
        REGISTRY["batch.service"], [raw], region="us-east-1", scope={}, stats=stats, endpoint="e"
    )
    assert ends == [1]
    assert job.problem == (
        "TypeError: createdAt: expected epoch milliseconds, got str 'not-a-number'"
    )
    assert job.status is JobStatus.UNKNOWN and job.raw == raw and job.name == "x"
    assert stats.unnormalized == 1 and stats.jobs_read == 1


def test_unknown_status_word_is_unknown_and_counted() -> None:
    """A status word the mapping does not know becomes UNKNOWN, keeps its word, is counted."""
    raw = {"JobId": "1", "JobName": "n", "JobStatus": "ARCHIVED"}
    stats = Stats()
    (job,), _ = read_page(
        REGISTRY["comprehendmedical.snomedct"],
        [raw],
        region="us-east-1",
        scope={},
        stats=stats,
        endpoint="e",
    )
    assert job.status is JobStatus.UNKNOWN and job.raw_status == "ARCHIVED"
    assert job.problem is None and stats.unmapped_statuses == 1


@pytest.mark.parametrize(
    ("counters", "status"),
    [
        (None, JobStatus.UNKNOWN),
        ({"HumanLabeled": 0, "PendingHuman": 0, "Total": 0}, JobStatus.PENDING),
        ({"HumanLabeled": 0, "PendingHuman": 0, "Total": 10}, JobStatus.PENDING),
        ({"HumanLabeled": 3, "PendingHuman": 2, "Total": 10}, JobStatus.RUNNING),
        ({"HumanLabeled": 0, "PendingHuman": 5, "Total": 10}, JobStatus.RUNNING),
        ({"HumanLabeled": 10, "PendingHuman": 0, "Total": 10}, JobStatus.SUCCEEDED),
        ({"Total": 4}, JobStatus.PENDING),
    ],
)
def test_labeling_status_rule(counters: dict[str, int] | None, status: JobStatus) -> None:
    """The work-team status is derived from LabelCounters by the documented rule."""
    raw = {} if counters is None else {"LabelCounters": counters}
    assert labeling_status(raw) is status


def test_labeling_job_keeps_counters_in_extras() -> None:
    """A labeling job has no raw status; its counters stay in extras."""
    raw = {
        "LabelingJobName": "l1",
        "JobReferenceCode": "ref-1",
        "WorkRequesterAccountId": "444455556666",
        "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
        "LabelCounters": {"HumanLabeled": 1, "PendingHuman": 1, "Total": 2},
    }
    job = normalize(
        REGISTRY["sagemaker.labeling-workteam"],
        raw,
        region="us-west-2",
        scope={"WorkteamArn": "arn:aws:sagemaker:us-west-2:999999999999:workteam/private/t"},
    )
    assert job.status is JobStatus.RUNNING and job.raw_status is None
    assert job.extras["LabelCounters"]["PendingHuman"] == 1
    assert job.account == "444455556666" and job.id == "ref-1"


def test_to_utc_rejects_wrong_types() -> None:
    """Timestamps of the wrong type raise (and so mark the record), never pass silently."""
    with pytest.raises(TypeError):
        to_utc("2026-01-01", TimeFormat.DATETIME)
    with pytest.raises(TypeError):
        to_utc(True, TimeFormat.EPOCH_MS)
    assert to_utc(datetime(2026, 1, 1), TimeFormat.DATETIME) == datetime(2026, 1, 1, tzinfo=UTC)


def test_account_from_arn() -> None:
    """Only ARNs yield an account."""
    assert account_from_arn("arn:aws:batch:us-east-1:123456789012:job/x") == "123456789012"
    assert account_from_arn("arn:aws:s3:::bucket") is None
    assert account_from_arn("plain") is None
