"""The hydrate step (ids listed, records read by a batch call), without I/O."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from jobkit.adapters import REGISTRY
from jobkit.core.flows import hydrate_flow
from jobkit.core.normalize import read_page
from jobkit.core.plan import Call
from jobkit.core.stats import Stats
from jobkit.model import JobStatus

BUILDS = REGISTRY["codebuild.builds"]
MAP_RUNS = REGISTRY["stepfunctions.map-runs"]


def run(
    flow: Generator[Call, Mapping[str, Any] | None, Any],
    answer: Any,
) -> tuple[list[Call], Any]:
    """Drive a flow, answering each call with ``answer(call)``; the calls and the result."""
    calls: list[Call] = []
    try:
        call = next(flow)
        while True:
            calls.append(call)
            call = flow.send(answer(call))
    except StopIteration as stop:
        return calls, stop.value


def build(ident: str) -> dict[str, Any]:
    """A BatchGetBuilds record."""
    return {"id": ident, "projectName": ident.partition(":")[0], "buildStatus": "SUCCEEDED"}


def test_ids_are_read_in_batches_of_the_declared_size_in_listing_order() -> None:
    """250 listed ids take three BatchGetBuilds calls (100, 100, 50); records keep the
    listing's order whatever order the service answers in."""
    ids = [f"proj:{i:04d}" for i in range(250)]

    def answer(call: Call) -> Mapping[str, Any]:
        return {"builds": [build(i) for i in reversed(call.params["ids"])], "buildsNotFound": []}

    calls, (records, unread) = run(hydrate_flow(BUILDS, "us-east-1", ids), answer)
    assert [len(c.params["ids"]) for c in calls] == [100, 100, 50]
    assert {c.operation for c in calls} == {"BatchGetBuilds"}
    assert [r["id"] for r in records] == ids and unread == {}


def test_ids_not_found_become_jobs_with_a_problem_not_dropped() -> None:
    """An id BatchGetBuilds reports not found (or does not answer) is yielded as a job with
    status UNKNOWN and a problem naming the call, and counted as unnormalized."""
    ids = ["p:1", "p:gone", "p:2", "p:silent"]

    def answer(call: Call) -> Mapping[str, Any]:
        return {"builds": [build("p:1"), build("p:2")], "buildsNotFound": ["p:gone"]}

    _, (records, unread) = run(hydrate_flow(BUILDS, "us-east-1", ids), answer)
    stats = Stats()
    jobs, _ = read_page(
        BUILDS, records, region="us-east-1", scope={}, stats=stats, endpoint="e", unread=unread
    )
    assert [j.raw["id"] for j in jobs] == ids
    assert [j.status for j in jobs] == [
        JobStatus.SUCCEEDED,
        JobStatus.UNKNOWN,
        JobStatus.SUCCEEDED,
        JobStatus.UNKNOWN,
    ]
    assert jobs[1].problem is not None and "reported it not found" in jobs[1].problem
    assert jobs[3].problem is not None and "did not answer it" in jobs[3].problem
    assert stats.unnormalized == 2


def test_a_one_by_one_describe_sends_the_id_alone_and_merges_the_summary() -> None:
    """Map runs: DescribeMapRun gets one mapRunArn (not a list); the record is the listed
    summary with the described members over it."""
    items = [
        {"mapRunArn": f"arn:m/{i}", "executionArn": "arn:e", "stateMachineArn": "arn:s"}
        for i in range(3)
    ]

    def answer(call: Call) -> Mapping[str, Any]:
        arn = call.params["mapRunArn"]
        return {"mapRunArn": arn, "status": "RUNNING", "ResponseMetadata": {}}

    calls, (records, unread) = run(hydrate_flow(MAP_RUNS, "us-east-1", items), answer)
    assert [c.params for c in calls] == [{"mapRunArn": f"arn:m/{i}"} for i in range(3)]
    assert unread == {}
    assert records[0] == {**items[0], "status": "RUNNING"}
