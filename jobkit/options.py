"""The arguments of a listing, checked once: one frozen options object for both entry points.

``jobs()`` and ``ajobs()`` (and ``explain()``) build a ``ListingOptions`` with real keyword
arguments through ``ListingOptions.build``: adapters resolved, regions and parameters checked
against botocore's data, filters parsed, the cursor loaded and the numbers and modes checked.
Every UsageError is raised here, before any driver, session or client exists. Renaming a
keyword is a type error mypy sees, not a KeyError at run time.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict, Unpack

import attrs

from jobkit import adapters as registry
from jobkit.core.cursor import CursorState
from jobkit.core.fanout import ERROR_MODES, ErrorMode
from jobkit.core.plan import ALL_REGIONS, ListingPart
from jobkit.core.policy import DEFAULT_POLICY, RetryPolicy
from jobkit.core.progress import ProgressReporter
from jobkit.core.query import Order, Query
from jobkit.core.spec import AdapterSpec
from jobkit.core.stats import RetryEvent
from jobkit.drivers._config import shared_loader, validate_region
from jobkit.errors import UsageError
from jobkit.model import JobStatus

__all__ = [
    "AdapterArg",
    "ListingArgs",
    "ListingOptions",
    "ParamsArg",
    "RegionArg",
    "SelectArgs",
    "StatusArg",
    "TimeArg",
    "positive",
]

AdapterArg = str | AdapterSpec | Sequence[str | AdapterSpec] | None
RegionArg = str | Sequence[str] | None
ParamsArg = Mapping[str, str | Sequence[str]] | None
StatusArg = JobStatus | str | Sequence[JobStatus | str] | None
TimeArg = dt.datetime | dt.date | dt.timedelta | str | None


class SelectArgs(TypedDict, total=False):
    """The keywords that say *what* to list (shared by ``jobs()``, ``ajobs()``,
    ``explain()``); each is documented on ``jobs()``."""

    regions: RegionArg
    params: ParamsArg
    discover: bool
    status: StatusArg
    since: TimeArg
    until: TimeArg
    name_contains: str | None
    limit: int | None
    order: Order | None
    shards: int | None


class ListingArgs(SelectArgs, total=False):
    """Every keyword of ``jobs()`` / ``ajobs()`` but the adapters and the accounts: declared
    once here, so the two entry points cannot drift and mypy checks every caller."""

    endpoint_url: str | None
    retry: RetryPolicy | None
    on_retry: Callable[[RetryEvent], None] | None
    pacing: bool
    cursor: Mapping[str, Any] | str | None
    progress: bool | ProgressReporter
    max_concurrency: int
    errors: ErrorMode
    page_size: int | None
    max_initializing: int


def _check_keywords(args: Mapping[str, Any]) -> None:
    """A keyword ``ListingArgs`` does not declare is a UsageError naming the closest one
    (``**options`` would otherwise take a misspelt ``regoins=`` without a word)."""
    known = ListingArgs.__annotations__
    for name in sorted(set(args) - set(known)):
        close = difflib.get_close_matches(name, known, n=1)
        raise UsageError(
            f"unknown keyword argument {name!r}",
            hint=f"did you mean {close[0]}=?" if close else "see help(jobkit.jobs)",
        )


def positive(name: str, value: Any, example: str) -> int | None:
    """``value`` if it is None or a positive integer; else a UsageError."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return value
    raise UsageError(f"{name}={value!r} is not a positive integer", hint=f"e.g. {example}")


def _check_positive(example: str) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        positive(attribute.name, value, example)

    return check


def _check_errors(_: Any, __: attrs.Attribute[Any], value: Any) -> None:
    if value not in ERROR_MODES:
        raise UsageError(
            f"errors={value!r} is not a mode jobkit knows",
            hint="use one of " + ", ".join(map(repr, ERROR_MODES)),
        )


@functools.lru_cache(maxsize=64)
def _input_members(service: str, operation: str) -> frozenset[str]:
    model = shared_loader().load_service_model(service, "service-2")
    shape_name = model["operations"][operation]["input"]["shape"]
    return frozenset(model["shapes"][shape_name]["members"])


def _check_regions(regions: RegionArg) -> tuple[str, ...] | None:
    if regions is None:
        return None
    listed = [regions] if isinstance(regions, str) else list(dict.fromkeys(regions))
    if not listed:
        raise UsageError("regions= is empty", hint="name at least one region")
    if listed == [ALL_REGIONS]:
        return (ALL_REGIONS,)
    return tuple(validate_region(r) for r in listed)


def _check_params(params: ParamsArg) -> dict[str, str | tuple[str, ...]]:
    out: dict[str, str | tuple[str, ...]] = {}
    for key, value in (params or {}).items():
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, Sequence) and value and all(isinstance(v, str) for v in value):
            out[key] = tuple(value)
        else:
            raise UsageError(
                f"params[{key!r}] must be a string or a non-empty list of strings, got {value!r}",
                hint="e.g. params={'jobQueue': 'my-queue'} or {'jobQueue': ['q1', 'q2']}",
            )
    return out


