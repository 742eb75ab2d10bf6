"""The parts of work units that decide: credential sources, the unit format, sharding (no I/O).

A ``WorkUnit`` (``jobkit.planning``) is one adapter in one region for one account, with the
filters and settings of the listing it came from. It carries a ``CredentialSource`` (a
profile name, a role to assume, or the default chain), never credentials: the worker that
runs a unit resolves them itself, from its own environment. A unit's JSON form carries a
format version (``check_unit_json``), so that a unit written by a newer jobkit is refused
with a hint instead of being misread.

Sharding is rendezvous hashing on the account: ``shard_index(key, n)`` depends only on the
account's key and ``n``, so one account's units stay on one worker (its throttling budget is
not split) and adding or removing an account moves only that account's units. Contiguous
chunks of a sorted list (CloudQuery's ``--shard k/n``) reshuffle everything on every change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from jobkit.errors import UnitFormatError, UsageError

__all__ = [
    "UNIT_FORMAT",
    "CredentialSource",
    "ShardBy",
    "check_shard",
    "check_unit_json",
    "parse_shard",
    "shard_index",
    "shard_key",
]

#: The version of a unit's JSON form; a reader refuses a newer one.
UNIT_FORMAT = 1

#: What a shard is cut by: the account alone (the default), or account and region.
ShardBy = Literal["account", "account-region"]


@attrs.frozen(kw_only=True)
class CredentialSource:
    """Where a worker gets the credentials of one account: never the credentials themselves.

    ``profile``: a named profile of the worker's configuration. ``role_arn`` (with
    ``external_id`` and ``session_name``): a role the worker assumes, with the credentials of
    ``via`` (another source: a role chain) or else of its default chain. Neither: the worker's
    default credential chain (environment, instance or container role, SSO, ...).
    """

    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    session_name: str | None = None
    via: CredentialSource | None = None

    def __attrs_post_init__(self) -> None:
        if self.profile is not None and self.role_arn is not None:
            raise UsageError(
                "a credential source names both a profile and a role",
                hint="a role is assumed with the credentials of via=CredentialSource(...)",
            )
        if self.role_arn is None and (self.external_id or self.session_name or self.via):
            raise UsageError(
                "external_id, session_name and via belong to a role source",
                hint="give role_arn= as well",
            )

    @property
    def kind(self) -> str:
        """``"profile"``, ``"role"`` or ``"default"``."""
        if self.profile is not None:
            return "profile"
        return "role" if self.role_arn is not None else "default"

    @property
    def account_id(self) -> str | None:
        """The account id a role source names (from its ARN), else None."""
        if self.role_arn is None:
            return None
        parts = self.role_arn.split(":")
        return parts[4] if len(parts) > 5 and parts[4].isdigit() else None

    def to_json(self) -> dict[str, Any]:
        """The JSON form: ``{"profile": ...}``, ``{"role_arn": ..., ...}`` or ``{}``."""
        out: dict[str, Any] = {}
        if self.profile is not None:
            out["profile"] = self.profile
        if self.role_arn is not None:
            out["role_arn"] = self.role_arn
            if self.external_id is not None:
                out["external_id"] = self.external_id
            if self.session_name is not None:
                out["session_name"] = self.session_name
            if self.via is not None:
                out["via"] = self.via.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CredentialSource:
        """Read the JSON form back (a UsageError names an unknown key)."""
        if not isinstance(data, Mapping):
            raise UnitFormatError(f"a credential source must be an object, got {data!r}")
        known = {"profile", "role_arn", "external_id", "session_name", "via"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise UnitFormatError(
                f"unknown credential source key(s) {', '.join(map(repr, unknown))}",
                hint="a unit from a newer jobkit? upgrade jobkit on this worker",
            )
        via = data.get("via")
        return cls(
            profile=data.get("profile"),
            role_arn=data.get("role_arn"),
            external_id=data.get("external_id"),
            session_name=data.get("session_name"),
            via=None if via is None else cls.from_json(via),
        )

    @property
    def key(self) -> str:
        """What identifies the account for sharding: its account id when the source names
        one, else the profile, else the default chain."""
        if self.account_id is not None:
            return f"account:{self.account_id}"
        if self.role_arn is not None:
            return f"role:{self.role_arn}"
        return f"profile:{self.profile}" if self.profile is not None else "default"


def check_shard(k: Any, n: Any) -> tuple[int, int]:
    """``(k, n)`` when ``n >= 1`` and ``0 <= k < n`` (integers); else a UsageError."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise UsageError(f"shard count n={n!r} must be a positive integer", hint="e.g. shard(0, 4)")
    if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < n:
        raise UsageError(
            f"shard index k={k!r} is outside 0..{n - 1}",
            hint=f"shards of n={n} are numbered 0 to {n - 1}",
        )
    return k, n


def parse_shard(text: str) -> tuple[int, int]:
    """``"k/n"`` (as ``--shard`` takes it) as ``(k, n)``, checked."""
    k_text, sep, n_text = text.partition("/")
    try:
        if not sep:
            raise ValueError(text)
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise UsageError(
            f"--shard {text!r} is not k/n", hint="e.g. --shard 0/4 (shard 0 of 4)"
        ) from None
    return check_shard(k, n)


def _weight(key: str, k: int) -> int:
    digest = hashlib.sha256(f"{k}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def shard_index(key: str, n: int) -> int:
    """The shard (0..n-1) of ``key`` among ``n``: the highest of n hash weights (rendezvous
    hashing), so it depends on nothing but ``key`` and ``n``."""
    check_shard(0, n)
    return max(range(n), key=lambda k: _weight(key, k))


def shard_key(source: CredentialSource, region: str, by: ShardBy = "account") -> str:
    """The key a unit is sharded by: its account, or its account and region."""
    if by == "account":
        return source.key
    if by == "account-region":
        return f"{source.key}|{region}"
    raise UsageError(f"by={by!r} is not a way to shard", hint="use 'account' or 'account-region'")


def check_unit_json(data: Any) -> Mapping[str, Any]:
    """A unit's JSON form (a mapping or its text), checked: a unit of a newer format, or
    something that is not a unit, raises ``UnitFormatError`` with a hint."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise UnitFormatError(
                f"a work unit is not valid JSON: {exc}",
                hint="pass one line of `jobkit plan --format jsonl`",
            ) from exc
    if not isinstance(data, Mapping) or "format" not in data:
        raise UnitFormatError(
            "this is not a jobkit work unit (no 'format')",
            hint="pass one line of `jobkit plan --format jsonl` or WorkUnit.to_json()",
        )
    version = data["format"]
    if not isinstance(version, int) or isinstance(version, bool) or version > UNIT_FORMAT:
        raise UnitFormatError(
            f"the work unit has format {version!r}; this jobkit reads format "
            f"{UNIT_FORMAT} and older",
            hint="a newer jobkit wrote it: upgrade jobkit on the worker to the planner's",
        )
    missing = [key for key in ("adapter", "region") if not isinstance(data.get(key), str)]
    if missing:
        raise UnitFormatError(
            f"the work unit lacks {', '.join(map(repr, missing))}",
            hint="pass one line of `jobkit plan --format jsonl` unchanged",
        )
    return data
