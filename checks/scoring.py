"""Annex B service-experience score (Chapter 6) and Annex A management-maturity grade (Chapter 5).

Annex B: every Chapter 6 item has points (Table B.1) and an experience coefficient alpha in 0..1.
Objective items are yes/no: the machine verdict decides them (pass 1, fail 0). Experience items
get the auditor's alpha (a Likert level 1-5 bounds it). Total = sum(points x alpha); final score
= total x E, where E = 0 when any of four veto conditions holds (E1 no payment security, E2 fake
goods, E3 CCC proof missing, E4 banned or recalled goods).

Table B.1's point values are not in the text of the standard we have, so the default point table
(checks/points_default.csv) is b2cect's own choice and every result says so
(`points_are_default`). An auditor can load the official values with `load_points(path)`.

Annex A: an auditor rates the 15 rows of Table A.2 (checks/maturity.csv) at level 0-5 and answers
the five veto questions M1-M5; the tool adds up the points and reads off the grade.

What the machine cannot decide stays undecided: the result carries the range the final score
can still take instead of a guess. File formats: docs/auditor-files.md. Policies: docs/scoring.md.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .registry import catalogue, sort_key
from .verdict import Outcome, Verdict

POINTS_DEFAULT = Path(__file__).with_name("points_default.csv")
MATURITY_TABLE = Path(__file__).with_name("maturity.csv")

TOTAL_POINTS = 100.0
_SUM_TOLERANCE = 0.005  # points files carry at most 2 decimals
_EPS = 1e-9  # float slack when comparing alpha with band edges

# Likert level -> (lower, upper) alpha bound. Level 1 includes 0; every other band excludes its
# lower edge (0.2 belongs to level 1, not level 2), as Annex B b) writes it.
LIKERT_BANDS: dict[int, tuple[float, float]] = {
    1: (0.0, 0.2),
    2: (0.2, 0.4),
    3: (0.4, 0.6),
    4: (0.6, 0.8),
    5: (0.8, 1.0),
}

# Veto conditions. A True answer means "the condition holds" and vetoes the score.
E_CONDITIONS: dict[str, tuple[str, str]] = {
    "E1": ("no_payment_security", "No payment security such as a one-time password or payment PIN"),
    "E2": ("counterfeit_goods", "Goods offered are fake, counterfeit or forged"),
    "E3": ("ccc_proof_missing", "Goods under compulsory certification (CCC) lack proof of it"),
    "E4": ("banned_or_recalled", "Goods or their parts are banned from sale or recalled"),
}
M_CONDITIONS: dict[str, tuple[str, str]] = {
    "M1": ("no_management_commitment", "No management commitment for B2C trading service"),
    "M2": ("unverified_supplier", "A supplier whose qualification was not verified"),
    "M3": (
        "no_acceptance_proof",
        "No proof that goods meet acceptance criteria (test reports, CCC)",
    ),
    "M4": ("no_security_mechanism", "No security mechanism for quality, payment, delivery or data"),
    "M5": ("banned_goods_still_bought", "Goods banned or recalled by authorities still purchased"),
}
E1_SOURCE_ITEM = "6.2.5.2"  # several payment methods and their security measures

NOT_APPLICABLE_POLICY = (
    "Items that do not apply to the store (e.g. installation arrangements when no goods need "
    "installing) score full points: the requirement is met vacuously. The points table is not "
    "rescaled."
)
UNDECIDED_POLICY = (
    "Items no one has decided yet (needs review, check error, not checked, experience item without "
    "the auditor's rating) count 0 in the decided score and their full points in the maximum."
)
LEVEL_ONLY_POLICY = (
    "A Likert level given without alpha scores at the middle of the level's band "
    "(0.1, 0.3, 0.5, 0.7, 0.9); give alpha for an exact value."
)
E1_POLICY = (
    "E1 (payment security) follows what 6.2.5.2 saw: a payment PIN or one-time code seen means "
    "no veto; none seen on a payment step that was reached means veto; otherwise unknown. The "
    "auditor's answer to E1 overrides; E2-E4 need the auditor's answers."
)
GRADE_READING = (
    "Grade = the highest Annex A band whose total range is reached and whose per-clause floor "
    "(1, 2 or 3 points) every clause meets; a total below 20 gets no grade. The standard does "
    "not say what grade a total gets when a clause is under the band's floor: this is b2cect's "
    "reading. The grade is read from the total before M; M = 0 makes the score 0 and withholds "
    "the grade."
)


# --- Likert bands ---------------------------------------------------------------------------
def alpha_in_level(alpha: float, level: int) -> bool:
    low, high = LIKERT_BANDS[level]
    above_low = alpha >= low - _EPS if level == 1 else alpha > low + _EPS
    return above_low and alpha <= high + _EPS


def level_of_alpha(alpha: float) -> int:
    for level in LIKERT_BANDS:
        if alpha_in_level(alpha, level):
            return level
    raise ValueError(f"alpha {alpha} is outside 0..1")


def level_midpoint(level: int) -> float:
    low, high = LIKERT_BANDS[level]
    return round((low + high) / 2, 4)


# --- point table ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PointTable:
    points: dict[str, float]
    source: str  # file path
    is_default: bool  # b2cect's default weights, not the official Table B.1

    @property
    def total(self) -> float:
        return math.fsum(self.points.values())


def _data_lines(text: str) -> str:
    """CSV text without `#` comment lines, so data files can explain themselves."""
    return "".join(line for line in io.StringIO(text) if not line.lstrip().startswith("#"))


def load_points(path: Path | str | None = None) -> PointTable:
    """Read a points file (id,points); the default table when path is None.

    Rejects (ValueError) a file that misses or adds ids, has a negative or unreadable value, or
    does not sum to 100: a wrong table would give a wrong score without anyone noticing.
    """
    source = Path(path) if path is not None else POINTS_DEFAULT
    is_default = path is None or source.resolve() == POINTS_DEFAULT.resolve()
    text = source.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(_data_lines(text)))
    if not reader.fieldnames or not {"id", "points"} <= {f.strip() for f in reader.fieldnames}:
        raise ValueError(f"{source}: needs the columns id,points")
    known = catalogue()
    points: dict[str, float] = {}
    errors: list[str] = []
    for row in reader:
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        clause_id, raw = row.get("id", ""), row.get("points", "")
        if not clause_id:
            continue
        if clause_id not in known:
            errors.append(f"unknown item id {clause_id!r}")
            continue
        if clause_id in points:
            errors.append(f"{clause_id} listed twice")
            continue
        try:
            value = float(raw)
        except ValueError:
            errors.append(f"{clause_id}: points {raw!r} is not a number")
            continue
        if not math.isfinite(value) or value < 0:
            errors.append(f"{clause_id}: points must be a non-negative number, got {raw}")
            continue
        points[clause_id] = value
    missing = sorted(set(known) - set(points), key=sort_key)
    if missing:
        errors.append(f"missing ids: {', '.join(missing)}")
    total = math.fsum(points.values())
    if not errors and abs(total - TOTAL_POINTS) > _SUM_TOLERANCE:
        errors.append(f"points sum to {total:g}, Annex B needs exactly {TOTAL_POINTS:g}")
    if errors:
        raise ValueError(f"{source}: bad points table:\n  " + "\n  ".join(errors))
    ordered = {k: points[k] for k in sorted(points, key=sort_key)}
    return PointTable(ordered, str(source), is_default)


# --- Annex A table --------------------------------------------------------------------------
@dataclass(frozen=True)
class MaturityClause:
    key: str  # b2cect's stable name for the Table A.2 row
    clause: str
    title_zh: str
    title_en: str
    max_points: int
    level_points: tuple[int, int, int, int, int]

    def points(self, level: int) -> int:
        """Points at a level; level 0 (level 1 not reached) scores 0."""
        return 0 if level == 0 else self.level_points[level - 1]


@cache
def maturity_table() -> tuple[MaturityClause, ...]:
    text = MATURITY_TABLE.read_text(encoding="utf-8")
    rows = []
    for row in csv.DictReader(io.StringIO(_data_lines(text))):
        rows.append(
            MaturityClause(
                key=row["key"],
                clause=row["clause"],
                title_zh=row["title_zh"],
                title_en=row["title_en"],
                max_points=int(row["max"]),
                level_points=tuple(int(row[f"level{n}"]) for n in range(1, 6)),  # type: ignore[arg-type]
            )
        )
    if sum(r.max_points for r in rows) != 100:
        raise ValueError(f"{MATURITY_TABLE}: Table A.2 must total 100")
    return tuple(rows)


def _maturity_aliases() -> dict[str, str]:
    """Names an auditor may use for a row: its key, and its clause number when unique."""
    table = maturity_table()
    aliases = {row.key: row.key for row in table}
    clause_count: dict[str, int] = {}
    for row in table:
        clause_count[row.clause] = clause_count.get(row.clause, 0) + 1
    for row in table:
        for clause in row.clause.split("/"):
            if clause_count.get(row.clause) == 1:
                aliases.setdefault(clause, row.key)
    return aliases


# --- auditor files --------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemRating:
    """The auditor's judgement of one Chapter 6 item."""

    clause_id: str
    alpha: float  # the coefficient used for scoring
    level: int | None = None  # Likert level when given
    not_applicable: bool = False
    alpha_given: bool = True  # False when alpha came from the level's midpoint
    note: str = ""


