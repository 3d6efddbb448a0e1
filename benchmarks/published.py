"""National-size reference files in the published layouts, for the store benchmark.

They hold what the library-layout reference files of ``run.py`` hold (the same organisations,
postcodes and codes), written as the releases are published: ODS ``etr``, ``ets`` and
``epraccur`` (quoted 27-field rows, CRLF), the ONS Postcode Directory (the 55 columns of the
August 2026 edition, zipped as ``Data/ONSPD_AUG_2026_UK.csv``), a SNOMED CT RF2 snapshot
(refset members and concepts, CRLF, zipped) and a NICIP table (tab-separated).
"""

from __future__ import annotations

import csv
import random
import zipfile
from pathlib import Path

#: The ONSPD columns of the August 2026 edition (reference-data.md section 2.2).
ONSPD_COLUMNS = [
    "pcd7", "pcd8", "pcds", "dointr", "doterm", "cty26cd", "ced25cd", "lad26cd", "wd26cd",
    "parncp26cd", "usrtypind", "east1m", "north1m", "gridind", "oa21cd", "ctry26cd", "rgn26cd",
    "pcon24cd", "ttwa15cd", "itl25cd", "npark26cd", "lsoa21cd", "msoa21cd", "wz11cd", "sicbl26cd",
    "bua24cd", "ruc21ind", "oac11ind", "lat", "long", "lep21cd1", "lep21cd2", "pfa23cd",
    "imd20ind", "calncv26cd", "icb26cd", "nhser24cd", "ward25cd", "oa11cd", "lsoa11cd", "msoa11cd",
    "bua22cd", "buasd11cd", "ruc11ind", "stp21cd", "ccg19cd", "nuts21cd", "lau221cd", "cancer21cd",
    "cannet21cd", "sa21cd", "lhb21cd", "dpa21cd", "imd25ind", "pcon14cd",
]
REFSET = "999001111000000105"


def _gss(rng: random.Random, prefix: str) -> str:
    return f"{prefix}{rng.randrange(10**8):08d}"


def write_published(library: dict[str, Path], folder: Path, seed: int) -> dict[str, Path]:
    """The published-layout files made from the library-layout ones (written when not already
    there), by ``dids reference build`` option; ODS is a folder of three files."""
    paths = {"ods": folder / "ods", "postcodes": folder / "ONSPD_AUG_2026_UK.zip",
             "snomed": folder / "uk_sct2cr_41.0.0_20260506000001Z.zip",
             "nicip": folder / "nicip_20260401.tsv"}
    if all(path.exists() for path in paths.values()):
        return paths
    rng = random.Random(seed)
    paths["ods"].mkdir(parents=True, exist_ok=True)
    files = {name: (paths["ods"] / f"{name}.csv").open("w", newline="", encoding="utf-8")
             for name in ("etr", "ets", "epraccur")}
    writers = {name: csv.writer(handle, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
               for name, handle in files.items()}
    with library["ods"].open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            fields = [""] * 27
            fields[0], fields[1], fields[9] = row["code"], "SYNTHETIC ORGANISATION", "ZZ99 3VZ"
            fields[10] = row["open_date"].replace("-", "")
            fields[11] = row["close_date"].replace("-", "")
            roles = row["roles"].split(";")
            if "gp_practice" in roles:
                fields[12], fields[25] = "A", "4"
                writers["epraccur"].writerow(fields)
            elif "referring" in roles and len(row["code"]) == 3:
                writers["etr"].writerow(fields)
            else:
                writers["ets"].writerow(fields)
    for handle in files.values():
        handle.close()
    with zipfile.ZipFile(paths["postcodes"], "w", zipfile.ZIP_DEFLATED, compresslevel=1
                         ) as archive, archive.open("Data/ONSPD_AUG_2026_UK.csv", "w") as raw, \
            library["postcodes"].open(encoding="utf-8") as postcodes:
        lines = [",".join(ONSPD_COLUMNS)]
        next(postcodes)
        for line in postcodes:
            postcode = line.strip()
            outward, inward = postcode.split()
            terminated = f"20{rng.randrange(10, 25)}0{rng.randrange(1, 10)}" \
                if rng.random() < 0.25 else ""
            fields = [f"{outward:<4}{inward}"[:7], f"{outward:<4} {inward}", postcode,
                      f"19{rng.randrange(80, 100)}0{rng.randrange(1, 10)}", terminated]
            fields += [_gss(rng, "E1") for _ in range(6)]
            fields += ["0", str(rng.randrange(100000, 600000)),
                       str(rng.randrange(100000, 900000)), "1"]
            fields += [_gss(rng, "E0") for _ in range(14)]
            fields += ["5", "2B1", f"5{rng.random() * 4:.6f}", f"-{rng.random() * 3:.6f}"]
            fields += [_gss(rng, "E3") for _ in range(21)]
            fields += [str(rng.randrange(1, 32844))]
            fields.insert(33, str(rng.randrange(1, 32844)))
            lines.append(",".join(fields[:len(ONSPD_COLUMNS)]))
            if len(lines) >= 10_000:
                raw.write(("\r\n".join(lines) + "\r\n").encode())
                lines = []
        raw.write(("\r\n".join(lines) + "\r\n").encode() if lines else b"")
    with zipfile.ZipFile(paths["snomed"], "w", zipfile.ZIP_DEFLATED, compresslevel=1
                         ) as archive, library["snomed"].open(encoding="utf-8") as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
        package = "SnomedCT_UKClinicalRefsetsRF2_PRODUCTION_20260506T000001Z/Snapshot"
        members = ["id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId"]
        members += [f"{k:08x}-0000-4000-8000-000000000000\t20200101\t1\t999000011000000103\t"
                    f"{REFSET}\t{code}" for k, code in enumerate(codes)]
        archive.writestr(f"{package}/Refset/Content/"
                         "der2_Refset_SimpleUKCRSnapshot_GB1000000_20260506.txt",
                         "\r\n".join(members) + "\r\n")
        concepts = ["id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId"]
        concepts += [f"{code}\t20020131\t1\t900000000000207008\t900000000000074008"
                     for code in codes]
        archive.writestr(f"{package}/Terminology/"
                         "sct2_Concept_UKCRSnapshot_GB1000000_20260506.txt",
                         "\r\n".join(concepts) + "\r\n")
    with library["nicip"].open(encoding="utf-8") as handle, \
            paths["nicip"].open("w", encoding="utf-8") as out:
        out.write("NICIP_ID\tNICIP_DESCRIPTION\tSNOMEDCT_ID\tEFF_FROM\tEFF_TO\n")
        for row in csv.DictReader(handle):
            out.write(f"{row['code']}\tSYNTHETIC PROCEDURE\t\t"
                      f"{row['active_from'].replace('-', '')}\t\n")
    return paths
