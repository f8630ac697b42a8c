"""What a check returns: an outcome, a reason in plain words, and evidence an auditor can verify."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from .reasons_zh import zh_or_en


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    NEEDS_REVIEW = "needs_review"  # a human must look: manual item, step not reached, unclear
    ERROR = "error"  # the check itself broke; never counted for or against the store


@dataclass(frozen=True)
class Evidence:
    """One place in the bundle that supports a verdict."""

    step: str  # step id in the bundle ("product-2"), or "" for bundle-wide facts
    page: str = ""  # page kind
    url: str = ""
    selector: str = ""
    excerpt: str = ""
    screenshot: str = ""  # bundle-relative path
    note: str = ""  # what this piece shows, e.g. "district list after choosing 北京市"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Verdict:
    clause_id: str
    outcome: Outcome
    reason: str
    evidence: list[Evidence] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)  # for the auditor (e.g. veto E1 evidence)

    def to_dict(self) -> dict[str, Any]:
        return {
            "clause_id": self.clause_id,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "reason_zh": zh_or_en(self.reason),
            "evidence": [e.to_dict() for e in self.evidence],
            "hints": list(self.hints),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        return cls(
            clause_id=data["clause_id"],
            outcome=Outcome(data["outcome"]),
            reason=data.get("reason", ""),
            evidence=[Evidence(**e) for e in data.get("evidence", [])],
            hints=list(data.get("hints", [])),
        )


# Short constructors used by check functions; the registry fills in the clause id.
def passed(reason: str, evidence: list[Evidence] | Evidence) -> Verdict:
    return Verdict("", Outcome.PASS, reason, _as_list(evidence))


def failed(reason: str, evidence: list[Evidence] | Evidence | None = None) -> Verdict:
    return Verdict("", Outcome.FAIL, reason, _as_list(evidence))


def review(reason: str, evidence: list[Evidence] | Evidence | None = None) -> Verdict:
    return Verdict("", Outcome.NEEDS_REVIEW, reason, _as_list(evidence))


def not_applicable(reason: str, evidence: list[Evidence] | Evidence | None = None) -> Verdict:
    return Verdict("", Outcome.NOT_APPLICABLE, reason, _as_list(evidence))


def _as_list(evidence: list[Evidence] | Evidence | None) -> list[Evidence]:
    if evidence is None:
        return []
    if isinstance(evidence, Evidence):
        return [evidence]
    return list(evidence)
