"""The PostgreSQL backend: several syncs may write one database at once.

Each page is one transaction that locks the page's existing rows (in key order, so two
syncs cannot deadlock on them), inserts the new ones with ``ON CONFLICT DO NOTHING`` and
treats the ones another sync inserted meanwhile as existing. With the stale-row rule of
``jobkit.store._base.decide`` no status change is recorded twice and none moves backwards.
A deadlock or serialization failure retries the page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from jobkit.errors import MissingDependencyError
from jobkit.store import _sql
from jobkit.store._base import (
    Existing,
    JobRow,
    PageResult,
    PageWrite,
    StateUpdate,
    Store,
)
from jobkit.store._errors import SchemaVersionError, StoreError
from jobkit.store._schema import JOB_COLUMNS, MIGRATIONS, SCHEMA_VERSION, ddl

if TYPE_CHECKING:
    import pyarrow

__all__ = ["PostgresStore", "redact"]

#: Serializes schema creation and migration between syncs starting at once.
_LOCK_ID = 0x6A6F626B6974  # "jobkit"
_RETRIES = 5


def _import_psycopg() -> Any:
    try:
        import psycopg  # noqa: PLC0415 - optional dependency
    except ImportError as exc:
        raise MissingDependencyError("a PostgreSQL inventory", "postgres", "psycopg") from exc
    return psycopg


def redact(url: str) -> str:
    """``url`` without its password (for messages and ``Store.target``)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username}:***@{host}" if parts.username else f"***@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


