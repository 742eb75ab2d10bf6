"""Amazon Personalize: batch inference, batch segment, data deletion, dataset export and
import jobs.

The model gives the status member no enum; the words are the ones the API reference lists
(with their spaces: ``CREATE IN_PROGRESS``).
"""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.spec import AdapterSpec
from jobkit.model import JobStatus

__all__ = [
    "BATCH_INFERENCE",
    "BATCH_SEGMENT",
    "DATASET_EXPORT",
    "DATASET_IMPORT",
    "DATA_DELETION",
    "SPECS",
]

_STATUS = {
    "CREATE PENDING": JobStatus.PENDING,
    "CREATE IN_PROGRESS": JobStatus.RUNNING,
    "ACTIVE": JobStatus.SUCCEEDED,  # the job finished and its output is ready
    "CREATE FAILED": JobStatus.FAILED,
    # Batch jobs document these spellings too.
    "PENDING": JobStatus.PENDING,
    "IN PROGRESS": JobStatus.RUNNING,
}

_DELETION_STATUS = {
    "PENDING": JobStatus.PENDING,
    "IN_PROGRESS": JobStatus.RUNNING,
    "COMPLETED": JobStatus.SUCCEEDED,
    "FAILED": JobStatus.FAILED,
}


def _jobs(kind: str, stem: str, status_map: dict[str, JobStatus] = _STATUS) -> AdapterSpec:
    return jobs(
        f"personalize.{kind}",
        f"List{stem}Jobs",
        f"Amazon Personalize {kind.replace('-', ' ')} jobs",
        name_field="jobName",
        status_field="status",
        status_map=status_map,
    )


BATCH_INFERENCE = _jobs("batch-inference", "BatchInference")
BATCH_SEGMENT = _jobs("batch-segment", "BatchSegment")
DATA_DELETION = _jobs("data-deletion", "DataDeletion", _DELETION_STATUS)
DATASET_EXPORT = _jobs("dataset-export", "DatasetExport")
DATASET_IMPORT = _jobs("dataset-import", "DatasetImport")

SPECS = (BATCH_INFERENCE, BATCH_SEGMENT, DATA_DELETION, DATASET_EXPORT, DATASET_IMPORT)
