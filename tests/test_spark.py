"""dids.spark in Spark local mode: the same findings, for the same rows, as ``validate_file``
gives for each file, duplicates split across partitions included. Skipped where pyspark or
Java is missing."""

from __future__ import annotations

import csv
import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dids.catalogue import layout
from dids.generate import generate_rows, submission_date_for
from dids.reference import ReferenceData
from dids.validate import validate_file
from tests.conftest import SUBMITTED, make_row

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'dids[spark]')")
pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install 'dids[spark]')")
if shutil.which("java") is None:
    pytest.skip("Java is not installed: Spark needs it", allow_module_level=True)

from dids import spark as dids_spark

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers import dids too
    session = (SparkSession.builder.master("local[2]").appName("dids-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "50")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def write(path: Path, rows: list[list[str]], version: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        if version == 2:
            writer.writerow(layout(2).headers)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four files: a v2 file with findings on a tenth of its rows and a duplicate pair far
    apart (different partitions), a v1 file with a malformed line, a v2 file with no records
    and a file that is no submission at all."""
    root = tmp_path_factory.mktemp("submissions")
    rows = [list(r.fields) for r in generate_rows(400, seed=3, version=2, invalid_rate=0.1)]
    rows[350] = list(rows[5])  # a duplicate of row 6 at row 351
    write(root / "trust_a.csv", rows, 2)
    v1 = [list(r.fields) for r in generate_rows(120, seed=4, version=1, invalid_rate=0.1)]
    v1_text = root / "trust_b.csv"
    write(v1_text, v1, 1)
    lines = v1_text.read_text().splitlines(keepends=True)
    lines[40] = lines[40].rstrip("\r\n") + ',"unclosed\r\n'
    v1_text.write_text("".join(lines))
    write(root / "trust_c.csv", [], 2)
    (root / "trust_d.csv").write_bytes(b"\x00\x01 not a submission \xff\r\n")
    return root


def _single_machine(path: Path, **options: Any) -> set[tuple[int | None, str]]:
    report = validate_file(path, limit_per_rule=None, **options)
    return {(issue.row, issue.code) for issue in report.issues}


def _spark_findings(found: Any) -> dict[str, set[tuple[int | None, str]]]:
    by_file: dict[str, set[tuple[int | None, str]]] = {}
    for record in found.select("source", "row", "code").collect():
        by_file.setdefault(Path(record.source).name, set()).add((record.row, record.code))
    return by_file


def test_findings_are_those_of_validate_file_for_every_file(spark: Any, folder: Path) -> None:
    submitted = submission_date_for(2)
    df = dids_spark.read_submission(spark, str(folder)).repartition(3)
    found = dids_spark.findings(df, submitted=submitted)
    assert found.columns == list(dids_spark.FINDING_COLUMNS)
    by_file = _spark_findings(found)
    for path in sorted(folder.iterdir()):
        expected = _single_machine(path, submitted=submitted)
        assert by_file.get(path.name, set()) == expected, path.name
    assert (6, "DIDS071") in by_file["trust_a.csv"]
    assert (351, "DIDS071") in by_file["trust_a.csv"]
    assert any(code in ("DIDS075", "X-CSV-04") for _, code in by_file["trust_b.csv"])
    assert (None, "X-FIL-01") in by_file["trust_c.csv"]


def test_rows_are_numbered_and_named_as_the_catalogue(spark: Any, folder: Path) -> None:
    df = dids_spark.read_submission(spark, str(folder / "trust_a.csv"))
    assert df.columns[:4] == ["source", "row", "version", "problems"]
    assert set(layout(2).names) <= set(df.columns)
    first = df.where("row = 1").collect()[0]
    with (folder / "trust_a.csv").open(newline="") as handle:
        expected = list(csv.reader(handle))[1]
    assert [first[name] for name in layout(2).names] == expected
    assert df.where("row is not null").count() == 400


def test_window_and_reference_store_as_the_cli(spark: Any, tmp_path: Path) -> None:
    from dids.refdata import build_store

    (tmp_path / "postcodes.csv").write_text("postcode\nLS1 4AP\n")
    store = tmp_path / "reference.sqlite"
    build_store(store, postcodes=[tmp_path / "postcodes.csv"])
    rows = [make_row(2, accession_number="A1"), make_row(2, accession_number="A2",
                                                         postcode="EC1A 9ZZ")]
    submissions = tmp_path / "in"
    submissions.mkdir()
    path = write(submissions / "late.csv", rows, 2)
    late = date(2027, 1, 5)
    df = dids_spark.read_submission(spark, str(submissions))
    found = dids_spark.findings(df, submitted=late, period="2026-04", reference=str(store))
    from dids.metadata import SubmissionMetadata

    expected = _single_machine(path, submitted=late,
                               metadata=SubmissionMetadata.for_period(date(2026, 4, 1)),
                               reference=ReferenceData.from_sqlite(store))
    assert _spark_findings(found)["late.csv"] == expected
    assert {(2, "DIDS016"), (None, "X-WIN-01")} <= expected
    in_memory = dids_spark.findings(df, submitted=SUBMITTED[2],
                                    reference=ReferenceData.from_sqlite(store))
    assert _spark_findings(in_memory)["late.csv"] == {(2, "DIDS016")}


def test_summary_counts_and_verdicts(spark: Any, folder: Path) -> None:
    submitted = submission_date_for(2)
    found = dids_spark.findings(dids_spark.read_submission(spark, str(folder)),
                                submitted=submitted)
    rows = {Path(r.source).name: r for r in dids_spark.summary(found).collect()}
    report = validate_file(folder / "trust_a.csv", submitted=submitted, limit_per_rule=None)
    summary_a = rows["trust_a.csv"]
    assert dict(summary_a.counts) == dict(Counter(report.counts))
    assert summary_a.records_rejected == report.records_rejected
    assert summary_a.file_rejected is report.file_rejected
    assert summary_a.accepted is report.accepted
    assert rows["trust_c.csv"].file_rejected is True


def test_values_only_when_asked(spark: Any, folder: Path) -> None:
    df = dids_spark.read_submission(spark, str(folder / "trust_a.csv"))
    plain = dids_spark.findings(df, submitted=submission_date_for(2))
    assert "value" not in plain.columns
    shown = dids_spark.findings(df, submitted=submission_date_for(2), include_values=True)
    assert shown.where("value is not null").count() > 0


def test_a_table_of_records_is_checked_as_the_version_given(spark: Any) -> None:
    """Item columns and a row number, no source, version or problems: one file of the layout
    given; a null item is blank."""
    from pyspark.sql import Row, functions

    from dids.validate import validate_rows

    rows = [make_row(2, accession_number=f"A{k}") for k in range(3)]
    rows[1][layout(2).index("nhs_number")] = "9434765918"  # a wrong check digit
    rows.append(list(rows[0]))  # a duplicate of row 1
    records = [Row(row=k, **dict(zip(layout(2).names, row, strict=True)))
               for k, row in enumerate(rows, 1)]
    table = spark.createDataFrame(records).withColumn(
        "referrer", functions.lit(None).cast("string"))
    expected_rows = [dict(zip(layout(2).names, row, strict=True)) for row in rows]
    for row in expected_rows:
        row["referrer"] = ""
    report = validate_rows([list(row.values()) for row in expected_rows], version=2,
                           submitted=SUBMITTED[2], limit_per_rule=None)
    found = dids_spark.findings(table, version=2, submitted=SUBMITTED[2])
    assert {(r.row, r.code) for r in found.collect()} == {
        (issue.row, issue.code) for issue in report.issues}
    assert {(2, "DIDS001"), (1, "DIDS071"), (4, "DIDS071")} <= {
        (r.row, r.code) for r in found.collect()}
    with pytest.raises(ValueError, match="give version=1 or 2"):
        dids_spark.findings(table)
