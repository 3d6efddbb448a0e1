"""What every submission reader shares: raw rows, validation and typed reading."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import compress, repeat
from typing import TYPE_CHECKING, Any, Literal, cast

import attrs

from dids._record_base import BLOCK_SIZE, RefusedStart, RowError, layout_blocks, to_columns
from dids._rows import ColumnBlock, RawRow, SubmissionReader
from dids._validator import SUBMISSION_RULES, Validator
from dids.exceptions import ValidationError
from dids.findings import Issue
from dids.rules import Disposition

if TYPE_CHECKING:
    from dids.records import RecordV1, RecordV2

OnInvalid = Literal["raise", "skip", "write"]


class UnsafeValue(ValueError):
    """A value would be run as a formula by a spreadsheet (leading ``= + - @``, tab or CR)."""


#: What a value a spreadsheet would run as a formula starts with.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _unsafe_value(columns: list[list[str]], items: Sequence[Any], written: int) -> UnsafeValue:
    """The :class:`UnsafeValue` of the first record of a block holding a formula-like value."""
    row, name = min(
        (next(k for k, text in enumerate(column) if text.startswith(FORMULA_START)),
         item.python_name)
        for item, column in zip(items, columns, strict=True)
        if any(map(str.startswith, column, repeat(FORMULA_START)))
    )
    return UnsafeValue(f"Item {name} of record {written + row + 1} starts with a character a "
                       "spreadsheet would run as a formula.")


class InvalidRecord(ValidationError):
    """A record that would be rejected was given to a writer; ``row`` and ``codes`` say why.

    The message names the record's position and the rule codes, never its values.
    """

    def __init__(self, row: int, codes: Sequence[str]) -> None:
        super().__init__(f"Record {row} would be rejected: {', '.join(codes)}.")
        self.row = row
        self.codes = tuple(codes)


def checked(
    records: Iterable[RecordV1 | RecordV2],
    *,
    on_invalid: OnInvalid = "raise",
    submitted: date | datetime | None = None,
    issues: list[Issue] | None = None,
) -> Iterator[RecordV1 | RecordV2]:
    """The records a writer may write, checked with the row rules and DIDS071.

    ``on_invalid``: ``"raise"`` stops with :class:`InvalidRecord` at the first record that would
    be rejected; ``"skip"`` leaves such records out and adds their issues to ``issues``;
    ``"write"`` writes everything unchecked. Warnings never stop a record. The rules about the
    submission date (:data:`dids.validate.SUBMISSION_RULES`) are checked only when
    ``submitted`` is given. Every layout must be the same; mixing raises ``ValueError``.
    """
    for block, _, _ in checked_blocks(records, on_invalid=on_invalid, submitted=submitted,
                                      issues=issues):
        yield from block


def checked_blocks(
    records: Iterable[RecordV1 | RecordV2],
    *,
    on_invalid: OnInvalid = "raise",
    submitted: date | datetime | None = None,
    issues: list[Issue] | None = None,
    refuse_formulas: bool = False,
) -> Iterator[tuple[list[RecordV1 | RecordV2], list[list[str]], bool]]:
    """:func:`checked` a block at a time: the records kept, with their raw strings as columns
    (catalogue order) and whether ``csv.writer`` would quote one of them. Blocks are screened
    column by column (:meth:`dids.validate.Validator.check_columns`). With ``refuse_formulas``,
    a block with a value a spreadsheet would run as a formula raises :class:`UnsafeValue`
    before any check."""
    validator: Validator | None = None
    keys: set[int] = set()
    number = 0
    memos: list[dict[Any, str]] = []  # formatted values of each column (to_columns)
    for block in layout_blocks(records):
        if validator is None:
            memos = [{} for _ in block[0].LAYOUT.items]
            skip = SUBMISSION_RULES if submitted is None else frozenset()
            validator = Validator(block[0].LAYOUT.version, submitted=submitted, skip_rules=skip)
        quoted: set[str] = set()
        distinct: dict[int, set[str]] = {}
        try:
            columns = to_columns(block, refuse=FORMULA_START if refuse_formulas else (),
                                 memos=memos, quoted=quoted, distinct=distinct)
        except RefusedStart:
            raise _unsafe_value(to_columns(block), block[0].LAYOUT.items, number) from None
        needs_quotes = bool(quoted)
        if on_invalid == "write":
            yield block, columns, needs_quotes
            number += len(block)
            continue
        found: dict[int, list[Issue]] = {}
        block_keys: list[int | None] = []
        for issue in validator.check_columns(columns, number + 1, keys=block_keys,
                                             distinct=distinct):
            if issue.disposition is Disposition.RECORD_REJECT and issue.row is not None:
                found.setdefault(issue.row - number - 1, []).append(issue)
        if not found and None not in block_keys and keys.isdisjoint(block_keys):
            before = len(keys)  # the usual block: every record kept
            keys.update(cast(list[int], block_keys))
            if len(keys) == before + len(block_keys):
                number += len(block)
                yield block, columns, needs_quotes
                continue
            keys.difference_update(block_keys)  # a key repeated within the block
        kept: list[int] = []
        for k, key in enumerate(block_keys):
            rejected = found.get(k, [])
            if key is not None and key in keys:
                rejected.append(validator.duplicate_issue(number + k + 1))
            if not rejected:
                if key is not None:
                    keys.add(key)
                kept.append(k)
                continue
            if on_invalid == "raise":
                if kept:
                    yield *_take(block, columns, kept), needs_quotes
                raise InvalidRecord(number + k + 1, [issue.code for issue in rejected])
            if issues is not None:
                issues.extend(rejected)
        number += len(block)
        if len(kept) == len(block):
            yield block, columns, needs_quotes
        elif kept:
            yield *_take(block, columns, kept), needs_quotes


def _take(block: list[RecordV1 | RecordV2], columns: list[list[str]], kept: list[int]
          ) -> tuple[list[RecordV1 | RecordV2], list[list[str]]]:
    pick = operator.itemgetter(*kept) if len(kept) > 1 else lambda seq: (seq[kept[0]],)
    return list(pick(block)), [list(pick(column)) for column in columns]


@attrs.frozen
class ReadResult:
    """One data row read as a typed record, or the issues that stopped it being one."""

    row: int
    record: RecordV1 | RecordV2 | None
    issues: tuple[Issue, ...] = ()


def _gathered(rows: Iterable[RawRow], width: int, size: int = BLOCK_SIZE
              ) -> Iterator[RawRow | ColumnBlock]:
    """``rows`` in order, the readable ones (``width`` fields, no issue) gathered into blocks
    of up to ``size``."""
    def block(kept: list[RawRow]) -> ColumnBlock:
        fields = (cast(list[str], row.fields) for row in kept)
        return ColumnBlock([row.row for row in kept],
                           [list(column) for column in zip(*fields, strict=True)])

    kept: list[RawRow] = []
    for raw in rows:
        readable = raw.fields is not None and not raw.issues and len(raw.fields) == width
        if readable:
            kept.append(raw)
        if kept and (not readable or len(kept) == size):
            yield block(kept)
            kept = []
        if not readable:
            yield raw
    if kept:
        yield block(kept)


def read_typed(reader: SubmissionReader) -> Iterator[ReadResult]:
    """Typed records from ``reader``; a row that cannot be one comes with its issues.

    Only structure and format faults stop a row (rules about values are for validation). Rows
    are parsed a block of columns at a time (:meth:`dids.records.RecordV2.from_columns`): a
    CSV reader's blocks, and the readable rows of other readers gathered in order.
    """
    from dids.records import RecordV1, RecordV2  # not imported to validate

    record_class: type[RecordV1 | RecordV2] = RecordV1 if reader.version == 1 else RecordV2
    memos: list[dict[str, Any]] = [{} for _ in record_class.LAYOUT.items]
    checker: list[Validator] = []  # made for the first row that cannot be a record

    def unreadable(fields: Sequence[str], row: int) -> ReadResult:
        if not checker:
            checker.append(Validator(reader.version))
        return ReadResult(row, None, tuple(checker[0].check_row(fields, row, reader.columns)))

    blocks = getattr(reader, "blocks", None)
    width = len(record_class.LAYOUT)
    for item in _gathered(reader, width) if blocks is None else blocks(in_order=True):
        if isinstance(item, ColumnBlock):
            found = record_class.from_columns(item.columns, memos)
            results = list(map(ReadResult, item.numbers, found))
            for k in compress(range(len(found)), map(operator.is_, found, repeat(None))):
                results[k] = unreadable([column[k] for column in item.columns], item.numbers[k])
            yield from results
        elif item.fields is None or item.issues:
            yield ReadResult(item.row, None, item.issues)
        else:
            try:
                record = record_class.from_row(item.fields)
            except RowError:
                yield unreadable(item.fields, item.row)
                continue
            yield ReadResult(item.row, record)
