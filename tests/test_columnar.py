"""The columnar fast path gives the same reports as checking every row (``dids._screens``)."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sys
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dids import _mutations, _oracle
from dids import _record_base as record_base
from dids._record_base import BLOCK_SIZE, RefusedStart, _refuse, to_columns
from dids._rows import ColumnBlock, RawRow
from dids._screens import SCREENS, Screen, View, screen_for
from dids._screens import reference as screen_reference
from dids._screens import view as screen_view
from dids._screens.identifiers import nhs_check_sums
from dids._screens.shapes import Shape, Template, every_line
from dids.catalogue import Kind, layout
from dids.codes import _base as codes_base
from dids.generate import generate_rows, metadata_for, submission_date_for
from dids.identifiers import nhs_number, postcode, referrer
from dids.io import csv as csv_io
from dids.io import open_reader, read_typed
from dids.io._base import FORMULA_START, InvalidRecord
from dids.io.csv import write_csv
from dids.records import RecordV1, RecordV2, RowError
from dids.reference import (
    ROLES,
    CsvCodeReference,
    CsvOrganisationReference,
    CsvPostcodeReference,
    Organisation,
    ReferenceCode,
    ReferenceData,
)
from dids.rules import RULES, Disposition
from dids.strategies import records, submission_date
from dids.validate import Report, Validator, validate_reader, validate_records, validate_rows

slow = settings(suppress_health_check=list(HealthCheck), deadline=None)


def _summary(report: Report) -> dict[str, Any]:
    return {**report.to_dict(), "not_checked": report.not_checked}


def exact(rows: Sequence[Sequence[str]], version: int, **options: Any) -> dict[str, Any]:
    validator = Validator(version, include_values=True, **options)
    for number, row in enumerate(rows, 1):
        validator.check_row(row, number)
    return _summary(validator.finish())


def screened(rows: Sequence[Sequence[str]], version: int, sizes: Sequence[int] = (64,),
             **options: Any) -> dict[str, Any]:
    validator = Validator(version, include_values=True, **options)
    start, turn = 0, 0
    while start < len(rows):
        block = rows[start:start + sizes[turn % len(sizes)]]
        validator.check_columns([list(c) for c in zip(*block, strict=True)], start + 1)
        start, turn = start + len(block), turn + 1
    return _summary(validator.finish())



def suspects(screen: Screen, columns: Any, known: Any = None) -> list[int]:
    """The rows of a block (a list of columns, which the screen may strip in place) that
    :meth:`Screen.sift` finds may break a rule: those holding a failing value, and those a
    rule's screen found."""
    sifted = screen.sift(columns, known)
    found = {k for _, _, rows in sifted.failing for k in rows}
    found.update(k for _, rows in sifted.rows for k in rows)
    return sorted(found)


def screened_in_twenties(rows: Sequence[Sequence[str]]) -> list[tuple[int, str]]:
    """(row, code) of each issue of v2 ``rows`` screened in blocks of 20, after checking that
    the report is what the exact checks give."""
    submitted = submission_date_for(2)
    found = screened(rows, 2, (20,), submitted=submitted)
    assert found == exact(rows, 2, submitted=submitted)
    return [(issue["row"], issue["code"]) for issue in found["issues"]]

# --- values that break rules in ways a screen could miss ---------------------------------------

_JUNK = ["", " ", "x", "  9434765919", "9434765919 ", "943 476 5919", "9434765918", "0000000000",
         "1900-01-01", "1899-12-31", "1970-01-01", "2024-02-30", "2024-02-29", "9999-12-31",
         "2026-04-01T00:30:00+01:00", "2026-03-31T23:40:00Z", "2026-04-01T01:00:00+01:00",
         "2026-04-01T00:30:00Z", "2026-04-01T00:30:00-00:00", "2026-04-01T24:00:00Z",
         "2026-04-01T00:30:00+14:00", "23:59:59", "00:00:00", "24:00:00", "zz99 3vz",
         "ZZ99 3VZ", " LS1 4AP", "ls1 4ap", "LS1 4AP", "08", "8", "01", "99", "Z", "9", "X",
         "A" * 21, "A" * 20, "ACC 1", "ACC\u00a01", "XWRIR", "xwrir", "71651007", "123",
         "V81999", "RA7", "89999", "R9998", "RJ101", "\u0669", "Y", "N", "y", "1", "4",
         "100", "199", "300", "500", "2026-01-01", "2025-03-01", "2026-05-31"]


def _shifted(text: str, rng: random.Random) -> str:
    """A date or timestamp moved by some days, or the text unchanged."""
    try:
        day = date.fromisoformat(text[:10])
        moved = day + timedelta(days=rng.choice([-400, -366, -365, -31, -1, 1, 28, 31, 366]))
    except (ValueError, OverflowError):
        return text
    return moved.isoformat() + text[10:]


@st.composite
def damaged_files(draw: st.DrawFn, version: int) -> tuple[list[list[str]], date]:
    valid = draw(st.lists(records(version=version), min_size=1, max_size=40))
    rows = [record.to_row() for record in valid]
    rng = random.Random(draw(st.integers(0, 2**32)))
    width = len(layout(version))
    for _ in range(draw(st.integers(0, 3 * len(rows)))):
        row = rng.choice(rows)
        column = rng.randrange(width)
        action = rng.randrange(4)
        if action == 0:
            row[column] = rng.choice(_JUNK)
        elif action == 1:
            row[column] = _shifted(row[column], rng)
        elif action == 2:
            row[column] = rng.choice(rows)[rng.randrange(width)]
        else:
            rows.append(list(row))
    rng.shuffle(rows)
    submitted = submission_date(rng.choice(valid)) + timedelta(days=rng.choice([-40, 0, 3, 200]))
    return rows, submitted


@pytest.mark.parametrize("version", [1, 2])
@settings(slow, max_examples=300)
@given(data=st.data())
def test_screened_blocks_report_exactly_what_row_checks_report(
    version: int, data: st.DataObject
) -> None:
    rows, submitted = data.draw(damaged_files(version))
    sizes = data.draw(st.lists(st.integers(1, 50), min_size=1, max_size=4))
    options = data.draw(st.fixed_dictionaries({}, optional={
        "reject_palindromes": st.booleans(), "reject_sentinels": st.booleans(),
        "limit_per_rule": st.integers(0, 3), "skip_rules": st.sets(st.sampled_from(
            ["DIDS070", "DIDS067", "DIDS056", "DIDS001"]))}))
    assert screened(rows, version, sizes, submitted=submitted, **options) == exact(
        rows, version, submitted=submitted, **options)


def _from_row_or_none(record_class: type[RecordV1 | RecordV2], row: Sequence[str]
                      ) -> RecordV1 | RecordV2 | None:
    try:
        return record_class.from_row(row)
    except RowError:
        return None


