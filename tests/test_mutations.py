"""Damaged files: no exception escapes, every fault is located, every good row is still read."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dids.io import open_reader
from dids.io.csv import CsvReader, write_csv
from dids.records import RecordV1, RecordV2
from dids.strategies import records
from dids.validate import validate_file

settings.register_profile("mutations", max_examples=150,
                          suppress_health_check=[HealthCheck.too_slow])
relaxed = settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)


def _lines(recs: Sequence[RecordV1 | RecordV2]) -> list[bytes]:
    out = io.StringIO(newline="")
    write_csv(recs, out, on_invalid="write")
    return [line + b"\r\n" for line in out.getvalue().encode().split(b"\r\n") if line]


def _damage(line: bytes, kind: str, data: st.DataObject) -> bytes:
    if kind == "flip":  # inside the line: a damaged line ending merges two rows for anyone
        at = data.draw(st.integers(0, len(line) - 3))
        return line[:at] + bytes([data.draw(st.integers(0, 255))]) + line[at + 1:]
    if kind == "quote":
        at = data.draw(st.integers(0, len(line) - 2))
        return line[:at] + b'"' + line[at:]
    if kind == "nul":
        at = data.draw(st.integers(0, len(line) - 2))
        return line[:at] + b"\x00" + line[at:]
    if kind == "extra":
        return line[:-2] + b",extra\r\n"
    if kind == "missing":
        return line[: line.rindex(b",")] + b"\r\n"
    if kind == "latin1":
        return line.replace(b",", "é,".encode("latin-1"), 1)
    if kind == "huge":
        return line[:-2] + b"," + b"A" * 1_100_000 + b"\r\n"
    return line[: data.draw(st.integers(0, len(line) - 1))]  # truncate: the file ends here


KINDS = ["flip", "quote", "nul", "extra", "missing", "latin1", "huge", "truncate"]


def _rows(data: bytes, version: int) -> tuple[list[tuple[str, ...] | None], list[object]]:
    reader = CsvReader(io.BytesIO(data), version=version)
    rows = []
    issues: list[object] = list(reader.file_issues)
    for raw in reader:
        rows.append(None if raw.fields is None else tuple(raw.fields))
        if raw.fields is None:
            assert raw.issues, "an unreadable row is always explained"
            assert all(issue.row == raw.row for issue in raw.issues)
        issues.extend(raw.issues)
    return rows, issues


@relaxed
@given(
    version=st.sampled_from([1, 2]),
    data=st.data(),
    kind=st.sampled_from(KINDS),
)
def test_a_damaged_line_never_hides_the_other_rows(version: int, data: st.DataObject,
                                                   kind: str) -> None:
    recs = data.draw(st.lists(records(version=version), min_size=2, max_size=6))
    lines = _lines(recs)
    first_data_line = 1 if version == 2 else 0
    last = len(lines) - 1
    target = last if kind == "truncate" else data.draw(st.integers(first_data_line, last))
    damaged = list(lines)
    damaged[target] = _damage(lines[target], kind, data)
    clean_rows, _ = _rows(b"".join(lines), version)
    rows, _ = _rows(b"".join(damaged), version)
    expected = Counter(row for n, row in enumerate(clean_rows)
                       if n != target - first_data_line and row is not None)
    found = Counter(row for row in rows if row is not None)
    assert not expected - found, "every undamaged row is still returned"
    report = validate_file(io.BytesIO(b"".join(damaged)), version=version,
                           submitted=date(2031, 1, 1))
    assert report.records >= len(lines) - first_data_line - 1
    assert all(issue.row is not None or issue.code.startswith(("X-", "DIDS07"))
               for issue in report.issues)


@relaxed
@given(st.binary(max_size=2000), st.sampled_from(["auto", "1", "2"]),
       st.sampled_from(["csv", "json", "jsonl", "xml"]))
def test_arbitrary_bytes_never_raise(data: bytes, version: str, fmt: str) -> None:
    reader = open_reader(io.BytesIO(data), format=fmt, version=version)  # type: ignore[arg-type]
    report = __import__("dids.validate", fromlist=["validate_reader"]).validate_reader(
        reader, submitted=date(2026, 5, 3))
    assert report.records >= 0
    for issue in report.issues:
        assert issue.code


def test_whole_file_in_utf16_is_reported_row_by_row() -> None:
    text = "\n".join(",".join(["x"] * 18) for _ in range(3)) + "\n"
    report = validate_file(io.BytesIO(text.encode("utf-16")), version=1,
                           submitted=date(2024, 4, 2))
    assert report.records >= 3
    assert report.counts["X-ENC-01"] == report.records


@relaxed
@given(st.lists(records(version=1), min_size=1, max_size=4), st.data())
def test_truncated_xml_keeps_the_records_before_the_cut(recs: list[RecordV1],
                                                        data: st.DataObject) -> None:
    from dids.io.xml import XmlReader, write_xml

    out = io.StringIO()
    write_xml(recs, out)
    raw = out.getvalue().encode()
    cut = data.draw(st.integers(0, len(raw) - 1))
    reader = XmlReader(io.BytesIO(raw[:cut]))
    got = [r.record for r in reader.records()]
    assert got == recs[: len(got)]
    if raw[:cut].strip() != raw.strip():
        assert reader.file_issues
