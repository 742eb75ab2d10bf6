"""The emulator against botocore as the oracle: plain boto3 clients, no jobkit code in between."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import itertools
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError
from emulator_env import use_emulator

from jobkit.testing import NOW_ENV, REFERENCE_NOW, Emulator, Faults

REGION = "us-east-1"
ClientFactory = Callable[..., Any]


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """One shared emulator for the read-only tests of this module."""
    with Emulator(seed=7, malformed=2, now=REFERENCE_NOW) as server:
        yield server


def _factory(server: Emulator) -> Iterator[ClientFactory]:
    made: list[Any] = []

    def make(service: str, region: str = REGION, *, validate: bool = True, **config: Any) -> Any:
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
        )
        client = session.client(
            service,
            endpoint_url=server.endpoint_url,
            config=Config(
                retries={"total_max_attempts": 1}, parameter_validation=validate, **config
            ),
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(emu: Emulator) -> Iterator[ClientFactory]:
    """boto3 clients on the shared emulator, closed after the test."""
    yield from _factory(emu)


@pytest.fixture
def fresh_pair() -> Iterator[tuple[Emulator, ClientFactory]]:
    """A private emulator plus a client factory bound to it."""
    with Emulator(seed=1) as server:
        gen = _factory(server)
        make = next(gen)
        yield server, make
        next(gen, None)


def _all(pages: Any, key: str) -> list[dict[str, Any]]:
    return [item for page in pages for item in page[key]]


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


# ------------------------------------------------------------------------------ SageMaker


def test_processing_jobs_paginate_to_ground_truth(emu: Emulator, client: ClientFactory) -> None:
    """Paging ListProcessingJobs newest first yields exactly the ground truth."""
    sm = client("sagemaker")
    pages = sm.get_paginator("list_processing_jobs").paginate(
        SortOrder="Descending", PaginationConfig={"PageSize": 33}
    )
    truth = emu.data.records("sagemaker", "ListProcessingJobs", REGION)
    assert len(truth) == 250
    assert _all(pages, "ProcessingJobSummaries") == truth


def test_processing_jobs_default_order_is_ascending_creation(
    emu: Emulator, client: ClientFactory
) -> None:
    """Without SortBy/SortOrder the documented default (CreationTime, Ascending) applies."""
    sm = client("sagemaker")
    got = _all(sm.get_paginator("list_processing_jobs").paginate(), "ProcessingJobSummaries")
    assert got == emu.data.records("sagemaker", "ListProcessingJobs", REGION)[::-1]
    assert len(sm.list_processing_jobs()["ProcessingJobSummaries"]) == 10


def test_processing_jobs_sort_by_name_and_status(emu: Emulator, client: ClientFactory) -> None:
    """SortBy Name and Status order the full listing by that field in both directions."""
    sm = client("sagemaker")
    truth = emu.data.records("sagemaker", "ListProcessingJobs", REGION)
    paginator = sm.get_paginator("list_processing_jobs")
    by_name = _all(
        paginator.paginate(SortBy="Name", PaginationConfig={"PageSize": 100}),
        "ProcessingJobSummaries",
    )
    assert by_name == sorted(truth, key=lambda r: r["ProcessingJobName"])
    by_status = _all(
        paginator.paginate(SortBy="Status", SortOrder="Descending"), "ProcessingJobSummaries"
    )
    statuses = [r["ProcessingJobStatus"] for r in by_status]
    assert statuses == sorted(statuses, reverse=True)
    key = lambda r: r["ProcessingJobName"]  # noqa: E731
    assert sorted(by_status, key=key) == sorted(truth, key=key)


def test_processing_jobs_max_results_applies_before_filters(
    emu: Emulator, client: ClientFactory
) -> None:
    """StatusEquals with a small MaxResults gives empty pages that still carry a NextToken."""
    sm = client("sagemaker")
    pages = list(
        sm.get_paginator("list_processing_jobs").paginate(
            SortOrder="Descending", StatusEquals="Stopping", PaginationConfig={"PageSize": 3}
        )
    )
    assert any(not p["ProcessingJobSummaries"] and p.get("NextToken") for p in pages)
    assert len(pages) == -(-250 // 3)
    truth = emu.data.records("sagemaker", "ListProcessingJobs", REGION)
    assert _all(pages, "ProcessingJobSummaries") == [
        r for r in truth if r["ProcessingJobStatus"] == "Stopping"
    ]


def test_processing_jobs_filters(emu: Emulator, client: ClientFactory) -> None:
    """NameContains is case-insensitive; time filters are strict on both ends."""
    sm = client("sagemaker")
    truth = emu.data.records("sagemaker", "ListProcessingJobs", REGION)
    after, before = truth[200]["CreationTime"], truth[20]["CreationTime"]
    mod_after = truth[150]["LastModifiedTime"]
    got = _all(
        sm.get_paginator("list_processing_jobs").paginate(
            SortOrder="Descending",
            NameContains="ETL",
            CreationTimeAfter=after,
            CreationTimeBefore=before,
            LastModifiedTimeAfter=mod_after,
            PaginationConfig={"PageSize": 100},
        ),
        "ProcessingJobSummaries",
    )
    expected = [
        r
        for r in truth[21:200]
        if "etl" in r["ProcessingJobName"].lower() and r["LastModifiedTime"] > mod_after
    ]
    assert got == expected
    assert {r["ProcessingJobName"].split("-")[0] for r in got} == {"etl", "ETL"}


def test_workteams_and_labeling_jobs(emu: Emulator, client: ClientFactory) -> None:
    """Every work team's labeling jobs page to the ground truth, with a LabelCounters mix."""
    sm = client("sagemaker")
    teams = _all(sm.get_paginator("list_workteams").paginate(), "Workteams")
    assert teams == emu.data.workteams(REGION)
    assert len(teams) == 3
    kinds = set()
    for team in teams:
        got = _all(
            sm.get_paginator("list_labeling_jobs_for_workteam").paginate(
                WorkteamArn=team["WorkteamArn"], SortOrder="Descending"
            ),
            "LabelingJobSummaryList",
        )
        truth = emu.data.records(
            "sagemaker", "ListLabelingJobsForWorkteam", REGION, WorkteamArn=team["WorkteamArn"]
        )
        assert got == truth
        assert len(got) == 120
        for rec in got:
            c = rec.get("LabelCounters")
            kinds.add(
                "none"
                if c is None
                else "pending"
                if c["HumanLabeled"] == c["PendingHuman"] == 0
                else "active"
                if c["PendingHuman"] > 0
                else "done"
            )
    assert kinds == {"none", "pending", "active", "done"}


def test_labeling_jobs_filters(emu: Emulator, client: ClientFactory) -> None:
    """CreationTime bounds and a case-insensitive JobReferenceCodeContains filter before paging."""
    sm = client("sagemaker")
    arn = emu.data.workteams(REGION)[1]["WorkteamArn"]
    truth = emu.data.records("sagemaker", "ListLabelingJobsForWorkteam", REGION, WorkteamArn=arn)
    pages = list(
        sm.get_paginator("list_labeling_jobs_for_workteam").paginate(
            WorkteamArn=arn,
            CreationTimeAfter=truth[100]["CreationTime"],
            CreationTimeBefore=truth[10]["CreationTime"],
            JobReferenceCodeContains="REF-IMG",
            PaginationConfig={"PageSize": 4},
        )
    )
    expected = [r for r in truth[11:100] if "ref-img" in r["JobReferenceCode"].lower()][::-1]
    assert _all(pages, "LabelingJobSummaryList") == expected
    assert all(p["LabelingJobSummaryList"] for p in pages)


def test_labeling_jobs_unknown_workteam(client: ClientFactory) -> None:
    """An unknown work team is SageMaker's modeled ResourceNotFound (HTTP 400)."""
    sm = client("sagemaker")
    with pytest.raises(ClientError) as exc:
        sm.list_labeling_jobs_for_workteam(
            WorkteamArn=f"arn:aws:sagemaker:{REGION}:123456789012:workteam/private-crowd/nope"
        )
    assert _error(exc) == ("ResourceNotFound", 400)
    assert isinstance(exc.value, sm.exceptions.ResourceNotFound)


# ------------------------------------------------------------------------------ Comprehend Medical


