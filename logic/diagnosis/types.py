"""The diagnosis result values (frozen): findings, causes, the B12 verdict and the whole picture."""

from __future__ import annotations

from dataclasses import dataclass, field

from logic.case import Observation
from logic.diagnosis.marrow import MarrowReading
from logic.results import Alert, B12Status, NextTest, Note


@dataclass(frozen=True)
class Finding:
    """One feature of the blood picture. ``present`` is True, False or None (not known)."""

    id: str
    label: str
    present: bool | None
    detail: str
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cause:
    """A cause of deficiency from the history; ``lifelong`` when it is permanent."""

    id: str
    label: str
    present: bool | None
    lifelong: bool | None
    text: str
    refs: tuple[str, ...] = ()
    suggested: bool = False  # not recorded, but the case suggests it (shown with what is present)


@dataclass(frozen=True)
class B12Verdict:
    """The B12 status, its headline and reasons, and which marker settled it."""

    status: B12Status
    headline: str
    reasons: tuple[Note, ...]
    serum_band: B12Status | None = None
    holotc_band: B12Status | None = None
    settled_by: str | None = None


@dataclass(frozen=True)
class Diagnosis:
    """What the diagnosis found: B12 verdict, cytopenia grades, haemolysis, causes, lifelong treatment."""

    b12: B12Verdict
    thrombocytopenia_grade: int | None
    anaemia_grade: int | None
    hemolysis: bool | None
    findings: tuple[Finding, ...]
    causes: tuple[Cause, ...]
    lifelong: bool | None
    lifelong_reasons: tuple[Note, ...]
    route: tuple[Note, ...]
    alerts: tuple[Alert, ...]
    next_tests: tuple[NextTest, ...]
    thresholds_id: str
    reticulocyte_production_index: float | None = None
    values: dict[str, Observation] = field(default_factory=dict, compare=False)
    marrow: MarrowReading | None = None  # the one reading of the reticulocytes (marrow.py), on every page

    def finding(self, fid: str) -> Finding:
        return next(f for f in self.findings if f.id == fid)

    def present(self, fid: str) -> bool | None:
        """Whether a finding is present (None when not known or not assessed)."""
        return next((f.present for f in self.findings if f.id == fid), None)
