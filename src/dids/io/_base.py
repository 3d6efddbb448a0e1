"""What every submission reader shares: raw rows, validation and typed reading."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import attrs

from dids.metadata import SubmissionMetadata
from dids.records import RecordV1, RecordV2, RowError
from dids.validate import Issue, Report, Validator


@attrs.frozen
class RawRow:
    """One data row: its number, fields in catalogue order (``None`` if unreadable), issues."""

    row: int
    fields: list[str] | None
    issues: tuple[Issue, ...] = ()


@attrs.frozen
class ReadResult:
    """One data row read as a typed record, or the issues that stopped it being one."""

    row: int
    record: RecordV1 | RecordV2 | None
    issues: tuple[Issue, ...] = ()


class SubmissionReader(Protocol):
    """A reader of one submission file in any format."""

    version: int
    name: str | None
    columns: list[int | None]
    file_issues: list[Issue]
    metadata: SubmissionMetadata | None

    def __iter__(self) -> Iterator[RawRow]:
        """The data rows, in file order."""


def feed_row(validator: Validator, raw: RawRow, columns: Sequence[int | None]) -> list[Issue]:
    """Check one :class:`RawRow` with ``validator``; return all its issues."""
    if raw.fields is None:
        validator.add_unreadable_row(raw.issues)
        return list(raw.issues)
    return validator.check_row(raw.fields, raw.row, columns, read_issues=raw.issues)


def validate_reader(reader: SubmissionReader, **options: Any) -> Report:
    """Validate every row of ``reader``; ``options`` as for :class:`dids.validate.Validator`.

    Metadata found in the file (JSON) is used unless ``metadata`` is given.
    """
    options.setdefault("source", reader.name)
    if options.get("metadata") is None:
        options["metadata"] = reader.metadata
    validator = Validator(reader.version, **options)
    for raw in reader:
        feed_row(validator, raw, reader.columns)
    for issue in reader.file_issues:
        validator.add_issue(issue)
    return validator.finish()


def read_typed(reader: SubmissionReader) -> Iterator[ReadResult]:
    """Typed records from ``reader``; a row that cannot be one comes with its issues.

    Only structure and format faults stop a row (rules about values are for validation).
    """
    record_class = RecordV1 if reader.version == 1 else RecordV2
    for raw in reader:
        if raw.fields is None or raw.issues:
            yield ReadResult(raw.row, None, raw.issues)
            continue
        try:
            yield ReadResult(raw.row, record_class.from_row(raw.fields))
        except RowError:
            validator = Validator(reader.version)
            issues = validator.check_row(raw.fields, raw.row, reader.columns)
            yield ReadResult(raw.row, None, tuple(issues))
