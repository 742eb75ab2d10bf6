"""Work units: a listing cut into small, serializable pieces any engine can run (no I/O).

A ``WorkUnit`` is one adapter in one region for one account, with the filters and settings
of the listing it came from. It carries a ``CredentialSource`` (a profile name, a role to
assume, or the default chain), never credentials: the worker that runs a unit resolves them
itself, from its own environment. Units are frozen, picklable and JSON-serializable
(``to_json`` / ``from_json``), and carry a format version so that a unit written by a newer
jobkit is refused with a hint instead of being misread.

Sharding is rendezvous hashing on the account: ``shard_index(key, n)`` depends only on the
account's key and ``n``, so one account's units stay on one worker (its throttling budget is
not split) and adding or removing an account moves only that account's units. Contiguous
chunks of a sorted list (CloudQuery's ``--shard k/n``) reshuffle everything on every change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import attrs

from jobkit.core.availability import Skipped
from jobkit.errors import UnitFormatError, UsageError

if TYPE_CHECKING:
    import pyarrow

    from jobkit.listing import AsyncJobIterator, JobIterator

__all__ = [
    "UNIT_FORMAT",
    "CredentialSource",
    "Plan",
    "ShardBy",
    "WorkUnit",
    "check_shard",
    "group_units",
    "parse_shard",
    "shard_index",
    "sources_of",
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


def _frozen_json(value: Mapping[str, Any]) -> Mapping[str, Any]:
    # Round-trip through JSON: a unit holds only what its JSON form can hold.
    return MappingProxyType(json.loads(json.dumps(dict(value), sort_keys=True)))


@attrs.frozen(kw_only=True)
class WorkUnit:
    """One adapter in one region for one account: the smallest piece of a ``Plan``.

    ``account`` is the account's label (as in ``Failure.account``); ``source`` where a worker
    gets its credentials; ``options`` the keyword arguments of ``jobs()`` that the unit lists
    with (JSON values: params, filters with absolute times, shards, errors, ...). Run it with
    ``jobs()``, ``ajobs()`` or ``to_arrow()``.
    """

    adapter: str
    region: str
    account: str | None = None
    source: CredentialSource = attrs.field(factory=CredentialSource)
    options: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_json, hash=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # MappingProxyType does not pickle: go through the JSON form.
        return (WorkUnit.from_json, (self.to_json(),))

    @property
    def key(self) -> str:
        """A stable identity: adapter, region and account source."""
        return json.dumps(
            [self.source.key, self.account, self.region, self.adapter], separators=(",", ":")
        )

    def shard_key(self, by: ShardBy = "account") -> str:
        """The key ``Plan.shard`` hashes: the account, or the account and the region."""
        if by == "account":
            return self.source.key
        return f"{self.source.key}|{self.region}"

    def jobs(self) -> JobIterator:
        """List this unit's jobs, synchronously (a ``JobIterator``, as ``jobs()`` returns):
        credentials come from ``source``, resolved here."""
        from jobkit.planning import unit_jobs  # noqa: PLC0415 - the listing does the I/O

        return unit_jobs(self)

    def ajobs(self) -> AsyncJobIterator:
        """List this unit's jobs in ``async for`` (an ``AsyncJobIterator``)."""
        from jobkit.planning import unit_ajobs  # noqa: PLC0415 - the listing does the I/O

        return unit_ajobs(self)

    def to_arrow(self) -> pyarrow.Table:
        """This unit's jobs as an Arrow table (``jobkit[arrow]``; the columns of
        ``JobList.to_arrow()``)."""
        return self.jobs().collect().to_arrow()

    def to_json(self) -> dict[str, Any]:
        """The JSON form (``format`` is ``UNIT_FORMAT``)."""
        return {
            "format": UNIT_FORMAT,
            "adapter": self.adapter,
            "region": self.region,
            "account": self.account,
            "source": self.source.to_json(),
            "options": dict(self.options),
        }

    def dumps(self) -> str:
        """The JSON form as one line of text."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str) -> WorkUnit:
        """Read a unit's JSON form (a dict or its text); a unit from a newer jobkit, or
        one that is not a unit, raises ``UnitFormatError``."""
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
        if not isinstance(version, int) or version > UNIT_FORMAT:
            raise UnitFormatError(
                f"the work unit has format {version!r}; this jobkit reads format "
                f"{UNIT_FORMAT} and older",
                hint="a newer jobkit wrote it: upgrade jobkit on the worker to the planner's",
            )
        try:
            return cls(
                adapter=data["adapter"],
                region=data["region"],
                account=data.get("account"),
                source=CredentialSource.from_json(data.get("source") or {}),
                options=data.get("options") or {},
            )
        except KeyError as exc:
            raise UnitFormatError(
                f"the work unit lacks {exc.args[0]!r}",
                hint="pass one line of `jobkit plan --format jsonl` unchanged",
            ) from exc


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


def group_units(units: Iterable[WorkUnit], size: int) -> list[tuple[WorkUnit, ...]]:
    """Units grouped by account (in order of first appearance), each group cut into pieces
    of at most ``size`` units: one account's units run together."""
    by_account: dict[str, list[WorkUnit]] = {}
    for unit in units:
        by_account.setdefault(unit.source.key + "|" + str(unit.account), []).append(unit)
    out: list[tuple[WorkUnit, ...]] = []
    for listed in by_account.values():
        out.extend(tuple(listed[i : i + size]) for i in range(0, len(listed), size))
    return out


