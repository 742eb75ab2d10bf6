"""Ground truth for inventory tests: what the emulator holds now, and what the store holds."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from groundtruth import GROUND_TRUTH_ADAPTERS, expected_raw

from jobkit.adapters import REGISTRY
from jobkit.testing import Emulator, StatusChange

#: The five seed adapters plus three whose ground truth is one scope-less job set each:
#: sorted and filtered by creation time (training), a creation-time filter (EMR Serverless
#: needs its applications, so Comprehend here), and one listed whole (Transcribe).
GENERIC = {
    "sagemaker.training": ("sagemaker", "ListTrainingJobs"),
    "comprehend.entities": ("comprehend", "ListEntitiesDetectionJobs"),
    "transcribe.transcription": ("transcribe", "ListTranscriptionJobs"),
}
ADAPTERS = (*GROUND_TRUTH_ADAPTERS, *GENERIC)


def truth(emu: Emulator, region: str = "us-east-1") -> dict[tuple[str, str], dict[str, Any]]:
    """(adapter, identity) -> raw summary, for every job the emulator serves now."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for adapter in ADAPTERS:
        if adapter in GENERIC:
            records = emu.data.records(*GENERIC[adapter], region)
        else:
            records = expected_raw(emu, adapter, region)
        for record in records:
            key = (adapter, identity(adapter, record))
            assert key not in out, f"duplicate ground-truth identity {key}"
            out[key] = record
    return out


def identity(adapter: str, record: Any) -> str:
    """The id (or, for operations without one, the parent scope and the name) of a record."""
    spec = REGISTRY[adapter]
    if spec.id_field:
        return str(record[spec.id_field])
    parents = [str(record[n]) for n in spec.scope_names if record.get(n)]
    return "/".join([*parents, str(record[spec.name_field or ""])])


