"""The reference store: readers of the published release layouts, the build, the providers,
and validation against the store. Every fixture is a small synthetic file in the published
layout (reference-data.md), written here; no real names."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dids.catalogue import layout
from dids.cli import main
from dids.refdata import ReferenceStore, ReleaseError, StoreError, build_store
from dids.refdata._sources import release_of
from dids.reference import (
    GP_PRACTICE,
    PRESCRIBING_COST_CENTRE,
    REFERRING,
    SITE,
    CsvCodeReference,
    CsvOrganisationReference,
    CsvPostcodeReference,
    Organisation,
    ReferenceCode,
    ReferenceData,
    known_postcodes,
    lookup_many,
)
from dids.validate import validate_rows
from tests.conftest import SUBMITTED, make_row

CRLF = "\r\n"


def ods_row(code: str, opened: str = "19740401", closed: str = "", *, status: str = "",
            setting: str = "", parent: str = "") -> str:
    """A quoted 27-field ODS row (positions of reference-data.md 1.2)."""
    fields = [""] * 27
    fields[0], fields[1], fields[9] = code, "A SYNTHETIC NAME", "ZZ99 3VZ"
    fields[10], fields[11], fields[12] = opened, closed, status
    fields[14], fields[25] = parent, setting
    return ",".join(f'"{field}"' for field in fields)


def consultant_row(code: str, organisation: str) -> str:
    fields = ["1234567", code, "SURNAME", "AB", "F", "110", "CONSULTANT", organisation,
              "", "", "", "", ""]
    return ",".join(fields)


ONSPD_2025 = ["pcd7", "pcd8", "pcds", "dointr", "doterm", "cty26cd", "lad26cd", "usrtypind",
              "east1m", "north1m", "gridind", "lat", "long"]
ONSPD_CLASSIC = ["pcd", "pcd2", "pcds", "dointr", "doterm", "oscty", "oslaua", "usertype",
                 "oseast1m", "osnrth1m", "osgrdind", "lat", "long"]


def onspd_text(names: list[str], rows: list[tuple[str, str, str]]) -> str:
    """An ONSPD CSV: header, then (postcode, dointr, doterm) rows padded with other columns."""
    lines = [",".join(names)]
    for postcode, introduced, terminated in rows:
        outward, inward = postcode.split()
        lines.append(",".join([f"{outward:<4}{inward}"[:7], f"{outward:<4} {inward}",
                               postcode, introduced, terminated, "E99999999", "E99999999",
                               "0", "430000", "433000", "1", "53.8", "-1.5"]))
    return CRLF.join(lines) + CRLF


def gridall_row(postcode: str, introduced: str, terminated: str = "") -> str:
    fields = [""] * 43
    fields[0], fields[1], fields[2], fields[3] = postcode, postcode, introduced, terminated
    return ",".join(f'"{field}"' for field in fields)


REFSET = "999001111000000105"
REFSET_HEADER = "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId"
CONCEPT_HEADER = "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId"


def member(number: int, day: str, active: str, concept: str, refset: str = REFSET) -> str:
    return f"0000000{number}-aaaa-bbbb-cccc-dddddddddddd\t{day}\t{active}\t999000011000000103" \
           f"\t{refset}\t{concept}"


def write_rf2(root: Path) -> Path:
    """A UK clinical refsets snapshot folder: 60027007 and 241615005 active members (the
    latter's concept inactive since 2026-01-01), 71651007 an ex-member since 2025-10-08,
    77477000 since 2025-10-07, 22298006 a member of another refset only."""
    package = root / "SnomedCT_UKClinicalRefsetsRF2_PRODUCTION_20260506T000001Z"
    refsets = package / "Snapshot" / "Refset" / "Content"
    terms = package / "Snapshot" / "Terminology"
    refsets.mkdir(parents=True)
    terms.mkdir(parents=True)
    rows = [REFSET_HEADER, member(1, "20200101", "1", "60027007"),
            member(2, "20251008", "0", "71651007"), member(3, "20251007", "0", "77477000"),
            member(4, "20200101", "1", "22298006", refset="999000011000000104"),
            member(5, "20190101", "1", "241615005")]
    (refsets / "der2_Refset_SimpleUKCRSnapshot_GB1000000_20260506.txt").write_bytes(
        (CRLF.join(rows) + CRLF).encode())
    concepts = [CONCEPT_HEADER, "60027007\t20020131\t1\t900000000000207008\t900000000000074008",
                "241615005\t20260101\t0\t900000000000207008\t900000000000074008"]
    (terms / "sct2_Concept_UKCRSnapshot_GB1000000_20260506.txt").write_bytes(
        (CRLF.join(concepts) + CRLF).encode())
    return package


@pytest.fixture
def releases(tmp_path: Path) -> dict[str, Any]:
    """One of each published layout, as it comes (zips, folders, CRLF, cp1252)."""
    ods = tmp_path / "ods"
    ods.mkdir()
    (ods / "etr.csv").write_text(CRLF.join([
        ods_row("RA7"), ods_row("RX1", "19900101", "20200331")]) + CRLF, newline="")
    (ods / "ets.csv").write_text(CRLF.join([
        ods_row("RA701", parent="RA7"), ods_row("RA702", "19900101", "20250101", parent="RA7"),
    ]) + CRLF, newline="")
    practices = CRLF.join([ods_row("A81001", status="A", setting="4"),
                           ods_row("Y00001", status="A", setting="0")]) + CRLF
    with zipfile.ZipFile(ods / "epraccur.zip", "w") as archive:  # the name inside is cp1252
        archive.writestr("epraccur.csv",
                         practices.replace("A SYNTHETIC NAME", "CAF\u00c9").encode("cp1252"))
    (ods / "dse_report.csv").write_text(  # a Data Search and Export report: kind by width
        ods_row("B82005", status="ACTIVE", setting="RO76") + CRLF, newline="")
    (ods / "econcur.csv").write_text(consultant_row("C1234567", "RA7") + CRLF, newline="")
    onspd = tmp_path / "ONSPD_NOV_2025_UK.zip"
    with zipfile.ZipFile(onspd, "w") as archive:
        archive.writestr("Data/ONSPD_NOV_2025_UK.csv", onspd_text(ONSPD_2025, [
            ("LS1 4AP", "198001", ""), ("AB1 0AA", "198001", "199606"),
            ("SW1A 1AA", "198001", "")]))
        archive.writestr("Documents/ONSPD User Guide.pdf", b"%PDF not data")
    gridall = tmp_path / "gridall.csv"
    gridall.write_text(CRLF.join([gridall_row("ZZ99 3VZ", "200001"),
                                  gridall_row("M1 1AE", "198001")]) + CRLF, newline="")
    nicip = tmp_path / "nicip.tsv"
    nicip.write_text("NICIP_ID\tNICIP_DESCRIPTION\tSNOMEDCT_ID\tEFF_FROM\tEFF_TO\n"
                     "XCHES\tXR Chest\t60027007\t20090101\t\n"
                     "XWRIB\tXR Wrist Both\t\t20090101\t\n"
                     "XOLDC\tXR Old\t60027007\t20090101\t20251007\n")
    return {"ods": sorted(ods.iterdir()), "postcodes": [onspd, gridall],
            "snomed": [write_rf2(tmp_path)], "nicip": [nicip]}


@pytest.fixture
def store(tmp_path: Path, releases: dict[str, Any]) -> Path:
    path = tmp_path / "reference.sqlite"
    build_store(path, **releases)
    return path


# -- readers and the build --------------------------------------------------------------------


def test_store_holds_each_release_as_published(store: Path) -> None:
    reference = ReferenceData.from_sqlite(store)
    assert reference.organisations is not None
    assert reference.postcodes is not None
    assert reference.nicip is not None
    assert reference.snomed_ct is not None
    organisations = lookup_many(reference.organisations,
        ["ra7", "RX1", "RA702", "A81001", "Y00001", "B82005", "C1234567", "XX1"])
    assert organisations == {
        "ra7": Organisation("RA7", frozenset({REFERRING}), date(1974, 4, 1)),
        "RX1": Organisation("RX1", frozenset({REFERRING}), date(1990, 1, 1), date(2020, 3, 31)),
        "RA702": Organisation("RA702", frozenset({SITE, REFERRING}), date(1990, 1, 1),
                              date(2025, 1, 1)),
        "A81001": Organisation("A81001", frozenset({GP_PRACTICE, REFERRING}), date(1974, 4, 1)),
        "Y00001": Organisation("Y00001", frozenset({PRESCRIBING_COST_CENTRE, REFERRING}),
                               date(1974, 4, 1)),
        "B82005": Organisation("B82005", frozenset({REFERRING}), date(1974, 4, 1)),
        "C1234567": None,  # a consultant: a person, not an organisation
        "XX1": None,
    }
    asked = ["ls1 4ap", "AB1 0AA", "ZZ99 3VZ", "M1  1AE", "EC1A 1BB", "SW1A1AA"]
    assert known_postcodes(reference.postcodes, asked) == {
        "ls1 4ap", "AB1 0AA", "ZZ99 3VZ", "M1  1AE"}
    assert lookup_many(reference.snomed_ct,
        ["60027007", "71651007", "77477000", "22298006", "241615005"]) == {
        "60027007": ReferenceCode("60027007"),
        "71651007": ReferenceCode("71651007", None, date(2025, 10, 8)),
        "77477000": ReferenceCode("77477000", None, date(2025, 10, 7)),
        "22298006": None,
        "241615005": ReferenceCode("241615005", None, date(2026, 1, 1)),
    }
    assert reference.nicip.lookup(" xches") == ReferenceCode(
        "XCHES", date(2009, 1, 1), None, "60027007")
    assert reference.nicip.lookup("XWRIB") == ReferenceCode("XWRIB", date(2009, 1, 1))


def test_store_says_where_each_part_came_from(store: Path, releases: dict[str, Any]
                                              ) -> None:
    info = ReferenceStore(store).info()
    assert info.counts == {"organisations": 7, "practitioners": 1, "postcodes": 5,
                           "nicip": 3, "snomed_ct": 4}
    by_file = {source.file: source for source in info.sources}
    onspd = by_file["ONSPD_NOV_2025_UK.zip!Data/ONSPD_NOV_2025_UK.csv"]
    assert (onspd.kind, onspd.release, onspd.rows) == ("postcodes:onspd", "2025-11", 3)
    with zipfile.ZipFile(releases["postcodes"][0]) as archive:
        expected = hashlib.sha256(archive.read("Data/ONSPD_NOV_2025_UK.csv")).hexdigest()
    assert onspd.sha256 == expected
    assert by_file["gridall.csv"].kind == "postcodes:nhspd"
    assert by_file["epraccur.zip!epraccur.csv"].kind == "ods:epraccur"
    assert by_file["dse_report.csv"].kind == "ods:organisations"
    assert by_file["econcur.csv"].kind == "ods:econcur"
    refset = next(s for s in info.sources if s.kind == "snomed_ct:refset")
    assert (refset.release, refset.rows) == ("2026-05-06", 4)
    assert not any(name.endswith(".pdf") for name in by_file)


@pytest.mark.parametrize("names", [ONSPD_2025, ONSPD_CLASSIC])
def test_onspd_columns_are_read_by_either_name(tmp_path: Path, names: list[str]) -> None:
    archive_path = tmp_path / "ONSPD_MAY_2025_UK.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("Data/ONSPD_MAY_2025_UK.csv", onspd_text(
            names, [("LS1 4AP", "198001", ""), ("AB1 0AA", "198001", "199606")]))
    build_store(tmp_path / "s.sqlite", postcodes=[archive_path])
    with sqlite3.connect(tmp_path / "s.sqlite") as db:
        assert db.execute("SELECT * FROM postcodes ORDER BY postcode").fetchall() == [
            ("AB1 0AA", 198001, 199606), ("LS1 4AP", 198001, None)]


def test_library_layouts_build_too(tmp_path: Path) -> None:
    files = {"ods.csv": "code,roles,open_date,close_date\nRA7,referring,,2020-01-01\n",
             "postcodes.csv": "postcode\nls1 4ap\n",
             "codes.csv": "code,active_from,inactive_from,maps_to\nXCHES,,2023-01-01,60027007\n",
             "snomed.csv": "code,active_from,inactive_from\n60027007,2001-01-01,\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    build_store(tmp_path / "s.sqlite", ods=[tmp_path / "ods.csv"],
                postcodes=[tmp_path / "postcodes.csv"], nicip=[tmp_path / "codes.csv"],
                snomed=[tmp_path / "snomed.csv"])
    reference = ReferenceData.from_sqlite(tmp_path / "s.sqlite")
    assert reference.organisations is not None
    assert reference.organisations.lookup("RA7") == Organisation(
        "RA7", frozenset({REFERRING}), None, date(2020, 1, 1))
    assert reference.nicip is not None
    assert reference.nicip.lookup("XCHES") == ReferenceCode("XCHES", None, date(2023, 1, 1),
                                                            "60027007")
    assert reference.snomed_ct is not None
    assert reference.snomed_ct.lookup("60027007") == ReferenceCode("60027007", date(2001, 1, 1))
    assert reference.postcodes is not None
    assert "LS1 4AP" in reference.postcodes


def test_nicip_columns_can_be_named(tmp_path: Path) -> None:
    table = tmp_path / "nicip_release.csv"
    table.write_text("Procedure,Concept,Start,End\nXCHES,60027007,2009-01-01,2024-02-29\n")
    build_store(tmp_path / "s.sqlite", nicip=[table], nicip_columns={
        "code": "Procedure", "snomed": "Concept", "active_from": "Start",
        "inactive_from": "End"})
    reference = ReferenceData.from_sqlite(tmp_path / "s.sqlite")
    assert reference.nicip is not None
    assert reference.nicip.lookup("XCHES") == ReferenceCode(
        "XCHES", date(2009, 1, 1), date(2024, 2, 29), "60027007")
    with pytest.raises(ReleaseError, match=r"nicip_release.csv, line 1: a column 'Code'"):
        build_store(tmp_path / "t.sqlite", nicip=[table], nicip_columns={"code": "Code"})


def _zip_bytes(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def _corrupt_zip() -> bytes:
    """A zip whose compressed member is damaged in the middle (its directory intact)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Data/x.csv", "pcds,dointr,doterm\n" + "".join(
            f"AB{k} 0AA,198001,\n" for k in range(5000)))
    data = bytearray(buffer.getvalue())
    for k in range(200, 260):
        data[k] ^= 0x55
    return bytes(data)


