"""The inventory store: the tables ``jobkit.sync`` writes, in DuckDB or PostgreSQL.

``open_store(target)`` picks the backend from the target: a ``postgresql://`` (or
``postgres://``) URL, or a file path for DuckDB (the embedded default). Both create and
migrate the schema (``jobkit.store._schema``) and implement one narrow interface, ``Store``:
what the inventory knows about a stream, pages written with their streams' progress (and
the states of streams that finished) in one transaction, a table read back as Arrow.
"""

from __future__ import annotations

import os
from pathlib import Path

from jobkit.store._base import (
    JobRow,
    PageResult,
    PageWrite,
    StateUpdate,
    Store,
    StreamState,
    to_json,
)
from jobkit.store._errors import InvalidTargetError, SchemaVersionError, StoreError
from jobkit.store._schema import JOB_COLUMNS, SCHEMA_VERSION

__all__ = [
    "DEFAULT_TARGET",
    "JOB_COLUMNS",
    "SCHEMA_VERSION",
    "InvalidTargetError",
    "JobRow",
    "PageResult",
    "PageWrite",
    "SchemaVersionError",
    "StateUpdate",
    "Store",
    "StoreError",
    "StreamState",
    "open_store",
    "to_json",
]

#: The inventory used when no target is given: a DuckDB file in the current directory.
DEFAULT_TARGET = "jobkit.duckdb"

_POSTGRES = ("postgresql://", "postgres://")


def open_store(target: str | os.PathLike[str] | None = None) -> Store:
    """Open (creating or migrating) the inventory at ``target``."""
    if target is None:
        target = DEFAULT_TARGET
    if isinstance(target, os.PathLike):
        target = os.fspath(target)
    if not isinstance(target, str) or not target:
        raise InvalidTargetError(
            f"inventory target {target!r} is not a path or URL",
            hint="pass a DuckDB file path or a postgresql:// URL",
        )
    lowered = target.lower()
    if lowered.startswith(_POSTGRES):
        from jobkit.store._postgres import PostgresStore  # noqa: PLC0415

        return PostgresStore(target)
    if "://" in target:
        scheme = target.split("://", 1)[0]
        raise InvalidTargetError(
            f"unknown inventory scheme {scheme!r}",
            hint="pass a DuckDB file path (e.g. jobkit.duckdb) or a postgresql:// URL",
        )
    from jobkit.store._duckdb import DuckDBStore  # noqa: PLC0415

    return DuckDBStore(Path(target))
