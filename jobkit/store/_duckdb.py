"""The DuckDB backend: an embedded file, no server; one writer process at a time."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobkit.errors import MissingDependencyError
from jobkit.store import _sql
from jobkit.store._base import (
    Existing,
    JobRow,
    PageWrite,
    Store,
    utc,
)
from jobkit.store._errors import SchemaVersionError, StoreError
from jobkit.store._schema import CHANGE_COLUMNS, JOB_COLUMNS, MIGRATIONS, SCHEMA_VERSION, ddl

if TYPE_CHECKING:
    import pyarrow

__all__ = ["DuckDBStore"]

#: DuckDB's memory limit for an inventory connection (see ``JOBKIT_DUCKDB_MEMORY_LIMIT``).
DEFAULT_MEMORY_LIMIT = "64MB"

_HINT_PATH = "pass a writable file path, e.g. 'jobkit.duckdb' (its directory must exist)"


def _import_duckdb() -> Any:
    try:
        import duckdb  # noqa: PLC0415 - optional dependency
    except ImportError as exc:
        raise MissingDependencyError("a DuckDB inventory", "duckdb", "duckdb") from exc
    return duckdb


class DuckDBStore(Store):
    """An inventory in one DuckDB file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        duckdb = _import_duckdb()
        self.target = str(path)
        file = Path(path)
        parent = file.resolve().parent
        if file.exists() and not file.is_file():
            raise StoreError(f"inventory path {self.target!r} is not a file", hint=_HINT_PATH)
        if not parent.is_dir():
            raise StoreError(
                f"inventory directory {str(parent)!r} does not exist or is not a directory",
                hint=_HINT_PATH,
            )
        if not os.access(parent, os.W_OK) or (file.exists() and not os.access(file, os.W_OK)):
            raise StoreError(f"inventory path {self.target!r} is not writable", hint=_HINT_PATH)
        existed = file.exists()
        # DuckDB caches up to 80% of RAM by default; pages are written as they come and read
        # back rarely, so a small cache keeps a sync's memory flat (the file holds the data).
        # JOBKIT_DUCKDB_MEMORY_LIMIT overrides it.
        limit = _memory(os.environ.get("JOBKIT_DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT))
        try:
            self._con = duckdb.connect(str(file), config={"memory_limit": limit})
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot open the DuckDB inventory {self.target!r}: {exc}",
                hint="is it a DuckDB file, and is another process writing it?",
            ) from exc
        try:
            self._x("SET TimeZone = 'UTC'")
            # DuckDB draws a progress bar on stdout for long queries; a library must not.
            self._x("SET enable_progress_bar = false")
            self._migrate(duckdb)
        except BaseException:
            self._con.close()
            if not existed and file.exists():
                file.unlink()  # a target we refused keeps nothing from us
            raise

    # ---------------------------------------------------------------- schema

    def _migrate(self, duckdb: Any) -> None:
        try:  # the usual case first: one query
            row = self._one("SELECT max(version) FROM jobkit_schema")
        except duckdb.CatalogException:
            if self._x("SELECT table_name FROM duckdb_tables()"):
                raise StoreError(
                    f"{self.target!r} holds tables but no jobkit inventory",
                    hint="point jobkit at a new file, or at one an earlier sync created",
                ) from None
            version = 0
        else:
            version = int(row[0]) if row and row[0] is not None else 0
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"the inventory {self.target!r} has schema version {version}; this jobkit "
                f"knows up to {SCHEMA_VERSION}",
                hint="upgrade jobkit (pip install -U jobkit) to read or sync it",
            )
        if version == SCHEMA_VERSION:
            return
        self._x("BEGIN TRANSACTION")
        try:
            steps = ddl("JSON", indexes=False) if version == 0 else []
            for v in range(max(version, 1) + 1, SCHEMA_VERSION + 1):
                steps += MIGRATIONS[v]
            for statement in steps:
                self._x(statement)
            self._x("DELETE FROM jobkit_schema")
            self._x(
                "INSERT INTO jobkit_schema VALUES (?, ?)", [SCHEMA_VERSION, dt.datetime.now(dt.UTC)]
            )
            self._x("COMMIT")
        except BaseException:
            self._x("ROLLBACK")
            raise

    # ---------------------------------------------------------------- reads

    def to_arrow(self, table: str) -> pyarrow.Table:
        return self._con.sql(f"SELECT * FROM {_table(table)} ORDER BY ALL").to_arrow_table()

    # ---------------------------------------------------------------- writes

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._x("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._x("ROLLBACK")
            raise
        self._x("COMMIT")

    def _lookup(self, keys: Sequence[str]) -> dict[str, Existing]:
        # The job_key column is scanned whole (no index: see ``ddl``); the rows found are
        # then touched or deleted by rowid, which skips every other row group.
        found = self._x(
            "SELECT job_key, status, raw_status, last_seen, first_seen, row_digest, rowid "
            "FROM jobs WHERE job_key IN (SELECT unnest(?))",
            [list(keys)],
        )
        return {
            k: Existing(s, r, utc(t) or _EPOCH, first_seen=utc(f), digest=d, rowid=i)
            for k, s, r, t, f, d, i in found
        }

    def _insert_new(self, rows: Sequence[JobRow], seen: Mapping[str, dt.datetime]) -> set[str]:
        # One writer process at a time (DuckDB's file lock): nobody raced us, and the lookup
        # before this keeps job_key unique without an index.
        # One statement over an Arrow table: executemany costs ~5 ms a row in DuckDB.
        values = [r.values(seen[r.job_key]) for r in rows]
        self._insert(_sql.INSERT_FROM, JOB_COLUMNS, values)
        return {r.job_key for r in rows}

    def _touch(
        self,
        keys: Sequence[str],
        seen: Mapping[str, dt.datetime],
        existing: Mapping[str, Existing],
    ) -> None:
        # Joined on rowid: DuckDB then fetches those rows without scanning the table (2 ms
        # instead of 34 for 350 rows of 1,000,000, where a join on job_key reads that column
        # whole).
        self._x(
            "UPDATE jobs SET last_seen = t.seen, gone_since = NULL "
            "FROM (SELECT unnest(?) AS r, unnest(?) AS seen) t WHERE jobs.rowid = t.r",
            [[_rowid(existing[k]) for k in keys], [seen[k] for k in keys]],
        )

    def _upsert(
        self,
        rows: Sequence[JobRow],
        seen: Mapping[str, dt.datetime],
        existing: Mapping[str, Existing],
    ) -> None:
        # Deleted and inserted again rather than updated: DuckDB rewrites every updated column
        # of a row group on its next checkpoint (the whole raw column, 50 ms per 10,000 jobs,
        # for one changed job), while a delete only marks the row.
        self._x(
            "DELETE FROM jobs WHERE rowid IN (SELECT unnest(?))",
            [[_rowid(existing[r.job_key]) for r in rows]],
        )
        values = [r.values(seen[r.job_key], existing[r.job_key].first_seen) for r in rows]
        self._insert(_sql.INSERT_FROM, JOB_COLUMNS, values)

    def _insert_changes(self, changes: Sequence[tuple[Any, ...]]) -> None:
        self._insert("INSERT INTO job_status_changes SELECT * FROM _page", CHANGE_COLUMNS, changes)

    def _progress(self, page: PageWrite) -> None:
        self._x(
            _sql.PROGRESS.format(p="?"),
            [
                page.stream,
                page.adapter,
                page.region,
                page.account,
                json.dumps(dict(page.progress or {}), default=str),
            ],
        )

    _mark = "?"

    def _rows(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return self._x(sql, params)

    def _run(self, sql: str, params: Sequence[Any]) -> None:
        self._x(sql, params)

    def _json(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def _json_param(self, value: Any) -> Any:
        return json.dumps(value)

    def _x(self, sql: str, params: Sequence[Any] | None = None) -> list[Any]:
        # DuckDB wants every result consumed before the next statement on the connection.
        result: list[Any] = self._con.execute(sql, params).fetchall()
        return result

    def _one(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        rows = self._x(sql, params)
        return rows[0] if rows else None

    def _insert(self, sql: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        import pyarrow as pa  # noqa: PLC0415 - the duckdb extra brings it

        table = pa.table(
            {c: _arrow_column(pa, c, [r[i] for r in rows]) for i, c in enumerate(columns)}
        )
        self._con.register("_page", table)
        try:
            self._x(sql)
        finally:
            self._con.unregister("_page")

    def close(self) -> None:
        self._con.close()


_TABLES = ("jobs", "job_status_changes", "sync_state")


def _table(name: str) -> str:
    if name not in _TABLES:
        from jobkit.errors import UsageError  # noqa: PLC0415

        raise UsageError(f"no inventory table {name!r}", hint="one of " + ", ".join(_TABLES))
    return name


_TIMES = frozenset(
    {"created", "ended", "updated", "first_seen", "last_seen", "gone_since", "observed_at"}
)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _rowid(row: Existing) -> int:
    assert row.rowid is not None  # every row DuckDBStore._lookup returns has one
    return row.rowid


def _micros(value: dt.datetime | None) -> int | None:
    if value is None:
        return None
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _arrow_column(pa: Any, column: str, values: list[Any]) -> Any:
    if column in _TIMES:
        # From integers: pyarrow converts aware datetimes through pandas (a 1 s import).
        return pa.array([_micros(v) for v in values], pa.timestamp("us", tz="UTC"))
    return pa.array(values, pa.string())


def _memory(value: str) -> str:
    """A DuckDB memory size such as ``64MB`` or ``1GiB`` (checked: it goes into SQL text)."""
    text = value.strip()
    number = text.rstrip("KMGTiBb ")
    unit = text[len(number) :].strip()
    if not number.replace(".", "", 1).isdigit() or unit.upper() not in (
        "KB",
        "MB",
        "GB",
        "TB",
        "KIB",
        "MIB",
        "GIB",
        "TIB",
        "B",
        "",
    ):
        from jobkit.errors import UsageError  # noqa: PLC0415

        raise UsageError(
            f"JOBKIT_DUCKDB_MEMORY_LIMIT={value!r} is not a memory size",
            hint="e.g. JOBKIT_DUCKDB_MEMORY_LIMIT=256MB",
        )
    return f"{number}{unit}"
