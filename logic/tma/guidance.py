"""What the ISTH 2020 guideline says while ADAMTS13 is awaited and the picture leans TTP.

Quoted as sourced statements for the treating team, never as orders (``data/statements/tma.json``).
"""

from __future__ import annotations

from logic.reference import ThresholdSet
from logic.reference.statements import say
from logic.results import Leaning, Note
from logic.tma.adamts13 import Adamts13
from logic.tma.data import groups

KEYS = (
    "guidance_intro",
    "guidance_sample_first",
    "guidance_high_suspicion",
    "guidance_lower_suspicion",
    "guidance_steroids",
    "guidance_rituximab",
    "guidance_caplacizumab",
    "guidance_platelets",
)


def isth_guidance(leaning: Leaning, adamts: Adamts13, t: ThresholdSet) -> tuple[Note, ...]:
    """The ISTH statements that apply: only with a TTP leaning and ADAMTS13 not yet back."""
    if leaning != Leaning.TTP or not adamts.status.awaited:
        return ()
    severe = groups()["adamts13"]["severe_below"]
    return tuple(say(f"tma.{k}", t, severe=severe) for k in KEYS)
