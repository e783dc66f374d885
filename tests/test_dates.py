"""Calendar arithmetic (logic/case/dates.py): whole months, the day clamped to the month's length."""
from datetime import date

import pytest

from logic.case.dates import add_months


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 8, 1), 3, date(2026, 11, 1)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2026, 5, 31), 0, date(2026, 5, 31)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 1, 1), 120, date(2036, 1, 1)),
], ids=["jan31_plus_1_is_feb28", "leap_year_feb29", "three_months", "crosses_the_year_and_clamps",
        "december_to_january", "zero_months", "minus_one_month", "ten_years"])  # fmt: skip
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_the_three_month_delay_boundary_is_exact():
    onset = date(2026, 8, 1)
    assert add_months(onset, 3) == date(2026, 11, 1)
    assert date(2026, 11, 2) > add_months(onset, 3) >= date(2026, 11, 1)


def test_month_lengths_are_the_calendar_modules_for_four_centuries():
    import calendar

    from logic.case.dates import month_days

    for year in [1, *range(1896, 2405), 9999]:
        for month in range(1, 13):
            assert month_days(year, month) == calendar.monthrange(year, month)[1], (year, month)


@pytest.mark.parametrize(("year", "days"), [(1900, 28), (2000, 29), (2024, 29), (2026, 28), (2100, 28)])
def test_february_has_29_days_only_in_a_leap_year(year, days):
    from logic.case.dates import month_days

    assert month_days(year, 2) == days
