"""A loopback AWS emulator for testing code that lists jobs (jobkit's own ground truth).

``Emulator`` is a real HTTP server on 127.0.0.1 that answers the botocore wire protocols of the
operations jobkit uses, with deterministic data relative to its ``now`` (``Emulator.data``),
injectable ``Faults``, denials, deleted scopes and expiring credentials::

    from jobkit.testing import Emulator

    with Emulator(seed=0) as emu, emu.environment(region="us-east-1"):
        client = boto3.client("sagemaker")  # AWS_ENDPOINT_URL points at the emulator

The pytest fixtures ``jobkit_emulator`` and ``jobkit_env`` live in
``jobkit.testing.pytest_plugin`` (enable it with ``-p jobkit.testing.pytest_plugin``).
"""

from jobkit.testing._auth import DenyReason, IssuedCredentials
from jobkit.testing._changes import JobChanges, StatusChange
from jobkit.testing._data import ACCOUNT_ID, NOW_ENV, REFERENCE_NOW, EmulatorData
from jobkit.testing._environment import EmulatorEnvironment
from jobkit.testing._faults import Faults
from jobkit.testing._server import Emulator, RequestRecord

__all__ = [
    "ACCOUNT_ID",
    "NOW_ENV",
    "REFERENCE_NOW",
    "DenyReason",
    "Emulator",
    "EmulatorData",
    "EmulatorEnvironment",
    "Faults",
    "IssuedCredentials",
    "JobChanges",
    "RequestRecord",
    "StatusChange",
]
