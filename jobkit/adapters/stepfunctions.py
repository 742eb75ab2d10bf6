"""Step Functions: executions of a standard state machine (awsJson1_0)."""

from __future__ import annotations

from jobkit.core.pushdown import top_level
from jobkit.core.spec import AdapterSpec, Discovery, ScopeParam
from jobkit.model import JobStatus

__all__ = ["EXECUTIONS"]

STATE_MACHINES = Discovery(
    service="stepfunctions",
    operation="ListStateMachines",
    result_key="stateMachines",
    input_token="nextToken",
    output_token="nextToken",
    limit_key="maxResults",
    page_size=1000,
    value=lambda item: item.get("stateMachineArn"),
    # ListExecutions is not supported for EXPRESS state machines (their runs go to logs).
    keep=lambda item: item.get("type") != "EXPRESS",
)

EXECUTIONS = AdapterSpec(
    name="stepfunctions.executions",
    service="stepfunctions",
    operation="ListExecutions",
    doc="Step Functions executions of a standard state machine",
    result_key="executions",
    input_token="nextToken",
    output_token="nextToken",
    limit_key="maxResults",
    page_size=100,
    name_field="name",
    id_field="executionArn",
    status_field="status",
    created_field="startDate",
    ended_field="stopDate",
    status_map={
        "RUNNING": JobStatus.RUNNING,
        "SUCCEEDED": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
        "TIMED_OUT": JobStatus.FAILED,
        "ABORTED": JobStatus.STOPPED,
        # A failed execution waiting to be redriven: it will run again.
        "PENDING_REDRIVE": JobStatus.PENDING,
    },
    scope=(
        ScopeParam(
            name="stateMachineArn",
            doc="the standard state machine's ARN",
            discovery=STATE_MACHINES,
        ),
    ),
    pushdown=top_level(status="statusFilter"),
)
