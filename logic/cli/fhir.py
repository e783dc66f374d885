"""``python -m logic convert [CASE.json] --from-fhir URL --patient ID [--since D] [--until D] [--to FORMAT]``.

Searches a FHIR R4 server for the patient's laboratory Observations with the LOINC codes Cobalt
knows (:mod:`ehr.fhir`), and writes the case with every mapped result (each with its
``source``) added to ``CASE.json`` (or to a new case). Results that could not be mapped are listed
on stderr, one line each, and the exit status is 0. A server failure (down, 401/403, time-out,
malformed Bundle, paging loop) exits 2 with one line on stderr and nothing on stdout. The patient
identifier is used for the query only: it is in neither output. ``COBALT_FHIR_TOKEN`` gives a
bearer token. The time recorded as ``fetched_at`` is the server's own (its ``Date`` header) unless
``--fetched-at`` gives one.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime
from typing import TextIO

from logic.case import CaseError
from logic.case.parse import read_case_document
from logic.case.rules import iso_day
from logic.cli.io import fail, read_input, write


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``--from-fhir`` options of ``convert``."""
    g = p.add_argument_group("from a hospital FHIR server")
    g.add_argument(
        "--from-fhir", metavar="URL", help="FHIR R4 base URL to search (FILE, if given, is the case to add to)"
    )
    g.add_argument("--patient", metavar="ID", help="the patient's FHIR id on that server (used for the query only)")
    g.add_argument("--since", metavar="YYYY-MM-DD", help="first day of results (default: no limit)")
    g.add_argument("--until", metavar="YYYY-MM-DD", help="last day of results (default: no limit)")
    g.add_argument("--fetched-at", metavar="ISO", help="time recorded as fetched_at (default: the server's)")


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ehr.fhir import ServerError, ServerSettings, add_to_case, fetch_results
    from logic.convert import write_as

    problems: list[str] = []
    window: dict[str, date | None] = {"since": None, "until": None}
    for name in window:
        raw = getattr(args, name)
        if raw:
            window[name] = iso_day(raw)  # the contract's form, as the case's own dates
            if window[name] is None:
                problems.append(f"--{name}: {raw[:40]!r} is not a date (YYYY-MM-DD)")
    fetched_at = None
    if args.fetched_at:
        try:
            fetched_at = datetime.fromisoformat(args.fetched_at)
        except ValueError:
            problems.append(f"--fetched-at: {args.fetched_at!r} is not an ISO date-time")
    if not args.from_fhir:
        problems.append("--from-fhir: missing; give the file to read, or --from-fhir URL --patient ID")
    if not args.patient:
        problems.append("--patient: missing; give the patient's FHIR id on the server")
    base = {"format": "b12-case/1", "observations": []}
    if args.file:  # read as `assess` reads a case (logic.case.parse: limits, strict JSON, BOM, CRLF)
        try:
            base = read_case_document(read_input(args.file))
        except OSError as exc:
            problems.append(f"{args.file}: cannot read ({exc.strerror or exc})")
        except CaseError as exc:
            problems += [f"{args.file}: {p.message if p.field == 'file' else p}" for p in exc.problems]
    if problems:
        return fail(problems)
    try:
        settings = ServerSettings(args.from_fhir, token=os.environ.get("COBALT_FHIR_TOKEN") or None)
        fetch = fetch_results(settings, args.patient, window["since"], window["until"], fetched_at)
    except ServerError as exc:
        return fail([f"--from-fhir: {exc.message}"])
    result = add_to_case(base, fetch, [f.resource for f in fetch.mapped])
    for f in fetch.unmapped:
        print(f"not imported: {f.resource} ({f.label}, {f.date}, {f.value}): {f.problem}", file=sys.stderr)
    for p in result.problems:
        print(f"not imported: {p}", file=sys.stderr)
    return write(out, write_as(result.doc, args.to))
