"""The same rules over Spark DataFrames (the ``dids[spark]`` extra): many submission files
checked by the library's own engine, partition by partition.

* :func:`read_submission` reads CSV submissions (v1 headerless, v2 with a header; a file, a
  folder or a glob) with the library's reader, one task a file, into a DataFrame of the items
  as strings, named by the catalogue's ``python_name``, with ``source`` (the file), ``row``
  (numbered as the CLI report numbers rows) and ``version``. Rows the reader could not split,
  and each file's own problems (a header, an unreadable file), are kept as rows too: a file
  that cannot be read at all becomes a file-level finding of that ``source``.
* :func:`findings` runs the field and row rules in each partition through the engine
  (:meth:`dids.validate.Validator.check_columns`, over Arrow batches with ``mapInArrow``), and
  the file rules as Spark operations grouped by ``source``: duplicate keys (DIDS071) across the
  whole file, an empty file (X-FIL-01), the v2 submission window (X-WIN-01).
* :func:`summary` counts findings per ``source`` and rule, with each file's verdict.

Findings are the same, for the same rows, as ``dids validate --format json`` gives for each
file. ``column`` is the item's place in the catalogue's order (the file's column when its
columns are in that order, as they are in every file the library writes); values are never
included unless asked. A file is read whole by one task (Spark's ``binaryFile`` source, at most
2 GB a file); a folder of a month's files spreads over the executors.

pyspark (and pyarrow) are imported only when a function here is called.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from dids.catalogue import LAYOUTS
from dids.findings import Issue, issue_for
from dids.metadata import SubmissionMetadata, submission_window
from dids.reference import ReferenceData
from dids.rules import RULES, Disposition
from dids.validate import Validator

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["FINDING_COLUMNS", "findings", "item_columns", "read_submission", "summary"]

#: The columns of :func:`findings`' DataFrame (``value`` too when asked).
FINDING_COLUMNS = ("source", "row", "code", "severity", "disposition", "item", "column")
#: Rows handed to the engine at a time.
_BLOCK = 1000


def item_columns() -> list[str]:
    """Every item's ``python_name`` of both layouts: v2's in its order, then v1's own."""
    names = list(LAYOUTS[2].names)
    names += [name for name in LAYOUTS[1].names if name not in names]
    return names


def _spark() -> Any:
    try:
        import pyspark.sql
    except ImportError:
        raise ImportError("dids.spark needs pyspark: pip install 'dids[spark]'") from None
    return pyspark.sql


# -- reading ------------------------------------------------------------------------------------


def _problems(issues: Iterable[Issue]) -> str | None:
    """Structural issues of a row or file, as JSON (``None`` when there are none)."""
    found = [[issue.code, issue.item, issue.column] for issue in issues]
    return json.dumps(found) if found else None


def _file_rows(source: str, content: bytes, version: int | str) -> Iterator[tuple[Any, ...]]:
    """The rows of one file: ``(source, row, version, problems, *items)``, then one row
    (``row`` null) with the file's own problems. A file the reader fails on is a file with
    no records (X-FIL-01)."""
    from dids.io import open_reader

    names = item_columns()
    blank: list[str | None] = [None] * len(names)
    try:
        reader = open_reader(io.BytesIO(content), format="csv", version=version)
        places = [names.index(name) for name in LAYOUTS[reader.version].names]
        for raw in reader:
            fields = list(blank)
            if raw.fields is not None:
                for place, value in zip(places, raw.fields, strict=True):
                    fields[place] = value
            yield (source, raw.row, reader.version, _problems(raw.issues), *fields)
        yield (source, None, reader.version, _problems(reader.file_issues), *blank)
    except Exception:  # one file's failure must not fail the others
        yield (source, None, None, None, *blank)


