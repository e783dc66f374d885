"""ADAMTS13 activity: which state the results put the case in (ISTH 2020 cut-offs).

Any result below 10 % means severe deficiency (TTP), whatever came after (plasma raises it).
Otherwise a sample sent (``history.adamts13_sent``) with no result on or after that day is
pending; with no result and nothing sent it is not sent; else the earliest result decides:
above 20 % not deficient, 10-20 % borderline, a censored value across a cut-off not decisive.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from logic.case import Case, Observation, bands
from logic.reference.statements import statement, text
from logic.tma.data import groups


class Adamts13Status(StrEnum):
    SEVERE = "severe"
    BORDERLINE = "borderline"
    NOT_DEFICIENT = "not_deficient"
    PENDING = "pending"
    NOT_SENT = "not_sent"
    NOT_DECISIVE = "not_decisive"

    @property
    def awaited(self) -> bool:
        """True while ADAMTS13 has not settled the question (no result, pending, or 10-20 %)."""
        return self not in (Adamts13Status.SEVERE, Adamts13Status.NOT_DEFICIENT)


@dataclass(frozen=True)
class Adamts13:
    """ADAMTS13 state, the result that decided it, and the sentence that says so."""

    status: Adamts13Status
    observation: Observation | None
    text: str
    refs: tuple[str, ...]
    sent: str | None = None


def adamts13_state(case: Case) -> Adamts13:
    """Read ADAMTS13 from every result: any <10 % is severe; a sent sample awaits its result;
    otherwise the earliest result decides."""
    g = groups()["adamts13"]
    cuts = {"severe": g["severe_below"], "normal": g["not_deficient_above"]}
    refs = tuple(g["refs"])
    sent = case.history.adamts13_sent
    sent_text = sent.isoformat() if sent else None
    series = case.series("adamts13_activity")

    def say(status: Adamts13Status, obs: Observation | None) -> Adamts13:
        key = f"tma.adamts13_{status}"
        shown = obs.dated() if obs else None
        return Adamts13(status, obs, text(key, value=shown, sent=sent_text, **cuts), refs, sent_text)

    for obs in series:
        if bands.below(obs, cuts["severe"]):
            return say(Adamts13Status.SEVERE, obs)
    if sent is not None and not any(o.date >= sent for o in series):
        return say(Adamts13Status.PENDING, None)
    if not series:
        return say(Adamts13Status.NOT_SENT, None)
    first = series[0]
    if bands.above(first, cuts["normal"]):
        return say(Adamts13Status.NOT_DEFICIENT, first)
    if bands.below(first, cuts["severe"]) is False and bands.above(first, cuts["normal"]) is False:
        return say(Adamts13Status.BORDERLINE, first)
    return say(Adamts13Status.NOT_DECISIVE, first)


def adamts13_refs() -> tuple[str, ...]:
    return tuple(statement("tma.adamts13_severe")["refs"])
