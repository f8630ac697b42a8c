"""Build something once for a whole test run, even when pytest-xdist runs it in several
workers: the first worker to ask builds it into a folder shared by the run, under a file lock;
the others wait for it and reuse it. Without xdist it is an ordinary session-scoped build.

Used for what is slow and read-only once built: the demo scans, the Oscar shop's build.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock


def shared_folder_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Any]
) -> tuple[Path, Any]:
    """(folder, what `build(folder)` returned, as JSON) for the one build of `name` in this
    run. A build that raised is tried again by the next worker that asks."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # every worker's base folder sits in the run's own folder
    folder = root / f"once-{name}"
    done = root / f"once-{name}.json"
    with FileLock(str(root / f"once-{name}.lock")):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed attempt left
            folder.mkdir()
            result = build(folder)
            done.write_text(json.dumps(result), encoding="utf-8")
    return folder, json.loads(done.read_text(encoding="utf-8"))
