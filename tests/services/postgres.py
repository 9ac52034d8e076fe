"""A throwaway PostgreSQL server: initdb into a temp dir, listen on 127.0.0.1:<free port>."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.services.proc import find_binary, free_port, is_root, stop_process, wait_until

DB_NAME = "govcloud_test"
DB_USER = "govcloud"
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path)) or (0,)


def find_pg_bindir() -> Path | None:
    """Newest ``/usr/lib/postgresql/*/bin`` with initdb+postgres, else the one on PATH."""
    for d in sorted(glob.glob(PG_BIN_GLOB), key=_version_key, reverse=True):
        if all(os.access(Path(d, b), os.X_OK) for b in ("initdb", "postgres", "pg_isready")):
            return Path(d)
    initdb = find_binary("initdb")
    if initdb and (initdb.parent / "postgres").exists():
        return initdb.parent
    return None


def service_account() -> pwd.struct_passwd | None:
    """Account to run PostgreSQL as: it refuses to run as root."""
    if not is_root():
        return pwd.getpwuid(os.getuid())
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    return None


@dataclass(frozen=True)
class PostgresServer:
    port: int
    datadir: Path
    user: str = DB_USER
    database: str = DB_NAME
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{self.database}"


@contextlib.contextmanager
def running_postgres(bindir: Path, account: pwd.struct_passwd) -> Iterator[PostgresServer]:
    """Start a private server, create ``govcloud_test``, stop it (by PID) and delete it after."""
    top = Path(tempfile.mkdtemp(prefix="govcloud-pg-"))
    try:
        datadir, log = top / "data", top / "postgres.log"
        as_account: dict[str, Any] = {}
        if is_root():
            os.chown(top, account.pw_uid, account.pw_gid)
            as_account = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        env = {**os.environ, "HOME": str(top), "LC_ALL": "C", "LANG": "C"}
        with open(log, "wb") as out:
            init = subprocess.run(
                [str(bindir / "initdb"), "-D", str(datadir), "-U", DB_USER, "-A", "trust",
                 "-E", "UTF8", "--locale=C", "--no-sync"],
                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=top, timeout=120,
                check=False, **as_account,
            )  # fmt: skip
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed ({init.returncode}):\n{log.read_text()}")
        port = free_port()
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                [str(bindir / "postgres"), "-D", str(datadir), "-p", str(port),
                 "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={top}",
                 "-c", "fsync=off", "-c", "synchronous_commit=off",
                 "-c", "full_page_writes=off", "-c", "shared_buffers=32MB"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                cwd=top, start_new_session=True, **as_account,
            )  # fmt: skip
        try:
            isready = [str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]
            wait_until(
                f"postgres on port {port}",
                lambda: subprocess.run(isready, check=False, timeout=10).returncode == 0,
                timeout=60, proc=proc, log=log,
            )  # fmt: skip
            created = subprocess.run(
                [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", DB_USER,
                 DB_NAME],
                capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
            if created.returncode != 0:
                raise RuntimeError(f"createdb failed: {created.stderr.strip()}")
            yield PostgresServer(port=port, datadir=datadir)
        finally:
            # SIGINT = "fast shutdown": disconnects clients, then exits
            stop_process(proc, sig=signal.SIGINT, timeout=30)
    finally:
        shutil.rmtree(top, ignore_errors=True)