@pytest.mark.parametrize(("kind", "name", "content", "message"), [
    ("ods", "etr.csv", ods_row("RA7") + CRLF + ",".join(['"RX1"'] * 26) + CRLF,
     r"etr.csv, line 2: 27 fields \(ODS etr\), found 26"),
    ("ods", "etr.csv", ods_row("RA7", "19741301") + CRLF,
     r"etr.csv, line 1: the open date \(field 11\) as a date YYYYMMDD, found '19741301'"),
    ("ods", "etr.csv", (ods_row("RA7") + CRLF).encode("ascii").replace(b"SYNTHETIC", b"SYN\x81"),
     r"etr.csv, line 1: UTF-8 or cp1252 text"),
    ("ods", "other.csv", "a,b,c\r\n", r"other.csv, line 1: an ODS file: .* found 3 fields"),
    ("postcodes", "ONSPD_NOV_2025_UK.csv",
     onspd_text(ONSPD_2025, [("LS1 4AP", "198001", "")]).encode().replace(b"LS1 4AP", b"LS1 \xff"),
     r"ONSPD_NOV_2025_UK.csv, line 2: UTF-8 text"),
    ("postcodes", "ONSPD_NOV_2025_UK.csv", onspd_text(ONSPD_2025, [("LS1 4AP", "1980", "")]),
     r"line 2: dointr as a month YYYYMM, found '1980'"),
    ("postcodes", "gridall.csv", '"LS1 4AP","LS1 4AP","198001",""\r\n',
     r"gridall.csv, line 1: a postcode directory: .*found 4 fields"),
    ("postcodes", "ONSPD.zip", _zip_bytes("Data/x.csv", "pcds\nLS1 4AP\n")[:-30],
     r"ONSPD.zip: a readable zip"),
    ("postcodes", "ONSPD.zip", _corrupt_zip(), r"ONSPD.zip!Data/x.csv, line 1: a readable file"),
    ("snomed", "der2_Refset_SimpleUKCRSnapshot_GB1000000_20260506.txt",
     "id,effectiveTime,active\r\n", r"line 1: an RF2 header: id effectiveTime active"),
    ("snomed", "der2_Refset_SimpleUKCRSnapshot_GB1000000_20260506.txt",
     REFSET_HEADER + CRLF + member(1, "2020-01-01", "1", "60027007") + CRLF,
     r"line 2: effectiveTime as a date YYYYMMDD, found '2020-01-01'"),
    ("snomed", "sct2_Description_Snapshot-en_INT_20260101.txt", "x\r\n",
     r"an RF2 snapshot with der2_Refset_Simple"),
    ("nicip", "nicip.csv", "description\nXR chest\n", r"line 1: a header naming the code column"),
    ("nicip", "nicip.csv", "code,eff_from\nXCHES,2009-02-30\n",
     r"nicip.csv, line 2: active_from as a date YYYYMMDD or YYYY-MM-DD, found '2009-02-30'"),
])
def test_bad_release_files_stop_the_build_naming_file_and_line(
        tmp_path: Path, kind: str, name: str, content: str | bytes, message: str) -> None:
    paths: dict[str, Any] = {kind: [tmp_path / name]}
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, newline="")
    else:
        path.write_bytes(content)
    output = tmp_path / "store.sqlite"
    output.write_bytes(b"an older store, kept")
    with pytest.raises(ReleaseError, match=message):
        build_store(output, **paths)
    assert output.read_bytes() == b"an older store, kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "store.sqlite"])


