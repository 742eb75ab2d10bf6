"""AWS Entity Resolution: matching and ID mapping jobs of a workflow."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import AdapterSpec, ScopeParam

__all__ = ["ID_MAPPING", "MATCHING", "SPECS"]


def _jobs(kind: str, stem: str) -> AdapterSpec:
    return jobs(
        f"entityresolution.{kind}",
        f"List{stem}Jobs",
        f"AWS Entity Resolution {kind.replace('-', ' ')} jobs of a workflow",
        name_field=None,  # jobs have an id, no name
        scope=(
            ScopeParam(
                name="workflowName",
                doc=f"the {kind.replace('-', ' ')} workflow's name (List{stem}Workflows)",
                discovery=discovery(
                    "entityresolution", f"List{stem}Workflows", value="workflowName"
                ),
            ),
        ),
    )


MATCHING = _jobs("matching", "Matching")
ID_MAPPING = _jobs("id-mapping", "IdMapping")

SPECS = (MATCHING, ID_MAPPING)
