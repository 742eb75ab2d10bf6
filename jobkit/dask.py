"""A plan's units as a Dask DataFrame (the extra ``jobkit[dask]``).

``read_jobs(...)`` takes the arguments of ``jobkit.plan()`` (or a ``plan=``) and returns a
lazy ``dask.dataframe.DataFrame``: one partition per group of units of one account
(``partition_size`` units at most), each listed by a worker with the normal listing
machinery. The graph holds the units' JSON only: credential *sources*, never credentials; a
worker resolves them from its own environment (a profile, a role it assumes, its default
chain). It runs on Dask's local scheduler, or on the ``distributed.Client`` that is active.

Columns: those of ``JobList.to_pandas()``, with the same dtypes, then one ``extras.<path>``
column per member the adapters' botocore model declares (a frame needs its columns before
any job is read; ``to_pandas()`` has those some job carried). A map member (Glue
``Arguments``, MediaConvert ``UserMetadata``) is one column holding the dict, where
``to_pandas()`` spreads its keys.

Errors follow the plan's ``errors=``: under "raise" (and for failures that are not
unavailability under "skip") the first failed unit fails the computation with its typed
error. Unavailable streams skipped under "skip", and failed streams under "warn" or
"collect", are rows of ``read(...).problems``, computed with the jobs in one pass
(``dask.compute(reading.jobs, reading.problems)``); ``read_jobs`` refuses "warn" and
"collect", whose failures it could only drop.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import operator
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Unpack

import attrs

from jobkit.accounts import AccountsArg
from jobkit.adapters import get as adapter_spec
from jobkit.core.units import CredentialSource
from jobkit.errors import MissingDependencyError, UsageError
from jobkit.model import Job
from jobkit.options import AdapterArg, ListingArgs
from jobkit.planning import Plan, WorkUnit
from jobkit.planning import plan as make_plan
from jobkit.present import export
from jobkit.present.records import COLUMNS

if TYPE_CHECKING:
    import boto3
    import dask.dataframe
    import pandas


__all__ = ["PROBLEM_COLUMNS", "Reading", "extras_columns", "read", "read_jobs"]

log = logging.getLogger("jobkit")

#: The columns of ``Reading.problems``: one row per failed or skipped stream.
PROBLEM_COLUMNS = ("unit", "kind", "adapter", "region", "account", "reason", "error")


def _require() -> tuple[Any, Any]:
    try:
        import dask  # noqa: PLC0415 - an optional extra
        import dask.dataframe as dd  # noqa: PLC0415
    except ImportError as exc:
        raise MissingDependencyError("jobkit.dask.read_jobs()", "dask", "dask") from exc
    return dask, dd


@functools.lru_cache(maxsize=128)
def _model_paths(name: str) -> tuple[tuple[str, ...], ...]:
    """Every leaf path of the adapter's summary shape (structures spread, maps and lists
    whole), top-level members jobkit normalizes left out."""
    import botocore.model  # noqa: PLC0415

    spec = adapter_spec(name)

    from jobkit.drivers._config import shared_loader  # noqa: PLC0415

    model = botocore.model.ServiceModel(
        shared_loader().load_service_model(spec.service, "service-2")
    )
    output = model.operation_model(spec.operation).output_shape
    shape: Any = output
    for part in str(spec.result_key).split("."):
        shape = shape.members[part]
    item = shape.member
    mapped = set(spec.mapped_fields)
    paths: list[tuple[str, ...]] = []

    def walk(node: Any, prefix: tuple[str, ...], seen: frozenset[str]) -> None:
        for key, member in node.members.items():
            if not prefix and key in mapped:
                continue
            if member.type_name == "structure" and member.name not in seen:
                walk(member, (*prefix, key), seen | {member.name})
            else:
                paths.append((*prefix, key))

    walk(item, (), frozenset({item.name}))
    return tuple(paths)


def extras_columns(adapters: Sequence[str]) -> list[str]:
    """The ``extras.*`` columns of a frame of ``adapters``, sorted by name."""
    names = {"extras." + ".".join(path) for name in adapters for path in _model_paths(name)}
    return sorted(names)


def _dig(extras: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = extras
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return dict(value) if isinstance(value, Mapping) else value


def _frame(jobs: Sequence[Job], columns: Sequence[str]) -> pandas.DataFrame:
    """``jobs`` as the frame's partition: ``to_pandas()``'s fixed columns and dtypes, then
    the declared extras columns."""
    import pandas as pd  # noqa: PLC0415

    fixed = export.to_pandas([attrs.evolve(job, extras={}) for job in jobs])[list(COLUMNS)]
    extras = {}
    for name in columns[len(COLUMNS) :]:
        path = name[len("extras.") :].split(".")
        extras[name] = pd.Series([_dig(job.extras, path) for job in jobs], dtype=object)
    frame = pd.concat([fixed, pd.DataFrame(extras, index=fixed.index)], axis=1)
    return frame[list(columns)]


def _problems_frame(rows: list[dict[str, Any]]) -> pandas.DataFrame:
    import pandas as pd  # noqa: PLC0415

    return pd.DataFrame(
        {
            name: pd.Series([row[name] for row in rows], dtype=pd.StringDtype())
            for name in PROBLEM_COLUMNS
        }
    )


def _problem_rows(line: str, listing: Any) -> list[dict[str, Any]]:
    """The failed and skipped streams of one unit's listing, as rows of ``problems``."""
    rows = [
        {
            "unit": line,
            "kind": "failed",
            "adapter": failure.adapter,
            "region": failure.region,
            "account": failure.account,
            "reason": type(failure.error).__name__,
            "error": str(failure.error),
        }
        for failure in listing.failures
    ]
    for skip in listing.skipped:
        log.info("jobkit: %s skipped", skip)
        rows.append(
            {
                "unit": line,
                "kind": "skipped",
                "adapter": skip.adapter,
                "region": skip.region,
                "account": skip.account,
                "reason": skip.reason,
                "error": None if skip.error is None else str(skip.error),
            }
        )
    return rows


