"""Transcribe: transcription and medical transcription jobs (no botocore paginators)."""

from __future__ import annotations

from jobkit.adapters._model import adapter, jobs
from jobkit.core.pushdown import top_level
from jobkit.core.spec import AdapterSpec, Paging
from jobkit.model import JobStatus

__all__ = ["CALL_ANALYTICS", "MEDICAL_SCRIBE", "MEDICAL_TRANSCRIPTION", "SPECS", "TRANSCRIPTION"]

_STATUS = {
    "QUEUED": JobStatus.PENDING,
    "IN_PROGRESS": JobStatus.RUNNING,
    "FAILED": JobStatus.FAILED,
    "COMPLETED": JobStatus.SUCCEEDED,
}


def _jobs(name: str, operation: str, doc: str, result_key: str, name_field: str) -> AdapterSpec:
    return adapter(
        name,
        "transcribe",
        operation,
        doc,
        paging=Paging(
            result_key=result_key,
            input_token="NextToken",
            output_token="NextToken",
            limit_key="MaxResults",
            page_size=100,
        ),
        name_field=name_field,
        id_field=None,  # the job name is the job's identifier
        status_field="TranscriptionJobStatus",
        created_field="CreationTime",
        ended_field="CompletionTime",
        status_map=_STATUS,
        # No time filters in the API; JobNameContains is a substring match like name_contains.
        pushdown=top_level(status="Status", name="JobNameContains"),
    )


TRANSCRIPTION = _jobs(
    "transcribe.transcription",
    "ListTranscriptionJobs",
    "Transcribe transcription jobs",
    "TranscriptionJobSummaries",
    "TranscriptionJobName",
)
MEDICAL_TRANSCRIPTION = _jobs(
    "transcribe.medical-transcription",
    "ListMedicalTranscriptionJobs",
    "Transcribe Medical transcription jobs",
    "MedicalTranscriptionJobSummaries",
    "MedicalTranscriptionJobName",
)


# Call Analytics and Medical Scribe jobs page and filter like transcription jobs.
CALL_ANALYTICS = jobs(
    "transcribe.call-analytics",
    "ListCallAnalyticsJobs",
    "Transcribe Call Analytics jobs",
    name_field="CallAnalyticsJobName",
    id_field=None,  # the job name is the job's identifier
    pushdown=top_level(status="Status", name="JobNameContains"),
)
MEDICAL_SCRIBE = jobs(
    "transcribe.medical-scribe",
    "ListMedicalScribeJobs",
    "Transcribe Medical Scribe jobs",
    name_field="MedicalScribeJobName",
    id_field=None,
    pushdown=top_level(status="Status", name="JobNameContains"),
)

SPECS = (TRANSCRIPTION, MEDICAL_TRANSCRIPTION, CALL_ANALYTICS, MEDICAL_SCRIBE)
