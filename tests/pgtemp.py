"""A throwaway PostgreSQL server for tests, from the binaries of the ``pgserver`` wheel.

PostgreSQL refuses to run as root, and the test suite runs as root in CI: then the server
runs as an unprivileged system user (``pgserver``, created with ``useradd`` if missing, as
pgserver itself does). It listens on 127.0.0.1 only, on a free port, with password
(SCRAM) authentication so that a wrong password is really refused.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

__all__ = ["PostgresServer"]

_USER = "pgserver"


def _bin_dir() -> Path:
    # Found without importing pgserver (its import creates runtime directories and locks).
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the pgserver package is not installed: pip install 'jobkit[dev]'")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """``start()`` a PostgreSQL 16 server in a temporary directory; ``stop()`` removes it."""

    user = "jobkit"
    password = "jobkit-test-password"  # a local throwaway server on 127.0.0.1

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="jobkit-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._run_as: str | None = None

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(_bin_dir() / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            user=self._run_as,
            timeout=60,
        )

    def start(self) -> PostgresServer:
        """initdb and start; returns self."""
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(_USER)
            except KeyError:
                subprocess.run(["useradd", "-s", "/bin/false", _USER], check=True)
            self._run_as = _USER
            entry = pwd.getpwnam(_USER)
            # The server user must reach its data directory and run the wheel's binaries.
            for parent in [self.root, *self.root.parents]:
                parent.chmod(parent.stat().st_mode | 0o055)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            for path in (_bin_dir().parent, *_bin_dir().parent.parents):
                if path == Path(path.anchor):
                    break
                path.chmod(path.stat().st_mode | 0o055)
        secret = self.root / "pwfile"
        secret.write_text(self.password + "\n")
        if self._run_as:
            os.chown(secret, pwd.getpwnam(_USER).pw_uid, -1)
        secret.chmod(0o600)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--auth=scram-sha-256",
            f"--pwfile={secret}",
            "--encoding=UTF8",
        )
        secret.unlink()
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.root / "log"),
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.root} -c max_connections=50",
            "start",
        )
        return self

    def url(self, database: str = "postgres", password: str | None = None) -> str:
        """A ``postgresql://`` URL of ``database`` (with another password if given)."""
        secret = self.password if password is None else password
        return f"postgresql://{self.user}:{secret}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server now and remove its files."""
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
