"""Cobalt against published case reports: a reading of case reports, not a validation of a score.

``data/validation/cases/*.json`` holds one published case per file: its source, its truth group
(the final diagnosis as the paper states it), the numbers as printed and the same presentation as a
case document (``b12-case/1``). :func:`run` assesses every case twice with :func:`logic.assess.assess`:

- *at presentation*: any ADAMTS13 result is withheld and the sample counts as sent and pending
  (``history.adamts13_sent`` on the day of the withheld result), as a clinician would meet the case;
- *with ADAMTS13*: the document as printed, for the cases whose paper gives a number.

``today`` is each case's own last result date (no clock is read). The result is a typed table: per
truth group how Cobalt leans, the share of TTP cases that lean TTP or raise a critical TTP-or-B12
alert, the share of eligible B12 pseudo-TMA cases named as such, and every miss with its source.
The words (title, the plain statement, group and miss labels) are data: ``data/validation/about.json``.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from logic.assess import assess
from logic.case import parse_case
from logic.reference import json_names, load_json, threshold_set
from logic.results import B12Status, Leaning, Severity

CASES_DIR = "validation/cases"
#: the truth groups, in the order the table shows them
TRUTHS = ("ttp", "b12_pseudo_tma", "b12_other", "other_tma", "evans", "itp")
LEANING_ORDER = (Leaning.TTP, Leaning.B12_PSEUDO_TMA, Leaning.OTHER_TMA, Leaning.NOT_TMA, Leaning.INDETERMINATE)
#: truth groups that are B12 deficiency (a B12 pseudo-TMA leaning is not a miss there)
B12_TRUTHS = ("b12_pseudo_tma", "b12_other")
MISS_KINDS = ("ttp_not_flagged", "b12_not_named", "named_b12_wrongly")


@lru_cache(maxsize=1)
def about() -> dict[str, Any]:
    """``data/validation/about.json``: the title, the plain statement and the labels."""
    return load_json("validation/about.json")


@dataclass(frozen=True)
class Source:
    """Where a case was published and which address was read."""

    authors: str | None
    title: str
    journal: str | None
    year: int | None
    doi: str | None
    pmid: str | None
    url: str | None
    read: str

    @property
    def short(self) -> str:
        """'First author et al. year, journal' when the authors are known, else the title."""
        if self.authors:
            first = self.authors.split(",")[0].strip()
            more = " et al." if "," in self.authors else ""
            when = f" {self.year}" if self.year else ""
            return f"{first}{more}{when}, {self.journal}" if self.journal else f"{first}{more}{when}"
        title = self.title if len(self.title) <= 90 else self.title[:89].rstrip() + "…"
        return title if not self.year else f"{title}, {self.year}"

    @property
    def link(self) -> str | None:
        """The most stable address: the DOI, else PubMed, else the page read."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return self.url


@dataclass(frozen=True)
class ValidationCase:
    """One published case: its truth, source, printed numbers, notes and case document."""

    id: str
    truth: str
    new: bool
    shared_id: str | None
    final_diagnosis: str
    source: Source
    printed: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]
    document: dict[str, Any]

    @property
    def has_adamts13(self) -> bool:
        return any(o.get("analyte") == "adamts13_activity" for o in self.document.get("observations", ()))

    def presentation_document(self) -> dict[str, Any]:
        """The document with every ADAMTS13 result withheld and the sample sent on the day of the first."""
        doc = copy.deepcopy(self.document)
        held = [o for o in doc["observations"] if o.get("analyte") == "adamts13_activity"]
        if held:
            doc["observations"] = [o for o in doc["observations"] if o.get("analyte") != "adamts13_activity"]
            doc.setdefault("history", {})["adamts13_sent"] = min(o["date"] for o in held)
        return doc


def _case_from(raw: dict[str, Any]) -> ValidationCase:
    s = raw["source"]
    source = Source(s.get("authors"), s["title"], s.get("journal"), s.get("year"), s.get("doi"), s.get("pmid"),
                    s.get("url"), s.get("read", ""))
    return ValidationCase(raw["id"], raw["truth"], bool(raw["new"]), raw.get("shared_id"), raw["final_diagnosis"],
                          source, tuple(raw.get("printed", ())), tuple(raw.get("notes", ())), raw["case"])


def raw_cases() -> list[dict[str, Any]]:
    """Every case file as read (sorted by file name); not cached through ``load_json`` (its cache is small)."""
    folder = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__)))), "data",
                          CASES_DIR)
    out = []
    for name in json_names(CASES_DIR):
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            out.append(json.load(fh))
    return out


