"""The command line's output on every stored case is what it was (tests/golden_outputs.py).

A refactor keeps these byte for byte; a deliberate change of behaviour updates them in the same
commit, with the change named in its message.
"""

import pytest

from tests.golden_outputs import GOLDEN, outputs

CURRENT = outputs()


def test_every_stored_output_is_still_produced():
    stored = sorted(str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*") if p.is_file())
    assert stored == sorted(CURRENT)


@pytest.mark.parametrize("name", sorted(CURRENT))
def test_output_is_unchanged(name):
    assert CURRENT[name] == (GOLDEN / name).read_bytes().decode("utf-8")
