"""Reading the fleet history: a seller's scans, the diff of two scans, the latest state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from b2cect.diff import BETTER, REGRESSION, compare

from .db import scans, sellers, verdicts


@dataclass
class Change:
    """One item whose verdict changed, as `b2cect diff` classifies it (b2cect.diff)."""

    clause_id: str
    before: str  # outcome in the older scan ("absent" when it was not judged)
    after: str
    reason_after: str
    kind: str  # regression, worse, changed, better, added, removed

    @property
    def regression(self) -> bool:
        return self.kind == REGRESSION

    @property
    def improvement(self) -> bool:
        return self.kind == BETTER


@dataclass
class ScanDiff:
    seller_a: str
    seller_b: str
    score_a: float | None
    score_b: float | None
    changes: list[Change]

    @property
    def score_delta(self) -> float | None:
        if self.score_a is None or self.score_b is None:
            return None
        return round(self.score_b - self.score_a, 2)

    @property
    def regressions(self) -> list[Change]:
        return [c for c in self.changes if c.regression]


def seller_scans(engine: Engine, seller_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The seller's scans, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(scans)
            .where(scans.c.seller_id == seller_id)
            .order_by(scans.c.finished_at.desc(), scans.c.id.desc())
            .limit(limit)
        )
        return [dict(r._mapping) for r in rows]


def _scan_verdicts(conn: sa.Connection, scan_id: int) -> dict[str, tuple[str, str]]:
    rows = conn.execute(
        sa.select(verdicts.c.clause_id, verdicts.c.outcome, verdicts.c.reason).where(
            verdicts.c.scan_id == scan_id
        )
    )
    return {r.clause_id: (r.outcome, r.reason) for r in rows}


def diff_scans(engine: Engine, scan_a: int, scan_b: int) -> ScanDiff:
    """What changed from scan_a to scan_b, in the order and by the rules of `b2cect diff`:
    regressions (now fail) first, each group in clause order."""
    with engine.connect() as conn:
        heads = {
            r.id: r
            for r in conn.execute(
                sa.select(scans.c.id, scans.c.seller_id, scans.c.score).where(
                    scans.c.id.in_([scan_a, scan_b])
                )
            )
        }
        for sid in (scan_a, scan_b):
            if sid not in heads:
                raise LookupError(f"no scan {sid} in the history")
        va, vb = _scan_verdicts(conn, scan_a), _scan_verdicts(conn, scan_b)
    outcomes = compare({k: v[0] for k, v in va.items()}, {k: v[0] for k, v in vb.items()})
    changes = [
        Change(
            c.clause_id,
            c.old or "absent",
            c.new or "absent",
            vb.get(c.clause_id, ("", ""))[1],
            c.kind,
        )
        for c in outcomes.changes
    ]
    a, b = heads[scan_a], heads[scan_b]
    return ScanDiff(a.seller_id, b.seller_id, a.score, b.score, changes)


def previous_scan(engine: Engine, seller_id: str, before_id: int) -> int | None:
    """The seller's last successful scan before the given one."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(scans.c.id)
            .where(scans.c.seller_id == seller_id, scans.c.id < before_id, scans.c.status == "ok")
            .order_by(scans.c.id.desc())
            .limit(1)
        ).first()
    return row.id if row else None


def fleet_state(engine: Engine) -> list[dict[str, Any]]:
    """One row per seller: its latest scan, its score series (oldest first), and the
    regressions since its previous successful scan.

    Three queries whatever the number of sellers: the sellers, all their scans, and the
    verdicts of the scans compared (each seller's latest and previous successful scan).
    """
    with engine.connect() as conn:
        seller_rows = list(conn.execute(sa.select(sellers).order_by(sellers.c.id)))
        by_seller: dict[str, list[Any]] = {}
        for h in conn.execute(
            sa.select(scans).order_by(scans.c.seller_id, scans.c.finished_at, scans.c.id)
        ):
            by_seller.setdefault(h.seller_id, []).append(h)
        out = []
        for s in seller_rows:
            history = by_seller.get(s.id)
            if not history:
                continue
            latest = history[-1]
            # The seller's last successful scan before the latest (by id, as scans are made).
            earlier_ok = [h.id for h in history if h.status == "ok" and h.id < latest.id]
            out.append(
                {
                    "seller": dict(s._mapping),
                    "latest": dict(latest._mapping),
                    "series": [(h.finished_at, h.score) for h in history if h.status == "ok"],
                    "previous_id": max(earlier_ok) if earlier_ok else None,
                }
            )
        pairs = {
            row["seller"]["id"]: (row["previous_id"], row["latest"]["id"])
            for row in out
            if row["previous_id"] and row["latest"]["status"] == "ok"
        }
        wanted = sorted({sid for pair in pairs.values() for sid in pair})
        judged: dict[int, dict[str, tuple[str, str]]] = {sid: {} for sid in wanted}
        if wanted:
            for v in conn.execute(
                sa.select(
                    verdicts.c.scan_id, verdicts.c.clause_id, verdicts.c.outcome, verdicts.c.reason
                ).where(verdicts.c.scan_id.in_(wanted))
            ):
                judged[v.scan_id][v.clause_id] = (v.outcome, v.reason)
    for row in out:
        pair = pairs.get(row["seller"]["id"])
        row["regressions"] = []
        if pair:
            before, after = judged[pair[0]], judged[pair[1]]
            changes = compare(
                {k: v[0] for k, v in before.items()}, {k: v[0] for k, v in after.items()}
            ).changes
            # Regressions as diff_scans reports them, with the newer scan's reason.
            row["regressions"] = [
                Change(
                    c.clause_id,
                    c.old or "absent",
                    c.new or "absent",
                    after.get(c.clause_id, ("", ""))[1],
                    c.kind,
                )
                for c in changes
                if c.kind == REGRESSION
            ]
    return out
