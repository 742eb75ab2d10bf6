"""Adapter declarations: what jobkit needs to know to list one AWS operation.

An adapter is data. ``AdapterSpec`` names the operation, where each normalized field lives
in a summary, how the service's status words map onto ``JobStatus``, which scope parameters it
needs and how they are discovered. A hook function is used only for the odd part (a derived
status). The specs live in ``jobkit/adapters/``; the type lives here, in the sans-I/O core, so
that the core can plan and normalize without importing the adapters.

Paging (``Paging``: result key, tokens, limit member, page size) is what botocore's paginator
data already says for most operations. A spec holds either a ``Paging`` (declared, where
botocore has no paginator) or a *paging source*: a function the adapters layer supplies that
reads botocore's packaged data on first use. The core never reads anything itself; it calls
the source once and keeps the result.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from jobkit.model import JobStatus

__all__ = [
    "AdapterSpec",
    "Describe",
    "Discovery",
    "Hydrate",
    "Paging",
    "PagingSource",
    "Partition",
    "ScopeParam",
    "TimeFormat",
]


class TimeFormat(enum.Enum):
    """How a summary's timestamps arrive after botocore parsed them."""

    DATETIME = "datetime"  # botocore already parsed a timestamp shape into a datetime
    EPOCH_MS = "epoch_ms"  # a ``long`` of milliseconds since the epoch (Batch)
    ISO8601 = "iso8601"  # a ``string`` holding an ISO 8601 time (MediaPackage harvest jobs)


