"""Whole files: golden reports, structure faults located, duplicates, windows, privacy."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dids import examples
from dids._screens import duplicates as duplicate_keys
from dids.catalogue import V2
from dids.findings import Findings, Issue, JsonSink, Report
from dids.io.csv import CsvReader, detect_version
from dids.metadata import SubmissionMetadata, parse_metadata, submission_window
from dids.validate import Validator, iter_findings, validate_file, validate_rows
from tests.conftest import SUBMITTED, make_row

DATA = Path(__file__).parent / "data"
HEADER = ",".join(V2.headers)


def csv_bytes(*lines: str, newline: str = "\n") -> io.BytesIO:
    return io.BytesIO((newline.join(lines) + newline).encode("utf-8"))


def v1_line(**overrides: str) -> str:
    return ",".join(make_row(1, **overrides))


def v2_line(**overrides: str) -> str:
    return ",".join(make_row(2, **overrides))


def codes(report: object) -> list[tuple[int | None, str]]:
    return [(issue.row, issue.code) for issue in report.issues]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("example", "golden", "options"),
    [
        ("v1_invalid.csv", "v1_invalid.report.json", {"submitted": date(2024, 4, 2)}),
        ("v2_invalid.csv", "v2_invalid.report.json", {"metadata": "v2_metadata.json"}),
    ],
)
def test_golden_reports(example: str, golden: str, options: dict[str, Any]) -> None:
    if "metadata" in options:
        data = json.loads(examples.path(str(options["metadata"])).read_text("utf-8"))
        options = {"metadata": parse_metadata(data)[0]}
    report = validate_file(examples.path(example), **options)
    expected = json.loads((DATA / golden).read_text("utf-8"))
    assert report.to_dict() == expected


def test_valid_examples_are_accepted() -> None:
    assert validate_file(examples.path("v1_valid.csv"), submitted=date(2024, 4, 2)).accepted
    metadata, problems = parse_metadata(
        json.loads(examples.path("v2_metadata.json").read_text("utf-8"))
    )
    assert problems == []
    report = validate_file(examples.path("v2_valid.csv"), metadata=metadata)
    assert report.accepted
    assert report.counts == {}


def test_bom_crlf_quotes_embedded_newlines_and_blank_lines() -> None:
    quoted = v1_line(accession_number='"ACC ""1""\nX"')
    source = io.BytesIO(("\ufeff" + v1_line() + "\r\n\r\n" + quoted + "\r\n  \r\n").encode())
    reader = CsvReader(source)
    rows = list(reader)
    assert reader.version == 1
    assert [r.row for r in rows] == [1, 2]
    assert rows[1].fields is not None
    assert rows[1].fields[17] == 'ACC "1"\nX'
    assert rows[0].fields is not None
    assert rows[0].fields[0] == "9434765919"


def test_v1_wrong_column_count_rejects_the_file_but_checks_every_row() -> None:
    source = csv_bytes(v1_line(), v1_line() + ",", v1_line(nhs_number="9990000019"))
    report = validate_file(source, submitted=SUBMITTED[1])
    assert report.file_rejected
    assert codes(report) == [(1, "DIDS071"), (2, "DIDS075"), (3, "DIDS001"), (3, "DIDS071")]
    assert report.records == 3


def test_unclosed_quote_is_located_and_later_rows_still_read() -> None:
    source = csv_bytes(v1_line(accession_number="A1"), v1_line(accession_number='"A2'),
                       v1_line(accession_number="A3"), v1_line(nhs_number="9990000019",
                                                               accession_number="A4"))
    report = validate_file(source, version=1, submitted=SUBMITTED[1])
    assert codes(report) == [(2, "DIDS075"), (4, "DIDS001")]
    assert report.records == 4
    assert report.file_rejected


def test_undecodable_bytes_and_nul_are_row_issues() -> None:
    good = v1_line(accession_number="A1").encode()
    bad = v1_line(accession_number="A2").encode().replace(b"ACC", b"A\xff").replace(
        b"A2", b"A\xffB"
    )
    nul = v1_line(accession_number="A\x003").encode()
    report = validate_file(io.BytesIO(good + b"\n" + bad + b"\n" + nul + b"\n"),
                           submitted=SUBMITTED[1])
    assert codes(report) == [(2, "X-ENC-01"), (3, "X-ENC-01")]
    assert report.records_rejected == 2


def test_v2_header_matching_reorder_and_missing_optional_columns() -> None:
    names = list(V2.headers)
    row = make_row(2)
    order = list(reversed(range(len(names))))
    del order[order.index(V2.index("referrer_evaluation"))]
    header = ",".join(f"  {names[i].lower()} " for i in order)
    line = ",".join(row[i] for i in order)
    bad_line = ",".join(make_row(2, nhs_number="9990000019")[i] for i in order)
    report = validate_file(csv_bytes(header, line, bad_line.replace("ACC0002001", "ACC9")),
                           submitted=SUBMITTED[2])
    assert codes(report) == [(2, "DIDS001")]
    assert report.issues[0].column == len(order)  # NHS NUMBER is now the last column


def test_v2_header_faults_are_file_rejects_with_locations() -> None:
    names = list(V2.headers)
    names.remove("RADIOLOGICAL ACCESSION NUMBER")
    header = ",".join([*names, "LOCAL CODE", "NHS NUMBER"])
    line = ",".join([*make_row(2)[:-1], "X", "9990000026"])
    reader = CsvReader(csv_bytes(header, line))
    assert [(i.code, i.item, i.column) for i in reader.file_issues] == [
        ("X-CSV-01", None, 24),
        ("X-CSV-03", "nhs_number", 25),
        ("X-CSV-02", "accession_number", None),
    ]
    report = reader.validate(submitted=SUBMITTED[2])
    assert report.file_rejected
    assert report.records == 1


def test_v2_row_with_wrong_field_count_is_a_record_reject() -> None:
    report = validate_file(csv_bytes(HEADER, v2_line(), v2_line() + ",x", v2_line() + ",,"),
                           submitted=SUBMITTED[2])
    assert codes(report) == [(1, "DIDS071"), (2, "X-CSV-04"), (3, "DIDS071")]
    assert not report.file_rejected
    assert report.records_rejected == 3


def test_version_detection() -> None:
    assert detect_version(csv_bytes(v1_line())) == 1
    assert detect_version(csv_bytes(HEADER, v2_line())) == 2
    header_of_v1_names = ",".join(name for name in V2.headers[:18])
    assert detect_version(csv_bytes(header_of_v1_names)) == 2
    assert detect_version(io.BytesIO(b"")) == 2


def test_empty_files_are_rejected() -> None:
    assert codes(validate_file(io.BytesIO(b""), version=1)) == [(None, "X-FIL-01")]
    report = validate_file(csv_bytes(HEADER))
    assert codes(report) == [(None, "X-FIL-01")]
    assert report.file_rejected


def test_text_streams_are_read_too() -> None:
    report = validate_file(io.StringIO(v1_line() + "\n"), submitted=SUBMITTED[1])
    assert report.accepted
    assert report.records == 1


def test_every_member_of_a_duplicate_group_is_rejected_once() -> None:
    rows = [make_row(1), make_row(1), make_row(1, nhs_number="9990000019"), make_row(1)]
    rows.append(make_row(1, accession_number="OTHER"))
    report = validate_rows(rows, version=1, submitted=SUBMITTED[1])
    assert codes(report) == [(1, "DIDS071"), (2, "DIDS071"), (3, "DIDS001"), (3, "DIDS071"),
                             (4, "DIDS071")]
    assert report.records_rejected == 4


def test_v2_duplicate_key_includes_the_procedure_code() -> None:
    rows = [
        make_row(2, nicip_code="XCHES", snomed_code=""),
        make_row(2, nicip_code="", snomed_code="60027007"),
        make_row(2, nicip_code="XCHES", snomed_code="60027007"),
        make_row(2, imaging_site="RA702"),
    ]
    report = validate_rows(rows, version=2, submitted=SUBMITTED[2])
    assert codes(report) == [(2, "DIDS071"), (3, "DIDS071")]


def test_v2_window_and_metadata() -> None:
    assert submission_window(date(2026, 12, 1))[1] == date(2027, 6, 30)
    assert submission_window(date(2027, 3, 1))[1] == date(2027, 9, 30)
    assert submission_window(date(2027, 5, 1))[1] == date(2027, 8, 31)
    # The calendar's last months: the window ends (or opens) on 9999-12-31, and never raises.
    assert submission_window(date(9999, 10, 1)) == (date(9999, 11, 1), date(9999, 12, 31))
    assert submission_window(date(9999, 12, 1)) == (date(9999, 12, 31), date(9999, 12, 31))
    april = SubmissionMetadata.for_period(date(2026, 4, 1))
    rows = [make_row(2)]
    for submitted, outside in [(date(2026, 4, 30), True), (date(2026, 5, 1), False),
                               (date(2026, 10, 31), False), (date(2026, 11, 1), True)]:
        report = validate_rows(rows, version=2, metadata=april, submitted=submitted)
        assert ("X-WIN-01" in report.counts) is outside, submitted
    created = datetime(2026, 5, 3, 9, tzinfo=timezone.utc)
    counted = SubmissionMetadata(date(2026, 4, 1), date(2026, 4, 30), "RA7", created, 2)
    report = validate_rows(rows, version=2, metadata=counted)
    assert codes(report) == [(None, "X-MET-02")]
    assert "X-WIN-01" in validate_rows(rows, version=2, submitted=SUBMITTED[2]).not_checked


def test_metadata_problems_are_named_by_field() -> None:
    metadata, problems = parse_metadata({
        "data_set_version": "1.0", "submitting_organisation": "R-7",
        "reporting_period_start": "2026-04-02", "reporting_period_end": "2026-04-30",
        "created_at": "2026-04-30T10:00:00Z", "record_count": -1,
    })
    assert metadata is None
    assert problems == ["data_set_version", "submitting_organisation",
                        "reporting_period_start", "created_at", "record_count"]
    assert parse_metadata([]) == (None, ["metadata"])


def test_limit_per_rule_caps_the_list_not_the_counts() -> None:
    rows = [make_row(1, nhs_number="9990000019", accession_number=f"A{i}") for i in range(5)]
    report = validate_rows(rows, version=1, submitted=SUBMITTED[1], limit_per_rule=2)
    assert report.counts["DIDS001"] == 5
    assert len(report.issues) == 2


IDENTIFIERS = ("9990000019", "1960-02-29", "2023-02-29", "LS14AP", "LS1 4AP", "ZZ99 3VZ")


def test_no_patient_identifier_in_reports_unless_asked(capsys: pytest.CaptureFixture[str]) -> None:
    from dids.cli import main, render_report

    path = examples.path("v1_invalid.csv")
    report = validate_file(path, submitted=date(2024, 4, 2))
    for text in (report.to_json(), render_report(report), repr(report)):
        for secret in IDENTIFIERS:
            assert secret not in text
    main([*[str(path), "--submitted", "2024-04-02"][:0], "validate", str(path)])
    out, err = capsys.readouterr()
    for secret in IDENTIFIERS:
        assert secret not in out + err
    shown = validate_file(path, submitted=date(2024, 4, 2), include_values=True)
    assert "9990000019" in shown.to_json()
    assert "2023-02-29" in render_report(shown)


def _many_rows(count: int) -> Iterator[list[str]]:
    row = make_row(1)
    for n in range(count):
        row[17] = f"ACC{n:010d}"
        yield row


def _memory_per_row(validator_for: Callable[[], Validator],
                    fields: Callable[[list[str]], list[str]], small: int, large: int) -> float:
    """Peak traced memory a row costs: ``large`` generated v1 rows (as ``fields`` makes them)
    validated in blocks, against ``small``."""
    def peak(count: int) -> int:
        rows = _many_rows(count)
        tracemalloc.start()
        validator = validator_for()
        first = 1
        while chunk := [fields(list(row)) for row in islice(rows, 4096)]:
            validator.check_columns([list(c) for c in zip(*chunk, strict=True)], first)
            first += len(chunk)
        validator.finish()
        used = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return used

    return (peak(large) - peak(small)) / (large - small)


def test_memory_is_flat_apart_from_the_compact_duplicate_keys() -> None:
    # Past the 32,768-hash partitions of the duplicate check, below SPILL_AFTER rows: 13 bytes a
    # row for the duplicate keys, moved into partitions (a byte a row says which), never the row.
    per_row = _memory_per_row(lambda: Validator(1, submitted=SUBMITTED[1]), lambda row: row,
                              1 << 16, 1 << 17)
    assert per_row < 40, per_row


def test_memory_is_flat_once_the_duplicate_keys_are_in_a_file(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``SPILL_AFTER`` rows the keys go to a temporary file: a row then costs nothing
    that stays in memory (the file's index is 12 bytes a partition a batch)."""
    monkeypatch.setattr(duplicate_keys, "SPILL_AFTER", 1 << 14)
    per_row = _memory_per_row(lambda: Validator(1, submitted=SUBMITTED[1]), lambda row: row,
                              1 << 16, 1 << 17)
    assert per_row < 1, per_row


