"""The public entry points: ``jobs()``, ``ajobs()``, ``explain()`` and ``adapters()``.

Each checks its arguments once (``jobkit.options.ListingOptions``), resolves the accounts
(``jobkit.accounts``, one resolver for sync and async) and returns an iterator
(``jobkit.listing``); what to call and in which order is decided in ``jobkit.core``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Unpack

import attrs
import boto3
from aiobotocore.session import AioSession

from jobkit.accounts import AccountsArg, default_region, resolve_accounts, sync_session_of
from jobkit.adapters import REGISTRY
from jobkit.core import pushdown
from jobkit.listing import AsyncJobIterator, JobIterator
from jobkit.options import AdapterArg, ListingArgs, ListingOptions, SelectArgs
from jobkit.present.tables import AdapterTable, ExplanationList

__all__ = [
    "AdapterInfo",
    "AsyncJobIterator",
    "Explanation",
    "JobIterator",
    "adapters",
    "ajobs",
    "explain",
    "jobs",
]


@attrs.frozen(kw_only=True)
class AdapterInfo:
    """What ``jobkit.adapters()`` tells about one adapter."""

    name: str
    service: str
    operation: str
    description: str
    scope: tuple[str, ...]
    discoverable: tuple[str, ...]
    status_rule: str | None
    botocore_paginator: bool


def adapters() -> AdapterTable[AdapterInfo]:
    """Every registered adapter with its scope parameters, sorted by name (a list that shows
    as a table in Jupyter)."""
    return AdapterTable(
        AdapterInfo(
            name=spec.name,
            service=spec.service,
            operation=spec.operation,
            description=spec.doc,
            scope=spec.scope_names,
            discoverable=tuple(p.name for p in spec.scope if p.discovery is not None),
            status_rule=spec.status_rule,
            botocore_paginator=spec.has_botocore_paginator,
        )
        for spec in sorted(REGISTRY.values(), key=lambda s: s.name)
    )


def jobs(
    adapters: AdapterArg = None,
    *,
    session: boto3.Session | Sequence[boto3.Session] | None = None,
    profiles: Sequence[str] | None = None,
    accounts: AccountsArg = None,
    role_name: str | None = None,
    **options: Unpack[ListingArgs],
) -> JobIterator:
    """List jobs, synchronously.

    ``adapters``: one adapter name or several (None: every adapter). ``regions``: a region
    or several (None: the session's region). ``params``: the operations' scope parameters by
    their AWS names (a value may be a list; scopes not given are discovered). ``session``: a
    boto3 session, or several (None: the default one, honouring AWS_PROFILE and the credential
    chain); ``profiles``: named profiles instead (not both); ``accounts``: a
    ``jobkit.Organization``, or account ids (with ``role_name=``, the role assumed in each),
    profile names and sessions (not with ``session``/``profiles``); ``max_initializing``:
    accounts resolving their credentials (assuming their role) at once (default 4).
    ``endpoint_url``: one endpoint for every service (botocore's AWS_ENDPOINT_URL and
    AWS_ENDPOINT_URL_<SERVICE> are honoured without it). ``retry``: the retry policy.
    ``on_retry``: called with a ``RetryEvent`` before each retry. ``discover``: find
    scope parameters that were not given (False: a missing one raises MissingScopeError).
    ``pacing``: share an adaptive rate limiter per endpoint that slows down on throttling
    (False: only the retry policy's backoff applies). ``cursor``: an earlier iterator's
    ``cursor`` (or its JSON): continue exactly where that listing stopped (its time window
    is kept, so a relative ``since="7d"`` means the same instants on resume).

    Filters, pushed down to the service where its API can apply them and applied on the
    client otherwise, with the same result either way: ``status`` (a JobStatus, its name, or
    several), ``since`` / ``until`` (datetime, date, ISO-8601 string or a relative age such
    as "90m", "12h", "7d"; a naive datetime is read as UTC; the window is
    ``since <= created < until``), ``name_contains`` (case-insensitive), ``limit`` (stop after
    that many jobs), ``order`` ("created-desc" or "created-asc": one global order by
    ``created``; streams the service sorts are merged lazily, the others read ahead and sorted).

    ``progress``: True shows a tqdm.auto bar of jobs and pages (``jobkit[progress]``);
    silent by default.

    Fan-out: every adapter x region (``regions="all"``: every region botocore lists for the
    service; a region where a service is not offered is skipped, listed in ``skipped``) x
    account (``profiles=[...]``, or several sessions in ``session=``) x scope x partition is
    one stream; streams run concurrently, at most ``max_concurrency`` calls at once (threads
    here, tasks in ``ajobs``). ``errors``: "raise" (the first failed stream stops everything),
    "warn" or "collect" (the others go on; ``failures`` lists the failed ones). ``shards=n``
    splits each stream's creation-time range into n windows listed concurrently, for adapters
    whose API filters by creation time. ``page_size``: ask for at most this many jobs per
    page (default: each API's maximum, the fewest requests); smaller pages bring the first
    jobs sooner and make a retried page cheaper.
    """
    checked = ListingOptions.build(adapters, **options)
    found = resolve_accounts(
        session=session, profiles=profiles, accounts=accounts, role_name=role_name
    )
    return JobIterator(checked, found)


def ajobs(
    adapters: AdapterArg = None,
    *,
    session: AioSession | boto3.Session | Sequence[AioSession | boto3.Session] | None = None,
    profiles: Sequence[str] | None = None,
    accounts: AccountsArg = None,
    role_name: str | None = None,
    **options: Unpack[ListingArgs],
) -> AsyncJobIterator:
    """List jobs in ``async for`` (same arguments as ``jobs()``; ``session`` may be an
    aiobotocore ``AioSession`` or a boto3 ``Session``, whose profile and region are used, or
    several of them)."""
    checked = ListingOptions.build(adapters, **options)
    found = resolve_accounts(
        session=session, profiles=profiles, accounts=accounts, role_name=role_name
    )
    return AsyncJobIterator(checked, found)


@attrs.frozen(kw_only=True)
class Explanation:
    """How one adapter in one region would be listed: see ``jobkit.explain()``."""

    adapter: str
    region: str
    scope: Mapping[str, Any]  # the given scope values; the rest are discovered
    discovered: tuple[str, ...]
    requests: tuple[Mapping[str, Any], ...]  # push-down parameters, one per stream and scope
    pushed: Mapping[str, str]  # query part -> request member the service applies
    client: tuple[str, ...]  # query parts jobkit applies on the client only
    note: str | None

    def __str__(self) -> str:
        pushed = ", ".join(f"{k} -> {v}" for k, v in self.pushed.items()) or "nothing"
        client = ", ".join(self.client) or "nothing"
        scope = f" scope={dict(self.scope)}" if self.scope else ""
        found = f" discovered={list(self.discovered)}" if self.discovered else ""
        text = (
            f"{self.adapter} in {self.region}:{scope}{found} {len(self.requests)} stream(s) per "
            f"scope; pushed down: {pushed}; on the client: {client}"
        )
        return f"{text} ({self.note})" if self.note else text


def explain(
    adapters: AdapterArg = None,
    *,
    session: boto3.Session | Sequence[boto3.Session] | None = None,
    profiles: Sequence[str] | None = None,
    accounts: AccountsArg = None,
    role_name: str | None = None,
    **selection: Unpack[SelectArgs],
) -> ExplanationList[Explanation]:
    """Show, per adapter and region, which filters go to the service and which jobkit applies.

    Takes the arguments of ``jobs()`` that shape the plan (the accounts too: their default
    region is used when ``regions`` is not given); sends no request. Every query part is
    applied on the client as well, so the listed push-down only saves pages.
    """
    options = ListingOptions.build(adapters, **selection)
    regions_used = options.regions or options.regions_or(
        default_region(
            sync_session_of(
                resolve_accounts(
                    session=session, profiles=profiles, accounts=accounts, role_name=role_name
                )[0]
            )
        )
    )
    query = options.query
    out: ExplanationList[Explanation] = ExplanationList()
    for spec in options.specs:
        push = pushdown.plan(query, spec)
        given = options.scopes[spec.name]
        for region in regions_used:
            out.append(
                Explanation(
                    adapter=spec.name,
                    region=region,
                    scope=dict(given),
                    discovered=tuple(n for n in spec.scope_names if n not in given),
                    requests=tuple(push.requests),
                    pushed=dict(push.pushed),
                    client=tuple(push.client_side(query)),
                    note=push.note,
                )
            )
    return out