AUDITOR_NOT_APPLICABLE = "auditor: not applicable"  # how an item score notes an auditor's N/A


def outcome_after_rating(
    machine: str, scoring: str, not_applicable: bool, alpha: float | None
) -> str:
    """An item's outcome once the auditor answered for it: rated not applicable is
    not_applicable; a rated objective item is pass (alpha 1) or fail; an experience item keeps
    the machine's outcome (its rating is points, not a verdict). The one rule the pipeline,
    the reports and `b2cect diff` apply."""
    if not_applicable:
        return "not_applicable"
    if scoring == "objective" and alpha is not None:
        return "pass" if alpha >= 1 else "fail"
    return machine


@dataclass
class MaturityAnswers:
    levels: dict[str, int]  # maturity.csv key -> level 0..5
    veto: dict[str, bool | None]  # M1..M5 -> True (condition holds) / False / None (no answer)
    source: str = ""


@dataclass
class Ratings:
    items: dict[str, ItemRating] = field(default_factory=dict)
    veto: dict[str, bool | None] = field(default_factory=dict)  # E1..E4, only answered ones
    maturity: MaturityAnswers | None = None
    source: str = ""


_TRUE = {"true", "yes", "y", "1", "是", "veto"}
_FALSE = {"false", "no", "n", "0", "否"}
_ANSWERS_NA = {"not_applicable", "na", "n/a", "不适用"}
_ANSWERS_PASS = {"pass", "yes", "是"}
_ANSWERS_FAIL = {"fail", "no", "否"}


