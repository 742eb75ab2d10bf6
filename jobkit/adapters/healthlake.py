"""AWS HealthLake: data transformation jobs."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.pushdown import top_level
from jobkit.core.spec import AdapterSpec, ScopeParam
from jobkit.model import JobStatus

__all__ = ["DATA_TRANSFORMATION", "FHIR_EXPORT", "FHIR_IMPORT", "SPECS"]

DATA_TRANSFORMATION = jobs(
    "healthlake.data-transformation",
    "ListDataTransformationJobs",
    "AWS HealthLake data transformation jobs",
    name_field="JobName",
    # JobName is an exact match, so name_contains stays on the client.
    pushdown=top_level(status="JobStatus", after="SubmittedAfter", before="SubmittedBefore"),
)

_CANCEL = {
    "CANCEL_SUBMITTED": JobStatus.STOPPING,
    "CANCEL_IN_PROGRESS": JobStatus.STOPPING,
    "CANCEL_COMPLETED": JobStatus.STOPPED,
    "CANCEL_FAILED": JobStatus.RUNNING,  # the cancellation failed: the job carries on
}


def _fhir(kind: str, stem: str) -> AdapterSpec:
    return jobs(
        f"healthlake.fhir-{kind}",
        f"ListFHIR{stem}Jobs",
        f"AWS HealthLake FHIR {kind} jobs of a data store",
        name_field="JobName",
        statuses=_CANCEL,
        scope=(
            ScopeParam(
                name="DatastoreId",
                doc="the FHIR data store's id (ListFHIRDatastores)",
                discovery=discovery("healthlake", "ListFHIRDatastores", value="DatastoreId"),
            ),
        ),
        # JobName is an exact match, so name_contains stays on the client.
        pushdown=top_level(status="JobStatus", after="SubmittedAfter", before="SubmittedBefore"),
    )


FHIR_EXPORT = _fhir("export", "Export")
FHIR_IMPORT = _fhir("import", "Import")

SPECS = (DATA_TRANSFORMATION, FHIR_EXPORT, FHIR_IMPORT)
