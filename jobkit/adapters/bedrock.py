"""Bedrock: model customization, batch inference (model invocation) and evaluation jobs."""

from __future__ import annotations

from jobkit.adapters._model import adapter
from jobkit.core.pushdown import top_level
from jobkit.core.spec import AdapterSpec
from jobkit.model import JobStatus

__all__ = ["EVALUATION", "MODEL_CUSTOMIZATION", "MODEL_INVOCATION", "SPECS"]

_STATUS = {
    "InProgress": JobStatus.RUNNING,
    "Completed": JobStatus.SUCCEEDED,
    "Failed": JobStatus.FAILED,
    "Stopping": JobStatus.STOPPING,
    "Stopped": JobStatus.STOPPED,
}


def _jobs(
    *,
    name: str,
    operation: str,
    doc: str,
    created: str,
    ended: str | None,
    updated: str | None,
    status_map: dict[str, JobStatus],
    time_filter: str,
) -> AdapterSpec:
    return adapter(
        name,
        "bedrock",
        operation,
        doc,
        name_field="jobName",
        id_field="jobArn",
        status_field="status",
        created_field=created,
        ended_field=ended,
        updated_field=updated,
        status_map=status_map,
        base_params={"sortBy": "CreationTime", "sortOrder": "Descending"},
        pushdown=top_level(
            status="statusEquals",
            after=f"{time_filter}After",
            before=f"{time_filter}Before",
            name="nameContains",
        ),
    )


MODEL_CUSTOMIZATION = _jobs(
    name="bedrock.model-customization",
    operation="ListModelCustomizationJobs",
    doc="Bedrock model customization (fine-tuning, distillation) jobs",
    created="creationTime",
    ended="endTime",
    updated="lastModifiedTime",
    status_map=_STATUS,
    time_filter="creationTime",
)

MODEL_INVOCATION = _jobs(
    name="bedrock.model-invocation",
    operation="ListModelInvocationJobs",
    doc="Bedrock batch inference (model invocation) jobs",
    created="submitTime",
    ended="endTime",
    updated="lastModifiedTime",
    status_map={
        **_STATUS,
        "Submitted": JobStatus.PENDING,
        "Validating": JobStatus.PENDING,
        "Scheduled": JobStatus.PENDING,
        # Some records failed: kept apart from both success and failure.
        "PartiallyCompleted": JobStatus.PARTIAL_SUCCESS,
        # The job timed out before it finished.
        "Expired": JobStatus.FAILED,
    },
    time_filter="submitTime",
)

EVALUATION = _jobs(
    name="bedrock.evaluation",
    operation="ListEvaluationJobs",
    doc="Bedrock model and RAG evaluation jobs",
    created="creationTime",
    ended=None,
    updated=None,
    # Deleting: the finished job is being removed; it no longer runs.
    status_map={**_STATUS, "Deleting": JobStatus.STOPPED},
    time_filter="creationTime",
)

SPECS = (MODEL_CUSTOMIZATION, MODEL_INVOCATION, EVALUATION)
