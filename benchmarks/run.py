"""Benchmark dids against bare stdlib baselines measured in the same run.

One command::

    python benchmarks/run.py --rows 1000000 --rounds 3

generates seeded v1 and v2 files with the bulk generator (kept in ``benchmarks/data``), then
runs the tasks below in interleaved rounds, each in a fresh subprocess that reports its own
time and peak RSS. It prints the median of each task and its ratio to its baseline:

* ``csv_floor_v1`` / ``csv_floor_v2``: a bare ``csv.reader`` loop over the file (baseline);
* ``columns_v2``: the least a pure-Python columnar check does, for scale: the v2 file read in
  64 KB stretches, split into columns, and one set of distinct values built per column;
* ``validate_v1`` / ``validate_v2``: every field, row and file rule (no reference data);
* ``cli_validate_v2``: the same file through ``dids validate`` (run in the child process,
  without the interpreter's start, which ``import`` measures);
* ``csv_writer``: a bare ``csv.writer`` writing the records' strings (baseline);
* ``dids_writer``: ``dids.io.csv.write_csv`` writing the same records, each checked first;
* ``dids_unchecked``: the same with ``on_invalid="write"`` (no checks);
* ``import``: ``import dids``, ``dids --help`` and ``dids validate`` of a 5-row v2 file, in
  milliseconds of process time (user and system) above a bare interpreter, with the bytecode
  cached as an installed package has it.

With ``--variants``, other v2 files of as many rows are validated too, each against the csv
floor over the same file: ``quoted`` (every field quoted, ``csv.QUOTE_ALL``), ``october`` (a
month when clocks change: some rows' timestamps have different offsets), ``invalid1`` (1%
of the rows each break one rule, so those rows take the exact path) and ``distinct`` (the
values a real file holds mostly distinct are drawn afresh for every row: NHS numbers, birth
dates over 80 years, postcodes, GP practices, referrers, request and received times; the
generator draws them from small pools and keeps the times constant).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import attrs
from published import write_published

from dids.catalogue import V1, V2
from dids.generate import generate_rows, submission_date_for
from dids.identifiers import nhs_number

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

CHILD = r"""
import csv, json, resource, sys, time
task, path, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])

def peak_rss():
    # This process's peak RSS in MB: VmHWM, which (unlike ru_maxrss) starts afresh at exec,
    # so the parent's size is not counted.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def report(seconds, loaded=0.0, base_rss=0.0):
    rss = peak_rss()
    print(json.dumps({"seconds": seconds, "rss_mb": rss, "load_seconds": loaded,
                      "reference_rss_mb": base_rss}))

if task == "csv_floor":
    start = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            pass
    report(time.perf_counter() - start)
elif task == "columns":
    start = time.perf_counter()
    with open(path, "rb") as handle:
        width = handle.readline().count(b",") + 1
        while lines := handle.readlines(1 << 16):
            text = b"".join(lines).decode("utf-8").removesuffix("\r\n")
            fields = text.replace("\r\n", ",").split(",")
            for column in range(width):
                set(fields[column::width])
    report(time.perf_counter() - start)
elif task == "validate":
    from datetime import date
    from dids.generate import submission_date_for, metadata_for
    from dids.io import open_reader
    from dids.validate import validate_reader
    version = 1 if path.endswith("v1.csv") else 2
    period = date.fromisoformat(sys.argv[4]) if sys.argv[4] else None
    metadata = metadata_for(version, rows, period) if version == 2 else None
    start = time.perf_counter()
    result = validate_reader(open_reader(path), submitted=submission_date_for(version, period),
                             metadata=metadata)
    seconds = time.perf_counter() - start
    assert result.records == rows and bool(result.counts) == (sys.argv[5] == "invalid"), (
        dict(result.counts))
    report(seconds)
