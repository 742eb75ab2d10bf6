"""Amazon Athena: query executions of a workgroup (ids listed, read 50 a call)."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import Hydrate, ScopeParam

__all__ = ["QUERY_EXECUTIONS", "SPECS"]

QUERY_EXECUTIONS = jobs(
    "athena.query-executions",
    "ListQueryExecutions",
    "Athena query executions of a workgroup (ids listed, read by BatchGetQueryExecution)",
    name_field=None,  # queries have an id, no name
    id_field="QueryExecutionId",
    status_field="Status.State",
    created_field="Status.SubmissionDateTime",
    ended_field="Status.CompletionDateTime",
    updated_field=None,
    scope=(
        ScopeParam(
            name="WorkGroup",
            doc="the workgroup's name (ListWorkGroups)",
            # Disabled workgroups keep their query history: every workgroup is listed.
            discovery=discovery("athena", "ListWorkGroups", value="Name"),
        ),
    ),
    hydrate=Hydrate(
        operation="BatchGetQueryExecution",
        ids_member="QueryExecutionIds",
        id_member="QueryExecutionId",
        batch=50,
        result_key="QueryExecutions",
        missing_key="UnprocessedQueryExecutionIds",
    ),
    # ListQueryExecutions takes no filter: everything is applied on the client.
)

SPECS = (QUERY_EXECUTIONS,)
