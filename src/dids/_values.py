"""Strict parsers and canonical formatters for DIDS dates, times and timestamps.

Formats are those of ``identifiers.md`` sections 8-10: a shape check with an ASCII-only regular
expression first, then ``date.fromisoformat`` and friends (which on their own accept ISO week
dates, basic formats, fractions and missing offsets). python-dateutil is never used here; the
calendar-month arithmetic of the rules and the submission window is here too (it costs no import
of ``dateutil.relativedelta`` at start-up).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from dids.exceptions import InvalidFormat

#: The shape of a date (``an10 CCYY-MM-DD``): ``date.fromisoformat`` then rejects unreal days.
DATE_SHAPE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DATE = re.compile(DATE_SHAPE + r"\Z")
#: The shape of a v2 clock time (DIAGNOSTIC TEST REQUEST TIME and RECEIVED TIME; X-TIM-01).
TIME_SHAPE = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
_TIME = re.compile(TIME_SHAPE + r"\Z")
#: The shape of a v2 timestamp (CODED PROCEDURE START/END TIMESTAMP, SERVICE REPORT ISSUE
#: TIMESTAMP; rule X-TSP-01): local date, ``T``, clock time, then ``Z`` or an offset.
TIMESTAMP_SHAPE = (
    f"({DATE_SHAPE})T({TIME_SHAPE})"
    r"(Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)
_TIMESTAMP = re.compile(TIMESTAMP_SHAPE + r"\Z")


def days_in_month(year: int, month: int) -> int:
    """The number of days of ``month`` (1-12) of ``year`` (proleptic Gregorian)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def month_end(day: date) -> date:
    """The last day of ``day``'s month (the end of a reporting period, ``file-formats.md``)."""
    return day.replace(day=days_in_month(day.year, day.month))


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months, keeping its day number, or the last day of the
    month reached when that month is shorter (``rules-v2.md``, DIDS062: 2024-01-31 -> 2024-02-29).
    ``ValueError`` outside years 1-9999."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, days_in_month(year, month + 1)))


def parse_date(text: str) -> date:
    """Parse a ``YYYY-MM-DD`` calendar date (Data Dictionary ``an10 CCYY-MM-DD``).

    >>> parse_date("2024-02-29")
    datetime.date(2024, 2, 29)
    >>> parse_date("20240105")
    Traceback (most recent call last):
    dids.exceptions.InvalidFormat: The value has an invalid format.
    """
    if _DATE.match(text) is None:
        raise InvalidFormat
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidFormat from None


def parse_time(text: str) -> time:
    """Parse a 24-hour ``HH:MM:SS`` local clock time (v2 request and received times).

    >>> parse_time("09:05:00")
    datetime.time(9, 5)
    """
    if _TIME.match(text) is None:
        raise InvalidFormat
    return time(int(text[0:2]), int(text[3:5]), int(text[6:8]))


def parse_timestamp(text: str) -> datetime:
    """Parse ``YYYY-MM-DDThh:mm:ss`` plus ``Z`` or ``±hh:mm`` into an aware datetime.

    The offset written is kept as the datetime's ``tzinfo``, so the local wall-clock value stays
    readable (``rules-v2.md`` section 1) while comparisons between datetimes use the instant.

    >>> parse_timestamp("2025-05-31T23:30:00+01:00") == parse_timestamp("2025-05-31T22:30:00Z")
    True
    >>> parse_timestamp("2026-04-01T00:30:00+01:00").date()
    datetime.date(2026, 4, 1)
    """
    match = _TIMESTAMP.match(text)
    if match is None:
        raise InvalidFormat
    day, clock, offset = match.groups()
    try:
        local = date.fromisoformat(day)
    except ValueError:
        raise InvalidFormat from None
    return datetime(
        local.year,
        local.month,
        local.day,
        int(clock[0:2]),
        int(clock[3:5]),
        int(clock[6:8]),
        tzinfo=_offset(offset),
    )


_OFFSETS: dict[str, timezone] = {"Z": timezone.utc, "+00:00": timezone.utc, "-00:00": timezone.utc}


def _offset(text: str) -> timezone:
    tz = _OFFSETS.get(text)
    if tz is None:
        minutes = int(text[1:3]) * 60 + int(text[4:6])
        tz = timezone(timedelta(minutes=-minutes if text[0] == "-" else minutes))
        _OFFSETS[text] = tz
    return tz


def format_date(value: date) -> str:
    """Canonical ``YYYY-MM-DD``."""
    return value.isoformat()


def format_time(value: time) -> str:
    """Canonical ``HH:MM:SS`` (fractions of a second are not part of the format)."""
    return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"


def format_timestamp(value: datetime) -> str:
    """Canonical ``YYYY-MM-DDThh:mm:ss±hh:mm``; a zero offset is written ``+00:00``.

    >>> format_timestamp(parse_timestamp("2020-12-21T09:18:00Z"))
    '2020-12-21T09:18:00+00:00'
    """
    offset = value.utcoffset()
    if offset is None:
        raise InvalidFormat("A DIDS timestamp needs a UTC offset.")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{format_time(value.timetz())}"
        f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    )