def test_release_dates_from_names() -> None:
    assert release_of("der2_Refset_SimpleUKCRSnapshot_GB1000000_20260506.txt") == "2026-05-06"
    assert release_of("ONSPD_NOV_2025_UK.zip!Data/ONSPD_NOV_2025_UK.csv") == "2025-11"
    assert release_of("etr.csv") is None
    assert release_of("x_20261340.txt") is None


# -- the providers ------------------------------------------------------------------------------


def test_a_batch_is_one_query(store: Path) -> None:
    reference = ReferenceData.from_sqlite(store)
    assert reference.postcodes is not None
    provider: Any = reference.postcodes
    queries: list[str] = []
    provider._store.db.set_trace_callback(queries.append)
    asked = [f"LS{k} {k % 10}AA" for k in range(400)] + ["LS1 4AP"]
    assert provider.known(asked) == {"LS1 4AP"}
    assert len(queries) == 1


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "not.sqlite"
    text.write_text("postcode\nLS1 4AP\n")
    with pytest.raises(StoreError, match=r"not.sqlite: a reference store built by"):
        ReferenceData.from_sqlite(text)
    with pytest.raises(StoreError, match=r"missing\.sqlite"):
        ReferenceData.from_sqlite(tmp_path / "missing.sqlite")


_CODES = st.from_regex(r"[A-Z][A-Z0-9]{0,5}", fullmatch=True)
_DAYS = st.none() | st.dates(date(1990, 1, 1), date(2030, 12, 31))


