"""JSON and JSON Lines submissions, through a cattrs converter (``file-formats.md`` section 5).

A JSON submission is ``{"metadata": {...}, "records": [...]}``; each record's keys are the
catalogue's Python names and its values text in the CSV forms, ``null`` when absent. A JSON
Lines submission has one object a line: the first may hold only ``{"metadata": {...}}``.

Writing is strict (typed records through :func:`get_converter`); reading for validation is
lenient: every fault is a located issue (X-JSN-01, X-JSN-02, X-MET-01) and the rest is read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

import attrs
import cattrs

from dids._rows import RawRow
from dids._validator import validate_reader
from dids.catalogue import LAYOUTS, Layout, layout
from dids.findings import Issue, Report, issue_for
from dids.io._base import ReadResult, read_typed
from dids.metadata import SubmissionMetadata, metadata_issues, parse_metadata
from dids.records import RecordV1, RecordV2

__all__ = [
    "JsonReader",
    "Submission",
    "get_converter",
    "read_json",
    "write_json",
    "write_jsonl",
]

Record = RecordV1 | RecordV2


@attrs.frozen
class Submission:
    """A submission: its metadata (decision D4; ``None`` for v1) and its records."""

    records: tuple[Record, ...]
    metadata: SubmissionMetadata | None = None


def _structure_metadata(data: Any, _: type) -> SubmissionMetadata:
    metadata, problems = parse_metadata(data)
    if metadata is None or problems:
        raise ValueError(f"Invalid submission metadata: {', '.join(problems)}.")
    return metadata


def get_converter() -> cattrs.Converter:
    """A new converter between typed records, metadata and submissions and their JSON forms.

    >>> from dids.records import RecordV1
    >>> converter = get_converter()
    >>> record = converter.structure({"nhs_number": "9990000018", "test_date": "2024-03-10"},
    ...                              RecordV1)
    >>> record.test_date
    datetime.date(2024, 3, 10)
    >>> converter.unstructure(record)["test_date"]
    '2024-03-10'
    """
    converter = cattrs.Converter()
    for cls in (RecordV1, RecordV2):
        converter.register_unstructure_hook(cls, lambda record: record.to_dict())
        converter.register_structure_hook(cls, lambda data, kind: kind.from_dict(data))
    converter.register_unstructure_hook(SubmissionMetadata, lambda meta: meta.to_dict())
    converter.register_structure_hook(SubmissionMetadata, _structure_metadata)

    def unstructure_submission(submission: Submission) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if submission.metadata is not None:
            out["metadata"] = converter.unstructure(submission.metadata)
        out["records"] = [converter.unstructure(record) for record in submission.records]
        return out

    def structure_submission(data: Any, _: type) -> Submission:
        metadata = data.get("metadata")
        meta = None if metadata is None else converter.structure(metadata, SubmissionMetadata)
        version = _version_of(data.get("metadata"), data.get("records") or [])
        cls: type[Record] = RecordV1 if version == 1 else RecordV2
        records = tuple(converter.structure(r, cls) for r in data["records"])
        return Submission(records, meta)

    converter.register_unstructure_hook(Submission, unstructure_submission)
    converter.register_structure_hook(Submission, structure_submission)
    return converter


def _version_of(metadata: object, records: Iterable[object]) -> int:
    if isinstance(metadata, Mapping) and isinstance(metadata.get("data_set_version"), str):
        return 1 if metadata["data_set_version"].startswith("1") else 2
    first = next(iter(records), None)
    if isinstance(first, Mapping) and "test_date" in first:
        return 1
    return 2


def write_json(submission: Submission, target: IO[str], *, indent: int | None = 2) -> None:
    """Write a submission as one JSON object."""
    json.dump(get_converter().unstructure(submission), target, indent=indent)
    target.write("\n")


def write_jsonl(
    records: Iterable[Record], target: IO[str], *, metadata: SubmissionMetadata | None = None
) -> int:
    """Write records as JSON Lines, metadata first when given; return the records written."""
    converter = get_converter()
    if metadata is not None:
        target.write(json.dumps({"metadata": converter.unstructure(metadata)}) + "\n")
    count = 0
    for record in records:
        target.write(json.dumps(converter.unstructure(record)) + "\n")
        count += 1
    return count


def read_json(source: str | os.PathLike[str] | IO[str]) -> Submission:
    """Read a JSON submission strictly into typed records; raises ``ValueError`` on any fault."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    else:
        data = json.load(source)
    if not isinstance(data, Mapping) or not isinstance(data.get("records"), list):
        raise ValueError("A JSON submission is an object with a list of records.")
    return get_converter().structure(data, Submission)


