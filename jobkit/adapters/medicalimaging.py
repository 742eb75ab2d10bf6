"""AWS HealthImaging: DICOM import jobs of a data store."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.pushdown import top_level
from jobkit.core.spec import ScopeParam

__all__ = ["DICOM_IMPORT", "SPECS"]

DICOM_IMPORT = jobs(
    "medical-imaging.dicom-import",
    "ListDICOMImportJobs",
    "AWS HealthImaging DICOM import jobs of a data store",
    name_field="jobName",
    scope=(
        ScopeParam(
            name="datastoreId",
            doc="the data store's id (ListDatastores)",
            discovery=discovery("medical-imaging", "ListDatastores", value="datastoreId"),
        ),
    ),
    pushdown=top_level(status="jobStatus"),
)

SPECS = (DICOM_IMPORT,)
