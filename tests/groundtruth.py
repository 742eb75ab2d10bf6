"""The emulator's ground truth per adapter, computed from its data (not through jobkit)."""

from __future__ import annotations

import json
from typing import Any

from jobkit.testing import Emulator

#: The five adapters whose ground truth this module computes by hand (tests of the other
#: adapters derive theirs generically, in test_conformance.py).
GROUND_TRUTH_ADAPTERS = (
    "sagemaker.processing",
    "sagemaker.labeling-workteam",
    "comprehendmedical.snomedct",
    "batch.service",
    "cleanroomsml.trained-model-export",
)


def expected_raw(
    emu: Emulator, adapter: str, region: str, account: str | None = None
) -> list[dict[str, Any]]:
    """Every summary ``adapter`` must yield in ``region`` (of ``account``: None for the
    management account), over all its scopes."""
    data = emu.data if account is None else emu.data_for(account)
    if adapter == "sagemaker.processing":
        return data.records("sagemaker", "ListProcessingJobs", region)
    if adapter == "comprehendmedical.snomedct":
        return data.records("comprehendmedical", "ListSNOMEDCTInferenceJobs", region)
    if adapter == "sagemaker.labeling-workteam":
        return [
            record
            for team in data.workteams(region)
            for record in data.records(
                "sagemaker", "ListLabelingJobsForWorkteam", region, WorkteamArn=team["WorkteamArn"]
            )
        ]
    if adapter == "batch.service":
        return [
            record
            for queue in data.job_queues(region)
            if queue.get("jobQueueType") == "SAGEMAKER_TRAINING"
            for record in data.records(
                "batch", "ListServiceJobs", region, jobQueue=queue["jobQueueArn"]
            )
        ]
    if adapter == "cleanroomsml.trained-model-export":
        out = []
        for collab in data.collaborations(region):
            if collab["memberStatus"] != "ACTIVE":
                continue
            arns = dict.fromkeys(
                m["trainedModelArn"] for m in data.trained_models(region, collab["id"])
            )
            for arn in arns:
                out += data.records(
                    "cleanroomsml",
                    "ListCollaborationTrainedModelExportJobs",
                    region,
                    collaborationIdentifier=collab["id"],
                    trainedModelArn=arn,
                )
        return out
    raise AssertionError(f"no ground truth for {adapter}")


def canonical(record: Any) -> str:
    """A stable text form of a summary, for multiset comparison."""
    return json.dumps(dict(record), sort_keys=True, default=str)


def same_jobs(got: list[Any], expected: list[Any], *, unique: bool = True) -> None:
    """``got`` and ``expected`` hold the same summaries, each exactly once (``unique``) or
    as many times as ``expected`` holds it."""
    got_keys = sorted(canonical(r) for r in got)
    want_keys = sorted(canonical(r) for r in expected)
    assert len(got_keys) == len(want_keys), (len(got_keys), len(want_keys))
    if unique:
        assert len(set(got_keys)) == len(got_keys), "duplicates in jobkit's result"
    assert got_keys == want_keys


def check_normalized(jobs: list[Any], adapter: str, region: str) -> None:
    """Every field of every job is normalized from its raw summary."""
    from datetime import UTC

    from jobkit.adapters import REGISTRY
    from jobkit.model import JobStatus

    spec = REGISTRY[adapter]
    for job in jobs:
        raw = job.raw
        assert job.adapter == adapter and job.service == spec.service and job.region == region
        assert job.account == "123456789012"
        if spec.name_field:
            assert job.name == raw.get(spec.name_field)
        if spec.id_field:
            assert job.id == raw[spec.id_field]
        if job.problem is not None:
            assert job.status is JobStatus.UNKNOWN and job.created is None
            continue
        assert job.created is not None and job.created.tzinfo is not None
        assert job.created.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
        assert job.created.tzinfo == UTC
        if spec.status_field:
            assert job.raw_status == raw[spec.status_field]
            assert job.status is spec.status_map[job.raw_status]
        else:
            assert job.raw_status is None
            assert spec.derive_status is not None
            assert job.status is spec.derive_status(raw)
        for field in spec.mapped_fields:
            assert field not in job.extras
        for key, value in raw.items():
            if key not in spec.mapped_fields:
                assert job.extras[key] == value


def few_jobs(n: int = 6) -> dict[str, int]:
    """Emulator sizes with ``n`` jobs in every listing (discovered parents as by default).

    For tests about every adapter that are not about volume: a few jobs per stream prove
    the same as thousands, and paging has its own tests sized for several pages.
    """
    from jobkit.testing._data import _HAND_WRITTEN_OPS
    from jobkit.testing._generic import GENERIC_OPS

    hand = {operation: n for _, operation in _HAND_WRITTEN_OPS}
    return {**hand, **{f"{service}:{operation}": n for service, operation in GENERIC_OPS}}
