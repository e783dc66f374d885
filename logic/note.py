"""The "copy to note" summary: the assessment in plain words, no timestamp, no identifiers."""

from __future__ import annotations

from typing import Any

from logic.case import Case
from logic.reference import threshold_set


def note_text(case: Case, result: dict[str, Any]) -> str:
    """A short clinical-note paragraph from an :func:`logic.assess.assess` result."""
    t = threshold_set(result.get("thresholds"))
    lines = [f"B12 assessment (Cobalt, {t.name}):"]
    lines.append(f"- {result['b12']['headline'].rstrip('.')}.")
    for reason in result["b12"]["reasons"]:
        lines.append(f"  {reason['text']}")
    grade = result.get("thrombocytopenia_grade")
    if grade is not None:
        lines.append(f"- Thrombocytopenia: CTCAE v5 grade {grade}." if grade else "- Platelets not low.")
    present = [f["label"].lower() for f in result["findings"] if f["present"] and f["id"] not in ("thrombocytopenia",)]
    if present:
        lines.append("- Also: " + ", ".join(present) + ".")
    if result.get("plasmic"):
        p = result["plasmic"]
        score = p["score"] if p["score"] is not None else f"{p['min']}-{p['max']} (incomplete data)"
        lines.append(f"- PLASMIC {score}" + (f", {p['risk']} risk." if p.get("risk") else "."))
    if result.get("tma"):
        words = {
            "b12_pseudo_tma": "B12 pseudo-TMA",
            "ttp": "TTP",
            "other_tma": "another TMA",
            "not_tma": "not a TMA picture",
            "indeterminate": "not enough to lean either way",
        }
        lines.append(f"- TTP or B12: {words[result['tma']['leaning']]} (a leaning for clinical judgement).")
        adamts = (result["tma"].get("adamts13") or {}).get("text")
        if adamts:
            lines.append(f"  {adamts}")
    causes = [c["label"] for c in result["causes"] if c["present"]]
    if causes:
        lines.append("- Causes in the history: " + ", ".join(causes) + ".")
    lifelong = result.get("lifelong")
    lines.append(
        "- Lifelong treatment: "
        + {True: "yes (permanent cause).", False: "no permanent cause recorded.", None: "not yet known."}[lifelong]
    )
    if result["next_tests"]:
        labels = [n["label"] for n in result["next_tests_detail"]]
        lines.append("- Suggested tests: " + ", ".join(labels) + ".")
    warn = [a["message"] for a in result["alerts"] if a["severity"] in ("critical", "warning")]
    for msg in warn:
        lines.append(f"- Caution: {msg}")
    lines.append("Decision support only; clinical judgement applies.")
    return "\n".join(lines)
