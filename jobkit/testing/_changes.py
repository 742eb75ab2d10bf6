"""Jobs that appear, change status and age out between two listings of the emulator.

The emulator's data is a pure function of the index; ``JobChanges`` lays a small mutable
overlay on every job set built after it is attached, without copying any record:

* ``hold_back=k`` hides the ``k`` newest jobs of every set; ``appear(n)`` reveals ``n`` more
  of them (jobs created after everything listed so far, as new jobs are).
* ``change(n)`` moves ``n`` visible, non-terminal jobs per set one step on (a pending job
  starts running, a running one finishes), stamping their modification time (and end time)
  with the overlay's clock, which starts at the data's reference instant and only moves
  forward; every change is logged in ``log``.
* ``expire(n)`` drops the ``n`` oldest visible jobs of every set (the service's retention).
* ``settle(recent)``: every job older than the ``recent`` newest of its set is terminal (not
  logged; also in sets built later): only recent jobs still run, as in real accounts.
  ``settle(recent, running=True)`` also makes those ``recent`` newest jobs run.
* Time-driven transitions: ``schedule(n, within=...)`` gives up to ``n`` non-terminal jobs
  per set the instants (within ``within`` of the overlay's clock) at which they move on, a
  step at a time until they end; ``advance(seconds)`` moves the clock and makes every step
  that fell due, stamped with its own instant; ``run(speed)`` instead lets the clock follow
  the real one, ``speed`` times faster, and makes due steps as requests come in.

Which status words are terminal, and which member holds the status, modification and end
times, is read from jobkit's adapter declarations: the vocabulary is not under test here.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
import threading
import time
from collections.abc import Mapping
from typing import Any

import attrs

from jobkit.testing._data import EmulatorData, JobSet, ms_to_datetime

__all__ = ["JobChanges", "StatusChange"]


@attrs.frozen(kw_only=True)
class StatusChange:
    """One status change the emulator made: the job's record after it, and both statuses."""

    adapter: str
    region: str
    record: Mapping[str, Any]
    old_raw: str | None
    new_raw: str | None
    old_status: str  # JobStatus values
    new_status: str
    at_ms: int


def _specs() -> dict[tuple[str, str], Any]:
    from jobkit.adapters import REGISTRY  # noqa: PLC0415 - the emulator stays importable alone

    return {(s.service, s.operation): s for s in REGISTRY.values()}


def _finished_counters(record: Mapping[str, Any]) -> dict[str, int]:
    counters = record.get("LabelCounters") or {}
    total = int(counters.get("Total") or 10)
    return {"HumanLabeled": total, "PendingHuman": 0, "Total": total}


def _finish_word(spec: Any) -> str | None:
    """The service's word for a finished job (succeeded, else failed, else stopped)."""
    from jobkit.model import JobStatus  # noqa: PLC0415

    for target in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.STOPPED):
        for word, mapped in spec.status_map.items():
            if mapped is target:
                return str(word)
    return None


def _failed_word(spec: Any) -> str | None:
    from jobkit.model import JobStatus  # noqa: PLC0415

    for word, mapped in spec.status_map.items():
        if mapped is JobStatus.FAILED:
            return str(word)
    return None


def _running_word(spec: Any) -> str | None:
    from jobkit.model import JobStatus  # noqa: PLC0415

    for word, mapped in spec.status_map.items():
        if mapped is JobStatus.RUNNING:
            return str(word)
    return None