async def _list_units(lines: Sequence[str]) -> list[tuple[list[Job], list[dict[str, Any]]]]:
    """List the units concurrently, each with ``WorkUnit.ajobs()``; the first error (under
    errors="raise") cancels the others and is raised as it is."""

    async def one(line: str) -> tuple[list[Job], list[dict[str, Any]]]:
        async with WorkUnit.from_json(line).ajobs() as listing:
            found = [job async for job in listing]
        return found, _problem_rows(line, listing)

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(line)) for line in lines]
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return [task.result() for task in tasks]


def _read_group(lines: Sequence[str], columns: Sequence[str]) -> tuple[Any, Any]:
    """Run the units of one partition (their JSON lines): (jobs frame, problems frame).

    The units run as tasks of one event loop (the async driver): a worker thread starts no
    thread per unit. Dask's worker profiler samples every thread's stack
    (``sys._current_frames()``) a hundred times a second; with the sync driver's thread
    pools being made and joined per unit, workers were seen to freeze there for minutes.
    """
    jobs: list[Job] = []
    problems: list[dict[str, Any]] = []
    for found, rows in asyncio.run(_list_units(lines)):
        jobs.extend(found)
        problems.extend(rows)
    return _frame(jobs, columns), _problems_frame(problems)


@attrs.frozen
class Reading:
    """What ``read()`` returns: the jobs, and the streams that failed or were skipped
    (``PROBLEM_COLUMNS``), from the same tasks: compute them together."""

    jobs: dask.dataframe.DataFrame
    problems: dask.dataframe.DataFrame
    plan: Plan


