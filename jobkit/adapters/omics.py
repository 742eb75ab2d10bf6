"""AWS HealthOmics: annotation and variant import jobs, read set and reference jobs of a store."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import AdapterSpec, ScopeParam

__all__ = [
    "ANNOTATION_IMPORT",
    "READ_SET_ACTIVATION",
    "READ_SET_EXPORT",
    "READ_SET_IMPORT",
    "REFERENCE_IMPORT",
    "SPECS",
    "VARIANT_IMPORT",
]

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

_SEQUENCE_STORE = (
    ScopeParam(
        name="sequenceStoreId",
        doc="the sequence store's id (ListSequenceStores)",
        discovery=discovery("omics", "ListSequenceStores", value="id"),
    ),
)


def _read_sets(kind: str, stem: str) -> AdapterSpec:
    return jobs(
        f"omics.read-set-{kind}",
        f"ListReadSet{stem}Jobs",
        f"AWS HealthOmics read set {kind} jobs of a sequence store",
        name_field=None,  # jobs have an id, no name
        scope=_SEQUENCE_STORE,
    )


READ_SET_ACTIVATION = _read_sets("activation", "Activation")
READ_SET_EXPORT = _read_sets("export", "Export")
READ_SET_IMPORT = _read_sets("import", "Import")

REFERENCE_IMPORT = jobs(
    "omics.reference-import",
    "ListReferenceImportJobs",
    "AWS HealthOmics reference import jobs of a reference store",
    name_field=None,
    scope=(
        ScopeParam(
            name="referenceStoreId",
            doc="the reference store's id (ListReferenceStores)",
            discovery=discovery("omics", "ListReferenceStores", value="id"),
        ),
    ),
)

SPECS = (
    ANNOTATION_IMPORT,
    VARIANT_IMPORT,
    READ_SET_ACTIVATION,
    READ_SET_EXPORT,
    READ_SET_IMPORT,
    REFERENCE_IMPORT,
)