class _Overlay(JobSet):
    """A job set with hidden newest jobs, expired oldest ones and patched records."""

    def __init__(self, base: JobSet, spec: Any, hidden: int) -> None:
        # Not JobSet.__init__: every generated value comes from ``base``.
        self.base = base
        self.spec = spec
        self.hidden = min(hidden, base.n)
        self.expired = 0
        self.patches: dict[int, dict[str, Any]] = {}  # base index -> members replaced
        self.words: dict[int, str] = {}  # base index -> status word now
        self.relabeled: dict[int, str] = {}  # base index -> a status word no mapping knows
        self.settle_from: int | None = None  # base indices from here on have finished
        self.running_below: int | None = None  # base indices below this run (settle)
        self.running_word = _running_word(spec)
        self.finish_word = _finish_word(spec)
        self.region, self.scope, self.statuses = base.region, base.scope, base.statuses
        self.salt, self.step, self.t0_ms, self.ref_ms = (
            base.salt,
            base.step,
            base.t0_ms,
            base.ref_ms,
        )

    def __getattr__(self, name: str) -> Any:
        # Attributes of the concrete job set (the generic operation, the queue's shares, ...).
        return getattr(self.__dict__["base"], name)

    # JobSet sets ``n`` and ``malformed`` as plain attributes; here they are derived.
    @property
    def n(self) -> int:  # type: ignore[override]
        return self.base.n - self.hidden - self.expired

    @property
    def malformed(self) -> int:  # type: ignore[override]
        return self.base.malformed

    @property
    def size(self) -> int:
        return self.base.size - self.hidden - self.expired

    def created_ms(self, i: int) -> int:
        return self.base.created_ms(i + self.hidden)

    def _settled(self, j: int) -> bool:
        return self.settle_from is not None and j >= self.settle_from and j not in self.patches

    def _running(self, j: int) -> bool:
        return (
            self.running_below is not None
            and j < self.running_below
            and j not in self.words
            and self.running_word is not None
        )

    def status(self, i: int) -> str:
        j = i + self.hidden
        word = self.words.get(j)
        if word is not None:
            return word
        if self._running(j):
            assert self.running_word is not None
            return self.running_word
        word = self.base.status(j)
        if self._settled(j) and self.finish_word is not None:
            status = self.spec.status_map.get(word)
            if status is None or not status.is_terminal:
                return self.finish_word
        return word

    def record(self, i: int) -> dict[str, Any]:
        j = i + self.hidden
        rec = self.base.record(j)
        if self._settled(j):
            field = self.spec.status_field
            if field is None:
                if not self.spec.derive_status(rec).is_terminal:
                    rec["LabelCounters"] = _finished_counters(rec)
            elif field in rec and self.finish_word is not None:
                status = self.spec.status_map.get(rec[field])
                if status is None or not status.is_terminal:
                    rec[field] = self.finish_word
        elif self._running(j) and self.spec.status_field in rec:
            rec[self.spec.status_field] = self.running_word
            if self.spec.ended_field:
                rec.pop(self.spec.ended_field, None)
        patch = self.patches.get(j)
        if patch:
            rec.update(patch)
        word = self.relabeled.get(j)
        if word is not None and self.spec.status_field is not None:
            _set_path(rec, self.spec.status_field, word)
        return rec


def _set_path(record: dict[str, Any], path: str, value: Any) -> None:
    """Set ``record[a][b]...`` for ``path`` "a.b..." (a copy of every dict on the way)."""
    head, _, rest = path.partition(".")
    if not rest:
        record[head] = value
        return
    inner = dict(record.get(head) or {})
    _set_path(inner, rest, value)
    record[head] = inner