@pytest.mark.parametrize("version", [1, 2])
@settings(slow, max_examples=200)
@given(data=st.data())
def test_records_from_columns_are_the_records_from_rows(version: int, data: st.DataObject,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Column-wise parsing, with parsed values remembered across blocks (and the memo emptied
    when full), gives what parsing each row gives, ``None`` where that raises RowError."""
    rows, _ = data.draw(damaged_files(version))
    sizes = data.draw(st.lists(st.integers(1, 30), min_size=1, max_size=3))
    monkeypatch.setattr(record_base, "_MEMO_LIMIT", data.draw(st.sampled_from([3, 1 << 16])))
    record_class = RecordV1 if version == 1 else RecordV2
    memos: list[dict[str, Any]] = [{} for _ in layout(version).items]
    found: list[RecordV1 | RecordV2 | None] = []
    start, turn = 0, 0
    while start < len(rows):
        block = rows[start:start + sizes[turn % len(sizes)]]
        found += record_class.from_columns([list(c) for c in zip(*block, strict=True)], memos)
        start, turn = start + len(block), turn + 1
    assert found == [_from_row_or_none(record_class, row) for row in rows]


def test_records_are_validated_in_blocks_as_their_rows_are() -> None:
    """``validate_records`` formats and screens blocks of records; its report is that of their
    rows (three blocks, with records that break rules and duplicates across blocks)."""
    found = [_from_row_or_none(RecordV2, r.fields)
             for r in generate_rows(5000, seed=13, version=2, invalid_rate=0.05)]
    typed = [record for record in found if record is not None]
    typed[4500] = typed[10]
    submitted = submission_date_for(2)
    report = validate_records(typed, submitted=submitted, include_values=True)
    assert _summary(report) == exact([r.to_row() for r in typed], 2, submitted=submitted)
    assert report.counts["DIDS071"] == 2
    v1_record = RecordV1.from_row(next(iter(generate_rows(1, seed=1, version=1))).fields)
    with pytest.raises(ValueError, match="same layout"):
        validate_records([*typed[:3000], v1_record], submitted=submitted)


def test_typed_reading_of_json_lines_gathers_the_readable_rows_in_blocks() -> None:
    """Readers without blocks of columns (JSON Lines here) have their readable rows parsed in
    blocks too; the other rows (not JSON, a value that is not text, an unknown key, a date in
    another format) come in their place with their issues."""
    rows = [list(r.fields) for r in generate_rows(2500, seed=14, version=2)]
    names = layout(2).names
    lines = [json.dumps(dict(zip(names, row, strict=True))) for row in rows]
    lines[10] = "{not json"
    lines[2100] = lines[2100].replace('"nhs_number": "', '"nhs_number": 1, "x": "', 1)
    lines[2200] = lines[2200].replace('"request_date": "2026-', '"request_date": "26-', 1)
    data = ("\n".join(lines) + "\n").encode()
    results = list(read_typed(open_reader(io.BytesIO(data), format="jsonl", version=2)))
    assert [result.row for result in results] == list(range(1, 2501))
    unreadable = [result.row for result in results if result.record is None]
    assert unreadable == [11, 2101, 2201]
    assert all(results[n - 1].issues for n in unreadable)
    assert [r.record for r in results if r.record is not None] == [
        RecordV2.from_row(row) for k, row in enumerate(rows) if k + 1 not in unreadable]


def test_mostly_distinct_timestamps_are_parsed_by_parts() -> None:
    """A block of mostly distinct timestamps is parsed by date, clock time and offset (blank
    ones as ``None``); a later block whose timestamps are all one date alone does not take that
    date for a timestamp (the parts are remembered apart from whole values)."""
    rows = [list(r.fields) for r in generate_rows(24, seed=2, version=2)]
    at = layout(2).index("procedure_end_timestamp")
    rows[3][at] = ""
    rows[4][at] = "2026-04-13T10:00:00Z"
    memos: list[dict[str, Any]] = [{} for _ in layout(2).items]
    first = RecordV2.from_columns([list(c) for c in zip(*rows[:12], strict=True)], memos)
    assert first == [RecordV2.from_row(row) for row in rows[:12]]
    assert first[3] is not None
    assert first[3].procedure_end_timestamp is None
    day = rows[0][at][:10]
    for row in rows[12:]:
        row[at] = day
    assert RecordV2.from_columns([list(c) for c in zip(*rows[12:], strict=True)],
                                 memos) == [None] * 12
    with pytest.raises(ValueError, match="equal lengths"):
        RecordV2.from_columns([[*column, ""] if k == 5 else list(column)
                               for k, column in enumerate(zip(*rows, strict=True))])


def test_typed_reading_parses_blocks_and_reports_rows_that_are_not_records() -> None:
    """``read_typed`` of a CSV file gives, row by row, what ``from_row`` gives, and the
    validator's issues for the rows it cannot read (wrong formats, quoted lines, bad bytes)."""
    rows = [list(r.fields) for r in generate_rows(3000, seed=12, version=2, invalid_rate=0.1)]
    at = layout(2).index
    rows[5][at("request_date")] = "2026-02-30"
    rows[700][at("procedure_start_timestamp")] = "2026-04-01 10:00:00"
    rows[1500][at("accession_number")] = "ACC,1"  # quoted: read by csv.reader, one row
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows([layout(2).headers, *rows])
    data = text.getvalue().encode().replace(b"2026-04-1", b"2026-04-\xff", 1)
    results = list(read_typed(csv_io.CsvReader(io.BytesIO(data))))
    expected = [(raw.row, None if raw.issues or raw.fields is None else _from_row_or_none(
        RecordV2, raw.fields)) for raw in csv_io.CsvReader(io.BytesIO(data))]
    assert [(result.row, result.record) for result in results] == expected
    unreadable = {result.row: result.issues for result in results if result.record is None}
    assert all(unreadable.values())
    validator = Validator(2)
    assert [unreadable[6], unreadable[701]] == [
        tuple(validator.check_row(rows[n], n + 1)) for n in (5, 700)]
    assert "X-ENC-01" in {issue.code for issues in unreadable.values() for issue in issues}
    read = results[1500].record
    assert read is not None
    assert read.accession_number == "ACC,1"


@st.composite
def faulty_files(draw: st.DrawFn, version: int) -> tuple[list[list[str]], date]:
    """Files where many rows, up to all, have findings: a few columns each broken the same way
    (a systematic fault: one junk value, or dates moved) on a share of rows drawn from 0 to 1,
    on top of scattered damage; and a submission date that may put every record outside the
    window."""
    rows, submitted = draw(damaged_files(version))
    rng = random.Random(draw(st.integers(0, 2**32)))
    width = len(layout(version))
    for _ in range(draw(st.integers(1, 3))):
        column = rng.randrange(width)
        share = draw(st.sampled_from([0.3, 0.9, 1.0]))
        junk = rng.choice(_JUNK)
        shift = rng.random() < 0.5
        for row in rows:
            if rng.random() < share:
                row[column] = _shifted(row[column], rng) if shift else junk
    late = draw(st.sampled_from([0, 0, 400, 800]))
    return rows, submitted + timedelta(days=late)


@pytest.mark.parametrize("version", [1, 2])
@settings(slow, max_examples=150)
@given(data=st.data())
def test_files_full_of_findings_are_reported_as_row_checks_report_them(
    version: int, data: st.DataObject
) -> None:
    """Findings made by the screen (once per bad value, a rule about several items checked
    alone on the rows that need it) are every finding the exact row checks make."""
    rows, submitted = data.draw(faulty_files(version))
    sizes = data.draw(st.lists(st.integers(1, 50), min_size=1, max_size=3))
    found = screened(rows, version, sizes, submitted=submitted, limit_per_rule=None)
    assert found == exact(rows, version, submitted=submitted, limit_per_rule=None)


def test_a_systematic_fault_is_found_without_checking_rows_from_scratch(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every record two years before its v1 submission (DIDS055: more than 6 months before the
    submission month; test_date is column 13) and a bad NHS number on every row (DIDS001):
    each row's findings, hand-checked, come from the screen alone."""
    rows = [list(r.fields) for r in generate_rows(500, seed=3, version=1)]
    for row in rows:
        row[0] = "9990000019"
    late = submission_date_for(1) + timedelta(days=800)
    monkeypatch.setattr(Validator, "check_row", None)  # the exact path is not taken
    report = Validator(1, submitted=late, limit_per_rule=None)
    for start in range(0, 500, 128):
        block = rows[start:start + 128]
        report.check_columns([list(c) for c in zip(*block, strict=True)], start + 1)
    result = report.finish()
    assert result.counts == {"DIDS001": 500, "DIDS055": 500}
    assert result.records_rejected == 500
    assert [(i.row, i.code, i.column) for i in result.issues[:4]] == [
        (1, "DIDS001", 1), (1, "DIDS055", 13), (2, "DIDS001", 1), (2, "DIDS055", 13)]


@pytest.mark.parametrize("version", [1, 2])
@settings(slow, max_examples=40)
@given(data=st.data())
def test_screened_blocks_match_row_checks_on_every_rule_example(
    version: int, data: st.DataObject
) -> None:
    codes = [code for code, rule in RULES.items()
             if version in rule.versions and (code, version) in _mutations.MUTATIONS]
    record = data.draw(records(version=version))
    examples = [_oracle.row_example(code, record) for code in codes]
    rows = [list(row) for example in examples for row in example.rows]
    rows += [record.to_row()] * data.draw(st.integers(0, 2))
    for submitted in {example.submitted for example in examples}:
        assert screened(rows, version, (7, 64), submitted=submitted) == exact(
            rows, version, submitted=submitted)


@pytest.mark.parametrize("version", [1, 2])
def test_generated_files_with_invalid_rows_match(version: int) -> None:
    rows = [list(r.fields) for r in generate_rows(3000, seed=7, version=version,
                                                  invalid_rate=0.3)]
    submitted = submission_date_for(version)
    result = screened(rows, version, (1000,), submitted=submitted)
    assert result == exact(rows, version, submitted=submitted)
    assert result["records_rejected"] > 0


def test_offsets_that_differ_are_compared_as_instants() -> None:
    """Text says 00:30 < 01:00, but 00:30Z is after 01:00+01:00 (00:00Z): X-TSP-02 fails."""
    valid = generate_rows(3, seed=1, version=2)
    rows = [list(r.fields) for r in valid]
    start, end = layout(2).index("procedure_start_timestamp"), layout(2).index(
        "procedure_end_timestamp")
    rows[0][start], rows[0][end] = "2026-04-01T00:30:00Z", "2026-04-01T01:00:00+01:00"
    rows[1][start], rows[1][end] = "2026-04-01T00:30:00+01:00", "2026-03-31T23:40:00Z"
    submitted = submission_date_for(2)
    result = screened(rows, 2, submitted=submitted)
    assert result == exact(rows, 2, submitted=submitted)
    assert [(i["code"], i["row"]) for i in result["issues"]] == [("X-TSP-02", 1)]


def test_rows_whose_offsets_differ_are_suspects_only_when_out_of_order_as_instants() -> None:
    """In the months when clocks change, a few rows of each block have timestamps with
    different offsets; X-TSP-02's screen compares their instants instead of sending them all
    to the exact path. Text order and instant order disagree in rows 1 and 2."""
    rows = [list(r.fields) for r in generate_rows(6, seed=1, version=2)]
    start, end = layout(2).index("procedure_start_timestamp"), layout(2).index(
        "procedure_end_timestamp")
    cases = [("16:09:30+01:00", "16:59:59+00:00"),  # 15:09:30Z before 16:59:59Z
             ("16:09:30+00:00", "16:59:59+01:00"),  # 16:09:30Z after 15:59:59Z: fails
             ("16:09:30+01:00", "15:30:00Z"),  # the same instant as the start
             ("16:09:30+01:00", "16:59:59"),  # no offset: left to the exact checks
             ("16:09:30+01:00", "16:59:59+01:00")]  # offsets alike: compared as text
    for row, (first, second) in zip(rows, cases, strict=False):
        day = row[start][:11]
        row[start], row[end] = day + first, day + second
    rows[2][start] = rows[2][start][:11] + "15:30:00+00:00"
    columns = [list(column) for column in zip(*rows, strict=True)]
    validator = Validator(2, submitted=submission_date_for(2))
    check = SCREENS["X-TSP-02"](RULES["X-TSP-02"], validator.context)
    assert check is not None
    assert sorted(check(View(columns))) == [1, 3]
    submitted = submission_date_for(2)
    result = screened(rows, 2, submitted=submitted)
    assert result == exact(rows, 2, submitted=submitted)
    assert {(i["code"], i["row"]) for i in result["issues"]} == {
        ("X-TSP-02", 2), ("X-TSP-01", 4)}


def test_offsets_of_timestamps_of_one_width_are_compared_as_bytes() -> None:
    """When both timestamp columns have one width, the rows whose offsets differ are found
    from the packed bytes of the offsets' positions: a sign (position 19) in one row, an hour
    (position 21) in another; only the row out of order as instants is a suspect."""
    rows = [list(r.fields) for r in generate_rows(40, seed=1, version=2)]
    start, end = layout(2).index("procedure_start_timestamp"), layout(2).index(
        "procedure_end_timestamp")
    for k, row in enumerate(rows):
        day = f"2026-10-{10 + k % 10}"
        row[start], row[end] = day + "T10:00:00+01:00", day + "T10:30:00+01:00"
    rows[7][start] = rows[7][start][:19] + "-01:00"  # 11:00Z, after the end's 09:30Z
    rows[9][end] = rows[9][end][:19] + "+00:00"  # 10:30Z, after the start's 09:00Z
    columns = [list(column) for column in zip(*rows, strict=True)]
    view = View(columns)
    check = SCREENS["X-TSP-02"](RULES["X-TSP-02"], Validator(2).context)
    assert check is not None
    assert sorted(check(view)) == [7]
    assert view.packed(start) is not None
    assert view.packed(end) is not None


@pytest.mark.parametrize("size", [40, 128])
def test_order_rules_follow_through_moments_blank_in_few_rows(size: int) -> None:
    """DIDS034 (request before start) follows from DIDS027 and DIDS043 through the received
    moment; a blank received date passes both, so the request after the start is still found:
    through a received date blank in one row of 128, with that row excepted; not in one row of
    40 (more than one in 64)."""
    rows = [list(r.fields) for r in generate_rows(size, seed=2, version=2)]
    at = layout(2).index
    start = rows[5][at("procedure_start_timestamp")]
    rows[5][at("request_date")] = (date.fromisoformat(start[:10]) + timedelta(days=1)).isoformat()
    rows[5][at("request_received_date")] = rows[5][at("request_received_time")] = ""
    view = View([list(column) for column in zip(*rows, strict=True)])
    for code in ("DIDS027", "DIDS043"):
        rows_of = SCREENS[code](RULES[code], Validator(2).context)
        assert rows_of is not None
        assert rows_of(view) == []  # a blank received moment passes both
    request = (at("request_date"), at("request_time"))
    assert view.in_order(request, (at("procedure_start_timestamp"), None)) == (
        [5] if size == 128 else None)
    submitted = submission_date_for(2)
    found = screened(rows, 2, (size,), submitted=submitted)
    assert found == exact(rows, 2, submitted=submitted)
    assert (6, "DIDS034") in {(issue["row"], issue["code"]) for issue in found["issues"]}


def test_order_rules_follow_through_pairs_whose_rows_out_of_order_are_suspects() -> None:
    """A request dated after its start breaks DIDS027 (after the received date) in that row,
    which the screen of DIDS027 finds; DIDS034 (request before start) then follows through
    the received moment in every other row, and the row found gets both issues exactly."""
    rows = [list(r.fields) for r in generate_rows(40, seed=2, version=2)]
    at = layout(2).index
    start = rows[5][at("procedure_start_timestamp")]
    rows[5][at("request_date")] = (date.fromisoformat(start[:10]) + timedelta(days=1)).isoformat()
    view = View([list(column) for column in zip(*rows, strict=True)])
    for code in ("DIDS027", "DIDS043"):
        rows_of = SCREENS[code](RULES[code], Validator(2).context)
        assert rows_of is not None
        assert rows_of(view) == ([5] if code == "DIDS027" else [])
    request = (at("request_date"), at("request_time"))
    assert view.in_order(request, (at("procedure_start_timestamp"), None))
    submitted = submission_date_for(2)
    found = screened(rows, 2, (40,), submitted=submitted)
    assert found == exact(rows, 2, submitted=submitted)
    assert {(6, "DIDS027"), (6, "DIDS034")} <= {
        (issue["row"], issue["code"]) for issue in found["issues"]}


def _requests_received(seed: int, cases: list[tuple[str, int, str]]) -> list[list[str]]:
    """Generated v2 rows, one per case: (request time, days from the request date to the
    received date, received time)."""
    rows = [list(r.fields) for r in generate_rows(len(cases), seed=seed, version=2)]
    at = layout(2).index
    for row, (request_time, days, received_time) in zip(rows, cases, strict=True):
        day = date.fromisoformat(row[at("request_date")])
        row[at("request_time")], row[at("request_received_time")] = request_time, received_time
        row[at("request_received_date")] = (day + timedelta(days=days)).isoformat()
    return rows


def test_request_and_received_moments_order_by_date_then_time() -> None:
    """The DIDS027 screen compares (date, time) pairs: the time only on the same day, a blank
    time before any time of its day. Hand-checked: row 1 breaks the rule; row 4 (a blank
    received time on the request's day) is a suspect that the exact check clears."""
    rows = _requests_received(4, [("10:00:00", 0, "09:00:00"), ("10:00:00", 1, "09:00:00"),
                                  ("", 0, "09:00:00"), ("10:00:00", 0, ""),
                                  ("09:00:00", 0, "09:00:00"), ("", 0, "")])
    submitted = submission_date_for(2)
    found = screened(rows, 2, (6,), submitted=submitted)
    assert found == exact(rows, 2, submitted=submitted)
    assert [i["row"] for i in found["issues"] if i["code"] == "DIDS027"] == [1]
    screen = screen_for(Validator(2, submitted=submitted))
    assert screen is not None
    assert {0, 3} <= set(suspects(screen, [list(c) for c in zip(*rows, strict=True)]))


def test_request_and_received_moments_with_one_time_a_side_compare_dates() -> None:
    """With one request time and one received time in a block, DIDS027 compares the dates
    alone, a tie decided by the two times. Hand-checked: in the first block (10:00 requested,
    09:00 received) rows 1 and 3 are received the same day, too early; in the second (09:00,
    10:00) the same day passes and row 6, received the day before, fails."""
    rows = _requests_received(6, [("10:00:00", days, "09:00:00") for days in (0, 1, 0)]
                              + [("09:00:00", days, "10:00:00") for days in (0, 1, -1)])
    submitted = submission_date_for(2)
    found = screened(rows, 2, (3,), submitted=submitted)
    assert found == exact(rows, 2, submitted=submitted)
    assert [i["row"] for i in found["issues"] if i["code"] == "DIDS027"] == [1, 3, 6]


def test_received_moments_before_the_start_compare_dates_first() -> None:
    """DIDS043 joins a received date and time only on or after the start's day. Hand-checked:
    rows 1 (a second after the start) and 5 (the next day) break it; the start's own minute, a
    blank time and the day before pass. Row 7, a block of its own, has a received date that is
    a prefix of the start's day, so the block takes the joined texts; DIDS034 (its request an
    hour after the start) is found with the date's format rule off too."""
    rows = [list(r.fields) for r in generate_rows(7, seed=5, version=2)]
    at = layout(2).index
    cases = [(0, "12:00:01"), (0, "12:00:00"), (0, ""), (-1, "23:59:59"), (1, "00:00:00"),
             (-2, "12:00:00"), (0, "11:00:00")]
    for row, (days, received_time) in zip(rows, cases, strict=True):
        start = row[at("procedure_start_timestamp")]
        for item, clock in [("procedure_start_timestamp", "T12:00:00"),
                            ("procedure_end_timestamp", "T12:30:00"),
                            ("report_issue_timestamp", "T20:00:00")]:
            row[at(item)] = start[:10] + clock + start[19:]
        day = date.fromisoformat(start[:10]) + timedelta(days=days)
        row[at("request_received_date")] = day.isoformat()
        row[at("request_received_time")] = received_time
        row[at("request_date")] = (day - timedelta(days=3)).isoformat()
    last = rows[6]
    last[at("request_date")] = last[at("request_received_date")]
    last[at("request_time")] = "13:00:00"
    last[at("request_received_date")] = last[at("request_received_date")][:9]
    submitted = submission_date_for(2)
    for options in ({}, {"skip_rules": ["DIDS036"]}):
        found = screened(rows, 2, (6, 1), submitted=submitted, **options)
        assert found == exact(rows, 2, submitted=submitted, **options)
        assert [i["row"] for i in found["issues"] if i["code"] == "DIDS043"] == [1, 5]
        assert (7, "DIDS034") in {(i["row"], i["code"]) for i in found["issues"]}


def _reference_around(rows: list[list[str]], version: int, rng: random.Random
                      ) -> ReferenceData:
    """Reference data about the codes, organisations and postcodes of ``rows``: some unknown,
    some opened, closed, activated or inactivated around the rows' dates (so that a code may be
    in its grace), NICIP codes mapped to SNOMED CT codes that may not be the rows' ones."""
    at = layout(version).index
    day = date(2026, 4, 15) if version == 2 else date(2025, 3, 15)

    def near() -> date | None:
        return rng.choice([None, day + timedelta(days=rng.randrange(-400, 400))])

    snomeds = sorted({row[at("snomed_code")] for row in rows} | {"71651007"})
    codes = {}
    for name in ("nicip_code", "snomed_code"):
        for code in sorted({row[at(name)].strip().upper() for row in rows}):
            if code and rng.random() < 0.8:
                codes[code] = ReferenceCode(code, near(), near(), rng.choice([None, *snomeds]))
    organisations = {}
    for name in ("gp_practice", "referring_organisation", "imaging_site"):
        for code in sorted({row[at(name)].strip().upper() for row in rows}):
            if code and rng.random() < 0.8:
                roles = frozenset(rng.sample(sorted(ROLES), rng.randrange(1, len(ROLES) + 1)))
                organisations[code] = Organisation(code, roles, near(), near())
    postcodes = {row[at("postcode")] for row in rows if rng.random() < 0.7}
    return ReferenceData(nicip=CsvCodeReference(codes), snomed_ct=CsvCodeReference(codes),
                         organisations=CsvOrganisationReference(organisations),
                         postcodes=CsvPostcodeReference(frozenset(postcodes)))


@pytest.mark.parametrize("version", [1, 2])
@settings(slow, max_examples=80)
@given(data=st.data())
def test_reference_rules_are_screened_as_row_checks_find_them(
    version: int, data: st.DataObject
) -> None:
    """With reference data every rule is screened; each provider is asked about a block's
    values in batches, and the report is the row-by-row one."""
    rows, submitted = data.draw(faulty_files(version))
    reference = _reference_around(rows, version, random.Random(data.draw(st.integers(0, 99))))
    assert screen_for(Validator(version, reference=reference)) is not None
    sizes = data.draw(st.lists(st.integers(1, 50), min_size=1, max_size=3))
    options = {"submitted": submitted, "reference": reference, "limit_per_rule": None}
    assert screened(rows, version, sizes, **options) == exact(rows, version, **options)


@pytest.mark.parametrize("version", [1, 2])
def test_reference_screens_past_their_memory_limit(version: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Screens whose memories of codes are emptied every block or two (a limit of 5 values)
    still find what the row checks find."""
    for module in (screen_view, screen_reference):
        monkeypatch.setattr(module, "MEMO_LIMIT", 5)
    rows = [list(r.fields) for r in generate_rows(400, seed=5, version=version,
                                                  invalid_rate=0.2)]
    reference = _reference_around(rows, version, random.Random(5))
    options = {"submitted": submission_date_for(version), "reference": reference,
               "limit_per_rule": None}
    found = screened(rows, version, (7, 40), **options)
    assert found == exact(rows, version, **options)
    assert {"DIDS016", "DIDS018"} <= {issue["code"] for issue in found["issues"]}


def test_providers_without_batched_lookups_are_asked_one_value_at_a_time() -> None:
    """The oracle's providers have no ``lookup_many`` or ``known``: validation still screens."""
    rows = [list(r.fields) for r in generate_rows(300, seed=2, version=2, invalid_rate=0.2)]
    reference = _oracle.reference_for(_mutations.Setting(unknown_postcodes={rows[5][5]}))
    options = {"submitted": submission_date_for(2), "reference": reference}
    found = screened(rows, 2, (64,), **options)
    assert found == exact(rows, 2, **options)
    assert (6, "DIDS016") in {(i["row"], i["code"]) for i in found["issues"]}


def test_postcodes_are_asked_upper_cased_and_zz99_passes_unasked() -> None:
    """DIDS016's screen: a postcode the directory holds passes in any letter case, a ZZ99
    pseudo-postcode passes without being known, others fail (as the row check says)."""
    at = layout(2).index
    rows = [list(r.fields) for r in generate_rows(8, seed=3, version=2)]
    written = ["LS1 4AP", "ls1 4ap", "zz99 3vz", "M1 1AA", "m1 1aa", "", "Ls1 4aP", "LS1 4AP"]
    for row, text in zip(rows, written, strict=True):
        row[at("postcode")] = text
    reference = ReferenceData(postcodes=CsvPostcodeReference(frozenset({"LS1 4AP"})))
    options = {"submitted": submission_date_for(2), "reference": reference}
    found = screened(rows, 2, (8,), **options)
    assert found == exact(rows, 2, **options)
    assert [i["row"] for i in found["issues"] if i["code"] == "DIDS016"] == [4, 5]


@pytest.mark.parametrize("version", [1, 2])
@given(seed=st.integers(0, 2**16), junk=st.sampled_from(
    [*_JUNK, "2026-02-30", "2026-04-01T25:00:00Z", "01/04/2026", "20260401", "\u0662026-04-01"]))
def test_rules_pass_without_the_moments_they_declare(version: int, seed: int, junk: str) -> None:
    """``passes_without``, which spares checking rows that lack a value the screens did not
    read, is what the checks do: a row with no value in one of those columns (blank, or a
    text that parses to none) passes the rule, whatever its other values."""
    validator = Validator(version, submitted=submission_date_for(version))
    rows = [list(r.fields) for r in generate_rows(4, seed=seed, version=version,
                                                    invalid_rate=0.5)]
    declared = [rule for rule in validator._by_code.values() if rule.passes_without]
    assert len(declared) >= 10  # every order rule of the version
    width = len(validator.layout)
    for rule in declared:
        for row in rows:
            for column in rule.passes_without:
                raw = [text.strip() for text in row]
                raw[column] = junk.strip()
                values = [validator._value(index, raw[index]) for index in range(width)]
                if values[column] is None:
                    assert not rule.check(raw, values), (list(RULES)[rule.order], column)


def test_every_multi_item_row_rule_has_a_screen() -> None:
    for version in (1, 2):
        validator = Validator(version)
        for rule in validator.row_rules():
            items = {n for n in rule.items(version) if n in validator.layout}
            assert len(items) == 1 or rule.code in SCREENS, rule.code


@settings(max_examples=500)
@given(st.lists(st.text("0123456789", min_size=10, max_size=10), min_size=1, max_size=50))
def test_bulk_nhs_number_check_agrees_with_the_identifier(numbers: list[str]) -> None:
    sums = nhs_check_sums(numbers)
    assert [total % 11 == 0 for total in sums] == [nhs_number.is_valid(n) for n in numbers]


def test_bulk_nhs_number_check_hand_checked() -> None:
    # 943 476 591 9: 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299, 299 % 11 = 2, check 9.
    assert list(nhs_check_sums(["9434765919", "9434765918"])) == [2640 + 299 + 9,
                                                                  2640 + 299 + 8]


# --- whole-column checks over packed bytes ------------------------------------------------------

#: What the timestamp templates accept, written by hand: ``TIMESTAMP_SHAPE`` with offsets below
#: 20 hours, and any digits for month and day (dates are judged one by one after it).
_TEMPLATE_ORACLE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]"
                              r":[0-5][0-9](?:[+-][01][0-9]:[0-5][0-9]|Z)")
_TIMESTAMP_TEMPLATES = ["9999-99-99THH:59:59+19:59", "9999-99-99THH:59:59-19:59",
                        "9999-99-99THH:59:59Z"]


@st.composite
def timestamp_columns(draw: st.DrawFn) -> list[str]:
    """Timestamps (all with an offset or all ``Z``), some with one character changed."""
    zulu = draw(st.booleans())
    stamps = draw(st.lists(st.datetimes(timezones=st.just(timezone(timedelta(hours=1)))),
                           min_size=1, max_size=30))
    column = [t.isoformat(timespec="seconds") for t in stamps]
    if zulu:
        column = [text[:19] + "Z" for text in column]
    for _ in range(draw(st.integers(0, 3))):
        k = draw(st.integers(0, len(column) - 1))
        at = draw(st.integers(0, len(column[k]) - 1))
        char = draw(st.sampled_from("0123456789+-:TZ,\n x\u0669"))
        column[k] = column[k][:at] + char + column[k][at + 1:]
    return column


@settings(max_examples=500)
@given(timestamp_columns())
def test_timestamp_template_accepts_what_the_hand_written_shape_accepts(column: list[str]
                                                                        ) -> None:
    for pattern in _TIMESTAMP_TEMPLATES:
        view = View([column])
        expected = all(_TEMPLATE_ORACLE.fullmatch(text) and text[19] == pattern[19]
                       for text in column)
        assert view.matches(0, Template(pattern)) == expected
        assert view.packed(0) == ("\n".join(column).encode() if expected else view.packed(0))


def test_timestamp_template_hand_checked() -> None:
    template = Template(_TIMESTAMP_TEMPLATES[0])
    good = ["2026-04-01T23:59:59+01:00", "2026-12-31T00:00:00+19:59", "0001-01-01T20:00:00+00:00"]
    assert View([good]).matches(0, template)
    for bad in ["2026-04-01T24:00:00+01:00", "2026-04-01T29:00:00+01:00",
                "2026-04-01T10:60:00+01:00", "2026-04-01T10:00:60+01:00",
                "2026-04-01T10:00:00-01:00", "2026+04-01T10:00:00+01:00",
                "2026-04-01T10:00:00+20:00", "2026-04-01T10:00:00+01:60",
                "2026-04-01 10:00:00+01:00", "2026-04-01T10:00:00+01:00 ",
                "2026-04-01T10:00:00+01:0\n", "2026-04-01T10:00:00+01:00\n"[1:]]:
        assert not View([[*good, bad]]).matches(0, template), bad


@given(st.lists(st.text("ab\n\u00e9", max_size=3), min_size=1, max_size=8))
def test_packed_columns_are_the_columns_of_one_width(column: list[str]) -> None:
    one_width = (len({len(text) for text in column}) == 1 and "".join(column).isascii()
                 and not any("\n" in text for text in column))
    packed = View([column]).packed(0)
    assert packed == ("\n".join(column).encode() if one_width else None)


@given(timestamp_columns(), st.lists(st.integers(0, 29), max_size=3))
def test_single_offset_is_the_ending_of_every_non_blank_timestamp(column: list[str],
                                                                  blanks: list[int]) -> None:
    for k in blanks:
        if k < len(column):
            column[k] = ""
    first = next((text[19:] for text in column if text), "")
    expected = first if first and all(t.endswith(first) for t in column if t) else None
    view, packed = View([column]), View([column])
    packed.packed(0)  # found from the packed column when it is one, else from distinct values
    assert view.single_offset(0) == packed.single_offset(0) == expected
    assert (view.least(0), view.greatest(0)) == (min(column), max(column))
    packed.distinct(0, days=True)  # the least day from the distinct days, else the least value
    assert view.least_day(0) == packed.least_day(0) == min(column)[:10]


# --- the block splitter reads what csv.reader reads ---------------------------------------------


def _rows(data: bytes, version: int | str, plain: bool,
          text: bool = False) -> tuple[list[Any], list[Any]]:
    stream: Any = io.BytesIO(data)
    if text:
        stream = io.StringIO(data.decode("utf-8", "replace"), newline="")
    reader = csv_io.CsvReader(stream, version=version)
    if not plain:
        reader._split = (  # type: ignore[method-assign]
            lambda lines, in_order: _one_by_one(reader, lines))
    rows = [(raw.row, raw.fields, [i.code for i in raw.issues]) for raw in reader]
    return rows, [i.code for i in reader.file_issues]


def _one_by_one(reader: csv_io.CsvReader, lines: list[Any]) -> Any:
    """The row-by-row reading of the lines (csv.reader), without the plain-line fast path."""
    reader._source.give_back(lines)
    while reader._source.given_back:
        fields = reader._next_record()
        if fields is None:
            return
        reader._number += 1
        yield reader._row(fields)


_PIECES = ["a", "1", ",", ",", ",", '"', "\n", "\r\n", "\r", " ", "\x00", "\xe9", "\n\n"]


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    rows = [list(r.fields) for r in generate_rows(draw(st.integers(1, 12)),
                                                  seed=draw(st.integers(0, 99)), version=2)]
    # No field quoted; every field (csv.QUOTE_ALL); every field but the blank ones (database
    # exports that write NULL bare); or some of the columns.
    style = draw(st.sampled_from(["none", "all", "non-blank", "some"]))
    columns = draw(st.sets(st.integers(0, len(layout(2)) - 1))) if style == "some" else set()

    def quoted(column: int, field: str) -> str:
        whole = style == "all" or (style == "non-blank" and field) or column in columns
        return f'"{field}"' if whole else field

    lines = [",".join(layout(2).headers)] + [
        ",".join(quoted(column, field) for column, field in enumerate(row)) for row in rows]
    text = "\r\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))
    data = bytearray(text.encode())
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(data)))
        piece = draw(st.sampled_from([p.encode() for p in _PIECES] + [b"\xff"]))
        data[at:at] = piece
    return bytes(data)


