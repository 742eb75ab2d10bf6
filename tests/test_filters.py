"""Filters: parsing, push-down plans, and push-down == client-side on the emulator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from emulator_env import use_emulator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jobkit
from jobkit.core.query import Query
from jobkit.errors import InvalidFilterError
from jobkit.model import Job, JobStatus
from jobkit.testing import REFERENCE_NOW, Emulator
from tests.groundtruth import GROUND_TRUTH_ADAPTERS

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
ADAPTERS = list(GROUND_TRUTH_ADAPTERS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("90m", NOW - dt.timedelta(minutes=90)),
        ("12h", NOW - dt.timedelta(hours=12)),
        ("7d", NOW - dt.timedelta(days=7)),
        ("2w", NOW - dt.timedelta(weeks=2)),
        ("2026-11-01", dt.datetime(2026, 11, 1, tzinfo=dt.UTC)),
        ("2026-11-01T10:00:00Z", dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC)),
        ("2026-11-01T12:00:00+02:00", dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC)),
        (dt.datetime(2026, 1, 1, 5), dt.datetime(2026, 1, 1, 5, tzinfo=dt.UTC)),
        (dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, tzinfo=dt.UTC)),
        (dt.timedelta(hours=1), NOW - dt.timedelta(hours=1)),
    ],
)
def test_time_forms(value: Any, expected: dt.datetime) -> None:
    """Every documented time form parses to an aware UTC datetime (naive read as UTC)."""
    assert Query.parse(since=value, now=NOW).since == expected


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"since": "yesterday"}, "relative age"),
        ({"until": 5}, "ISO-8601"),
        ({"status": "DONE"}, "SUCCEEDED"),
        ({"status": []}, "at least one"),
        ({"limit": 0}, "positive integer"),
        ({"limit": True}, "positive integer"),
        ({"order": "name"}, "created-desc"),
        ({"name_contains": ""}, "non-empty"),
        ({"since": "1d", "until": "2d"}, "not before"),
    ],
)
def test_invalid_filters_say_what_is_accepted(kwargs: dict[str, Any], fragment: str) -> None:
    """An invalid filter raises InvalidFilterError naming what is accepted."""
    with pytest.raises(InvalidFilterError) as info:
        jobkit.jobs("sagemaker.processing", **kwargs)
    assert fragment in str(info.value)


def test_status_forms() -> None:
    """A status is a JobStatus, its name in any case, or several of them."""
    q = Query.parse(status=["running", JobStatus.FAILED, "partial-success"])
    assert q.statuses == {JobStatus.RUNNING, JobStatus.FAILED, JobStatus.PARTIAL_SUCCESS}


def test_explain_shows_pushdown_and_client_parts() -> None:
    """explain() says per adapter what the service applies and what jobkit applies."""
    plans = {e.adapter: e for e in jobkit.explain(status="failed", since="7d", name_contains="x")}
    sm = plans["sagemaker.processing"]
    assert sm.pushed == {
        "since": "CreationTimeAfter",
        "status": "StatusEquals",
        "name_contains": "NameContains",
    }
    assert sm.client == () and sm.requests[0]["StatusEquals"] == "Failed"
    batch = plans["batch.service"]
    assert batch.pushed == {"since": "filters[AFTER_CREATED_AT]"}
    assert set(batch.client) == {"status", "name_contains"}
    assert "stream" in str(batch)
    cr = plans["cleanroomsml.trained-model-export"]
    assert cr.pushed == {} and set(cr.client) == {"status", "since", "name_contains"}
    assert cr.discovered == ("collaborationIdentifier", "trainedModelArn")


def test_batch_status_pushdown_lists_only_those_statuses(emu_env: Emulator) -> None:
    """A status filter on Batch sends one jobStatus per selected raw status, no others."""
    emu_env.clear_requests()
    got = list(jobkit.jobs("batch.service", status="succeeded"))
    sent = {r.params.get("jobStatus") for r in emu_env.requests if r.operation == "ListServiceJobs"}
    assert sent == {"SUCCEEDED"}
    assert got and all(j.status is JobStatus.SUCCEEDED or j.problem for j in got)


def test_status_no_service_has_makes_no_request(emu_env: Emulator) -> None:
    """PARTIAL_SUCCESS exists only in Comprehend Medical: the others send no listing call."""
    emu_env.clear_requests()
    got = list(
        jobkit.jobs(
            ["sagemaker.processing", "comprehendmedical.snomedct"], status="partial_success"
        )
    )
    assert got and {j.adapter for j in got} == {"comprehendmedical.snomedct"}
    assert emu_env.request_count(operation="ListProcessingJobs") == 0


def test_limit_stops_early(emu_env: Emulator) -> None:
    """limit=k yields k jobs and stops paging."""
    emu_env.clear_requests()
    it = jobkit.jobs("sagemaker.processing", limit=150)
    assert len(list(it)) == 150
    assert emu_env.request_count(operation="ListProcessingJobs") == 2


def test_order_is_global(emu_env: Emulator) -> None:
    """order= gives one order by created across adapters and streams."""
    got = list(jobkit.jobs(ADAPTERS, order="created-asc", limit=500))
    created = [j.created for j in got if j.created is not None]
    assert created == sorted(created) and len(got) == 500


# ---------------------------------------------------------------- property: push-down == client


@pytest.fixture(scope="module")
def small() -> Iterator[Emulator]:
    """A small emulator for the property test (every listing a handful of pages)."""
    sizes = {
        "ListProcessingJobs": 160,
        "ListLabelingJobsForWorkteam": 60,
        "ListSNOMEDCTInferenceJobs": 160,
        "ListServiceJobs": 120,
        "ListCollaborationTrainedModelExportJobs": 40,
    }
    with Emulator(seed=21, sizes=sizes) as emu:
        yield emu


def _plain_filter(jobs: list[Job], q: dict[str, Any]) -> list[Job]:
    """The query's meaning, written out plainly over unfiltered jobs."""
    out = []
    for job in jobs:
        if q["status"] is not None and job.status not in q["status"]:
            continue
        if q["since"] is not None and (job.created is None or job.created < q["since"]):
            continue
        if q["until"] is not None and (job.created is None or job.created >= q["until"]):
            continue
        if q["name"] is not None and (
            job.name is None or q["name"].lower() not in job.name.lower()
        ):
            continue
        out.append(job)
    return out