def _proxy(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Paging:
    """How one operation pages: where the items are, its tokens and its page-size member."""

    result_key: str
    input_token: str
    output_token: str
    limit_key: str | None
    page_size: int
    botocore_paginator: bool = False
    """True when these keys were read from botocore's paginator for the operation."""


#: A function returning an operation's ``Paging``; called once, on first use.
PagingSource = Callable[[], Paging]


class _PagedMixin:
    """Paging attributes of a spec whose paging may come from a source, resolved once."""

    __slots__ = ()
    _paging: Paging | PagingSource
    _resolved: list[Paging]

    @property
    def paging(self) -> Paging:
        """The resolved paging (a source is called on first use, then kept)."""
        if not self._resolved:
            source = self._paging
            self._resolved.append(source if isinstance(source, Paging) else source())
        return self._resolved[0]

    @property
    def result_key(self) -> str:
        """The output member holding the list of items."""
        return self.paging.result_key

    @property
    def input_token(self) -> str:
        """The request member carrying the page token."""
        return self.paging.input_token

    @property
    def output_token(self) -> str:
        """The response member carrying the next page's token."""
        return self.paging.output_token

    @property
    def limit_key(self) -> str | None:
        """The request member that bounds the page size, if the operation has one."""
        return self.paging.limit_key

    @property
    def page_size(self) -> int:
        """How many items jobkit asks for per page."""
        return self.paging.page_size


@attrs.frozen(kw_only=True)
class Discovery(_PagedMixin):
    """How to find the values of a scope parameter when the caller does not pass them.

    ``operation`` on ``service`` is paged like any listing (``paging``: result key, tokens,
    limit); ``value`` picks the scope value out of one listed item. ``needs`` names earlier
    scope parameters this discovery depends on (e.g. a trained model needs its collaboration),
    passed to the request under ``request_params`` names.
    """

    service: str
    operation: str
    _paging: Paging | PagingSource = attrs.field(alias="paging", eq=False, repr=False)
    value: Callable[[Mapping[str, Any]], str | None]
    needs: Mapping[str, str] = attrs.field(factory=dict, converter=_proxy)
    base_params: Mapping[str, Any] = attrs.field(factory=dict, converter=_proxy)
    keep: Callable[[Mapping[str, Any]], bool] | None = None
    value_member: str | None = None
    """The item member ``value`` reads, when it reads one member (emulators use it)."""
    within: tuple[Discovery, str] | None = None
    """Two-level discovery: (the listing of this listing's own parents, the request member
    each of its values fills). Step Functions map runs need an execution ARN; executions are
    listed per state machine, and state machines by ``ListStateMachines``."""
    _resolved: list[Paging] = attrs.field(factory=list, init=False, eq=False, repr=False)


@attrs.frozen(kw_only=True)
class ScopeParam:
    """A parent the operation lists under (a work team, a job queue, a collaboration)."""

    name: str
    doc: str
    discovery: Discovery | None = None
    named_only: bool = False
    """Discovery reads a listing without bound (every execution of every state machine): a
    listing of every adapter skips this one ("scope-required") unless ``params=`` gives the
    scope; naming the adapter discovers it."""


@attrs.frozen(kw_only=True)
class Partition:
    """One request parameter that splits a listing into several streams.

    Batch ListServiceJobs returns only RUNNING jobs unless a status is named, so listing a
    whole queue means one stream per status value.
    """

    param: str
    values: tuple[str, ...]
    by_status: bool = False  # the values are the service's status words


@attrs.frozen(kw_only=True)
class Describe:
    """A batch describe call of the same service that returns jobs by id, in the listing's
    record shape (AWS Batch ``DescribeJobs``: up to 100 ``jobs`` ids, answered in ``jobs``).
    A watch re-reads running jobs with it where that is cheaper than a creation window."""

    operation: str
    ids_member: str  # the request member holding the ids
    result_key: str  # the response member holding the records
    batch: int  # ids per call at most


@attrs.frozen(kw_only=True)
class Hydrate:
    """A second call that turns a listing's ids into records, for listings that return ids
    (or summaries without a status) only.

    CodeBuild ``ListBuilds`` returns build ids; ``BatchGetBuilds`` answers up to 100 of them in
    ``builds`` and names the ids it does not know in ``buildsNotFound``. Step Functions
    ``ListMapRuns`` summaries carry no status; ``DescribeMapRun`` answers one map run
    (``batch=1``: the id is sent alone, not in a list, and the response is the record).
    The listing flow makes these calls after each page, through the same driver path as the
    page (retries, limiter); an id the call does not answer becomes a job with ``problem`` set.
    """

    operation: str
    ids_member: str  # the request member holding the ids (the id alone where batch is 1)
    id_member: str  # the record member holding the id (matches records to listed ids)
    batch: int  # ids per call at most
    result_key: str | None = None  # the response member holding the records (None: the response)
    missing_key: str | None = None  # the response member naming the ids not found
    listed_id: str | None = None  # the listed item's member holding the id (None: items are ids)

    def __attrs_post_init__(self) -> None:
        if self.batch < 1 or (self.batch > 1) != (self.result_key is not None):
            raise ValueError(f"{self.operation}: a batch of several ids needs its result_key")


@attrs.frozen(kw_only=True)
class AdapterSpec(_PagedMixin):
    """Everything jobkit needs to list, page and normalize one AWS operation."""

    name: str
    service: str
    operation: str
    doc: str
    _paging: Paging | PagingSource = attrs.field(alias="paging", eq=False, repr=False)
    name_field: str | None
    id_field: str | None
    status_field: str | None
    created_field: str | None
    #: Where an operation's jobs have no name: the members that make a readable one (the
    #: first present wins, an ARN by its last part); the job's id when none is present.
    name_fallback: tuple[str, ...] = ()
    ended_field: str | None = None
    updated_field: str | None = None
    time_format: TimeFormat = TimeFormat.DATETIME
    status_map: Mapping[str, JobStatus] = attrs.field(factory=dict, converter=_proxy)
    derive_status: Callable[[Mapping[str, Any]], JobStatus] | None = None
    status_rule: str | None = None
    scope: tuple[ScopeParam, ...] = ()
    partition: Partition | None = None
    base_params: Mapping[str, Any] = attrs.field(factory=dict, converter=_proxy)
    account_field: str | None = None
    pushdown: Callable[[Any, Any], Any] | None = None  # a jobkit.core.pushdown strategy
    describe: Describe | None = None  # a batch describe by id, where the service has one
    hydrate: Hydrate | None = None  # the listing returns ids: records come from this call
    _resolved: list[Paging] = attrs.field(factory=list, init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if (self.status_field is None) == (self.derive_status is None):
            raise ValueError(f"{self.name}: give exactly one of status_field or derive_status")
        if self.derive_status is not None and not self.status_rule:
            raise ValueError(f"{self.name}: a derived status needs its documented status_rule")

    @property
    def has_botocore_paginator(self) -> bool:
        """Whether botocore has a paginator for the operation (else jobkit pages itself)."""
        return self.paging.botocore_paginator

    @property
    def scope_names(self) -> tuple[str, ...]:
        """The AWS names of the scope parameters, in discovery order."""
        return tuple(p.name for p in self.scope)

    @property
    def services(self) -> frozenset[str]:
        """Every service a listing of this spec may call: its own and those its scopes are
        discovered from (Clean Rooms ML's collaborations are Clean Rooms')."""
        out = {self.service}
        for param in self.scope:
            discovery = param.discovery
            while discovery is not None:
                out.add(discovery.service)
                discovery = discovery.within[0] if discovery.within else None
        return frozenset(out)

    @property
    def mapped_fields(self) -> tuple[str, ...]:
        """The summary members this spec reads into normalized ``Job`` fields (a nested
        status counts as its top member, which stays in ``extras`` with its other parts)."""
        return tuple(f for f in self.read_fields if "." not in f)

    @property
    def read_fields(self) -> tuple[str, ...]:
        """Every member path the spec reads, dotted for a nested status (``status.state``)."""
        return tuple(
            f
            for f in (
                self.name_field,
                self.id_field,
                self.status_field,
                self.created_field,
                self.ended_field,
                self.updated_field,
            )
            if f is not None
        )