@settings(slow, max_examples=300)
@given(data=csv_bytes(), version=st.sampled_from([2, "auto"]), text=st.booleans())
def test_block_splitter_reads_the_rows_csv_reader_reads(data: bytes, version: int | str,
                                                        text: bool) -> None:
    assert _rows(data, version, True, text) == _rows(data, version, False, text)


def _edited(end: str, old: str, new: str, rows: int = 3) -> bytes:
    """A v2 file whose lines end with ``end``; the first ``old`` after the header is ``new``."""
    body = "".join(",".join(r.fields) + end for r in generate_rows(rows, seed=1, version=2))
    return (",".join(layout(2).headers) + end + body.replace(old, new, 1)).encode()


def _all_quoted(end: str, old: str, new: str, rows: int = 3) -> bytes:
    """:func:`_edited` with every field of the data lines quoted."""
    body = "".join(",".join(f'"{field}"' for field in r.fields) + end
                   for r in generate_rows(rows, seed=1, version=2))
    return (",".join(layout(2).headers) + end + body.replace(old, new, 1)).encode()


def _quote_moved(line: int, *, closing: bool) -> bytes:
    """:func:`_all_quoted` with the first quote of data line ``line`` (1-3) one character
    later, or its last quote one earlier: as many quotes and commas on every line."""
    lines = _all_quoted("\n", "", "").split(b"\n")
    text = lines[line]
    lines[line] = (text[:-2] + b'"' + text[-2:-1] if closing else
                   text[1:2] + b'"' + text[2:])
    return b"\n".join(lines)