def read(
    adapters: AdapterArg = None,
    *,
    plan: Plan | None = None,
    session: boto3.Session | Sequence[boto3.Session] | None = None,
    profiles: Sequence[str] | None = None,
    accounts: AccountsArg | Sequence[CredentialSource] = None,
    role_name: str | None = None,
    partition_size: int = 8,
    **options: Unpack[ListingArgs],
) -> Reading:
    """The jobs of a plan as a lazy Dask DataFrame, with the problems beside it.

    Give a ``plan`` (``jobkit.plan(...)``, or a shard of one), or the arguments of
    ``jobkit.plan()`` to make one. ``partition_size``: units per partition (one account's
    units are grouped together).
    """
    dask, dd = _require()
    if plan is None:
        plan = make_plan(
            adapters,
            session=session,
            profiles=profiles,
            accounts=accounts,
            role_name=role_name,
            **options,
        )
    elif adapters is not None or options or session or profiles or accounts or role_name:
        raise UsageError(
            "read() got a plan= and listing arguments",
            hint="make the plan with those arguments: jobkit.plan(...)",
        )
    names = list(dict.fromkeys(unit.adapter for unit in plan.units))
    columns = [*COLUMNS, *extras_columns(names)]
    meta = _frame([], columns)
    problems_meta = _problems_frame([])
    groups = plan.groups(partition_size)
    if not groups:
        with dask.config.set({"dataframe.convert-string": False}):
            return Reading(
                dd.from_pandas(meta, npartitions=1),
                dd.from_pandas(problems_meta, npartitions=1),
                plan,
            )
    nonce = uuid.uuid4().hex[:12]
    tasks = [
        dask.delayed(_read_group, pure=True)(
            tuple(unit.dumps() for unit in group),
            tuple(columns),
            # A fresh name per read(): jobs change, so a result kept by a cluster from an
            # earlier read must not be reused.
            dask_key_name=f"jobkit-units-{nonce}-{i}",
        )
        for i, group in enumerate(groups)
    ]
    # Dask turns object columns into Arrow strings when the collection is built; the frame
    # keeps to_pandas()'s dtypes (extras hold any Python value) instead.
    with dask.config.set({"dataframe.convert-string": False}):
        jobs = dd.from_delayed(
            [dask.delayed(operator.getitem)(task, 0) for task in tasks],
            meta=meta,
            verify_meta=False,
        )
        problems = dd.from_delayed(
            [dask.delayed(operator.getitem)(task, 1) for task in tasks],
            meta=problems_meta,
            verify_meta=False,
        )
    return Reading(jobs, problems, plan)


def read_jobs(
    adapters: AdapterArg = None,
    *,
    plan: Plan | None = None,
    session: boto3.Session | Sequence[boto3.Session] | None = None,
    profiles: Sequence[str] | None = None,
    accounts: AccountsArg | Sequence[CredentialSource] = None,
    role_name: str | None = None,
    partition_size: int = 8,
    **options: Unpack[ListingArgs],
) -> dask.dataframe.DataFrame:
    """The jobs of a plan as a lazy ``dask.dataframe.DataFrame`` (see the module doc):
    ``read(...).jobs``. Under ``errors="skip"`` (the default) skipped streams are logged by
    the worker; ``read(...).problems`` lists them. ``errors="warn"`` and ``"collect"`` are a
    UsageError here: use ``read()``, which reports the failed units."""
    modes = {options.get("errors", "skip")}
    if plan is not None:
        modes |= {unit.options.get("errors", "skip") for unit in plan.units}
    if modes & {"warn", "collect"}:
        raise UsageError(
            "read_jobs() cannot report failed units under errors='warn' or 'collect'",
            hint="use jobkit.dask.read(...) and compute .jobs with .problems, or errors='raise'",
        )
    return read(
        adapters,
        plan=plan,
        session=session,
        profiles=profiles,
        accounts=accounts,
        role_name=role_name,
        partition_size=partition_size,
        **options,
    ).jobs