def _veto_key(name: str) -> str | None:
    upper = name.strip().upper()
    for key, (long_name, _) in {**E_CONDITIONS, **M_CONDITIONS}.items():
        if upper == key or name.strip().lower() == long_name:
            return key
    return None


def _parse_bool(value: Any, where: str, errors: list[str]) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in ("unknown", "null", "none", "?"):
        return None
    errors.append(f"{where}: answer {value!r} is not yes/no (true = the veto condition holds)")
    return None


def _rows_from_yaml(data: Any, errors: list[str]) -> list[dict[str, Any]]:
    """Flatten the YAML layout into the CSV layout: one dict per id."""
    if data is None:
        return []
    if not isinstance(data, Mapping):
        errors.append("top level must be a mapping with items / veto / maturity")
        return []
    rows: list[dict[str, Any]] = []
    unknown_sections = set(data) - {"items", "veto", "maturity"}
    if unknown_sections:
        errors.append(f"unknown sections {sorted(map(str, unknown_sections))}")
    for clause_id, value in (data.get("items") or {}).items():
        if isinstance(value, Mapping):
            rows.append({"id": str(clause_id), **value})
        else:
            rows.append({"id": str(clause_id), "alpha": value})
    for key, value in (data.get("veto") or {}).items():
        rows.append({"id": str(key), "answer": value})
    for key, value in (data.get("maturity") or {}).items():
        if isinstance(value, Mapping):
            rows.append({"id": str(key), **value})
        else:
            rows.append({"id": str(key), "level": value})
    return rows


