"""``python -m logic``: the command line's parser; each command is a module of this package (assess,
schedule, convert), loaded only when it is the command asked for.

Contract (shared/design/case-format.md): JSON on stdout and exit 0; invalid input exits 2 with one line per
problem on stderr and nothing on stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from logic.cli.io import fail


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


def _add_assess(sub: argparse._SubParsersAction) -> None:
    from logic.cli import assess as assess_cli

    assess_cli.add_parser(sub)


def _add_schedule(sub: argparse._SubParsersAction) -> None:
    """``schedule`` with its options (its module loads the regimen package)."""
    try:
        from logic.cli import schedule as regimen_cli
    except ImportError:
        return
    regimen_cli.add_parser(sub)


def _add_convert(sub: argparse._SubParsersAction) -> None:
    try:
        from logic.cli import convert as convert_cli
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
    return args.run(args, out)