def read_submission(spark: SparkSession, path: str | os.PathLike[str], *,
                    version: int | str = "auto") -> DataFrame:
    """The submission files at ``path`` (a file, a folder or a glob), one row a record, with
    ``source``, ``row``, ``version``, ``problems`` (what the reader found wrong with the row,
    as JSON) and every item as a string (``None`` where the file's layout lacks it)."""
    sql = _spark()
    types = sql.types
    schema = types.StructType([
        types.StructField("source", types.StringType(), False),
        types.StructField("row", types.LongType(), True),
        types.StructField("version", types.IntegerType(), True),
        types.StructField("problems", types.StringType(), True),
        *(types.StructField(name, types.StringType(), True) for name in item_columns()),
    ])
    files = spark.read.format("binaryFile").load(os.fspath(path)).select("path", "content")
    wanted = version

    def rows(file: Any) -> Iterator[tuple[Any, ...]]:
        return _file_rows(file.path, bytes(file.content), wanted)

    return spark.createDataFrame(files.rdd.flatMap(rows), schema)


# -- findings -----------------------------------------------------------------------------------


def _reference_on_executor(reference: Any) -> ReferenceData | None:
    """The reference data a task checks with: a store opened where the task runs, or the
    providers Spark broadcast."""
    if reference is None:
        return None
    if isinstance(reference, (str, os.PathLike)):
        return ReferenceData.from_sqlite(reference)
    return reference.value  # type: ignore[no-any-return]


def _issues(problems: str, version: int, row: int | None) -> list[Issue]:
    return [issue_for(code, version, item=item, row=row, column=column)
            for code, item, column in json.loads(problems)]


class _PartitionChecker:
    """Checks the rows of one partition, a validator for each file and version met."""

    def __init__(self, submitted: date | datetime | None, metadata: SubmissionMetadata | None,
                 reference: Any, include_values: bool) -> None:
        self._options: dict[str, Any] = {"submitted": submitted, "include_values": include_values,
                         "reference": _reference_on_executor(reference), "limit_per_rule": 0}
        self._metadata = metadata
        self._validators: dict[tuple[str, int], Validator] = {}

    def validator(self, source: str, version: int) -> Validator:
        found = self._validators.get((source, version))
        if found is None:
            found = self._validators[source, version] = Validator(
                version, metadata=self._metadata if version == 2 else None, source=source,
                **self._options)
        return found

    def check(self, data: dict[str, list[Any]]) -> Iterator[tuple[str, Issue]]:
        """The findings of a batch's rows (and of its files' own problems), by source."""
        blocks: dict[tuple[str, int], list[int]] = {}
        sources, rows, versions, problems = (data["source"], data["row"], data["version"],
                                             data["problems"])
        for k, row in enumerate(rows):
            version = versions[k]
            if version is None:
                continue  # an unreadable file: no records (X-FIL-01, a file rule)
            if problems[k] is None:
                if row is not None:
                    blocks.setdefault((sources[k], version), []).append(k)
                continue
            issues = _issues(problems[k], version, row)
            first = LAYOUTS[version].names[0]
            if row is not None and data[first][k] is not None:  # read, with problems
                fields = [data[name][k] for name in LAYOUTS[version].names]
                issues = self.validator(sources[k], version).check_row(
                    fields, row, None, read_issues=issues)
            for issue in issues:
                yield sources[k], issue
        for (source, version), members in blocks.items():
            members.sort(key=rows.__getitem__)
            validator = self.validator(source, version)
            numbers = list(map(rows.__getitem__, members))
            if members == list(range(len(rows))):  # every row, in order: no copy
                ordered = [data[name] for name in LAYOUTS[version].names]
            else:
                ordered = [list(map(data[name].__getitem__, members))
                           for name in LAYOUTS[version].names]
            for start in range(0, len(members), _BLOCK):
                end = start + _BLOCK
                for issue in validator.check_columns([column[start:end] for column in ordered],
                                                     numbers[start:end]):
                    yield source, issue


