"""What changed between two versions of a case document, in words a clinician reads at a glance.

``changes(old, new)`` lists each difference ("Platelets 2026-11-20: 62 → 64", "treatment start set:
2026-11-02"); ``describe`` joins them for a version list. Pure and tolerant: it reads documents as
stored (valid ``b12-case/1``) but never raises on an odd one, so an old version can always be shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from logic.case.entry import display_unit, format_entry
from logic.case.rules import ANTIBODY_FLAGS, HISTORY_LABELS
from logic.reference import analytes

ARROW = "→"
_TRI = {True: "yes", False: "no", None: "unknown"}
_TRI_AB = {True: "positive", False: "negative", None: "unknown"}
_TOP_LEVEL = ("format", "label", "patient", "history", "treatment_start", "observations", "doses", "regimen",
              "unit_system")


@dataclass(frozen=True)
class Change:
    """One difference: what (``Platelets 2026-11-20``), the value before and after (None: absent).
    ``item`` marks a listed thing (a result, a dose) that is added or removed rather than set or cleared."""

    what: str
    before: str | None = None
    after: str | None = None
    item: bool = False

    def __str__(self) -> str:
        if self.before is None and self.after is None:
            return self.what
        if self.before is None:
            return f"{self.what} {'added' if self.item else 'set'}: {self.after}"
        if self.after is None:
            return f"{self.what} {'removed' if self.item else 'cleared'} (was {self.before})"
        return f"{self.what}: {self.before} {ARROW} {self.after}"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _short_label(name: str) -> str:
    return HISTORY_LABELS.get(name, name.replace("_", " ")).split(" (")[0]


def _analyte_label(name: Any) -> str:
    spec = analytes().get(name) if isinstance(name, str) else None
    return spec["label"] if spec else str(name)


def _obs_value(o: dict[str, Any], with_unit: bool) -> str:
    value = o.get("value")
    if isinstance(value, bool):
        if o.get("analyte") == "dat_positive":
            return "positive" if value else "negative"
        return "seen" if value else "not seen"
    if isinstance(value, (int, float)):
        text = format_entry(float(value), o.get("comparator"))
    else:
        text = str(value)
    unit = display_unit(o.get("unit")) if with_unit else ""
    return f"{text} {unit}".strip()


def _observations(old: list[Any], new: list[Any]) -> list[Change]:
    groups: dict[tuple[str, str], tuple[list[dict], list[dict]]] = defaultdict(lambda: ([], []))
    for side, items in ((0, old), (1, new)):
        for o in items:
            if isinstance(o, dict):
                groups[(str(o.get("date")), str(o.get("analyte")))][side].append(o)
    out: list[Change] = []
    for (day, analyte), (before, after) in sorted(groups.items()):
        what = f"{_analyte_label(analyte)} {day}"
        for i in range(max(len(before), len(after))):
            b = before[i] if i < len(before) else None
            a = after[i] if i < len(after) else None
            if a == b:
                continue
            if b is None or a is None:
                out.append(Change(what, b and _obs_value(b, True), a and _obs_value(a, True), item=True))
            else:
                same_unit = b.get("unit") == a.get("unit")
                out.append(Change(what, _obs_value(b, not same_unit), _obs_value(a, not same_unit)))
    return out


def _dose_text(d: dict[str, Any]) -> str:
    amount = d.get("dose_mcg")
    amount = f"{amount:g}" if isinstance(amount, (int, float)) and not isinstance(amount, bool) else str(amount)
    product = f" {d['product']}" if d.get("product") else ""
    return f"{amount} mcg {d.get('route', 'IM')}{product}"


def _doses(old: list[Any], new: list[Any]) -> list[Change]:
    key = lambda d: (str(d.get("date")), _dose_text(d))  # noqa: E731 - a sort and match key
    before = sorted((d for d in old if isinstance(d, dict)), key=key)
    after = sorted((d for d in new if isinstance(d, dict)), key=key)
    out = []
    for d in after:
        if d in before:
            before.remove(d)
        else:
            out.append(Change(f"dose given {d.get('date')}", None, _dose_text(d), item=True))
    out += [Change(f"dose given {d.get('date')}", _dose_text(d), None, item=True) for d in before]
    return sorted(out, key=lambda c: c.what)


def _history(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out = []
    order = list(HISTORY_LABELS)  # the checklist's order, then anything else by name
    for name in sorted(set(old) | set(new), key=lambda n: (order.index(n) if n in order else len(order), n)):
        b, a = old.get(name), new.get(name)
        if a == b:
            continue
        label = _short_label(name)
        if isinstance(a, bool) or isinstance(b, bool):
            words = _TRI_AB if name in ANTIBODY_FLAGS else _TRI
            out.append(Change(label, words.get(b, str(b)), words.get(a, str(a))))
        else:
            out.append(Change(label, None if b is None else str(b), None if a is None else str(a)))
    return out


def _regimen(old: Any, new: Any) -> list[Change]:
    old, new = _dict(old), _dict(new)
    if old == new:
        return []
    if not old or not new:
        text = lambda r: f"{r.get('preset')}" + (f" from {r['start']}" if r.get("start") else "")  # noqa: E731
        return [Change("regimen", text(old) if old else None, text(new) if new else None)]
    out = []
    if old.get("preset") != new.get("preset"):
        out.append(Change("regimen", str(old.get("preset")), str(new.get("preset"))))
    knobs_b, knobs_a = _dict(old.get("knobs")), _dict(new.get("knobs"))
    for k in sorted(set(knobs_b) | set(knobs_a)):
        if knobs_b.get(k) != knobs_a.get(k) and old.get("preset") == new.get("preset"):
            out.append(Change(f"regimen {k.replace('_', ' ')}", _opt(knobs_b.get(k)), _opt(knobs_a.get(k))))
    if old.get("start") != new.get("start"):
        out.append(Change("regimen first dose", _opt(old.get("start")), _opt(new.get("start"))))
    return out


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def changes(old: dict[str, Any] | None, new: dict[str, Any]) -> tuple[Change, ...]:
    """Every difference from ``old`` to ``new`` (``old`` None: the case was created)."""
    if old is None:
        return (Change("case created"),)
    old, new = _dict(old), _dict(new)
    out: list[Change] = []
    if old.get("label") != new.get("label"):
        out.append(Change("label", _quoted(old.get("label")), _quoted(new.get("label"))))
    pb, pa = _dict(old.get("patient")), _dict(new.get("patient"))
    for name, what in (("age_years", "age"), ("sex", "sex")):
        if pb.get(name) != pa.get(name):
            out.append(Change(what, _opt(pb.get(name)), _opt(pa.get(name))))
    if old.get("treatment_start") != new.get("treatment_start"):
        out.append(Change("treatment start", _opt(old.get("treatment_start")), _opt(new.get("treatment_start"))))
    out += _history(_dict(old.get("history")), _dict(new.get("history")))
    out += _observations(_list(old.get("observations")), _list(new.get("observations")))
    out += _doses(_list(old.get("doses")), _list(new.get("doses")))
    out += _regimen(old.get("regimen"), new.get("regimen"))
    if old.get("unit_system") != new.get("unit_system"):
        out.append(Change("units", _opt(old.get("unit_system")), _opt(new.get("unit_system"))))
    for key in sorted((set(old) | set(new)) - set(_TOP_LEVEL)):
        if old.get(key) != new.get(key):
            out.append(Change(f"{key} changed"))
    return tuple(out)


def _quoted(value: Any) -> str | None:
    return None if value is None else f"'{value}'"


def describe(found: tuple[Change, ...] | list[Change], limit: int = 6) -> str:
    """The changes joined for a version list; after ``limit`` of them, how many more. No change: 'no change'."""
    if not found:
        return "no change"
    shown = "; ".join(str(c) for c in found[:limit])
    more = len(found) - limit
    return shown + (f"; and {more} more" if more > 0 else "")