def _snomed_all(cm: Any, **kwargs: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    token = None
    while True:
        page = cm.list_snomedct_inference_jobs(**kwargs, **({"NextToken": token} if token else {}))
        out += page["ComprehendMedicalAsyncJobPropertiesList"]
        token = page.get("NextToken")
        if not token:
            return out


def test_snomed_manual_paging_json(emu: Emulator, client: ClientFactory) -> None:
    """ListSNOMEDCTInferenceJobs pages newest first over awsJson and covers every status."""
    cm = client("comprehendmedical")
    got = _snomed_all(cm, MaxResults=37)
    truth = emu.data.records("comprehendmedical", "ListSNOMEDCTInferenceJobs", REGION)
    assert got == truth
    assert len(got) == 300
    assert "PARTIAL_SUCCESS" in {r["JobStatus"] for r in got}
    assert len(cm.list_snomedct_inference_jobs()["ComprehendMedicalAsyncJobPropertiesList"]) == 100
    assert {r.protocol for r in emu.requests if r.service == "comprehendmedical"} >= {"json"}


def test_snomed_submit_time_ordering_and_filters(emu: Emulator, client: ClientFactory) -> None:
    """SubmitTimeBefore lists oldest first, SubmitTimeAfter newest first; status/name filter."""
    cm = client("comprehendmedical")
    truth = emu.data.records("comprehendmedical", "ListSNOMEDCTInferenceJobs", REGION)
    pivot = truth[150]["SubmitTime"]
    before = _snomed_all(cm, Filter={"SubmitTimeBefore": pivot}, MaxResults=50)
    assert before == truth[151:][::-1]
    after = _snomed_all(cm, Filter={"SubmitTimeAfter": pivot}, MaxResults=50)
    assert after == truth[:150]
    partial = _snomed_all(cm, Filter={"JobStatus": "PARTIAL_SUCCESS"}, MaxResults=7)
    assert partial == [r for r in truth if r["JobStatus"] == "PARTIAL_SUCCESS"]
    assert _snomed_all(cm, Filter={"JobName": truth[42]["JobName"]}) == [truth[42]]


@pytest.fixture
def cbor_comprehend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emu: Emulator
) -> Iterator[Any]:
    """A comprehendmedical client whose model only speaks smithy RPC v2 CBOR."""
    loader = botocore.session.get_session().get_component("data_loader")
    model = copy.deepcopy(loader.load_service_model("comprehendmedical", "service-2"))
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
    target = tmp_path / "comprehendmedical" / "2018-10-30"
    target.mkdir(parents=True)
    (target / "service-2.json").write_text(json.dumps(model))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    yield from _factory(emu)


def test_snomed_over_cbor(emu: Emulator, cbor_comprehend: ClientFactory) -> None:
    """Over RPC v2 CBOR the same listing parses to the same ground truth (tag-1 timestamps)."""
    cm = cbor_comprehend("comprehendmedical")
    assert cm.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"
    emu.clear_requests()
    got = _snomed_all(cm, MaxResults=120)
    assert got == emu.data.records("comprehendmedical", "ListSNOMEDCTInferenceJobs", REGION)
    assert {r.protocol for r in emu.requests} == {"smithy-rpc-v2-cbor"}


def test_snomed_errors_over_cbor(emu: Emulator, cbor_comprehend: ClientFactory) -> None:
    """CBOR errors carry __type: validation and a bad token parse as modeled ClientErrors."""
    cm = cbor_comprehend("comprehendmedical", validate=False)
    with pytest.raises(ClientError) as exc:
        cm.list_snomedct_inference_jobs(MaxResults=501)
    assert _error(exc) == ("ValidationException", 400)
    with pytest.raises(ClientError) as exc:
        cm.list_snomedct_inference_jobs(NextToken="garbage!")
    assert _error(exc) == ("ValidationException", 400)
    assert emu.requests[-1].protocol == "smithy-rpc-v2-cbor"
    assert emu.requests[-1].error_code == "ValidationException"


def test_cbor_without_cbor2_is_a_clear_500(
    monkeypatch: pytest.MonkeyPatch, emu: Emulator, cbor_comprehend: ClientFactory
) -> None:
    """Without cbor2 installed a CBOR request gets a 500 that names the missing package."""
    cm = cbor_comprehend("comprehendmedical")
    monkeypatch.setitem(sys.modules, "cbor2", None)
    with pytest.raises(ClientError) as exc:
        cm.list_snomedct_inference_jobs()
    assert _error(exc) == ("InternalFailure", 500)
    assert "cbor2" in exc.value.response["Error"]["Message"]


# ------------------------------------------------------------------------------ Batch


def _queue(emu: Emulator, k: int = 0) -> str:
    return str(emu.data.job_queues(REGION)[k]["jobQueueName"])


def _service_jobs(batch: Any, **kwargs: Any) -> list[dict[str, Any]]:
    return _all(batch.get_paginator("list_service_jobs").paginate(**kwargs), "jobSummaryList")


def test_batch_queues_discovery(emu: Emulator, client: ClientFactory) -> None:
    """DescribeJobQueues pages to the ground truth; service-job queues are SAGEMAKER_TRAINING."""
    batch = client("batch")
    queues = _all(
        batch.get_paginator("describe_job_queues").paginate(PaginationConfig={"PageSize": 1}),
        "jobQueues",
    )
    assert queues == emu.data.job_queues(REGION)
    assert [q["jobQueueType"] for q in queues].count("SAGEMAKER_TRAINING") == 2
    named = batch.describe_job_queues(jobQueues=[queues[1]["jobQueueArn"]])["jobQueues"]
    assert named == [queues[1]]


def test_batch_default_is_running_only(emu: Emulator, client: ClientFactory) -> None:
    """Without jobStatus or filters only RUNNING jobs come back; jobStatus picks a status."""
    batch = client("batch")
    queue = _queue(emu)
    truth = emu.data.records("batch", "ListServiceJobs", REGION, jobQueue=queue)
    assert {r["status"] for r in truth} == {
        "SUBMITTED",
        "PENDING",
        "RUNNABLE",
        "SCHEDULED",
        "STARTING",
        "RUNNING",
        "SUCCEEDED",
        "FAILED",
    }
    got = _service_jobs(batch, jobQueue=queue, PaginationConfig={"PageSize": 5})
    assert got == [r for r in truth if r["status"] == "RUNNING"]
    failed = _service_jobs(batch, jobQueue=queue, jobStatus="FAILED")
    assert failed == [r for r in truth if r["status"] == "FAILED"]
    assert all("stoppedAt" in r and "startedAt" in r for r in failed)


def test_batch_filter_overrides_job_status(emu: Emulator, client: ClientFactory) -> None:
    """With AFTER_CREATED_AT, jobStatus is ignored and every status comes newest first."""
    batch = client("batch")
    queue = emu.data.job_queues(REGION)[1]["jobQueueArn"]
    truth = emu.data.records("batch", "ListServiceJobs", REGION, jobQueue=queue)
    pivot = truth[100]["createdAt"]
    got = _service_jobs(
        batch,
        jobQueue=queue,
        jobStatus="FAILED",
        filters=[{"name": "AFTER_CREATED_AT", "values": [str(pivot)]}],
    )
    assert got == truth[:100]
    before = _service_jobs(
        batch, jobQueue=queue, filters=[{"name": "BEFORE_CREATED_AT", "values": [str(pivot)]}]
    )
    assert before == truth[101:]


def test_batch_job_name_filter(emu: Emulator, client: ClientFactory) -> None:
    """JOB_NAME is case-insensitive and a trailing * makes it a prefix match."""
    batch = client("batch")
    queue = _queue(emu)
    truth = emu.data.records("batch", "ListServiceJobs", REGION, jobQueue=queue)
    prefix = _service_jobs(
        batch, jobQueue=queue, filters=[{"name": "JOB_NAME", "values": ["FINETUNE-llm*"]}]
    )
    assert prefix == [r for r in truth if r["jobName"].lower().startswith("finetune-llm")]
    assert {r["jobName"].split("-")[0] for r in prefix} == {"FineTune", "finetune"}
    name = truth[3]["jobName"]
    exact = _service_jobs(
        batch, jobQueue=queue, filters=[{"name": "JOB_NAME", "values": [name.upper()]}]
    )
    assert exact == [truth[3]]


def test_batch_share_filter_combines_with_status(emu: Emulator, client: ClientFactory) -> None:
    """SHARE_IDENTIFIER combines with jobStatus; without it every status matches."""
    batch = client("batch")
    queue = _queue(emu)
    truth = emu.data.records("batch", "ListServiceJobs", REGION, jobQueue=queue)
    share = [{"name": "SHARE_IDENTIFIER", "values": ["teamB"]}]
    both = _service_jobs(batch, jobQueue=queue, jobStatus="SUCCEEDED", filters=share)
    assert both == [
        r for r in truth if r["status"] == "SUCCEEDED" and r["shareIdentifier"] == "teamB"
    ]
    assert both
    anyst = _service_jobs(batch, jobQueue=queue, filters=share)
    assert anyst == [r for r in truth if r["shareIdentifier"] == "teamB"]