def test_a_store_of_one_part_offers_only_that_provider(tmp_path: Path) -> None:
    (tmp_path / "postcodes.csv").write_text("postcode\nLS1 4AP\n")
    build_store(tmp_path / "s.sqlite", postcodes=[tmp_path / "postcodes.csv"])
    reference = ReferenceData.from_sqlite(tmp_path / "s.sqlite")
    assert (reference.nicip, reference.snomed_ct, reference.organisations) == (None, None, None)
    assert reference.postcodes is not None
    assert "LS1 4AP" in reference.postcodes
    assert reference.provenance is not None
    kinds = [source["kind"] for source in reference.provenance["sources"]]
    assert kinds == ["postcodes:library"]


@settings(max_examples=25, deadline=None)
@given(codes=st.dictionaries(_CODES, st.tuples(_DAYS, _DAYS, st.none() | _CODES), max_size=30),
       asked=st.lists(_CODES, max_size=40))
def test_store_answers_as_the_csv_it_was_built_from(
        tmp_path_factory: pytest.TempPathFactory, codes: dict[str, Any], asked: list[str]
        ) -> None:
    """Round trip: a code table in the library layout, built into a store, answers every
    question as the in-memory provider of the same file does."""
    folder = tmp_path_factory.mktemp("roundtrip")
    lines = ["code,active_from,inactive_from,maps_to"] + [
        f"{code},{start or ''},{end or ''},{maps or ''}"
        for code, (start, end, maps) in codes.items()]
    (folder / "codes.csv").write_text("\n".join(lines) + "\n")
    build_store(folder / "s.sqlite", nicip=[folder / "codes.csv"])
    expected = CsvCodeReference.from_csv(folder / "codes.csv")
    if not codes:
        assert ReferenceData.from_sqlite(folder / "s.sqlite").nicip is None
        return
    found = ReferenceData.from_sqlite(folder / "s.sqlite").nicip
    assert found is not None
    questions = asked + [code.lower() for code in codes]
    assert dict(lookup_many(found, questions)) == expected.lookup_many(questions)


