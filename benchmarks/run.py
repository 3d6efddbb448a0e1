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
* ``csv_writer``: a bare ``csv.writer`` writing the records' strings (baseline);
* ``dids_writer``: ``dids.io.csv.write_csv`` writing the same records, each checked first;
* ``dids_unchecked``: the same with ``on_invalid="write"`` (no checks);
* ``import``: ``import dids`` and ``dids --help``, in milliseconds above a bare interpreter.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

CHILD = r"""
import csv, json, resource, sys, time
task, path, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])

def report(seconds):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rss_mb": rss}))

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
    from dids.generate import submission_date_for, metadata_for
    from dids.io import open_reader, validate_reader
    version = 1 if path.endswith("v1.csv") else 2
    metadata = metadata_for(version, rows) if version == 2 else None
    start = time.perf_counter()
    result = validate_reader(open_reader(path), submitted=submission_date_for(version),
                             metadata=metadata)
    seconds = time.perf_counter() - start
    assert result.records == rows and not result.counts, dict(result.counts)
    report(seconds)
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


def generate(rows: int, seed: int) -> dict[int, Path]:
    """Seeded v1 and v2 files of ``rows`` records (reused when already there)."""
    from dids.catalogue import V2
    from dids.generate import generate_rows

    DATA.mkdir(exist_ok=True)
    paths = {}
    for version in (1, 2):
        path = DATA / f"{rows}-{seed}-v{version}.csv"
        if not path.exists():
            import csv

            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\r\n")
                if version == 2:
                    writer.writerow(V2.headers)
                writer.writerows(r.fields for r in generate_rows(rows, seed=seed,
                                                                 version=version))
        paths[version] = path
    return paths


def child(task: str, path: Path, rows: int) -> dict[str, float]:
    """Run one task in a fresh interpreter; its time and peak RSS."""
    done = subprocess.run([sys.executable, "-c", CHILD, task, str(path), str(rows)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def startup(args: list[str], repeat: int = 5) -> float:
    """Median wall time of a command, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    paths = generate(args.rows, args.seed)
    tasks = [
        ("csv_floor_v1", "csv_floor", paths[1]),
        ("validate_v1", "validate", paths[1]),
        ("csv_floor_v2", "csv_floor", paths[2]),
        ("columns_v2", "columns", paths[2]),
        ("validate_v2", "validate", paths[2]),
        ("csv_writer", "csv_writer", paths[2]),
        ("dids_writer", "dids_writer", paths[2]),
        ("dids_unchecked", "dids_unchecked", paths[2]),
    ]
    results: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in tasks}
    imports: dict[str, list[float]] = {"bare": [], "import dids": [], "dids --help": []}
    for _ in range(args.rounds):
        for name, task, path in tasks:
            results[name].append(child(task, path, args.rows))
        imports["bare"].append(startup([sys.executable, "-c", "pass"]))
        imports["import dids"].append(startup([sys.executable, "-c", "import dids"]))
        imports["dids --help"].append(startup([sys.executable, "-m", "dids", "--help"]))
    median = {name: statistics.median(r["seconds"] for r in runs)
              for name, runs in results.items()}
    peak = {name: max(r["rss_mb"] for r in runs) for name, runs in results.items()}
    baseline = {"validate_v1": "csv_floor_v1", "validate_v2": "csv_floor_v2",
                "columns_v2": "csv_floor_v2",
                "dids_writer": "csv_writer", "dids_unchecked": "csv_writer"}
    print(f"{args.rows:,} rows, {args.rounds} interleaved rounds, medians")
    print(f"{'task':<14} {'seconds':>9} {'ratio':>7} {'peak RSS MB':>12}")
    for name in median:
        ratio = median[name] / median[baseline[name]] if name in baseline else 1.0
        print(f"{name:<14} {median[name]:>9.3f} {ratio:>6.2f}x {peak[name]:>12.1f}")
    bare = statistics.median(imports["bare"])
    for name in ("import dids", "dids --help"):
        total = statistics.median(imports[name])
        print(f"{name:<14} {total:>7.0f} ms ({total - bare:.0f} ms above a bare interpreter)")


if __name__ == "__main__":
    main()