def sources_of(units: Sequence[WorkUnit]) -> list[tuple[str | None, CredentialSource]]:
    """The distinct (label, source) pairs of ``units``, in order."""
    return list(dict.fromkeys((u.account, u.source) for u in units))


@attrs.frozen
class Plan:
    """The units of a listing, in a stable order, and the streams left out of it.

    ``shard(k, n)`` is the part of the plan worker k of n runs; ``groups(size)`` cuts it
    into pieces that keep each account's units together. ``skipped`` lists what will not be
    listed (a region botocore offers no endpoint of the service in), as a listing reports.
    """

    units: tuple[WorkUnit, ...]
    skipped: tuple[Skipped, ...] = ()

    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self) -> Iterator[WorkUnit]:
        return iter(self.units)

    @property
    def accounts(self) -> list[tuple[str | None, CredentialSource]]:
        """The distinct (label, source) of the plan's accounts, in order."""
        return sources_of(self.units)

    def shard(self, k: int, n: int, *, by: ShardBy = "account") -> Plan:
        """The units of shard ``k`` of ``n`` (0 <= k < n): every unit of an account lands in
        one shard (``by="account-region"``: every unit of an account and region, to spread
        a few accounts over more workers), by a hash of the account only, so adding an
        account moves none of the others' units."""
        check_shard(k, n)
        if by not in ("account", "account-region"):
            raise UsageError(
                f"by={by!r} is not a way to shard", hint="use 'account' or 'account-region'"
            )
        return Plan(
            tuple(u for u in self.units if shard_index(u.shard_key(by), n) == k),
            tuple(s for s in self.skipped if k == 0),
        )

    def groups(self, size: int = 8) -> list[tuple[WorkUnit, ...]]:
        """The units by account, each account's cut into groups of at most ``size``."""
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise UsageError(f"size={size!r} is not a positive integer", hint="e.g. 8")
        return group_units(self.units, size)

    def to_jsonl(self) -> str:
        """One unit per line (``WorkUnit.from_json`` reads a line back)."""
        return "".join(unit.dumps() + "\n" for unit in self.units)

    @classmethod
    def from_jsonl(cls, text: str | Iterable[str]) -> Plan:
        """A plan from ``to_jsonl()`` text (blank lines are ignored)."""
        lines = text.splitlines() if isinstance(text, str) else text
        return cls(tuple(WorkUnit.from_json(line) for line in lines if line.strip()))