_WINDOW_START = REFERENCE_NOW - dt.timedelta(days=60)
times = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=60 * 24 * 60).map(
        lambda m: _WINDOW_START + dt.timedelta(minutes=m)
    ),
)
queries = st.fixed_dictionaries(
    {
        "status": st.one_of(st.none(), st.sets(st.sampled_from(list(JobStatus)), min_size=1)),
        "since": times,
        "until": times,
        "name": st.one_of(
            st.none(), st.sampled_from(["proc", "ETL", "-0001", "snomed", "e", "zz"])
        ),
    }
)


def _key(job: Job) -> str:
    return repr(sorted((k, repr(v)) for k, v in job.raw.items()))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(adapter=st.sampled_from(ADAPTERS), q=queries)
def test_pushdown_equals_client_side(
    small: Emulator, monkeypatch: pytest.MonkeyPatch, adapter: str, q: dict[str, Any]
) -> None:
    """For random queries, jobkit's filtered listing equals a plain filter over all jobs."""
    if q["since"] and q["until"] and q["since"] >= q["until"]:
        q["until"] = None
    use_emulator(monkeypatch, small)
    everything = list(jobkit.jobs(adapter))
    expected = _plain_filter(everything, q)
    got = list(
        jobkit.jobs(
            adapter, status=q["status"], since=q["since"], until=q["until"], name_contains=q["name"]
        )
    )
    assert sorted(map(_key, got)) == sorted(map(_key, expected))


async def test_async_filters_match_sync(emu_env: Emulator) -> None:
    """The async iterator applies the same push-down and client filters."""
    kwargs: dict[str, Any] = {
        "status": ["failed", "succeeded"],
        "since": REFERENCE_NOW - dt.timedelta(days=20),
    }
    sync = list(jobkit.jobs(ADAPTERS, **kwargs))
    asyn = await jobkit.ajobs(ADAPTERS, **kwargs).collect()
    assert sorted(map(_key, sync)) == sorted(map(_key, asyn)) and sync