@lru_cache(maxsize=1)
def load_cases() -> tuple[ValidationCase, ...]:
    """The validation set, read once."""
    return tuple(_case_from(raw) for raw in raw_cases())


@dataclass(frozen=True)
class Reading:
    """How Cobalt reads one view of a case."""

    leaning: Leaning
    critical: tuple[str, ...]  # critical TTP-or-B12 alerts (logic.tma), by id
    b12_status: B12Status
    hemolysis: bool | None
    thrombocytopenia: bool | None
    today: date | None

    @property
    def flags_ttp(self) -> bool:
        """Leans TTP or raises a critical TTP-or-B12 alert (the safety floor for a TTP case)."""
        return self.leaning == Leaning.TTP or bool(self.critical)


def read(document: dict[str, Any], thresholds: str | None = None) -> Reading:
    """Assess one case document on the day of its last result."""
    case = parse_case(document)
    today = case.last_date()
    a = assess(case, today=today, thresholds=thresholds)
    critical = tuple(al.id for al in a.tma.alerts if Severity(al.severity) == Severity.CRITICAL)
    return Reading(Leaning(a.leaning), critical, B12Status(a.b12_status), a.tma.hemolysis, a.tma.thrombocytopenia,
                   today)


@dataclass(frozen=True)
class CaseResult:
    """A case and Cobalt's two readings of it."""

    case: ValidationCase
    presentation: Reading
    with_adamts13: Reading | None

    @property
    def eligible_b12(self) -> bool:
        """A B12 pseudo-TMA case whose data show B12 deficiency, haemolysis and thrombocytopenia."""
        p = self.presentation
        return (self.case.truth == "b12_pseudo_tma" and p.b12_status == B12Status.DEFICIENT and p.hemolysis is True
                and p.thrombocytopenia is True)

    @property
    def why_not_eligible(self) -> str | None:
        """For a B12 pseudo-TMA case left out of the share: what the data do not show."""
        if self.case.truth != "b12_pseudo_tma" or self.eligible_b12:
            return None
        p = self.presentation
        missing = []
        if p.b12_status != B12Status.DEFICIENT:
            missing.append(f"B12 {p.b12_status}")
        if p.hemolysis is not True:
            missing.append("haemolysis not shown" if p.hemolysis is None else "no haemolysis")
        if p.thrombocytopenia is not True:
            missing.append("thrombocytopenia not shown" if p.thrombocytopenia is None else "no thrombocytopenia")
        return ", ".join(missing)


@dataclass(frozen=True)
class GroupRow:
    """One truth group: how many cases, how Cobalt leans at presentation, how many raise a critical alert."""

    truth: str
    label: str
    cases: int
    new: int
    leanings: tuple[tuple[Leaning, int], ...]
    critical: int
    with_adamts13: tuple[tuple[Leaning, int], ...]  # leanings once ADAMTS13 is known (cases that have one)

    def count(self, leaning: Leaning) -> int:
        return dict(self.leanings)[leaning]


