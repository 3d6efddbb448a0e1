"""Fuzz the readers of the national reference releases (``dids reference build``).

Usage, as ``fuzz_readers.py`` (atheris is not a dependency)::

    python fuzz/fuzz_reference.py -atheris_runs=100000
    python fuzz/fuzz_reference.py --random 2000

Each input is a kind byte (ODS, postcode directory, SNOMED CT RF2, NICIP CSV or XLSX, each
maybe zipped) and the file's bytes; the store is built from it. A :class:`ReleaseError` is the
documented answer to a bad file; any other exception is a finding.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import random
import sys
import tempfile
import zipfile
from pathlib import Path

#: (build option, file name, a small valid file of that layout) by kind.
SEEDS = [
    ("ods", "etr.csv", b'"RA7","A NAME","","","","","","","","ZZ99 3VZ","19740401",""'
     + b',""' * 15 + b"\r\n"),
    ("postcodes", "ONSPD_NOV_2025_UK.csv",
     b"pcd7,pcd8,pcds,dointr,doterm\r\nAB1 0AA,AB1  0AA,AB1 0AA,198001,199606\r\n"),
    ("postcodes", "gridall.csv", b'"AB1  0AA","AB1 0AA","198001",""' + b',""' * 39 + b"\r\n"),
    ("snomed", "der2_Refset_SimpleUKCRSnapshot_GB1000000_20260506.txt",
     b"id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\r\n"
     b"u1\t20200101\t1\t999000011000000103\t999001111000000105\t60027007\r\n"),
    ("nicip", "nicip.csv", b"nicip_id,snomedct_id,eff_from,eff_to\nXCHES,60027007,20090101,\n"),
    ("nicip", "nicip.xlsx", b""),  # made by _workbook
]


def _workbook() -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rel}">'
                         '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'))
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}"><si><t>code</t></si>'
                         "<si><t>XCHES</t></si></sst>")
        archive.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{main}"><sheetData>'
                         '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2">'
                         '<c r="A2" t="s"><v>1</v></c></row></sheetData></worksheet>')
    return buffer.getvalue()


def check(data: bytes) -> None:
    """Build a store from ``data``: only a ReleaseError may come out."""
    if not data:
        return
    refdata = importlib.import_module("dids.refdata")
    option, name, _ = SEEDS[data[0] % len(SEEDS)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        if data[0] // len(SEEDS) % 4 == 1:  # zipped
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(f"Data/{name}", data[1:])
            path = Path(folder) / "release.zip"
            path.write_bytes(buffer.getvalue())
        else:
            path.write_bytes(data[1:])
        with contextlib.suppress(refdata.ReleaseError):
            refdata.build_store(Path(folder) / "store.sqlite", **{option: [path]})


def random_run(count: int, seed: int = 0) -> int:
    """Run ``count`` random mutations of the seeds; return how many ran."""
    mutate = importlib.import_module("fuzz_readers")._mutate
    rng = random.Random(seed)
    seeds = [(k, content or _workbook()) for k, (_, _, content) in enumerate(SEEDS)]
    for _ in range(count):
        kind, content = rng.choice(seeds)
        check(bytes([kind + len(SEEDS) * rng.randrange(4)]) + mutate(rng, content))
    return count


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--random":
        print(f"ran {random_run(int(sys.argv[2]))} inputs without an unexpected exception")
        return
    import atheris  # type: ignore[import-not-found,import-untyped,unused-ignore]

    with atheris.instrument_imports(include=["dids"]):
        importlib.import_module("dids.refdata")
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
