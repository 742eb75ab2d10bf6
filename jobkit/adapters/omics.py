"""AWS HealthOmics: annotation and variant import jobs."""

from __future__ import annotations

from jobkit.adapters._model import jobs

__all__ = ["ANNOTATION_IMPORT", "SPECS", "VARIANT_IMPORT"]

ANNOTATION_IMPORT = jobs(
    "omics.annotation-import",
    "ListAnnotationImportJobs",
    "AWS HealthOmics annotation import jobs",
    name_field="destinationName",
)

VARIANT_IMPORT = jobs(
    "omics.variant-import",
    "ListVariantImportJobs",
    "AWS HealthOmics variant import jobs",
    name_field="destinationName",
)

SPECS = (ANNOTATION_IMPORT, VARIANT_IMPORT)
