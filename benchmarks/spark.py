"""dids.spark in local mode against floors measured in the same run (needs ``dids[spark]``
and Java).

One command::

    python benchmarks/spark.py --rows 1000000 --rounds 3

reads a generated v2 file (the same seeded file as ``run.py``'s) with
:func:`dids.spark.read_submission`, spreads it over ``2 x cores`` partitions and caches it
(the read is timed once, apart), then times in interleaved rounds:

* ``count``: a plain ``count()`` of the cached DataFrame;
* ``floor``: every column of every partition handed to Python through ``mapInArrow``
  (``to_pylist``), checking nothing;
* ``findings``: :func:`dids.spark.findings`, every finding written to Spark's ``noop`` sink.

It prints the median of each and the ratio of ``findings`` to the floor.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from run import File

from dids import spark as dids_spark
from dids.generate import submission_date_for


def _floor(batches: Iterable[Any]) -> Iterator[Any]:
    import pyarrow as pa

    for batch in batches:
        for column in batch.columns:
            column.to_pylist()
        yield pa.RecordBatch.from_pydict({"n": [batch.num_rows]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--invalid-rate", type=float, default=0.04)
    args = parser.parse_args()
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    cores = os.cpu_count() or 2
    spark = (SparkSession.builder.master(f"local[{cores}]").appName("dids-benchmark")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", "4g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    file = File(2, "realistic", invalid_rate=args.invalid_rate, distinct=True)
    path = file.path(args.rows, args.seed)
    start = time.perf_counter()
    df = dids_spark.read_submission(spark, str(path)).repartition(2 * cores).cache()
    assert df.count() == args.rows + 1  # the records and the file's own row
    read = time.perf_counter() - start
    submitted = submission_date_for(2)
    jobs: dict[str, Callable[[], object]] = {
        "count": lambda: df.count(),
        "floor": lambda: df.mapInArrow(_floor, "n long").write.format("noop")
        .mode("overwrite").save(),
        "findings": lambda: dids_spark.findings(df, submitted=submitted, period=None)
        .write.format("noop").mode("overwrite").save(),
    }
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(args.rounds):
        for name, job in jobs.items():
            start = time.perf_counter()
            job()
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(runs) for name, runs in times.items()}
    print(f"{args.rows:,} rows ({path.name}), local[{cores}], {args.rounds} interleaved rounds, "
          f"medians; read_submission + cache took {read:.1f} s")
    for name, seconds in medians.items():
        ratio = f"{seconds / medians['floor']:.2f}x the floor" if name == "findings" else ""
        print(f"{name:<10} {seconds:>8.2f} s  {ratio}")
    spark.stop()


if __name__ == "__main__":
    main()