ANSWER_COLUMNS = ("level", "alpha", "answer")
_UNANSWERED = "_unanswered"  # marks a CSV row left blank


def _rows_from_csv(text: str, errors: list[str]) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(_data_lines(text)))
    if not reader.fieldnames or "id" not in [f.strip() for f in reader.fieldnames]:
        errors.append("CSV needs a header with at least: id,level,alpha,answer,note")
        return []
    rows = []
    for row in reader:
        clean = {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k}
        if clean.get("id"):
            row = {k: v for k, v in clean.items() if v not in ("", None)}
            # A row with no level, alpha or answer is not answered yet (a blank line of the
            # template `b2cect ratings-template` writes): the item stays with the machine.
            row[_UNANSWERED] = not any(clean.get(k) for k in ANSWER_COLUMNS)
            rows.append(row)
    return rows


def _number(value: Any, what: str, where: str, errors: list[str]) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.append(f"{where}: {what} {value!r} is not a number")
        return None
    if not math.isfinite(number):
        errors.append(f"{where}: {what} must be finite")
        return None
    return number


def _item_rating(row: dict[str, Any], errors: list[str]) -> ItemRating | None:
    clause_id = row["id"]
    item = catalogue()[clause_id]
    where = f"item {clause_id}"
    note = str(row.get("note") or "")
    answer = str(row.get("answer") or "").strip().lower()
    alpha = _number(row.get("alpha"), "alpha", where, errors)
    level_number = _number(row.get("level"), "level", where, errors)
    level = None
    if level_number is not None:
        if level_number not in (1, 2, 3, 4, 5):
            errors.append(f"{where}: level must be 1-5, got {row.get('level')!r}")
            return None
        level = int(level_number)
    if answer in _ANSWERS_NA:
        return ItemRating(clause_id, 1.0, None, not_applicable=True, note=note)
    if answer:
        if item.scoring != "objective" or answer not in _ANSWERS_PASS | _ANSWERS_FAIL:
            errors.append(
                f"{where}: answer {answer!r} not understood (objective items: pass, fail, "
                "not_applicable; experience items: not_applicable, or give level/alpha)"
            )
            return None
        alpha_from_answer = 1.0 if answer in _ANSWERS_PASS else 0.0
        if alpha is not None and alpha != alpha_from_answer:
            errors.append(f"{where}: answer {answer!r} contradicts alpha {alpha:g}")
            return None
        alpha = alpha_from_answer
    if alpha is None and level is None:
        errors.append(f"{where}: give level, alpha or answer")
        return None
    if alpha is not None and not 0 <= alpha <= 1:
        errors.append(f"{where}: alpha must be within 0..1, got {alpha:g}")
        return None
    if alpha is not None and level is not None and not alpha_in_level(alpha, level):
        low, high = LIKERT_BANDS[level]
        band = f"[{low:g}, {high:g}]" if level == 1 else f"({low:g}, {high:g}]"
        errors.append(f"{where}: alpha {alpha:g} is outside level {level}'s band {band}")
        return None
    if item.scoring == "objective":
        if level is not None and alpha is None:
            errors.append(f"{where}: objective items are full points or none: give answer or alpha")
            return None
        if alpha not in (0.0, 1.0):
            errors.append(f"{where}: objective items are full points or none: alpha 0 or 1")
            return None
    if alpha is None:
        assert level is not None
        return ItemRating(clause_id, level_midpoint(level), level, alpha_given=False, note=note)
    return ItemRating(clause_id, alpha, level, note=note)