def test_batch_errors(emu: Emulator, client: ClientFactory) -> None:
    """Unknown queue, two filters, maxResults out of range: ClientException (HTTP 400)."""
    batch = client("batch")
    for kwargs in (
        {"jobQueue": "no-such-queue"},
        {
            "jobQueue": _queue(emu),
            "filters": [
                {"name": "JOB_NAME", "values": ["a"]},
                {"name": "AFTER_CREATED_AT", "values": ["1"]},
            ],
        },
        {"jobQueue": _queue(emu), "maxResults": 101},
        {"jobQueue": _queue(emu), "maxResults": 0},
    ):
        with pytest.raises(ClientError) as exc:
            batch.list_service_jobs(**kwargs)
        assert _error(exc) == ("ClientException", 400)


def test_batch_malformed_created_at(emu: Emulator, client: ClientFactory) -> None:
    """Malformed jobs parse (raw out-of-range createdAt), list RUNNING, sort last."""
    batch = client("batch")
    queue = _queue(emu)
    truth = emu.data.records("batch", "ListServiceJobs", REGION, jobQueue=queue)
    bad = truth[-2:]
    assert all(r["status"] == "RUNNING" for r in bad)
    for rec in bad:
        with pytest.raises((OverflowError, ValueError)):
            dt.datetime.fromtimestamp(rec["createdAt"] / 1000, dt.UTC)
    running = _service_jobs(batch, jobQueue=queue)
    assert running[-2:] == bad
    after = _service_jobs(
        batch, jobQueue=queue, filters=[{"name": "AFTER_CREATED_AT", "values": ["0"]}]
    )
    assert after == truth[:-2]
    before = _service_jobs(
        batch, jobQueue=queue, filters=[{"name": "BEFORE_CREATED_AT", "values": ["1"]}]
    )
    assert before == bad


# ------------------------------------------------------------------------------ Clean Rooms (ML)


def test_clean_rooms_discovery_and_export_jobs(emu: Emulator, client: ClientFactory) -> None:
    """Collaborations, memberships, trained models and export jobs page to the ground truth."""
    rooms, ml = client("cleanrooms"), client("cleanroomsml")
    collabs = _all(
        rooms.get_paginator("list_collaborations").paginate(PaginationConfig={"PageSize": 1}),
        "collaborationList",
    )
    assert collabs == emu.data.collaborations(REGION)
    members = _all(rooms.get_paginator("list_memberships").paginate(), "membershipSummaries")
    assert members == emu.data.memberships(REGION)
    assert {m["id"] for m in members} == {c["membershipId"] for c in collabs}
    statuses = set()
    for collab in collabs:
        models = _all(
            ml.get_paginator("list_collaboration_trained_models").paginate(
                collaborationIdentifier=collab["id"]
            ),
            "collaborationTrainedModels",
        )
        assert models == emu.data.trained_models(REGION, collab["id"])
        for model in models:
            scope = {
                "collaborationIdentifier": collab["id"],
                "trainedModelArn": model["trainedModelArn"],
            }
            got = _all(
                ml.get_paginator("list_collaboration_trained_model_export_jobs").paginate(
                    **scope, PaginationConfig={"PageSize": 7}
                ),
                "collaborationTrainedModelExportJobs",
            )
            truth = emu.data.records(
                "cleanroomsml", "ListCollaborationTrainedModelExportJobs", REGION, **scope
            )
            assert got == truth
            assert len(got) == 60
            statuses |= {r["status"] for r in got}
            version = truth[0]["trainedModelVersionIdentifier"]
            only = _all(
                ml.get_paginator("list_collaboration_trained_model_export_jobs").paginate(
                    **scope, trainedModelVersionIdentifier=version
                ),
                "collaborationTrainedModelExportJobs",
            )
            assert only == [r for r in truth if r["trainedModelVersionIdentifier"] == version]
    assert statuses == {"CREATE_PENDING", "CREATE_IN_PROGRESS", "CREATE_FAILED", "ACTIVE"}


def test_clean_rooms_ml_not_found(emu: Emulator, client: ClientFactory) -> None:
    """An unknown collaboration or trained model is ResourceNotFoundException (HTTP 404)."""
    ml = client("cleanroomsml")
    collab = emu.data.collaborations(REGION)[0]
    model = emu.data.trained_models(REGION, collab["id"])[0]["trainedModelArn"]
    other = "00000000-0000-4000-8000-000000000000"
    for cid, arn in ((other, model), (collab["id"], model.rsplit("/", 1)[0] + "/" + other)):
        with pytest.raises(ClientError) as exc:
            ml.list_collaboration_trained_model_export_jobs(
                collaborationIdentifier=cid, trainedModelArn=arn
            )
        assert _error(exc) == ("ResourceNotFoundException", 404)
    with pytest.raises(ml.exceptions.ResourceNotFoundException):
        ml.list_collaboration_trained_models(collaborationIdentifier=other)


# ------------------------------------------------------------------------------ validation & tokens


