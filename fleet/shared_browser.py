"""One Chromium shared by all concurrent scans of a fleet run (`--browser-mode shared`).

The browser runs behind a Playwright browser server (`playwright launch-server`, the driver
that ships with the Python package) on loopback; each scan process connects to it and works
in a browser context of its own. The server isolates its clients: a scan sees only its own
contexts, and they are closed when its connection drops, so the watchdog still stops a hung
scan by killing the scan's process (its connection goes with it).

A monitor thread restarts the browser when it dies or when its processes together use more
than the run's memory limit. Every restart is an event with a generation number; a scan that
was running across a restart is recorded as `error` with the reason (tasks.py), since its
pages died under it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from b2cect.crawler.browser import LAUNCH_ARGS, find_browser

START_TIMEOUT_S = 30
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Restart:
    generation: int  # the generation that ended
    at: float  # time.monotonic()
    reason: str


def descendants(root: int) -> list[int]:
    """A process and all its descendants (from /proc), whatever their process group: the
    driver may start Chromium in a session of its own."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        total += int(stat[stat.rindex(")") + 2 :].split()[21]) * PAGE_SIZE
    return total / 2**20


class SharedBrowser:
    """A Chromium behind a Playwright browser server, restarted when it dies or grows past
    memory_mib (0: no limit). Use as a context manager; `endpoint` is the ws:// URL scans
    connect to, `generation` counts restarts."""

    def __init__(self, executable: str | None = None, memory_mib: float = 0, poll_s: float = 0.5):
        self.executable = find_browser(executable).executable
        self.memory_mib = memory_mib
        self.poll_s = poll_s
        self.folder = Path(tempfile.mkdtemp(prefix="b2cect-shared-"))
        # Downloads of every scan land here (the server's downloads folder); each scan copies
        # its own file out of it (crawler/downloads.py).
        self.downloads = self.folder / "downloads"
        self.downloads.mkdir()
        self.generation = 0
        self.restarts: list[Restart] = []
        self.endpoint = ""
        self.proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None

    # -- life cycle ----------------------------------------------------------------------
    def __enter__(self) -> SharedBrowser:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        with self._lock:
            self._launch()
        self._monitor = threading.Thread(target=self._watch, name="shared-browser", daemon=True)
        self._monitor.start()

    def stop(self) -> None:
        self._stop.set()
        if self._monitor:
            self._monitor.join(timeout=5)
        with self._lock:
            self._kill()
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)

    def _launch(self) -> None:
        config = self.folder / f"server-{self.generation}.json"
        config.write_text(
            json.dumps(
                {
                    "executablePath": self.executable,
                    "headless": True,
                    "args": LAUNCH_ARGS,
                    "host": "127.0.0.1",
                    "port": 0,
                    "downloadsPath": str(self.downloads),
                }
            ),
            encoding="utf-8",
        )
        log = (self.folder / "server.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "playwright", "launch-server", "--browser", "chromium"]
            + ["--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        assert self.proc.stdout is not None
        line = b""
        while time.monotonic() < deadline and self.proc.poll() is None:
            line = self.proc.stdout.readline()
            if line.startswith(b"ws://"):
                break
        if not line.startswith(b"ws://"):
            self._kill()
            raise RuntimeError("the shared browser did not start (see its server.log)")
        self.endpoint = line.decode().strip()

    def _kill(self) -> None:
        if self.proc is None:
            return
        for pid in reversed(descendants(self.proc.pid)):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None

    def restart(self, reason: str) -> None:
        """Kill the browser (and every context in it) and start a new one."""
        with self._lock:
            self._kill()
            self.restarts.append(Restart(self.generation, time.monotonic(), reason))
            self.generation += 1
            self._launch()

    # -- watching ------------------------------------------------------------------------
    def pids(self) -> list[int]:
        proc = self.proc
        return descendants(proc.pid) if proc else []

    def _watch(self) -> None:
        while not self._stop.wait(self.poll_s):
            proc = self.proc
            if proc is None:
                continue
            if proc.poll() is not None:
                self.restart(
                    f"the shared browser crashed (its server ended with code {proc.returncode})"
                )
                continue
            pids = self.pids()
            if len(pids) < 2:  # the server lives on, its Chromium is gone
                self.restart("the shared browser crashed")
                continue
            if self.memory_mib:
                used = rss_mib(pids)
                if used > self.memory_mib:
                    self.restart(
                        f"the shared browser used {used:.0f} MiB, over its limit of "
                        f"{self.memory_mib:g} MiB"
                    )

    def restart_since(self, generation: int) -> str:
        """Why the browser was restarted since the given generation ("" when it was not)."""
        with self._lock:
            reasons = [r.reason for r in self.restarts if r.generation >= generation]
        return "; ".join(dict.fromkeys(reasons))
