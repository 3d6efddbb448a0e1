"""The ``dids`` command: exit codes, JSON shapes, usage errors."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from dids import examples
from dids.catalogue import layout
from dids.cli import main
from dids.findings import RULE_ORDER
from dids.generate import generate_rows, submission_date_for
from dids.validate import Issue, Validator

DATA = Path(__file__).parent / "data"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def _report_order(issue: dict[str, Any]) -> tuple[int, int, int]:
    return (issue["row"] or 0, RULE_ORDER[issue["code"]], issue["column"] or 0)


def test_validate_json_shape_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "validate", str(examples.path("v1_valid.csv")),
                         "--submitted", "2024-04-02", "--format", "json")
    data = json.loads(out)
    assert status == 0
    assert set(data) == {"dids_version", "records", "records_rejected", "file_rejected",
                         "counts", "issues", "not_checked", "partly_checked"}
    assert data["dids_version"] == "1"
    assert data["records"] == 6
    status, out, _ = run(capsys, "validate", str(examples.path("v1_invalid.csv")),
                         "--submitted", "2024-04-02", "--format", "json")
    data = json.loads(out)
    assert status == 1
    assert set(data["issues"][0]) == {"code", "severity", "disposition", "item", "row",
                                      "column"}


def test_validate_v2_with_metadata_and_period(capsys: pytest.CaptureFixture[str]) -> None:
    valid = str(examples.path("v2_valid.csv"))
    metadata = str(examples.path("v2_metadata.json"))
    assert run(capsys, "validate", valid, "--metadata", metadata)[0] == 0
    status, out, _ = run(capsys, "validate", valid, "--period", "2026-04", "--submitted",
                         "2026-11-01", "--format", "json")
    assert status == 1
    assert json.loads(out)["counts"] == {"X-WIN-01": 1}


def test_version_option_forces_the_layout(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "validate", str(examples.path("v2_valid.csv")), "--version",
                         "1", "--format", "json", "--limit-per-rule", "1")
    data = json.loads(out)
    assert status == 1
    assert data["file_rejected"]
    assert data["counts"]["DIDS075"] == 6


def test_include_values(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "validate", str(examples.path("v1_invalid.csv")), "--submitted",
                    "2024-04-02", "--format", "json", "--include-values")
    first = json.loads(out)["issues"][0]
    assert first["code"] == "DIDS001"
    assert first["value"] == "9990000019"


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "no-such-file.csv"],
        ["validate", "x.csv", "--submitted", "not a date"],
        ["validate", "x.csv", "--period", "April"],
        ["validate", "x.csv", "--metadata", "missing.json"],
        ["validate", "x.csv", "--limit-per-rule", "-1"],
        ["explain", "DIDS999"],
        ["codes", "nope"],
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    status, out, err = run(capsys, *args)
    assert status == 2
    assert out == ""
    assert err.startswith("dids: ")


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["validate", "x.csv", "--format", "xml"])
    assert caught.value.code == 2


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "explain", "dids055")
    assert status == 0
    assert out.startswith("DIDS055: Test date is more than 6 months before")
    assert "v1 items: test_date, file.received_at" in out
    status, out, _ = run(capsys, "explain", "X-TFC-01")
    assert "national rule: no" in out


def test_codes_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "codes", "treatment_function", "--format", "json")
    data = json.loads(out)
    assert status == 0
    assert len(data) == 180
    assert data[0] == {"code": "100", "description": "General Surgery Service",
                       "valid_from": None, "valid_to": None}
    assert {"code": "812", "description": "Diagnostic Imaging Service",
            "valid_from": "2008-04-01", "valid_to": None} in data
    _, out, _ = run(capsys, "codes", "patient_source_setting", "--format", "json")
    assert json.loads(out)[-1]["code"] == "08"
    _, out, _ = run(capsys, "codes")
    assert "treatment_function" in out


def test_items(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "items", "--version", "1", "--format", "json")
    data = json.loads(out)
    assert len(data) == 18
    assert data[12]["python_name"] == "test_date"
    _, out, _ = run(capsys, "items")
    assert out.splitlines()[0].split()[:2] == ["1", "nhs_number"]


def test_python_dash_m_and_stdin(tmp_path: Path) -> None:
    source = examples.path("v1_valid.csv").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "dids", "validate", "-", "--submitted", "2024-04-02"],
        input=source, capture_output=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"records read: 6, accepted: 6, rejected: 0" in done.stdout


def test_validate_screens_blocks_and_reports_what_row_checks_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``dids validate`` checks a CSV file through the columnar screen, as ``validate_reader``
    does (it used to check every row exactly: 7 times slower; then every row with a finding),
    with the same report as row by row checks; on a terminal it shows its progress every
    50,000 rows."""
    rows = [r.fields for r in generate_rows(60_000, seed=9, version=2, invalid_rate=0.01)]
    path = tmp_path / "v2.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([layout(2).headers, *rows])
    submitted = submission_date_for(2)
    expected = Validator(2, submitted=submitted, source=str(path), limit_per_rule=None)
    for number, row in enumerate(rows, 1):
        expected.check_row(row, number)
    checked = []
    exact = Validator.check_row

    def counted(self: Validator, *args: Any, **kwargs: Any) -> list[Issue]:
        checked.append(1)
        return exact(self, *args, **kwargs)

    monkeypatch.setattr(Validator, "check_row", counted)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    status, out, err = run(capsys, "validate", str(path), "--submitted", submitted.isoformat(),
                           "--format", "json")
    assert status == 1
    streamed = json.loads(out)
    streamed["issues"].sort(key=_report_order)
    assert streamed == expected.finish().to_dict()
    assert not checked  # findings come from the screen: no row is checked from scratch
    shown = re.findall(r"\r([0-9,]+) rows checked", err)
    assert len(shown) == 1
    assert 50_000 <= int(shown[0].replace(",", "")) < 60_000