class JobChanges:
    """Make an emulator's jobs appear, change status and age out (see the module doc).

    Attach it before the first listing: ``JobChanges(emulator, hold_back=20)``.
    """

    def __init__(self, target: Any, *, hold_back: int = 0, seed: int = 0) -> None:
        data = target.data if hasattr(target, "data") else target
        if not isinstance(data, EmulatorData):
            raise TypeError("JobChanges needs an Emulator or its EmulatorData")
        if hold_back < 0:
            raise ValueError("hold_back must be >= 0")
        self.data = data
        self.hold_back = hold_back
        self.log: list[StatusChange] = []
        self.clock_ms = data.ref_ms
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._sets: dict[tuple[str, str, str], _Overlay] = {}
        self._specs = _specs()
        self._settle: int | None = None
        self._running: int | None = None
        self._due: list[tuple[int, int, _Overlay, int]] = []  # (due ms, seq, set, base index)
        self._seq = itertools.count()
        self._real: tuple[float, int, float] | None = None  # (monotonic, clock ms, speed)
        self._finals: dict[tuple[int, int], str] = {}  # (set, base index) -> its last word
        data.changes = self

    # ------------------------------------------------------------------ the hook

    def wrap(self, service: str, operation: str, region: str, key: str, jobs: JobSet) -> JobSet:
        """The overlay of a job set the emulator just built (called by ``EmulatorData``)."""
        spec = self._specs.get((service, operation))
        if spec is None:
            return jobs
        with self._lock:
            overlay = self._sets.get((f"{service}:{operation}", region, key))
            if overlay is None:
                overlay = _Overlay(jobs, spec, self.hold_back)
                if self._settle is not None:
                    overlay.settle_from = overlay.hidden + self._settle
                    if self._running is not None:
                        overlay.running_below = overlay.hidden + self._running
                self._sets[(f"{service}:{operation}", region, key)] = overlay
            return overlay

    # ------------------------------------------------------------------ mutations

    def _selected(self, adapter: str | None, region: str | None) -> list[_Overlay]:
        return [
            o
            for (_, r, _), o in sorted(self._sets.items())
            if (adapter is None or o.spec.name == adapter) and (region is None or r == region)
        ]

    def appear(self, n: int = 1, *, adapter: str | None = None, region: str | None = None) -> int:
        """Reveal up to ``n`` held-back jobs per job set; returns how many appeared."""
        shown = 0
        with self._lock:
            for overlay in self._selected(adapter, region):
                step = min(n, overlay.hidden)
                overlay.hidden -= step
                shown += step
        return shown

    def expire(self, n: int = 1, *, adapter: str | None = None, region: str | None = None) -> int:
        """Drop the ``n`` oldest visible jobs per job set; returns how many were dropped."""
        dropped = 0
        with self._lock:
            for overlay in self._selected(adapter, region):
                if overlay.base.malformed:
                    raise ValueError("expire() needs job sets without malformed records")
                step = min(n, overlay.n)
                overlay.expired += step
                dropped += step
        return dropped

    def change(
        self, n: int = 1, *, adapter: str | None = None, region: str | None = None
    ) -> list[StatusChange]:
        """Move up to ``n`` visible non-terminal jobs per job set one status on."""
        made: list[StatusChange] = []
        with self._lock:
            for overlay in self._selected(adapter, region):
                candidates = [i for i in range(overlay.size) if not self._terminal(overlay, i)]
                for i in sorted(self._rng.sample(candidates, min(n, len(candidates)))):
                    made.append(self._advance(overlay, i))
        return made

    def relabel(
        self,
        word: str,
        n: int = 1,
        *,
        adapter: str | None = None,
        region: str | None = None,
    ) -> int:
        """Give up to ``n`` of the newest visible jobs per job set the status ``word`` (one
        the service added after jobkit's mapping was written, as AWS does); job sets whose
        status is derived (no status member) are left alone. Returns how many changed."""
        changed = 0
        with self._lock:
            for overlay in self._selected(adapter, region):
                if overlay.spec.status_field is None:
                    continue
                for i in range(min(n, overlay.size)):
                    overlay.relabeled[i + overlay.hidden] = word
                    changed += 1
        return changed

    def settle(self, recent: int, *, running: bool = False) -> None:
        """Finish every job older than the ``recent`` newest visible ones of its set, in
        every set, including those built later (their times stay as generated); with
        ``running=True`` the ``recent`` newest are running (their end times removed)."""
        with self._lock:
            self._settle = recent
            self._running = recent if running else None
            for overlay in self._sets.values():
                overlay.settle_from = overlay.hidden + recent
                overlay.running_below = overlay.hidden + recent if running else None

    # ------------------------------------------------------------------ time

    @property
    def now(self) -> dt.datetime:
        """The overlay's clock (it starts at the data's reference instant)."""
        return ms_to_datetime(self.clock_ms)

    @property
    def pending(self) -> int:
        """Scheduled steps not made yet."""
        with self._lock:
            return len(self._due)

    def schedule(
        self,
        n: int | None = None,
        *,
        within: float | dt.timedelta,
        adapter: str | None = None,
        region: str | None = None,
        failing: float = 0.0,
    ) -> list[dt.datetime]:
        """Give up to ``n`` (None: every) visible non-terminal jobs per set the instants,
        within ``within`` (seconds or a timedelta) of the clock, at which they move on one
        status at a time until they end (a pending job: two steps); a ``failing`` share of
        them ends failed, the others as the service's word for success. Returns the instant
        each scheduled job ends, sorted."""
        if not 0.0 <= failing <= 1.0:
            raise ValueError("failing is a share between 0 and 1")
        span = within.total_seconds() if isinstance(within, dt.timedelta) else float(within)
        if span <= 0:
            raise ValueError("within must be positive")
        span_ms = max(1, int(span * 1000))
        ends: list[dt.datetime] = []
        with self._lock:
            for overlay in self._selected(adapter, region):
                candidates = [i for i in range(overlay.size) if not self._terminal(overlay, i)]
                count = len(candidates) if n is None else min(n, len(candidates))
                for i in sorted(self._rng.sample(candidates, count)):
                    status = self._status(overlay, overlay.record(i))[1]
                    steps = 2 if status.value == "PENDING" else 1
                    times = sorted(
                        self.clock_ms + 1 + self._rng.randrange(span_ms) for _ in range(steps)
                    )
                    for at in times:
                        heapq.heappush(
                            self._due, (at, next(self._seq), overlay, i + overlay.hidden)
                        )
                    ends.append(ms_to_datetime(times[-1]))
                    if failing and self._rng.random() < failing:
                        word = _failed_word(overlay.spec)
                        if word is not None:
                            self._finals[(id(overlay), i + overlay.hidden)] = word
        return sorted(ends)

    def advance(self, seconds: float | dt.timedelta) -> list[StatusChange]:
        """Move the clock ``seconds`` on; make every scheduled step that fell due."""
        span = seconds.total_seconds() if isinstance(seconds, dt.timedelta) else float(seconds)
        if span < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            return self._apply(self.clock_ms + int(span * 1000))

    def run(self, speed: float = 1.0) -> None:
        """Let the clock follow the real one from now on, ``speed`` times faster: scheduled
        steps are made as they fall due, when a request comes in. ``stop()`` ends it."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        with self._lock:
            self._real = (time.monotonic(), self.clock_ms, float(speed))

    def stop(self) -> None:
        """The clock stops following the real one (see ``run``)."""
        with self._lock:
            self.tick_locked()
            self._real = None

    def tick(self) -> None:
        """Make the steps due by the real-time clock (``run``); called on each request."""
        if self._real is None:
            return
        with self._lock:
            self.tick_locked()

    def tick_locked(self) -> None:
        """``tick`` with the lock held."""
        if self._real is not None:
            started, clock0, speed = self._real
            self._apply(clock0 + int((time.monotonic() - started) * 1000 * speed))

    def _apply(self, target_ms: int) -> list[StatusChange]:
        made: list[StatusChange] = []
        while self._due and self._due[0][0] <= target_ms:
            at, _, overlay, j = heapq.heappop(self._due)
            self.clock_ms = max(self.clock_ms, at)
            i = j - overlay.hidden
            if 0 <= i < overlay.size and not self._terminal(overlay, i):
                made.append(self._advance(overlay, i, at=at))
        self.clock_ms = max(self.clock_ms, target_ms)
        return made

    # ------------------------------------------------------------------ one job

    def _status(self, overlay: _Overlay, record: Mapping[str, Any]) -> tuple[str | None, Any]:
        spec = overlay.spec
        if spec.status_field is None:
            return None, spec.derive_status(record)
        word = record.get(spec.status_field)
        from jobkit.model import JobStatus  # noqa: PLC0415

        return word, spec.status_map.get(word or "", JobStatus.UNKNOWN)

    def _terminal(self, overlay: _Overlay, i: int) -> bool:
        spec = overlay.spec
        if spec.status_field is not None and not overlay.patches.get(i + overlay.hidden):
            word = overlay.status(i)
            status = spec.status_map.get(word)
            return bool(status is not None and status.is_terminal)
        return bool(self._status(overlay, overlay.record(i))[1].is_terminal)

    def _next_word(self, overlay: _Overlay, status: Any) -> str | None:
        from jobkit.model import JobStatus  # noqa: PLC0415

        if status is JobStatus.PENDING:
            for word, mapped in overlay.spec.status_map.items():
                if mapped is JobStatus.RUNNING:
                    return str(word)
        return overlay.finish_word

    def _advance(self, overlay: _Overlay, i: int, *, at: int | None = None) -> StatusChange:
        spec = overlay.spec
        j = i + overlay.hidden
        before = overlay.record(i)
        old_word, old_status = self._status(overlay, before)
        if at is None:
            self.clock_ms += 1
            at = self.clock_ms
        patch = overlay.patches.setdefault(j, {})
        if spec.status_field is None:
            patch["LabelCounters"] = _finished_counters(before)
        else:
            word = self._next_word(overlay, old_status)
            if word == overlay.finish_word:
                word = self._finals.pop((id(overlay), j), word)
            assert word is not None, f"{spec.name} has no status to move to"
            patch[spec.status_field] = word
            overlay.words[j] = word
            stamp: Any = at if spec.time_format.value == "epoch_ms" else ms_to_datetime(at)
            if spec.updated_field:
                patch[spec.updated_field] = stamp
            new_status = spec.status_map[word]
            if spec.ended_field and new_status.is_terminal:
                patch[spec.ended_field] = stamp
        after = overlay.record(i)
        new_word, new_status = self._status(overlay, after)
        change = StatusChange(
            adapter=spec.name,
            region=overlay.region,
            record=after,
            old_raw=old_word,
            new_raw=new_word,
            old_status=old_status.value,
            new_status=new_status.value,
            at_ms=at,
        )
        self.log.append(change)
        return change
