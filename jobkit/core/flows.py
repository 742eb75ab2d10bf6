"""The listing of one stream as a sans-I/O flow.

``listing_flow`` is a generator in the style of httpx's ``auth_flow``: it yields a ``Call``
when it needs a page fetched and expects the parsed response back; it yields a ``Page`` of
jobs when a page has been read, and expects nothing back. Both drivers run it unchanged, so
paging, normalization, counting and paging-error context are decided here, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Mapping
from typing import Any

from jobkit.core.cursor import Page
from jobkit.core.normalize import read_page
from jobkit.core.paging import Pager
from jobkit.core.plan import Call, Stream
from jobkit.core.query import Query
from jobkit.core.stats import Stats
from jobkit.errors import JobkitError

__all__ = ["Flow", "listing_flow"]

#: What a listing flow yields (a call to make, or a page of jobs) and receives back.
Flow = Generator[Call | Page, Mapping[str, Any] | None, None]


def listing_flow(
    stream: Stream,
    pager: Pager,
    stats: Stats,
    *,
    skip: int = 0,
    query: Query | None = None,
    stop_below: dt.datetime | None = None,
) -> Flow:
    """Page through ``stream`` from ``pager``'s position to its end, keeping the jobs that
    ``query`` matches. ``skip`` summaries of the first page are left out: they were consumed
    before a resume. ``stop_below``: the stream comes newest first (the service sorts it);
    the page holding the first job created before this time is its last (an incremental
    read of what is new).
    """
    spec = stream.spec
    while (request := pager.next_request()) is not None:
        start = pager.position
        response = yield Call(
            service=spec.service,
            region=stream.region,
            operation=spec.operation,
            params=request,
            adapter=spec.name,
        )
        assert response is not None  # the driver answers every Call
        try:
            items = pager.feed(response)
        except JobkitError as exc:
            exc.adapter, exc.region, exc.operation = spec.name, stream.region, spec.operation
            raise
        jobs, ends = read_page(
            spec,
            items,
            region=stream.region,
            scope=stream.scope,
            stats=stats,
            endpoint=stream.endpoint,
            query=query,
            skip=skip,
        )
        yield Page(start=start, jobs=jobs, ends=ends)
        skip = 0
        if stop_below is not None and any(
            job.created is not None and job.created < stop_below for job in jobs
        ):
            break
    stats.count(streams_done=1)
