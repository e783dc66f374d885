"""``python -m logic schedule``: the injection schedule as JSON (or CSV / iCalendar).

Contract (shared/design/case-format.md): JSON ``{"injections": [{"date", "dose_mcg", "route",
"phase"}], "count", "total_mcg"}`` plus extra keys (preset, phases, checkpoints, refs...), exit 0.
``--no-weekends`` moves injections off weekends where the spacing allows (JSON adds ``moved`` and
``not_moved``); ``--clinic`` adds the blood tests and the "continues for life" note (JSON adds
``blood_tests`` and ``continues_for_life``). Without them the output is as before.
Invalid options: exit 2, one line per problem on stderr, nothing on stdout.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import date
from typing import Any, TextIO

from logic.case.json_input import text_problem
from logic.cli import serialize
from logic.cli.io import fail, write
from logic.regimen import (
    Checkpoint,
    Injection,
    RegimenError,
    Schedule,
    WeekdayPlan,
    blood_tests,
    build_regimen,
    build_schedule,
    default_preset_id,
    for_life,
    off_weekends,
    parse_knobs,
    phase_to_doc,
    preset_ids,
)

FORMATS = ("json", "csv", "ics")
#: command-line option -> knob key
KNOB_OPTIONS: dict[str, str] = {
    "--dose-mcg": "dose_mcg",
    "--daily-doses": "daily_doses",
    "--alternate-doses": "alternate_doses",
    "--interval-days": "interval_days",
    "--interval-weeks": "interval_weeks",
    "--maintenance-months": "maintenance_months",
    "--maintenance-every-months": "maintenance_every_months",
    "--alternate-weeks": "alternate_weeks",
    "--oral-dose-mcg": "oral_dose_mcg",
}
_FLAG = {v: k for k, v in KNOB_OPTIONS.items()}
#: A knob value on the command line: ASCII digits, at most 9 (int() alone would also take other
#: scripts' digits, "١٠٠٠", and numbers of thousands of digits); parse_knobs then checks each range.
_WHOLE = re.compile(r"[+-]?[0-9]{1,9}", re.ASCII)


def _shown(text: str) -> str:
    """A value from the command line, quoted and shortened for one line of stderr."""
    return repr(text) if len(text) <= 24 else f"{text[:12]!r}… ({len(text):,} characters)"


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``schedule`` subcommand to ``sub`` (an argparse subparsers object)."""
    p = sub.add_parser("schedule", help="injection schedule from a start date (JSON on stdout)")
    p.add_argument("--start", help="first dose, YYYY-MM-DD (required)")
    p.add_argument("--preset", help=f"regimen preset (default {default_preset_id()}): {', '.join(preset_ids())}")
    for flag, key in KNOB_OPTIONS.items():
        p.add_argument(flag, dest=key, metavar="N", help=f"{key.replace('_', ' ')} (default: the preset's)")
    p.add_argument("--format", default="json", help="json (default), csv or ics")
    p.add_argument("--label", help="case label for the calendar (ics only; pseudonymous)")
    p.add_argument(
        "--no-weekends",
        action="store_true",
        help="move injections off Saturdays and Sundays where the schedule's spacing allows (each by at most "
        "two days); JSON lists what moved and what could not",
    )
    p.add_argument(
        "--clinic",
        action="store_true",
        help="add the blood-test appointments of the monitoring plan (ics, json) and, where the plan does not "
        "end, a note that it continues for life (ics, csv, json)",
    )
    p.set_defaults(run=run)
    return p


# -- the JSON of the command (made here, at the edge; style.md habit 15) ----------------------------


def injection_doc(inj: Injection) -> dict[str, Any]:
    """The contract's four keys: date, dose_mcg, route, phase."""
    return {"date": inj.date.isoformat(), "dose_mcg": inj.dose_mcg, "route": str(inj.route), "phase": inj.phase}


def checkpoint_doc(cp: Checkpoint) -> dict[str, Any]:
    return {
        "id": cp.id,
        "date": cp.date.isoformat(),
        "title": cp.title,
        "text": cp.text,
        "refs": list(cp.refs),
        "analytes": list(cp.analytes),
        "phase": cp.phase,
    }


def clinic_doc(sched: Schedule) -> dict[str, Any]:
    """``--clinic``: the blood-test appointments and whether (and from when) the plan continues for life."""
    life = for_life(sched)
    return {
        "blood_tests": [
            {"date": t.date.isoformat(), "day": t.day, "tests": list(t.ids), "what": list(t.what), "refs": list(t.refs)}
            for t in blood_tests(sched.start)
        ],
        "continues_for_life": None
        if life is None
        else {"phase": life[0].name, "next_due": life[1].isoformat(), "spacing": life[0].spacing_text},
    }


