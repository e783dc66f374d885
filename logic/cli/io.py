"""Input and output rules shared by every ``python -m logic`` command (contract: case-format.md)."""

from __future__ import annotations

import sys
from typing import TextIO

from logic.case.limits import MAX_UPLOAD_BYTES


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


def read_input(path: str) -> bytes | str:
    """A file's bytes (``-``: standard input), at most one byte more than :data:`MAX_UPLOAD_BYTES`, so
    that the reader can say the file is too large without reading all of it. OSError if unreadable."""
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        return stream.read(MAX_UPLOAD_BYTES + 1) if stream is not None else sys.stdin.read(MAX_UPLOAD_BYTES + 1)
    with open(path, "rb") as fh:
        return fh.read(MAX_UPLOAD_BYTES + 1)
