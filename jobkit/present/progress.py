"""A listing's progress as a tqdm bar (the optional extra ``jobkit[progress]``)."""

from __future__ import annotations

import threading
from typing import IO

from jobkit.core.progress import ProgressReporter
from jobkit.core.stats import Stats
from jobkit.errors import MissingDependencyError, UsageError

__all__ = ["Progress", "make_progress"]


class Progress:
    """A tqdm progress bar of a listing: jobs as the count, pages and streams in the postfix.

    Needs ``jobkit[progress]``. ``tqdm.auto`` picks a notebook widget or a terminal bar. It
    implements ``jobkit.core.progress.ProgressReporter``: the listing calls ``update(stats)``
    after each page and ``close()`` at the end (also when it fails or is closed early);
    ``update`` only reads the stats, so it is safe to call from the listing's threads.
    ``file`` and ``disable`` are passed to tqdm; ``max_endpoints`` caps how many per-endpoint
    page counts the postfix shows.
    """

    def __init__(
        self,
        *,
        desc: str = "jobs",
        total: int | None = None,
        file: IO[str] | None = None,
        disable: bool = False,
        leave: bool = True,
        max_endpoints: int = 4,
    ) -> None:
        try:
            from tqdm.auto import tqdm  # noqa: PLC0415 - optional extra, imported on use
        except ImportError as exc:
            raise MissingDependencyError("progress bars", "progress", "tqdm") from exc
        self._bar = tqdm(
            desc=desc, total=total, unit="job", file=file, disable=disable, leave=leave
        )
        self._lock = threading.Lock()
        self._max_endpoints = max_endpoints
        self._postfix: dict[str, str] = {}
        self._stats: Stats | None = None  # the listing's live counters, last shown
        self.closed = False

    @property
    def count(self) -> int:
        """Jobs counted so far."""
        return int(self._bar.n)

    @property
    def postfix(self) -> dict[str, str]:
        """The postfix fields last shown (pages, streams, retries, per-endpoint pages)."""
        return dict(self._postfix)

    def update(self, stats: Stats) -> None:
        """Show ``stats``: called by the listing after each page."""
        # as_dict() copies the endpoint counters under the stats' lock: the listing's
        # threads may add endpoints while this runs.
        endpoints = stats.as_dict()["endpoints"]
        assert isinstance(endpoints, dict)
        postfix = {"pages": str(stats.pages), "streams": f"{stats.streams_done}/{stats.streams}"}
        if stats.retries:
            postfix["retries"] = f"{stats.retries} ({stats.throttles} throttled)"
        busiest = sorted(endpoints.items(), key=lambda kv: -int(kv[1]["pages"]))
        for key, counters in busiest[: self._max_endpoints]:
            postfix[key] = f"{counters['pages']}p"
        if len(busiest) > self._max_endpoints:
            postfix["endpoints"] = f"+{len(busiest) - self._max_endpoints} more"
        jobs = stats.jobs
        with self._lock:
            if self.closed:
                return
            self._stats = stats
            self._postfix = postfix
            self._bar.set_postfix(postfix, refresh=False)
            self._bar.update(max(0, jobs - self._bar.n))

    def close(self) -> None:
        """Finish the bar (idempotent): called once the listing ends, fails or is closed.

        The bar shows the final counters first: jobs released after the last page arrived
        (and streams finished since) are counted, so its final state is exact.
        """
        if self._stats is not None and not self.closed:
            self.update(self._stats)
        with self._lock:
            if not self.closed:
                self.closed = True
                self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def make_progress(progress: bool | ProgressReporter | None) -> ProgressReporter | None:
    """The ``progress=`` argument of ``jobs()``/``ajobs()`` as a reporter: True makes a
    ``Progress`` bar, False or None none (the default: silent), an object with
    ``update(stats)`` and ``close()`` is used as it is; anything else is a ``UsageError``."""
    if progress is None or progress is False:
        return None
    if progress is True:
        return Progress()
    if isinstance(progress, ProgressReporter):
        return progress
    raise UsageError(
        f"progress= takes True, False or a progress reporter, not {type(progress).__name__}",
        hint="progress=True shows a tqdm bar; or pass an object with update(stats) and close()",
    )
