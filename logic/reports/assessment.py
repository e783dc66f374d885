"""The clinician's assessment as HTML for print: verdicts, PLASMIC and the leaning, the regimen,
the recovery figure and every source cited, numbered at the end.

Built from :func:`logic.assess.assess` (the same result the pages render) and, when given, the
schedule shown on the Regimen page. No clock: ``today`` is passed in. The case label is the only
identifier printed (pseudonymous by contract).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from logic.assess import Assessment
from logic.case import Case
from logic.recovery import expected
from logic.reference import reference, threshold_set
from logic.regimen import Schedule, blood_tests, for_life
from logic.reports.common import day_words, esc, page
from logic.reports.note import LEANING_WORDS
from logic.reports.svg import Panel, course_svg

PRESENT = {True: "yes", False: "no", None: "not known"}
MAX_DATES = 14


class _Sources:
    """Numbers each source the first time it is cited."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def cite(self, refs: Iterable[str]) -> str:
        nums = []
        for r in dict.fromkeys(refs):
            if r not in self.ids:
                self.ids.append(r)
            nums.append(self.ids.index(r) + 1)
        return f' <span class="small">[{", ".join(map(str, nums))}]</span>' if nums else ""

    def html(self) -> str:
        items = []
        for r in self.ids:
            ref = reference(r)
            extra = [f"doi:{ref['doi']}" if ref.get("doi") else "", f"PMID {ref['pmid']}" if ref.get("pmid") else ""]
            tag = " (Cobalt's own choice: no primary source)" if ref.get("kind") == "cobalt-default" else ""
            items.append(f"<li>{esc(ref['citation'])} {esc(' '.join(e for e in extra if e))}{esc(tag)}</li>")
        return f'<ol class="small">{"".join(items)}</ol>'


def _figure(case: Case, a: Assessment, sched: Schedule | None) -> str:
    lln = threshold_set(a.thresholds_id)["platelets_lln"]
    retic = expected()["reticulocytes"]
    twice = retic["reference_upper_pct"]["value"] * retic["sustain_multiple"]["value"]
    pts = {k: tuple((o.date, float(o.canonical)) for o in case.series(k) if not isinstance(o.canonical, bool))
           for k in ("platelets", "reticulocytes_pct", "reticulocytes_abs")}  # fmt: skip
    panels = [Panel("platelets", "Platelets (10^9/L)", pts["platelets"], ((lln, "lower limit"),))]
    if pts["reticulocytes_pct"]:
        panels.append(
            Panel("reticulocytes_pct", "Reticulocytes (%)", pts["reticulocytes_pct"], ((twice, "twice normal"),))
        )
    else:
        panels.append(Panel("reticulocytes_abs", "Reticulocytes (10^9/L)", pts["reticulocytes_abs"]))
    given = [d.date for d in case.doses]
    last = max((p[0] for p in pts["platelets"] + pts["reticulocytes_pct"]), default=None)
    planned = (
        []
        if sched is None
        else [i.date for i in sched.injections if last is None or i.date <= last + timedelta(weeks=3)]
    )
    return course_svg(panels, given, [d for d in planned if d not in given], case.treatment_start)


