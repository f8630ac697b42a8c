"""Fleet-wide politeness: one rate limit and one cap on concurrent pages per host, shared by
every scan of the fleet on this machine (each scan runs in a process of its own).

Both keep their state in small lock files under one folder (`fcntl.flock`), so concurrent
scan processes see one limit. Point several machines at one shared folder for a limit that
spans them.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit


def _host_key(host_or_url: str) -> str:
    host = urlsplit(host_or_url).netloc if "://" in host_or_url else host_or_url
    return hashlib.sha256(host.lower().encode()).hexdigest()[:20]


class HostRateLimiter:
    """At most `per_second` navigations per host, fleet-wide (across processes)."""

    def __init__(self, folder: Path, per_second: float):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.interval = 1.0 / per_second if per_second > 0 else 0.0

    def reserve(self, url: str) -> float:
        """Take the next free slot of the URL's host; returns the seconds to wait for it."""
        if self.interval <= 0:
            return 0.0
        path = self.folder / f"rate-{_host_key(url)}"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, 64, 0).decode() or "0"
            now = time.time()
            slot = max(now, float(raw))
            os.pwrite(fd, f"{slot + self.interval:<32.6f}".encode(), 0)
            return slot - now
        finally:
            os.close(fd)  # closing releases the lock

    async def wait(self, url: str) -> None:
        delay = self.reserve(url)
        if delay > 0:
            await asyncio.sleep(delay)

    def throttle(self) -> Callable[[str], Awaitable[None]]:
        """The hook for ScanOptions.throttle."""
        return self.wait


class HostPageSlots:
    """At most `per_host` concurrent scans (each drives one page) on one host, fleet-wide."""

    def __init__(self, folder: Path, per_host: int):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.per_host = max(1, per_host)

    @contextlib.contextmanager
    def hold(self, url: str, poll_s: float = 0.25, timeout_s: float | None = None) -> Iterator[int]:
        """Block until one of the host's slots is free and hold it; yields the slot number."""
        key = _host_key(url)
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            for slot in range(self.per_host):
                fd = os.open(self.folder / f"slot-{key}-{slot}", os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                try:
                    yield slot
                finally:
                    os.close(fd)
                return
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"no free page slot for {urlsplit(url).netloc}")
            time.sleep(poll_s)
