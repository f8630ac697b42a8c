"""Where finished scan folders go: one small interface, so a worker on any machine can hand
its bundle to a place the whole team reads. The local-folder store serves both a laptop (the
output folder itself) and a team (a shared, mounted folder)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Protocol


class BundleStore(Protocol):
    def put(self, scan_dir: Path, key: str) -> str:
        """Keep a finished scan folder under `key` (<seller>/<scan folder>); returns where it
        now is (a path or URL), as the history records it."""
        ...


class LocalFolderStore:
    """Scan folders kept under one (local or shared) folder."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def put(self, scan_dir: Path, key: str) -> str:
        scan_dir = Path(scan_dir).resolve()
        target = (self.root / key).resolve()
        if not target.is_relative_to(self.root):
            raise ValueError(f"scan key {key!r} leaves the store folder")
        if scan_dir == target:
            return str(target)
        if target.exists():
            raise FileExistsError(f"{target} already exists; scan folders never collide")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(scan_dir, target)
        shutil.rmtree(scan_dir, ignore_errors=True)
        return str(target)


def open_store(where: str | Path | None, default_root: Path) -> BundleStore:
    """The store named by --store: a folder path (default: the output folder)."""
    return LocalFolderStore(Path(where) if where else default_root)