def assessment_html(case: Case, a: Assessment, today: date, sched: Schedule | None = None) -> str:
    """The whole assessment as one HTML document (A4)."""
    src = _Sources()
    d, p, t = a.diagnosis, a.plasmic, threshold_set(a.thresholds_id)
    title = f"B12 and platelets: assessment{': ' + case.label if case.label else ''}"
    parts = [f"<h1>{esc(title)}</h1>"]
    last = case.last_date()
    parts.append(
        f'<p class="small">Prepared {esc(day_words(today))} with Cobalt · reference set: {esc(t.name)} · '
        f"results up to {esc(day_words(last)) if last else 'none'}"
        + (f" · treatment started {esc(day_words(case.treatment_start))}" if case.treatment_start else "")
        + "</p>"
    )
    urgent = [al for al in a.alerts if al.severity == "critical"]
    for al in urgent:
        parts.append(f'<div class="box critical"><b>Alert:</b> {esc(al.message)}{src.cite(al.refs)}</div>')
    reasons = "".join(f"<li>{esc(n.text)}{src.cite(n.refs)}</li>" for n in d.b12.reasons)
    parts.append(f"<h2>B12: {esc(str(d.b12.status).upper())}</h2><p><b>{esc(d.b12.headline)}</b></p><ul>{reasons}</ul>")
    if d.next_tests:
        items = "".join(f"<li><b>{esc(n.label)}</b>: {esc(n.reason)}{src.cite(n.refs)}</li>" for n in d.next_tests)
        parts.append(f"<h2>What to test next</h2><ul>{items}</ul>")
    rows = "".join(
        f"<tr><td>{esc(f.label)}</td><td>{PRESENT[f.present]}</td><td>{esc(f.detail)}{src.cite(f.refs)}</td></tr>"
        for f in d.findings
    )
    parts.append(f"<h2>Blood picture</h2><table><tr><th>Finding</th><th>Present</th><th>Detail</th></tr>{rows}</table>")
    score = f"{p.score}" if p.score is not None else f"{p.min_score} to {p.max_score} (criteria not known)"
    crit = "".join(
        f"<tr><td>{esc(c.label)}</td><td>{PRESENT[c.met]}</td><td>{esc(c.detail)}{src.cite(c.refs)}</td></tr>"
        for c in p.criteria
    )
    parts.append(
        f"<h2>PLASMIC {esc(score)}{' · ' + esc(p.risk) + ' risk' if p.risk else ''}</h2>"
        f"<p>{esc(p.band_meaning)}{src.cite(p.refs)}</p><p class='small'>{esc(p.scope_note)}</p>"
        f"<table><tr><th>Criterion</th><th>Met</th><th>Result used</th></tr>{crit}</table>"
    )
    lean = "".join(f"<li>{esc(n.text)}{src.cite(n.refs)}</li>" for n in a.tma.reasons)
    settle = "".join(f"<li><b>{esc(n.label)}</b>: {esc(n.reason)}{src.cite(n.refs)}</li>" for n in a.tma.deciding_tests)
    parts.append(
        f"<h2>TTP or B12: leaning {esc(LEANING_WORDS[a.tma.leaning])}</h2><ul>{lean}</ul>"
        + (f"<p>What would settle it:</p><ul>{settle}</ul>" if settle else "")
        + f"<p class='small'>{esc(a.tma.no_validated_rule.text)}{src.cite(a.tma.no_validated_rule.refs)}</p>"
    )
    others = [al for al in a.alerts if al.severity != "critical"]
    if others:
        boxes = "".join(f'<div class="box {al.severity}">{esc(al.message)}{src.cite(al.refs)}</div>' for al in others)
        parts.append(f"<h2>Alerts</h2>{boxes}")
    causes = [c for c in d.causes if c.present is not False]
    life = {True: "yes (permanent cause)", False: "no permanent cause recorded", None: "not enough data"}[d.lifelong]
    items = "".join(f"<li><b>{esc(c.label)}</b> ({PRESENT[c.present]}): {esc(c.text)}{src.cite(c.refs)}</li>"
                    for c in causes)  # fmt: skip
    life_refs = src.cite(r for n in d.lifelong_reasons for r in n.refs)
    parts.append(f"<h2>Causes and lifelong treatment</h2><ul>{items or '<li>No cause recorded.</li>'}</ul>"
                 f"<p>Lifelong treatment: {esc(life)}.{life_refs}</p>")  # fmt: skip
    route = "".join(f"<li>{esc(n.text)}{src.cite(n.refs)}</li>" for n in d.route)
    parts.append(f"<h2>Route</h2><ul>{route}</ul>")
    if sched is not None:
        parts.append(_regimen(sched, src))
    figure = _figure(case, a, sched)
    if figure:
        parts.append(f"<h2>Recovery so far</h2><figure>{figure}</figure>")
        if a.response is not None:
            r = a.response
            parts.append(
                f"<ul><li>Day {r.day}. Reticulocytes: {esc(r.reticulocytes)}: {esc(r.reticulocytes_reason.text)}"
                f"{src.cite(r.reticulocytes_reason.refs)}</li><li>Platelets: {esc(r.platelets)}: "
                f"{esc(r.platelets_reason.text)}{src.cite(r.platelets_reason.refs)}</li></ul>"
            )
    parts.append(f"<h2>Sources</h2>{src.html()}")
    parts.append(f'<p class="small">{esc(a.disclaimer)}</p>')
    return page(title, "\n".join(parts))


def _regimen(sched: Schedule, src: _Sources) -> str:
    reg = sched.regimen
    phases = "".join(f"<li>{esc(ph.name.replace('_', ' '))}: {esc(ph.describe())}</li>" for ph in reg.phases)
    doses = "".join(
        f"<tr><td>{esc(day_words(i.date))}</td><td>{i.dose_mcg} mcg {esc(i.route)}</td><td>{esc(i.phase)}</td></tr>"
        for i in sched.injections[:MAX_DATES]
    )
    more = len(sched.injections) - MAX_DATES
    life = for_life(sched)
    tail = f"<p>Continues for life: next dose due about {esc(day_words(life[1]))}.</p>" if life else ""
    tests = ", ".join(f"{day_words(b.date)} (day {b.day})" for b in blood_tests(sched.start))
    return (
        f"<h2>Regimen: {esc(reg.name)}</h2>{src.cite(reg.all_refs)}<ul>{phases}</ul>"
        f"<p>{sched.count} doses, {sched.total_mcg / 1000:g} mg in all, {sched.visits} clinic visits; first dose "
        f"{esc(day_words(sched.start))}.</p>"
        f"<table><tr><th>Date</th><th>Dose</th><th>Phase</th></tr>{doses}</table>"
        + (f"<p class='small'>and {more} more doses (see the patient's schedule).</p>" if more > 0 else "")
        + tail
        + f"<p>Blood tests: {esc(tests)}.</p>"
    )
