"""Hypothesis strategies for DIDS values, records and submissions (``dids[hypothesis]``).

Values are built constructively, never by filtering: NHS numbers from the 999 test range with
their modulus 11 check digit, SNOMED CT identifiers with their Verhoeff check digit, and the
date chain request <= received <= procedure start <= end <= report. Every record from
:func:`records` passes every rule that needs no reference data.

>>> from hypothesis import given
>>> @given(records(version=2))
... def test_round_trip(record):
...     assert type(record).from_row(record.to_row()) == record
>>> test_round_trip()
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal, overload

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "dids.strategies needs Hypothesis: install the extra with 'pip install dids[hypothesis]'"
    ) from error

import attrs
from dateutil.relativedelta import relativedelta

from dids._oracle import FILE_RULES, InvalidExample, file_example, row_example
from dids.catalogue import V2_START, Kind, layout
from dids.codes import CODE_LISTS, CodeEnum
from dids.identifiers import nhs_number, snomed_ct
from dids.identifiers.ods import defaults
from dids.io.json import Submission
from dids.metadata import SubmissionMetadata
from dids.records import RecordV1, RecordV2
from dids.rules import RULES

__all__ = [
    "InvalidExample",
    "accession_numbers",
    "gp_practice_codes",
    "imaging_site_codes",
    "invalid_records",
    "item_values",
    "nhs_numbers",
    "nicip_codes",
    "organisation_codes",
    "postcodes",
    "records",
    "referrer_codes",
    "snomed_ct_codes",
    "submission_date",
    "submissions",
]

_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_V1_FIRST = date(2012, 4, 1)
_V1_LAST = V2_START - timedelta(days=1)
_V2_LAST = date(2030, 12, 31)
_OFFSETS = (timezone.utc, timezone(timedelta(hours=1)))


def _check_version(version: int) -> None:
    if version not in (1, 2):
        raise InvalidArgument(f"version must be 1 or 2, not {version!r}")


@st.composite
def _nhs_number(draw: st.DrawFn) -> str:
    body = "999" + draw(st.text(_DIGITS, min_size=6, max_size=6))
    check = nhs_number.calc_check_digit(body)
    if check is None:  # check value 10: changing digit 9 moves the sum by 2 (mod 11)
        body = body[:8] + str((int(body[8]) + 1) % 10)
        check = nhs_number.calc_check_digit(body)
    assert check is not None
    return body + check


def nhs_numbers() -> st.SearchStrategy[str]:
    """Valid NHS numbers from the 999 test range (NHS NUMBER, DIDS001/DIDS002)."""
    return _nhs_number()


@st.composite
def _snomed(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        item = draw(st.integers(100, 10**8 - 1))
        body = f"{item}00"
    else:
        item = draw(st.integers(1, 10**6 - 1))
        body = f"{item}100000010"  # UK extension namespace 1000000, partition 10
    return body + snomed_ct.calc_check_digit(body)


def snomed_ct_codes() -> st.SearchStrategy[str]:
    """Well-formed SNOMED CT concept identifiers (CODED PROCEDURE (SNOMED CT))."""
    return _snomed()


def nicip_codes() -> st.SearchStrategy[str]:
    """Well-formed NICIP codes: a modality letter and up to 5 letters or digits."""
    return st.builds(
        str.__add__, st.sampled_from("XUCMNF"), st.text(_UPPER + _DIGITS, min_size=1, max_size=5)
    )


@st.composite
def _postcode(draw: st.DrawFn) -> str:
    area = draw(st.text(_UPPER, min_size=1, max_size=2))
    district = draw(st.sampled_from(_DIGITS + "R"))
    extra = draw(st.text(_DIGITS + _UPPER, max_size=1 if len(area) == 1 else 0))
    inward = draw(st.sampled_from(_DIGITS)) + draw(
        st.text("ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2)
    )
    return f"{area}{district}{extra} {inward}"


def postcodes(*, pseudo: bool = False) -> st.SearchStrategy[str]:
    """Postcodes matching DIDS017; with ``pseudo=True``, ZZ99 pseudo postcodes too."""
    if not isinstance(pseudo, bool):
        raise InvalidArgument("pseudo must be a bool")
    real = _postcode()
    if not pseudo:
        return real
    return st.one_of(real, st.sampled_from(["ZZ99 3VZ", "ZZ99 3WZ", "ZZ99 1AZ"]))


def referrer_codes() -> st.SearchStrategy[str]:
    """REFERRER CODEs that pass DIDS023 (consultant, GP, dentist and default forms)."""
    return st.one_of(
        st.builds(str.__add__, st.sampled_from("CGDS"), st.text(_DIGITS, min_size=7, max_size=7)),
        st.sampled_from(["X9999998", "N9999998", "H9999998", "12A3456B"]),
    )


def organisation_codes() -> st.SearchStrategy[str]:
    """ORGANISATION IDENTIFIER (REFERRING ORGANISATION) values: trust codes and defaults."""
    trust = st.builds(str.__add__, st.just("R"), st.text(_UPPER + _DIGITS, min_size=2, max_size=2))
    return st.one_of(trust, st.sampled_from(sorted(defaults("organisation"))))


def imaging_site_codes() -> st.SearchStrategy[str]:
    """ORGANISATION SITE IDENTIFIER (OF IMAGING) values that pass DIDS069."""
    site = st.builds(
        lambda trust, suffix: f"R{trust}{suffix}",
        st.text(_UPPER + _DIGITS, min_size=2, max_size=2),
        st.text(_DIGITS, min_size=2, max_size=2),
    )
    return st.one_of(site, st.sampled_from(sorted(defaults("site"))))


def gp_practice_codes() -> st.SearchStrategy[str]:
    """GENERAL MEDICAL PRACTICE CODE (PATIENT REGISTRATION) values: practices and defaults."""
    practice = st.builds(
        str.__add__, st.sampled_from("ABCDEFGHJKLMNPY"), st.text(_DIGITS, min_size=5, max_size=5)
    )
    return st.one_of(practice, st.sampled_from(sorted(defaults("gp_practice"))))


def accession_numbers() -> st.SearchStrategy[str]:
    """RADIOLOGICAL ACCESSION NUMBERs: 1-20 letters, digits and inner spaces."""
    return st.builds(
        lambda head, tail: (head + tail).rstrip(),
        st.text(_UPPER + _DIGITS, min_size=1, max_size=1),
        st.text(_UPPER + _DIGITS + " ", max_size=19),
    )


def _code(name: str, day: date) -> st.SearchStrategy[CodeEnum]:
    members = [m for m in CODE_LISTS[name].enum if m.valid_on(day)]
    return st.sampled_from(members)


@st.composite
def _record(draw: st.DrawFn, version: int, first: date | None = None, last: date | None = None
            ) -> RecordV1 | RecordV2:
    low, high = (_V1_FIRST, _V1_LAST) if version == 1 else (V2_START, _V2_LAST)
    day = draw(st.dates(first or low, last or high))
    start = datetime.combine(day, draw(st.times().map(lambda t: t.replace(microsecond=0))))
    end = start + timedelta(minutes=draw(st.integers(0, 180)))
    report = end + timedelta(minutes=draw(st.integers(0, 27 * 24 * 60)))
    received = start - timedelta(minutes=draw(st.integers(0, 300 * 24 * 60)))
    request = received - timedelta(minutes=draw(st.integers(0, 60 * 24 * 60)))
    birth = max(date(1900, 1, 2), request.date() - timedelta(days=draw(st.integers(0, 40000))))
    values: dict[str, Any] = {
        "nhs_number_status": draw(st.none() | _code("nhs_number_status", day)),
        "patient_source_setting": draw(
            _code("patient_source_setting", day if version == 2 else _V1_LAST)
        ),
        "referrer": draw(st.none() | referrer_codes()),
        "referring_organisation": draw(st.none() | organisation_codes()),
        "imaging_site": draw(imaging_site_codes()),
        "accession_number": draw(accession_numbers()),
    }
    demographics = {
        "nhs_number": nhs_numbers(),
        "birth_date": st.just(birth),
        "ethnic_category": _code("ethnic_category", day),
        "postcode": postcodes(pseudo=True),
        "gp_practice": gp_practice_codes(),
        "gender" if version == 1 else "stated_gender": _code(
            "gender" if version == 1 else "stated_gender", day
        ),
    }
    names = sorted(demographics)
    anchor = draw(st.sampled_from([n for n in names if n != "postcode"]))
    for name in names:
        if name == anchor or draw(st.booleans()):
            values[name] = draw(demographics[name])
    code_choice = draw(st.sampled_from(["nicip", "snomed", "both"]))
    if code_choice != "snomed":
        values["nicip_code"] = draw(nicip_codes())
    if code_choice != "nicip":
        values["snomed_code"] = draw(snomed_ct_codes())
    keep = draw(st.fixed_dictionaries({}, optional={
        "request": st.just(True), "received": st.just(True), "report": st.just(True)
    }))
    if version == 1:
        values["test_date"] = start.date()
        if keep.get("request"):
            values["request_date"] = request.date()
        if keep.get("received"):
            values["request_received_date"] = received.date()
        if keep.get("report"):
            values["report_issue_date"] = report.date()
        return RecordV1(**values)
    offset = draw(st.sampled_from(_OFFSETS))
    values["procedure_start_timestamp"] = start.replace(tzinfo=offset)
    values["procedure_end_timestamp"] = draw(st.none() | st.just(end.replace(tzinfo=offset)))
    if keep.get("report"):
        values["report_issue_timestamp"] = report.replace(tzinfo=offset)
    if keep.get("request"):
        values["request_date"] = request.date()
        values["request_time"] = draw(st.none() | st.just(request.time()))
    if keep.get("received"):
        values["request_received_date"] = received.date()
        values["request_received_time"] = draw(st.none() | st.just(received.time()))
    values["treatment_function"] = draw(st.none() | _code("treatment_function", day))
    values["request_priority"] = draw(st.none() | _code("request_priority", day))
    values["referrer_evaluation"] = draw(st.none() | _code("referrer_evaluation", day))
    return RecordV2(**values)


@overload
def records(*, version: Literal[1]) -> st.SearchStrategy[RecordV1]: ...
@overload
def records(*, version: Literal[2] = 2) -> st.SearchStrategy[RecordV2]: ...
@overload
def records(*, version: int) -> st.SearchStrategy[RecordV1 | RecordV2]: ...
def records(*, version: int = 2) -> st.SearchStrategy[Any]:
    """Valid typed records of DIDS ``version`` (1 or 2).

    Each passes every rule that needs no reference data when validated on its own with a
    submission date on or after its report (see :func:`submission_date`).
    """
    _check_version(version)
    return _record(version)


@st.composite
def _submission(draw: st.DrawFn, version: int, min_size: int, max_size: int) -> Submission:
    low, high = (_V1_FIRST, _V1_LAST) if version == 1 else (V2_START, _V2_LAST)
    month = draw(st.dates(low, high)).replace(day=1)
    end = month + relativedelta(day=31)
    found = draw(st.lists(_record(version, month, end), min_size=min_size, max_size=max_size))
    unique = tuple(
        attrs.evolve(record, accession_number=f"{(record.accession_number or 'A')[:14]}-{n}")
        for n, record in enumerate(found)
    )
    if version == 1:
        return Submission(unique)
    created = datetime.combine(end + timedelta(days=32), time(9), timezone.utc)
    return Submission(unique, SubmissionMetadata(month, end, "RA7", created, len(unique)))


def submissions(*, version: int = 2, min_size: int = 1, max_size: int = 20
                ) -> st.SearchStrategy[Submission]:
    """Valid submissions: records of one reporting month with unique keys, and (v2) metadata.

    Validated with the metadata's creation time as the submission date (v2), or a date in the
    month after the reporting month (v1), a submission raises no issue.
    """
    _check_version(version)
    if not 0 <= min_size <= max_size:
        raise InvalidArgument("need 0 <= min_size <= max_size")
    return _submission(version, min_size, max_size)


def submission_date(record: RecordV1 | RecordV2) -> date:
    """A submission date at which ``record`` raises no window warning: its last event's day."""
    values = [getattr(record, item.python_name) for item in layout(record.LAYOUT.version)]
    days = [v.date() if isinstance(v, datetime) else v for v in values
            if isinstance(v, date) and not isinstance(v, time)]
    return max(days)


