"""Work measured without a clock: the number of Python function calls a piece of code makes.

Issue 13 forbids tests that assert a time; issue 12 needs hostile files to be handled in linear time.
A call count is deterministic on a given Python, does not depend on how loaded the machine is, and
grows with the work done in Python, so a quadratic (or worse) path shows up as a count far beyond a
budget proportional to the input. Work inside C extensions (a regular expression's backtracking, the
csv module's tokenizer) is not counted: the tests that use this say how they cover it.
"""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable
from typing import Any


def calls(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """``fn(*args, **kwargs)`` and the number of Python function calls it made."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        result = fn(*args, **kwargs)
    finally:
        profile.disable()
    return result, pstats.Stats(profile).total_calls