elif task == "cli":
    import contextlib, os
    from datetime import date, timedelta
    from dids.cli import main
    from dids.generate import period_for, submission_date_for
    spec = json.loads(sys.argv[6])
    version = 1 if path.endswith("v1.csv") else 2
    period = date.fromisoformat(sys.argv[4]) if sys.argv[4] else None
    submitted = submission_date_for(version, period) + timedelta(days=spec.get("late_days", 0))
    argv = ["validate", path, "--submitted", submitted.isoformat(),
            "--format", spec.get("format", "text")]
    if version == 2:
        argv += ["--period", period_for(version, period).strftime("%Y-%m")]
    for option, reference in spec.get("reference", {}).items():
        argv += [f"--{option}", reference]
    loaded = 0.0
    if spec.get("reference"):  # loaded first, timed apart: the command then reuses them
        import dids.cli as cli
        from dids.reference import ReferenceData
        start = time.perf_counter()
        providers = cli._reference(cli._parser().parse_args(argv))
        loaded = time.perf_counter() - start
        cli._reference = lambda args: providers
        base_rss = peak_rss()
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        start = time.perf_counter()
        status = main(argv)
        seconds = time.perf_counter() - start
    assert status == (1 if sys.argv[5] == "invalid" else 0), status
    report(seconds, loaded, base_rss if loaded else 0.0)
elif task in ("reference_floor", "reference_build"):
    import io, os, zipfile
    from pathlib import Path
    spec = json.loads(sys.argv[6])
    start = time.perf_counter()
    if task == "reference_floor":  # csv.reader over every data file, unzipped as it is read
        for given in spec["published"]:
            files = sorted(Path(given).iterdir()) if Path(given).is_dir() else [Path(given)]
            for file in files:
                if file.suffix == ".zip":
                    with zipfile.ZipFile(file) as archive:
                        for member in archive.namelist():
                            with archive.open(member) as raw:
                                for row in csv.reader(io.TextIOWrapper(raw, "utf-8")):
                                    pass
                else:
                    with open(file, newline="", encoding="utf-8") as handle:
                        for row in csv.reader(handle):
                            pass
        report(time.perf_counter() - start)
    else:
        from dids.cli import main
        argv = ["reference", "build", "-o", path]
        for given in spec["published"]:
            argv += ["--ods" if Path(given).is_dir() else "--postcodes", given]
        assert main(argv) == 0
        seconds = time.perf_counter() - start
        rss = peak_rss()
        store_mb = os.path.getsize(path) / 1e6
        print(json.dumps({"seconds": seconds, "rss_mb": rss, "store_mb": store_mb}))
else:
    import io, os
    from dids.io import open_reader, read_typed
    from dids.io.csv import write_csv
    records = [r.record for r in read_typed(open_reader(path))]
    strings = [record.to_row() for record in records]
    with open(os.devnull, "w", newline="", encoding="utf-8") as sink:
        start = time.perf_counter()
        if task == "csv_writer":
            csv.writer(sink, lineterminator="\r\n").writerows(strings)
        elif task == "dids_writer":
            write_csv(records, sink)
        else:
            write_csv(records, sink, on_invalid="write")
        report(time.perf_counter() - start)
