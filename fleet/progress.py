"""The fleet's live progress: stores done, failed, running, and the ETA.

On a terminal a rich progress bar redraws in place and each finished store prints one line
above it; elsewhere (a log, CI) nothing redraws: one plain line per finished store.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from .sellers import Seller


class FleetProgress:
    def __init__(self, total: int, already_done: int = 0, force_terminal: bool | None = None):
        from rich.console import Console

        self.console = Console(force_terminal=force_terminal, highlight=False)
        self.live = self.console.is_terminal
        self.total = total
        self.done = already_done
        self.failed = 0
        self.running: set[str] = set()
        self._lock = threading.Lock()
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> FleetProgress:
        if self.live:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("[bold]fleet[/]"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} done"),
                TextColumn("{task.fields[status]}"),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(
                "fleet", total=self.total, completed=self.done, status=self._status()
            )
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _status(self) -> str:
        return f"failed {self.failed} · running {len(self.running)}"

    def __call__(self, event: str, seller: Seller, outcome: dict[str, Any] | None) -> None:
        with self._lock:
            if event == "start":
                self.running.add(seller.id)
            else:
                self.running.discard(seller.id)
                self.done += 1
                ok = outcome is not None and outcome.get("status") == "ok"
                self.failed += 0 if ok else 1
                self._line(seller, outcome or {}, ok)
            if self._progress is not None:
                self._progress.update(self._task, completed=self.done, status=self._status())

    def _line(self, seller: Seller, outcome: dict[str, Any], ok: bool) -> None:
        counts = outcome.get("counts") or {}
        if ok:
            text = (
                f"ok     {seller.id:<20} score {outcome.get('score')}  "
                f"pass {counts.get('pass', 0)} fail {counts.get('fail', 0)} "
                f"review {counts.get('needs_review', 0)}"
            )
        else:
            text = f"error  {seller.id:<20} {outcome.get('error', '')}"
        if self.live:
            from rich.text import Text

            self.console.print(Text(text, style="green" if ok else "red"))
        else:
            print(text, file=sys.stdout, flush=True)