def findings(df: DataFrame, *, version: int | str = "auto",
             submitted: date | datetime | None = None, period: date | str | None = None,
             reference: Any = None, include_values: bool = False) -> DataFrame:
    """One row a finding of the submissions of ``df``: ``source``, ``row``, ``code``,
    ``severity``, ``disposition``, ``item``, ``column`` (and ``value`` with
    ``include_values``).

    ``df`` is what :func:`read_submission` gives, each file checked as its own layout (its
    ``version`` column; ``version="auto"``), or any DataFrame with a ``row`` column and the
    items of one layout as columns named by ``python_name`` (from a table of records, say):
    give its ``version`` (1 or 2) then. Without a ``source`` column all its rows are one file
    (``source`` ""); an item column it lacks is blank.

    ``submitted`` is the submission date (default today), ``period`` the v2 reporting month
    (``YYYY-MM`` or its first day) for the submission window, ``reference`` a store built by
    ``dids reference build`` (a path each task opens; it must be readable where tasks run) or a
    :class:`~dids.reference.ReferenceData` (broadcast). Field and row rules run in each
    partition through the library's engine; the file rules over the whole DataFrame, by
    ``source``. Nothing but the DataFrame's plan is built on the driver.
    """
    sql = _spark()
    functions, types = sql.functions, sql.types
    spark = df.sparkSession
    df = _submission_columns(df, version, functions)
    metadata = _period_metadata(period)
    if submitted is None:
        submitted = metadata.created_at if metadata and metadata.created_at else date.today()
    shipped = reference
    if isinstance(reference, ReferenceData):
        shipped = spark.sparkContext.broadcast(reference)
    elif reference is not None:
        shipped = os.fspath(reference)
    fields = [
        types.StructField("source", types.StringType(), False),
        types.StructField("row", types.LongType(), True),
        types.StructField("code", types.StringType(), False),
        types.StructField("severity", types.StringType(), False),
        types.StructField("disposition", types.StringType(), False),
        types.StructField("item", types.StringType(), True),
        types.StructField("column", types.IntegerType(), True),
    ]
    if include_values:
        fields.append(types.StructField("value", types.StringType(), True))
    schema = types.StructType(fields)
    names = [field.name for field in fields]
    wanted = submitted

    def check(batches: Iterable[Any]) -> Iterator[Any]:
        import pyarrow as pa

        checker = _PartitionChecker(wanted, metadata, shipped, include_values)
        arrow_schema = pa.schema([
            (name, pa.int64() if name == "row" else pa.int32() if name == "column"
             else pa.string()) for name in names])
        for batch in batches:
            found: dict[str, list[Any]] = {name: [] for name in names}
            for source, issue in checker.check(batch.to_pydict()):
                found["source"].append(source)
                for name in names[1:]:
                    value = getattr(issue, name)
                    found[name].append(value.value if hasattr(value, "value") and
                                       name in ("severity", "disposition") else value)
            yield pa.RecordBatch.from_pydict(found, schema=arrow_schema)

    row_findings = df.mapInArrow(check, schema)
    return row_findings.unionByName(
        _file_findings(df, functions, submitted, metadata, include_values))


def _submission_columns(df: DataFrame, version: int | str, functions: Any) -> DataFrame:
    """``df`` with the columns :func:`findings` reads, in :func:`read_submission`'s order:
    ``source``, ``row``, ``version``, ``problems`` and every item as a string."""
    lit, col = functions.lit, functions.col
    present = set(df.columns)
    if "row" not in present:
        raise ValueError("findings() needs a 'row' column numbering each file's records")
    if version == "auto":
        if "version" not in present:
            raise ValueError("give version=1 or 2: the DataFrame has no 'version' column")
        layout_of = col("version")
    elif version in (1, 2, "1", "2"):
        layout_of = lit(int(version))
    else:
        raise ValueError("version must be 'auto', 1 or 2")
    names = item_columns()
    own = LAYOUTS[int(version)].names if version != "auto" else ()
    return df.select(
        (col("source") if "source" in present else lit("")).cast("string").alias("source"),
        col("row").cast("long").alias("row"),
        layout_of.cast("int").alias("version"),
        (col("problems") if "problems" in present else lit(None)).cast("string")
        .alias("problems"),
        *(_item(name, name in present, name in own, functions).alias(name)
          for name in names))


def _item(name: str, present: bool, blank: bool, functions: Any) -> Any:
    """An item's column as strings; with ``blank``, a null or missing value is blank."""
    found = functions.col(name).cast("string") if present else functions.lit(None).cast(
        "string")
    return functions.coalesce(found, functions.lit("")) if blank else found


def _period_metadata(period: date | str | None) -> SubmissionMetadata | None:
    if period is None:
        return None
    start = period if isinstance(period, date) else date.fromisoformat(f"{period.strip()}-01")
    return SubmissionMetadata.for_period(start.replace(day=1))


