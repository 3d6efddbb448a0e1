"""Serialisers: lossless round trips in every format, golden files, conversion, derivations."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dids import derive, examples
from dids._record_base import BLOCK_SIZE
from dids.convert import uk_offset, v1_to_v2
from dids.generate import generate_rows
from dids.io import InvalidRecord, detect_format, open_reader, read_typed, write_records
from dids.io import csv as csv_io
from dids.io.csv import UnsafeValue, write_csv
from dids.io.json import JsonReader, Submission, get_converter, read_json, write_json
from dids.io.xml import XmlReader, write_xml
from dids.metadata import SubmissionMetadata
from dids.records import RecordV1, RecordV2
from dids.strategies import records
from dids.validate import Issue, validate_records

DATA = Path(__file__).parent / "data"
METADATA = SubmissionMetadata(
    date(2026, 4, 1), date(2026, 4, 30), "RA7", datetime(2026, 5, 3, 9, tzinfo=timezone.utc), 2
)


def _csv(recs: list[RecordV1] | list[RecordV2]) -> bytes:
    out = io.StringIO(newline="")
    write_csv(recs, out, on_invalid="write")
    return out.getvalue().encode()


def _read(data: bytes, fmt: str) -> list[RecordV1 | RecordV2 | None]:
    reader = open_reader(io.BytesIO(data), format=fmt)  # type: ignore[arg-type]
    return [result.record for result in read_typed(reader)]


many_v1 = st.lists(records(version=1), min_size=1, max_size=8)
many_v2 = st.lists(records(version=2), min_size=1, max_size=8)
relaxed = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(many_v1)
def test_csv_v1_round_trip(recs: list[RecordV1]) -> None:
    assert _read(_csv(recs), "csv") == recs


@relaxed
@given(many_v2)
def test_csv_v2_round_trip(recs: list[RecordV2]) -> None:
    assert _read(_csv(recs), "csv") == recs


@relaxed
@given(many_v2)
def test_json_round_trip(recs: list[RecordV2]) -> None:
    out = io.StringIO()
    write_json(Submission(tuple(recs), METADATA), out)
    assert read_json(io.StringIO(out.getvalue())) == Submission(tuple(recs), METADATA)
    assert _read(out.getvalue().encode(), "json") == recs


@relaxed
@given(st.one_of(many_v1, many_v2))
def test_json_lines_round_trip(recs: list[RecordV1] | list[RecordV2]) -> None:
    out = io.StringIO()
    metadata = METADATA if isinstance(recs[0], RecordV2) else None
    write_records(recs, out, format="jsonl", metadata=metadata, on_invalid="write")
    assert _read(out.getvalue().encode(), "jsonl") == recs


@relaxed
@given(many_v1)
def test_xml_round_trip(recs: list[RecordV1]) -> None:
    out = io.StringIO()
    write_xml(recs, out)
    assert _read(out.getvalue().encode(), "xml") == recs


def test_writer_finds_a_duplicate_of_a_record_written_in_an_earlier_block() -> None:
    """Blocks without issues are kept whole; a record repeating one of an earlier block is
    still a DIDS071 duplicate (the writer checks BLOCK_SIZE records at a time)."""
    count = BLOCK_SIZE + 952
    found = [RecordV2.from_row(r.fields) for r in generate_rows(count, seed=5, version=2)]
    found.insert(BLOCK_SIZE + 452, found[10])
    issues: list[Issue] = []
    assert write_csv(found, io.StringIO(), on_invalid="skip", issues=issues) == count
    assert [(i.row, i.code) for i in issues] == [(BLOCK_SIZE + 453, "DIDS071")]


def test_writer_finds_duplicates_within_one_block_and_through_padding() -> None:
    """A record repeating one of its own block is a DIDS071 duplicate and the first is kept;
    a padded accession number is keyed as validation reads it, stripped."""
    found = [RecordV2.from_row(r.fields) for r in generate_rows(100, seed=5, version=2)]
    found.insert(60, found[20])
    padded = " " + str(found[30].accession_number) + " "
    found.append(attrs.evolve(found[30], accession_number=padded))
    issues: list[Issue] = []
    out = io.StringIO()
    assert write_csv(found, out, on_invalid="skip", issues=issues) == 100
    assert [(i.row, i.code) for i in issues] == [(61, "DIDS071"), (102, "DIDS071")]
    assert [(i.row, i.code) for i in validate_records(found).issues] == [
        (21, "DIDS071"), (31, "DIDS071"), (61, "DIDS071"), (102, "DIDS071")]


def test_writers_refuse_or_report_invalid_records() -> None:
    good = RecordV1.from_row(examples.path("v1_valid.csv").read_text().splitlines()[0]
                             .split(","))
    bad = attrs.evolve(good, nhs_number="9990000019", accession_number="X2")
    twin = attrs.evolve(good)
    with pytest.raises(InvalidRecord) as caught:
        write_csv([good, bad], io.StringIO())
    assert caught.value.row == 2
    assert caught.value.codes == ("DIDS001",)
    assert "9990000019" not in str(caught.value)
    issues: list[Issue] = []
    out = io.StringIO()
    assert write_csv([good, bad, twin], out, on_invalid="skip", issues=issues) == 1
    assert [(i.row, i.code) for i in issues] == [(2, "DIDS001"), (3, "DIDS071")]
    assert write_csv([good, bad], io.StringIO(), on_invalid="write") == 2
    with pytest.raises(InvalidRecord):
        write_csv([good], io.StringIO(), submitted=date(2024, 3, 1))


def test_converter_is_a_fresh_factory_product() -> None:
    assert get_converter() is not get_converter()
    record = RecordV2.from_row(examples.path("v2_valid.csv").read_text().splitlines()[1]
                               .split(","))
    data = get_converter().unstructure(record)
    assert data["procedure_start_timestamp"] == "2026-04-09T09:30:00+01:00"
    assert data["snomed_code"] is None
    assert data["treatment_function"] == "300"
    assert get_converter().structure(data, RecordV2) == record
    with pytest.raises(ValueError, match="keys"):
        get_converter().structure({"bogus": "1"}, RecordV2)


@pytest.mark.parametrize(("fmt", "golden"), [("csv", "v1_valid.csv"), ("xml", "v1_valid.xml"),
                                             ("jsonl", "v1_valid.jsonl")])
def test_golden_v1_files(fmt: str, golden: str) -> None:
    recs = [r.record for r in read_typed(open_reader(examples.path("v1_valid.csv")))]
    out = io.StringIO(newline="")
    write_records(recs, out, format=fmt)  # type: ignore[arg-type]
    assert out.getvalue() == (DATA / golden).read_text("utf-8").replace("\n", {
        "csv": "\r\n"}.get(fmt, "\n"))


@pytest.mark.parametrize(("fmt", "golden"), [("csv", "v2_valid.csv"), ("json", "v2_valid.json")])
def test_golden_v2_files(fmt: str, golden: str) -> None:
    recs = [r.record for r in read_typed(open_reader(examples.path("v2_valid.csv")))]
    metadata = SubmissionMetadata(date(2026, 4, 1), date(2026, 4, 30), "RA7",
                                  datetime(2026, 5, 3, 10, 15, tzinfo=timezone(timedelta(hours=1))),
                                  5)
    out = io.StringIO(newline="")
    write_records(recs, out, format=fmt, metadata=metadata)  # type: ignore[arg-type]
    expected = (DATA / golden).read_text("utf-8")
    assert out.getvalue() == (expected.replace("\n", "\r\n") if fmt == "csv" else expected)


def test_writer_refuses_formula_values_and_mixed_layouts() -> None:
    record = RecordV1(accession_number="=HYPERLINK(1)", imaging_site="RA701")
    with pytest.raises(UnsafeValue) as caught:
        write_csv([record], io.StringIO(), on_invalid="write")
    assert "HYPERLINK" not in str(caught.value)
    with pytest.raises(ValueError, match="same layout"):
        write_csv([RecordV1(), RecordV2()], io.StringIO(), on_invalid="write")
    with pytest.raises(ValueError, match="v1 records only"):
        write_records([RecordV2()], io.StringIO(), format="xml", on_invalid="write")


def test_format_detection(tmp_path: Path) -> None:
    (tmp_path / "a.dat").write_text('{"metadata": {}, "records": []}')
    (tmp_path / "b.dat").write_text("<DIDS/>")
    (tmp_path / "c.dat").write_text('{"a": 1}\n{"b": 2}\n')
    (tmp_path / "d.dat").write_text("a,b\n")
    assert [detect_format(tmp_path / n) for n in ("a.dat", "b.dat", "c.dat", "d.dat")] == [
        "json", "xml", "jsonl", "csv"]
    assert detect_format("x.NDJSON") == "jsonl"


def test_opening_a_csv_file_imports_neither_the_json_nor_the_xml_reader(tmp_path: Path) -> None:
    """The JSON reader imports cattrs and the XML one much of the standard library (about 30 ms
    before the first row of a CSV file was read); each is imported when its format is opened."""
    (tmp_path / "a.xml").write_text("<DIDS/>")
    code = ("import sys\nfrom dids import examples\nfrom dids.io import open_reader\n"
            "open_reader(examples.path('v2_valid.csv'))\n"
            "print(sorted({'dids.io.json', 'dids.io.xml', 'cattrs'} & set(sys.modules)))\n"
            f"open_reader({str(tmp_path / 'a.xml')!r})\n"
            "print('dids.io.xml' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "True"]


def test_json_faults_are_located() -> None:
    bad = io.StringIO('{"records": [{"nhs_number": 9990000018}, [], {"nope": "x"}]}')
    report = JsonReader(bad).validate(submitted=date(2026, 5, 3))
    found = [(i.row, i.code, i.item) for i in report.issues]
    assert (None, "X-MET-01", "metadata") in found
    assert (1, "X-JSN-01", "nhs_number") in found
    assert (2, "X-JSN-01", None) in found
    assert (3, "X-JSN-01", None) in found
    assert report.records == 3
    broken = JsonReader(io.StringIO("{not json")).validate()
    assert broken.file_rejected
    assert "X-JSN-02" in broken.counts
    lines = JsonReader(io.StringIO('{"metadata": {}}\n{oops\n{"test_date": "2024-03-10"}\n'),
                       lines=True, version=1).validate(submitted=date(2024, 4, 2))
    assert [(i.row, i.code) for i in lines.issues if i.row] == [
        (1, "X-JSN-01"), (2, "DIDS020"), (2, "DIDS056"), (2, "DIDS067"), (2, "DIDS070"),
        (2, "DIDS073"),
    ]


def test_xml_faults_reject_the_file_and_keep_what_was_read() -> None:
    good = examples.path("v1_valid.csv")
    recs = [r.record for r in read_typed(open_reader(good)) if isinstance(r.record, RecordV1)]
    out = io.StringIO()
    write_xml(recs, out)
    text = out.getvalue()
    cut = text[: text.index("</DIDSRecord>", text.index("</DIDSRecord>") + 1) + 13] + "<Bad"
    report = XmlReader(io.BytesIO(cut.encode())).validate(submitted=date(2024, 4, 2))
    assert report.records == 2
    assert report.file_rejected
    assert report.counts["DIDS076"] == 1
    for bad in (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><DIDS/>",
                b"<DIDS><Other/></DIDS>", b"<DIDS></DIDS>", b"\xff\xfe", b"",
                b"<DIDS><DIDSRecord><Unknown/></DIDSRecord></DIDS>"):
        report = XmlReader(io.BytesIO(bad)).validate(submitted=date(2024, 4, 2))
        assert report.file_rejected
        assert report.counts["DIDS076"] == 1


def test_v1_to_v2_conversion() -> None:
    v1 = RecordV1.from_row(examples.path("v1_valid.csv").read_text().splitlines()[0].split(","))
    v2, notes = v1_to_v2(v1)
    assert v2.nhs_number == v1.nhs_number
    assert v2.imaging_site == "RA701"
    assert v2.stated_gender is not None
    assert v2.stated_gender.value == "2"
    assert v2.procedure_start_timestamp == datetime(2024, 3, 10, tzinfo=timezone.utc)
    assert v2.report_issue_timestamp == datetime(2024, 3, 11, tzinfo=timezone.utc)
    assert v2.treatment_function is None
    assert v2.request_time is None
    assert [n.code for n in notes] == ["X-CNV-02", "X-CNV-02", "X-CNV-03"]
    assert uk_offset(date(2026, 3, 29)) == timezone.utc  # clocks change at 01:00 UTC that day
    assert uk_offset(date(2026, 3, 30)) == timezone(timedelta(hours=1))
    assert uk_offset(date(2026, 10, 25)) == timezone(timedelta(hours=1))
    assert uk_offset(date(2026, 10, 26)) == timezone.utc


def test_derivations_agree_for_v1_and_v2() -> None:
    v1 = RecordV1(birth_date=date(2000, 2, 29), request_date=date(2024, 2, 1),
                  request_received_date=date(2024, 2, 3), test_date=date(2024, 2, 28),
                  report_issue_date=date(2024, 3, 1), imaging_site="89999", referrer="ZE12345")
    v2, _ = v1_to_v2(v1)
    for record in (v1, v2):
        assert derive.waits(record) == derive.Waits(2, 27, 25, 2)
        assert derive.age_at_test(record) == 23
        assert derive.provider(record) == "89999"
        assert derive.referrer_type(record) == "GP N.Ireland"
        assert derive.referrer_code(record) == "99"
    assert derive.age_at_test(RecordV1(birth_date=date(2000, 2, 29),
                                       test_date=date(2024, 2, 29))) == 24
    assert derive.waits(RecordV2()) == derive.Waits(None, None, None, None)
    late = RecordV2(procedure_start_timestamp=datetime(2024, 5, 1, 0, 30, tzinfo=timezone(
        timedelta(hours=1))), request_date=date(2024, 4, 30), request_time=time(23))
    assert derive.waits(late).request_to_test == 1


def test_csv_blocks_adapt_to_about_a_thousand_lines() -> None:
    """The first block is read by a guess of 128 bytes a line; the next ones by as many bytes
    as 1,000 lines of the last block held (the lines read hold about what was asked for)."""
    source = csv_io._Source(io.BytesIO((b"x" * 49 + b"\n") * 6000))
    taken = [len(source.take()) for _ in range(4)]
    assert taken[0] == 128_000 // 50  # lines of 50 bytes up to 128,000 bytes
    assert all(abs(count - csv_io._BLOCK_LINES) <= 1 for count in taken[1:])
    assert sum(taken) + len(source.take()) + len(source.take()) == 6000
    assert source.take() == []


def test_writer_writes_a_block_in_parts_as_csv_writer_would() -> None:
    """More lines than one write holds (csv_io._WRITTEN_LINES), in more than one block."""
    found = [RecordV2.from_row(list(generated.fields))
             for generated in generate_rows(BLOCK_SIZE + 700, seed=4, version=2)]
    expected = io.StringIO(newline="")
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(RecordV2.LAYOUT.headers)
    writer.writerows(record.to_row() for record in found)
    written = io.StringIO(newline="")
    assert write_csv(found, written, on_invalid="write") == len(found)
    assert written.getvalue() == expected.getvalue()
    assert len(found) > 2 * csv_io._WRITTEN_LINES
