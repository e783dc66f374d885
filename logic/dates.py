"""Calendar arithmetic shared by the diagnosis (3-month delay) and the regimen (monthly doses)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(d: date, months: int) -> date:
    """``d`` plus whole calendar months, the day clamped to the target month's length."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