def stored(frame: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """(adapter, identity) -> raw summary (parsed JSON), from the ``jobs`` table."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for key, adapter, raw in zip(frame["job_key"], frame["adapter"], frame["raw"], strict=True):
        ident = str(key).split("|", 3)[3]
        out[(str(adapter), ident)] = json.loads(raw)
    return out


def as_json(record: Any) -> Any:
    """A record as it reads back from the store's JSON column."""
    from jobkit.store import to_json

    return json.loads(to_json(dict(record)))


def assert_matches_truth(
    emu: Emulator, frame: Any, *, retained: set[tuple[str, str]] | frozenset[Any] = frozenset()
) -> None:
    """The ``jobs`` table holds the emulator's jobs, field for field, plus ``retained``: the
    jobs that aged out of the service and must stay in the inventory."""
    want = {k: as_json(v) for k, v in truth(emu).items()}
    got = stored(frame)
    assert len(got) == len(frame), "two rows for one job"
    assert not retained & set(want)
    extra, missing = set(got) - set(want) - retained, set(want) - set(got)
    assert not extra and not missing, (sorted(missing)[:5], sorted(extra)[:5])
    assert retained <= set(got)
    different = [k for k in want if got[k] != want[k]]
    assert not different, different[:3]


def keys_of(frame: Any, adapter: str | None = None) -> set[tuple[str, str]]:
    """(adapter, identity) of the rows of ``frame`` (of one adapter)."""
    return {
        (str(a), str(k).split("|", 3)[3])
        for a, k in zip(frame["adapter"], frame["job_key"], strict=True)
        if adapter is None or a == adapter
    }


def change_key(change: StatusChange) -> tuple[str, str]:
    """(adapter, identity) of the job an emulator change moved."""
    return change.adapter, identity(change.adapter, change.record)


def assert_changes_once(log: list[StatusChange], changes: Any, jobs: Any) -> None:
    """Every change the emulator made is in ``job_status_changes`` exactly once, and no other
    change of a known job is (``changes``: that table as Arrow; ``jobs``: the jobs frame)."""
    adapters = dict(zip(jobs["job_key"], jobs["adapter"], strict=True))
    recorded: Counter[tuple[str, str, str, str | None, str | None]] = Counter()
    for row in changes.to_pylist():
        if row["previous_status"] is None:  # a first sighting
            continue
        ident = str(row["job_key"]).split("|", 3)[3]
        recorded[
            (
                adapters[row["job_key"]],
                ident,
                row["new_status"],
                row["previous_raw_status"],
                row["new_raw_status"],
            )
        ] += 1
    made: Counter[tuple[str, str, str, str | None, str | None]] = Counter(
        (*change_key(c), c.new_status, c.old_raw, c.new_raw) for c in log
    )
    assert recorded == made, (recorded - made, made - recorded)


def assert_rows_kept(before: Any, after: Any, changed: set[tuple[str, str]]) -> None:
    """Between two syncs (``jobs`` tables as frames): one row per job; ``first_seen`` never
    moves; a job whose listing changed (``changed``) has a new ``row_digest`` and a later
    ``last_seen``; a job listed again unchanged keeps its digest and its summary."""
    assert after["job_key"].is_unique
    old = dict(zip(_pairs(before), before.to_dict("records"), strict=True))
    new = dict(zip(_pairs(after), after.to_dict("records"), strict=True))
    assert changed and changed <= old.keys() <= new.keys()
    relisted = 0
    for key, was in old.items():
        now = new[key]
        assert now["first_seen"] == was["first_seen"], key
        assert isinstance(now["row_digest"], str) and now["row_digest"], key
        if key in changed:
            assert now["row_digest"] != was["row_digest"], key
            assert now["last_seen"] > was["last_seen"], key
        elif now["last_seen"] > was["last_seen"]:
            relisted += 1
            assert now["row_digest"] == was["row_digest"], key
            assert json.loads(now["raw"]) == json.loads(was["raw"]), key
    assert relisted, "no unchanged job was listed again: the test proves nothing"


def _pairs(frame: Any) -> list[tuple[str, str]]:
    return [
        (str(adapter), str(key).split("|", 3)[3])
        for key, adapter in zip(frame["job_key"], frame["adapter"], strict=True)
    ]


def check_rewrites_only_what_changed(emu: Emulator, changes: Any, target: Any) -> None:
    """Sync ``target``, change 3 jobs per job set, sync again: the jobs table ends equal to
    the ground truth, only the changed jobs were rewritten (``assert_rows_kept``), and every
    job the second sync listed has its ``last_seen`` moved, no other."""
    from jobkit.incremental import inventory, sync

    sync(target, ADAPTERS, regions="us-east-1")
    before = inventory(target).to_pandas()
    made = {change_key(c) for c in changes.change(3)}
    again = sync(target, ADAPTERS, regions="us-east-1")
    after = inventory(target).to_pandas()
    assert_matches_truth(emu, after)
    assert_rows_kept(before, after, made)
    moved = after[after["last_seen"] > before["last_seen"].max()]
    single = [s for s in again.streams if len(s.reads) == 1]  # each job read once
    assert len(single) >= len(again.streams) - 1, [s.reads for s in again.streams]
    for stream in single:
        assert int((moved["stream"] == stream.stream).sum()) == stream.seen, stream


#: What a version-1 jobkit left (no ``row_digest``), with a stale column in the rows of a
#: stream listed whole on every sync (Transcribe), which the next sync reads again.
TO_VERSION_1 = (
    "ALTER TABLE jobs DROP COLUMN row_digest",
    "UPDATE jobkit_schema SET version = 1",
    "UPDATE jobs SET name = 'stale' WHERE adapter = 'transcribe.transcription'",
)


def check_version_1_migrated(
    emu: Emulator, target: Any, execute: Callable[[str], list[tuple[Any, ...]]]
) -> None:
    """Sync ``target``, take it back to version 1 (``execute`` runs one statement on it and
    returns its rows), sync again: migrated to the current version, every row rewritten the
    first time it is listed again, the jobs table equal to the ground truth."""
    from jobkit.incremental import inventory, sync
    from jobkit.store import SCHEMA_VERSION

    sync(target, ADAPTERS, regions="us-east-1")
    for statement in TO_VERSION_1:
        execute(statement)
    sync(target, ADAPTERS, regions="us-east-1")
    jobs = inventory(target).to_pandas()
    assert_matches_truth(emu, jobs)
    transcribe = jobs[jobs["adapter"] == "transcribe.transcription"]
    assert len(transcribe) and (transcribe["name"] != "stale").all()
    assert transcribe["row_digest"].notna().all()
    assert execute("SELECT version FROM jobkit_schema") == [(SCHEMA_VERSION,)]
