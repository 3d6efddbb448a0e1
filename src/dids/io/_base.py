"""What every submission reader shares: raw rows, validation and typed reading."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, Literal, Protocol

import attrs

from dids.exceptions import ValidationError
from dids.metadata import SubmissionMetadata
from dids.records import RecordV1, RecordV2, RowError
from dids.rules import Disposition
from dids.validate import SUBMISSION_RULES, Issue, Report, Validator

OnInvalid = Literal["raise", "skip", "write"]


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
    validator: Validator | None = None
    keys: set[int] = set()
    for number, record in enumerate(records, 1):
        version = record.LAYOUT.version
        if validator is None:
            skip = SUBMISSION_RULES if submitted is None else frozenset()
            validator = Validator(version, submitted=submitted, skip_rules=skip)
        elif version != validator.layout.version:
            raise ValueError("All records of a submission must have the same layout.")
        if on_invalid == "write":
            yield record
            continue
        row = record.to_row()
        found = [i for i in validator.check_row(row, number)
                 if i.disposition is Disposition.RECORD_REJECT]
        key = validator.duplicate_key(row)
        if key is not None and key in keys:
            found.append(validator.duplicate_issue(number))
        if found:
            if on_invalid == "raise":
                raise InvalidRecord(number, [issue.code for issue in found])
            if issues is not None:
                issues.extend(found)
            continue
        if key is not None:
            keys.add(key)
        yield record


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
