"""Machine-readable progress for pipelines: `--log-format json` writes one JSON object per
line on stderr, {"time": <UTC ISO 8601, ms>, "event": ..., ...}, for each journey step and
each item's outcome, plus the run's start and end. Text mode writes nothing here (the
command prints its own lines)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import IO, Any

LOG_FORMATS = ("text", "json")


class EventLog:
    def __init__(self, fmt: str = "text", stream: IO[str] | None = None):
        if fmt not in LOG_FORMATS:
            raise ValueError(f"log format must be one of {LOG_FORMATS}")
        self.json = fmt == "json"
        self._stream = stream

    def emit(self, event: str, **fields: Any) -> None:
        if not self.json:
            return
        record = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event}
        record.update(fields)
        stream = self._stream or sys.stderr
        stream.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        stream.flush()

    def step(self, step: Any) -> None:
        """A journey step as it finishes (crawler.bundle.Step)."""
        self.emit(
            "step",
            id=step.id,
            kind=step.kind,
            status=step.status,
            duration_ms=step.duration_ms,
            url=step.final_url or step.url,
            error=step.error,
        )

    def outcomes(self, verdicts: list[Any], final: dict[str, str]) -> None:
        """One event per judged item: the machine's outcome and the final one."""
        for verdict in verdicts:
            self.emit(
                "outcome",
                clause_id=verdict.clause_id,
                outcome=verdict.outcome.value,
                final_outcome=final.get(verdict.clause_id, verdict.outcome.value),
                reason=verdict.reason,
            )