class JsonReader:
    """Reads a JSON or JSON Lines submission leniently, for validation.

    ``lines=True`` reads JSON Lines one line at a time (constant memory); a JSON document is
    read whole. Faults become issues: :attr:`file_issues` for the file (X-JSN-02, X-MET-01),
    and per-row issues (X-JSN-01) on the rows.
    """

    def __init__(self, source: str | os.PathLike[str] | IO[str], *, lines: bool = False,
                 version: int | str = "auto") -> None:
        self.name = os.fspath(source) if isinstance(source, (str, os.PathLike)) else getattr(
            source, "name", None)
        self.file_issues: list[Issue] = []
        self.metadata: SubmissionMetadata | None = None
        self._handle = (open(source, encoding="utf-8-sig", errors="replace")  # noqa: SIM115
                        if isinstance(source, (str, os.PathLike)) else None)
        stream = self._handle if self._handle is not None else source
        assert not isinstance(stream, (str, os.PathLike))
        metadata_given = False
        self._objects: Iterator[object]
        if lines:
            self._objects = _lines(stream)
            first = next(self._objects, _END)
            if isinstance(first, Mapping) and set(first) == {"metadata"}:
                metadata_given = True
                self._take_metadata(first["metadata"])
                first = next(self._objects, _END)
        else:
            data = _load(stream)
            self.close()
            if data is None:
                self.file_issues.append(issue_for("X-JSN-02", 2))
                data = {"records": []}
            metadata_given = "metadata" in data
            if metadata_given:
                self._take_metadata(data["metadata"])
            self._objects = iter(data["records"])
            first = next(self._objects, _END)
        peek = [] if first is _END else [first]
        if version == "auto":
            raw = self.metadata.data_set_version if self.metadata else None
            version = _version_of({"data_set_version": raw} if raw else None, peek)
        self.layout: Layout = layout(version)
        self.version = self.layout.version
        self.columns: list[int | None] = [None] * len(self.layout)
        if self.version == 2 and not metadata_given and not lines:
            self.file_issues.append(issue_for("X-MET-01", 2, item="metadata"))
        self._first = peek

    def _take_metadata(self, data: object) -> None:
        self.metadata, issues = metadata_issues(data)
        self.file_issues.extend(issues)

    def __iter__(self) -> Iterator[RawRow]:
        try:
            for number, value in enumerate(_chain(self._first, self._objects), 1):
                row, issues = _row(self.layout, value, number)
                yield RawRow(number, row, tuple(issues))
        finally:
            self.close()

    def close(self) -> None:
        """Close the file if this reader opened it."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def validate(self, **options: Any) -> Report:
        """Validate every record; ``options`` as for :class:`dids.validate.Validator`."""
        return validate_reader(self, **options)

    def records(self) -> Iterator[ReadResult]:
        """Typed records, or for each record the issues that stopped it being parsed."""
        return read_typed(self)


_END = object()
_BAD_LINE = object()


def _load(stream: IO[str]) -> Mapping[str, Any] | None:
    try:
        data = json.load(stream)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, Mapping) or not isinstance(data.get("records"), list):
        return None
    return data


def _lines(stream: IO[str]) -> Iterator[object]:
    for line in stream:
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except (ValueError, RecursionError):
            yield _BAD_LINE


def _chain(first: list[object], rest: Iterator[object]) -> Iterator[object]:
    yield from first
    yield from rest


def _row(lay: Layout, value: object, number: int) -> tuple[list[str] | None, list[Issue]]:
    """A record object as a raw row in catalogue order, with its X-JSN-01 issues."""
    version = lay.version
    if not isinstance(value, Mapping):
        return None, [issue_for("X-JSN-01", version, row=number)]
    issues = []
    row = [""] * len(lay)
    positions = _POSITIONS[version]
    for key, text in value.items():
        position = positions.get(key)
        if position is None:
            issues.append(issue_for("X-JSN-01", version, row=number))
            continue
        if text is None:
            continue
        if not isinstance(text, str):
            issues.append(issue_for("X-JSN-01", version, row=number, item=key))
            continue
        row[position] = text
    return row, issues


#: Each layout's column of each Python name.
_POSITIONS = {version: {name: k for k, name in enumerate(lay.names)}
              for version, lay in LAYOUTS.items()}
