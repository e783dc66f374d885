"""The "copy to note" summary: the assessment in plain words, no timestamp, no identifiers."""

from __future__ import annotations

from logic.assess import Assessment
from logic.case import Case
from logic.reference import threshold_set
from logic.results import Severity

LEANING_WORDS = {
    "b12_pseudo_tma": "B12 pseudo-TMA",
    "ttp": "TTP",
    "other_tma": "another TMA",
    "not_tma": "not a TMA picture",
    "indeterminate": "not enough to lean either way",
}


def note_text(case: Case, a: Assessment) -> str:
    """A short clinical-note paragraph from an :func:`logic.assess.assess` result."""
    d = a.diagnosis
    t = threshold_set(d.thresholds_id)
    lines = [f"B12 assessment (Cobalt, {t.name}):"]
    lines.append(f"- {d.b12.headline.rstrip('.')}.")
    for reason in d.b12.reasons:
        lines.append(f"  {reason.text}")
    grade = d.thrombocytopenia_grade
    if grade is not None:
        lines.append(f"- Thrombocytopenia: CTCAE v5 grade {grade}." if grade else "- Platelets not low.")
    present = [f.label.lower() for f in d.findings if f.present and f.id != "thrombocytopenia"]
    if present:
        lines.append("- Also: " + ", ".join(present) + ".")
    if a.tma.picture or a.tma.leaning == "ttp":  # no PLASMIC or TTP line without a microangiopathic picture
        p = a.plasmic
        score = p.score if p.score is not None else f"{p.min_score}-{p.max_score} (incomplete data)"
        lines.append(f"- PLASMIC {score}" + (f", {p.risk} risk." if p.risk else "."))
        strength = f", {a.tma.strength}" if a.tma.strength else ""
        lines.append(f"- TTP or B12: {LEANING_WORDS[a.tma.leaning]}{strength} (a leaning for clinical judgement).")
        lines.append(f"  {a.tma.adamts13.text}")
    causes = [c.label for c in d.causes if c.present]
    if causes:
        lines.append("- Causes in the history: " + ", ".join(causes) + ".")
    lines.append(
        "- Lifelong treatment: "
        + {True: "yes (permanent cause).", False: "no permanent cause recorded.", None: "not yet known."}[d.lifelong]
    )
    if d.next_tests:
        lines.append("- Suggested tests: " + ", ".join(n.label for n in d.next_tests) + ".")
    for alert in a.alerts:
        if alert.severity in (Severity.CRITICAL, Severity.WARNING):
            lines.append(f"- Caution: {alert.message}")
    lines.append("Decision support only; clinical judgement applies.")
    return "\n".join(lines)
