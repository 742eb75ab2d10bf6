"""Jobs as a pandas DataFrame or an Arrow table (the optional extras ``jobkit[pandas]`` and
``jobkit[arrow]``; a missing one raises ``MissingDependencyError`` naming the extra).

The columns, in this order:

=================== ============================== =======================================
column              pandas dtype                   Arrow type
=================== ============================== =======================================
adapter, service,   ``string``                     ``string``
name, id
status              ``category`` (every JobStatus  ``dictionary<int8, string>`` (the same
                    value, in enum order)          dictionary)
raw_status          ``string``                     ``string``
created, ended,     ``datetime64[ns, UTC]``        ``timestamp[us, tz=UTC]``
updated
region, account,    ``string``                     ``string``
problem
extras.<Key>        ``object``                     inferred, else JSON text (see below)
=================== ============================== =======================================

The extras rule: each key of ``Job.extras`` becomes a column ``extras.<Key>`` (the service's
own spelling). A nested mapping is flattened with dots (``extras.InputDataConfig.S3Bucket``);
an empty mapping stays one column holding ``{}``. Lists are not spread: pandas keeps the
Python list in the cell; Arrow gets the list as JSON text. Scalar extras keep their Python
values in pandas (an ``object`` column, ``None`` where a job lacks the key); in Arrow the
column type is inferred from the values, and a column whose values mix types becomes JSON
text. Extras columns follow the fixed columns, sorted by name. No jobs yields the fixed
columns with their types and no extras columns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jobkit.errors import MissingDependencyError
from jobkit.model import Job, JobStatus
from jobkit.present.records import (
    COLUMNS,
    TEXT_COLUMNS,
    TIME_COLUMNS,
    flatten_extras,
    jsonable,
)

if TYPE_CHECKING:
    import pandas
    import pyarrow

__all__ = ["columns", "to_arrow", "to_pandas"]


def _require(feature: str, extra: str, module: str) -> Any:
    try:
        return __import__(module)
    except ImportError as exc:
        raise MissingDependencyError(feature, extra, module) from exc


def columns(jobs: Sequence[Job]) -> tuple[dict[str, list[Any]], list[str]]:
    """The column values (fixed columns, then ``extras.*``) and the extras column names."""
    data: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    flat_rows = [flatten_extras(job.extras) for job in jobs]
    extra_names = sorted({name for row in flat_rows for name in row})
    for job in jobs:
        for name in COLUMNS:
            value = getattr(job, name)
            data[name].append(value.value if isinstance(value, JobStatus) else value)
    for name in extra_names:
        data[name] = [row.get(name) for row in flat_rows]
    return data, extra_names


def to_pandas(jobs: Sequence[Job], feature: str = "to_pandas()") -> pandas.DataFrame:
    """A DataFrame with one row per job (needs ``jobkit[pandas]``; see the module doc)."""
    pd = _require(feature, "pandas", "pandas")
    data, extra_names = columns(jobs)
    series: dict[str, Any] = {}
    for name in TEXT_COLUMNS:
        series[name] = pd.Series(data[name], dtype=pd.StringDtype(), name=name)
    series["status"] = pd.Series(
        pd.Categorical(data["status"], categories=[s.value for s in JobStatus]),
        name="status",
    )
    for name in TIME_COLUMNS:
        series[name] = pd.Series(data[name], dtype="datetime64[ns, UTC]", name=name)
    for name in extra_names:
        series[name] = pd.Series(data[name], dtype=object, name=name)
    ordered = [*COLUMNS, *extra_names]
    return pd.DataFrame({name: series[name] for name in ordered}, columns=ordered)


def to_arrow(jobs: Sequence[Job], feature: str = "to_arrow()") -> pyarrow.Table:
    """An Arrow table with one row per job (needs ``jobkit[arrow]``; see the module doc)."""
    pa = _require(feature, "arrow", "pyarrow")
    data, extra_names = columns(jobs)
    statuses = [s.value for s in JobStatus]
    index = {value: i for i, value in enumerate(statuses)}
    arrays: dict[str, Any] = {}
    for name in TEXT_COLUMNS:
        arrays[name] = pa.array(data[name], type=pa.string())
    arrays["status"] = pa.DictionaryArray.from_arrays(
        pa.array([index[v] for v in data["status"]], type=pa.int8()),
        pa.array(statuses, type=pa.string()),
    )
    for name in TIME_COLUMNS:
        arrays[name] = pa.array(data[name], type=pa.timestamp("us", tz="UTC"))
    for name in extra_names:
        arrays[name] = _arrow_extra(pa, data[name])
    return pa.table({name: arrays[name] for name in [*COLUMNS, *extra_names]})


def _arrow_extra(pa: Any, values: list[Any]) -> Any:
    def as_json(value: Any) -> str | None:
        return None if value is None else json.dumps(jsonable(value))

    if any(isinstance(v, list | tuple | Mapping) for v in values):
        return pa.array([as_json(v) for v in values], type=pa.string())
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([as_json(v) for v in values], type=pa.string())
