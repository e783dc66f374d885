"""Result values and vocabularies shared by every part of the logic.

One vocabulary per concept (style.md, habit 15): severity, B12 status, TTP/B12 leaning and
route are ``StrEnum`` members, so they compare equal to (and serialise as) the plain strings of
the command-line contract (``shared/design/case-format.md``). ``Note``, ``Alert`` and
``NextTest`` are the statements every module returns, each with the ids of its sources.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar


class Severity(StrEnum):
    """How urgent an alert is; ``rank`` orders them, most urgent first."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)


_SEVERITY_ORDER = (Severity.CRITICAL, Severity.WARNING, Severity.INFO)


class B12Status(StrEnum):
    """The B12 verdict (NICE NG239 bands, settled by MMA or homocysteine)."""

    DEFICIENT = "deficient"
    INDETERMINATE = "indeterminate"
    UNLIKELY = "unlikely"
    UNKNOWN = "unknown"


class Leaning(StrEnum):
    """Which way a thrombocytopenic, haemolytic picture points (for a clinician to weigh)."""

    B12_PSEUDO_TMA = "b12_pseudo_tma"
    TTP = "ttp"
    OTHER_TMA = "other_tma"
    NOT_TMA = "not_tma"
    INDETERMINATE = "indeterminate"


class Route(StrEnum):
    """How a dose is given; the one vocabulary of the case document, presets and pages.

    ``data/regimens.json`` describes each (label, parenteral, sources); IV is refused there.
    """

    IM = "IM"
    SC = "SC"
    ORAL = "oral"
    IV = "IV"


@dataclass(frozen=True)
class Note:
    """A statement and the references behind it."""

    text: str
    refs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "refs": list(self.refs)}


@dataclass(frozen=True)
class Alert:
    """A warning for the clinician, with its severity and sources."""

    id: str
    severity: Severity
    message: str
    refs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity(self.severity))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "severity": str(self.severity), "message": self.message, "refs": list(self.refs)}


@dataclass(frozen=True)
class NextTest:
    """A test that would add to (or settle) the picture, and why."""

    id: str
    label: str
    reason: str
    refs: tuple[str, ...] = ()


A = TypeVar("A", bound=Alert)


def by_severity(alerts: Iterable[A]) -> list[A]:
    """Alerts most urgent first, keeping the given order within a severity."""
    return sorted(alerts, key=lambda a: Severity(a.severity).rank)