@dataclass(frozen=True)
class Share:
    """``numerator`` of ``denominator`` cases."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return None if self.denominator == 0 else 100.0 * self.numerator / self.denominator

    def __str__(self) -> str:
        pct = self.percent
        return f"{self.numerator} of {self.denominator}" + ("" if pct is None else f" ({pct:.0f} %)")


@dataclass(frozen=True)
class Miss:
    """A case Cobalt reads in a way that matters: its id, truth, reading and source."""

    kind: str
    case_id: str
    truth: str
    leaning: Leaning
    critical: tuple[str, ...]
    source: str
    link: str | None
    detail: str


@dataclass(frozen=True)
class ValidationTable:
    """The whole reading of the validation set."""

    groups: tuple[GroupRow, ...]
    ttp_share: Share
    b12_share: Share
    misses: tuple[Miss, ...]
    results: tuple[CaseResult, ...]
    thresholds_id: str

    @property
    def cases(self) -> int:
        return len(self.results)

    @property
    def new_cases(self) -> int:
        return sum(r.case.new for r in self.results)

    def result(self, case_id: str) -> CaseResult:
        return next(r for r in self.results if r.case.id == case_id)


def _counts(readings: list[Reading]) -> tuple[tuple[Leaning, int], ...]:
    return tuple((lean, sum(r.leaning == lean for r in readings)) for lean in LEANING_ORDER)


def _misses(results: tuple[CaseResult, ...]) -> tuple[Miss, ...]:
    out = []
    for r in results:
        p, c = r.presentation, r.case
        kind = None
        if c.truth == "ttp" and not p.flags_ttp:
            kind = "ttp_not_flagged"
        elif r.eligible_b12 and p.leaning != Leaning.B12_PSEUDO_TMA:
            kind = "b12_not_named"
        elif c.truth not in B12_TRUTHS and p.leaning == Leaning.B12_PSEUDO_TMA:
            kind = "named_b12_wrongly"
        if kind:
            detail = f"leans {leaning_label(p.leaning)}" + (f"; critical: {', '.join(p.critical)}" if p.critical else
                                              "; no critical alert")
            out.append(Miss(kind, c.id, c.truth, p.leaning, p.critical, c.source.short, c.source.link, detail))
    return tuple(sorted(out, key=lambda m: (MISS_KINDS.index(m.kind), m.case_id)))


def tabulate(results: tuple[CaseResult, ...], thresholds_id: str) -> ValidationTable:
    """The table for readings already made (pure arithmetic on ``results``)."""
    labels = about()["truth_groups"]
    groups = []
    for truth in TRUTHS:
        rows = [r for r in results if r.case.truth == truth]
        if not rows:
            continue
        groups.append(GroupRow(
            truth, labels[truth], len(rows), sum(r.case.new for r in rows), _counts([r.presentation for r in rows]),
            sum(bool(r.presentation.critical) for r in rows),
            _counts([r.with_adamts13 for r in rows if r.with_adamts13 is not None]),
        ))
    ttp = [r for r in results if r.case.truth == "ttp"]
    eligible = [r for r in results if r.eligible_b12]
    return ValidationTable(
        groups=tuple(groups),
        ttp_share=Share(sum(r.presentation.flags_ttp for r in ttp), len(ttp)),
        b12_share=Share(sum(r.presentation.leaning == Leaning.B12_PSEUDO_TMA for r in eligible), len(eligible)),
        misses=_misses(results),
        results=results,
        thresholds_id=thresholds_id,
    )


def run(thresholds: str | None = None, cases: tuple[ValidationCase, ...] | None = None) -> ValidationTable:
    """Assess every case (default: the whole set) at presentation and, where printed, with ADAMTS13."""
    t = threshold_set(thresholds)
    results = tuple(
        CaseResult(c, read(c.presentation_document(), t.id), read(c.document, t.id) if c.has_adamts13 else None)
        for c in (load_cases() if cases is None else cases)
    )
    return tabulate(results, t.id)


# -- the same rows for the command line and the Evidence page ------------------------------------------

def leaning_label(leaning: Leaning) -> str:
    """A leaning in words ('B12 pseudo-TMA'), from about.json."""
    return about()["leanings"][str(leaning)]


def group_columns() -> list[str]:
    return ["truth group", "cases", *map(leaning_label, LEANING_ORDER), "critical alert", "with ADAMTS13"]


def group_rows(table: ValidationTable) -> list[dict[str, Any]]:
    """One row per truth group: leanings at presentation, critical alerts, and the leanings with ADAMTS13."""
    rows = []
    for g in table.groups:
        row: dict[str, Any] = {"truth group": g.label, "cases": f"{g.cases} ({g.new} new)"}
        row.update({leaning_label(lean): n for lean, n in g.leanings})
        row["critical alert"] = g.critical
        row["with ADAMTS13"] = ", ".join(f"{leaning_label(lean)} {n}" for lean, n in g.with_adamts13 if n) or None
        rows.append(row)
    return rows


def miss_rows(table: ValidationTable) -> list[dict[str, Any]]:
    labels = about()["misses"]
    return [{"miss": labels[m.kind], "case": m.case_id, "Cobalt": m.detail, "source": m.source, "link": m.link}
            for m in table.misses]


def case_rows(table: ValidationTable) -> list[dict[str, Any]]:
    """Every case: truth, the two readings, eligibility and source."""
    rows = []
    for r in table.results:
        p, w = r.presentation, r.with_adamts13
        rows.append({
            "case": r.case.id, "truth": r.case.truth, "new": "yes" if r.case.new else f"shared {r.case.shared_id}",
            "at presentation": str(p.leaning) + (f" + {', '.join(p.critical)}" if p.critical else ""),
            "with ADAMTS13": None if w is None else str(w.leaning),
            "B12 share": ("eligible" if r.eligible_b12 else f"not eligible: {r.why_not_eligible}")
            if r.case.truth == "b12_pseudo_tma" else None,
            "source": r.case.source.short, "link": r.case.source.link,
        })
    return rows