@pytest.mark.parametrize("data", [
    _edited("\r\n", ",ACC", ',"ACC'),  # a quoted field: same commas, other fields
    _edited("\r\n", ",ACC", ',"A\r\nCC'),  # a quoted field running over two lines
    _edited("\n", ",ACC", ",A\rCC", rows=1),  # as many bare CRs as LFs
    _edited("\r\n", ",ACC", ",A\rCC"),  # a bare CR among CRLFs
    _edited("\n", ",ACC", ",A\x00CC"),
    _edited("\r\n", "\r\n", "\n"),  # line ends of both kinds
    _edited("\r\n", "", "")[:-2] + b"\n",  # the last line ends with LF only
    _edited("\r\n", ",ACC", ",A\xffCC").replace(b"\xc3\xbf", b"\xff"),  # not UTF-8
    _edited("\r\n", "", "")[:-1],  # the last line ends with a bare CR
    _edited("\r\n", ",ACC", ",A,CC").replace(b",ACC", b"ACC", 1),  # +1 comma, then -1
    _edited("\n", ",ACC", ",\u00c9CC"),  # UTF-8 beyond ASCII
    _edited("\r\n", "", "")[:-2] + b"\ra\n",  # a bare CR in the last line, which ends in LF
    _edited("\r\n", "0\r\n", "0\rA\n"),  # the same in the first data line
    _all_quoted("\r\n", "", ""),
    _all_quoted("\n", "", "")[:-1],  # the last line has no end
    _all_quoted("\r\n", '"ACC', '"A,CC'),  # a comma in a quoted field
    _all_quoted("\r\n", '"ACC', '"A""CC'),  # a quote in a quoted field
    _all_quoted("\r\n", '"ACC', '"A\rCC'),  # a CR in a quoted field
    _all_quoted("\r\n", '"ACC', '"A\r\nCC'),  # a quoted field running over two lines
    _all_quoted("\n", '\n"', '\n'),  # a line whose first field is not quoted
    _all_quoted("\n", '"ACC', 'x"ACC'),  # a quote inside a field, not after a comma
    _all_quoted("\n", '","ACC', '"ACC",'),  # as many quotes and commas, not between fields
    _quote_moved(2, closing=False),  # a line starting with an unquoted field
    _quote_moved(1, closing=True),  # a line ending with one
    _quote_moved(3, closing=True),  # the last line ending with one
    _all_quoted("\n", "", "").replace(b'""', b""),  # blank fields bare, as databases write NULL
    _all_quoted("\n", "", "").replace(b'""', b"").replace(b'"', b"", 6),  # some columns bare
    _all_quoted("\n", "", "").replace(b'""', b"").replace(b',"ACC', b',"A""CC'),  # 4 quotes
    _all_quoted("\n", "", "").replace(b'""', b"").replace(b',"ACC', b',A"C"C'),  # inside
    _all_quoted("\n", "", "").replace(b'""', b"").replace(b',"3",', b',",', 1),  # lone quote
    _all_quoted("\n", "", "").replace(b'""', b"").replace(b',"ACC', b',"A"C"C"'),
], ids=["quoted", "quoted-lines", "bare-cr", "bare-cr-in-crlf", "nul", "mixed-ends",
        "last-lf", "not-utf8", "last-cr", "commas-moved", "utf8", "cr-then-lf-last",
        "cr-then-lf", "all-quoted", "all-quoted-last-no-end", "all-quoted-comma",
        "all-quoted-quote", "all-quoted-cr", "all-quoted-lines", "all-quoted-bare-first",
        "all-quoted-inner-quote", "all-quoted-moved", "all-quoted-line-start",
        "all-quoted-line-end", "all-quoted-last-line-end", "blanks-bare", "some-bare",
        "some-bare-escaped-quote", "some-bare-quotes-inside", "some-bare-lone-quote",
        "some-bare-four-quotes"])
@pytest.mark.parametrize("text", [False, True])
def test_block_splitter_reads_edge_cases_as_csv_reader(data: bytes, text: bool) -> None:
    assert _rows(data, 2, True, text) == _rows(data, 2, False, text)


def test_blocks_of_a_generated_file_are_columns(tmp_path: Any) -> None:
    rows = [list(r.fields) for r in generate_rows(5000, seed=3, version=1)]
    path = tmp_path / "v1.csv"
    path.write_text("".join(",".join(row) + "\r\n" for row in rows), encoding="utf-8")
    reader = csv_io.CsvReader(path)
    first, *items = list(reader.blocks())
    assert isinstance(first, RawRow)  # the first line is read to detect the version
    assert first.fields == rows[0]
    blocks = [item for item in items if isinstance(item, ColumnBlock)]
    assert len(blocks) == len(items)
    assert [f for block in blocks for f in zip(*block.columns, strict=True)] == [
        tuple(row) for row in rows[1:]]
    report = validate_reader(csv_io.CsvReader(path), submitted=submission_date_for(1))
    assert report.records == 5000
    assert report.accepted


def test_files_quoting_whole_fields_are_read_in_blocks(tmp_path: Any) -> None:
    """Files written with ``csv.QUOTE_ALL``, or with every field but the blank ones quoted (as
    database exports write NULL), are split in bulk like plain ones, and report what the same
    rows unquoted report."""
    rows = [list(r.fields) for r in generate_rows(3000, seed=5, version=2, invalid_rate=0.05)]
    reports = []
    for style in ("minimal", "all", "non-blank"):
        path = tmp_path / f"{style}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            if style == "non-blank":
                handle.writelines(",".join(f'"{field}"' if field else "" for field in row)
                                  + "\r\n" for row in [layout(2).headers, *rows])
            else:
                writer = csv.writer(handle, lineterminator="\r\n", quoting=csv.QUOTE_ALL
                                    if style == "all" else csv.QUOTE_MINIMAL)
                writer.writerows([layout(2).headers, *rows])
        items = list(csv_io.CsvReader(path).blocks())
        assert all(isinstance(item, ColumnBlock) for item in items)
        assert [list(f) for item in items if isinstance(item, ColumnBlock)
                for f in zip(*item.columns, strict=True)] == rows
        report = validate_reader(csv_io.CsvReader(path), submitted=submission_date_for(2))
        reports.append({**report.to_dict(), "source": None})
    assert reports[0] == reports[1] == reports[2]
    assert reports[0]["records_rejected"] > 0


def test_v2_file_with_metadata_validates_clean_through_blocks(tmp_path: Any) -> None:
    rows = [list(r.fields) for r in generate_rows(2000, seed=5, version=2)]
    path = tmp_path / "v2.csv"
    path.write_text("\n".join([",".join(layout(2).headers)] + [",".join(r) for r in rows]),
                    encoding="utf-8")
    report = validate_reader(csv_io.CsvReader(path), metadata=metadata_for(2, 2000))
    assert (report.records, report.accepted, dict(report.counts)) == (2000, True, {})


# --- the writer builds columns and lines in bulk ------------------------------------------------

