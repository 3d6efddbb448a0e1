"""v1 to v2 conversion: every v1 item to its v2 successor, with a note wherever it loses.

The successor of each v2 item is the catalogue's ``v1_predecessor`` column. Dates become
timestamps at 00:00 local time with the UK offset in force that day (GMT or BST), since v1 has
no time of day. What cannot be converted without inventing data is reported, never made up:

* ``X-CNV-01``: v1 PERSON GENDER CODE CURRENT 0 (Not Known) has no PERSON STATED GENDER CODE
  counterpart; the item is left blank. 1, 2 and 9 keep their codes.
* ``X-CNV-02``: a v1 date became a timestamp at 00:00 local time; the time is not known.
* ``X-CNV-03``: v2 items with no v1 predecessor (treatment function, priority, evaluation
  indicator, request and received times, procedure end) are left blank.

>>> from datetime import date
>>> from dids.records import RecordV1
>>> v2, notes = v1_to_v2(RecordV1(gender="0", test_date=date(2024, 7, 1)))
>>> v2.stated_gender is None, v2.procedure_start_timestamp.isoformat()
(True, '2024-07-01T00:00:00+01:00')
>>> [note.code for note in notes]
['X-CNV-01', 'X-CNV-02', 'X-CNV-03']
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import attrs

from dids.catalogue import V1, V2, Kind
from dids.codes import GenderCurrent, StatedGender
from dids.records import RecordV1, RecordV2

__all__ = ["NOTES", "ConversionNote", "uk_offset", "v1_to_v2"]

#: Conversion notes by code.
NOTES = {
    "X-CNV-01": "v1 gender code 0 (Not Known) has no PERSON STATED GENDER CODE counterpart; "
    "left blank.",
    "X-CNV-02": "A v1 date has no time of day: the v2 timestamp is set to 00:00 local time.",
    "X-CNV-03": "v2 items that v1 lacks (treatment function, priority, evaluation indicator, "
    "request and received times, procedure end) are left blank.",
}
_GENDER = {
    GenderCurrent.MALE: StatedGender.MALE,
    GenderCurrent.FEMALE: StatedGender.FEMALE,
    GenderCurrent.NOT_SPECIFIED: StatedGender.INDETERMINATE,
}
_GMT, _BST = timezone.utc, timezone(timedelta(hours=1))


@attrs.frozen
class ConversionNote:
    """A conversion step that lost information; ``item`` is the v2 item concerned."""

    code: str
    item: str | None = None

    @property
    def message(self) -> str:
        """What was lost."""
        return NOTES[self.code]


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def uk_offset(day: date) -> timezone:
    """The UK offset at 00:00 local time on ``day``: BST between the last Sundays of March
    and October (the change happens at 01:00 UTC, after midnight), else GMT.

    >>> uk_offset(date(2024, 3, 31)), uk_offset(date(2024, 4, 1)), uk_offset(date(2024, 10, 27))
    (datetime.timezone.utc, datetime.timezone(datetime.timedelta(seconds=3600)), datetime.timezone(datetime.timedelta(seconds=3600)))
    """  # noqa: E501
    return _BST if _last_sunday(day.year, 3) < day <= _last_sunday(day.year, 10) else _GMT


def v1_to_v2(record: RecordV1) -> tuple[RecordV2, list[ConversionNote]]:
    """Convert one v1 record; return the v2 record and the notes of what was lost."""
    values: dict[str, Any] = {}
    notes: list[ConversionNote] = []
    for item in V2.items:
        if item.v1_predecessor is None:
            continue
        value = getattr(record, V1[item.v1_predecessor].python_name)
        if value is None:
            continue
        if item.python_name == "stated_gender":
            value = _GENDER.get(value)
            if value is None:
                notes.append(ConversionNote("X-CNV-01", item.python_name))
                continue
        elif item.kind is Kind.TIMESTAMP:
            value = datetime.combine(value, time(0), tzinfo=uk_offset(value))
            notes.append(ConversionNote("X-CNV-02", item.python_name))
        values[item.python_name] = value
    notes.append(ConversionNote("X-CNV-03"))
    return RecordV2(**values), notes
