"""Printable documents: the patient's schedule in plain words and the clinician's assessment.

Each is built as HTML by a pure function and made a PDF by :func:`render_pdf` (WeasyPrint, no
browser); figures are inline SVG drawn here. Rooms: ``common`` (dates, style, the PDF), ``patient``,
``assessment``, ``svg``. No clock: ``today`` is always passed in.
"""

from logic.reports.assessment import assessment_html
from logic.reports.common import day_words, render_pdf
from logic.reports.patient import patient_html, plan_lines, rows

__all__ = ["assessment_html", "day_words", "patient_html", "plan_lines", "render_pdf", "rows"]