_AWKWARD = st.sampled_from(["a,b", 'say "x"', "two\nlines", "cr\rhere", " padded ", "", "é"])


@st.composite
def awkward_records(draw: st.DrawFn, version: int) -> list[Any]:
    """Valid records, some with text that needs quoting or is absent."""
    found = draw(st.lists(records(version=version), min_size=1, max_size=30))
    for _ in range(draw(st.integers(0, 5))):
        k = draw(st.integers(0, len(found) - 1))
        name = draw(st.sampled_from(["accession_number", "referrer", "postcode", "gp_practice"]))
        changes: dict[str, Any] = {name: draw(st.one_of(st.none(), _AWKWARD))}
        found[k] = attrs.evolve(found[k], **changes)
    timestamps = [item.python_name for item in layout(version).items
                  if item.kind is Kind.TIMESTAMP]
    for _ in range(draw(st.integers(0, 3)) if timestamps else 0):
        k = draw(st.integers(0, len(found) - 1))
        when = draw(st.datetimes(timezones=st.sampled_from(_ZONES)))
        if draw(st.booleans()):
            when = when.replace(microsecond=0)
        moment: dict[str, Any] = {draw(st.sampled_from(timestamps)): when}
        found[k] = attrs.evolve(found[k], **moment)
    return found


