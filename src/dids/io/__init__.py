"""Readers and writers of DIDS submission files: CSV (v1, v2), JSON, JSON Lines, XML (v1).

:func:`open_reader` picks the reader by the file's extension (``.csv``, ``.json``,
``.jsonl``/``.ndjson``, ``.xml``) or, failing that, by its first character. Every reader yields
:class:`RawRow` objects and offers ``validate()`` and ``records()``; the CSV reader also offers
``blocks()``, runs of rows as :class:`ColumnBlock` columns, which validation screens in bulk.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Literal

from dids._rows import ColumnBlock, RawRow, SubmissionReader
from dids.io._base import InvalidRecord, OnInvalid, ReadResult, checked, read_typed
from dids.metadata import SubmissionMetadata

if TYPE_CHECKING:
    from dids.records import RecordV1, RecordV2

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "ColumnBlock",
    "Format",
    "InvalidRecord",
    "OnInvalid",
    "RawRow",
    "ReadResult",
    "SubmissionReader",
    "checked",
    "detect_format",
    "open_reader",
    "read_typed",
    "write_records",
]

Format = Literal["csv", "json", "jsonl", "xml"]
FORMATS: tuple[Format, ...] = ("csv", "json", "jsonl", "xml")
EXTENSIONS: dict[str, Format] = {
    ".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xml": "xml"
}


def __getattr__(name: str) -> object:
    """``validate_reader``, which moved to :mod:`dids.validate` (deprecated here)."""
    if name == "validate_reader":
        import warnings

        from dids._validator import validate_reader

        warnings.warn("dids.io.validate_reader moved to dids.validate.validate_reader",
                      DeprecationWarning, stacklevel=2)
        return validate_reader
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def detect_format(path: str | os.PathLike[str]) -> Format:
    """The format of a file by its extension, else by its first non-blank character."""
    extension = os.path.splitext(os.fspath(path))[1].lower()
    if extension in EXTENSIONS:
        return EXTENSIONS[extension]
    with open(path, "rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "xml"
    if head.startswith(b"{"):
        return "json" if b"\n{" not in head and b'"records"' in head else "jsonl"
    return "csv"


def open_reader(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    format: Format | Literal["auto"] = "auto",
    version: int | str = "auto",
) -> SubmissionReader:
    """A reader for ``source``; a binary stream needs an explicit ``format`` unless CSV.

    Only the module of the format found is imported (the XML and JSON readers import much of
    the standard library, and ``cattrs``, which a CSV file does not need)."""
    if format == "auto":
        format = detect_format(source) if isinstance(source, (str, os.PathLike)) else "csv"
    if format == "csv":
        from dids.io.csv import CsvReader

        return CsvReader(source, version=version)
    if format == "xml":
        from dids.io.xml import XmlReader

        return XmlReader(source)
    from dids.io.json import JsonReader

    if isinstance(source, (str, os.PathLike)):
        return JsonReader(source, lines=format == "jsonl", version=version)
    import io

    text = io.TextIOWrapper(source, encoding="utf-8-sig", errors="replace")
    return JsonReader(text, lines=format == "jsonl", version=version)


def write_records(
    records: Iterable[RecordV1 | RecordV2],
    target: IO[str],
    *,
    format: Format,
    metadata: SubmissionMetadata | None = None,
    on_invalid: OnInvalid = "raise",
    submitted: date | datetime | None = None,
) -> int:
    """Write records in ``format`` to a text stream (opened with ``newline=""``); the count.

    Records are checked first, as :func:`checked` describes.
    """
    from dids.io.csv import write_csv
    from dids.io.json import Submission, write_json, write_jsonl
    from dids.io.xml import write_xml
    from dids.records import RecordV1

    records = checked(records, on_invalid=on_invalid, submitted=submitted)
    if format == "csv":
        return write_csv(records, target, on_invalid="write")
    if format == "jsonl":
        return write_jsonl(records, target, metadata=metadata)
    if format == "xml":
        v1 = list(records)
        if any(not isinstance(r, RecordV1) for r in v1):
            raise ValueError("XML is defined for v1 records only.")
        return write_xml([r for r in v1 if isinstance(r, RecordV1)], target)
    listed = tuple(records)
    write_json(Submission(listed, metadata), target)
    return len(listed)