def test_max_results_out_of_range_is_validation_error(client: ClientFactory) -> None:
    """MaxResults outside the model range is each service's ValidationException (HTTP 400)."""
    sm = client("sagemaker", validate=False)
    cm = client("comprehendmedical", validate=False)
    rooms = client("cleanrooms", validate=False)
    for call in (
        lambda: sm.list_processing_jobs(MaxResults=101),
        lambda: sm.list_workteams(MaxResults=0),
        lambda: cm.list_snomedct_inference_jobs(MaxResults=501),
        lambda: rooms.list_collaborations(maxResults=0),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert _error(exc) == ("ValidationException", 400)


def test_bad_or_mismatched_token(emu: Emulator, client: ClientFactory) -> None:
    """Garbage tokens and tokens from another query are rejected, in each service's shape."""
    sm, batch, ml = client("sagemaker"), client("batch"), client("cleanroomsml")
    token = sm.list_processing_jobs(MaxResults=5)["NextToken"]
    assert sm.list_processing_jobs(MaxResults=7, NextToken=token)["ProcessingJobSummaries"]
    with pytest.raises(ClientError) as exc:
        sm.list_processing_jobs(MaxResults=5, NextToken=token, StatusEquals="Failed")
    assert _error(exc) == ("ValidationException", 400)
    with pytest.raises(ClientError) as exc:
        sm.list_processing_jobs(NextToken="not-a-token")
    assert _error(exc) == ("ValidationException", 400)
    with pytest.raises(ClientError) as exc:
        batch.list_service_jobs(jobQueue=_queue(emu), nextToken="%%%")
    assert _error(exc) == ("ClientException", 400)
    collab = emu.data.collaborations(REGION)[0]["id"]
    with pytest.raises(ClientError) as exc:
        ml.list_collaboration_trained_models(collaborationIdentifier=collab, nextToken="x" * 12)
    assert _error(exc) == ("ValidationException", 400)


def test_unknown_operation_and_missing_auth(emu: Emulator, client: ClientFactory) -> None:
    """An unserved operation is UnknownOperationException; unsigned requests get a 403."""
    sm = client("sagemaker")
    with pytest.raises(ClientError) as exc:
        sm.list_endpoints()  # not a job listing: never emulated
    assert _error(exc) == ("UnknownOperationException", 400)
    anonymous = client("batch", signature_version=UNSIGNED)
    with pytest.raises(ClientError) as exc:
        anonymous.describe_job_queues()
    assert _error(exc) == ("MissingAuthenticationTokenException", 403)


# ------------------------------------------------------------------------------ faults


def _first_call(make: ClientFactory, service: str, emu: Emulator, region: str = REGION) -> Any:
    c = make(service, region)
    if service == "sagemaker":
        return c.list_processing_jobs
    if service == "comprehendmedical":
        return c.list_snomedct_inference_jobs
    if service == "batch":
        return lambda: c.list_service_jobs(jobQueue=emu.data.job_queues(region)[0]["jobQueueName"])
    if service == "cleanrooms":
        return c.list_collaborations
    collab = emu.data.collaborations(region)[0]["id"]
    return lambda: c.list_collaboration_trained_models(collaborationIdentifier=collab)


SERVICES = ("sagemaker", "comprehendmedical", "batch", "cleanroomsml", "cleanrooms")


def test_throttling_in_each_services_format(fresh_pair: tuple[Emulator, ClientFactory]) -> None:
    """Throttling uses each service's code and status, with x-amz-retry-after when set."""
    emu, make = fresh_pair
    emu.set_faults(Faults(throttle=1.0, retry_after=1.5))
    expected = {
        "sagemaker": ("ThrottlingException", 400),
        "comprehendmedical": ("TooManyRequestsException", 429),
        "batch": ("TooManyRequestsException", 429),
        "cleanroomsml": ("ThrottlingException", 429),
        "cleanrooms": ("ThrottlingException", 429),
    }
    for service, want in expected.items():
        with pytest.raises(ClientError) as exc:
            _first_call(make, service, emu)()
        assert _error(exc) == want
        assert exc.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-retry-after"] == "1500"
    assert emu.request_count() == 5
    assert {r.error_code for r in emu.requests} == {c for c, _ in expected.values()}


def test_access_denied_and_expired_token(fresh_pair: tuple[Emulator, ClientFactory]) -> None:
    """access_denied and expired_token answer in each service's format and status."""
    emu, make = fresh_pair
    for service in SERVICES:
        emu.set_faults(Faults(access_denied=True))
        call = _first_call(make, service, emu)
        with pytest.raises(ClientError) as exc:
            call()
        rest = service in ("batch", "cleanroomsml", "cleanrooms")
        assert _error(exc) == ("AccessDeniedException", 403 if rest else 400)
        emu.set_faults(Faults(expired_token=1.0))
        with pytest.raises(ClientError) as exc:
            call()
        assert _error(exc) == ("ExpiredTokenException", 403 if rest else 400)


def test_server_errors(fresh_pair: tuple[Emulator, ClientFactory]) -> None:
    """server_error=1 answers 500/503 in the service's format, mixed under one seed."""
    emu, make = fresh_pair
    emu.set_faults(Faults(server_error=1.0, seed=3))
    seen = set()
    for service in SERVICES:
        call = _first_call(make, service, emu)
        for _ in range(6):
            with pytest.raises(ClientError) as exc:
                call()
            seen.add(exc.value.response["ResponseMetadata"]["HTTPStatusCode"])
    assert seen == {500, 503}
    assert {r.error_code for r in emu.requests} >= {"ServerException", "InternalFailure"}


def test_reset_is_a_connection_error(fresh_pair: tuple[Emulator, ClientFactory]) -> None:
    """reset=1 drops the connection without a response: botocore raises a connection error."""
    emu, make = fresh_pair
    emu.set_faults(Faults(reset=1.0), service="batch")
    with pytest.raises((HTTPClientError, ConnectionError)):
        _first_call(make, "batch", emu)()
    assert emu.requests[-1].status == 0
    assert _first_call(make, "sagemaker", emu)()["ProcessingJobSummaries"]


def test_rate_limit_and_per_endpoint_faults(fresh_pair: tuple[Emulator, ClientFactory]) -> None:
    """A token bucket on one endpoint throttles past its burst; other endpoints are untouched."""
    emu, make = fresh_pair
    emu.set_faults(Faults(rate_limit=1.0, burst=3.0), service="sagemaker", region="eu-west-1")
    limited = _first_call(make, "sagemaker", emu, "eu-west-1")
    free = _first_call(make, "sagemaker", emu, REGION)
    outcomes = []
    for _ in range(8):
        try:
            limited()
            outcomes.append("ok")
        except ClientError as exc:
            outcomes.append(exc.response["Error"]["Code"])
        free()
    assert outcomes.count("ok") in (3, 4)
    assert outcomes.count("ThrottlingException") == 8 - outcomes.count("ok")
    assert emu.request_count(region="eu-west-1") == 8
    assert emu.request_count(operation="ListProcessingJobs", region=REGION) == 8


def test_latency_is_added(fresh_pair: tuple[Emulator, ClientFactory]) -> None:
    """latency delays every response, errors included."""
    emu, make = fresh_pair
    call = _first_call(make, "cleanrooms", emu)
    call()
    emu.set_faults(Faults(latency=0.3))
    start = time.perf_counter()
    call()
    assert time.perf_counter() - start >= 0.3


def test_faults_deterministic_under_seed() -> None:
    """Two emulators with the same fault seed fault the same requests."""
    patterns = []
    for _ in range(2):
        with Emulator(faults=Faults(throttle=0.5, seed=11)) as emu:
            gen = _factory(emu)
            make = next(gen)
            call = _first_call(make, "cleanrooms", emu)
            for _ in range(20):
                with contextlib.suppress(ClientError):
                    call()
            patterns.append([r.error_code for r in emu.requests])
            next(gen, None)
    assert patterns[0] == patterns[1]
    assert None in patterns[0] and "ThrottlingException" in patterns[0]


# ------------------------------------------------------------------------------ data properties


def test_region_from_credential_scope(emu: Emulator, client: ClientFactory) -> None:
    """The SigV4 scope's region selects the data: two regions serve different jobs."""
    east = client("sagemaker", "us-east-1").list_processing_jobs(SortOrder="Descending")
    west = client("sagemaker", "eu-west-1").list_processing_jobs(SortOrder="Descending")
    assert (
        west["ProcessingJobSummaries"]
        == emu.data.records("sagemaker", "ListProcessingJobs", "eu-west-1")[:10]
    )
    assert east["ProcessingJobSummaries"] != west["ProcessingJobSummaries"]
    assert emu.requests[-1].region == "eu-west-1"


def test_determinism_by_seed() -> None:
    """The same seed gives identical data in every service; a different seed differs."""
    a, b, c = (Emulator(seed=s).data for s in (5, 5, 6))
    for data in (a, b, c):
        assert data.records("sagemaker", "ListProcessingJobs", REGION)
    assert a.records("sagemaker", "ListProcessingJobs", REGION) == b.records(
        "sagemaker", "ListProcessingJobs", REGION
    )
    assert a.collaborations(REGION) == b.collaborations(REGION)
    q = a.job_queues(REGION)[0]["jobQueueName"]
    assert a.records("batch", "ListServiceJobs", REGION, jobQueue=q) == b.records(
        "batch", "ListServiceJobs", REGION, jobQueue=q
    )
    assert a.records("sagemaker", "ListProcessingJobs", REGION) != c.records(
        "sagemaker", "ListProcessingJobs", REGION
    )
    assert a.collaborations(REGION) != c.collaborations(REGION)


def test_records_shape_and_timeline(emu: Emulator) -> None:
    """Timestamps are ms-precision UTC, strictly newest first, within ~60 days of the reference."""
    truth = emu.data.records("comprehendmedical", "ListSNOMEDCTInferenceJobs", REGION)
    times = [r["SubmitTime"] for r in truth]
    assert all(t.tzinfo is not None and t.microsecond % 1000 == 0 for t in times)
    assert all(x > y for x, y in itertools.pairwise(times))
    ref = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    assert ref - dt.timedelta(days=62) < times[-1] < times[0] < ref
    names = [r["JobName"] for r in truth]
    assert len(set(names)) == len(names)
    later = Emulator(seed=7, now=ref + dt.timedelta(days=30)).data
    shifted = later.records("comprehendmedical", "ListSNOMEDCTInferenceJobs", REGION)
    assert shifted[0]["SubmitTime"] - times[0] == dt.timedelta(days=30)


def test_sizes_override_and_lazy_million(client: ClientFactory) -> None:
    """sizes changes the per-scope count; a 1,000,000-job listing is served lazily."""
    with Emulator(sizes={"ListProcessingJobs": 1_000_000, "ListWorkteams": 5}) as emu:
        gen = _factory(emu)
        make = next(gen)
        sm = make("sagemaker")
        first = sm.list_processing_jobs(SortOrder="Descending", MaxResults=100)
        lazy = emu.data.iter_records("sagemaker", "ListProcessingJobs", REGION)
        assert first["ProcessingJobSummaries"] == [next(lazy) for _ in range(100)]
        last = sm.list_processing_jobs(MaxResults=1)["ProcessingJobSummaries"][0]
        assert last["ProcessingJobName"].endswith("-999999")
        assert len(emu.data.workteams(REGION)) == 5
        next(gen, None)
    with pytest.raises(ValueError, match="unknown operation"):
        Emulator(sizes={"ListNothing": 1})


def test_many_keepalive_requests_are_fast(emu: Emulator, client: ClientFactory) -> None:
    """200 keep-alive requests finish well under the ~40 ms/request Nagle stall (8 s)."""
    cr = client("cleanrooms")
    cr.list_collaborations()
    start = time.perf_counter()
    for _ in range(200):
        cr.list_collaborations()
    assert time.perf_counter() - start < 3.0


def test_close_joins_threads_and_frees_port() -> None:
    """close() with a live keep-alive client returns promptly and leaves no server thread."""
    before = set(threading.enumerate())
    emu = Emulator().start()
    gen = _factory(emu)
    make = next(gen)
    make("cleanrooms").list_collaborations()
    started = set(threading.enumerate()) - before
    assert len(started) >= 2  # the serve loop and one connection handler
    start = time.perf_counter()
    emu.close()
    assert time.perf_counter() - start < 2.0
    next(gen, None)
    assert not [t for t in started if t.is_alive()]
    with pytest.raises(RuntimeError):
        _ = emu.endpoint_url


def test_only_loopback() -> None:
    """The emulator refuses to bind anywhere but 127.0.0.1."""
    with pytest.raises(ValueError, match="loopback"):
        Emulator(host="0.0.0.0")


def test_cli_serves_until_terminated(tmp_path: Path) -> None:
    """python -m jobkit.testing prints the endpoint and env lines and answers a call."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobkit.testing", "--port", "0", "--seed", "3"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error::ResourceWarning"},
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = first.rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:")
        env_line = proc.stdout.readline()
        assert env_line.strip() == f"export AWS_ENDPOINT_URL={url}"
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        sm = session.client("sagemaker", endpoint_url=url)
        teams = sm.list_workteams()["Workteams"]
        sm.close()
        assert teams == Emulator(seed=3).data.workteams(REGION)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


# ------------------------------------------------------------------------------ generic listings


def _pages(c: Any, operation: str, key: str, token: str = "NextToken", **params: Any) -> list[Any]:
    """Every item of a listing, following the token by hand (some have no paginator)."""
    out: list[Any] = []
    method = getattr(c, botocore.xform_name(operation))
    while True:
        page = method(**params)
        out += page[key]
        if not page.get(token):
            return out
        params[token] = page[token]


def test_generic_listing_filters_and_orders(emu: Emulator, client: ClientFactory) -> None:
    """Generic SageMaker listings apply StatusEquals, NameContains, time bounds and SortOrder."""
    sm = client("sagemaker")
    truth = emu.data.records("sagemaker", "ListTrainingJobs", REGION)
    key = "TrainingJobSummaries"
    assert _pages(sm, "ListTrainingJobs", key, SortOrder="Descending", MaxResults=9) == truth
    assert _pages(sm, "ListTrainingJobs", key, MaxResults=9) == truth[::-1]  # Ascending default
    failed = _pages(sm, "ListTrainingJobs", key, StatusEquals="Failed", SortOrder="Descending")
    assert failed == [r for r in truth if r["TrainingJobStatus"] == "Failed"] and failed
    word = truth[3]["TrainingJobName"].split("-")[0].upper()
    named = _pages(sm, "ListTrainingJobs", key, NameContains=word, SortOrder="Descending")
    assert named == [r for r in truth if word.lower() in r["TrainingJobName"].lower()]
    after = truth[10]["CreationTime"]
    recent = _pages(sm, "ListTrainingJobs", key, CreationTimeAfter=after, SortOrder="Descending")
    assert recent == truth[:10]


def test_status_list_filter_and_scope(emu: Emulator, client: ClientFactory) -> None:
    """EMR Serverless: states is a list filter; an unknown application is not found."""
    emr = client("emr-serverless")
    app = emu.data.parents("emr-serverless", "ListApplications", REGION)[0]["id"]
    truth = emu.data.records("emr-serverless", "ListJobRuns", REGION, applicationId=app)
    got = _pages(emr, "ListJobRuns", "jobRuns", "nextToken", applicationId=app, maxResults=4)
    assert got == truth
    states = ["FAILED", "SUCCESS"]
    some = _pages(emr, "ListJobRuns", "jobRuns", "nextToken", applicationId=app, states=states)
    assert some == [r for r in truth if r["state"] in states] and some
    with pytest.raises(ClientError) as exc:
        emr.list_job_runs(applicationId="0000000000000000")
    assert _error(exc) == ("ResourceNotFoundException", 404)


def test_step_functions_refuses_express_state_machines(
    emu: Emulator, client: ClientFactory
) -> None:
    """ListStateMachines lists an EXPRESS machine; ListExecutions on it is a validation error."""
    sfn = client("stepfunctions")
    machines = sfn.list_state_machines()["stateMachines"]
    assert machines == emu.data.parents("stepfunctions", "ListStateMachines", REGION)
    express = [m for m in machines if m["type"] == "EXPRESS"]
    standard = [m for m in machines if m["type"] == "STANDARD"]
    assert express and standard
    with pytest.raises(ClientError) as exc:
        sfn.list_executions(stateMachineArn=express[0]["stateMachineArn"])
    assert _error(exc) == ("ValidationException", 400)
    arn = standard[0]["stateMachineArn"]
    got = _pages(sfn, "ListExecutions", "executions", "nextToken", stateMachineArn=arn)
    assert got == emu.data.records("stepfunctions", "ListExecutions", REGION, stateMachineArn=arn)


def test_glue_job_names_and_runs(emu: Emulator, client: ClientFactory) -> None:
    """Glue ListJobs lists bare names; GetJobRuns of each name is its ground truth."""
    glue = client("glue")
    names = glue.list_jobs()["JobNames"]
    assert names == emu.data.parents("glue", "ListJobs", REGION) and names
    runs = _pages(glue, "GetJobRuns", "JobRuns", JobName=names[0], MaxResults=7)
    assert runs == emu.data.records("glue", "GetJobRuns", REGION, JobName=names[0])
    assert {r["JobName"] for r in runs} == {names[0]}


@pytest.fixture
def cbor_translate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emu: Emulator) -> Iterator[Any]:
    """A translate client whose model only speaks smithy RPC v2 CBOR."""
    loader = botocore.session.get_session().get_component("data_loader")
    model = copy.deepcopy(loader.load_service_model("translate", "service-2"))
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
    target = tmp_path / "translate" / model["metadata"]["apiVersion"]
    target.mkdir(parents=True)
    (target / "service-2.json").write_text(json.dumps(model))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    yield from _factory(emu)


def test_translate_over_json_and_cbor(
    emu: Emulator, client: ClientFactory, cbor_translate: ClientFactory
) -> None:
    """Translate's listing parses to the same ground truth over JSON and over RPC v2 CBOR."""
    truth = emu.data.records("translate", "ListTextTranslationJobs", REGION)
    key = "TextTranslationJobPropertiesList"
    emu.clear_requests()
    over_cbor = cbor_translate("translate")
    assert over_cbor.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"
    assert _pages(over_cbor, "ListTextTranslationJobs", key, MaxResults=11) == truth
    assert {r.protocol for r in emu.requests} == {"smithy-rpc-v2-cbor"}
    status = {"JobStatus": "COMPLETED_WITH_ERROR"}
    partial = _pages(over_cbor, "ListTextTranslationJobs", key, Filter=status)
    assert partial == [r for r in truth if r["JobStatus"] == "COMPLETED_WITH_ERROR"] and partial


def test_s3control_over_rest_xml_through_the_proxy(
    emu: Emulator, client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """S3 Control (rest-xml, account in the host name) and IAM (awsQuery) via env()'s proxy."""
    use_emulator(monkeypatch, emu)
    iam = client("iam")
    roles = _pages(iam, "ListRoles", "Roles", "Marker", MaxItems=2)
    assert roles == emu.data.parents("iam", "ListRoles", REGION)
    account = roles[0]["Arn"].split(":")[4]
    # No endpoint_url=: env() gives S3 Control its own endpoint, reached through the proxy.
    session = boto3.Session(region_name=REGION)
    s3c = session.client("s3control", config=Config(retries={"total_max_attempts": 1}))
    truth = emu.data.records("s3control", "ListJobs", REGION, AccountId=account)
    emu.clear_requests()
    assert _pages(s3c, "ListJobs", "Jobs", AccountId=account, MaxResults=6) == truth
    assert {r.protocol for r in emu.requests} == {"rest-xml"}
    some = _pages(s3c, "ListJobs", "Jobs", AccountId=account, JobStatuses=["Active", "Failed"])
    assert some == [r for r in truth if r["Status"] in ("Active", "Failed")] and some
    with pytest.raises(ClientError) as exc:
        s3c.list_jobs(AccountId="999999999999")
    assert _error(exc) == ("NoSuchResource", 404)
    s3c.close()


def test_every_generic_operation_has_records_and_sizes() -> None:
    """records() serves every generic operation; shared names in sizes= set every service."""
    from jobkit.testing._generic import GENERIC_OPS

    data = Emulator(sizes={"ListJobs": 5, "glue:ListJobs": 1}).data
    for (service, operation), op in GENERIC_OPS.items():
        scope: dict[str, str] = {}
        if op.scope == "jobQueue":
            queues = [
                q for q in data.job_queues(REGION) if q["jobQueueType"] != "SAGEMAKER_TRAINING"
            ]
            scope = {"jobQueue": queues[0]["jobQueueArn"]}
        elif op.scope == "AccountId":
            scope = {"AccountId": "123456789012"}
        else:
            for member, parent, value in op.scopes:
                if member.lower().endswith("accountid"):
                    scope[member] = "123456789012"
                elif parent is None:
                    scope[member] = "given-by-the-caller"  # no parent listing: any value
                else:
                    item = data.parents(*parent, REGION)[0]
                    scope[member] = item if value is None else item[value]
        records = data.records(service, operation, REGION, **scope)
        if op.sparse > 1:  # one scope in `sparse` has jobs (map runs of some executions)
            (member,) = scope
            sizes = [
                len(data.records(service, operation, REGION, **{member: f"{scope[member]}-{k}"}))
                for k in range(10 * op.sparse)
            ]
            assert 0 < sizes.count(data.size(service, operation)) < len(sizes) / 2, operation
            assert set(sizes) == {0, data.size(service, operation)}, operation
            continue
        expected = 5 if operation == "ListJobs" else data.size(service, operation)
        assert len(records) == expected, (service, operation)
    assert len(data.parents("glue", "ListJobs", REGION)) == 1


def test_clear_faults_lets_broader_settings_apply_again() -> None:
    """clear_faults removes a service's setting, so a region-wide fault reaches it again;
    set_faults(None, ...) would instead exempt the service."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    from jobkit.testing import Emulator, Faults

    with Emulator(seed=1) as emu:
        client = boto3.Session().client(
            "sagemaker",
            endpoint_url=emu.endpoint_url,
            region_name="eu-west-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": 1}),
        )
        emu.set_faults(Faults(access_denied=True), region="eu-west-1")
        emu.set_faults(None, service="sagemaker")
        client.list_processing_jobs(MaxResults=1)  # exempted: no fault
        emu.clear_faults(service="sagemaker")
        try:
            client.list_processing_jobs(MaxResults=1)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "AccessDeniedException"
        else:
            raise AssertionError("the region-wide fault did not apply after clear_faults")
        emu.clear_faults()
        client.list_processing_jobs(MaxResults=1)


# ------------------------------------------------------------------------------ clock


def test_default_now_is_the_real_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without now= (or JOBKIT_EMULATOR_NOW) the data ends just before the real clock."""
    monkeypatch.delenv(NOW_ENV, raising=False)
    before = dt.datetime.now(dt.UTC)
    data = Emulator().data
    assert before - dt.timedelta(seconds=1) <= data.now <= dt.datetime.now(dt.UTC)
    newest = data.records("sagemaker", "ListProcessingJobs", REGION)[0]["CreationTime"]
    assert data.now - dt.timedelta(hours=8) < newest < data.now  # one step of 60 d / 250 jobs
    week = [
        r
        for r in data.records("sagemaker", "ListTrainingJobs", REGION)
        if r["CreationTime"] > before - dt.timedelta(days=7)
    ]
    assert week


def test_now_from_the_environment_and_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """JOBKIT_EMULATOR_NOW fixes the clock; a bad value or a naive now= is refused."""
    monkeypatch.setenv(NOW_ENV, "2026-03-04T05:06:07.891234Z")
    assert Emulator().data.now == dt.datetime(2026, 3, 4, 5, 6, 7, 891000, tzinfo=dt.UTC)
    monkeypatch.setenv(NOW_ENV, "yesterday")
    with pytest.raises(ValueError, match="ISO 8601"):
        Emulator()
    with pytest.raises(ValueError, match="timezone-aware"):
        Emulator(now=dt.datetime(2026, 1, 1))  # naive on purpose


_CLI = (sys.executable, "-m", "jobkit.cli")
_PYTEST = (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider")


def test_cli_ls_emulator_since_7d_lists_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """`jobkit ls --emulator --since 7d` on the real clock prints last week's jobs."""
    monkeypatch.delenv(NOW_ENV, raising=False)
    run = subprocess.run(
        [*_CLI, "ls", "sagemaker.processing", "--emulator", "--since", "7d", "--format", "jsonl"],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )
    assert run.returncode == 0, run.stderr
    created = [
        dt.datetime.fromisoformat(json.loads(line)["created"]) for line in run.stdout.splitlines()
    ]
    assert created
    assert min(created) > dt.datetime.now(dt.UTC) - dt.timedelta(days=7, minutes=5)


# ------------------------------------------------------------------------------ realistic data


def _scope_for(data: Any, op: Any) -> dict[str, str]:
    if op.scope == "jobQueue":
        queues = [q for q in data.job_queues(REGION) if q["jobQueueType"] != "SAGEMAKER_TRAINING"]
        return {"jobQueue": queues[0]["jobQueueArn"]}
    if op.scope in ("AccountId", "AwsAccountId"):  # the caller's account, told by IAM
        return {op.scope: "123456789012"}
    scope: dict[str, str] = {}
    for name, parent, value in op.scopes:
        if name is None:
            continue
        if parent is None:  # no API lists these parents: any name will do
            scope[name] = "workspace-1"
            continue
        # A later scope's parents are listed under the earlier ones (an app's branches).
        item = data.parents(*parent, REGION, **scope)[0]
        scope[name or ""] = item if value is None else item[value]
    return scope


def test_generated_jobs_are_consistent_with_their_status() -> None:
    """No end time on unfinished jobs, no start time on queued ones, no failure reason on
    successful ones, ends after starts, and names are whole words."""
    from jobkit.testing._generic import GENERIC_OPS
    from jobkit.testing._lifecycle import (
        _NOT_STARTED,
        _TERMINAL,
        _roles,
        _word,
        failed,
        status_of,
    )

    data = Emulator(sizes={"ListJobs": 40}).data
    checked = 0
    for (service, operation), op in GENERIC_OPS.items():
        ends, starts, _modified, reasons = _roles(tuple(op.record_members), op.created)
        for rec in data.records(service, operation, REGION, **_scope_for(data, op)):
            word = _word(status_of(rec, op.status))
            if word not in _TERMINAL:
                assert not [m for m in ends if m in rec], (operation, rec)
            if word in _NOT_STARTED:
                assert not [m for m in starts if m in rec], (operation, rec)
            if not failed(word):
                assert not [m for m in reasons if m in rec], (operation, rec)
            for end in (m for m in ends if m in rec):
                assert all(rec[end] >= rec[s] for s in starts if s in rec), (operation, rec)
            if op.name is not None:
                assert re.fullmatch(r"[A-Za-z]+(-[A-Za-z]+)*-\d{5}", rec[op.name]), rec[op.name]
                assert not rec[op.name].startswith("er-")
            checked += 1
    assert checked > 1000
    assert any(
        "EndTime" in r
        for r in data.records("sagemaker", "ListAutoMLJobs", REGION)
        if r["AutoMLJobStatus"] == "Completed"
    )


# ------------------------------------------------------------------------------ stderr


async def test_limited_async_listings_print_nothing_on_stderr(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing a limited async listing resets connections: the emulator logs that at debug
    level and prints no traceback on stderr."""
    import jobkit

    with Emulator(seed=2) as server:
        for name, value in server.env(proxy=False).items():
            monkeypatch.setenv(name, value)
        for _ in range(10):
            jobs = await jobkit.ajobs("batch.service", limit=5).collect()
            assert len(jobs) == 5
    captured = capfd.readouterr()
    assert captured.err == ""


def test_handler_errors_go_to_logging_not_stderr(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """An emulator bug is logged (with traceback) through logging; a reset is debug only."""
    import logging

    from jobkit.testing._server import _HTTPServer

    with Emulator() as server:
        httpd = server._httpd
        assert isinstance(httpd, _HTTPServer)
        with caplog.at_level(logging.DEBUG, logger="jobkit.testing"):
            for exc in (ConnectionResetError(104, "reset"), RuntimeError("bug")):
                try:
                    raise exc
                except Exception:
                    httpd.handle_error(None, ("127.0.0.1", 1))
    levels = [(r.levelname, r.exc_info is not None) for r in caplog.records]
    assert levels == [("DEBUG", False), ("ERROR", True)]
    assert capfd.readouterr().err == ""


# ------------------------------------------------------------------------------ environment


def test_environment_sets_and_restores_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    """environment() sets env()'s variables, removes the host identity, and restores every
    variable (present, absent, proxies) exactly on exit and on close()."""
    monkeypatch.setenv("HTTP_PROXY", "http://corp-proxy:3128")
    monkeypatch.setenv("NO_PROXY", "intranet.example")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("AWS_PROFILE", "prod")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    snapshot = dict(os.environ)
    with Emulator() as server:
        with server.environment(region="eu-west-1") as applied:
            assert os.environ["AWS_ENDPOINT_URL"] == server.endpoint_url
            assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"
            assert "AWS_PROFILE" not in os.environ and applied["AWS_PROFILE"] is None
            assert os.environ["HTTP_PROXY"] == server.endpoint_url
            assert os.environ["NO_PROXY"].split(",") == ["127.0.0.1", "::1", "intranet.example"]
            sm = boto3.Session().client("sagemaker")
            assert sm.list_workteams()["Workteams"]
            sm.close()
        assert dict(os.environ) == snapshot
        with server.environment(proxy=False):
            assert "AWS_ENDPOINT_URL_S3_CONTROL" not in os.environ
            assert os.environ["HTTP_PROXY"] == "http://corp-proxy:3128"
        assert dict(os.environ) == snapshot
        server.environment(credentials_lifetime=60).apply()  # notebook style: close() restores
        assert "AWS_ACCESS_KEY_ID" not in os.environ
        assert os.environ["AWS_CONFIG_FILE"] == os.devnull
    assert dict(os.environ) == snapshot


def test_every_environment_variable_is_documented() -> None:
    """docs/testing.md names every variable env() and environment() set or remove."""
    docs = (Path(__file__).resolve().parent.parent / "docs" / "testing.md").read_text()
    with Emulator() as server:
        names = set(server.environment(credentials_lifetime=5).variables)
        names |= set(server.environment().variables)
    missing = sorted(name for name in names if f"`{name}`" not in docs)
    assert not missing


def test_pytest_plugin_runs_the_documented_test(tmp_path: Path) -> None:
    """The pytest example of docs/testing.md passes with the plugin enabled, and the
    environment is restored after each test."""
    docs = (Path(__file__).resolve().parent.parent / "docs" / "testing.md").read_text()
    block = re.search(r"```python\n(# test_my_report\.py.*?)```", docs, re.S)
    assert block is not None
    extra = (
        "\n\ndef test_environment_is_restored():\n"
        "    import os\n"
        "    assert 'AWS_ENDPOINT_URL' not in os.environ\n"
    )
    (tmp_path / "test_my_report.py").write_text(block[1] + extra)
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", NOW_ENV)}
    run = subprocess.run(
        [*_PYTEST, "-p", "jobkit.testing.pytest_plugin", str(tmp_path / "test_my_report.py")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout


# ------------------------------------------------------------------------------ denials


def _plain(server: Emulator, service: str, region: str = REGION, **kwargs: Any) -> Any:
    session = boto3.Session(
        aws_access_key_id=kwargs.pop("key", "testing"),
        aws_secret_access_key=kwargs.pop("secret", "testing"),
        aws_session_token=kwargs.pop("token", None),
        region_name=region,
    )
    config = Config(retries={"total_max_attempts": 1}, **kwargs)
    if service == "s3control":
        config = config.merge(Config(proxies=server.proxies))
    return session.client(service, endpoint_url=server.endpoint_url, config=config)


_CALLS: dict[str, Callable[[Any], Any]] = {
    "sagemaker": lambda c: c.list_training_jobs(),
    "batch": lambda c: c.describe_job_queues(),
    "iam": lambda c: c.list_roles(),
    "s3control": lambda c: c.list_jobs(AccountId="123456789012"),
    "comprehendmedical": lambda c: c.list_snomedct_inference_jobs(),
}

_DENIED = {
    # reason: {service: (code, status)}
    "access-denied": {
        "sagemaker": ("AccessDeniedException", 400),
        "batch": ("AccessDeniedException", 403),
        "iam": ("AccessDenied", 403),
        "s3control": ("AccessDenied", 403),
    },
    "opt-in-required": dict.fromkeys(
        ("sagemaker", "batch", "iam", "s3control"), ("OptInRequired", 403)
    ),
    "unrecognized-client": {
        "sagemaker": ("UnrecognizedClientException", 400),
        "batch": ("UnrecognizedClientException", 403),
        "iam": ("InvalidClientTokenId", 403),
        "s3control": ("InvalidAccessKeyId", 403),
    },
    "not-subscribed": {
        "sagemaker": ("SubscriptionRequiredException", 400),
        "batch": ("SubscriptionRequiredException", 403),
        "iam": ("OptInRequired", 403),
        "s3control": ("NotSignedUp", 403),
    },
}


@pytest.mark.parametrize("reason", list(_DENIED))
def test_deny_answers_in_each_protocols_format(reason: str) -> None:
    """deny(reason=...) answers each protocol's code and status (awsJson, restJson,
    awsQuery, restXml), over real HTTP to plain boto3 clients."""
    with Emulator() as server:
        server.deny(reason=reason)  # type: ignore[arg-type]
        for service, want in _DENIED[reason].items():
            client = _plain(server, service)
            with pytest.raises(ClientError) as exc:
                _CALLS[service](client)
            assert _error(exc) == want, service
            client.close()


def test_deny_by_service_operation_region_and_allow() -> None:
    """A denial applies only where it matches; the most specific rule answers; allow()
    removes one rule, allow() with nothing every rule."""
    with Emulator() as server:
        server.deny(service="sagemaker", operation="ListTrainingJobs")
        server.deny(region="eu-west-1", reason="opt-in-required")
        server.deny(service="batch", region="eu-west-1", reason="not-subscribed")
        sm, sm_eu = _plain(server, "sagemaker"), _plain(server, "sagemaker", "eu-west-1")
        batch, batch_eu = _plain(server, "batch"), _plain(server, "batch", "eu-west-1")
        assert sm.list_transform_jobs()["TransformJobSummaries"]
        with pytest.raises(ClientError) as exc:
            sm.list_training_jobs()
        assert _error(exc) == ("AccessDeniedException", 400)
        assert "sagemaker:ListTrainingJobs" in exc.value.response["Error"]["Message"]
        with pytest.raises(ClientError) as exc:
            sm_eu.list_transform_jobs()
        assert _error(exc) == ("OptInRequired", 403)
        with pytest.raises(ClientError) as exc:
            batch_eu.describe_job_queues()
        assert _error(exc) == ("SubscriptionRequiredException", 403)
        assert batch.describe_job_queues()["jobQueues"]
        server.allow(region="eu-west-1")
        assert sm_eu.list_transform_jobs()["TransformJobSummaries"]
        with pytest.raises(ClientError):
            batch_eu.describe_job_queues()
        server.allow()
        assert sm.list_training_jobs()["TrainingJobSummaries"]
        assert batch_eu.describe_job_queues()["jobQueues"]
        with pytest.raises(ValueError, match="reason"):
            server.deny(reason="nope")  # type: ignore[arg-type]
        for client in (sm, sm_eu, batch, batch_eu):
            client.close()


# ------------------------------------------------------------------------------ deleted scopes


def test_delete_scope_after_discovery() -> None:
    """A deleted parent still shows in discovery; its child listing answers the service's
    not-found error (Batch ClientException, SageMaker ResourceNotFound, Clean Rooms ML 404)."""
    with Emulator() as server:
        batch = _plain(server, "batch")
        queues = [
            q
            for q in batch.describe_job_queues()["jobQueues"]
            if q["jobQueueType"] == "SAGEMAKER_TRAINING"
        ]
        server.delete_scope(REGION, jobQueue=queues[0]["jobQueueName"])
        assert batch.describe_job_queues()["jobQueues"][0] == queues[0]
        for ref in (queues[0]["jobQueueName"], queues[0]["jobQueueArn"]):
            with pytest.raises(ClientError) as exc:
                batch.list_service_jobs(jobQueue=ref)
            assert _error(exc) == ("ClientException", 400)
        assert batch.list_service_jobs(jobQueue=queues[1]["jobQueueArn"])["jobSummaryList"]

        sm = _plain(server, "sagemaker")
        team = sm.list_workteams()["Workteams"][0]["WorkteamArn"]
        server.delete_scope(REGION, WorkteamArn=team)
        assert team in [t["WorkteamArn"] for t in sm.list_workteams()["Workteams"]]
        with pytest.raises(ClientError) as exc:
            sm.list_labeling_jobs_for_workteam(WorkteamArn=team)
        assert _error(exc) == ("ResourceNotFound", 400)

        cr, crml = _plain(server, "cleanrooms"), _plain(server, "cleanroomsml")
        collab = cr.list_collaborations()["collaborationList"][0]["id"]
        server.delete_scope(REGION, collaborationIdentifier=collab)
        assert collab in [c["id"] for c in cr.list_collaborations()["collaborationList"]]
        with pytest.raises(ClientError) as exc:
            crml.list_collaboration_trained_models(collaborationIdentifier=collab)
        assert _error(exc) == ("ResourceNotFoundException", 404)
        other = _plain(server, "batch", "eu-west-1")
        assert other.list_service_jobs(jobQueue=queues[0]["jobQueueName"])["jobSummaryList"]
        for client in (batch, sm, cr, crml, other):
            client.close()


# ------------------------------------------------------------------------------ credentials


def test_issued_credentials_expire_per_protocol() -> None:
    """Keys minted with a lifetime work until it passes, then each protocol answers its
    expired-token error; the secret never shows in repr."""
    expected = {
        "sagemaker": ("ExpiredTokenException", 400),
        "batch": ("ExpiredTokenException", 403),
        "iam": ("ExpiredToken", 403),
        "s3control": ("ExpiredToken", 400),
        "comprehendmedical": ("ExpiredTokenException", 400),
    }
    with Emulator() as server:
        creds = server.issue_credentials(lifetime=3.0)
        assert creds.access_key_id.startswith("ASIA") and len(creds.access_key_id) == 20
        assert creds.secret_access_key not in repr(creds)
        assert creds.session_token not in repr(creds)
        kw = {"key": creds.access_key_id, "secret": creds.secret_access_key}
        clients = {s: _plain(server, s, token=creds.session_token, **kw) for s in expected}
        for service, client in clients.items():
            _CALLS[service](client)
        time.sleep(max(0.0, creds.expiration.timestamp() - time.time()) + 0.05)
        assert creds.expired
        for service, client in clients.items():
            with pytest.raises(ClientError) as exc:
                _CALLS[service](client)
            assert _error(exc) == expected[service], service
            client.close()
        with pytest.raises(ValueError, match="lifetime"):
            server.issue_credentials(lifetime=0)


def test_refreshable_credentials_from_the_container_endpoint() -> None:
    """With credentials_lifetime, boto3 and aiobotocore fetch keys from the emulator's
    container endpoint and fetch new ones before they expire: calls spanning several
    lifetimes all succeed."""
    import asyncio

    from aiobotocore.session import get_session

    with Emulator() as server, server.environment(credentials_lifetime=0.6):
        sm = boto3.Session().client("sagemaker", config=Config(retries={"total_max_attempts": 1}))
        for _ in range(4):
            sm.list_training_jobs(MaxResults=1)
            time.sleep(0.3)
        sm.close()

        async def run() -> None:
            async with get_session().create_client("batch") as batch:
                for _ in range(4):
                    await batch.describe_job_queues()
                    await asyncio.sleep(0.3)

        asyncio.run(run())
        issued = server.issued_credentials
        assert len({c.access_key_id for c in issued}) >= 3
        assert {r.error_code for r in server.requests} == {None}
        used = {c.access_key_id for c in issued}
        assert all(r.service for r in server.requests)
        assert used


def test_s3control_with_proxies_config_and_no_proxy_env() -> None:
    """S3 Control (account-prefixed host) reaches the emulator with a plain AWS_ENDPOINT_URL
    when its client is given Config(proxies=emu.proxies), for boto3 and aiobotocore; no
    proxy variable is set."""
    import asyncio

    from aiobotocore.config import AioConfig
    from aiobotocore.session import get_session

    with Emulator() as server, server.environment(proxy=False):
        assert "HTTP_PROXY" not in os.environ or os.environ["HTTP_PROXY"] != server.endpoint_url
        truth = server.data.records("s3control", "ListJobs", REGION, AccountId="123456789012")
        s3c = boto3.Session().client("s3control", config=Config(proxies=server.proxies))
        assert s3c.list_jobs(AccountId="123456789012", MaxResults=1000)["Jobs"] == truth
        s3c.close()

        async def run() -> list[Any]:
            config = AioConfig(proxies=server.proxies)
            async with get_session().create_client("s3control", config=config) as client:
                page = await client.list_jobs(AccountId="123456789012", MaxResults=1000)
                return list(page["Jobs"])

        assert asyncio.run(run()) == truth


# ------------------------------------------------------------------------------ organizations


def _org_client(server: Emulator, service: str, **creds: str) -> Any:
    session = boto3.Session(
        aws_access_key_id=creds.get("AccessKeyId", "testing"),
        aws_secret_access_key=creds.get("SecretAccessKey", "testing"),
        aws_session_token=creds.get("SessionToken"),
        region_name=REGION,
    )
    return session.client(
        service,
        endpoint_url=server.endpoint_url,
        config=Config(retries={"total_max_attempts": 1}),
    )


def test_organizations_lists_accounts_roots_and_nested_ous() -> None:
    """ListAccounts pages 50 distinct accounts; the root's OUs, their children and the
    accounts per parent cover every account exactly once."""
    with Emulator(accounts=50) as server:
        org = _org_client(server, "organizations")
        pages = list(org.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 7}))
        accounts = [a for page in pages for a in page["Accounts"]]
        assert len(pages) == 8 and len({a["Id"] for a in accounts}) == 50
        assert accounts[0]["Id"] == "123456789012"
        assert all(re.fullmatch(r"\d{12}", a["Id"]) and a["Status"] == "ACTIVE" for a in accounts)
        (root,) = org.list_roots()["Roots"]
        seen: list[str] = []
        names: list[str] = []
        todo = [root["Id"]]
        while todo:
            parent = todo.pop()
            seen += [a["Id"] for a in org.list_accounts_for_parent(ParentId=parent)["Accounts"]]
            children = org.list_organizational_units_for_parent(ParentId=parent)
            todo += [ou["Id"] for ou in children["OrganizationalUnits"]]
            names += [ou["Name"] for ou in children["OrganizationalUnits"]]
        assert sorted(seen) == sorted(a["Id"] for a in accounts)
        assert sorted(names) == ["Development", "EU", "Production", "Sandbox"]
        with pytest.raises(ClientError) as exc:
            org.list_accounts_for_parent(ParentId="ou-0000-00000000")
        assert _error(exc) == ("ParentNotFoundException", 400)
        org.close()
    with Emulator() as alone:
        org = _org_client(alone, "organizations")
        with pytest.raises(ClientError) as exc:
            org.list_accounts()
        assert _error(exc) == ("AWSOrganizationsNotInUseException", 400)
        org.close()


def test_assume_role_gives_each_account_its_own_data_until_expiry() -> None:
    """AssumeRole into a member returns keys of that account: its requests see its own jobs
    (its id in every ARN), a member cannot list the organization, and the keys expire."""
    with Emulator(accounts=5, assume_role_lifetime=5.0) as server:
        member = server.organization.account_ids[3]
        sts = _org_client(server, "sts")
        answer = sts.assume_role(
            RoleArn=f"arn:aws:iam::{member}:role/JobkitReader", RoleSessionName="jobkit"
        )
        creds = answer["Credentials"]
        assert answer["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::{member}:assumed-role/")
        remaining = (creds["Expiration"] - dt.datetime.now(dt.UTC)).total_seconds()
        assert 0 < remaining <= 5.0
        sm = _org_client(server, "sagemaker", **creds)
        assert _org_client(server, "sts", **creds).get_caller_identity()["Account"] == member
        got = _pages(sm, "ListTrainingJobs", "TrainingJobSummaries", SortOrder="Descending")
        truth = server.data_for(member).records("sagemaker", "ListTrainingJobs", REGION)
        assert got == truth
        assert all(f":{member}:" in r["TrainingJobArn"] for r in got)
        assert got != server.data.records("sagemaker", "ListTrainingJobs", REGION)
        assert server.request_count(account=member, operation="ListTrainingJobs") >= 1
        with pytest.raises(ClientError) as exc:
            _org_client(server, "organizations", **creds).list_accounts()
        assert _error(exc) == ("AccessDeniedException", 400)
        time.sleep(max(0.0, creds["Expiration"].timestamp() - time.time()) + 0.05)
        with pytest.raises(ClientError) as exc:
            sm.list_training_jobs()
        assert _error(exc) == ("ExpiredTokenException", 400)


def test_assume_role_denied_in_chosen_accounts() -> None:
    """deny(service="sts", account=X) refuses the role in X only; accounts outside the
    organization are refused; DurationSeconds out of range is a validation error."""
    with Emulator(accounts=4) as server:
        members = server.organization.account_ids[1:]
        server.deny(service="sts", operation="AssumeRole", account=members[0])
        sts = _org_client(server, "sts")

        def assume(account: str, **extra: Any) -> Any:
            arn = f"arn:aws:iam::{account}:role/JobkitReader"
            return sts.assume_role(RoleArn=arn, RoleSessionName="jobkit", **extra)

        with pytest.raises(ClientError) as exc:
            assume(members[0])
        assert _error(exc) == ("AccessDenied", 403)
        assert assume(members[1])["Credentials"]["AccessKeyId"].startswith("ASIA")
        with pytest.raises(ClientError) as exc:
            assume("999999999999")
        assert _error(exc) == ("AccessDenied", 403)
        lifetime = assume(members[2], DurationSeconds=900)["Credentials"]["Expiration"]
        assert 890 < (lifetime - dt.datetime.now(dt.UTC)).total_seconds() <= 900
        unchecked = _plain(server, "sts", parameter_validation=False)
        with pytest.raises(ClientError) as exc:
            unchecked.assume_role(
                RoleArn=f"arn:aws:iam::{members[1]}:role/R",
                RoleSessionName="jobkit",
                DurationSeconds=60,
            )
        assert _error(exc) == ("ValidationError", 400)