class _NepalTime(tzinfo):
    """A fixed offset that is not a ``datetime.timezone``."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=5, minutes=45)

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return "NPT"


_ZONES = [timezone.utc, timezone(timedelta(hours=-3, minutes=-30)),
          timezone(timedelta(seconds=90)), _NepalTime()]


@pytest.mark.parametrize("version", [1, 2])
@settings(slow, max_examples=100)
@given(data=st.data())
def test_writer_output_is_what_csv_writer_writes(version: int, data: st.DataObject) -> None:
    found = data.draw(awkward_records(version))
    rows = [record.to_row() for record in found]
    distinct: dict[int, set[str]] = {}
    columns = to_columns(found, distinct=distinct)
    assert columns == [list(c) for c in zip(*rows, strict=True)]
    assert distinct == {index: set(columns[index]) for index in distinct}
    expected = io.StringIO(newline="")
    writer = csv.writer(expected, lineterminator="\r\n")
    if version == 2:
        writer.writerow(layout(2).headers)
    writer.writerows(rows)
    written = io.StringIO(newline="")
    assert write_csv(found, written, on_invalid="write") == len(found)
    assert written.getvalue() == expected.getvalue()


@settings(slow, max_examples=20)
@given(data=st.data())
def test_columns_remember_formatted_values_between_blocks(data: st.DataObject) -> None:
    """Blocks sharing memos (as the writer's do) format values seen in an earlier block, and
    values equal to them but of another type, as :meth:`to_row` does."""
    found = data.draw(awkward_records(2))
    found += [attrs.evolve(record, birth_date=datetime(2001, 2, 3)) for record in found]
    memos: list[dict[Any, str]] = [{} for _ in layout(2).items]
    for block in (found, found[::-1], found):
        rows = [record.to_row() for record in block]
        distinct: dict[int, set[str]] = {}
        columns = to_columns(block, memos=memos, distinct=distinct)
        assert columns == [list(c) for c in zip(*rows, strict=True)]
        assert distinct == {index: set(columns[index]) for index in distinct}
        assert layout(2).index("birth_date") in distinct  # collected to be formatted


def test_checked_writer_stops_at_the_first_bad_record_after_writing_the_good_ones() -> None:
    rows = [list(r.fields) for r in generate_rows(3000, seed=11, version=2)]
    found = [RecordV2.from_row(row) for row in rows]
    found[2500] = attrs.evolve(found[2500], accession_number=None)
    found.append(found[10])
    out = io.StringIO(newline="")
    with pytest.raises(InvalidRecord) as caught:
        write_csv(found, out, submitted=submission_date_for(2))
    assert (caught.value.row, caught.value.codes) == (2501, ("DIDS070",))
    assert out.getvalue().count("\r\n") == 1 + 2500
    issues: list[Any] = []
    out = io.StringIO(newline="")
    assert write_csv(found, out, on_invalid="skip", issues=issues) == 3000 - 1
    assert [(i.code, i.row) for i in issues] == [("DIDS070", 2501), ("DIDS071", 3001)]


def test_checked_writer_skips_the_records_validation_rejects() -> None:
    """Typed records holding invalid codes, dates and identifiers, over two blocks: the writer
    skips the records that validation rejects, for the same rules (DIDS071 aside: the writer
    keeps the first record of a duplicate group)."""
    found = []
    for generated in generate_rows(BLOCK_SIZE + 1500, seed=5, version=2, invalid_rate=0.1):
        try:
            found.append(RecordV2.from_row(generated.fields))
        except RowError:
            continue
    submitted = submission_date_for(2)
    report = validate_rows([record.to_row() for record in found], version=2,
                           submitted=submitted)
    rejected = {(i.row, i.code) for i in report.issues
                if i.disposition is Disposition.RECORD_REJECT and i.code != "DIDS071"}
    assert len({code for _, code in rejected}) > 10
    issues: list[Any] = []
    written = write_csv(found, io.StringIO(newline=""), on_invalid="skip", submitted=submitted,
                        issues=issues)
    assert {(i.row, i.code) for i in issues if i.code != "DIDS071"} == rejected
    assert written == len(found) - len({i.row for i in issues})


def test_row_sources_are_checked_in_batches_with_the_same_report() -> None:
    """validate_rows and the JSON Lines reader batch rows; reused row objects stay distinct."""
    rows = [list(r.fields) for r in generate_rows(2500, seed=9, version=2, invalid_rate=0.2)]
    submitted = submission_date_for(2)
    expected = exact(rows, 2, submitted=submitted)

    def reused() -> Any:
        row: list[str] = []
        for fields in rows:
            row[:] = fields
            yield row

    report = validate_rows(reused(), version=2, submitted=submitted, include_values=True)
    assert _summary(report) == expected
    names = layout(2).names
    lines = "".join(json.dumps(dict(zip(names, row, strict=True))) + "\n" for row in rows)
    reader = open_reader(io.BytesIO(lines.encode()), format="jsonl", version=2)
    found = validate_reader(reader, submitted=submitted, include_values=True).to_dict()
    assert found["counts"] == expected["counts"]
    assert [(i["code"], i["row"], i["item"]) for i in found["issues"]] == [
        (i["code"], i["row"], i["item"]) for i in expected["issues"]]


def test_shape_classifiers_fail_line_by_line() -> None:
    """A bad value after many good ones is found without backtracking through them."""
    screen = screen_for(Validator(2))
    assert screen is not None
    start = datetime(2026, 4, 1, tzinfo=timezone.utc)
    cases = {
        "postcode": ([f"L{chr(65 + n % 26)}{n % 10} {n // 260 % 10}AB" for n in range(2600)],
                     "LS1 4AV"),
        "procedure_start_timestamp": (
            [(start + timedelta(seconds=n)).isoformat() for n in range(20000)],
            "2026-04-01T10:00:00+01:0"),
    }
    for name, (values, bad) in cases.items():
        classifier = screen._bulk[layout(2).index(name)]
        assert classifier is not None
        assert classifier.clean([*values, bad]) == set(values)
        assert classifier.all_clean is None or not classifier.all_clean(
            View([[*values, bad]]), 0)


_SHAPES = {"postcode": (postcode.SHAPE, 0, "LS14AP Z9\n\u0130"),
           "referrer": (referrer.format_pattern().pattern, referrer.format_pattern().flags,
                        "CDGN1289 \n\u0130")}


@settings(max_examples=300)
@given(st.sampled_from(sorted(_SHAPES)).flatmap(lambda name: st.tuples(
    st.just(name), st.lists(st.text(_SHAPES[name][2], max_size=9) | st.sampled_from(
        ["LS1 4AP", "EC1A 1BB", "C1234567", "G7654321"]), max_size=12))))
def test_a_shape_matches_a_column_whole_when_it_matches_each_value(
        case: tuple[str, list[str]]) -> None:
    """The one match of a shape over a column joined by newlines says what matching each
    value on its own says, values holding a newline included."""
    name, column = case
    pattern, flags, _ = _SHAPES[name]
    one = re.compile(pattern, flags)
    expected = all(one.fullmatch(value) for value in column)
    assert Shape(pattern, flags).all_match(column) == expected
    if "\n" not in "".join(column):  # both forms of the pattern of every line, by hand
        plain = re.sub(r"\((?!\?)", "(?:", pattern)
        for possessive in [False] + [True] * (sys.version_info >= (3, 11)):
            every = re.compile(every_line(plain, possessive=possessive), flags)
            assert bool(every.fullmatch("\n".join(column))) == (expected and bool(column))


_CODES = {"postcode": ["LS1 4AP", "W1A 0AX", "EC1A 1BB", "ZZ99 3VZ", "ls1 4ap", " LS1 4AP",
                       "LS1 4AP ", "LS14AP", "LS1  4AP", "", "L\u0130 4AP"],
          "referrer": ["C1234567", "G7654321", "D1234567", "N9999998", "c1234567",
                       " C1234567", "C1234567 ", "C 1234567", "", "C12345678", "\u0130"],
          "request_time": ["00:00:00", "23:59:59", "09:05:00", "19:45:30", "24:00:00",
                           "23:60:00", "09:05:60", " 09:05:00", "9:05:00", "09:05:00Z", "",
                           "\u0660\u0669:05:00"],
          "gp_practice": ["A81001", "V81999", "a81001", "A 1", "", " A81001", "A81001 ",
                          "A81001\t", "\x1fA81001", "A81001\r", "A81001\n", "\nA81001",
                          "\u00a0X", "X\u2003", "\u0130"]}


@settings(max_examples=300)
@given(st.sampled_from(sorted(_CODES)).flatmap(lambda name: st.tuples(
    st.just(name), st.lists(st.sampled_from(_CODES[name]), min_size=1, max_size=8))))
def test_whole_column_proofs_agree_with_the_classifiers(case: tuple[str, list[str]]) -> None:
    """A column of postcodes, referrer codes, clock times or GP practice codes (no rule reads
    them alone: only padding fails) is proved clean whole exactly when every value is one the
    classifier (and so the exact checks) calls clean; the no-rule proof leaves columns with
    a character outside ASCII to the distinct values."""
    name, column = case
    screen = screen_for(Validator(2))
    assert screen is not None
    classifier = screen._bulk[layout(2).index(name)]
    assert classifier is not None
    assert classifier.all_clean is not None
    all_clean = classifier.all_clean(View([column]), 0)
    if name != "gp_practice" or "".join(column).isascii():
        assert all_clean == (classifier.clean(column) == set(column))
    else:
        assert not all_clean
    validator = Validator(2)
    index = layout(2).index(name)
    codes = screen._local[index]
    if classifier.all_clean(View([column]), 0):
        assert not any(validator.fails_alone(index, value, codes) for value in column)


#: Dates on and around the bounds of the date items' rules: the floors (DIDS009 1900-01-02,
#: DIDS031 and DIDS041 1970-01-01) and the submission dates drawn below.
_EDGE_DATES = ["1899-12-31", "1900-01-01", "1900-01-02", "1900-01-03", "1969-12-31",
               "1970-01-01", "1970-01-02", "2025-10-30", "2025-10-31", "2026-02-28",
               "2026-03-01", "2026-04-14", "2026-04-15", "2026-04-16"]
_NOT_DATES = ["2026-02-29", "2026-13-01", "2026-04-31", "0000-01-01", "2026-4-01",
              " 2026-04-01", "2026-04-01 ", "2026-04-01T00:00:00", "", "\u0662026-04-01"]
_DATE_TEXTS = st.one_of(
    st.sampled_from(_EDGE_DATES + _NOT_DATES),
    st.dates(date(1899, 12, 1), date(2027, 1, 31)).map(date.isoformat))


@settings(max_examples=300)
@given(version=st.sampled_from([1, 2]),
       submitted=st.sampled_from([date(2026, 2, 10), date(2026, 4, 15), date(2026, 12, 31)]),
       values=st.sets(_DATE_TEXTS, min_size=1, max_size=40))
def test_date_classifier_agrees_with_exact_verdicts(version: int, submitted: date,
                                                    values: set[str]) -> None:
    """The clean dates of a block (the few exact verdicts at the edges of their one run, and
    exact verdicts for the others) are the ones the exact judgement calls clean, for every
    date item that has the classifier."""
    validator = Validator(version, submitted=submitted)
    screen = screen_for(validator)
    assert screen is not None
    dated = [k for k, item in enumerate(layout(version)) if item.kind is Kind.DATE]
    assert [k for k in dated if screen._bulk[k] is None] == (
        [layout(1).index("test_date")] if version == 1 else [])
    for index in dated:
        codes = screen._local[index]
        expected = {value for value in values
                    if not validator.fails_alone(index, value, codes)}
        classifier = screen._bulk[index]
        if classifier is not None:
            assert classifier.clean(sorted(filter(None, values))) <= expected
        assert screen._classify(index, values) == expected


def test_v1_test_dates_are_not_one_run_of_clean_dates() -> None:
    """Why the v1 test date is judged value by value: DIDS049 warns from 4 months before the
    submission month's end by Spark's months_between, which is 4.0 for 2025-10-28 and
    2025-10-31 (both month ends count whole months) but 3.97 and 3.94 for the days between."""
    validator = Validator(1, submitted=date(2026, 2, 10))
    index = layout(1).index("test_date")
    row = [""] * len(layout(1))
    warned = {}
    for day in ["2025-10-27", "2025-10-28", "2025-10-29", "2025-10-30", "2025-10-31",
                "2025-11-01"]:
        row[index] = day
        warned[day] = "DIDS049" in {issue.code for issue in validator.check_row(row)}
    assert warned == {"2025-10-27": True, "2025-10-28": True, "2025-10-29": False,
                      "2025-10-30": False, "2025-10-31": True, "2025-11-01": False}


@settings(max_examples=200)
@given(st.sets(st.sampled_from(["A81001", " A81001", "A81001 ", "a81001", "", " ", "V81999",
                                "\u00a0X", "Z", "A81001\t"])))
def test_items_no_rule_reads_alone_fail_only_when_padded(values: set[str]) -> None:
    """Without reference data no rule reads a GP practice code alone: its values are judged
    clean unless padded, as the exact judgement says, without running it."""
    validator = Validator(2)
    screen = screen_for(validator)
    assert screen is not None
    index = layout(2).index("gp_practice")
    assert screen._local[index] == frozenset()
    assert screen._classify(index, values) == {
        value for value in values if not validator.fails_alone(index, value, frozenset())}


def test_an_item_read_by_presence_alone_has_no_classifier_that_passes_blanks() -> None:
    """The no-rule classifier proves columns with blanks clean; an item whose only rule is one
    of presence (none today: DIDS070 stands in) must not get it, or a blank would pass."""
    validator = Validator(2)
    screen = screen_for(validator)
    assert screen is not None
    index = layout(2).index("gp_practice")
    local = list(screen._local)
    local[index] = frozenset({"DIDS070"})
    assert Screen(validator, local, [])._bulk[index] is None
    unread = screen._bulk[index]
    assert unread is not None
    assert unread.all_clean is not None
    assert unread.all_clean(View([["A81001", ""]]), 0)


def test_csv_with_quoted_and_invalid_lines_matches_row_by_row_checks() -> None:
    """Quoted lines are read one by one while the plain ones are screened in bulk; the report
    (with a per-rule listing limit) is still the row-by-row one."""
    rng = random.Random(4)
    rows = [list(r.fields) for r in generate_rows(6000, seed=4, version=2, invalid_rate=0.1)]
    accession = layout(2).index("accession_number")
    for row in rows:
        if rng.random() < 0.05:
            row[accession] += ",Q"
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(layout(2).headers)
    writer.writerows(rows)
    data = text.getvalue().encode()
    submitted = submission_date_for(2)
    options: dict[str, Any] = {"submitted": submitted, "limit_per_rule": 2}
    screened_report = validate_reader(csv_io.CsvReader(io.BytesIO(data)), **options)
    validator = Validator(2, **options)
    reader = csv_io.CsvReader(io.BytesIO(data))
    for raw in reader:
        assert raw.fields is not None
        validator.check_row(raw.fields, raw.row, reader.columns, read_issues=raw.issues)
    assert screened_report.to_dict() == validator.finish().to_dict()
    assert screened_report.records_rejected > 0


def test_columns_proved_clean_whole_still_show_a_bad_value_in_a_later_block() -> None:
    """From the second block on, columns of mostly new values (NHS numbers, accession numbers,
    procedure start timestamps) are proved clean whole; a bad value there is still found. The
    bad timestamps keep their row's offsets and order, so no other screen points at them."""
    rows = [list(r.fields) for r in generate_rows(600, seed=8, version=2)]
    at = layout(2).index
    rows[299][at("request_date")], rows[299][at("request_received_date")] = (
        "2026-02-20", "2026-02-21")
    rows[299][at("procedure_start_timestamp")] = "2026-02-30T10:00:00+01:00"
    rows[299][at("procedure_end_timestamp")] = "2026-03-01T10:30:00+01:00"
    rows[299][at("report_issue_timestamp")] = "2026-03-02T10:30:00+01:00"
    second_60 = rows[379][at("procedure_start_timestamp")]
    rows[379][at("procedure_start_timestamp")] = second_60[:17] + "60" + second_60[19:]
    rows[419][at("nhs_number")] = "9434765918"
    rows[459][at("accession_number")] = "A" * 21
    assert {(300, "DIDS045"), (380, "DIDS045"), (420, "DIDS001"), (460, "DIDS072")} <= set(
        screened_in_twenties(rows))


def _screened_accessions(rows: list[list[str]], size: int
                         ) -> tuple[list[int], list[set[str]], Screen]:
    """The suspect rows of v2 ``rows`` screened in blocks of ``size``, the sets of accession
    numbers judged one by one, and the screen."""
    at = layout(2).index("accession_number")
    screen = screen_for(Validator(2, submitted=submission_date_for(2)))
    assert screen is not None
    verdicts = screen._verdicts[at]
    judged: list[set[str]] = []
    judge = verdicts._clean
    verdicts._clean = lambda values: judged.append(set(values)) or judge(values)  # type: ignore
    found: list[int] = []
    for start in range(0, len(rows), size):
        block: list[Sequence[str]] = [list(column) for column in zip(*rows[start:start + size],
                                                                      strict=True)]
        found += [start + row for row in suspects(screen, block)]
    return found, judged, screen


def test_columns_of_new_values_are_proved_clean_without_judging_each_value() -> None:
    """Accession numbers are new in every block: in the first block and in each probe block
    (when their values are collected again) the whole-column proof spares judging them one
    by one; a bad one in a probe block is judged and found."""
    rows = [list(r.fields) for r in generate_rows(400, seed=9, version=2)]
    at = layout(2).index("accession_number")
    rows[16 * 20 + 3][at] = "A" * 21  # in the 17th block of 20 rows: a probe
    found, judged, _ = _screened_accessions(rows, 20)
    assert found == [16 * 20 + 3]
    assert judged == [{row[at] for row in rows[320:340]}]


def test_a_bad_value_among_new_ones_costs_the_judging_of_its_own_value_only() -> None:
    """A column of new values that is not proved clean whole has only the values of the rows
    its classifier suspects judged: here the one bad accession number, and with blanks, the
    blanks too."""
    rows = [list(r.fields) for r in generate_rows(200, seed=9, version=2)]
    at = layout(2).index("accession_number")
    rows[4 * 40 + 9][at] = "A" * 21  # in block 5 of 40 rows
    found, judged, _ = _screened_accessions(rows, 40)
    assert found == [4 * 40 + 9]
    assert judged == [{"A" * 21}]
    rows[4 * 40 + 2][at] = rows[4 * 40 + 30][at] = ""
    found, judged, _ = _screened_accessions(rows, 40)
    assert found == [4 * 40 + 2, 4 * 40 + 9, 4 * 40 + 30]
    assert judged == [{"A" * 21, ""}]


def _suspects_of(name: str, column: list[str]) -> list[int] | None:
    """The rows of a v2 block's column of item ``name`` that its classifier suspects."""
    index = layout(2).index(name)
    screen = screen_for(Validator(2, submitted=date(2026, 5, 5)))
    assert screen is not None
    classifier = screen._bulk[index]
    assert classifier is not None
    assert classifier.suspects is not None
    columns: list[Sequence[str]] = [[""] * len(column) for _ in layout(2)]
    columns[index] = column
    return classifier.suspects(View(columns), index)


@pytest.mark.parametrize(("name", "column", "expected"), [
    # 9434765918: a wrong check digit; 943476591: nine digits; a letter; a blank.
    ("nhs_number", ["9434765919", "9434765918", "943476591", "943476591x", "", "4010232137"],
     [1, 2, 3, 4]),
    ("nhs_number", ["9434765919", "4010232137"], []),
    # ZZ99 3VZ is valid, but its inward code has a V, which the shape of the usual ones has
    # not: it is judged on its own (and passes).
    ("postcode", ["LS1 4AP", "ls1 4ap", "LS14AP", "", "ZZ99 3VZ", "LS1 4AP "], [1, 2, 3, 4, 5]),
    ("accession_number", ["A1", "A" * 20, "A" * 21, "", "A-1", " A1"], [2, 3, 4, 5]),
    ("request_time", ["00:00:00", "23:59:59", "24:00:00", "9:00:00", "", "12:60:00"],
     [2, 3, 4, 5]),
    # 2026-02-30: no such day; 2026-06-01: after the submission date (DIDS045 and the rest).
    ("procedure_start_timestamp",
     ["2026-04-01T10:00:00+01:00", "2026-02-30T10:00:00Z", "2026-04-01T10:00:00",
      "2026-06-01T10:00:00Z", "", "2026-04-01T10:00:00Z"], [1, 2, 3, 4]),
    ("gp_practice", ["A81001", " A81001", "A81001\t", "", "X"], [1, 2]),
    ("gp_practice", ["A81001", "A\n1"], None),
])
def test_each_classifier_suspects_the_rows_it_does_not_prove_clean(
        name: str, column: list[str], expected: list[int] | None) -> None:
    assert _suspects_of(name, column) == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_suspects_hold_every_row_whose_value_fails(data: st.DataObject) -> None:
    """Every row of a column whose value breaks one of its item's rules is suspected (so the
    rows not suspected are clean), for junk mixed into generated values."""
    rows = [list(r.fields) for r in generate_rows(30, seed=data.draw(st.integers(0, 50)),
                                                  version=2)]
    validator = Validator(2, submitted=submission_date_for(2))
    screen = screen_for(validator)
    assert screen is not None
    for index, classifier in enumerate(screen._bulk):
        if classifier is None or classifier.suspects is None:
            continue
        column = [row[index] for row in rows]
        for k in data.draw(st.lists(st.integers(0, len(column) - 1), max_size=4)):
            column[k] = data.draw(st.sampled_from(_JUNK))
        columns: list[Sequence[str]] = [list(c) for c in zip(*rows, strict=True)]
        columns[index] = column
        found = classifier.suspects(View(columns), index)
        if found is None:
            continue
        assert found == sorted(set(found))
        codes = screen._local[index]
        failing = [k for k, text in enumerate(column)
                   if validator.fails_alone(index, text, codes)]
        assert set(failing) <= set(found), list(layout(2))[index].python_name


def test_values_proved_clean_whole_are_remembered_only_up_to_a_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Accession numbers, new in every block, are remembered from the blocks that collect them
    (the first and every 16th) only up to the limit; NHS numbers that recur are all
    remembered, so the column is then found not mostly new and uses the remembered verdicts."""
    monkeypatch.setattr(screen_view, "_PROVED_LIMIT", 30)
    rows = [list(r.fields) for r in generate_rows(20 * 40, seed=9, version=2)]
    at = layout(2).index
    pool = [row[at("nhs_number")] for row in rows[:25]]
    for number, row in enumerate(rows):
        row[at("nhs_number")] = pool[number % 25]
    screen = screen_for(Validator(2, submitted=submission_date_for(2)))
    assert screen is not None
    for start in range(0, len(rows), 20):
        block: list[Sequence[str]] = [list(column) for column in zip(*rows[start:start + 20],
                                                                      strict=True)]
        assert suspects(screen, block) == []
    accession, nhs = screen._verdicts[at("accession_number")], screen._verdicts[at("nhs_number")]
    assert len(accession._good) == 40  # 20 of the first block, then 20 of the 17th
    assert accession.mostly_new
    assert nhs._good == set(pool)
    assert not nhs.mostly_new


def test_padded_columns_are_screened_stripped() -> None:
    """Validation compares values stripped, so a column with padded values (a fixed-width
    export) is stripped for the screen instead of sending every row to the exact path; keys
    are taken stripped too, so a padded accession number still duplicates its plain twin."""
    rows = [list(r.fields) for r in generate_rows(200, seed=6, version=2)]
    at = layout(2).index
    for row in rows:
        row[at("gp_practice")] += "  "
        row[at("accession_number")] = " " + row[at("accession_number")]
        row[at("request_date")] += "\t"
        row[at("procedure_end_timestamp")] += " "
    columns: list[Sequence[str]] = [list(column) for column in zip(*rows, strict=True)]
    screen = screen_for(Validator(2, submitted=submission_date_for(2)))
    assert screen is not None
    assert suspects(screen, columns) == []
    assert columns[at("gp_practice")] == [row[at("gp_practice")].strip() for row in rows]
    rows[150] = [*rows[20]]  # the same key, the accession number not padded
    rows[150][at("accession_number")] = rows[20][at("accession_number")].strip()
    rows[160][at("request_date")] = " 2026-05-30 "  # after the received date: DIDS027
    submitted = submission_date_for(2)
    found = screened(rows, 2, (64,), submitted=submitted)
    assert found == exact(rows, 2, submitted=submitted)
    assert {(i["row"], i["code"]) for i in found["issues"]} >= {
        (21, "DIDS071"), (151, "DIDS071"), (161, "DIDS027")}


def test_rows_with_values_hand_checked() -> None:
    """One or two values are found by list.index, more by set membership: the same rows."""
    view = View([["a", "b", "a", "c", " a", "", "c"]])
    assert view.rows_with(0, set()) == []
    assert view.rows_with(0, {"z"}) == []
    assert view.rows_with(0, {"a"}) == [0, 2]
    assert view.rows_with(0, {"c", "a"}) == [0, 2, 3, 6]
    assert view.rows_with(0, {""}) == [5]
    assert view.rows_with(0, frozenset({"a", "b", "c"})) == [0, 1, 2, 3, 6]
    assert view.blank_rows(0) == [5]


def test_single_value_of_a_column() -> None:
    view = View([["09:00:00"] * 3, ["09:00:00", "09:00:00", "09:30:00"], ["", "", ""]])
    assert [view.single(index) for index in range(3)] == ["09:00:00", None, ""]
    known = View([["a", "b"]], {0: {"a", "b"}})
    assert known.single(0) is None
    assert View([["a", "a"]], {0: {"a"}}).single(0) == "a"


def test_one_offset_found_from_a_packed_masked_column() -> None:
    """A blank and a timestamp without an offset masked: the column packs, and its one
    offset is read from the bytes; unmasked, from its distinct values (the same answer)."""
    column = ["2026-04-01T09:00:00+01:00", "", "2026-04-02T10:00:00+01:00",
              "2026-04-02T10:00:00"]
    view = View([column])
    assert view.packed(0) is None
    masked = view.masked({0: [1, 3]})
    assert masked.single_offset(0) == "+01:00"
    assert masked.packed(0) is not None
    assert view.single_offset(0) is None  # one value ends in no offset
    other = View([["2026-04-01T09:00:00+01:00", "2026-04-01T09:00:00+00:00"]])
    assert other.single_offset(0) is None


def test_masked_view_hand_checked() -> None:
    """The rows named of each column take the value of its first other row; what was derived
    from the other columns is kept, and the view masked is unchanged."""
    view = View([["x", "2024-01-01", "?", "2024-01-03"], ["a", "", "b", "c"], ["z", "z", "z", "z"]])
    assert view.unique(0) == {"x", "2024-01-01", "?", "2024-01-03"}
    assert view.blank_rows(1) == [1]
    masked = view.masked({0: [0, 2], 2: [0, 1, 2, 3]})
    assert masked.columns[0] == ["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-03"]
    assert masked.unique(0) == {"2024-01-01", "2024-01-03"}
    assert masked.columns[2] == ["z"] * 4  # no other row: kept
    assert masked.blank_rows(1) == [1]
    assert view.columns[0] == ["x", "2024-01-01", "?", "2024-01-03"]
    assert view.unique(0) == {"x", "2024-01-01", "?", "2024-01-03"}


def test_a_failing_value_is_masked_from_the_screens() -> None:
    """A request date that is no date (2026-13-01, which sorts after every date of the block)
    in one row: the block's screens read the first other row's date there (the screens of
    DIDS027 and DIDS034, request before received and before start, do not flag the row), and
    the exact checks of every rule reading the request date find the row's issues."""
    rows = [list(r.fields) for r in generate_rows(40, seed=4, version=2)]
    at = layout(2).index
    rows[3][at("request_date")] = "2026-13-01"
    validator = Validator(2, submitted=submission_date_for(2))
    screen = screen_for(validator)
    assert screen is not None
    sifted = screen.sift([list(column) for column in zip(*rows, strict=True)])
    assert [(index, rows) for index, _, rows in sifted.failing] == [(at("request_date"), [3])]
    assert sifted.tainted == {at("request_date"): [3]}
    assert all(3 not in set(found) for code, found in sifted.rows
               if code in ("DIDS027", "DIDS034"))
    submitted = submission_date_for(2)
    found = screened(rows, 2, (40,), submitted=submitted)
    assert found == exact(rows, 2, submitted=submitted)
    assert (4, "DIDS026") in {(issue["row"], issue["code"]) for issue in found["issues"]}


def test_valid_failing_values_are_masked_only_when_few() -> None:
    """v1 test dates two years before the submission month break DIDS055 (a rule on the date
    alone; each is a valid date): in 2 rows of 40 they are kept from the screens and their rows
    checked exactly; when every row is late (the file checked two years late) the screens read
    them, and no row is checked for every rule on the test date. Both reports are the exact
    ones."""
    rows = [list(r.fields) for r in generate_rows(40, seed=6, version=1)]
    at = layout(1).index("test_date")
    for k in (3, 7):
        rows[k][at] = (date.fromisoformat(rows[k][at]) - timedelta(days=730)).isoformat()
    submitted = submission_date_for(1)
    for late, tainted in [(0, [3, 7]), (730, None)]:
        screen = screen_for(Validator(1, submitted=submitted + timedelta(days=late)))
        assert screen is not None
        sifted = screen.sift([list(column) for column in zip(*rows, strict=True)])
        failing = {index: held for index, _, held in sifted.failing}
        assert len(failing[at]) == (2 if not late else 40)
        assert sifted.tainted.get(at) == tainted
        found = screened(rows, 1, (40,), submitted=submitted + timedelta(days=late))
        assert found == exact(rows, 1, submitted=submitted + timedelta(days=late))
        assert (4, "DIDS055") in {(issue["row"], issue["code"]) for issue in found["issues"]}


def test_within_days_with_a_blank_earliest_date() -> None:
    """DIDS038 (start within 365 days of the received date): a blank received date has no
    bound, so the least of the others bounds the block; the row whose start is 400 days after
    its received date is still found, and only it."""
    rows = [list(r.fields) for r in generate_rows(40, seed=5, version=2)]
    at = layout(2).index
    rows[0][at("request_received_date")] = rows[0][at("request_received_time")] = ""
    start = date.fromisoformat(rows[7][at("procedure_start_timestamp")][:10])
    rows[7][at("request_date")] = rows[7][at("request_received_date")] = (
        start - timedelta(days=400)).isoformat()
    view = View([list(column) for column in zip(*rows, strict=True)])
    rows_of = SCREENS["DIDS038"](RULES["DIDS038"], Validator(2).context)
    assert rows_of is not None
    assert rows_of(view) == [7]
    submitted = submission_date_for(2)
    found = screened(rows, 2, (40,), submitted=submitted)
    assert found == exact(rows, 2, submitted=submitted)
    assert (8, "DIDS038") in {(issue["row"], issue["code"]) for issue in found["issues"]}


def test_days_before_only_from_bounds_already_found() -> None:
    births = ["2024-01-01", "2020-05-05", ""]
    starts = ["2026-01-01T00:00:00Z", "2025-12-31T23:00:00Z", "2026-02-01T00:00:00Z"]
    view = View([births, starts])
    assert not view.days_before(0, 1)  # nothing known yet: not computed for this
    assert (view.greatest(0), view.least(1)) == ("2024-01-01", "2025-12-31T23:00:00Z")
    assert view.days_before(0, 1)
    assert not View([["2025-12-31"], ["2025-12-31T23:00:00Z"]]).days_before(0, 0)
    late = View([births, ["2026-01-01T00:00:00Z", "2023-12-31T23:00:00Z", starts[2]]])
    late.greatest(0)
    late.distinct(1, days=True)
    assert not late.days_before(0, 1)  # a later day before the greatest earlier one
    blank = View([births, [*starts[:2], ""]])
    blank.greatest(0)
    blank.least(1)
    assert not blank.days_before(0, 1)  # a blank later moment


def test_a_column_of_one_value_in_a_block_is_still_checked_in_the_next() -> None:
    """A column that held one value in the last block is compared with its first value before
    its distinct values are collected; a different, bad value in the next block is found."""
    rows = [list(r.fields) for r in generate_rows(40, seed=3, version=2)]
    at = layout(2).index("request_time")
    for row in rows:
        row[at] = "00:00:00"
    rows[30][at] = "25:00:00"
    assert screened_in_twenties(rows) == [(31, "X-TIM-01")]
    view = View([["a", "a", "b"], ["a", "a", "a"]])
    assert (view.unique(0, constant=True), view.unique(1, constant=True)) == ({"a", "b"}, {"a"})


def test_known_clean_values_are_looked_up_without_collecting_their_set() -> None:
    """A column whose values were all remembered clean has them looked up in the next block
    (no set collected when all are found), unless a row screen collected that set anyway: the
    rows of the few values that are new are found and only those values judged; a new, bad
    value in a later block is still found as the exact checks find it."""
    verdicts = screen_view.Verdicts(lambda values: {v for v in values if v != "bad"})
    assert verdicts.failing({"a", "b"}) == set()
    assert not verdicts.all_known  # both were new
    assert verdicts.failing({"a"}) == set()
    assert verdicts.all_known
    known = View([["a", "b", "a"]])
    assert verdicts.unknown(known, 0) == []
    assert not known.collected(0)  # looked up, not collected
    assert verdicts.unknown(View([["a", "c", *["b"] * 13, "bad"]]), 0) == [1, 15]  # 2 in 16
    assert verdicts.all_known
    assert verdicts.among({"c", "bad"}) == {"bad"}
    assert verdicts.unknown(View([["a", "b", "c"]]), 0) == []  # c was judged clean
    assert verdicts.unknown(View([["a", "d", "e", "b"] * 2]), 0) is None  # 2 in 8: not few
    assert not verdicts.all_known

    rows = [list(r.fields) for r in generate_rows(60, seed=8, version=2)]
    at = layout(2).index
    for number, row in enumerate(rows):
        row[at("gp_practice")] = ["A81001", "B82002"][number % 2]
        row[at("imaging_site")] = ["RJ101", "RA701"][number % 2]
        row[at("request_date")] = ["2026-02-01", "2026-02-02"][number % 2]
    screen = screen_for(Validator(2, submitted=submission_date_for(2)))
    assert screen is not None
    seen = []
    original = View.unique

    def unique(view: View, index: int, *, constant: bool = False) -> set[str]:
        seen.append(index)
        return original(view, index, constant=constant)

    for start in range(0, 60, 20):  # the third block looks up what the second found known
        seen.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(View, "unique", unique)
            assert suspects(screen, [list(c) for c in zip(*rows[start:start + 20],
                                                         strict=True)]) == []
    assert at("gp_practice") not in seen  # looked up: their values were all known clean
    assert at("imaging_site") not in seen
    assert at("request_date") in seen  # DIDS028's screen collects it: so does the item
    assert screen._collected_by_screens[at("request_date")]
    assert not screen._collected_by_screens[at("gp_practice")]
    rows[50][at("gp_practice")] = " A81001"
    rows[55][at("imaging_site")] = "R1"
    assert (56, "DIDS069") in screened_in_twenties(rows)


def test_a_column_left_unproved_is_asked_for_its_suspects_first_in_the_next_block() -> None:
    """Blocks of 20 rows, the first collecting every column's values: a bad NHS number in the
    second block leaves the column unproved after the whole-column proof fails; the third block's
    classifier is asked for its suspects without the proof (none: clean), and the fourth tries
    the proof again. The reports are the exact ones."""
    rows = [list(r.fields) for r in generate_rows(80, seed=9, version=2)]
    at = layout(2).index("nhs_number")
    rows[23][at] = rows[23][at][:9] + str((int(rows[23][at][9]) + 1) % 10)  # a wrong check digit
    screen = screen_for(Validator(2, submitted=submission_date_for(2)))
    assert screen is not None
    classifier = screen._bulk[at]
    assert classifier is not None
    assert classifier.all_clean is not None
    proofs = []
    prove = classifier.all_clean

    def all_clean(view: View, index: int) -> bool:
        proofs.append(prove(view, index))
        return proofs[-1]

    screen._bulk[at] = attrs.evolve(classifier, all_clean=all_clean)
    seen = []
    for start in range(0, 80, 20):
        found = suspects(screen, [list(c) for c in zip(*rows[start:start + 20], strict=True)])
        seen.append((23 - start in found, screen._unproved[at], list(proofs)))
    assert seen == [(False, False, [True]),  # proved clean as the first block's values are
                    (True, True, [True, False]), (False, False, [True, False]),
                    (False, False, [True, False, True])]
    assert (24, "DIDS001") in screened_in_twenties(rows)


def test_varied_clock_times_are_proved_clean_without_remembering_them() -> None:
    """Request and received times (tens of thousands of values in real files) are proved
    clean whole by their template, so only those of the first block, which collects every
    column's values, are remembered; a bad or blank time in a later block is still found, as
    the exact checks find it."""
    rows = [list(r.fields) for r in generate_rows(80, seed=5, version=2)]
    at = layout(2).index
    for number, row in enumerate(rows):
        row[at("request_time")] = f"0{number % 6}:{number % 60:02d}:{number * 7 % 60:02d}"
        row[at("request_received_time")] = f"06:{number % 30:02d}:00"
    screen = screen_for(Validator(2, submitted=submission_date_for(2)))
    assert screen is not None
    for start in range(0, 80, 20):
        block: list[Sequence[str]] = [list(column) for column in zip(*rows[start:start + 20],
                                                                      strict=True)]
        assert suspects(screen, block) == []
    for name in ("request_time", "request_received_time"):
        assert screen._verdicts[at(name)]._good == {row[at(name)] for row in rows[:20]}
    constant = screen_for(Validator(2, submitted=submission_date_for(2)))
    assert constant is not None
    generated: list[Sequence[str]] = [list(column) for column in zip(
        *(r.fields for r in generate_rows(20, seed=5, version=2)), strict=True)]
    assert suspects(constant, generated) == []
    assert constant._constant[at("request_time")]  # one time: then compared by list.count
    rows[45][at("request_time")] = "24:00:00"
    rows[70][at("request_received_time")] = ""
    assert (46, "X-TIM-01") in screened_in_twenties(rows)


@pytest.mark.parametrize("version", [1, 2])
def test_an_empty_block_has_no_issue(version: int) -> None:
    validator = Validator(version)
    assert validator.check_columns([[] for _ in layout(version).items], 1) == []
    assert validator.check_columns([], 1) == []
    assert validator.finish().records == 0


def test_treatment_function_validity_windows_are_screened(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """X-TFC-01 compares the start with its code's validity dates only when the block's
    earliest or latest start is outside the bounds of all its codes; either way, a start
    outside its code's window is found (a code that closes and one that opens mid-file)."""
    code_list = layout(2)["treatment_function"].code_list
    assert code_list is not None
    table = codes_base._metadata(codes_base._FILES[code_list.enum])
    middle = date(2026, 4, 15)
    monkeypatch.setitem(table, "102", attrs.evolve(table["102"], valid_to=middle))
    monkeypatch.setitem(table, "103", attrs.evolve(table["103"], valid_from=middle))
    rows = [list(r.fields) for r in generate_rows(400, seed=9, version=2)]
    column = layout(2).index("treatment_function")
    for k, row in enumerate(rows):
        row[column] = "102" if k % 2 else "103"
    submitted = submission_date_for(2)
    found = screened(rows, 2, (40,), submitted=submitted)
    assert found == exact(rows, 2, submitted=submitted)
    assert found["counts"]["X-TFC-01"] > 40


def test_columns_of_records_with_unhashable_values_are_formatted_as_rows_are() -> None:
    row = next(iter(generate_rows(1, seed=2, version=2))).fields
    changes: dict[str, Any] = {"referrer": ["C1234567"]}  # attrs does not check types
    record = attrs.evolve(RecordV2.from_row(list(row)), **changes)
    assert to_columns([record]) == [[text] for text in record.to_row()]


def test_timestamp_columns_across_zones_and_the_ends_of_the_calendar() -> None:
    """Hand-checked: a column mixing offsets (an equal zone in another object included), a
    fraction of a second, and the first and last representable days."""
    bst, also_bst = timezone(timedelta(hours=1)), timezone(timedelta(hours=1), "BST")
    row = list(next(iter(generate_rows(1, seed=2, version=2))).fields)
    template = RecordV2.from_row(row)
    cases = [
        (datetime(2026, 3, 29, 0, 59, 59, tzinfo=timezone.utc), "2026-03-29T00:59:59+00:00"),
        (datetime(2026, 3, 29, 2, 0, 0, tzinfo=bst), "2026-03-29T02:00:00+01:00"),
        (datetime(1, 1, 1, 0, 0, 0, tzinfo=also_bst), "0001-01-01T00:00:00+01:00"),
        (datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-12))),
         "9999-12-31T23:59:59-12:00"),
    ]
    found = [attrs.evolve(template, procedure_start_timestamp=when) for when, _ in cases]
    start = layout(2).names.index("procedure_start_timestamp")
    assert to_columns(found)[start] == [text for _, text in cases]
    one_zone = [attrs.evolve(template, procedure_start_timestamp=when)
                for when in (datetime(2026, 6, 1, 9, tzinfo=bst),
                             datetime(2026, 6, 1, 9, 0, 0, 250, tzinfo=also_bst))]
    assert to_columns(one_zone)[start] == [record.to_row()[start] for record in one_zone]