# -- validation against the store --------------------------------------------------------------


def _findings(rows: list[list[str]], version: int, reference: ReferenceData) -> set[Any]:
    report = validate_rows(rows, version=version, submitted=SUBMITTED[version],
                           reference=reference, limit_per_rule=None)
    return {(issue.row, issue.code) for issue in report.issues}


V2_CASES: list[tuple[dict[str, str], set[str]]] = [
    ({}, set()),
    ({"postcode": "AB1 0AA"}, set()),  # terminated in 1996: it existed
    ({"postcode": "EC1A 9ZZ"}, {"DIDS016"}),
    ({"postcode": "ZZ99 3VZ"}, set()),
    ({"imaging_site": "RA702"}, {"DIDS081"}),  # closed 2025-01-01
    ({"referring_organisation": "RX9"}, {"DIDS024"}),
    ({"referring_organisation": "RX1"}, {"DIDS079"}),  # closed 2020-03-31
    ({"gp_practice": "A81001"}, set()),
    ({"gp_practice": "Y00001"}, set()),  # a prescribing cost centre
    ({"gp_practice": "RA7"}, {"DIDS018"}),  # a trust, not a practice
    ({"nicip_code": "", "snomed_code": "60027007"}, set()),
    ({"nicip_code": "", "snomed_code": "71651007"}, {"DIDS078"}),  # left 183 days before
    ({"nicip_code": "", "snomed_code": "77477000"}, {"DIDS00300402"}),  # 184 days before
    ({"nicip_code": "", "snomed_code": "22298006"}, {"DIDS00300402"}),  # another refset
    ({"nicip_code": "", "snomed_code": "241615005"}, {"DIDS078"}),  # concept retired 2026
    ({"nicip_code": "XCHES", "snomed_code": "60027007"}, set()),
    ({"nicip_code": "XCHES", "snomed_code": "71651007"}, {"DIDS078", "DIDSREJ012"}),
    ({"nicip_code": "XWRIB", "snomed_code": "60027007"}, set()),  # no map: nothing to compare
    ({"nicip_code": "XZZZZ"}, {"DIDS00300302"}),
    ({"nicip_code": "XOLDC"}, {"DIDS00300302"}),  # inactive 2025-10-07, 184 days before
]


