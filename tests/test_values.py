"""Dates, times and timestamps: the vectors of ``identifiers.md`` sections 8-10."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from dids._values import (
    add_months,
    days_in_month,
    format_time,
    format_timestamp,
    month_end,
    parse_date,
    parse_time,
    parse_timestamp,
)
from dids.exceptions import InvalidFormat
from dids.identifiers._common import passes


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2024-02-29", date(2024, 2, 29)), ("1900-01-02", date(1900, 1, 2))],
)
def test_valid_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2023-02-29", "2024-13-01", "20240105", "2024-W01-1", "2024-1-5", "2024-01-05T00:00",
     "0000-01-01", "２０２４-01-05", "2024-01-05\n", ""],
)
def test_invalid_dates(text: str) -> None:
    with pytest.raises(InvalidFormat):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("00:00:00", time(0)), ("09:05:00", time(9, 5)), ("23:59:59", time(23, 59, 59))],
)
def test_valid_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected
    assert format_time(expected) == text


@pytest.mark.parametrize(
    "text", ["24:00:00", "9:05:00", "09:05", "09:05:00.5", "23:59:60", "12:60:00", "09:05:00Z"]
)
def test_invalid_times(text: str) -> None:
    with pytest.raises(InvalidFormat):
        parse_time(text)


def test_timestamps_compare_as_instants_and_keep_local_date() -> None:
    late_bst = parse_timestamp("2025-05-31T23:30:00+01:00")
    assert late_bst == parse_timestamp("2025-05-31T22:30:00Z")
    assert late_bst.date() == date(2025, 5, 31)
    just_after_midnight = parse_timestamp("2026-04-01T00:30:00+01:00")
    assert just_after_midnight.astimezone(timezone.utc).date() == date(2026, 3, 31)
    assert just_after_midnight.date() == date(2026, 4, 1)
    assert parse_timestamp("2026-04-01T09:00:00-00:00") == datetime(
        2026, 4, 1, 9, tzinfo=timezone.utc
    )


@pytest.mark.parametrize(
    "text",
    [
        "2026-04-01T09:00:00",
        "2026-04-01 09:00:00+01:00",
        "2026-04-01T09:00:00.000+01:00",
        "2026-04-01T09:00:00+0100",
        "2026-04-01T09:00+01:00",
        "2026-02-30T09:00:00Z",
        "2026-04-01T09:00:00z",
        "2026-04-01T24:00:00Z",
        "2026-04-01T09:00:00+24:00",
    ],
)
def test_invalid_timestamps(text: str) -> None:
    with pytest.raises(InvalidFormat):
        parse_timestamp(text)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("2020-12-21T09:18:00Z", "2020-12-21T09:18:00+00:00"),
        ("2026-04-01T09:00:00-00:00", "2026-04-01T09:00:00+00:00"),
        ("2026-04-01T09:00:00+01:00", "2026-04-01T09:00:00+01:00"),
        ("2026-04-01T09:00:00-05:30", "2026-04-01T09:00:00-05:30"),
    ],
)
def test_timestamp_canonical_form(text: str, canonical: str) -> None:
    assert format_timestamp(parse_timestamp(text)) == canonical


def test_timestamp_without_offset_cannot_be_formatted() -> None:
    with pytest.raises(InvalidFormat):
        format_timestamp(datetime(2026, 4, 1, 9))
    assert format_timestamp(datetime(2026, 4, 1, 9, tzinfo=timezone(-timedelta(hours=1)))) == (
        "2026-04-01T09:00:00-01:00"
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [  # rules-v2.md section 7's examples of DIDS062, and the window of decision D6
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 1, date(2024, 3, 29)),
        (date(2026, 4, 30), 6, date(2026, 10, 30)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2000, 2, 29), 12, date(2001, 2, 28)),
    ],
)
def test_add_months_hand_checked(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_month_ends_hand_checked() -> None:
    assert [days_in_month(year, 2) for year in (1900, 2000, 2023, 2024)] == [28, 29, 28, 29]
    assert month_end(date(2026, 4, 1)) == date(2026, 4, 30)
    assert month_end(date(2026, 12, 31)) == date(2026, 12, 31)
    with pytest.raises(ValueError, match="year"):
        add_months(date(9999, 12, 1), 1)


@given(st.dates(), st.integers(min_value=-240, max_value=240))
def test_month_arithmetic_is_relativedeltas(day: date, months: int) -> None:
    """The same days as ``dateutil.relativedelta``, which the rules' text names, and the same
    refusal past the calendar's ends."""
    try:
        expected = day + relativedelta(months=months)
    except (ValueError, OverflowError):
        with pytest.raises(ValueError, match="year"):
            add_months(day, months)
        return
    assert add_months(day, months) == expected
    assert month_end(day) == day + relativedelta(day=31)


@given(st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True))
def test_the_date_screen_reads_a_dated_text_as_parse_date_does(text: str) -> None:
    """The date classifier takes a text of the date shape for a calendar date exactly when
    :func:`parse_date` reads it."""
    from dids._screens.values import _real_date

    assert _real_date(text) == passes(parse_date, text)