@pytest.mark.parametrize("zones", [1, 2, 3])
def test_timestamp_columns_of_one_two_and_three_zones(zones: int) -> None:
    """Hand-checked: timestamps in one, two (a month when clocks change) and three zones are
    written in their own zones; equal instants keep their own offsets."""
    bst, eastern = timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))
    cases = [
        (datetime(2026, 10, 25, 1, 30, 5, tzinfo=bst), "2026-10-25T01:30:05+01:00"),
        (datetime(2026, 10, 24, 23, 59, 59, tzinfo=bst), "2026-10-24T23:59:59+01:00"),
        (datetime(2026, 10, 25, 0, 30, 5, tzinfo=timezone.utc), "2026-10-25T00:30:05+00:00"),
        (datetime(2026, 10, 26, 0, 0, 0, tzinfo=timezone.utc), "2026-10-26T00:00:00+00:00"),
        (datetime(2026, 10, 24, 19, 30, 5, tzinfo=eastern), "2026-10-24T19:30:05-05:00"),
    ][:[2, 4, 5][zones - 1]]
    row = list(next(iter(generate_rows(1, seed=2, version=2))).fields)
    template = RecordV2.from_row(row)
    found = [attrs.evolve(template, report_issue_timestamp=when) for when, _ in cases]
    report = layout(2).names.index("report_issue_timestamp")
    assert to_columns(found)[report] == [text for _, text in cases]


