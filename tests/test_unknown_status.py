"""A status word no mapping knows (AWS adds them) stays data: UNKNOWN, raw kept, counted."""

from __future__ import annotations

import collections
from collections.abc import Iterator

import pytest
from emulator_env import use_emulator

import jobkit
from jobkit.adapters import REGISTRY
from jobkit.core import pushdown
from jobkit.core.query import Query
from jobkit.model import JobStatus
from jobkit.testing import REFERENCE_NOW, Emulator, JobChanges
from tests.drivers import Driver
from tests.groundtruth import few_jobs

NEW_WORD = "QuantumEntangled"  # in no service's status enum


@pytest.fixture
def relabeled(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Emulator, JobChanges]]:
    """A fresh emulator (a few jobs per stream) whose job sets carry the changes overlay."""
    with Emulator(now=REFERENCE_NOW, sizes=few_jobs()) as emu:
        use_emulator(monkeypatch, emu)
        jobkit.clear_session_cache()
        yield emu, JobChanges(emu)


async def test_every_adapter_yields_new_words_as_unknown(
    relabeled: tuple[Emulator, JobChanges], driver: Driver
) -> None:
    """Through the emulator, for every adapter with a status member: the newest job of each
    job set gets a status word no mapping knows; the next listing yields it as UNKNOWN with
    the raw word kept, counts it in stats.unmapped_statuses, and raises nothing."""
    _, changes = relabeled
    before, _ = await driver.collect(errors="raise")
    changed = changes.relabel(NEW_WORD, 1)
    assert changed > 0
    got, it = await driver.collect(errors="raise")
    # Adapters whose API lists one status at a time (no call returns every status) are asked
    # for the statuses the model names; a word the model does not have cannot be asked for
    # (the drift guard fails the day botocore's model gains one).
    per_status = {
        name for name, spec in REGISTRY.items() if len(pushdown.plan(Query(), spec).requests) > 1
    }
    assert len([j for j in got if j.adapter not in per_status]) == len(
        [j for j in before if j.adapter not in per_status]
    )
    new = [j for j in got if j.raw_status == NEW_WORD]
    assert new
    assert all(j.status is JobStatus.UNKNOWN and j.problem is None for j in new)
    assert it.stats.unmapped_statuses == len(new)
    per_adapter = collections.Counter(j.adapter for j in new)
    with_status = {name for name, spec in REGISTRY.items() if spec.status_field is not None}
    assert set(per_adapter) >= (with_status & {j.adapter for j in before}) - per_status
    assert set(per_adapter) <= with_status
