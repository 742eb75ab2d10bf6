"""``python -m jobkit.testing`` / ``jobkit emulator``: run the emulator in the foreground."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
from collections.abc import Sequence

from jobkit.testing._faults import Faults
from jobkit.testing._server import Emulator

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m jobkit.testing",
        description="Serve jobkit's AWS emulator on the loopback interface until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1"])
    parser.add_argument("--port", type=int, default=4566, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--region", default="us-east-1", help="region for the printed env")
    parser.add_argument(
        "--now",
        type=dt.datetime.fromisoformat,
        default=None,
        help="ISO 8601 instant the data ends at (default: $JOBKIT_EMULATOR_NOW, else the clock)",
    )
    parser.add_argument("--malformed", type=int, default=0)
    parser.add_argument("--throttle", type=float, default=0.0, help="throttling probability")
    parser.add_argument("--server-error", type=float, default=0.0, help="5xx probability")
    parser.add_argument("--reset", type=float, default=0.0, help="connection reset probability")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per response")
    parser.add_argument("--rate-limit", type=float, default=None, help="requests/s per endpoint")
    parser.add_argument("--burst", type=float, default=1.0)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until interrupted; prints the endpoint and the env lines to export."""
    args = _parser().parse_args(argv)
    faults = Faults(
        seed=args.seed,
        throttle=args.throttle,
        server_error=args.server_error,
        reset=args.reset,
        latency=args.latency,
        rate_limit=args.rate_limit,
        burst=args.burst,
    )
    with Emulator(
        seed=args.seed,
        malformed=args.malformed,
        faults=faults,
        port=args.port,
        host=args.host,
        now=args.now,
    ) as emu:
        print(f"jobkit emulator listening on {emu.endpoint_url}", flush=True)
        for key, value in emu.env(args.region).items():
            print(f"export {key}={value}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping", file=sys.stderr)
    return 0
