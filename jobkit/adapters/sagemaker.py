"""SageMaker: processing jobs, and labeling jobs as a work team sees them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobkit.core.pushdown import top_level
from jobkit.core.spec import AdapterSpec, Discovery, ScopeParam
from jobkit.model import JobStatus

__all__ = ["LABELING_WORKTEAM", "PROCESSING", "labeling_status"]

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
    pushdown=top_level(after="CreationTimeAfter", before="CreationTimeBefore"),
)
