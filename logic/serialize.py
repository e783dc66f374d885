"""JSON for the command line, made in one place (style.md, habit 15).

Logic returns typed, frozen values; pages render those. Only the command-line edge turns them
into the JSON of the contract (``shared/design/case-format.md``), here, with plain functions
(no import-time cost: ``python -m logic assess`` is meant to start fast).
"""

from __future__ import annotations

from typing import Any

from logic.results import Alert, NextTest, Note


def refs(values: tuple[str, ...] | list[str]) -> list[str]:
    return list(values)


def note(n: Note) -> dict[str, Any]:
    return {"text": n.text, "refs": list(n.refs)}


def notes(ns: tuple[Note, ...] | list[Note]) -> list[dict[str, Any]]:
    return [note(n) for n in ns]


def alert(a: Alert) -> dict[str, Any]:
    return {"id": a.id, "severity": str(a.severity), "message": a.message, "refs": list(a.refs)}


def alerts(items) -> list[dict[str, Any]]:
    return [alert(a) for a in items]


def next_test(n: NextTest) -> dict[str, Any]:
    return {"id": n.id, "label": n.label, "reason": n.reason, "refs": list(n.refs)}
