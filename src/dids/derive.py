"""Derived values for analysts, on v1 and v2 records alike.

Waits are whole days between local dates: v2 timestamps count by their local date as written
(``rules-v2.md`` section 1), so a v2 record and its v1 equivalent give the same waits.

>>> from datetime import date
>>> from dids.records import RecordV1
>>> record = RecordV1(birth_date=date(1960, 2, 29), request_date=date(2024, 3, 1),
...                   request_received_date=date(2024, 3, 2), test_date=date(2024, 3, 10),
...                   report_issue_date=date(2024, 3, 11), imaging_site="RA701",
...                   referrer="G1234567")
>>> waits(record)
Waits(request_to_received=1, request_to_test=9, received_to_test=8, test_to_report=1)
>>> age_at_test(record), provider(record), referrer_type(record)
(64, 'RA7', 'GP')
"""

from __future__ import annotations

from datetime import date, datetime

import attrs

from dids.identifiers import ods, referrer
from dids.records import RecordV1, RecordV2

__all__ = [
    "Waits",
    "activity_date",
    "age_at_test",
    "provider",
    "referrer_code",
    "referrer_type",
    "waits",
]

Record = RecordV1 | RecordV2


@attrs.frozen
class Waits:
    """Days between the events of a referral; ``None`` where either date is absent."""

    request_to_received: int | None
    request_to_test: int | None
    received_to_test: int | None
    test_to_report: int | None


def _local(value: date | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def activity_date(record: Record) -> date | None:
    """The test's date: DIAGNOSTIC TEST DATE (v1), or the local date of the start (v2)."""
    if isinstance(record, RecordV1):
        return record.test_date
    return _local(record.procedure_start_timestamp)


def _report_date(record: Record) -> date | None:
    if isinstance(record, RecordV1):
        return record.report_issue_date
    return _local(record.report_issue_timestamp)


def _days(start: date | None, end: date | None) -> int | None:
    return None if start is None or end is None else (end - start).days


def waits(record: Record) -> Waits:
    """Request -> received, request -> test, received -> test and test -> report, in days."""
    tested = activity_date(record)
    return Waits(
        _days(record.request_date, record.request_received_date),
        _days(record.request_date, tested),
        _days(record.request_received_date, tested),
        _days(tested, _report_date(record)),
    )


def age_at_test(record: Record) -> int | None:
    """Age in whole years on the test date (a birthday on 29 February falls on 1 March)."""
    born, tested = record.birth_date, activity_date(record)
    if born is None or tested is None:
        return None
    return tested.year - born.year - ((tested.month, tested.day) < (born.month, born.day))


def provider(record: Record) -> str | None:
    """The provider derived from the imaging site (:func:`dids.identifiers.ods.provider_code`)."""
    return None if record.imaging_site is None else ods.provider_code(record.imaging_site)


def referrer_type(record: Record) -> str:
    """The type of referrer from REFERRER CODE; ``"Not Known"`` when blank or unrecognised."""
    return referrer.NOT_KNOWN if record.referrer is None else referrer.referrer_type(
        record.referrer)


def referrer_code(record: Record) -> str:
    """The referrer code as used downstream: the code when it passes DIDS023, else ``"99"``."""
    return referrer.derived_code(record.referrer or "")
