"""SageMaker: processing, training, transform, tuning, compilation, AutoML and labeling jobs,
labeling jobs as a work team sees them, and pipeline executions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobkit.core.pushdown import top_level
from jobkit.core.spec import AdapterSpec, Discovery, ScopeParam
from jobkit.model import JobStatus

__all__ = [
    "AUTOML",
    "COMPILATION",
    "HYPERPARAMETER_TUNING",
    "LABELING",
    "LABELING_WORKTEAM",
    "PIPELINE_EXECUTIONS",
    "PROCESSING",
    "TRAINING",
    "TRANSFORM",
    "labeling_status",
]

_SAGEMAKER_STATUS = {
    "InProgress": JobStatus.RUNNING,
    "Completed": JobStatus.SUCCEEDED,
    "Failed": JobStatus.FAILED,
    "Stopping": JobStatus.STOPPING,
    "Stopped": JobStatus.STOPPED,
}

PROCESSING = AdapterSpec(
    name="sagemaker.processing",
    service="sagemaker",
    operation="ListProcessingJobs",
    doc="SageMaker processing jobs",
    result_key="ProcessingJobSummaries",
    input_token="NextToken",
    output_token="NextToken",
    limit_key="MaxResults",
    page_size=100,
    name_field="ProcessingJobName",
    id_field="ProcessingJobArn",
    status_field="ProcessingJobStatus",
    created_field="CreationTime",
    ended_field="ProcessingEndTime",
    updated_field="LastModifiedTime",
    status_map=_SAGEMAKER_STATUS,
    base_params={"SortBy": "CreationTime", "SortOrder": "Descending"},
    pushdown=top_level(
        status="StatusEquals",
        after="CreationTimeAfter",
        before="CreationTimeBefore",
        name="NameContains",
        sort=("SortOrder", "Descending", "Ascending"),
    ),
)

LABELING_STATUS_RULE = (
    "derived from LabelCounters: none -> UNKNOWN; PendingHuman > 0 -> RUNNING; "
    "HumanLabeled == 0 -> PENDING (nothing sent to the work team yet); "
    "otherwise SUCCEEDED (the team labeled objects and none await it)"
)


def labeling_status(summary: Mapping[str, Any]) -> JobStatus:
    """The status of a labeling job from the work team's counters (see LABELING_STATUS_RULE)."""
    counters = summary.get("LabelCounters")
    if not isinstance(counters, Mapping):
        return JobStatus.UNKNOWN
    pending = counters.get("PendingHuman") or 0
    labeled = counters.get("HumanLabeled") or 0
    if not isinstance(pending, int) or not isinstance(labeled, int):
        raise TypeError(f"LabelCounters hold non-integers: {dict(counters)!r}")
    if pending > 0:
        return JobStatus.RUNNING
    if labeled == 0:
        return JobStatus.PENDING
    return JobStatus.SUCCEEDED


WORKTEAMS = Discovery(
    service="sagemaker",
    operation="ListWorkteams",
    result_key="Workteams",
    input_token="NextToken",
    output_token="NextToken",
    limit_key="MaxResults",
    page_size=100,
    value=lambda item: item.get("WorkteamArn"),
)

LABELING_WORKTEAM = AdapterSpec(
    name="sagemaker.labeling-workteam",
    service="sagemaker",
    operation="ListLabelingJobsForWorkteam",
    doc="SageMaker labeling jobs assigned to a work team",
    result_key="LabelingJobSummaryList",
    input_token="NextToken",
    output_token="NextToken",
    limit_key="MaxResults",
    page_size=100,
    name_field="LabelingJobName",
    id_field="JobReferenceCode",
    status_field=None,
    derive_status=labeling_status,
    status_rule=LABELING_STATUS_RULE,
    created_field="CreationTime",
    account_field="WorkRequesterAccountId",
    scope=(ScopeParam(name="WorkteamArn", doc="the work team's ARN", discovery=WORKTEAMS),),
    base_params={"SortBy": "CreationTime", "SortOrder": "Descending"},
    # JobReferenceCodeContains filters the reference code, not the name: not a name filter.
    pushdown=top_level(
        after="CreationTimeAfter",
        before="CreationTimeBefore",
        sort=("SortOrder", "Descending", "Ascending"),
    ),
)


