"""What readers give validation: data rows one by one (:class:`RawRow`) or as blocks of columns
(:class:`ColumnBlock`), from any reader of a submission (:class:`SubmissionReader`).

Below both the readers (:mod:`dids.io`) and the validation engine, which share these types.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import attrs

from dids.findings import Issue
from dids.metadata import SubmissionMetadata

__all__ = ["ColumnBlock", "RawRow", "SubmissionReader"]


@attrs.frozen
class RawRow:
    """One data row: its number, fields in catalogue order (``None`` if unreadable), issues."""

    row: int
    fields: list[str] | None
    issues: tuple[Issue, ...] = ()


@attrs.frozen
class ColumnBlock:
    """Data rows that split cleanly, as columns in catalogue order, with their row numbers.

    ``numbers`` holds each row's number (ascending); every column has as many values.
    """

    numbers: Sequence[int]
    columns: list[list[str]]

    def rows(self) -> Iterator[RawRow]:
        """The block's rows one by one."""
        for number, fields in zip(self.numbers, zip(*self.columns, strict=True), strict=True):
            yield RawRow(number, list(fields))



class SubmissionReader(Protocol):
    """A reader of one submission file in any format."""

    version: int
    name: str | None
    columns: list[int | None]
    file_issues: list[Issue]
    metadata: SubmissionMetadata | None

    def __iter__(self) -> Iterator[RawRow]:
        """The data rows, in file order."""
