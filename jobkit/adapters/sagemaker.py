"""SageMaker: processing, training, transform, tuning, compilation, AutoML and labeling jobs,
labeling jobs as a work team sees them, and pipeline executions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobkit.adapters._model import adapter, discovery, jobs
from jobkit.core.pushdown import top_level
from jobkit.core.spec import AdapterSpec, Partition, ScopeParam
from jobkit.model import JobStatus

__all__ = [
    "AI_BENCHMARK",
    "AI_RECOMMENDATION",
    "AUTOML",
    "COMPILATION",
    "EDGE_PACKAGING",
    "HYPERPARAMETER_TUNING",
    "INFERENCE_RECOMMENDATIONS",
    "JOBS",
    "LABELING",
    "LABELING_WORKTEAM",
    "MODEL_CARD_EXPORT",
    "OPTIMIZATION",
    "PIPELINE_EXECUTIONS",
    "PROCESSING",
    "SPECS",
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


WORKTEAMS = discovery("sagemaker", "ListWorkteams", value="WorkteamArn")

LABELING_WORKTEAM = adapter(
    "sagemaker.labeling-workteam",
    "sagemaker",
    "ListLabelingJobsForWorkteam",
    "SageMaker labeling jobs assigned to a work team",
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
    stem: str,
    status_map: dict[str, JobStatus],
    ended_field: str | None,
    sort: bool = False,
) -> AdapterSpec:
    """A SageMaker ``List*Jobs`` operation: same filters and field naming scheme.

    ``sort``: push the query's order down as SortOrder (ListProcessingJobs honours it).
    """
    return adapter(
        name,
        "sagemaker",
        operation,
        doc,
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
            sort=("SortOrder", "Descending", "Ascending") if sort else None,
        ),
    )


PROCESSING = _job_list(
    name="sagemaker.processing",
    operation="ListProcessingJobs",
    doc="SageMaker processing jobs",
    stem="ProcessingJob",
    status_map=_SAGEMAKER_STATUS,
    ended_field="ProcessingEndTime",
    sort=True,
)

TRAINING = _job_list(
    name="sagemaker.training",
    operation="ListTrainingJobs",
    doc="SageMaker training jobs",
    stem="TrainingJob",
    # Deleting: the finished job's resources are being removed; it no longer runs.
    status_map={**_SAGEMAKER_STATUS, "Deleting": JobStatus.STOPPED},
    ended_field="TrainingEndTime",
)

TRANSFORM = _job_list(
    name="sagemaker.transform",
    operation="ListTransformJobs",
    doc="SageMaker batch transform jobs",
    stem="TransformJob",
    status_map=_SAGEMAKER_STATUS,
    ended_field="TransformEndTime",
)

HYPERPARAMETER_TUNING = _job_list(
    name="sagemaker.hyperparameter-tuning",
    operation="ListHyperParameterTuningJobs",
    doc="SageMaker hyperparameter tuning jobs",
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
    stem="AutoMLJob",
    status_map=_SAGEMAKER_STATUS,
    ended_field="EndTime",
)

LABELING = _job_list(
    name="sagemaker.labeling",
    operation="ListLabelingJobs",
    doc="SageMaker Ground Truth labeling jobs of the account",
    stem="LabelingJob",
    status_map={**_SAGEMAKER_STATUS, "Initializing": JobStatus.PENDING},
    ended_field=None,
)

PIPELINES = discovery("sagemaker", "ListPipelines", value="PipelineName")

PIPELINE_EXECUTIONS = adapter(
    "sagemaker.pipeline-executions",
    "sagemaker",
    "ListPipelineExecutions",
    "SageMaker Pipelines executions of a pipeline",
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

_FILTERS = top_level(
    status="StatusEquals",
    after="CreationTimeAfter",
    before="CreationTimeBefore",
    name="NameContains",
)

AI_BENCHMARK = jobs(
    "sagemaker.ai-benchmark",
    "ListAIBenchmarkJobs",
    "SageMaker AI benchmark jobs",
    name_field="AIBenchmarkJobName",
    pushdown=_FILTERS,
)

AI_RECOMMENDATION = jobs(
    "sagemaker.ai-recommendation",
    "ListAIRecommendationJobs",
    "SageMaker AI recommendation jobs",
    name_field="AIRecommendationJobName",
    pushdown=_FILTERS,
)

EDGE_PACKAGING = jobs(
    "sagemaker.edge-packaging",
    "ListEdgePackagingJobs",
    "SageMaker Edge Manager packaging jobs",
    name_field="EdgePackagingJobName",
    pushdown=_FILTERS,
)

INFERENCE_RECOMMENDATIONS = jobs(
    "sagemaker.inference-recommendations",
    "ListInferenceRecommendationsJobs",
    "SageMaker Inference Recommender jobs",
    name_field="JobName",
    # The finished job's record is being (or was) removed: it no longer runs.
    statuses={"DELETING": JobStatus.STOPPED, "DELETED": JobStatus.STOPPED},
    pushdown=_FILTERS,
)

OPTIMIZATION = jobs(
    "sagemaker.optimization",
    "ListOptimizationJobs",
    "SageMaker inference optimization jobs",
    name_field="OptimizationJobName",
    pushdown=_FILTERS,
)

JOBS = jobs(
    "sagemaker.jobs",
    "ListJobs",
    "SageMaker jobs of the generic Jobs API (agent RFT training and evaluation)",
    name_field="JobName",
    status_field="JobStatus",
    statuses={"Deleting": JobStatus.STOPPED, "DeleteFailed": JobStatus.FAILED},
    # JobCategory is required: one stream per category.
    partition=Partition(param="JobCategory", values=("AgentRFT", "AgentRFTEvaluation")),
    pushdown=_FILTERS,
)

MODEL_CARD_EXPORT = jobs(
    "sagemaker.model-card-export",
    "ListModelCardExportJobs",
    "SageMaker model card export jobs of a model card",
    name_field="ModelCardExportJobName",
    scope=(
        ScopeParam(
            name="ModelCardName",
            doc="the model card's name (ListModelCards)",
            discovery=discovery("sagemaker", "ListModelCards", value="ModelCardName"),
        ),
    ),
    pushdown=top_level(
        status="StatusEquals",
        after="CreationTimeAfter",
        before="CreationTimeBefore",
        name="ModelCardExportJobNameContains",
    ),
)

SPECS = (
    AI_BENCHMARK,
    AI_RECOMMENDATION,
    EDGE_PACKAGING,
    INFERENCE_RECOMMENDATIONS,
    OPTIMIZATION,
    JOBS,
    MODEL_CARD_EXPORT,
    PROCESSING,
    LABELING_WORKTEAM,
    TRAINING,
    TRANSFORM,
    HYPERPARAMETER_TUNING,
    COMPILATION,
    AUTOML,
    LABELING,
    PIPELINE_EXECUTIONS,
)
