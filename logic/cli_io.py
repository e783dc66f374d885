"""Output rules shared by every ``python -m logic`` command (contract: case-format.md)."""

from __future__ import annotations

import sys
from typing import TextIO


def fail(lines: list[str]) -> int:
    """Invalid input: one line per problem on stderr (inner line breaks folded), exit status 2."""
    for line in lines:
        print(" ".join(str(line).split()), file=sys.stderr)
    return 2


def write(out: TextIO, text: str) -> int:
    """Write the whole answer at once; a closed pipe (``| head``) is not an error. Exit status 0."""
    try:
        out.write(text)
        out.flush()
    except BrokenPipeError:
        pass
    return 0
