"""``python -m logic convert FILE [--to json|csv|csv-wide|fhir] [--from FORMAT]``.

Reads a case document, CSV (long or wide) or a FHIR R4 Bundle (detected from the content; ``-``
reads standard input), or a lab printout pasted as text (``--from printout``: logic/cli/printout.py),
and writes the case on stdout: the case document (default), CSV long (``csv``), CSV wide
(``csv-wide``) or a FHIR Bundle (``fhir``). Contract
(shared/design/case-format.md): any problem in the input exits 2 with nothing on stdout and one
line per problem on stderr; the parsing itself is :func:`logic.convert.read_any`, within the limits
of :mod:`logic.case.limits` (the same as the app's uploads).
"""

from __future__ import annotations

import argparse
from typing import TextIO

from logic.cli import fhir as fhir_cli
from logic.cli import printout as printout_cli
from logic.cli.io import fail, read_input, write

OUTPUTS = ("json", "csv", "csv-wide", "fhir")
INPUTS = ("json", "csv-long", "csv-wide", "fhir", "printout")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``convert`` subcommand to the ``python -m logic`` parser."""
    p = sub.add_parser(
        "convert",
        help="convert a case between JSON, CSV and a FHIR R4 Bundle",
        description="Read a case document, a CSV of lab results (long: date,analyte,value,unit; or wide: a date "
        "column and one column per analyte, e.g. 'platelets (10^9/L)') or a FHIR R4 Bundle of laboratory "
        "Observations coded with LOINC, and print the case in the format asked. Label, patient and history "
        "travel only in the case document (JSON). With --from printout, a lab printout pasted as text: the "
        "results read on stdout, every line not read on stderr.",
    )
    p.add_argument("file", nargs="?", help="the file to read, or - for standard input")
    p.add_argument("--to", choices=OUTPUTS, default="json", help="output format (default: json, the case document)")
    p.add_argument("--from", dest="source", choices=INPUTS, default=None, help="input format (default: detected)")
    fhir_cli.add_arguments(p)  # --from-fhir URL --patient ID: search a hospital FHIR server
    printout_cli.add_arguments(p)  # --unit-system, --thresholds, --date, --today: for --from printout
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace, out: TextIO) -> int:
    if args.source == "printout" and not (args.from_fhir or args.patient) and args.file is not None:
        return printout_cli.run(args, out)
    if printout_cli.misused(args):
        return fail(printout_cli.misused(args))
    if args.from_fhir or args.patient or args.file is None:
        return fhir_cli.run(args, out)
    from logic.case import CaseError
    from logic.convert import ConvertError, read_any, write_as

    try:
        data = read_input(args.file)
    except OSError as exc:
        return fail([f"{args.file}: cannot read ({exc.strerror or exc})"])
    result = read_any(data, filename=None if args.file == "-" else args.file, fmt=args.source)
    if result.problems:
        return fail([str(p) for p in result.problems])
    try:
        text = write_as(result.doc, args.to)
    except (CaseError, ConvertError) as exc:  # the document read cannot be written in that format
        return fail([str(p) for p in exc.problems])
    except ValueError as exc:  # strict JSON output (allow_nan=False): never print NaN or Infinity
        return fail([f"the case cannot be written as JSON: {exc}"])
    return write(out, text)