def test_v2_file_checked_against_the_store_finds_what_the_rule_table_says(store: Path) -> None:
    rows = [make_row(2, accession_number=f"ACC{k:07d}", **changes)
            for k, (changes, _) in enumerate(V2_CASES)]
    expected = {(k + 1, code) for k, (_, codes) in enumerate(V2_CASES) for code in codes}
    assert _findings(rows, 2, ReferenceData.from_sqlite(store)) == expected


V1_CASES: list[tuple[dict[str, str], set[str]]] = [
    ({"nicip_code": "XCHES", "snomed_code": "60027007"}, set()),
    ({"referring_organisation": "RA7", "gp_practice": "A81001"}, set()),
    ({"imaging_site": "RA799"}, {"DIDS068"}),
    ({"postcode": "EC1A 9ZZ"}, {"DIDS016"}),
    ({"nicip_code": "XWRIB", "snomed_code": ""}, set()),
    ({"nicip_code": "", "snomed_code": "22298006"}, {"DIDS059"}),
]


def test_v1_file_checked_against_the_store(store: Path) -> None:
    rows = [make_row(1, accession_number=f"ACC{k:07d}", **changes)
            for k, (changes, _) in enumerate(V1_CASES)]
    expected = {(k + 1, code) for k, (_, codes) in enumerate(V1_CASES) for code in codes}
    assert _findings(rows, 1, ReferenceData.from_sqlite(store)) == expected


