"""A loopback AWS emulator for testing code that lists jobs (jobkit's own ground truth).

``Emulator`` is a real HTTP server on 127.0.0.1 that answers the botocore wire protocols of the
operations jobkit uses, with deterministic seeded data (``Emulator.data``) and injectable
``Faults``::

    from jobkit.testing import Emulator, Faults

    with Emulator(seed=0) as emu:
        client = boto3.client("sagemaker", endpoint_url=emu.endpoint_url, ...)
"""

from jobkit.testing._changes import JobChanges, StatusChange
from jobkit.testing._data import ACCOUNT_ID, REFERENCE_NOW, EmulatorData
from jobkit.testing._faults import Faults
from jobkit.testing._server import Emulator, RequestRecord

__all__ = [
    "ACCOUNT_ID",
    "REFERENCE_NOW",
    "Emulator",
    "EmulatorData",
    "Faults",
    "JobChanges",
    "RequestRecord",
    "StatusChange",
]
