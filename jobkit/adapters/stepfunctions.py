"""Step Functions: executions of a standard state machine, and their map runs (awsJson1_0)."""

from __future__ import annotations

from jobkit.adapters._model import adapter, discovery
from jobkit.core.pushdown import top_level
from jobkit.core.spec import Hydrate, ScopeParam
from jobkit.model import JobStatus

__all__ = ["EXECUTIONS", "MAP_RUNS", "SPECS"]

STATE_MACHINES = discovery(
    "stepfunctions",
    "ListStateMachines",
    page_size=1000,  # the maximum: one call lists most accounts' state machines
    value="stateMachineArn",
    # ListExecutions is not supported for EXPRESS state machines (their runs go to logs).
    keep=lambda item: item.get("type") != "EXPRESS",
)

EXECUTIONS = adapter(
    "stepfunctions.executions",
    "stepfunctions",
    "ListExecutions",
    "Step Functions executions of a standard state machine",
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

MAP_RUNS = adapter(
    "stepfunctions.map-runs",
    "stepfunctions",
    "ListMapRuns",
    "Step Functions map runs of an execution (read one by one by DescribeMapRun)",
    name_field=None,  # map runs have an ARN, no name
    id_field="mapRunArn",
    status_field="status",
    created_field="startDate",
    ended_field="stopDate",
    status_map={
        "RUNNING": JobStatus.RUNNING,
        "SUCCEEDED": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
        "ABORTED": JobStatus.STOPPED,
    },
    scope=(
        ScopeParam(
            name="executionArn",
            doc="the execution's ARN (ListExecutions of each standard state machine; every "
            "execution is read to find them: pass params={'executionArn': ...} to skip that)",
            named_only=True,  # every execution of every state machine: only when named
            discovery=discovery(
                "stepfunctions",
                "ListExecutions",
                value="executionArn",
                page_size=1000,  # the maximum: executions are read only for their ARNs
                within=(STATE_MACHINES, "stateMachineArn"),
            ),
        ),
    ),
    # The summaries carry no status: DescribeMapRun answers it, one map run a call.
    hydrate=Hydrate(
        operation="DescribeMapRun",
        ids_member="mapRunArn",
        id_member="mapRunArn",
        batch=1,
        listed_id="mapRunArn",
    ),
)

SPECS = (EXECUTIONS, MAP_RUNS)