def _file_finding(functions: Any, code: str, version: int, include_values: bool,
                  item: str | None = None, column: int | None = None) -> list[Any]:
    """The columns of a finding of ``code`` (its ``source`` and ``row`` set apart)."""
    rule = RULES[code]
    columns = [functions.lit(rule.code).alias("code"),
               functions.lit(rule.severity.value).alias("severity"),
               functions.lit(rule.disposition.value).alias("disposition"),
               functions.lit(item).cast("string").alias("item"),
               functions.lit(column).cast("int").alias("column")]
    if include_values:
        columns.append(functions.lit(None).cast("string").alias("value"))
    return columns


def _file_findings(df: DataFrame, functions: Any, submitted: date | datetime,
                   metadata: SubmissionMetadata | None, include_values: bool) -> DataFrame:
    """DIDS071 (rows of a file sharing a key), X-FIL-01 (a file without records) and, with a
    period, X-WIN-01 (a v2 file submitted outside its window), over the whole DataFrame."""
    from pyspark.sql.window import Window

    col, lit = functions.col, functions.lit
    found = []
    for version in (1, 2):
        layout = LAYOUTS[version]
        accession, site = col("accession_number"), col("imaging_site")
        keyed = (col("version") == version) & col("row").isNotNull() & (accession != "") & (
            site != "")
        keys = [accession, site]
        if version == 2:
            snomed, nicip = col("snomed_code"), col("nicip_code")
            keyed &= (snomed != "") | (nicip != "")
            keys += [snomed, functions.when(snomed == "", nicip).otherwise(lit(""))]
        named = [f"k{n}" for n in range(len(keys))]
        rows = df.where(keyed).select("source", "row", *[k.alias(name) for k, name in
                                                          zip(keys, named, strict=True)])
        # Rows whose key's hash repeats (a window sorted by a number, not by four texts),
        # then, of those few, the rows whose key repeats.
        hashed = Window.partitionBy("source", functions.xxhash64(*named))
        exact = Window.partitionBy("source", *named)
        index = layout.index("accession_number")
        found.append(rows.withColumn("copies", functions.count(lit(1)).over(hashed))
                     .where(col("copies") > 1)
                     .withColumn("copies", functions.count(lit(1)).over(exact))
                     .where(col("copies") > 1)
                     .select("source", "row", *_file_finding(
                         functions, "DIDS071", version, include_values,
                         layout.names[index], index + 1)))
    per_file = df.groupBy("source").agg(
        functions.count("row").alias("records"),
        functions.max("version").alias("version"))
    found.append(per_file.where(col("records") == 0).select(
        "source", lit(None).cast("long").alias("row"),
        *_file_finding(functions, "X-FIL-01", 2, include_values)))
    if metadata is not None:
        day = submitted.date() if isinstance(submitted, datetime) else submitted
        opens, closes = submission_window(metadata.reporting_period_start)
        if not opens <= day <= closes:
            found.append(per_file.where(col("version") == 2).select(
                "source", lit(None).cast("long").alias("row"),
                *_file_finding(functions, "X-WIN-01", 2, include_values)))
    result = found[0]
    for more in found[1:]:
        result = result.unionByName(more)
    return result


def summary(findings_df: DataFrame) -> DataFrame:
    """Per ``source``: ``counts`` (rule code to findings), ``records_rejected`` (rows with a
    finding that rejects the record), ``file_rejected`` and ``accepted``, as the CLI report
    says them. Small: one row a file."""
    functions = _spark().functions
    col = functions.col
    counts = findings_df.groupBy("source", "code").count().groupBy("source").agg(
        functions.map_from_entries(functions.collect_list(
            functions.struct("code", "count"))).alias("counts"))
    verdicts = findings_df.groupBy("source").agg(
        functions.countDistinct(functions.when(
            col("disposition") == Disposition.RECORD_REJECT.value, col("row"))
        ).alias("records_rejected"),
        functions.max((col("disposition") == Disposition.FILE_REJECT.value).cast("int")
                      ).cast("boolean").alias("file_rejected"))
    return counts.join(verdicts, "source").withColumn(
        "accepted", ~col("file_rejected") & (col("records_rejected") == 0))