def _parse_auditor_rows(rows: Iterable[dict[str, Any]], source: str) -> Ratings:
    errors: list[str] = []
    ratings = Ratings(source=source)
    maturity_levels: dict[str, int] = {}
    m_veto: dict[str, bool | None] = {}
    aliases = _maturity_aliases()
    known_items = catalogue()
    seen: set[str] = set()
    for row in rows:
        raw_id = str(row["id"]).strip()
        veto_key = _veto_key(raw_id)
        key = veto_key or aliases.get(raw_id) or raw_id
        if key in seen:
            errors.append(f"{raw_id}: given twice")
            continue
        seen.add(key)
        if row.get(_UNANSWERED):
            continue
        if veto_key:
            answer = _parse_bool(row.get("answer"), f"veto {veto_key}", errors)
            (ratings.veto if veto_key.startswith("E") else m_veto)[veto_key] = answer
        elif key in known_items:
            rating = _item_rating({**row, "id": key}, errors)
            if rating is not None:
                ratings.items[key] = rating
        elif raw_id in aliases:
            level = _number(row.get("level"), "level", f"maturity {raw_id}", errors)
            if level is None or level not in (0, 1, 2, 3, 4, 5):
                errors.append(f"maturity {raw_id}: level must be 0-5, got {row.get('level')!r}")
            else:
                maturity_levels[key] = int(level)
        else:
            errors.append(f"unknown id {raw_id!r} (not a Chapter 6 item, E1-E4, M1-M5 or 5.x)")
    if errors:
        raise ValueError(f"{source}: bad auditor file:\n  " + "\n  ".join(errors))
    if maturity_levels or m_veto:
        ratings.maturity = MaturityAnswers(maturity_levels, m_veto, source)
    return ratings


