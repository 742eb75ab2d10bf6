"""What a listing tells a progress display: the protocol, no display in it.

The listing calls ``update(stats)`` after each page and ``close()`` once it ends, fails or is
closed. ``jobkit.present.progress.Progress`` (a tqdm bar) is one implementation; any object
with these two methods is another, so the listing never depends on a display library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from jobkit.core.stats import Stats

__all__ = ["ProgressReporter"]


@runtime_checkable
class ProgressReporter(Protocol):
    """Receives a listing's progress. ``update`` may be called from the listing's threads."""

    def update(self, stats: Stats) -> None:
        """Called after each page with the listing's counters (read them, do not keep them)."""

    def close(self) -> None:
        """Called once when the listing ends, fails or is closed; may be called again."""