def _job_list(
    *,
    name: str,
    operation: str,
    doc: str,
    result_key: str,
    stem: str,
    status_map: dict[str, JobStatus],
    ended_field: str | None,
) -> AdapterSpec:
    """A SageMaker ``List*Jobs`` operation: same paging, filters and field naming scheme."""
    return AdapterSpec(
        name=name,
        service="sagemaker",
        operation=operation,
        doc=doc,
        result_key=result_key,
        input_token="NextToken",
        output_token="NextToken",
        limit_key="MaxResults",
        page_size=100,
        name_field=f"{stem}Name",
        id_field=f"{stem}Arn",
        status_field=f"{stem}Status",
        created_field="CreationTime",
        ended_field=ended_field,
        updated_field="LastModifiedTime",
        status_map=status_map,
        base_params={"SortBy": "CreationTime", "SortOrder": "Descending"},
        pushdown=top_level(
            status="StatusEquals",
            after="CreationTimeAfter",
            before="CreationTimeBefore",
            name="NameContains",
        ),
    )


TRAINING = _job_list(
    name="sagemaker.training",
    operation="ListTrainingJobs",
    doc="SageMaker training jobs",
    result_key="TrainingJobSummaries",
    stem="TrainingJob",
    # Deleting: the finished job's resources are being removed; it no longer runs.
    status_map={**_SAGEMAKER_STATUS, "Deleting": JobStatus.STOPPED},
    ended_field="TrainingEndTime",
)

TRANSFORM = _job_list(
    name="sagemaker.transform",
    operation="ListTransformJobs",
    doc="SageMaker batch transform jobs",
    result_key="TransformJobSummaries",
    stem="TransformJob",
    status_map=_SAGEMAKER_STATUS,
    ended_field="TransformEndTime",
)

HYPERPARAMETER_TUNING = _job_list(
    name="sagemaker.hyperparameter-tuning",
    operation="ListHyperParameterTuningJobs",
    doc="SageMaker hyperparameter tuning jobs",
    result_key="HyperParameterTuningJobSummaries",
    stem="HyperParameterTuningJob",
    status_map={
        **_SAGEMAKER_STATUS,
        "Deleting": JobStatus.STOPPED,
        # The tuning job had ended; only deleting its record failed.
        "DeleteFailed": JobStatus.FAILED,
    },
    ended_field="HyperParameterTuningEndTime",
)

COMPILATION = _job_list(
    name="sagemaker.compilation",
    operation="ListCompilationJobs",
    doc="SageMaker Neo compilation jobs",
    result_key="CompilationJobSummaries",
    stem="CompilationJob",
    status_map={
        "STARTING": JobStatus.PENDING,
        "INPROGRESS": JobStatus.RUNNING,
        "COMPLETED": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
        "STOPPING": JobStatus.STOPPING,
        "STOPPED": JobStatus.STOPPED,
    },
    ended_field="CompilationEndTime",
)

AUTOML = _job_list(
    name="sagemaker.automl",
    operation="ListAutoMLJobs",
    doc="SageMaker Autopilot (AutoML) jobs",
    result_key="AutoMLJobSummaries",
    stem="AutoMLJob",
    status_map=_SAGEMAKER_STATUS,
    ended_field="EndTime",
)

LABELING = _job_list(
    name="sagemaker.labeling",
    operation="ListLabelingJobs",
    doc="SageMaker Ground Truth labeling jobs of the account",
    result_key="LabelingJobSummaryList",
    stem="LabelingJob",
    status_map={**_SAGEMAKER_STATUS, "Initializing": JobStatus.PENDING},
    ended_field=None,
)

PIPELINES = Discovery(
    service="sagemaker",
    operation="ListPipelines",
    result_key="PipelineSummaries",
    input_token="NextToken",
    output_token="NextToken",
    limit_key="MaxResults",
    page_size=100,
    value=lambda item: item.get("PipelineName"),
)

PIPELINE_EXECUTIONS = AdapterSpec(
    name="sagemaker.pipeline-executions",
    service="sagemaker",
    operation="ListPipelineExecutions",
    doc="SageMaker Pipelines executions of a pipeline",
    result_key="PipelineExecutionSummaries",
    input_token="NextToken",
    output_token="NextToken",
    limit_key="MaxResults",
    page_size=100,
    name_field="PipelineExecutionDisplayName",
    id_field="PipelineExecutionArn",
    status_field="PipelineExecutionStatus",
    created_field="StartTime",
    status_map={
        "Executing": JobStatus.RUNNING,
        "Stopping": JobStatus.STOPPING,
        "Stopped": JobStatus.STOPPED,
        "Failed": JobStatus.FAILED,
        "Succeeded": JobStatus.SUCCEEDED,
        # Some steps failed but the execution completed: not flattened into either side.
        "CompletedWithFailures": JobStatus.PARTIAL_SUCCESS,
    },
    scope=(ScopeParam(name="PipelineName", doc="the pipeline's name or ARN", discovery=PIPELINES),),
    base_params={"SortBy": "CreationTime", "SortOrder": "Descending"},
    # No status or name filter in the API: those stay on the client.
    pushdown=top_level(after="CreatedAfter", before="CreatedBefore"),
)