def _split_params(
    specs: Sequence[AdapterSpec], params: Mapping[str, str | tuple[str, ...]]
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Per adapter: the scope values among ``params``, and the other request members."""
    scopes: dict[str, dict[str, Any]] = {}
    extras: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for spec in specs:
        scope = {k: v for k, v in params.items() if k in spec.scope_names}
        members = _input_members(spec.service, spec.operation) if params else frozenset()
        extra = {
            k: v
            for k, v in params.items()
            if k not in spec.scope_names and k in members and isinstance(v, str)
        }
        scopes[spec.name], extras[spec.name] = scope, extra
        used |= scope.keys() | extra.keys()
    unknown = sorted(set(params) - used)
    if unknown:
        accepted = sorted({n for s in specs for n in s.scope_names})
        raise UsageError(
            f"no selected adapter takes the parameter(s) {', '.join(map(repr, unknown))}",
            hint="scope parameters of the selected adapters: "
            + (", ".join(accepted) or "none")
            + "; other keys must be request members of the operation (a single string)",
        )
    return scopes, extras


@attrs.frozen(kw_only=True)
class ListingOptions:
    """What a listing was asked to do, checked. Build it with ``ListingOptions.build``."""

    specs: tuple[AdapterSpec, ...]
    #: No adapter was named: every adapter is listed, and one whose scope cannot be
    #: discovered is skipped (reported), not an error.
    every_adapter: bool = False
    regions: tuple[str, ...] | None  # None: the default region of the first account
    scopes: Mapping[str, Mapping[str, Any]]  # adapter -> the scope values given
    extras: Mapping[str, Mapping[str, Any]]  # adapter -> other request members given
    query: Query
    cursor: CursorState = attrs.field(eq=False)
    discover: bool = True
    endpoint_url: str | None = None
    retry: RetryPolicy = DEFAULT_POLICY
    on_retry: Callable[[RetryEvent], None] | None = None
    pacing: bool = True
    progress: bool | ProgressReporter = False
    max_concurrency: int = attrs.field(default=8, validator=_check_positive("max_concurrency=8"))
    errors: ErrorMode = attrs.field(default="skip", validator=_check_errors)
    shards: int | None = attrs.field(default=None, validator=_check_positive("shards=8"))
    page_size: int | None = attrs.field(default=None, validator=_check_positive("page_size=50"))
    #: Accounts resolving their credentials (assuming a role) at once, at most.
    max_initializing: int = attrs.field(default=4, validator=_check_positive("max_initializing=4"))
    #: Internal (the inventory): list these selections, each with its own query and
    #: parameters, in one scheduler instead of ``specs`` x regions x accounts with ``query``.
    parts: tuple[ListingPart, ...] | None = None

    @classmethod
    def build(cls, adapters: AdapterArg = None, **args: Unpack[ListingArgs]) -> ListingOptions:
        """Check every argument of ``jobs()`` / ``ajobs()``; raise UsageError on the first
        one that is wrong."""
        _check_keywords(args)
        specs = tuple(registry.resolve(adapters))  # type: ignore[arg-type]
        state = CursorState.load(args.get("cursor"))
        asked = Query.parse(
            status=args.get("status"),
            since=args.get("since"),
            until=args.get("until"),
            name_contains=args.get("name_contains"),
            limit=args.get("limit"),
            order=args.get("order"),
        )
        state.record(adapters=sorted(spec.name for spec in specs))
        state.record_query(asked)
        # A resumed listing keeps its time window: "7d" means the same instants on resume.
        query = state.window(asked)
        state.check_order(query.order)
        scopes, extras = _split_params(specs, _check_params(args.get("params")))
        return cls(
            specs=specs,
            every_adapter=adapters is None,
            regions=_check_regions(args.get("regions")),
            scopes=scopes,
            extras=extras,
            query=query,
            cursor=state,
            discover=args.get("discover", True),
            endpoint_url=args.get("endpoint_url"),
            retry=args.get("retry") or DEFAULT_POLICY,
            on_retry=args.get("on_retry"),
            pacing=args.get("pacing", True),
            progress=args.get("progress", False),
            max_concurrency=args.get("max_concurrency", 8),
            errors=args.get("errors", "skip"),
            shards=args.get("shards"),
            page_size=args.get("page_size"),
            max_initializing=args.get("max_initializing", 4),
        )

    def regions_or(self, default_region: str | None) -> tuple[str, ...]:
        """The regions to list: those given, or the default region (a UsageError when
        there is none)."""
        if self.regions is not None:
            return self.regions
        if not default_region:
            raise UsageError(
                "no region given and none configured",
                hint="pass regions=['us-east-1'], or set AWS_DEFAULT_REGION or a profile region",
            )
        return (validate_region(default_region),)
