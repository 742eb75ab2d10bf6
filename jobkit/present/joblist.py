"""``JobList``: the jobs of a listing with its stats, filters, counts and views."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, SupportsIndex, overload

from jobkit.core.query import parse_statuses
from jobkit.core.stats import Stats
from jobkit.model import Job, JobStatus
from jobkit.present import export
from jobkit.present.html import joblist_html
from jobkit.present.records import adapter_counts, align, plural, status_counts, text_table

if TYPE_CHECKING:
    import pandas
    import pyarrow

__all__ = ["JobList"]


class JobList(list[Job]):
    """A list of jobs with the listing's ``stats`` and notebook-friendly views.

    ``stats`` is the ``Stats`` of the listing that produced it (None when built by hand or
    sliced). It shows as an HTML table in Jupyter, as a summary in terminals, and converts
    to pandas (``to_pandas()``) and Arrow (``to_arrow()``); ``jobkit.present.export`` lists
    the columns and the rule for flattening ``extras``.
    """

    stats: Stats | None

    def __init__(self, jobs: Iterable[Job] = (), *, stats: Stats | None = None) -> None:
        super().__init__(jobs)
        self.stats = stats

    @overload
    def __getitem__(self, index: SupportsIndex) -> Job: ...

    @overload
    def __getitem__(self, index: slice) -> JobList: ...

    def __getitem__(self, index: SupportsIndex | slice) -> Job | JobList:
        if isinstance(index, slice):
            return JobList(super().__getitem__(index))
        return super().__getitem__(index)

    def where(
        self,
        predicate: Callable[[Job], bool] | None = None,
        *,
        status: JobStatus | str | Iterable[JobStatus | str] | None = None,
        adapter: str | Iterable[str] | None = None,
    ) -> JobList:
        """The jobs that match every given condition (statuses by enum or name, any case)."""
        # Parsed as jobs(status=) parses it: a word it does not know is an InvalidFilterError
        # naming the words it does.
        statuses = parse_statuses(status)
        names = None if adapter is None else {adapter} if isinstance(adapter, str) else set(adapter)
        return JobList(
            job
            for job in self
            if (statuses is None or job.status in statuses)
            and (names is None or job.adapter in names)
            and (predicate is None or predicate(job))
        )

    def counts(self) -> dict[str, int]:
        """Jobs per status, in enum order, statuses with no job left out."""
        return {status.value: n for status, n in status_counts(self)}

    def summary(self, max_rows: int = 10) -> str:
        """A plain-text summary: counts per status and adapter, stats, the first rows."""
        lines = [self._headline()]
        if self:
            per_adapter = [["ADAPTER", "JOBS", "STATUSES"]]
            per_adapter += [
                [name, str(sum(n for _, n in counts)), ", ".join(f"{s} {n}" for s, n in counts)]
                for name, counts in adapter_counts(self)
            ]
            lines += [align(per_adapter), "", text_table(self[:max_rows])]
            if len(self) > max_rows:
                lines.append(f"... {len(self) - max_rows} more")
        return "\n".join(lines)

    def _headline(self) -> str:
        text = f"JobList: {plural(len(self), 'job')}"
        if self:
            text += " (" + ", ".join(f"{s.value} {n}" for s, n in status_counts(self)) + ")"
        if self.stats is not None:
            s = self.stats
            text += (
                f"; {plural(s.requests, 'request')}, {plural(s.retries, 'retry', 'retries')}, "
                f"{plural(s.throttles, 'throttle')}"
            )
        return text

    def __repr__(self) -> str:
        return f"<{self._headline()}>"

    def __str__(self) -> str:
        return self.summary()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython's terminal shell: the summary, not a wall of Job reprs.
        printer.text(repr(self) if cycle else self.summary())

    def _repr_html_(self) -> str:
        return joblist_html(self, stats=self.stats)

    def to_pandas(self) -> pandas.DataFrame:
        """A DataFrame with one row per job (needs ``jobkit[pandas]``; columns:
        ``jobkit.present.export``)."""
        return export.to_pandas(self, "JobList.to_pandas()")

    def to_arrow(self) -> pyarrow.Table:
        """An Arrow table with one row per job (needs ``jobkit[arrow]``; columns:
        ``jobkit.present.export``)."""
        return export.to_arrow(self, "JobList.to_arrow()")
