"""Errors of the inventory store (all ``JobkitError``)."""

from __future__ import annotations

from jobkit.errors import JobkitError, UsageError

__all__ = ["InvalidTargetError", "SchemaVersionError", "StoreError"]


class InvalidTargetError(UsageError):
    """The target is neither a DuckDB file path nor a ``postgresql://`` URL."""


class StoreError(JobkitError):
    """The inventory could not be opened, read or written (path, server, credentials)."""


class SchemaVersionError(StoreError):
    """The store was created by a newer jobkit: its schema version is higher than ours."""
