"""The patient's schedule in plain words, as HTML (and PDF through :func:`logic.reports.render_pdf`).

What the treatment is, when each injection or tablet is due, the blood tests and their dates (the
monitoring plan, :func:`logic.regimen.blood_tests`), where to write the patient's name and the
clinic's contact, what to report at once, and whether the treatment continues for life. The words
are in ``data/patient_sheet.json``; none of its ``jargon`` list appears (tests/test_reports.py).
No identifier is printed: the name is written by hand on paper. No clock: ``today`` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from logic.reference import load_json
from logic.regimen import Injection, Phase, Schedule, blood_tests, for_life
from logic.reports.common import day_words, esc, page


@lru_cache(maxsize=1)
def words() -> dict[str, Any]:
    """``data/patient_sheet.json``."""
    return load_json("patient_sheet.json")


@dataclass(frozen=True)
class Row:
    """One line of the patient's dates: an injection, a run of daily tablets, or a blood test."""

    date: date
    what: str
    until: date | None = None


def _kind(inj: Injection | Phase) -> str:
    return words()["kind"][str(inj.route)]


def rows(sched: Schedule) -> tuple[Row, ...]:
    """Every dose (daily tablets of one dose in a row as one line) and blood test, by date."""
    w = words()
    out: list[Row] = []
    doses = list(sched.injections)
    i = 0
    while i < len(doses):
        inj = doses[i]
        j = i
        while (
            not inj.parenteral
            and j + 1 < len(doses)
            and not doses[j + 1].parenteral
            and (doses[j + 1].date - doses[j].date).days == 1
            and doses[j + 1].dose_mcg == inj.dose_mcg
        ):
            j += 1
        what = f"{_kind(inj)}, {inj.dose_mcg:g} micrograms"
        if j > i:
            out.append(Row(inj.date, f"{what}, every day until {day_words(doses[j].date)}", doses[j].date))
        else:
            out.append(Row(inj.date, what))
        i = j + 1
    for t in blood_tests(sched.start):
        out.append(Row(t.date, f"{w['blood_test']}: " + "; ".join(t.plain)))
    return tuple(sorted(out, key=lambda r: (r.date, not r.what.startswith(w["blood_test"]))))


def plan_lines(sched: Schedule) -> tuple[str, ...]:
    """One sentence per part of the plan, e.g. ``From Mon 2 Nov 2026 to Sun 8 Nov 2026: injection into
    a muscle every day, 1000 micrograms each time (7 in all).``, then whether it continues for life."""
    w = words()
    phases = {p.name: p for p in sched.regimen.phases}
    out = []
    for name, first, last, n in sched.phase_spans():
        p = phases[name]
        span = f"On {day_words(first)}" if first == last else f"From {day_words(first)} to {day_words(last)}"
        out.append(f"{span}: {_kind(p).lower()} {p.spacing_text}, {p.dose_mcg:g} micrograms each time ({n} in all).")
    life = for_life(sched)
    if life is not None:
        phase, after = life
        out.append(w["for_life"].format(spacing=phase.spacing_text, date=day_words(after)))
    elif sched.end is not None:
        out.append(w["ends"].format(date=day_words(sched.end)))
    return tuple(out)


def patient_html(sched: Schedule, today: date | None, unconfirmed: bool = False) -> str:
    """The patient's sheet as a whole HTML document (A4, printable); ``today`` dates the footer.
    ``unconfirmed``: the plan has no clear indication yet (:func:`logic.tma.regimen_caveat`), and the
    sheet says, in plain words, to check with the clinical team before the first date."""
    w = words()
    fill = "".join(f'<tr><td class="label">{esc(f)}</td><td></td></tr>' for f in w["fill_in"])
    medicine = sorted({p.product for p in sched.regimen.phases})
    table = "".join(
        f"<tr><td class='date'>{esc(day_words(r.date))}</td><td>{esc(r.what)}</td><td class='tick'></td></tr>"
        for r in rows(sched)
    )
    body = f"""
<h1>{esc(w["title"])}</h1>
{f'<p class="box warning">{esc(w["unconfirmed"])}</p>' if unconfirmed else ""}
<p>{esc(w["intro"])}</p>
<table class="fill">{fill}</table>
<h2>Your treatment</h2>
<p>Vitamin B12 ({esc(" and ".join(medicine))}).</p>
<ul>{"".join(f"<li>{esc(line)}</li>" for line in plan_lines(sched))}</ul>
<p>{esc(w["missed"])}</p>
<h2>{esc(w["report_title"])}</h2>
<ul>{"".join(f"<li>{esc(item)}</li>" for item in w["report"])}</ul>
<h2>Your dates</h2>
<table><thead><tr><th>Date</th><th>What</th><th>Done</th></tr></thead><tbody>{table}</tbody></table>
<p class="small">{esc(w["footer"].format(today=day_words(today)) if today else w["footer_undated"])}</p>
"""
    return page(w["title"], body)
