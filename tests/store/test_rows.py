"""The case list's fast path (issue 13: all 10,000 cases listed under 100 ms): rows unpacked by
position and SQLite's times read from their text give the same values as reading each field by name."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from store.records import LOCAL, CaseSummary
from store.rows import LIST_COLUMNS, SUMMARY_COLUMNS, summaries, summary_fields
from tests.store.conftest import case_doc


def _row(**times):
    values = {"id": "a" * 32, "version": 3, "label": "Bed 4", "treatment_start": date(2026, 11, 2),
              "last_observation": "2026-11-20", "created_at": None, "updated_at": None, "status": "active",
              "deleted_at": None, "owner": "local", "team": "ward 7"}
    values.update(times)
    return SimpleNamespace(**values), tuple(values.values())


def test_the_listed_columns_are_the_summary_fields_in_order():
    names = [c.name for c in SUMMARY_COLUMNS]
    assert names == [getattr(c, "clause", c).name for c in LIST_COLUMNS]  # a coerced time wraps its column
    assert [("deleted" if n == "status" else n) for n in names] == [f.name for f in dataclasses.fields(CaseSummary)]


@pytest.mark.parametrize(
    "stored, expected",
    [
        ("2026-01-07 22:39:00.000000", datetime(2026, 1, 7, 22, 39, tzinfo=UTC)),  # SQLite's text: UTC wall time
        ("2026-01-07 22:39:05", datetime(2026, 1, 7, 22, 39, 5, tzinfo=UTC)),
        ("2026-01-07 23:39:00+01:00", datetime(2026, 1, 7, 22, 39, tzinfo=UTC)),  # text with its own offset
        (datetime(2026, 1, 7, 22, 39), datetime(2026, 1, 7, 22, 39, tzinfo=UTC)),  # naive: UTC wall time
        (datetime(2026, 1, 7, 23, 39, tzinfo=timezone(timedelta(hours=1))), datetime(2026, 1, 7, 22, 39, tzinfo=UTC)),
        (datetime(2026, 1, 7, 22, 39, tzinfo=UTC), datetime(2026, 1, 7, 22, 39, tzinfo=UTC)),
    ],
)
def test_a_listed_time_is_the_same_instant_in_utc(stored, expected):
    named, positional = _row(created_at=stored, updated_at=stored, deleted_at=stored, status="deleted")
    (listed,) = summaries([positional])
    for when in (listed.created_at, listed.updated_at, listed.deleted_at):
        assert when == expected and when.utcoffset() == timedelta(0)
    assert listed.deleted is True
    if not isinstance(stored, str):  # the by-name reader takes what SQLAlchemy parsed
        assert listed == CaseSummary(**summary_fields(named))


def test_a_listed_row_equals_the_row_read_by_name():
    when = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    named, positional = _row(created_at=when, updated_at=when)
    assert summaries([positional]) == [CaseSummary(**summary_fields(named))]
    assert summaries([positional])[0].deleted is False and summaries([positional])[0].deleted_at is None


def test_a_listed_time_that_is_no_time_is_refused():
    _, positional = _row(created_at="not a time", updated_at="not a time")
    with pytest.raises(ValueError):
        summaries([positional])


def test_the_list_gives_what_loading_each_case_gives(store, clock):
    for n in range(3):
        store.create_case(case_doc(f"bed {n}"), actor=LOCAL)
        clock.now += timedelta(minutes=1)
    listed = store.list_cases(actor=LOCAL)
    assert [c.label for c in listed] == ["bed 2", "bed 1", "bed 0"]  # most recently saved first
    for summary in listed:
        full = store.load(summary.id, actor=LOCAL)
        assert summary == CaseSummary(**{f.name: getattr(full, f.name) for f in dataclasses.fields(CaseSummary)})
        assert summary.created_at.tzinfo is not None and summary.created_at.utcoffset() == timedelta(0)
