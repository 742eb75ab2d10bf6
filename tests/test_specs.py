"""Every adapter spec, checked against the installed botocore model."""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path
from typing import Any

import attrs
import botocore.session
import pytest
from botocore.exceptions import DataNotFoundError
from botocore.loaders import create_loader

from jobkit.adapters import REGISTRY, sagemaker
from jobkit.adapters._model import adapter, model_problems
from jobkit.core.spec import AdapterSpec, Discovery, TimeFormat
from jobkit.errors import ModelMismatchError
from jobkit.model import JobStatus

SESSION = botocore.session.get_session()
SPECS = sorted(REGISTRY.values(), key=lambda s: s.name)


class _Record:
    """The members of one record: the summary's and, with a hydrate call, its record's."""

    def __init__(self, members: dict[str, Any]) -> None:
        self.members = members


def _summary_shape(spec: AdapterSpec):  # type: ignore[no-untyped-def]
    model = SESSION.get_service_model(spec.service)
    summary = model.operation_model(spec.operation).output_shape.members[spec.result_key].member
    if spec.hydrate is None:
        return summary
    out = model.operation_model(spec.hydrate.operation).output_shape
    record = out if spec.hydrate.result_key is None else out.members[spec.hydrate.result_key].member
    return _Record({**getattr(summary, "members", {}), **record.members})


def _member(spec: AdapterSpec, path: str):  # type: ignore[no-untyped-def]
    """The summary member at ``path`` (dotted for a nested status)."""
    shape = _summary_shape(spec)
    for part in path.split("."):
        shape = shape.members[part]
    return shape


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_operation_and_paging_keys_exist(spec: AdapterSpec) -> None:
    """Operation, result key, token and limit names are real members of the model."""
    op = SESSION.get_service_model(spec.service).operation_model(spec.operation)
    inputs, outputs = op.input_shape.members, op.output_shape.members
    assert spec.result_key in outputs and outputs[spec.result_key].type_name == "list"
    assert spec.input_token in inputs
    assert spec.output_token in outputs
    if spec.limit_key:
        limit = inputs[spec.limit_key]
        assert limit.type_name == "integer"
        assert spec.page_size >= limit.metadata.get("min", 1)
        if "max" in limit.metadata:
            assert spec.page_size <= limit.metadata["max"]
    for name, value in spec.base_params.items():
        member = inputs[name]
        if getattr(member, "enum", None):
            assert value in member.enum
    for param in spec.scope:
        assert param.name in inputs
    required = set(op.input_shape.required_members)
    given = {
        *spec.scope_names,
        *([spec.partition.param] if spec.partition else []),
        *spec.base_params,
        *([spec.limit_key] if spec.limit_key else []),  # Cognito requires MaxResults
    }
    assert required <= given, "every required input must be a scope or partition parameter"


def _botocore_paginator(service: str, operation: str) -> dict[str, Any] | None:
    try:
        config: dict[str, Any] = SESSION.get_paginator_model(service).get_paginator(operation)
    except (ValueError, DataNotFoundError):
        return None
    return config


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_paginator_matches_botocore(spec: AdapterSpec) -> None:
    """Where botocore has a paginator, the derived keys are botocore's; where not, it says so."""
    config = _botocore_paginator(spec.service, spec.operation)
    if config is None:
        assert not spec.has_botocore_paginator
        return
    assert spec.has_botocore_paginator
    assert config["input_token"] == spec.input_token
    assert config["output_token"] == spec.output_token
    assert config["result_key"] == spec.result_key
    assert config.get("limit_key") == spec.limit_key


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_spec_is_in_step_with_the_model(spec: AdapterSpec) -> None:
    """Drift guard: every member, paginator and status word the spec relies on exists."""
    assert model_problems(spec) == []


def _doctored_sagemaker(tmp_path: Path) -> Path:
    """An AWS_DATA_PATH whose SageMaker model lost a summary member, a status word and a
    filter member, and whose paginators lost ListTrainingJobs."""
    loader = create_loader()
    model = loader.load_service_model("sagemaker", "service-2")
    version = model["metadata"]["apiVersion"]
    shapes = model["shapes"]
    del shapes["TrainingJobSummary"]["members"]["TrainingEndTime"]
    shapes["TrainingJobStatus"]["enum"].remove("Deleting")
    shapes["TrainingJobStatus"]["enum"].append("Hibernating")
    del shapes["ListTrainingJobsRequest"]["members"]["NameContains"]
    paginators = loader.load_service_model("sagemaker", "paginators-1")
    del paginators["pagination"]["ListTrainingJobs"]
    folder = tmp_path / "sagemaker" / version
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(model))
    (folder / "paginators-1.json").write_text(json.dumps(paginators))
    return tmp_path


