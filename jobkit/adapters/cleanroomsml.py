"""Clean Rooms ML: export jobs of a trained model in a collaboration."""

from __future__ import annotations

from jobkit.core.spec import AdapterSpec, Discovery, ScopeParam
from jobkit.model import JobStatus

__all__ = ["TRAINED_MODEL_EXPORT"]

_STATUS = {
    "CREATE_PENDING": JobStatus.PENDING,
    "CREATE_IN_PROGRESS": JobStatus.RUNNING,
    "CREATE_FAILED": JobStatus.FAILED,
    "ACTIVE": JobStatus.SUCCEEDED,  # the export finished
}

COLLABORATIONS = Discovery(
    service="cleanrooms",
    operation="ListCollaborations",
    result_key="collaborationList",
    input_token="nextToken",
    output_token="nextToken",
    limit_key="maxResults",
    page_size=100,
    value=lambda item: item.get("id"),
    base_params={"memberStatus": "ACTIVE"},
)

TRAINED_MODELS = Discovery(
    service="cleanroomsml",
    operation="ListCollaborationTrainedModels",
    result_key="collaborationTrainedModels",
    input_token="nextToken",
    output_token="nextToken",
    limit_key="maxResults",
    page_size=100,
    value=lambda item: item.get("trainedModelArn"),
    needs={"collaborationIdentifier": "collaborationIdentifier"},
)

TRAINED_MODEL_EXPORT = AdapterSpec(
    name="cleanroomsml.trained-model-export",
    service="cleanroomsml",
    operation="ListCollaborationTrainedModelExportJobs",
    doc="Clean Rooms ML export jobs of a trained model in a collaboration",
    result_key="collaborationTrainedModelExportJobs",
    input_token="nextToken",
    output_token="nextToken",
    limit_key="maxResults",
    page_size=100,
    name_field="name",
    id_field=None,
    status_field="status",
    created_field="createTime",
    updated_field="updateTime",
    account_field="creatorAccountId",
    status_map=_STATUS,
    scope=(
        ScopeParam(
            name="collaborationIdentifier",
            doc="the collaboration's id",
            discovery=COLLABORATIONS,
        ),
        ScopeParam(name="trainedModelArn", doc="the trained model's ARN", discovery=TRAINED_MODELS),
    ),
)