@pytest.mark.parametrize("spill_after", [None, 5000])
def test_duplicates_are_found_across_the_partitions_of_a_large_file(
        spill_after: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if spill_after is not None:  # the keys in a temporary file, read back in runs of 3
        monkeypatch.setattr(duplicate_keys, "SPILL_AFTER", spill_after)
        monkeypatch.setattr(duplicate_keys, "_RUN_CHUNK", 3)
    rows = [list(row) for row in _many_rows(100_000)]
    pairs = [(1 + 490 * k, 246 + 490 * k) for k in range(200)] + [(7, 99_999), (8, 99_998)]
    for first, second in pairs:
        rows[second - 1][17] = rows[first - 1][17]
    rows[99_997 - 1][17] = rows[8 - 1][17]  # a group of three: rows 8, 99,997 and 99,998
    validator = Validator(1, submitted=SUBMITTED[1], limit_per_rule=None)
    for start in range(0, len(rows), 4096):
        chunk = rows[start:start + 4096]
        validator.check_columns([list(c) for c in zip(*chunk, strict=True)], start + 1)
    report = validator.finish()
    duplicates = sorted([row for pair in pairs for row in pair] + [99_997])
    assert [i.row for i in report.issues if i.code == "DIDS071"] == duplicates
    assert report.records_rejected == len(duplicates)


def test_check_columns_can_leave_duplicate_keys_to_the_caller() -> None:
    """Clean rows and suspects (here rows 2 and 5, duplicates with a bad NHS number) alike."""
    rows = [list(row) for row in _many_rows(10)]
    rows[9][17] = rows[2][17]
    rows[4][17] = rows[1][17]
    rows[1][0] = rows[4][0] = "123"  # not an NHS number
    rows[6][17] = ""  # no accession number: no key
    columns = [list(c) for c in zip(*rows, strict=True)]
    kept, left = Validator(1, submitted=SUBMITTED[1]), Validator(1, submitted=SUBMITTED[1])
    keys: list[int | None] = []
    assert kept.check_columns(columns, 1) == left.check_columns(columns, 1, keys=keys)
    assert [i.row for i in kept.finish().issues if i.code == "DIDS071"] == [2, 3, 5, 10]
    report = left.finish()
    assert report.records == 10
    assert "DIDS071" not in report.counts
    assert len(keys) == 10
    assert keys[6] is None
    assert keys[2] == keys[9]  # a clean pair
    assert keys[1] == keys[4]  # a pair of suspects
    assert len(set(keys) - {None}) == 7


def test_validator_rejects_bad_version() -> None:
    with pytest.raises(ValueError, match="1 or 2"):
        Validator(3)


def _bad_nhs_numbers(count: int) -> bytes:
    """A v1 file of ``count`` rows, each with a bad NHS number (DIDS001) and its own accession
    number; the last two rows share a key (DIDS071)."""
    rest = ",01,,,,,,03,C1234567,RA7,2024-03-04,2024-03-04,2024-03-05,,71651007,,RA701,"
    lines = [f"9990000019{rest}ACC{k:05d}" for k in range(count - 1)]
    lines.append(lines[-1])
    return ("\r\n".join(lines) + "\r\n").encode()


def test_findings_stream_in_row_order_then_the_file_level_ones() -> None:
    data = _bad_nhs_numbers(300)
    stream = iter_findings(io.BytesIO(data), submitted=date(2024, 4, 2))
    assert stream.report is None  # made as the stream is read
    found = [(issue.row, issue.code) for issue in stream]
    assert found == [(row, "DIDS001") for row in range(1, 301)] + [(299, "DIDS071"),
                                                                   (300, "DIDS071")]
    report = stream.report
    assert report is not None
    assert report.counts == {"DIDS001": 300, "DIDS071": 2}
    assert report.records_rejected == 300


def test_reports_keep_the_first_findings_of_each_rule_by_default() -> None:
    report = validate_file(io.BytesIO(_bad_nhs_numbers(300)), submitted=date(2024, 4, 2))
    assert report.counts["DIDS001"] == 300
    assert [i.row for i in report.issues if i.code == "DIDS001"] == list(range(1, 101))
    everything = validate_file(io.BytesIO(_bad_nhs_numbers(300)), submitted=date(2024, 4, 2),
                               limit_per_rule=None)
    assert len(everything.issues) == 302


def test_a_sink_receives_every_finding_as_the_report_counts_them() -> None:
    written: list[Issue] = []
    closed: list[Report] = []

    class Sink:
        def write(self, findings: Findings) -> None:
            written.extend(findings)

        def close(self, report: Report) -> None:
            closed.append(report)

    report = validate_file(io.BytesIO(_bad_nhs_numbers(50)), submitted=date(2024, 4, 2),
                           limit_per_rule=0, sinks=[Sink()])
    assert report.issues == []
    assert closed == [report]
    assert Counter(issue.code for issue in written) == report.counts


def test_validate_reader_moved_with_a_deprecation() -> None:
    import dids.io
    from dids import validate

    with pytest.warns(DeprecationWarning, match="dids.validate.validate_reader"):
        moved = dids.io.validate_reader
    assert moved is validate.validate_reader


class _Discard:
    """A text stream that keeps nothing."""

    def write(self, text: str) -> int:
        return len(text)


def test_memory_is_flat_whatever_the_number_of_findings() -> None:
    """Every row with two findings (a bad NHS number, two years late), written as JSON as
    found: the memory a row costs is the duplicate key's (as on a clean file), not its
    findings'."""
    def validator() -> Validator:
        sink = JsonSink(_Discard(), 1)
        return Validator(1, submitted=date(2027, 1, 1), limit_per_rule=0, sinks=[sink])

    def bad(row: list[str]) -> list[str]:
        return ["9990000019", *row[1:]]

    per_row = _memory_per_row(validator, bad, 1 << 15, 1 << 16)
    assert per_row < 40, per_row
    sample = validator()
    sample.check_columns([list(c) for c in zip(*map(bad, _many_rows(50)), strict=True)], 1)
    assert sample.finish().counts == {"DIDS001": 50, "DIDS055": 50}


@given(keys=st.lists(st.tuples(st.integers(0, 40), st.booleans()), max_size=300),
       order=st.randoms(use_true_random=False), spill_after=st.integers(1, 50))
def test_spilled_duplicate_keys_find_what_keys_in_memory_find(
        keys: list[tuple[int, bool]], order: Any, spill_after: int) -> None:
    """Keys added out of row order (as a reader's quoted rows come after their block), with
    many repeats: the rows whose key repeats, in row order with their rejected flags, whether
    the keys stay in memory or go to the temporary file every few rows."""
    rows = list(range(1, len(keys) + 1))
    order.shuffle(rows)
    counts = Counter(key for key, _ in keys)
    expected = sorted((row, rejected) for row, (key, rejected) in zip(rows, keys, strict=True)
                      if counts[key] > 1)
    found = {}
    for spill in (None, spill_after):
        kept = duplicate_keys.DuplicateKeys(V2)
        with pytest.MonkeyPatch.context() as patch:
            if spill is not None:
                patch.setattr(duplicate_keys, "SPILL_AFTER", spill)
                patch.setattr(duplicate_keys, "_RUN_CHUNK", 2)
            for row, (key, rejected) in zip(rows, keys, strict=True):
                kept.add(hash(("A", str(key))), row, rejected)
            found[spill] = list(kept.duplicated())
            assert list(kept.duplicated()) == []  # the keys are consumed
    assert found[None] == found[spill_after] == expected
