"""``python -m logic convert PRINTOUT.txt --from printout``: a laboratory printout pasted as text.

Prints the case document (results only; ``--to`` another format) on stdout and lists on stderr every
line it did not read, one line each with its line number and why; exit 0 when anything was read. Exit
2 with nothing on stdout when nothing could be read, or when the file cannot be read as text at all
(too large, not UTF-8: the usual input rules of ``convert``). The reading is
:func:`logic.convert.read_printout`: values printed without a unit and numeric dates are read in the
unit system given (``--unit-system``, else the ``--thresholds`` set's); with neither they are listed,
never guessed. A line that looks like a patient identifier is listed without its text.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TextIO

from logic.cli.io import fail, read_input, write

OPTIONS = (("unit_system", "--unit-system"), ("thresholds", "--thresholds"), ("date", "--date"), ("today", "--today"))


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``--from printout`` (refused with the other formats)."""
    from logic.reference import threshold_set_ids

    g = p.add_argument_group("reading a lab printout (--from printout)")
    g.add_argument("--unit-system", choices=("si", "conventional"), default=None,
                   help="the unit of a value printed without one, and the order of a numeric date (si: day first, "
                        "as UK laboratories print; conventional: month first, as US laboratories print); default: "
                        "the --thresholds set's, else none: such values and dates are listed, not read")  # fmt: skip
    g.add_argument("--thresholds", choices=threshold_set_ids(), default=None,
                   help="the reference set of the case (its unit system and printed units: UK B12 in ng/L)")
    g.add_argument("--date", metavar="YYYY-MM-DD", help="draw date of results printed before any date line")
    g.add_argument("--today", metavar="YYYY-MM-DD", help="a date line after this day is refused")


def misused(args: argparse.Namespace) -> list[str]:
    """The printout options given without ``--from printout``, as usage problems."""
    given = [flag for name, flag in OPTIONS if getattr(args, name, None) is not None]
    return [f"usage: {flag} is read only with --from printout" for flag in given]


def _day(flag: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{flag}: {text!r} is not a date (YYYY-MM-DD)") from None


def run(args: argparse.Namespace, out: TextIO) -> int:
    from logic.case import CaseError
    from logic.convert import ConvertError, read_printout, write_as

    try:
        day, today = _day("--date", args.date), _day("--today", args.today)
    except ValueError as exc:
        return fail([str(exc)])
    try:
        data = read_input(args.file)
    except OSError as exc:
        return fail([f"{args.file}: cannot read ({exc.strerror or exc})"])
    reading = read_printout(data, unit_system=args.unit_system, thresholds=args.thresholds, day=day, today=today)
    if reading.problems:
        return fail([str(p) for p in reading.problems])
    for unread in reading.unread:
        print(" ".join(str(unread).split()), file=sys.stderr)
    if not reading.results:
        return fail([f"nothing could be read from {args.file} ({reading.lines} lines with text)"])
    try:
        text = write_as(reading.doc(), args.to)
    except (CaseError, ConvertError) as exc:
        return fail([str(p) for p in exc.problems])
    return write(out, text)