def test_writer_quotes_formatted_values_that_need_it_in_every_block() -> None:
    """A value formatted by ``str`` (here a tuple in a text item) may need quotes; it is not
    remembered, so a later block holding it is quoted too."""
    found = [RecordV2.from_row(list(r.fields))
             for r in generate_rows(BLOCK_SIZE + 52, seed=5, version=2)]
    changes: dict[str, Any] = {"referrer": ("a", 'b"')}
    for k in (3, BLOCK_SIZE + 42):
        found[k] = attrs.evolve(found[k], **changes)
    expected = io.StringIO(newline="")
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(layout(2).headers)
    writer.writerows(record.to_row() for record in found)
    written = io.StringIO(newline="")
    assert write_csv(found, written, on_invalid="write") == len(found)
    assert written.getvalue() == expected.getvalue()
    assert written.getvalue().count('"(\'a\', \'b""\')"') == 2


@pytest.mark.parametrize(("item", "value", "refuse", "refused"), [
    ("accession_number", "ACC,1", FORMULA_START, False),  # quoted
    ("postcode", 'LS1"4AP', FORMULA_START, False),
    ("nhs_number", None, FORMULA_START, False),  # absent: blank
    ("postcode", "LS1,\ud800", FORMULA_START, False),  # cannot be encoded: checked one by one
    ("accession_number", "=1+1", FORMULA_START, True),
    ("referrer", "@A1", FORMULA_START, True),
    ("accession_number", "~1", ("~",), True),  # a refused start that is not a formula's
    ("accession_number", "~1", (), False),
])
def test_text_columns_are_written_as_they_are_checked(item: str, value: str | None,
                                                      refuse: tuple[str, ...],
                                                      refused: bool) -> None:
    """Text items skip the sets of distinct values; a value that needs quotes or may be refused
    sends the column to the exact checks."""
    found = [RecordV2.from_row(list(r.fields)) for r in generate_rows(50, seed=11, version=2)]
    changes: dict[str, Any] = {item: value}
    found[7] = attrs.evolve(found[7], **changes)
    if refused:
        with pytest.raises(RefusedStart):
            to_columns(found, refuse=refuse)
        return
    quoted: set[str] = set()
    columns = to_columns(found, refuse=refuse, quoted=quoted)
    assert [list(row) for row in zip(*columns, strict=True)] == [r.to_row() for r in found]
    assert quoted == ({item} if value and ("," in value or '"' in value) else set())


@settings(max_examples=300)
@given(texts=st.lists(st.one_of(st.none(), st.text(st.sampled_from("=+-@\t\r0Aa.<>?é "),
                                                   max_size=3)), max_size=8),
       as_set=st.booleans())
def test_refused_starts_are_found_as_one_by_one(texts: list[str | None], as_set: bool) -> None:
    """The least and greatest texts settle most columns; the result is the plain definition."""
    item = layout(2)["referrer"]
    expected = any(text and text.startswith(FORMULA_START) for text in texts)
    try:
        _refuse(item, set(texts) if as_set else texts, FORMULA_START)
    except RefusedStart:
        assert expected
    else:
        assert not expected


class _Counted:
    """A provider of every code and organisation, counting single and batched lookups."""

    def __init__(self, entry: Callable[[str], Any]) -> None:
        self.single = 0
        self.batches: list[int] = []
        self._entry = entry

    def lookup(self, code: str) -> Any:
        self.single += 1
        return self.lookup_many([code])[code]

    def lookup_many(self, codes: Collection[str]) -> dict[str, Any]:
        self.batches.append(len(codes))
        return {code: self._entry(code) for code in codes}

    def __contains__(self, postcode: object) -> bool:
        self.single += 1
        return True

    def known(self, postcodes: Collection[str]) -> set[str]:
        self.batches.append(len(postcodes))
        return set(postcodes)


def test_a_provider_is_asked_about_each_block_in_batches() -> None:
    """Three blocks of 100 rows with distinct postcodes, sites and codes: every question goes in
    a batch (a few per block and provider), none alone, and each value is asked once."""
    rows = [list(r.fields) for r in generate_rows(300, seed=5, version=2)]
    at = layout(2).index
    for k, row in enumerate(rows):
        row[at("postcode")] = f"LS{k % 90 + 1} {k % 9}AB"
    counted = {name: _Counted(ReferenceCode) for name in ("nicip", "snomed_ct", "postcodes")}
    counted["organisations"] = _Counted(lambda code: Organisation(code, ROLES))
    reference = ReferenceData(counted["nicip"], counted["snomed_ct"], counted["organisations"],
                              counted["postcodes"])
    found = screened(rows, 2, (100,), submitted=submission_date_for(2), reference=reference)
    assert found["counts"] == {}
    for name, provider in counted.items():
        assert provider.single == 0, name
        assert 1 <= len(provider.batches) <= 3 * 3, (name, provider.batches)
    assert sum(counted["postcodes"].batches) == len({row[at("postcode")] for row in rows})
