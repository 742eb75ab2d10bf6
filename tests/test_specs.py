"""Every adapter spec, checked against the installed botocore model."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.exceptions import DataNotFoundError

from jobkit.adapters import REGISTRY
from jobkit.core.spec import AdapterSpec, Discovery, TimeFormat
from jobkit.model import JobStatus

SESSION = botocore.session.get_session()
SPECS = sorted(REGISTRY.values(), key=lambda s: s.name)


def _summary_shape(spec: AdapterSpec):  # type: ignore[no-untyped-def]
    op = SESSION.get_service_model(spec.service).operation_model(spec.operation)
    return op.output_shape.members[spec.result_key].member


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
        if member.enum:
            assert value in member.enum
    for param in spec.scope:
        assert param.name in inputs
    required = set(op.input_shape.required_members)
    assert required <= set(spec.scope_names), "every required input must be a scope parameter"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_paginator_matches_botocore(spec: AdapterSpec) -> None:
    """Where botocore has a paginator, jobkit's keys are the same; where not, it says so."""
    try:
        config = SESSION.get_paginator_model(spec.service).get_paginator(spec.operation)
    except (ValueError, DataNotFoundError):
        assert not spec.has_botocore_paginator
        return
    assert spec.has_botocore_paginator
    assert config["input_token"] == spec.input_token
    assert config["output_token"] == spec.output_token
    assert config["result_key"] == spec.result_key
    assert config.get("limit_key") == spec.limit_key


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_mapped_fields_exist_with_the_right_types(spec: AdapterSpec) -> None:
    """Each normalized field reads a real summary member of the type the spec expects."""
    members = _summary_shape(spec).members
    for field in spec.mapped_fields:
        assert field in members, f"{field} is not a member of the summary"
    if spec.account_field:
        assert spec.account_field in members
    time_type = "long" if spec.time_format is TimeFormat.EPOCH_MS else "timestamp"
    for field in (spec.created_field, spec.ended_field, spec.updated_field):
        if field:
            assert members[field].type_name == time_type, field
    for field in (spec.name_field, spec.id_field, spec.status_field):
        if field:
            assert members[field].type_name == "string", field


@pytest.mark.parametrize("spec", [s for s in SPECS if s.status_field], ids=lambda s: s.name)
def test_status_map_covers_the_model_enum(spec: AdapterSpec) -> None:
    """Every enum value the model lists maps to a JobStatus, and nothing else is mapped."""
    assert spec.status_field is not None
    enum = set(_summary_shape(spec).members[spec.status_field].enum)
    assert enum, "the model lists no enum for the status field"
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
    assert set(op.input_shape.required_members) <= set(discovery.needs)