def _v2_invalid(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    status, out, _ = run(capsys, "validate", str(examples.path("v2_invalid.csv")), "--metadata",
                         str(examples.path("v2_metadata.json")), *options)
    return status, out


def test_json_is_streamed_with_the_findings_of_rows_first(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The golden report's findings, every one, written as found: rows in order, then DIDS071's
    duplicates and the file-level findings (docs/validation.md)."""
    golden = json.loads((DATA / "v2_invalid.report.json").read_text("utf-8"))
    status, out = _v2_invalid(capsys, "--format", "json")
    assert status == 1
    streamed = json.loads(out)
    issues = streamed["issues"]
    assert sorted(issues, key=_report_order) == golden["issues"]
    assert streamed == {**golden, "issues": issues}
    rows = [issue["row"] for issue in issues if issue["code"] != "DIDS071"]
    assert rows == sorted(rows, key=lambda row: row or 10**9)  # file-level (None) last
    assert [issue["code"] for issue in issues[-3:]] == ["DIDS071", "DIDS071", "X-MET-02"]


def test_jsonl_writes_a_finding_a_line_then_the_summary(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, document = _v2_invalid(capsys, "--format", "json")
    status, out = _v2_invalid(capsys, "--format", "jsonl")
    assert status == 1
    lines = [json.loads(line) for line in out.splitlines()]
    expected = json.loads(document)
    assert lines[:-1] == expected.pop("issues")
    assert lines[-1] == {"summary": expected}


def test_limit_per_rule_limits_what_streams_list_not_what_they_count(
        capsys: pytest.CaptureFixture[str]) -> None:
    for output in ("json", "jsonl"):
        _, out = _v2_invalid(capsys, "--format", output, "--limit-per-rule", "1")
        lines = out.splitlines()
        data = json.loads(out) if output == "json" else {
            **json.loads(lines[-1])["summary"], "issues": list(map(json.loads, lines[:-1]))}
        assert data["counts"]["DIDS071"] == 2
        assert [issue["row"] for issue in data["issues"] if issue["code"] == "DIDS071"] == [6]


def test_text_lists_the_first_findings_of_each_rule(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """25 rows with a bad NHS number: all counted, the first 10 listed (the default), and the
    number left out said."""
    rest = ",01,,,,,,03,C1234567,RA7,2024-03-04,2024-03-04,2024-03-05,,71651007,,RA701,"
    path = tmp_path / "bad.csv"
    lines = [f"9990000019{rest}ACC{k:05d}" for k in range(25)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    status, out, _ = run(capsys, "validate", str(path), "--submitted", "2024-04-02")
    assert status == 1
    assert re.search(r"^DIDS001 +25 ", out, re.M)
    listed = re.findall(r"^  row (\d+), column 1 \(nhs_number\): DIDS001", out, re.M)
    assert listed == [str(k) for k in range(1, 11)]
    assert "(15 more not listed" in out
    _, out, _ = run(capsys, "validate", str(path), "--submitted", "2024-04-02",
                    "--limit-per-rule", "30")
    assert len(re.findall(r"^  row \d+, column 1 \(nhs_number\): DIDS001", out, re.M)) == 25
    assert "more not listed" not in out


def test_a_temporary_directory_that_cannot_hold_the_keys_is_a_clear_error(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    """Past ``SPILL_AFTER`` rows the DIDS071 keys go to a temporary file: when it cannot be
    made (or written, or read back), the command says where, and what to do, not "cannot
    read" the submission nor an internal error."""
    from dids._screens import duplicates

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(duplicates, "SPILL_AFTER", 2)
    monkeypatch.setattr(tempfile, "TemporaryFile", refused)
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path / "full"))
    status, out, err = run(capsys, "validate", str(examples.path("v2_valid.csv")),
                           "--submitted", submission_date_for(2).isoformat())
    assert status == 2
    assert err == (f"dids: cannot use a temporary file in {tmp_path / 'full'}: "
                   "Permission denied (set TMPDIR to another directory)\n")
    assert out == ""


def test_keys_that_cannot_be_read_back_are_a_scratch_file_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk that fills while the keys are written back as sorted runs: the API raises
    ScratchFileError (an OSError), and the file is closed."""
    from dids._screens import duplicates
    from dids.exceptions import ScratchFileError

    monkeypatch.setattr(duplicates, "SPILL_AFTER", 3)
    keys = duplicates.DuplicateKeys(layout(2))
    for row in range(1, 7):  # two keys, each repeated; all in the file (two batches of 3)
        keys.add(hash(("A", row % 2)), row, False)
    spilled = keys._spilled
    assert spilled is not None
    file = spilled._file

    def full(data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(file, "write", full)
    with pytest.raises(ScratchFileError, match="No space left on device"):
        list(keys.duplicated())
    assert file.closed


@pytest.mark.parametrize("columns", ["57", "0", "wide", "", None])
def test_the_terminal_is_as_wide_as_shutil_says(columns: str | None,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The help formatter finds the terminal's width as ``shutil.get_terminal_size`` does
    (argparse would import shutil for every argument added)."""
    import shutil

    from dids.cli import _terminal_width

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert _terminal_width() == shutil.get_terminal_size().columns


def test_help_wraps_to_the_terminal(monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    lines = {}
    for columns in (60, 200):
        monkeypatch.setenv("COLUMNS", str(columns))
        with pytest.raises(SystemExit):
            main(["validate", "--help"])
        lines[columns] = capsys.readouterr().out.splitlines()
    assert len(lines[60]) > len(lines[200])
    assert max(map(len, lines[200])) > 100
