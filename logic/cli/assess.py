"""``python -m logic assess CASE.json [--today YYYY-MM-DD] [--thresholds ID]``: the assessment as JSON.

Contract (shared/design/case-format.md): JSON on stdout and exit 0; invalid input exits 2 with one line per
problem on stderr and nothing on stdout. The case is read by :func:`logic.case.parse.read_case_document`,
within the limits of :mod:`logic.case.limits` (the same as ``convert`` and the app's uploads); the JSON is
made by :mod:`logic.cli.serialize`.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from logic.cli.io import fail, read_input, write


def run(args: argparse.Namespace, out: TextIO) -> int:
    from logic.assess import assess
    from logic.case import CaseError, parse_case
    from logic.case.parse import read_case_document
    from logic.case.rules import iso_day
    from logic.cli.serialize import assessment

    try:
        data = read_input(args.case)
    except OSError as exc:
        return fail([f"{args.case}: cannot read ({exc.strerror or exc})"])
    today = None
    if args.today:
        today = iso_day(args.today)  # the contract's form, as the case's own dates
        if today is None:
            return fail([f"--today: {args.today[:40]!r} is not a date (YYYY-MM-DD)"])
    try:
        case = parse_case(read_case_document(data), today=today)  # with --today, a date after it is refused
    except CaseError as exc:
        return fail([f"{args.case}: {p.message}" if p.field == "file" else str(p) for p in exc.problems])
    result = assessment(assess(case, today=today, thresholds=args.thresholds))
    try:
        text = json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError as exc:  # strict JSON output: never print NaN or Infinity
        return fail([f"the assessment cannot be written as JSON: {exc}"])
    return write(out, text)


def add_parser(sub: argparse._SubParsersAction) -> None:
    from logic.reference import threshold_set_ids

    p_assess = sub.add_parser("assess", help="assess a case document (JSON on stdout)")
    p_assess.add_argument("case", help="case JSON file, or - for standard input")
    p_assess.add_argument("--today", help="date of assessment, YYYY-MM-DD (default: latest observation)")
    p_assess.add_argument(
        "--thresholds", choices=threshold_set_ids(), default=None, help="threshold set (default: nice_ng239)"
    )
    p_assess.set_defaults(run=run)
