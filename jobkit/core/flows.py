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
from jobkit.core.spec import AdapterSpec
from jobkit.core.stats import Stats
from jobkit.errors import JobkitError, ModelMismatchError

__all__ = ["Flow", "hydrate_flow", "listing_flow"]

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
        unread: dict[int, str] = {}
        if spec.hydrate is not None:
            items, unread = yield from hydrate_flow(spec, stream.region, items)
        jobs, ends = read_page(
            spec,
            items,
            region=stream.region,
            scope=stream.scope,
            stats=stats,
            endpoint=stream.endpoint,
            query=query,
            skip=skip,
            unread=unread,
        )
        yield Page(start=start, jobs=jobs, ends=ends)
        skip = 0
        if stop_below is not None and any(
            job.created is not None and job.created < stop_below for job in jobs
        ):
            break
    stats.count(streams_done=1)


def _listed_id(spec: AdapterSpec, item: Any) -> str:
    hydrate = spec.hydrate
    assert hydrate is not None
    value = item if hydrate.listed_id is None else item.get(hydrate.listed_id)
    if not isinstance(value, str):
        raise ModelMismatchError(
            f"{spec.operation} listed an item without the id {hydrate.operation} needs: {item!r}",
            adapter=spec.name,
            operation=spec.operation,
        )
    return value


def hydrate_flow(
    spec: AdapterSpec, region: str, items: list[Any]
) -> Generator[Call, Mapping[str, Any] | None, tuple[list[Mapping[str, Any]], dict[int, str]]]:
    """Turn one page of listed ids (or status-less summaries) into records through
    ``spec.hydrate``: the ids in batches, in listing order; returns the records and, by
    index, why an id was not answered (its record is then the listed item alone)."""
    hydrate = spec.hydrate
    assert hydrate is not None
    ids = [_listed_id(spec, item) for item in items]
    found: dict[str, Mapping[str, Any]] = {}
    missing: set[str] = set()
    unique = list(dict.fromkeys(ids))
    for at in range(0, len(unique), hydrate.batch):
        chunk = unique[at : at + hydrate.batch]
        response = yield Call(
            service=spec.service,
            region=region,
            operation=hydrate.operation,
            params={hydrate.ids_member: chunk if hydrate.batch > 1 else chunk[0]},
            adapter=spec.name,
        )
        assert response is not None  # the driver answers every Call
        if hydrate.result_key is None:
            records = [{k: v for k, v in response.items() if k != "ResponseMetadata"}]
        else:
            records = list(response.get(hydrate.result_key) or ())
        for record in records:
            key = record.get(hydrate.id_member)
            if isinstance(key, str):
                found[key] = record
        for entry in response.get(hydrate.missing_key, ()) if hydrate.missing_key else ():
            missing.add(entry if isinstance(entry, str) else str(entry.get(hydrate.id_member)))
    out: list[Mapping[str, Any]] = []
    unread: dict[int, str] = {}
    for index, (item, key) in enumerate(zip(items, ids, strict=True)):
        listed = {hydrate.id_member: key} if hydrate.listed_id is None else dict(item)
        answered = found.get(key)
        if answered is None:
            why = "reported it not found" if key in missing else "did not answer it"
            unread[index] = f"{hydrate.operation} {why} (deleted after it was listed?)"
            out.append(listed)
        else:
            out.append({**listed, **answered})
    return out, unread
