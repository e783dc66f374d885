"""Figure builders: the only logic code that imports plotly; pages call st.plotly_chart.

Palette: Okabe-Ito (colour-blind safe). Figures are small and static (no animation). Rooms:
``b12`` (the B12 scale: a plain SVG, so the Diagnosis page loads no plotly.js), ``balance`` (TTP or
B12?), ``regimen``, ``recovery``; shared ``common``.
"""

from logic.figures.b12 import b12_band_svg
from logic.figures.balance import balance_figure
from logic.figures.common import BAND_COLOURS, OKABE_ITO
from logic.figures.recovery import recovery_figure
from logic.figures.regimen import PHASE_COLOURS, regimen_figure

__all__ = [
    "BAND_COLOURS",
    "OKABE_ITO",
    "PHASE_COLOURS",
    "b12_band_svg",
    "balance_figure",
    "recovery_figure",
    "regimen_figure",
]
