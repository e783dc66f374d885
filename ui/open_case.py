"""The open case as one typed value (what :mod:`ui.session` keeps under one session key), with the chosen
regimen and the save status; the teaching-mode rule of what stays hidden."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from logic.case.entry import blank_case
from ui.perf import Memo


class SaveStatus(StrEnum):
    TEACHING = "teaching"  # a read-only teaching case: never saved
    SAVED = "saved"
    UNSAVED = "unsaved"  # saved, and given an id, on its first change


@dataclass(frozen=True)
class ChosenPlan:
    """The regimen chosen for the case (a preset and its knob values, the first dose); Regimen and
    Recovery follow it. Kept in the case document (``regimen``); a read-only teaching case keeps it
    for the session only."""

    preset: str
    knobs: dict[str, int]
    start: date | None = None


@dataclass(frozen=True)
class OpenCase:
    """The case open in this browser session and what pages share about it.

    ``doc`` is always a valid case document. ``errors`` are the Case page's entries that did not
    validate (field -> message), shown as pending on other pages. ``revision`` changes on every
    change of the document, ``opened`` each time another case is opened.
    """

    doc: dict[str, Any] = field(default_factory=blank_case)
    id: str | None = None
    version: int | None = None
    read_only: bool = False
    source: str | None = None  # the teaching case it was opened from
    conflict: str | None = None  # why the last save was refused; nothing is saved until resolved
    errors: dict[str, str] = field(default_factory=dict)
    revision: int = 0
    opened: int = 0
    revealed: bool = False  # teaching mode: the presenter has revealed this teaching case's verdicts
    session_plan: ChosenPlan | None = None  # a read-only teaching case's plan, for this session only
    units: str | None = None  # a read-only teaching case's unit system, for this session only
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)  # what is made from ``doc`` (ui/session.py)

    @property
    def plan(self) -> ChosenPlan | None:
        """The chosen regimen: the document's ``regimen``, else (teaching cases) the session's."""
        raw = self.doc.get("regimen") if isinstance(self.doc, dict) else None
        if isinstance(raw, dict) and isinstance(raw.get("preset"), str):
            start = raw.get("start")
            return ChosenPlan(raw["preset"], dict(raw.get("knobs") or {}), date.fromisoformat(start) if start else None)
        return self.session_plan

    @property
    def status(self) -> SaveStatus:
        if self.read_only:
            return SaveStatus.TEACHING
        return SaveStatus.SAVED if self.id else SaveStatus.UNSAVED

    def hides_verdicts(self, teaching_mode: bool, teaching_case: str | None = None) -> bool:
        """The teaching-mode rule: with teaching mode on, a teaching case's verdicts (final diagnosis,
        teaching point, label) stay hidden until the presenter reveals them.

        About the open case by default: hidden when it is a read-only teaching case not yet revealed.
        About a named teaching case (a listing of teaching cases): hidden unless it is the open one and
        revealed.
        """
        if not teaching_mode:
            return False
        open_teaching = self.read_only and self.source is not None
        if teaching_case is None:
            return open_teaching and not self.revealed
        return not (open_teaching and self.source == teaching_case and self.revealed)
