"""Real Redis and PostgreSQL servers for tests: started from the Debian packages on loopback,
on free private ports, in temporary folders, and stopped after. PostgreSQL refuses to run as
root, so as root it runs as the `postgres` system user the package creates."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s} s")


def redis_binary() -> str | None:
    return shutil.which("redis-server")


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    return Path(found[-1]).parent if found else None


def _version_key(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway Redis; yields its URL."""
    binary = redis_binary()
    assert binary, "redis-server is missing: run scripts/setup.sh"
    port = free_port()
    folder = tempfile.mkdtemp(prefix="b2cect-redis-")
    proc = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            folder,
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_server(dbname: str = "b2cect") -> Iterator[str]:
    """A throwaway PostgreSQL cluster with one database; yields its URL."""
    bindir = postgres_bin()
    assert bindir, "PostgreSQL is missing: run scripts/setup.sh"
    as_root = os.geteuid() == 0
    user = "postgres" if as_root else os.environ.get("USER", "postgres")
    folder = Path(tempfile.mkdtemp(prefix="b2cect-pg-"))
    data = folder / "data"
    if as_root:
        shutil.chown(folder, user="postgres")
    os.chmod(folder, 0o755)

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(bindir / args[0]), *args[1:]]
        if as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    port = free_port()
    run("initdb", "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync")
    run(
        "pg_ctl",
        "-D",
        str(data),
        "-l",
        str(folder / "log"),
        "-w",
        "-t",
        "60",
        "-o",
        f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off",
        "start",
    )
    try:
        run("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", user, dbname)
        yield f"postgresql://{user}@127.0.0.1:{port}/{dbname}"
    finally:
        run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(folder, ignore_errors=True)
