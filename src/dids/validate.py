"""Validation of submissions: files, readers, rows and records; the findings as they are made.

The top of the library's layout: it feeds the readers' rows (:mod:`dids.io`) to the engine
(:class:`Validator`, :mod:`dids._validator`), whose findings (:mod:`dids.findings`) go to the
report and to any sinks. Validation collects every finding of every row; it never stops at the
first.

>>> from datetime import date
>>> from dids.validate import validate_rows
>>> row = ("9990000018,01,,,,,,03,C1234567,RA7,2024-03-04,2024-03-04,2024-03-05,,"
...        "71651007,,RA701,ACC0001235").split(",")
>>> report = validate_rows([row], version=1, submitted=date(2024, 4, 2))
>>> report.records, report.records_rejected, dict(report.counts)
(1, 0, {})
>>> bad = list(row)
>>> bad[0] = "9990000019"
>>> [issue.code for issue in validate_rows([bad], version=1, submitted=date(2024, 4, 2)).issues]
['DIDS001']
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from dids._record_base import RecordBase, layout_blocks, to_columns
from dids._rows import SubmissionReader
from dids._validator import (
    SUBMISSION_RULES,
    RowBatch,
    Validator,
    feed,
    feed_reader,
    reader_options,
    validate_reader,
)
from dids.findings import Findings, Issue, Report, issue_for
from dids.io import open_reader

__all__ = [
    "SUBMISSION_RULES",
    "FindingStream",
    "Issue",
    "Report",
    "RowBatch",
    "Validator",
    "feed_reader",
    "issue_for",
    "iter_findings",
    "validate_file",
    "validate_reader",
    "validate_record",
    "validate_records",
    "validate_rows",
]


class _Collected:
    """A sink that holds the batches of findings until they are taken."""

    def __init__(self) -> None:
        self.batches: list[Findings] = []

    def write(self, findings: Findings) -> None:
        self.batches.append(findings)

    def close(self, report: Report) -> None:
        """Nothing to do: the report is the stream's."""

    def take(self) -> Iterator[Issue]:
        batches, self.batches = self.batches, []
        for batch in batches:
            yield from batch


class FindingStream(Iterator[Issue]):
    """The findings of one submission, made as it is read (:func:`iter_findings`): rows' in
    row order, then DIDS071's duplicates and the file-level ones. Memory stays flat however
    many there are. :attr:`report` is the final :class:`Report` once the stream is done."""

    def __init__(self, validator: Validator, reader: SubmissionReader,
                 extra: Sequence[Issue] = ()) -> None:
        self._collected = _Collected()
        validator.add_sink(self._collected)
        self._issues = self._run(validator, reader, extra)
        self.report: Report | None = None

    def _run(self, validator: Validator, reader: SubmissionReader,
             extra: Sequence[Issue]) -> Iterator[Issue]:
        try:
            for _ in feed(validator, reader):
                yield from self._collected.take()
            for issue in extra:
                validator.add_issue(issue)
            self.report = validator.finish()
            yield from self._collected.take()
        finally:
            close = getattr(reader, "close", None)
            if close is not None:
                close()

    def __next__(self) -> Issue:
        return next(self._issues)


def iter_findings(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    version: int | str = "auto",
    format: Any = "auto",
    **options: Any,
) -> FindingStream:
    """Validate a submission file (CSV, JSON, JSON Lines or XML, by :func:`dids.io.open_reader`)
    and iterate over its findings as they are made; ``options`` as for :class:`Validator`
    (``limit_per_rule`` bounds only what the final report keeps: the stream gives every
    finding).

    >>> from datetime import date
    >>> from dids import examples
    >>> stream = iter_findings(examples.path("v1_invalid.csv"), submitted=date(2024, 4, 2))
    >>> [(issue.row, issue.code) for issue in stream][:2]
    [(1, 'DIDS001'), (2, 'DIDS005')]
    >>> stream.report.records_rejected
    8
    """
    reader = open_reader(source, format=format, version=version)
    validator = Validator(reader.version, **reader_options(reader, options))
    return FindingStream(validator, reader)


def validate_rows(
    rows: Iterable[Sequence[str]], *, version: int, **options: Any
) -> Report:
    """Validate raw rows (strings in catalogue order) of layout ``version``.

    ``options`` are those of :class:`Validator`: ``submitted``, ``metadata``, ``reference``,
    ``include_values``, ``limit_per_rule``, ``reject_palindromes``, ``reject_sentinels``,
    ``skip_rules``.
    """
    validator = Validator(version, **options)
    width = len(validator.layout)
    batch = RowBatch(validator)
    for number, row in enumerate(rows, 1):
        if len(row) != width:
            code = "DIDS075" if version == 1 else "X-CSV-04"
            validator.add_unreadable_row([issue_for(code, version, row=number)])
            continue
        batch.add(number, row)
    batch.flush()
    return validator.finish()


def validate_records(records: Iterable[RecordBase], **options: Any) -> Report:
    """Validate typed records (all of one layout), e.g. before writing a submission.

    Records are formatted and screened 4,096 at a time (:func:`dids._record_base.to_columns`,
    :meth:`Validator.check_columns`); mixing layouts raises ``ValueError``.
    """
    validator: Validator | None = None
    memos: list[dict[Any, str]] = []
    number = 1
    for block in layout_blocks(records):
        if validator is None:
            validator = Validator(block[0].LAYOUT.version, **options)
            memos = [{} for _ in block[0].LAYOUT.items]
        distinct: dict[int, set[str]] = {}
        columns = to_columns(block, memos=memos, distinct=distinct)
        validator.check_columns(columns, number, distinct=distinct)
        number += len(block)
    if validator is None:
        return validate_rows([], version=options.pop("version", 2), **options)
    return validator.finish()


def validate_record(record: RecordBase | Sequence[str], *, version: int | None = None,
                    **options: Any) -> list[Issue]:
    """Issues of one record (typed, or a raw row of layout ``version``); no file rules."""
    if isinstance(record, RecordBase):
        version, row = record.LAYOUT.version, record.to_row()
    elif version is None:
        raise ValueError("Give the layout version of a raw row.")
    else:
        row = list(record)
    validator = Validator(version, **options)
    if len(row) != len(validator.layout):
        code = "DIDS075" if version == 1 else "X-CSV-04"
        return [issue_for(code, version, row=1)]
    return validator.check_row(row, 1)


def validate_file(
    source: str | Any | IO[bytes] | IO[str],
    *,
    version: int | str = "auto",
    **options: Any,
) -> Report:
    """Validate a CSV submission file (a path or an open file), v1 or v2.

    ``version`` is ``1``, ``2`` or ``"auto"`` (v1 when the first line has 18 fields and is not
    a header of item names). Structural faults are located issues, never exceptions.
    """
    from dids.io.csv import read_rows

    return validate_reader(read_rows(source, version=version), **options)
