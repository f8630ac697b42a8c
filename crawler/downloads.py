"""Files the store lets a customer download (the order-history export), bounded while they
arrive.

Every download goes through the browser (so the order guard sees its request) into a folder of
the scan's own (`downloads_path` at launch). While it arrives the folder's size is watched: past
the byte cap or the time cap the download is cancelled, which aborts its request, and the
partial file is deleted. No body is ever held in memory; a finished file is copied to the
bundle from disk.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_DOWNLOAD_BYTES = 10 * 1024 * 1024
DOWNLOAD_TIMEOUT_S = 15.0  # from the first byte to the last
DOWNLOAD_START_S = 8.0  # a control that starts no download within this is no download control
WATCH_EVERY_S = 0.01  # how often the folder is measured: the overshoot past the cap stays small


@dataclass
class Fetched:
    """What a download attempt gave: a finished file, an error, or a page instead of a file."""

    path: Path | None = None  # the finished file in the downloads folder (moved by `keep`)
    name: str = ""
    error: str = ""
    page: bool = False  # the link opened a page (an export form), not a file
    bytes_seen: int = 0


def folder_size(folder: Path) -> int:
    total = 0
    for path in folder.iterdir():
        try:
            total += path.stat().st_size
        except OSError:  # deleted while we looked
            continue
    return total


async def bounded_download(
    page: Any,
    folder: Path,
    start: Callable[[], Awaitable[Any]],
    *,
    opens_page: bool = False,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
    timeout_s: float | None = None,
    copy_to: Path | None = None,
) -> Fetched:
    """Run `start` (a click, or opening a link) and take the download it begins, bounded.

    opens_page: `start` navigates (a link opened by URL); when it shows a page rather than
    starting a download, the result is Fetched(page=True) (an export form, say).
    copy_to: for a browser we are connected to rather than one we launched (whose files we
    cannot take in place): the folder the finished file is copied into.
    """
    timeout_s = DOWNLOAD_TIMEOUT_S if timeout_s is None else timeout_s
    waiter = asyncio.ensure_future(page.wait_for_event("download", timeout=DOWNLOAD_START_S * 1000))
    try:
        try:
            await start()
        except Exception as exc:  # noqa: BLE001 - "Download is starting" ends a goto by design
            if "download is starting" not in str(exc).lower():
                raise
        else:
            if opens_page:
                await asyncio.wait({waiter}, timeout=0.5)
                if not waiter.done():
                    return Fetched(page=True)
        download = await waiter
    except Exception as exc:  # noqa: BLE001 - no download began
        return Fetched(error=f"no download began: {str(exc).splitlines()[0][:120]}")
    finally:
        if not waiter.done():
            waiter.cancel()
    return await _watch(download, folder, max_bytes, timeout_s, copy_to)


async def _finished_file(download: Any, name: str, copy_to: Path | None) -> Path | None:
    if copy_to is None:
        return await download.path()
    target = Path(copy_to) / f"{uuid.uuid4().hex[:8]}-{safe_name(name)}"
    await download.save_as(target)  # waits for the download to finish
    return target


async def _watch(
    download: Any, folder: Path, max_bytes: int, timeout_s: float, copy_to: Path | None = None
) -> Fetched:
    name = download.suggested_filename or "export"
    finished = asyncio.ensure_future(_finished_file(download, name, copy_to))
    # A cancelled download makes path() fail: that is the expected end, not an error to log.
    finished.add_done_callback(lambda f: None if f.cancelled() else f.exception())
    deadline = time.monotonic() + timeout_s
    size = 0
    try:
        while not finished.done():
            size = folder_size(folder)
            if size > max_bytes:
                return await _give_up(download, name, size, f"file larger than {max_bytes} bytes")
            if time.monotonic() > deadline:
                return await _give_up(
                    download, name, size, f"download not finished after {timeout_s:g} s"
                )
            await asyncio.wait({finished}, timeout=WATCH_EVERY_S)
        path = finished.result()
    except Exception as exc:  # noqa: BLE001 - the download failed in the browser
        return Fetched(name=name, error=f"download failed: {str(exc).splitlines()[0][:120]}")
    finally:
        if not finished.done():
            finished.cancel()
    size = Path(path).stat().st_size if path else 0
    if path is None or size > max_bytes:
        await _quietly(download.delete())
        return Fetched(name=name, error=f"file larger than {max_bytes} bytes", bytes_seen=size)
    return Fetched(path=Path(path), name=name, bytes_seen=size)


async def _give_up(download: Any, name: str, size: int, why: str) -> Fetched:
    """Cancel (the browser aborts the request) and delete what arrived so far."""
    await _quietly(download.cancel())
    await _quietly(download.delete())
    return Fetched(name=name, error=why, bytes_seen=size)


async def _quietly(action: Awaitable[Any]) -> None:
    try:
        await asyncio.wait_for(action, 5)
    except Exception:  # noqa: BLE001 - already gone
        pass


def safe_name(name: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", name)[:80] or "export"


def keep(fetched: Fetched, target: Path) -> Path:
    """Move a finished download into the bundle (from disk to disk, never through memory)."""
    assert fetched.path is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(fetched.path), target)
    return target
