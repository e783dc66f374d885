"""JSON for the command line, made in one place (style.md, habit 15).

Logic returns typed, frozen values; pages render those. Only the command-line edge turns them
into the JSON of the contract (``shared/design/case-format.md``), here, with plain functions
(no import-time cost: ``python -m logic assess`` is meant to start fast).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from logic.results import Alert, NextTest, Note

if TYPE_CHECKING:
    from logic.assess import Assessment
    from logic.recovery import Response, Task
    from logic.tma import Adamts13, FrenchScore, Pull, TmaResult
    from logic.tma.plasmic import Criterion, PlasmicResult


def refs(values: tuple[str, ...] | list[str]) -> list[str]:
    return list(values)


def note(n: Note) -> dict[str, Any]:
    return n.to_dict()


def notes(ns: tuple[Note, ...] | list[Note]) -> list[dict[str, Any]]:
    return [note(n) for n in ns]


def alert(a: Alert) -> dict[str, Any]:
    return a.to_dict()


def alerts(items) -> list[dict[str, Any]]:
    return [alert(a) for a in items]


def next_test(n: NextTest) -> dict[str, Any]:
    return {"id": n.id, "label": n.label, "reason": n.reason, "refs": list(n.refs)}


# -- PLASMIC ------------------------------------------------------------------------


def criterion(c: Criterion) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": c.id,
        "label": c.label,
        "met": c.met,
        "points": None if c.met is None else int(c.met),
        "value": c.value,
        "date": c.date,
        "cutoff": c.cutoff,
        "detail": c.detail,
        "source": c.source,
        "refs": list(c.refs),
    }
    if c.parts:
        out["parts"] = [criterion(p) for p in c.parts]
    return out


def plasmic(p: PlasmicResult) -> dict[str, Any]:
    import copy

    from logic.tma.plasmic import plasmic_data

    data = plasmic_data()
    return {
        "score": p.score,
        "min": p.min_score,
        "max": p.max_score,
        "risk": p.risk,
        "criteria": {c.id: c.met for c in p.criteria},
        "criteria_detail": [criterion(c) for c in p.criteria],
        "unknown": [c.id for c in p.criteria if c.met is None],
        "possible_bands": list(p.possible_bands),
        "in_scope": p.in_scope,
        "scope_note": p.scope_note,
        "band_meaning": p.band_meaning,
        "bands": [
            {
                "id": b["id"],
                "label": b["label"],
                "min": b["min"],
                "max": b["max"],
                "meaning": b["meaning"],
                "refs": list(b["refs"]),
            }
            for b in data["bands"]
        ],
        "validation": copy.deepcopy(data["validation"]),
        "value_rule": data["value_rule"]["text"],
        "b12_note": {"text": data["b12_note"]["text"], "refs": list(data["b12_note"]["refs"])},
        "thresholds": p.thresholds_id,
        "refs": list(p.refs),
    }


# -- recovery ----------------------------------------------------------------------------


def task(t: Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "date": t.date.isoformat(),
        "day": t.day,
        "what": t.what,
        "why": t.why,
        "refs": list(t.refs),
        "done": t.done,
        "overdue": t.overdue,
    }


def response(r: Response) -> dict[str, Any]:
    nd = r.next_draw
    return {
        "day": r.day,
        "reticulocytes": r.reticulocytes,
        "platelets": r.platelets,
        "alerts": alerts(r.alerts),
        "reticulocytes_reason": note(r.reticulocytes_reason),
        "platelets_reason": note(r.platelets_reason),
        "monitoring": [task(x) for x in r.tasks],
        "next_draw": task(nd) if nd else None,
    }


# -- TTP or B12 ---------------------------------------------------------------------------


def pull(p: Pull) -> dict[str, Any]:
    return {
        "id": p.id,
        "label": p.label,
        "value": p.value,
        "date": p.date,
        "weight": p.weight,
        "side": p.side,
        "estimated": p.estimated,
        "b12_marker": p.b12_marker,
        "text": p.text,
        "refs": list(dict.fromkeys(p.refs)),
        "held": p.held,
    }


def adamts13(a: Adamts13) -> dict[str, Any]:
    obs = a.observation
    return {
        "status": a.status,
        "value": obs.display() if obs else None,
        "date": obs.date.isoformat() if obs else None,
        "sent": a.sent,
        "text": a.text,
        "refs": list(a.refs),
    }


def french(f: FrenchScore) -> dict[str, Any]:
    return {
        "score": f.score,
        "min": f.min_score,
        "max": f.max_score,
        "likelihood_pct": list(f.likelihood_pct),
        "criteria": [
            {"id": c.id, "label": c.label, "met": c.met, "value": c.value, "date": c.date} for c in f.criteria
        ],
        "caveat": f.caveat,
        "not_verified": f.not_verified,
        "refs": list(f.refs),
        "boundary": f.boundary,
    }


def tma(r: TmaResult) -> dict[str, Any]:
    return {
        "hemolysis": r.hemolysis,
        "leaning": r.leaning,
        "reasons": [n.text for n in r.reasons],
        "reasons_detail": notes(r.reasons),
        "rule": r.rule,
        "strength": r.strength,
        "decisive": note(r.decisive),
        "deciding_tests": [next_test(n) for n in r.deciding_tests],
        "balance": [pull(p) for p in r.balance],
        "total": r.total,
        "picture_total": r.picture_total,
        "thrombocytopenia": r.thrombocytopenia,
        "schistocytes": r.schistocytes,
        "picture": r.picture,
        "adamts13": adamts13(r.adamts13),
        "french": french(r.french),
        "b12_status": r.b12_status,
        "b12_markers": [
            {"analyte": m.analyte, "label": m.label, "value": m.value, "date": m.date} for m in r.b12_markers
        ],
        "context": notes(r.context),
        "guidance": notes(r.guidance),
        "no_validated_rule": r.no_validated_rule.text,
        "no_validated_rule_refs": list(r.no_validated_rule.refs),
        "alerts": alerts(r.alerts),
        "thresholds": r.thresholds_id,
        "doubt": notes(r.doubt),
        "held_total": r.held_total,
    }


# -- the assessment -------------------------------------------------------------------------


def assessment(a: Assessment) -> dict[str, Any]:
    """The ``assess`` document of the contract (case-format.md), extra keys after the contract's."""
    d = a.diagnosis
    out: dict[str, Any] = {
        "b12_status": d.b12.status,
        "thrombocytopenia_grade": d.thrombocytopenia_grade,
        "plasmic": plasmic(a.plasmic),
        "tma": tma(a.tma),
        "lifelong": d.lifelong,
        "alerts": alerts(a.alerts),
        "next_tests": [n.id for n in d.next_tests],
    }
    if a.response is not None or a.has_treatment_start:
        out["response"] = response(a.response) if a.response is not None else None
    out.update(
        {
            "thresholds": d.thresholds_id,
            "today": a.today.isoformat() if a.today else None,
            "b12": {
                "status": d.b12.status,
                "headline": d.b12.headline,
                "serum_band": d.b12.serum_band,
                "holotc_band": d.b12.holotc_band,
                "settled_by": d.b12.settled_by,
                "reasons": notes(d.b12.reasons),
            },
            "anaemia_grade": d.anaemia_grade,
            "hemolysis": d.hemolysis,
            "reticulocyte_production_index": (
                round(d.reticulocyte_production_index, 2) if d.reticulocyte_production_index is not None else None
            ),
            "findings": [
                {"id": f.id, "label": f.label, "present": f.present, "detail": f.detail, "refs": list(f.refs)}
                for f in d.findings
            ],
            "causes": [
                {
                    "id": c.id,
                    "label": c.label,
                    "present": c.present,
                    "lifelong": c.lifelong,
                    "text": c.text,
                    "refs": list(c.refs),
                    "suggested": c.suggested,
                }
                for c in d.causes
            ],
            "lifelong_reasons": notes(d.lifelong_reasons),
            "route": notes(d.route),
            "next_tests_detail": [next_test(n) for n in d.next_tests],
            "disclaimer": a.disclaimer,
        }
    )
    # additions (issue 20): the one reading of the reticulocytes, and the regimen the Regimen page suggests
    m = d.marrow
    out["reticulocyte_reading"] = (
        None if m is None else {"measure": m.measure, "verdict": m.verdict, "index": m.index, "text": m.text,
                                "refs": list(m.refs)}  # fmt: skip
    )
    choice = a.suggested_regimen
    out["suggested_regimen"] = None if choice is None else {"preset": choice.preset_id, "reason": choice.reason}
    return out
