"""jobkit.core.changes without I/O: what each adapter's API offers, and the reads planned."""

from __future__ import annotations

import datetime as dt

from jobkit.adapters import REGISTRY
from jobkit.core.changes import (
    EVERYTHING,
    Read,
    ReadKind,
    StreamKnowledge,
    capabilities,
    coverage,
    plan_reads,
)
from jobkit.incremental import _caps

T = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
OVERLAP = dt.timedelta(minutes=10)


def test_capabilities_are_read_from_the_push_down_and_the_model() -> None:
    """Sorting, creation and modification filters are found per adapter as documented."""
    processing = _caps(REGISTRY["sagemaker.processing"])
    assert processing.sorted_desc and processing.since and processing.window_first
    assert processing.modified == "LastModifiedTimeAfter"
    batch = _caps(REGISTRY["batch.service"])
    assert batch.since and not batch.sorted_desc and not batch.window_first
    assert batch.modified is None
    medical = _caps(REGISTRY["comprehendmedical.snomedct"])
    assert medical.sorted_desc and medical.since
    for name in ("transcribe.transcription", "cleanroomsml.trained-model-export"):
        assert not _caps(REGISTRY[name]).incremental, name
    # Without the model's members, no modification filter is assumed.
    assert capabilities(REGISTRY["sagemaker.processing"]).modified is None


def test_a_stream_never_synced_or_without_filters_is_listed_whole() -> None:
    """No watermark, or an API that can neither sort nor filter by creation: one whole read."""
    fresh = StreamKnowledge()
    assert plan_reads(_caps(REGISTRY["sagemaker.processing"]), fresh) == [Read(kind=ReadKind.WHOLE)]
    known = StreamKnowledge(jobs=100, watermark=T)
    transcribe = _caps(REGISTRY["transcribe.transcription"])
    assert plan_reads(transcribe, known) == [Read(kind=ReadKind.WHOLE)]


def test_new_jobs_are_read_from_the_watermark_minus_the_overlap() -> None:
    """With every known job terminal, one read back to the watermark minus the overlap:
    newest first where the service sorts, else a creation-time filter."""
    known = StreamKnowledge(jobs=5000, watermark=T, created_since={T - OVERLAP: 3})
    sorted_ = plan_reads(_caps(REGISTRY["sagemaker.processing"]), known, overlap=OVERLAP)
    assert sorted_ == [Read(kind=ReadKind.NEWEST, since=T - OVERLAP)]
    filtered = plan_reads(_caps(REGISTRY["batch.service"]), known, overlap=OVERLAP)
    assert filtered == [Read(kind=ReadKind.SINCE, since=T - OVERLAP)]


def test_non_terminal_jobs_widen_the_window_or_use_the_modification_filter() -> None:
    """Recent non-terminal jobs widen the one window back to the oldest of them; old ones make
    the modification-time filter cheaper where the API has it, else the window still wins
    over a whole listing (it moves fewer jobs)."""
    recent = StreamKnowledge(
        jobs=5000,
        watermark=T,
        non_terminal=4,
        oldest_non_terminal=T - HOUR,
        created_since={T - OVERLAP: 3, T - HOUR - OVERLAP: 20},
    )
    caps = _caps(REGISTRY["sagemaker.processing"])
    assert plan_reads(caps, recent, overlap=OVERLAP) == [
        Read(kind=ReadKind.NEWEST, since=T - HOUR - OVERLAP)
    ]
    old = StreamKnowledge(
        jobs=5000,
        watermark=T,
        modified_watermark=T + HOUR,
        non_terminal=40,
        oldest_non_terminal=T - 50 * 24 * HOUR,
        created_since={T - OVERLAP: 3, T - 50 * 24 * HOUR - OVERLAP: 4990},
    )
    assert plan_reads(caps, old, overlap=OVERLAP) == [
        Read(kind=ReadKind.NEWEST, since=T - OVERLAP),
        Read(kind=ReadKind.MODIFIED, since=T + HOUR - OVERLAP, member="LastModifiedTimeAfter"),
    ]
    no_modified = plan_reads(_caps(REGISTRY["batch.service"]), old, overlap=OVERLAP)
    assert no_modified == [Read(kind=ReadKind.SINCE, since=T - 50 * 24 * HOUR - OVERLAP)]


def test_coverage_is_the_lowest_creation_bound_read() -> None:
    """A whole read covers everything; windows cover from their lowest bound; a modification
    read covers nothing by creation time."""
    assert coverage([Read(kind=ReadKind.WHOLE)]) == EVERYTHING
    assert (
        coverage([Read(kind=ReadKind.NEWEST, since=T), Read(kind=ReadKind.SINCE, since=T - HOUR)])
        == T - HOUR
    )
    assert coverage([Read(kind=ReadKind.MODIFIED, since=T, member="m")]) is None


def test_the_docs_table_of_reads_is_current() -> None:
    """docs/inventory.md shows the reads each adapter gets, as the code plans them."""
    from pathlib import Path

    from jobkit.incremental import reads_markdown

    page = (Path(__file__).parent.parent / "docs" / "inventory.md").read_text()
    assert reads_markdown() in page, "regenerate the table with jobkit.incremental.reads_markdown()"