def test_store_and_csv_providers_of_the_same_data_agree(store: Path, tmp_path: Path) -> None:
    """The store and the in-memory providers, given the same organisations, postcodes and
    codes, find the same on every v2 case."""
    db = sqlite3.connect(store)

    def day(number: int | None) -> str:
        return "" if number is None else f"{number // 10000}-{number // 100 % 100:02d}-" \
                                         f"{number % 100:02d}"

    (tmp_path / "o.csv").write_text("code,roles,open_date,close_date\n" + "".join(
        f"{c},{r},{day(o)},{day(x)}\n" for c, r, o, x in db.execute(
            "SELECT * FROM organisations")))
    (tmp_path / "p.csv").write_text("postcode\n" + "".join(
        f"{p}\n" for (p,) in db.execute("SELECT postcode FROM postcodes")))
    for system in ("nicip", "snomed_ct"):
        header = "code,active_from,inactive_from,maps_to\n"
        (tmp_path / f"{system}.csv").write_text(header + "".join(
            f"{c},{day(a)},{day(i)},{m or ''}\n" for c, a, i, m in db.execute(
                "SELECT code, active_from, inactive_from, maps_to FROM codes WHERE system = ?",
                (system,))))
    db.close()
    in_memory = ReferenceData(
        CsvCodeReference.from_csv(tmp_path / "nicip.csv"),
        CsvCodeReference.from_csv(tmp_path / "snomed_ct.csv"),
        CsvOrganisationReference.from_csv(tmp_path / "o.csv"),
        CsvPostcodeReference.from_csv(tmp_path / "p.csv"))
    rows = [make_row(2, accession_number=f"ACC{k:07d}", **changes)
            for k, (changes, _) in enumerate(V2_CASES)]
    assert _findings(rows, 2, ReferenceData.from_sqlite(store)) == _findings(rows, 2, in_memory)


# -- the command line --------------------------------------------------------------------------


