"""The classification of every List*Jobs operation, and the generated model facts, are
current with the installed botocore (drift guards)."""

from __future__ import annotations

import json

import pytest

from jobkit.adapters import REGISTRY
from jobkit.adapters import _generate as generate
from jobkit.adapters._model import facts_key, model_facts

OPERATIONS = generate.list_jobs_operations()
CLASSIFIED = generate.read_classification()
REGENERATE = "run `python -m jobkit.adapters._generate`"


@pytest.mark.parametrize("key", OPERATIONS, ids=lambda k: f"{k[0]}:{k[1]}")
def test_every_list_jobs_operation_is_classified(key: tuple[str, str]) -> None:
    """Each List*Jobs operation of the installed botocore is an adapter or an exclusion
    with a reason; a new one fails here by name."""
    kind, detail = CLASSIFIED.get(key, ("missing", ""))
    assert kind in ("adapter", "excluded"), f"{key[0]} {key[1]} is {kind}: decide, {REGENERATE}"
    assert detail, f"{key[0]} {key[1]}: {kind} without a name or reason"
    if kind == "adapter":
        spec = REGISTRY[detail]
        assert (spec.service, spec.operation) == key


def test_adapter_lines_are_the_registry() -> None:
    """Every adapter appears once in the file, under its own operation (adapter or extra)."""
    named = {d for kind, d in CLASSIFIED.values() if kind in ("adapter", "extra")}
    assert named == set(REGISTRY), sorted(named ^ set(REGISTRY))


def test_classification_file_is_current() -> None:
    """The committed file is what the generator writes for the installed botocore."""
    text = generate.classification_text(OPERATIONS, generate._adapters(), CLASSIFIED)
    assert generate.CLASSIFICATION.read_text() == text, f"stale: {REGENERATE}"


def test_model_facts_are_current() -> None:
    """The generated summary facts of every adapter equal the installed model, member by
    member and enum value by value."""
    committed = json.loads(generate.FACTS.read_text())
    for spec in REGISTRY.values():
        hydrate = (spec.hydrate.operation, spec.hydrate.result_key) if spec.hydrate else None
        key = facts_key(spec.service, spec.operation, hydrate)
        assert key in committed, f"{key} has no model facts: {REGENERATE}"
        live = model_facts(spec.service, spec.operation, hydrate=hydrate)
        old = committed[key]
        for member in sorted(set(old["members"]) | set(live["members"])):
            assert old["members"].get(member) == live["members"].get(member), (
                f"{key}: summary member {member!r} changed: {REGENERATE}"
            )
        for member in sorted(set(old["enums"]) | set(live["enums"])):
            added = set(live["enums"].get(member, ())) - set(old["enums"].get(member, ()))
            gone = set(old["enums"].get(member, ())) - set(live["enums"].get(member, ()))
            assert not added and not gone, f"{key}: {member} added {added}, gone {gone}"
        assert old == live, f"{key}: facts changed: {REGENERATE}"


def test_generator_check_mode_passes() -> None:
    """`python -m jobkit.adapters._generate --check` finds nothing stale or unclassified."""
    assert generate.main(["--check"]) == 0
