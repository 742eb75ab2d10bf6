"""Every job has a readable name, also where the API gives jobs none."""

from __future__ import annotations

import jobkit
from jobkit.adapters import REGISTRY
from jobkit.testing import Emulator
from tests.drivers import Driver


async def test_every_job_has_a_name(small_env: Emulator, driver: Driver) -> None:
    """Across every adapter, no job comes without a name; Backup, MediaConvert and S3 Batch
    Operations jobs (no name in their APIs) are named by their resource, template or
    description where present, else by their id; the raw summary is unchanged."""
    got, _ = await driver.collect()
    assert got
    assert [j for j in got if not j.name] == []
    for job in got:
        spec = REGISTRY[job.adapter]
        if spec.name_field is not None:
            continue
        present = [job.raw[m] for m in spec.name_fallback if job.raw.get(m)]
        if present:
            tail = str(present[0]).rsplit("/", 1)[-1].rsplit(":", 1)[-1]
            assert job.name == tail, (job.adapter, job.name, present)
        else:
            assert job.name == job.id, (job.adapter, job.name)
    nameless = {"backup.backup", "mediaconvert.jobs", "s3control.batch-operations"}
    assert nameless <= {j.adapter for j in got}
    by_resource = [j for j in got if j.adapter == "backup.backup" and j.raw.get("ResourceName")]
    assert by_resource and all(j.name == j.raw["ResourceName"] for j in by_resource)
    assert isinstance(jobkit.adapters(), list)