def test_cli_builds_describes_and_validates_with_a_store(
        tmp_path: Path, releases: dict[str, Any], capsys: pytest.CaptureFixture[str]
        ) -> None:
    output = tmp_path / "cli.sqlite"
    args = ["reference", "build", "-o", str(output)]
    for kind, paths in releases.items():
        args += [arg for path in paths for arg in (f"--{kind}", str(path))]
    assert main(args) == 0
    assert "wrote" in capsys.readouterr().err
    assert main(["reference", "info", str(output), "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["store"] == "cli.sqlite"
    assert info["counts"]["postcodes"] == 5
    assert main(["reference", "info", str(output)]) == 0
    text = capsys.readouterr().out
    assert "ONSPD_NOV_2025_UK.zip!Data/ONSPD_NOV_2025_UK.csv release 2025-11" in text

    submission = tmp_path / "v2.csv"
    rows = [make_row(2, accession_number="ACC1"), make_row(2, accession_number="ACC2",
                                                           postcode="EC1A 9ZZ")]
    with submission.open("w", newline="") as handle:
        csv.writer(handle).writerows([layout(2).headers, *rows])
    status = main(["validate", str(submission), "--reference", str(output), "--period",
                   "2026-04", "--submitted", "2026-05-03", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    assert report["counts"] == {"DIDS016": 1}
    assert report["not_checked"] == []
    assert report["partly_checked"] == {}
    assert report["reference"]["store"] == "cli.sqlite"
    assert {"kind": "postcodes:onspd", "release": "2025-11"}.items() <= next(
        s for s in report["reference"]["sources"] if s["kind"] == "postcodes:onspd").items()
    assert "EC1A" not in json.dumps(report)  # no values unless asked

    assert main(["validate", str(submission), "--period", "2026-04", "--format", "json"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert "DIDS016" in report["not_checked"]
    assert set(report["partly_checked"]) == {"DIDS00300302", "DIDS00300402"}
    assert "partly checked: DIDS00300302, DIDS00300402" in captured.err


def test_cli_build_errors_name_the_file_and_write_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "ets.csv"
    bad.write_text('"RA701","X"\r\n')
    output = tmp_path / "s.sqlite"
    assert main(["reference", "build", "-o", str(output), "--ods", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "ets.csv, line 1: 27 fields (ODS ets), found 2; no store written" in err
    assert not output.exists()
    assert main(["reference", "build", "-o", str(output)]) == 2
    assert main(["validate", "x.csv", "--reference", str(bad)]) == 2
    assert "cannot use reference store: ets.csv: a reference store" in capsys.readouterr().err
    assert main(["validate", "x.csv", "--reference", str(bad), "--ods", str(bad)]) == 2


def test_store_providers_pickle_as_the_store_path(store: Path) -> None:
    """Sent to another process (a Spark task), the providers open the store again there."""
    import pickle

    reference = pickle.loads(pickle.dumps(ReferenceData.from_sqlite(store)))
    assert reference.postcodes is not None
    assert "LS1 4AP" in reference.postcodes
    assert reference.provenance is not None
    assert reference.provenance["store"] == "reference.sqlite"


def write_xlsx(path: Path, rows: list[list[str | int | None]]) -> None:
    """A minimal workbook as spreadsheet programs write one: strings shared, numbers as
    numbers, empty cells left out."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    strings: list[str] = []
    lines = []
    for number, row in enumerate(rows, 1):
        cells = []
        for column, value in enumerate(row):
            where = f"{chr(65 + column)}{number}"
            if value is None:
                continue
            if isinstance(value, int):
                cells.append(f'<c r="{where}"><v>{value}</v></c>')
            else:
                strings.append(value)
                cells.append(f'<c r="{where}" t="s"><v>{len(strings) - 1}</v></c>')
        lines.append(f'<row r="{number}">{"".join(cells)}</row>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
                         '<sheet name="NICIP" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'))
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">' + "".join(
            f"<si><t>{text}</t></si>" for text in strings) + "</sst>")
        archive.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{main}"><sheetData>'
                         + "".join(lines) + "</sheetData></worksheet>")


def test_nicip_from_an_xlsx_export(tmp_path: Path) -> None:
    """Codes as shared strings, SNOMED CT concepts as numbers, dates as day numbers (39814 is
    2009-01-01) or text, a blank trailing cell left out."""
    workbook = tmp_path / "NICIP_release.xlsx"
    write_xlsx(workbook, [["NICIP_ID", "NICIP_DESCRIPTION", "SNOMEDCT_ID", "EFF_FROM", "EFF_TO"],
                          ["XCHES", "XR Chest", 60027007, 39814],
                          ["XOLDC", "XR Old", None, "20090101", "20251007"]])
    build_store(tmp_path / "s.sqlite", nicip=[workbook])
    reference = ReferenceData.from_sqlite(tmp_path / "s.sqlite")
    assert reference.nicip is not None
    assert lookup_many(reference.nicip, ["XCHES", "XOLDC"]) == {
        "XCHES": ReferenceCode("XCHES", date(2009, 1, 1), None, "60027007"),
        "XOLDC": ReferenceCode("XOLDC", date(2009, 1, 1), date(2025, 10, 7)),
    }
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK not a workbook")
    with pytest.raises(ReleaseError, match=r"broken.xlsx: an XLSX workbook"):
        build_store(tmp_path / "t.sqlite", nicip=[broken])


def test_a_damaged_store_is_a_clear_error(store: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A store cut short after it was built: opening or asking it names the store."""
    damaged = tmp_path / "damaged.sqlite"
    data = store.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreError, match=r"damaged.sqlite: a"):
        ReferenceData.from_sqlite(damaged)
    assert main(["reference", "info", str(damaged)]) == 2
    assert "damaged.sqlite" in capsys.readouterr().err
