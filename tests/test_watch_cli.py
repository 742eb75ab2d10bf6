"""``jobkit watch``: one line per event, --until, Ctrl-C without a traceback, usage errors."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from emulator_env import use_emulator

from jobkit.cli import main
from jobkit.testing import Emulator, JobChanges

ROOT = Path(__file__).resolve().parent.parent


def test_watch_jsonl_prints_each_event_once_until_the_deadline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--include-existing prints every job as new, then each change once; the command ends
    by itself when --until passes, with a summary on stderr."""
    with Emulator(seed=2, sizes={"ListProcessingJobs": 30}) as emu:
        use_emulator(monkeypatch, emu)
        changes = JobChanges(emu, seed=2)
        changes.settle(6, running=True)
        emu.data.job_set("sagemaker", "ListProcessingJobs", "us-east-1")
        changes.schedule(within=1.0)
        changes.run(speed=1.0)
        args = ["watch", "sagemaker.processing", "--region", "us-east-1", "--interval", "0.05"]
        code = main([*args, "--until", "2.5", "--include-existing", "--format", "jsonl"])
        changes.stop()
    out, err = capsys.readouterr()
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    new = [e for e in events if e["kind"] == "new"]
    assert len(new) == 30 and len({e["job"]["name"] for e in new}) == 30
    pairs = [(e["job"]["name"], e["status"]) for e in events]
    assert len(pairs) == len(set(pairs))
    latest = {e["job"]["name"]: e["status"] for e in events}
    for change in changes.log:
        assert latest[change.record["ProcessingJobName"]] == change.new_status
    assert "jobkit watch: done" in err


def test_watch_interval_below_the_floor_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Against AWS an interval under a second is a usage error (exit 2, no traceback)."""
    assert main(["watch", "sagemaker.processing", "--interval", "0.5"]) == 2
    err = capsys.readouterr().err
    assert "interval" in err and "Traceback" not in err


def test_watch_stops_on_ctrl_c_without_a_traceback() -> None:
    """SIGINT ends `jobkit watch --emulator` with exit 0 and a one-line summary."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jobkit.cli",
            "watch",
            "sagemaker.processing",
            "--emulator",
            "--interval",
            "0.1",
            "--region",
            "us-east-1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 60)  # the first event: polls are on
    assert ready, "no event within 60 s"
    first = proc.stdout.readline()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "jobkit watch: stopped" in err
    assert all("sagemaker.processing" in line for line in [first, *out.splitlines()])
