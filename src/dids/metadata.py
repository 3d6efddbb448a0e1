"""Submission metadata (decision D4) and the v2 submission window (decision D6).

The v2.0 guidance says the submission file's metadata changes but does not publish its items;
these are the minimum the library needs: DATA SET VERSION NUMBER, ORGANISATION IDENTIFIER (CODE
OF SUBMITTING ORGANISATION), REPORTING PERIOD START DATE and END DATE (one calendar month), DATE
AND TIME DATA SET CREATED, and the record count.

>>> submission_window(date(2026, 4, 1))
(datetime.date(2026, 5, 1), datetime.date(2026, 10, 31))
>>> submission_window(date(2027, 4, 1))
(datetime.date(2027, 5, 1), datetime.date(2027, 7, 31))
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from dids._values import add_months, format_timestamp, month_end, parse_date, parse_timestamp
from dids.exceptions import ValidationError
from dids.findings import Issue, issue_for
from dids.identifiers._common import is_ascii_alnum

__all__ = [
    "DATA_SET_VERSION",
    "SHORT_WINDOW_FROM",
    "SubmissionMetadata",
    "parse_metadata",
    "submission_window",
]

#: DATA SET VERSION NUMBER of v2.0 files.
DATA_SET_VERSION = "2.0"
#: The first reporting period with the 3-month window; earlier v2 periods have 6 months (D6).
SHORT_WINDOW_FROM = date(2027, 4, 1)


@attrs.frozen
class SubmissionMetadata:
    """The metadata of a v2 submission (decision D4)."""

    reporting_period_start: date
    reporting_period_end: date
    submitting_organisation: str | None = None
    created_at: datetime | None = None
    record_count: int | None = None
    data_set_version: str = DATA_SET_VERSION

    @classmethod
    def for_period(cls, start: date) -> SubmissionMetadata:
        """Metadata naming only the reporting period that contains ``start``."""
        first = start.replace(day=1)
        return cls(first, month_end(first))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``file-formats.md`` section 5)."""
        return {
            "data_set_version": self.data_set_version,
            "submitting_organisation": self.submitting_organisation,
            "reporting_period_start": self.reporting_period_start.isoformat(),
            "reporting_period_end": self.reporting_period_end.isoformat(),
            "created_at": None if self.created_at is None else format_timestamp(self.created_at),
            "record_count": self.record_count,
        }


def submission_window(period_start: date) -> tuple[date, date]:
    """First and last day on which a file for the period starting ``period_start`` is accepted.

    The window opens the day after the period ends and closes at the end of the Nth calendar
    month after it: N = 6 for April 2026 to March 2027, 3 from April 2027 (decision D6).
    Assumption: a window that would open or close after 9999-12-31 (a period in the calendar's
    last months) opens or closes on that day, the last a date can hold.
    """
    end = month_end(period_start)
    months = 6 if period_start < SHORT_WINDOW_FROM else 3
    try:
        closes = month_end(add_months(end, months))
    except ValueError:  # past year 9999
        closes = date.max
    return (end + timedelta(days=1) if end < date.max else date.max), closes


def metadata_issues(data: object) -> tuple[SubmissionMetadata | None, list[Issue]]:
    """Parse JSON metadata (decision D4) into metadata and X-MET-01 issues, one per bad field."""
    metadata, problems = parse_metadata(data)
    return metadata, [issue_for("X-MET-01", 2, item=field) for field in problems]


def parse_metadata(data: object) -> tuple[SubmissionMetadata | None, list[str]]:
    """Read metadata from its JSON form; return it (``None`` when unusable) and bad fields.

    Every problem is reported by field name (rule X-MET-01); values are never echoed.
    """
    if not isinstance(data, Mapping):
        return None, ["metadata"]
    problems: list[str] = []

    def text(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            problems.append(key)
            return None
        return value.strip()

    version = text("data_set_version")
    if version != DATA_SET_VERSION:
        problems.append("data_set_version")
    organisation = text("submitting_organisation")
    if organisation is None or not (3 <= len(organisation) <= 5 and is_ascii_alnum(organisation)):
        problems.append("submitting_organisation")
    start = _date_field(text("reporting_period_start"))
    if start is None or start.day != 1:
        problems.append("reporting_period_start")
    end = _date_field(text("reporting_period_end"))
    if end is None or start is None or end != month_end(start):
        problems.append("reporting_period_end")
    created_text = text("created_at")
    created = None
    if created_text is not None:
        with contextlib.suppress(ValidationError):
            created = parse_timestamp(created_text)
    if created is None or (end is not None and created.date() <= end):
        problems.append("created_at")
    count = data.get("record_count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        problems.append("record_count")
        count = None
    problems = list(dict.fromkeys(problems))
    if start is None or end is None or {"reporting_period_start", "reporting_period_end"} & set(
        problems
    ):
        return None, problems
    return SubmissionMetadata(start, end, organisation, created, count, version or ""), problems


def _date_field(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValidationError:
        return None
