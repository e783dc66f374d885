"""Command line: ``python -m logic assess CASE.json [--today YYYY-MM-DD] [--thresholds ID]``.

Contract (shared/design/case-format.md): JSON on stdout and exit 0; invalid input exits 2 with
one line per problem on stderr and nothing on stdout. The case is read by
:func:`logic.case_file.read_case_document`, within the limits of :mod:`logic.limits` (the same as
``convert`` and the app's uploads).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from typing import TextIO

from logic.cli_io import fail, read_input, write


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` gives it (``COLUMNS``, the terminal, else 80),
    without importing shutil and the compression modules behind it (argparse's formatter would)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:  # the subcommands' parsers are _Parser too
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # usage errors are exit 2 with one line, like bad input
        raise SystemExit(fail([f"usage: {message}"]))


def _cmd_assess(args: argparse.Namespace, out: TextIO) -> int:
    from logic.assess import assess
    from logic.case import CaseError, parse_case
    from logic.case_file import read_case_document
    from logic.serialize import assessment

    try:
        data = read_input(args.case)
    except OSError as exc:
        return fail([f"{args.case}: cannot read ({exc.strerror or exc})"])
    today = None
    if args.today:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            return fail([f"--today: {args.today!r} is not a date (YYYY-MM-DD)"])
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


def _add_assess(sub: argparse._SubParsersAction) -> None:
    from logic.reference import threshold_set_ids

    p_assess = sub.add_parser("assess", help="assess a case document (JSON on stdout)")
    p_assess.add_argument("case", help="case JSON file, or - for standard input")
    p_assess.add_argument("--today", help="date of assessment, YYYY-MM-DD (default: latest observation)")
    p_assess.add_argument(
        "--thresholds", choices=threshold_set_ids(), default=None, help="threshold set (default: nice_ng239)"
    )


def _add_schedule(sub: argparse._SubParsersAction) -> None:
    """``schedule`` with its options (its module loads the regimen package)."""
    try:
        from logic import regimen_cli
    except ImportError:
        return
    regimen_cli.add_parser(sub)


def _add_convert(sub: argparse._SubParsersAction) -> None:
    try:
        from logic import convert_cli
    except ImportError:
        return
    convert_cli.add_parser(sub)


#: The commands, in the order ``--help`` and a usage error list them.
_COMMANDS = {"assess": _add_assess, "schedule": _add_schedule, "convert": _add_convert}


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = _Parser(prog="python -m logic", description="Cobalt logic without the UI.")
    sub = parser.add_subparsers(dest="command", required=True)
    given = sys.argv[1:] if argv is None else list(argv)
    # load only what the command asked for needs: the other commands are added by name only
    # (nothing else, e.g. --help or a typo, builds them all)
    wanted = given[0] if given and given[0] in _COMMANDS else None
    for name, add in _COMMANDS.items():
        if wanted in (None, name):
            add(sub)
        else:
            sub.add_parser(name)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command == "assess":
        return _cmd_assess(args, out)
    return args.run(args, out)


if __name__ == "__main__":
    sys.exit(main())
