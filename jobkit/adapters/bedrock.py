"""Bedrock: model customization, batch inference (model invocation) and evaluation jobs."""

from __future__ import annotations

from jobkit.adapters._model import adapter, jobs
from jobkit.core.pushdown import top_level
from jobkit.core.spec import AdapterSpec
from jobkit.model import JobStatus

__all__ = [
    "ADVANCED_PROMPT_OPTIMIZATION",
    "EVALUATION",
    "MODEL_COPY",
    "MODEL_CUSTOMIZATION",
    "MODEL_IMPORT",
    "MODEL_INVOCATION",
    "SPECS",
]

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

ADVANCED_PROMPT_OPTIMIZATION = jobs(
    "bedrock.advanced-prompt-optimization",
    "ListAdvancedPromptOptimizationJobs",
    "Bedrock advanced prompt optimization jobs",
    name_field="jobName",
    # Deleting: the finished job is being removed; it no longer runs.
    statuses={"Deleting": JobStatus.STOPPED},
)

MODEL_COPY = jobs(
    "bedrock.model-copy",
    "ListModelCopyJobs",
    "Bedrock model copy jobs",
    name_field="targetModelName",
    pushdown=top_level(
        status="statusEquals",
        after="creationTimeAfter",
        before="creationTimeBefore",
        name="targetModelNameContains",
    ),
)

MODEL_IMPORT = jobs(
    "bedrock.model-import",
    "ListModelImportJobs",
    "Bedrock custom model import jobs",
    name_field="jobName",
    pushdown=top_level(
        status="statusEquals",
        after="creationTimeAfter",
        before="creationTimeBefore",
        name="nameContains",
    ),
)

SPECS = (
    MODEL_CUSTOMIZATION,
    MODEL_INVOCATION,
    EVALUATION,
    ADVANCED_PROMPT_OPTIMIZATION,
    MODEL_COPY,
    MODEL_IMPORT,
)
