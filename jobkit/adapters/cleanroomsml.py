"""Clean Rooms ML: export jobs of a trained model in a collaboration."""

from __future__ import annotations

from jobkit.adapters._model import adapter, discovery, jobs
from jobkit.core.spec import ScopeParam
from jobkit.model import JobStatus

__all__ = [
    "AUDIENCE_EXPORT",
    "AUDIENCE_GENERATION",
    "COLLABORATION_INFERENCE",
    "INFERENCE",
    "SPECS",
    "TRAINED_MODEL_EXPORT",
]

_STATUS = {
    "CREATE_PENDING": JobStatus.PENDING,
    "CREATE_IN_PROGRESS": JobStatus.RUNNING,
    "CREATE_FAILED": JobStatus.FAILED,
    "ACTIVE": JobStatus.SUCCEEDED,  # the export finished
}

COLLABORATIONS = discovery(
    "cleanrooms",
    "ListCollaborations",
    value="id",
    base_params={"memberStatus": "ACTIVE"},
)

TRAINED_MODELS = discovery(
    "cleanroomsml",
    "ListCollaborationTrainedModels",
    value="trainedModelArn",
    needs={"collaborationIdentifier": "collaborationIdentifier"},
)

TRAINED_MODEL_EXPORT = adapter(
    "cleanroomsml.trained-model-export",
    "cleanroomsml",
    "ListCollaborationTrainedModelExportJobs",
    "Clean Rooms ML export jobs of a trained model in a collaboration",
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

AUDIENCE_EXPORT = jobs(
    "cleanroomsml.audience-export",
    "ListAudienceExportJobs",
    "Clean Rooms ML audience export jobs",
    name_field="name",
    statuses={"ACTIVE": JobStatus.SUCCEEDED},  # the export finished
)

AUDIENCE_GENERATION = jobs(
    "cleanroomsml.audience-generation",
    "ListAudienceGenerationJobs",
    "Clean Rooms ML audience generation jobs",
    name_field="name",
    statuses={
        "ACTIVE": JobStatus.SUCCEEDED,  # the audience is generated
        # The generated audience is being deleted: the job no longer runs.
        "DELETE_PENDING": JobStatus.STOPPED,
        "DELETE_IN_PROGRESS": JobStatus.STOPPED,
        "DELETE_FAILED": JobStatus.FAILED,
    },
)

_INFERENCE_STATUS = {
    "ACTIVE": JobStatus.SUCCEEDED,  # the inference finished and its output is ready
    "CANCEL_PENDING": JobStatus.STOPPING,
    "CANCEL_IN_PROGRESS": JobStatus.STOPPING,
    "CANCEL_FAILED": JobStatus.RUNNING,  # the cancellation failed: the job carries on
    "INACTIVE": JobStatus.STOPPED,  # cancelled
}

COLLABORATION_INFERENCE = jobs(
    "cleanroomsml.collaboration-inference",
    "ListCollaborationTrainedModelInferenceJobs",
    "Clean Rooms ML trained model inference jobs of a collaboration",
    name_field="name",
    status_field="status",
    statuses=_INFERENCE_STATUS,
    scope=(
        ScopeParam(
            name="collaborationIdentifier",
            doc="the collaboration's id (cleanrooms ListCollaborations)",
            discovery=COLLABORATIONS,
        ),
    ),
)

INFERENCE = jobs(
    "cleanroomsml.inference",
    "ListTrainedModelInferenceJobs",
    "Clean Rooms ML trained model inference jobs of a membership",
    name_field="name",
    status_field="status",
    statuses=_INFERENCE_STATUS,
    scope=(
        ScopeParam(
            name="membershipIdentifier",
            doc="the membership's id (cleanrooms ListMemberships)",
            discovery=discovery(
                "cleanrooms", "ListMemberships", value="id", base_params={"status": "ACTIVE"}
            ),
        ),
    ),
)

SPECS = (
    TRAINED_MODEL_EXPORT,
    AUDIENCE_EXPORT,
    AUDIENCE_GENERATION,
    COLLABORATION_INFERENCE,
    INFERENCE,
)