def load_ratings(path: Path | str) -> Ratings:
    """Read an auditor file (YAML or CSV, see docs/auditor-files.md). ValueError lists problems."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    errors: list[str] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            rows = _rows_from_yaml(yaml.safe_load(text), errors)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML: {exc}") from exc
    elif path.suffix.lower() == ".csv":
        rows = _rows_from_csv(text, errors)
    else:
        raise ValueError(f"{path}: auditor files are .yaml/.yml or .csv")
    if errors:
        raise ValueError(f"{path}: bad auditor file:\n  " + "\n  ".join(errors))
    return _parse_auditor_rows(rows, str(path))


def load_maturity(path: Path | str) -> MaturityAnswers:
    """Read the Annex A part (clause levels, M1-M5) of an auditor file."""
    ratings = load_ratings(path)
    if ratings.maturity is None:
        raise ValueError(f"{path}: no maturity levels or M1-M5 answers in the file")
    return ratings.maturity


# --- Annex A assessment ---------------------------------------------------------------------
@dataclass(frozen=True)
class VetoStatus:
    key: str  # E1..E4 or M1..M5
    name: str
    description: str
    holds: bool | None  # True: the veto condition holds; None: unknown
    source: str  # machine | auditor | unknown
    reason: str

    @property
    def status(self) -> str:
        return {True: "veto", False: "clear", None: "unknown"}[self.holds]


def veto_coefficient(vetoes: Iterable[VetoStatus]) -> int | None:
    """0 when any condition holds, 1 when all are known not to, None otherwise."""
    answers = [v.holds for v in vetoes]
    if any(a is True for a in answers):
        return 0
    if all(a is False for a in answers):
        return 1
    return None


@dataclass(frozen=True)
class MaturityRow:
    key: str
    clause: str
    title_zh: str
    title_en: str
    max_points: int
    level: int
    points: int


# (grade, lowest total, lowest points any clause may have), highest first
GRADE_BANDS: tuple[tuple[int, int, int], ...] = (
    (5, 91, 3),
    (4, 81, 3),
    (3, 61, 3),
    (2, 41, 2),
    (1, 20, 1),
)


def maturity_grade(total: int, lowest_clause_points: int) -> int:
    """Highest band whose total and per-clause floor are both met; 0 when none is."""
    for grade, lowest_total, floor in GRADE_BANDS:
        if total >= lowest_total and lowest_clause_points >= floor:
            return grade
    return 0


@dataclass
class MaturityResult:
    rows: list[MaturityRow]
    vetoes: list[VetoStatus]
    m: int | None
    total: int  # sum of clause points (Annex A "总分")
    score: int | None  # total x M; None while M is unknown
    grade: int | None  # 1-5, 0 below grade 1, None when vetoed
    grade_note: str
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": [asdict(r) for r in self.rows],
            "vetoes": [_veto_dict(v) for v in self.vetoes],
            "m": self.m,
            "total": self.total,
            "score": self.score,
            "grade": self.grade,
            "grade_note": self.grade_note,
            "grade_reading": GRADE_READING,
            "source": self.source,
        }


def assess_maturity(answers: MaturityAnswers) -> MaturityResult:
    """Add up Table A.2 points and read off the grade; every row must have a level."""
    table = maturity_table()
    missing = [row.key for row in table if row.key not in answers.levels]
    if missing:
        raise ValueError(
            f"{answers.source or 'maturity answers'}: no level for {', '.join(missing)} "
            "(rate every Table A.2 row; 0 when level 1 is not met)"
        )
    rows = [
        MaturityRow(
            c.key,
            c.clause,
            c.title_zh,
            c.title_en,
            c.max_points,
            answers.levels[c.key],
            c.points(answers.levels[c.key]),
        )
        for c in table
    ]
    vetoes = [
        VetoStatus(
            key,
            name,
            text,
            answers.veto.get(key),
            "auditor" if answers.veto.get(key) is not None else "unknown",
            "auditor's answer" if answers.veto.get(key) is not None else "not answered",
        )
        for key, (name, text) in M_CONDITIONS.items()
    ]
    m = veto_coefficient(vetoes)
    total = sum(r.points for r in rows)
    grade = maturity_grade(total, min(r.points for r in rows))
    if m == 0:
        held = ", ".join(v.key for v in vetoes if v.holds)
        return MaturityResult(
            rows, vetoes, 0, total, 0, None, f"vetoed ({held}): M = 0", answers.source
        )
    note = f"grade {grade}" if grade else "below grade 1"
    if m is None:
        note += " if M = 1 (veto answers missing)"
    return MaturityResult(
        rows, vetoes, m, total, total if m == 1 else None, grade, note, answers.source
    )


# --- Annex B score --------------------------------------------------------------------------
SOURCE_MACHINE = "machine"
SOURCE_AUDITOR = "auditor"
SOURCE_UNDECIDED = "undecided"


@dataclass(frozen=True)
class ItemScore:
    clause_id: str
    scoring: str  # objective | experience
    points: float
    alpha: float | None  # None while undecided
    source: str  # machine | auditor | undecided
    machine_outcome: str | None  # the verdict's outcome, None when the item was not checked
    level: int | None = None  # auditor's Likert level
    note: str = ""  # how alpha was decided, or a hint for the auditor

    @property
    def decided(self) -> bool:
        return self.alpha is not None

    @property
    def contribution(self) -> float | None:
        return None if self.alpha is None else self.points * self.alpha

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["contribution"] = None if self.contribution is None else round(self.contribution, 4)
        return data


@dataclass
class ScoreResult:
    items: list[ItemScore]
    vetoes: list[VetoStatus]  # E1..E4
    e: int | None  # veto coefficient E: 1, 0, or None while unknown
    objective_score: float  # contributions of decided objective items
    experience_score: float  # contributions of rated experience items
    undecided_points: float  # points of items still undecided
    total: float | None  # service experience total (before E) once every item is decided
    final: float | None  # total x E once both are known (0 as soon as a veto holds)
    final_min: float  # the range the final score can still take
    final_max: float
    coverage_decided: int  # machine-checkable items decided by machine (pass/fail/N/A)
    coverage_total: int  # machine-checkable (non-manual) items checked
    points_are_default: bool
    points_source: str
    ratings_source: str = ""
    maturity: MaturityResult | None = None
    policies: dict[str, str] = field(
        default_factory=lambda: {
            "not_applicable": NOT_APPLICABLE_POLICY,
            "undecided": UNDECIDED_POLICY,
            "level_only": LEVEL_ONLY_POLICY,
            "e1": E1_POLICY,
            "rounding": "Scores are summed exactly and shown to 2 decimal places.",
        }
    )

    @property
    def decided_score(self) -> float:
        return self.objective_score + self.experience_score

    def e_text(self) -> str:
        """E in words: "1", "0 (E2 veto)" or "unknown (E2, E3 open)"."""
        if self.e == 0:
            return "0 (" + ", ".join(f"{v.key} veto" for v in self.vetoes if v.holds) + ")"
        if self.e == 1:
            return "1"
        return "unknown (" + ", ".join(v.key for v in self.vetoes if v.holds is None) + " open)"

    def range_text(self) -> str:
        if self.final is not None:
            return f"{self.final:.2f}"
        return f"{self.final_min:.2f}-{self.final_max:.2f}"

    def summary_line(self) -> str:
        """One line for the console."""
        points = "DEFAULT points, not Table B.1" if self.points_are_default else "custom points"
        final = "final score" if self.final is not None else "final score can still be"
        return (
            f"Annex B: objective {self.objective_score:.2f}, {final} {self.range_text()}"
            f" (E {self.e_text()}); machine decided {self.coverage_decided} of"
            f" {self.coverage_total} checkable items; {points}"
        )

    def item(self, clause_id: str) -> ItemScore:
        for row in self.items:
            if row.clause_id == clause_id:
                return row
        raise KeyError(clause_id)

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 2)

        return {
            "objective_score": r(self.objective_score),
            "experience_score": r(self.experience_score),
            "decided_score": r(self.decided_score),
            "undecided_points": r(self.undecided_points),
            "total": r(self.total),
            "e": self.e,
            "final": r(self.final),
            "final_min": r(self.final_min),
            "final_max": r(self.final_max),
            "vetoes": [_veto_dict(v) for v in self.vetoes],
            "coverage": {"decided": self.coverage_decided, "of": self.coverage_total},
            "points_are_default": self.points_are_default,
            "points_source": self.points_source,
            "ratings_source": self.ratings_source,
            "policies": dict(self.policies),
            "items": [row.to_dict() for row in self.items],
            "maturity": self.maturity.to_dict() if self.maturity else None,
        }


def _veto_dict(v: VetoStatus) -> dict[str, Any]:
    return {**asdict(v), "status": v.status}


_DECIDED_BY_MACHINE = (Outcome.PASS, Outcome.FAIL, Outcome.NOT_APPLICABLE)
_MACHINE_ALPHA = {Outcome.PASS: 1.0, Outcome.FAIL: 0.0, Outcome.NOT_APPLICABLE: 1.0}
_MACHINE_NOTE = {
    Outcome.PASS: "machine: pass, full points",
    Outcome.FAIL: "machine: fail, no points",
    Outcome.NOT_APPLICABLE: "machine: not applicable, full points (met vacuously)",
}


def _score_item(
    clause_id: str, points: float, verdict: Verdict | None, rating: ItemRating | None
) -> ItemScore:
    item = catalogue()[clause_id]
    outcome = verdict.outcome.value if verdict else None
    machine_said = f"machine: {outcome} - {verdict.reason}" if verdict else "not checked"
    if rating is not None:
        if rating.not_applicable:
            how = f"{AUDITOR_NOT_APPLICABLE}, full points"
        elif rating.alpha_given:
            how = f"auditor: alpha {rating.alpha:g}"
        else:
            how = f"auditor: level {rating.level}, alpha at band middle {rating.alpha:g}"
        if rating.note:
            how += f" ({rating.note})"
        return ItemScore(
            clause_id,
            item.scoring,
            points,
            rating.alpha,
            SOURCE_AUDITOR,
            outcome,
            rating.level,
            how,
        )
    if verdict is not None:
        machine_alpha = _MACHINE_ALPHA.get(verdict.outcome)
        # A machine pass/fail decides objective items only; not applicable decides any item.
        if machine_alpha is not None and (
            item.scoring == "objective" or verdict.outcome is Outcome.NOT_APPLICABLE
        ):
            how = _MACHINE_NOTE[verdict.outcome]
            return ItemScore(
                clause_id, item.scoring, points, machine_alpha, SOURCE_MACHINE, outcome, None, how
            )
    # Experience items wait for the auditor; the machine's view is a hint.
    return ItemScore(
        clause_id, item.scoring, points, None, SOURCE_UNDECIDED, outcome, None, machine_said
    )


def _e_vetoes(verdicts: dict[str, Verdict], answers: Mapping[str, bool | None]) -> list[VetoStatus]:
    vetoes = []
    for key, (name, text) in E_CONDITIONS.items():
        answer = answers.get(key)
        if answer is not None:
            vetoes.append(VetoStatus(key, name, text, answer, SOURCE_AUDITOR, "auditor's answer"))
            continue
        if key == "E1":
            vetoes.append(_e1_from_machine(verdicts.get(E1_SOURCE_ITEM)))
            continue
        vetoes.append(
            VetoStatus(
                key, name, text, None, "unknown", "needs the auditor's answer (not observable)"
            )
        )
    return vetoes


def _e1_from_machine(verdict: Verdict | None) -> VetoStatus:
    """E1 from the payment-security hint of 6.2.5.2, not from its outcome: that item can fail
    for offering a single payment method while the method itself is well secured."""
    from b2cect.checks.in_sale import E1_HINT_NOT_SEEN, E1_HINT_SEEN

    name, text = E_CONDITIONS["E1"]
    if verdict is None:
        return VetoStatus("E1", name, text, None, "unknown", f"{E1_SOURCE_ITEM} was not checked")
    seen = [h for h in verdict.hints if h.startswith(E1_HINT_SEEN)]
    if seen:
        return VetoStatus("E1", name, text, False, SOURCE_MACHINE, seen[0])
    not_seen = [h for h in verdict.hints if h.startswith(E1_HINT_NOT_SEEN)]
    said = (
        not_seen[0] if not_seen else f"{E1_SOURCE_ITEM} {verdict.outcome.value}: {verdict.reason}"
    )
    if not_seen and verdict.outcome is Outcome.FAIL:
        return VetoStatus("E1", name, text, True, SOURCE_MACHINE, said)
    return VetoStatus("E1", name, text, None, "unknown", said)


def compute_score(
    verdicts: Iterable[Verdict],
    points: PointTable | None = None,
    ratings: Ratings | None = None,
    maturity: MaturityAnswers | None = None,
) -> ScoreResult:
    """Annex B score from the verdicts and the auditor's ratings; Annex A when answers given.

    `maturity` defaults to the maturity part of `ratings` when that file carries one.
    """
    table = points or load_points()
    ratings = ratings or Ratings()
    by_id = {v.clause_id: v for v in verdicts}
    rows = [
        _score_item(cid, pts, by_id.get(cid), ratings.items.get(cid))
        for cid, pts in table.points.items()
    ]
    vetoes = _e_vetoes(by_id, ratings.veto)
    e = veto_coefficient(vetoes)

    objective = math.fsum(r.contribution or 0 for r in rows if r.scoring == "objective")
    experience = math.fsum(r.contribution or 0 for r in rows if r.scoring == "experience")
    undecided = math.fsum(r.points for r in rows if not r.decided)
    decided = objective + experience
    total = decided if all(r.decided for r in rows) else None
    if e == 0:
        final, low, high = 0.0, 0.0, 0.0
    else:
        final = total if (total is not None and e == 1) else None
        low = decided if e == 1 else 0.0
        high = decided + undecided

    items = catalogue()
    machine_checkable = [
        v for v in by_id.values() if v.clause_id in items and not items[v.clause_id].manual
    ]
    answers = maturity or ratings.maturity
    return ScoreResult(
        items=rows,
        vetoes=vetoes,
        e=e,
        objective_score=objective,
        experience_score=experience,
        undecided_points=undecided,
        total=total,
        final=final,
        final_min=low,
        final_max=high,
        coverage_decided=sum(v.outcome in _DECIDED_BY_MACHINE for v in machine_checkable),
        coverage_total=len(machine_checkable),
        points_are_default=table.is_default,
        points_source=table.source,
        ratings_source=ratings.source,
        maturity=assess_maturity(answers) if answers else None,
    )


# The name the pipeline calls.
score = compute_score
