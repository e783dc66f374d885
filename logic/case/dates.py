"""Calendar arithmetic shared by the diagnosis (3-month delay) and the regimen (monthly doses)."""

from __future__ import annotations

from datetime import date

#: Days in each month of a common year (February gains a day in a leap year). The calendar module
#: would say the same, at the price of importing it (and its enums) on every command line.
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def month_days(year: int, month: int) -> int:
    """The number of days in ``month`` (1-12) of ``year`` (the proleptic Gregorian calendar)."""
    return 29 if month == 2 and _is_leap(year) else _MONTH_DAYS[month - 1]


def add_months(d: date, months: int) -> date:
    """``d`` plus whole calendar months, the day clamped to the target month's length."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, month_days(year, month)))
