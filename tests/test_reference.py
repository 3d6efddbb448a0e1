"""Reference data from the user's CSV files, through the Python API and the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import cast

import pytest

from dids import examples, reference
from dids.cli import main
from dids.reference import (
    CodeStatus,
    CsvCodeReference,
    CsvOrganisationReference,
    CsvPostcodeReference,
    ReferenceCode,
    ReferenceData,
    code_status,
)
from dids.validate import validate_file


@pytest.fixture
def reference_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "nicip": "code,active_from,inactive_from,maps_to\nXCHES,,,60027007\nxwril,,2023-01-01,\n",
        "snomed": "code,active_from,inactive_from\n71651007,,\n60027007,,\n22298006,,\n",
        "ods": ("\ufeffcode,roles,open_date,close_date\nRA7,referring,,\nRA701,site,,\n"
                "RA702,site,,2020-01-01\nA81001,gp_practice,,\n89999,site,,\n"),
        "postcodes": "postcode\nls1 4ap\nSW1A  1AA\nEC1A 1BB\nM1 1AE\n",
    }
    paths = {}
    for name, text in files.items():
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def _reference(paths: dict[str, Path]) -> ReferenceData:
    return ReferenceData(
        nicip=CsvCodeReference.from_csv(paths["nicip"]),
        snomed_ct=CsvCodeReference.from_csv(paths["snomed"]),
        organisations=CsvOrganisationReference.from_csv(paths["ods"]),
        postcodes=CsvPostcodeReference.from_csv(paths["postcodes"]),
    )


def test_csv_providers_read_and_normalise(reference_files: dict[str, Path]) -> None:
    reference = _reference(reference_files)
    assert reference.nicip is not None
    assert reference.organisations is not None
    assert reference.postcodes is not None
    assert reference.nicip.lookup(" xches ") == ReferenceCode("XCHES", None, None, "60027007")
    assert reference.nicip.lookup("XWRIL") == ReferenceCode("XWRIL", None, date(2023, 1, 1))
    organisation = reference.organisations.lookup("ra702")
    assert organisation is not None
    assert organisation.roles == {"site"}
    assert not organisation.live_on(date(2020, 1, 2))
    assert "LS1 4AP" in reference.postcodes
    assert "sw1a 1aa" in reference.postcodes
    assert "LS2 4AP" not in reference.postcodes


def test_code_status_grace_periods() -> None:
    code = ReferenceCode("X", inactive_from=date(2024, 1, 31))
    assert code_status(code, date(2024, 1, 30), 1) is CodeStatus.ACTIVE
    assert code_status(code, date(2024, 7, 31), 1) is CodeStatus.GRACE
    assert code_status(code, date(2024, 8, 1), 1) is CodeStatus.INACTIVE
    assert code_status(code, date(2024, 8, 1), 2) is CodeStatus.GRACE  # 183 days
    assert code_status(code, date(2024, 8, 2), 2) is CodeStatus.INACTIVE
    assert code_status(None, date(2024, 1, 1), 1) is CodeStatus.UNKNOWN
    late = ReferenceCode("X", inactive_from=date(9999, 8, 1))  # the grace would end in 10000
    assert code_status(late, date(9999, 12, 31), 1) is CodeStatus.GRACE


def test_reference_rules_run_and_stop_being_not_checked(reference_files: dict[str, Path]
                                                        ) -> None:
    report = validate_file(examples.path("v1_valid.csv"), submitted=date(2024, 4, 2),
                           reference=_reference(reference_files))
    assert report.not_checked == ()
    # Row 3: XWRIL inactive since 2023-01-01, beyond the 6-month grace on 2024-03-06.
    # Rows 4 and 5: UO1T and NC13U are not in the NICIP data. Row 4's site closed in 2020.
    # Row 6: XCHES maps to 60027007, the SNOMED CT code given, so DIDS082 passes.
    assert {(i.row, i.code) for i in report.issues} == {
        (3, "DIDS057"), (4, "DIDS057"), (4, "DIDS081"), (5, "DIDS057")}


def test_cli_reads_reference_files(reference_files: dict[str, Path],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    args = ["validate", str(examples.path("v1_valid.csv")), "--submitted", "2024-04-02",
            "--format", "json"]
    for name in ("nicip", "snomed", "ods", "postcodes"):
        args += [f"--{name}", str(reference_files[name])]
    status = main(args)
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert status == 1
    assert "not checked" not in err
    assert data["counts"]["DIDS057"] >= 1
    broken = reference_files["ods"].parent / "broken.csv"
    broken.write_text("nope\n1\n")
    assert main(["validate", str(examples.path("v1_valid.csv")), "--ods", str(broken)]) == 2


def test_cached_providers_answer_across_their_memory_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache of 4 answers asked about batches larger than what is left of it: emptied, it asks
    the provider again about the whole batch, and every answer is the provider's."""
    monkeypatch.setattr(reference, "_CACHE_LIMIT", 4)
    codes = reference.CsvCodeReference({c: reference.ReferenceCode(c) for c in ("A1", "B2")})
    postcodes = reference.CsvPostcodeReference(frozenset({"LS1 4AP", "M1 1AA"}))
    front = reference.cached(reference.ReferenceData(nicip=codes, postcodes=postcodes))
    assert front.nicip is not None
    assert front.postcodes is not None
    nicip = cast(reference.BatchCodeReference, front.nicip)
    known = cast(reference.BatchPostcodeReference, front.postcodes)
    for batch in (["A1", "X9"], ["A1", "B2", "C3"], ["D4", "A1", "E5"], ["B2"]):
        assert {code: entry is not None for code, entry in nicip.lookup_many(batch).items()} == {
            code: code in ("A1", "B2") for code in batch}
    for batch in (["LS1 4AP", "X1 1XX"], ["M1 1AA", "LS1 4AP", "Y1 1YY"], ["Z1 1ZZ", "M1 1AA"]):
        assert known.known(batch) == {"LS1 4AP", "M1 1AA"} & set(batch)
    assert "LS1 4AP" in known
    assert "Q1 1QQ" not in known