"""


@attrs.frozen
class File:
    """A seeded generated file: its layout version and how it differs from the main ones."""

    version: int
    name: str = ""
    period: date | None = None
    invalid_rate: float = 0.0
    quote_all: bool = False
    distinct: bool = False
    #: Validated this many days after the usual submission date (DIDS055 on every v1 record).
    late_days: int = 0
    #: Organisations, postcodes and codes drawn from the national-size reference files.
    reference: bool = False
    #: Checked against the store built from the published-layout files, not the CSV files.
    store: bool = False
    #: The ``dids validate`` output format.
    format: str = "text"

    def path(self, rows: int, seed: int) -> Path:
        """The file (written when not already there: into a part file renamed when done, so that
        an interrupted run leaves no short file behind)."""
        variant = f"-{self.name}" if self.name else ""
        path = DATA / f"{rows}-{seed}{variant}-v{self.version}.csv"
        if not path.exists():
            DATA.mkdir(exist_ok=True)
            pools = reference_pools(seed) if self.reference else None
            part = path.with_suffix(".part")
            with part.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\r\n",
                                    quoting=csv.QUOTE_ALL if self.quote_all else csv.QUOTE_MINIMAL)
                if self.version == 2:
                    writer.writerow(V2.headers)
                rng = random.Random(seed)
                for row in generate_rows(rows, seed=seed, version=self.version,
                                         period=self.period, invalid_rate=self.invalid_rate):
                    fields = row.fields
                    if self.distinct and row.intended is None:  # a broken row stays broken
                        fields = vary(fields, rng, self.version, pools)
                    writer.writerow(fields)
            part.replace(path)
        return path

    @property
    def invalid(self) -> bool:
        """Whether the file has findings."""
        return bool(self.invalid_rate or self.late_days)


def vary(fields: list[str], rng: random.Random, version: int,
         pools: dict[str, list[str]] | None = None) -> list[str]:
    """A row with the values that real files hold mostly distinct drawn afresh (valid ones; in
    v2 the request at most 6 hours into its day and received within 30 minutes of it, both
    before the generator's earliest procedure start, 07:00). With ``pools`` (the reference
    files'), postcodes and GP practices come from the reference data."""
    items = V2 if version == 2 else V1
    at = items.index
    fields = list(fields)
    while (check := nhs_number.calc_check_digit(digits := str(rng.randrange(4 * 10**8,
                                                                            10**9)))) is None:
        pass
    fields[at("nhs_number")] = digits + check
    fields[at("birth_date")] = (date(1930, 1, 1) + timedelta(days=rng.randrange(29_000))
                                ).isoformat()
    if pools is None:
        fields[at("postcode")] = _postcode(rng)
        fields[at("gp_practice")] = f"{rng.choice(_LETTERS)}{rng.randrange(10000, 99999)}"
    else:
        fields[at("postcode")] = rng.choice(pools["postcodes"])
        fields[at("gp_practice")] = rng.choice(pools["practices"])
    fields[at("referrer")] = f"{rng.choice('CGD')}{rng.randrange(10**6, 10**7)}"
    if version == 2:
        request = rng.randrange(6 * 3600)
        for name, second in [("request_time", request),
                             ("request_received_time", request + rng.randrange(1800))]:
            fields[at(name)] = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
    return fields


_LETTERS, _INWARD = "ABCDEFGHJKLMNOPRSTUWYZ", "ABDEFGHJLNPQRSTUWXYZ"


def _postcode(rng: random.Random) -> str:
    return (f"{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}{rng.randrange(1, 30)}"
            f" {rng.randrange(10)}{rng.choice(_INWARD)}{rng.choice(_INWARD)}")


#: National sizes: ODS organisations and sites, postcodes, NICIP codes, SNOMED CT concepts.
NATIONAL = {"ods": 100_000, "postcodes": 2_700_000, "nicip": 50_000, "snomed": 400_000}


def reference_pools(seed: int) -> dict[str, list[str]]:
    """The national-size reference files in the library's CSV layouts (written when not already
    there), and the pools a file's values are drawn from: postcodes the directory holds but one
    in 200, GP practices ODS holds but one in 200."""
    rng = random.Random(seed)
    postcodes = sorted({_postcode(rng) for _ in range(NATIONAL["postcodes"])})
    practices = [f"{rng.choice(_LETTERS)}{k:05d}" for k in range(10_000, 10_000 + 8_000)]
    paths = reference_paths()
    if not paths["ods"].exists():
        DATA.mkdir(exist_ok=True)
        today = "2000-01-01"
        generated = {row.fields[i] for row in generate_rows(2000, seed=seed, version=2)
                     for i in (V2.index("referring_organisation"), V2.index("imaging_site"))}
        with paths["ods"].open("w", encoding="utf-8") as handle:
            handle.write("code,roles,open_date,close_date\n")
            for code in sorted(generated):
                handle.write(f"{code},referring;site,{today},\n")
            for code in practices:
                handle.write(f"{code},gp_practice,{today},\n")
            for k in range(NATIONAL["ods"] - len(practices) - len(generated)):
                handle.write(f"Y{k:06d},site,{today},\n")
        with paths["postcodes"].open("w", encoding="utf-8") as handle:
            handle.write("postcode\n")
            handle.writelines(f"{postcode}\n" for postcode in postcodes)
        for system, generated_codes in (("nicip", _NICIP), ("snomed", _SNOMED)):
            with paths[system].open("w", encoding="utf-8") as handle:
                handle.write("code,active_from,inactive_from\n")
                for code in generated_codes:
                    handle.write(f"{code},{today},\n")
                for k in range(NATIONAL[system] - len(generated_codes)):
                    handle.write(f"{'Q' if system == 'nicip' else 9}{k:07d},{today},\n")
    return {"postcodes": [*postcodes[:200_000], *(_postcode(rng) for _ in range(1_000))],
            "practices": [*practices, *(f"Q{k:05d}" for k in range(40))]}


def reference_paths() -> dict[str, Path]:
    """The reference files, by ``dids validate`` option."""
    return {name: DATA / f"reference-{name}.csv" for name in NATIONAL}


_NICIP = ("XCHES", "XWRIL", "XWRIR", "XWRIB", "NC13U", "UO1T")
_SNOMED = ("71651007", "60027007", "22298006", "334531000000104")


MAIN = {"v1": File(1), "v2": File(2)}
VARIANTS = {"quoted": File(2, "quoted", quote_all=True),
            "october": File(2, "october", date(2026, 10, 1)),
            "invalid1": File(2, "invalid1", invalid_rate=0.01),
            "distinct": File(2, "distinct", distinct=True)}
#: The files users bring: findings on 4 % of the rows, a third of them, or every row; values
#: mostly distinct; national-size reference data.
FINDINGS = {"realistic_v1": File(1, "realistic", invalid_rate=0.04, distinct=True,
                                 format="json"),
            "realistic_v2": File(2, "realistic", invalid_rate=0.04, distinct=True,
                                 format="json"),
            "third": File(2, "third", invalid_rate=0.33, distinct=True, format="json"),
            "systematic": File(1, "systematic", distinct=True, late_days=730, format="json"),
            "systematic_jsonl": File(1, "systematic", distinct=True, late_days=730,
                                     format="jsonl"),
            "systematic_text": File(1, "systematic", distinct=True, late_days=730,
                                    format="text"),
            "reference": File(2, "reference", invalid_rate=0.04, distinct=True,
                              reference=True, format="json"),
            "reference_store": File(2, "reference", invalid_rate=0.04, distinct=True,
                                    reference=True, store=True, format="json")}


def child(task: str, path: Path, rows: int, file: File | None = None) -> dict[str, float]:
    """Run one task in a fresh interpreter; its time and peak RSS."""
    period = file.period.isoformat() if file and file.period else ""
    invalid = "invalid" if file and file.invalid else "clean"
    spec: dict[str, object] = {}
    if file is not None:
        spec = {"format": file.format, "late_days": file.late_days}
        if file.store:
            spec["reference"] = {"reference": str(store_path())}
        elif file.reference:
            spec["reference"] = {option: str(path) for option, path in zip(
                ("ods", "postcodes", "nicip", "snomed"), reference_paths().values(), strict=True)}
    if task.startswith("reference_"):
        spec = {"published": PUBLISHED}
    done = subprocess.run([sys.executable, "-c", CHILD, task, str(path), str(rows), period,
                           invalid, json.dumps(spec)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{task} on {path.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def store_path() -> Path:
    """The store built from every published-layout file (built when not already there)."""
    path = DATA / "reference.sqlite"
    if not path.exists():
        published = write_published(reference_paths(), DATA / "published", 0)
        from dids.refdata import build_store

        build_store(path, ods=[published["ods"]], postcodes=[published["postcodes"]],
                    snomed=[published["snomed"]], nicip=[published["nicip"]])
    return path


def build_tasks(seed: int) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """The store build from national-size ONSPD and ODS files (the issue's target), and its
    floor: a csv.reader over the same files, unzipped as they are read."""
    reference_pools(seed)
    published = write_published(reference_paths(), DATA / "published", 0)
    PUBLISHED[:] = [str(published["ods"]), str(published["postcodes"])]
    return ([("reference_floor", "reference_floor", ""),
             ("reference_build", "reference_build", "")], {"reference_build": "reference_floor"})


#: The published files the build task reads (set by :func:`build_tasks`).
PUBLISHED: list[str] = []


def startup(args: list[str], repeat: int = 5) -> float:
    """Median process time (user and system) of a command, in milliseconds, after a first run
    that writes its bytecode (which an installed package has: ``PYTHONDONTWRITEBYTECODE`` is
    not passed on)."""
    env = {name: value for name, value in os.environ.items()
           if name != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for _ in range(repeat + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(args, capture_output=True, check=True, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(times[1:])


def small_file(seed: int) -> Path:
    """A v2 file of 5 valid rows (written when not already there)."""
    path = DATA / f"5-{seed}-v2.csv"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(V2.headers)
            writer.writerows(row.fields for row in generate_rows(5, seed=seed, version=2))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--variants", action="store_true",
                        help="also validate the quoted, October, 1%%-invalid and distinct v2 "
                        "files, and the files with findings and reference data")
    parser.add_argument("--only-findings", action="store_true",
                        help="run only the files with findings and reference data")
    parser.add_argument("--store", action="store_true",
                        help="also build the reference store from national-size files in the "
                        "published layouts (ONSPD and ODS), against a csv.reader over them")
    parser.add_argument("--only", metavar="NAME,...", help="with --only-findings: run only "
                        f"these of {', '.join(FINDINGS)}")
    args = parser.parse_args()
    findings = {name: file for name, file in FINDINGS.items()
                if not args.only or name in args.only.split(",")}
    files = {**MAIN, **(VARIANTS if args.variants else {}),
             **(findings if args.variants or args.only_findings else {})}
    paths = {name: file.path(args.rows, args.seed) for name, file in files.items()}
    tasks = [
        ("csv_floor_v1", "csv_floor", "v1"),
        ("validate_v1", "validate", "v1"),
        ("csv_floor_v2", "csv_floor", "v2"),
        ("columns_v2", "columns", "v2"),
        ("validate_v2", "validate", "v2"),
        ("cli_validate_v2", "cli", "v2"),
        ("csv_writer", "csv_writer", "v2"),
        ("dids_writer", "dids_writer", "v2"),
        ("dids_unchecked", "dids_unchecked", "v2"),
    ]
    baseline = {"validate_v1": "csv_floor_v1", "validate_v2": "csv_floor_v2",
                "columns_v2": "csv_floor_v2", "cli_validate_v2": "csv_floor_v2",
                "dids_writer": "csv_writer", "dids_unchecked": "csv_writer"}
    if args.only_findings:
        tasks, imports_too = [], False
    else:
        imports_too = True
    for name in VARIANTS if args.variants else ():
        tasks += [(f"csv_floor_{name}", "csv_floor", name), (f"validate_{name}", "validate", name)]
        baseline[f"validate_{name}"] = f"csv_floor_{name}"
    floors: dict[Path, str] = {}
    for name in findings if args.variants or args.only_findings else ():
        path = paths[name]
        if path not in floors:  # one floor a file
            floors[path] = f"csv_floor_{name}"
            tasks.append((floors[path], "csv_floor", name))
        tasks.append((f"cli_{name}", "cli", name))
        baseline[f"cli_{name}"] = floors[path]
    if args.store:
        more, more_baseline = build_tasks(args.seed)
        tasks += more
        baseline.update(more_baseline)
        paths[""] = DATA / "reference-build.sqlite"
        files[""] = File(2)
    results: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in tasks}
    small = small_file(args.seed)
    validate_small = [sys.executable, "-m", "dids", "validate", str(small), "--version", "2",
                      "--submitted", submission_date_for(2).isoformat()]
    imports: dict[str, list[float]] = {"bare": [], "import dids": [], "dids --help": [],
                                       "validate 5 rows": []}
    for _ in range(args.rounds):
        for name, task, file in tasks:
            results[name].append(child(task, paths[file], args.rows, files[file]))
        if imports_too:
            imports["bare"].append(startup([sys.executable, "-c", "pass"]))
            imports["import dids"].append(startup([sys.executable, "-c", "import dids"]))
            imports["dids --help"].append(startup([sys.executable, "-m", "dids", "--help"]))
            imports["validate 5 rows"].append(startup(validate_small))
    median = {name: statistics.median(r["seconds"] for r in runs)
              for name, runs in results.items()}
    peak = {name: max(r["rss_mb"] for r in runs) for name, runs in results.items()}
    print(f"{args.rows:,} rows, {args.rounds} interleaved rounds, medians")
    print(f"{'task':<24} {'seconds':>9} {'ratio':>7} {'peak RSS MB':>12}")
    for name in median:
        ratio = median[name] / median[baseline[name]] if name in baseline else 1.0
        print(f"{name:<24} {median[name]:>9.3f} {ratio:>6.2f}x {peak[name]:>12.1f}")
        if "store_mb" in results[name][-1]:
            print(f"  store on disk: {results[name][-1]['store_mb']:.0f} MB")
        loads = [r["load_seconds"] for r in results[name] if r.get("load_seconds")]
        if loads:
            held = max(r["reference_rss_mb"] for r in results[name])
            print(f"  reference data loaded in {statistics.median(loads):.1f} s (not in the "
                  f"ratio), RSS {held:.0f} MB once loaded: validation added "
                  f"{peak[name] - held:.0f} MB")
    if not imports_too:
        return
    bare = statistics.median(imports["bare"])
    for name in ("import dids", "dids --help", "validate 5 rows"):
        total = statistics.median(imports[name])
        print(f"{name:<18} {total:>7.0f} ms ({total - bare:.0f} ms above a bare interpreter)")


if __name__ == "__main__":
    main()