def invalid_records(*, rule: str | None = None, version: int = 2
                    ) -> st.SearchStrategy[InvalidExample]:
    """Submissions built to break ``rule`` (any rule of the layout when ``None``).

    Each :class:`InvalidExample` knows the codes it must trigger (the rule and the companions
    that necessarily come with it) and validates itself with the submission date, metadata and
    reference data it needs; nothing else fires.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(invalid_records(rule="DIDS071"))
    ... def test_duplicates(example):
    ...     assert set(example.validate().counts) == example.codes == {"DIDS071"}
    >>> test_duplicates()
    """
    _check_version(version)
    codes = [code for code, found in RULES.items() if version in found.versions]
    if rule is not None and rule not in codes:
        raise InvalidArgument(f"no rule {rule!r} applies to DIDS v{version}")
    chosen = st.just(rule) if rule is not None else st.sampled_from(codes)
    return st.tuples(chosen, _record(version)).map(_example)


def _example(pair: tuple[str, RecordV1 | RecordV2]) -> InvalidExample:
    code, record = pair
    return file_example(code, record) if code in FILE_RULES else row_example(code, record)


_TEXT_ITEMS: dict[str, Callable[[], st.SearchStrategy[str]]] = {
    "nhs_number": nhs_numbers,
    "postcode": postcodes,
    "gp_practice": gp_practice_codes,
    "referrer": referrer_codes,
    "referring_organisation": organisation_codes,
    "nicip_code": nicip_codes,
    "snomed_code": snomed_ct_codes,
    "imaging_site": imaging_site_codes,
    "accession_number": accession_numbers,
}


def item_values(name: str, *, version: int = 2) -> st.SearchStrategy[Any]:
    """Valid typed values of the data item ``name`` (Python or Data Dictionary name).

    Driven by the catalogue: dates, times, timestamps and code lists by the item's kind, text
    identifiers by their own strategy above.
    """
    _check_version(version)
    lay = layout(version)
    if name not in lay:
        raise InvalidArgument(f"no item {name!r} in DIDS v{version}")
    item = lay[name]
    if item.kind is Kind.DATE:
        return st.dates(date(1900, 1, 2), _V2_LAST)
    if item.kind is Kind.TIME:
        return st.times().map(lambda t: t.replace(microsecond=0))
    if item.kind is Kind.TIMESTAMP:
        return st.builds(
            lambda moment, offset: moment.replace(microsecond=0, tzinfo=offset),
            st.datetimes(datetime(1970, 1, 1), datetime(2030, 12, 31)),
            st.sampled_from(_OFFSETS),
        )
    code_list = item.code_list
    if item.kind is Kind.CODE and code_list is not None:
        return st.sampled_from(list(code_list.enum))
    return _TEXT_ITEMS[item.python_name]()