def test_drift_names_the_operation_and_the_member(tmp_path: Path) -> None:
    """A model that lost what a spec relies on yields one problem per member, each naming
    the operation and the member (or the status value)."""
    loader = create_loader(str(_doctored_sagemaker(tmp_path)))
    problems = model_problems(sagemaker.TRAINING, loader=loader)
    where = "sagemaker ListTrainingJobs"
    assert f"{where}: botocore's paginator is gone" in problems
    assert f"{where}: summary member 'TrainingEndTime' is gone" in problems
    assert f"{where}: status value 'Hibernating' of TrainingJobStatus is unmapped" in problems
    assert f"{where}: status value 'Deleting' is no longer in the model" in problems
    assert f"{where}: filter member 'NameContains' is gone" in problems
    assert len(problems) == 5, problems


def test_missing_paginator_raises_a_typed_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paging derived from a paginator botocore no longer has fails on first use with a
    ModelMismatchError naming the adapter and operation, not a KeyError."""
    monkeypatch.setenv("AWS_DATA_PATH", str(_doctored_sagemaker(tmp_path)))
    spec = adapter(
        "sagemaker.drifted",
        "sagemaker",
        "ListTrainingJobs",
        "a copy of sagemaker.training",
        name_field="TrainingJobName",
        id_field=None,
        status_field="TrainingJobStatus",
        created_field="CreationTime",
    )
    with pytest.raises(ModelMismatchError) as info:
        spec.page_size  # noqa: B018 - the first use resolves the paging
    assert info.value.operation == "ListTrainingJobs"
    assert info.value.adapter == "sagemaker.drifted"
    assert "no paginator" in str(info.value) and "hint:" in str(info.value)


def test_registry_is_every_module_spec() -> None:
    """The registry holds exactly the SPECS of the adapter modules, and every AdapterSpec a
    module defines is in its SPECS (none forgotten)."""
    found: list[AdapterSpec] = []
    package = importlib.import_module("jobkit.adapters")  # jobkit.adapters is the function
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"jobkit.adapters.{info.name}")
        defined = [v for v in vars(module).values() if isinstance(v, AdapterSpec)]
        assert {id(s) for s in defined} == {id(s) for s in module.SPECS}, info.name
        found += module.SPECS
    assert sorted(s.name for s in found) == list(REGISTRY)
    assert all(REGISTRY[s.name] is s for s in found)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_mapped_fields_exist_with_the_right_types(spec: AdapterSpec) -> None:
    """Each normalized field reads a real summary member of the type the spec expects."""
    members = _summary_shape(spec).members
    for field in spec.mapped_fields:
        assert field in members, f"{field} is not a member of the summary"
    if spec.account_field:
        assert spec.account_field in members
    time_type = {TimeFormat.EPOCH_MS: "long", TimeFormat.ISO8601: "string"}.get(
        spec.time_format, "timestamp"
    )
    for field in (spec.created_field, spec.ended_field, spec.updated_field):
        if field:  # a dotted path names a nested member (Status.Timeline.CreationDateTime)
            assert _member(spec, field).type_name == time_type, field
    for field in (spec.name_field, spec.id_field, spec.status_field):
        if field:
            assert _member(spec, field).type_name == "string", field


@pytest.mark.parametrize("spec", [s for s in SPECS if s.status_field], ids=lambda s: s.name)
def test_status_map_covers_the_model_enum(spec: AdapterSpec) -> None:
    """Every enum value the model lists maps to a JobStatus, and nothing else is mapped."""
    assert spec.status_field is not None
    enum = set(_member(spec, spec.status_field).enum)
    if not enum:  # the words come from the API reference (Forecast, Personalize)
        assert spec.status_map, "the model lists no enum and the adapter maps no word"
        return
    assert set(spec.status_map) == enum, f"unmapped: {enum - set(spec.status_map)}"
    assert all(isinstance(v, JobStatus) for v in spec.status_map.values())


def test_partial_success_is_not_flattened() -> None:
    """PARTIAL_SUCCESS keeps its own status wherever a model lists it."""
    for spec in SPECS:
        if "PARTIAL_SUCCESS" in spec.status_map:
            assert spec.status_map["PARTIAL_SUCCESS"] is JobStatus.PARTIAL_SUCCESS


@pytest.mark.parametrize("spec", [s for s in SPECS if s.partition], ids=lambda s: s.name)
def test_partition_values_are_the_model_enum(spec: AdapterSpec) -> None:
    """A status partition covers exactly the values the request member accepts."""
    assert spec.partition is not None
    op = SESSION.get_service_model(spec.service).operation_model(spec.operation)
    assert set(spec.partition.values) == set(op.input_shape.members[spec.partition.param].enum)


DISCOVERIES = [
    (spec, param.discovery) for spec in SPECS for param in spec.scope if param.discovery is not None
]


@pytest.mark.parametrize(
    ("spec", "discovery"), DISCOVERIES, ids=lambda x: getattr(x, "operation", "")
)
def test_discovery_paging_matches_botocore(spec: AdapterSpec, discovery: Discovery) -> None:
    """A discovery's derived paging keys are botocore's paginator keys (or, where botocore
    has none, it says so and the keys are the model's usual members)."""
    config = _botocore_paginator(discovery.service, discovery.operation)
    if config is None:
        assert not discovery.paging.botocore_paginator
        op = SESSION.get_service_model(discovery.service).operation_model(discovery.operation)
        assert discovery.input_token in op.input_shape.members
        assert discovery.output_token in op.output_shape.members
        assert discovery.result_key in op.output_shape.members
        return
    assert discovery.paging.botocore_paginator
    assert config["input_token"] == discovery.input_token
    assert config["output_token"] == discovery.output_token
    assert config["result_key"] == discovery.result_key
    assert config.get("limit_key") == discovery.limit_key


@pytest.mark.parametrize(
    ("spec", "discovery"), DISCOVERIES, ids=lambda x: getattr(x, "operation", "")
)
def test_discovery_operations_exist(spec: AdapterSpec, discovery: Discovery) -> None:
    """Discovery operations, their paging keys and the parameters they need are real."""
    op = SESSION.get_service_model(discovery.service).operation_model(discovery.operation)
    inputs, outputs = op.input_shape.members, op.output_shape.members
    assert discovery.result_key in outputs
    assert discovery.input_token in inputs and discovery.output_token in outputs
    if discovery.limit_key:
        limit = inputs[discovery.limit_key]
        assert discovery.page_size <= limit.metadata.get("max", 100)
    for request_name, scope_name in discovery.needs.items():
        assert request_name in inputs and scope_name in spec.scope_names
    for name in discovery.base_params:
        assert name in inputs
    given = {*discovery.needs, *discovery.base_params, discovery.limit_key}
    if discovery.within is not None:  # two-level: the member its own parents' values fill
        assert discovery.within[1] in inputs
        given.add(discovery.within[1])
    assert set(op.input_shape.required_members) <= given


def test_drift_in_a_hydrate_call_names_the_member() -> None:
    """A hydrate call whose members the model does not have (or whose batch is above the
    model's maximum) is named by model_problems, member by member."""
    from jobkit.adapters import codebuild
    from jobkit.core.spec import Hydrate

    drifted = attrs.evolve(
        codebuild.BUILDS,
        hydrate=Hydrate(
            operation="BatchGetBuilds",
            ids_member="ids",
            id_member="buildId",
            batch=200,
            result_key="builds",
            missing_key="notFound",
        ),
    )
    where = "codebuild BatchGetBuilds"
    assert model_problems(drifted) == [
        f"{where}: 'ids' no longer takes 200 ids",
        f"{where}: response member 'notFound' is gone",
        f"{where}: record member 'buildId' is gone",
    ]
    gone = attrs.evolve(codebuild.BUILDS, hydrate=attrs.evolve(drifted.hydrate, operation="Nope"))
    problems = model_problems(gone)
    assert problems[0] == "codebuild Nope: the hydrate operation is gone (OperationNotFoundError)"
    # The members read from its records are gone with it.
    assert "codebuild ListBuilds: summary member 'buildStatus' is gone" in problems
    assert model_problems(codebuild.BUILDS) == []