class PostgresStore(Store):
    """An inventory in a PostgreSQL database (``postgresql://user:password@host/db``)."""

    def __init__(self, url: str) -> None:
        psycopg = _import_psycopg()
        self._psycopg = psycopg
        self.target = redact(url)
        try:
            self._con = psycopg.connect(url, connect_timeout=10)
        except psycopg.Error as exc:
            # libpq's message names the host and the user, never the password.
            detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            raise StoreError(
                f"cannot connect to the PostgreSQL inventory {self.target}: {detail}",
                hint="check the host, port, database, user and password in the URL",
            ) from None
        try:
            self._migrate()
        except BaseException:
            self._con.close()
            raise

    def _migrate(self) -> None:
        con = self._con
        with con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
            tables = {
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                ).fetchall()
            }
            if "jobkit_schema" in tables:
                row = con.execute("SELECT max(version) FROM jobkit_schema").fetchone()
                version = int(row[0]) if row and row[0] is not None else 0
            elif tables & {"jobs", "job_status_changes", "sync_state"}:
                raise StoreError(
                    f"{self.target} has tables named like jobkit's but no jobkit_schema",
                    hint="use another database or schema for the inventory",
                )
            else:
                version = 0
            if version > SCHEMA_VERSION:
                raise SchemaVersionError(
                    f"the inventory {self.target} has schema version {version}; this jobkit "
                    f"knows up to {SCHEMA_VERSION}",
                    hint="upgrade jobkit (pip install -U jobkit) to read or sync it",
                )
            if version == SCHEMA_VERSION:
                return
            steps = ddl("JSONB", indexes=True) if version == 0 else []
            for v in range(max(version, 1) + 1, SCHEMA_VERSION + 1):
                steps += MIGRATIONS[v]
            for statement in steps:
                con.execute(statement)
            con.execute("DELETE FROM jobkit_schema")
            con.execute(
                "INSERT INTO jobkit_schema VALUES (%s, %s)",
                [SCHEMA_VERSION, dt.datetime.now(dt.UTC)],
            )

    # ---------------------------------------------------------------- reads

    _mark = "%s"

    def _rows(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self._con.execute(sql, params).fetchall()
        return rows

    def _run(self, sql: str, params: Sequence[Any]) -> None:
        self._con.execute(sql, params)

    def _json_param(self, value: Any) -> Any:
        from psycopg.types.json import Jsonb  # noqa: PLC0415

        return Jsonb(value)

    def _reading(self) -> contextlib.AbstractContextManager[None]:
        reading: contextlib.AbstractContextManager[None] = self._con.transaction()
        return reading

    def to_arrow(self, table: str) -> pyarrow.Table:
        import pyarrow as pa  # noqa: PLC0415

        from jobkit.store._duckdb import _table  # noqa: PLC0415

        name = _table(table)
        with self._con.transaction():
            cur = self._con.execute(f"SELECT * FROM {name} ORDER BY 1")
            columns = [d.name for d in cur.description or ()]
            rows = cur.fetchall()
        data: dict[str, list[Any]] = {c: [] for c in columns}
        for row in rows:
            for column, value in zip(columns, row, strict=True):
                data[column].append(_json_text(value))
        return pa.table({c: _array(pa, c, v) for c, v in data.items()})

    # ---------------------------------------------------------------- writes

    def write(
        self, pages: Sequence[PageWrite], finished: Sequence[StateUpdate] = ()
    ) -> list[PageResult]:
        errors = self._psycopg.errors
        for attempt in range(_RETRIES):
            try:
                return super().write(pages, finished)
            except (errors.DeadlockDetected, errors.SerializationFailure):
                if attempt == _RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _transaction(self) -> contextlib.AbstractContextManager[None]:
        transaction: contextlib.AbstractContextManager[None] = self._con.transaction()
        return transaction

    def _lookup(self, keys: Sequence[str]) -> dict[str, Existing]:
        # Locked in key order, so two syncs locking overlapping pages cannot deadlock.
        found = self._con.execute(
            "SELECT job_key, status, raw_status, last_seen, first_seen, row_digest FROM jobs "
            "WHERE job_key = ANY(%s) ORDER BY job_key FOR UPDATE",
            [sorted(keys)],
        ).fetchall()
        return {k: Existing(s, r, t, first_seen=f, digest=d) for k, s, r, t, f, d in found}

    def _insert_new(self, rows: Sequence[JobRow], seen: Mapping[str, dt.datetime]) -> set[str]:
        insert = (
            f"INSERT INTO jobs ({', '.join(JOB_COLUMNS)}) VALUES "
            f"({', '.join(['%s'] * len(JOB_COLUMNS))}) "
            "ON CONFLICT (job_key) DO NOTHING RETURNING job_key"
        )
        inserted: set[str] = set()
        with self._con.cursor() as cur:
            values = [_pg(r.values(seen[r.job_key])) for r in rows]
            cur.executemany(insert, values, returning=True)
            while True:
                found = cur.fetchone()
                if found is not None:
                    inserted.add(found[0])
                if not cur.nextset():
                    break
        return inserted

    def _touch(
        self,
        keys: Sequence[str],
        seen: Mapping[str, dt.datetime],
        existing: Mapping[str, Existing],
    ) -> None:
        self._con.execute(
            "UPDATE jobs SET last_seen = v.seen, gone_since = NULL "
            "FROM (SELECT unnest(%s::text[]) AS job_key, unnest(%s::timestamptz[]) AS seen) v "
            "WHERE jobs.job_key = v.job_key",
            [list(keys), [seen[k] for k in keys]],
        )

    def _upsert(
        self,
        rows: Sequence[JobRow],
        seen: Mapping[str, dt.datetime],
        existing: Mapping[str, Existing],
    ) -> None:
        # ON CONFLICT keeps the row's first_seen: ``existing`` is not needed here.
        upsert = _sql.UPSERT_JOB.format(marks=", ".join(["%s"] * len(JOB_COLUMNS)))
        with self._con.cursor() as cur:
            cur.executemany(upsert, [_pg(r.values(seen[r.job_key])) for r in rows])

    def _insert_changes(self, changes: Sequence[tuple[Any, ...]]) -> None:
        with self._con.cursor() as cur:
            cur.executemany(
                "INSERT INTO job_status_changes VALUES (%s, %s, %s, %s, %s, %s, %s)", changes
            )

    def _progress(self, page: PageWrite) -> None:
        from psycopg.types.json import Jsonb  # noqa: PLC0415

        self._con.execute(
            _sql.PROGRESS.format(p="%s"),
            [
                page.stream,
                page.adapter,
                page.region,
                page.account,
                Jsonb(json.loads(json.dumps(dict(page.progress or {}), default=str))),
            ],
        )

    def close(self) -> None:
        self._con.close()


def _json_text(value: Any) -> Any:
    """JSONB values (read back as dicts and lists) as JSON text; anything else unchanged."""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return value


def _pg(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """JSON text columns as JSONB parameters."""
    from psycopg.types.json import Jsonb  # noqa: PLC0415

    out = list(values)
    for i, column in enumerate(JOB_COLUMNS):
        if column in ("extras", "raw") and isinstance(out[i], str):
            out[i] = Jsonb(json.loads(out[i]))
    return tuple(out)


_TIME_COLUMNS = {
    "created",
    "ended",
    "updated",
    "first_seen",
    "last_seen",
    "gone_since",
    "observed_at",
    "watermark",
    "modified_watermark",
    "last_sync_started",
    "last_sync_finished",
    "migrated_at",
    "scopes_at",
}


def _array(pa: Any, column: str, values: list[Any]) -> Any:
    if column in _TIME_COLUMNS:
        return pa.array(values, pa.timestamp("us", tz="UTC"))
    if column.startswith("last_jobs") or column == "last_status_changes":
        return pa.array(values, pa.int64())
    return pa.array(values, pa.string())