def weekday_doc(plan: WeekdayPlan) -> dict[str, Any]:
    """``--no-weekends``: the doses moved (planned and new date) and the weekend doses that stay, with why."""
    return {
        "moved": [
            {"planned": m.planned.date.isoformat(), "date": m.to.isoformat(), "phase": m.planned.phase}
            for m in plan.moved
        ],
        "not_moved": [
            {"date": m.planned.date.isoformat(), "phase": m.planned.phase, "reason": m.reason} for m in plan.kept
        ],
    }


def schedule_doc(sched: Schedule) -> dict[str, Any]:
    """The contract's ``{"injections", "count", "total_mcg"}`` plus visits, start, preset, name,
    knobs, phases (as in the regimen document), checkpoints, notes and refs."""
    regimen = sched.regimen
    return {
        "injections": [injection_doc(i) for i in sched.injections],
        "count": sched.count,
        "total_mcg": sched.total_mcg,
        "visits": sched.visits,
        "start": sched.start.isoformat(),
        "preset": regimen.id,
        "name": regimen.name,
        "knobs": dict(regimen.knobs),
        "phases": [phase_to_doc(p) for p in regimen.phases],
        "checkpoints": [checkpoint_doc(c) for c in sched.checkpoints],
        "notes": serialize.notes(regimen.notes),
        "refs": list(regimen.all_refs),
    }


def _flagged(problem: str) -> str:
    """Name the command-line option in a knob problem ("dose_mcg: ..." -> "--dose-mcg: ...")."""
    key, sep, rest = problem.partition(":")
    if not sep or key not in _FLAG:
        return problem
    for k, flag in _FLAG.items():
        rest = rest.replace(k, flag)
    return f"{_FLAG[key]}:{rest}"


def run(args: argparse.Namespace, out: TextIO) -> int:
    # imported here: `python -m logic assess` builds this parser too and never needs icalendar
    from logic.regimen.exports import ExportError, to_csv, to_ics

    problems: list[str] = []
    start: date | None = None
    if not args.start:
        problems.append("--start: missing; give the date of the first dose, YYYY-MM-DD")
    else:
        from logic.case.rules import iso_day

        start = iso_day(args.start.strip())  # the contract's form: 2026-W45-7 or 20261102 are not taken
        if start is None:
            problems.append(f"--start: {args.start[:40]!r} is not a date (YYYY-MM-DD)")
    preset_id = args.preset or default_preset_id()
    if preset_id not in preset_ids():
        problems.append(f"--preset: unknown preset {preset_id!r}; known: {', '.join(preset_ids())}")
    fmt = (args.format or "json").strip().lower()
    if fmt not in FORMATS:
        problems.append(f"--format: {args.format!r} must be one of {', '.join(FORMATS)}")
    if args.label is not None and fmt != "ics":
        problems.append("--label: only used with --format ics")
    elif args.label is not None:  # one line of text, as a case label (a line break would start a calendar line)
        one_line = None if not any(c in args.label for c in "\t\n\r\u2028\u2029") else "must be one line"
        if why := text_problem(args.label) or one_line:
            problems.append(f"--label: {why}")
    knobs: dict[str, int] = {}
    raw: dict[str, str | None] = {key: getattr(args, key) for key in KNOB_OPTIONS.values()}
    for key, text in raw.items():
        if text is not None and not _WHOLE.fullmatch(text.strip()):  # e.g. "²", "١٠٠٠", 5,000 digits
            problems.append(f"{_FLAG[key]}: {_shown(text)} is not a whole number (digits 0-9)")
            raw[key] = None
    if preset_id in preset_ids():
        knobs, knob_errors = parse_knobs(preset_id, raw)
        problems += [_flagged(p) for p in knob_errors]
    if problems:
        return fail(problems)
    assert start is not None
    try:
        sched = build_schedule(build_regimen(preset_id, **knobs), start)
        weekdays = off_weekends(sched) if args.no_weekends else None
        if weekdays is not None:
            sched = weekdays.schedule
        if fmt == "csv":
            text = to_csv(sched, clinic=args.clinic)
        elif fmt == "ics":
            text = to_ics(sched, label=args.label, clinic=args.clinic)
        else:
            doc = schedule_doc(sched)
            doc.update(clinic_doc(sched) if args.clinic else {})
            doc.update(weekday_doc(weekdays) if weekdays is not None else {})
            text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except (RegimenError, ExportError) as exc:
        return fail([_flagged(p) for p in exc.problems])
    except (OverflowError, ValueError) as exc:  # e.g. a start date near year 9999
        return fail([f"--start: the schedule runs past the last date the calendar holds ({exc})"])
    return write(out, text)
