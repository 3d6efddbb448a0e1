"""v1 XML submissions (DIDS XML schema specification pack v1.0; ``file-formats.md`` section 3).

Each ``ImagingActivity`` becomes one record, carrying its ``DIDSRecord``'s demographics and
referral values. Element paths come from the catalogue's ``xml_path`` column. Reading streams
with the standard library's expat parser and refuses any document type declaration, so entity
expansion and external entities cannot happen; a malformed or unexpected document is the file
reject DIDS076, reported with the records read before the fault. Writing emits one
``DIDSRecord`` per record and omits absent values.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import IO, Any
from xml.parsers import expat
from xml.sax.saxutils import escape as escape_text
from xml.sax.saxutils import quoteattr

from dids._rows import RawRow
from dids._validator import validate_reader
from dids.catalogue import V1
from dids.findings import Issue, Report, issue_for
from dids.io._base import ReadResult, read_typed
from dids.metadata import SubmissionMetadata
from dids.records import RecordV1

__all__ = ["XmlReader", "write_xml"]


def _paths() -> dict[tuple[str, ...], tuple[int, str | None]]:
    """Element path below ``DIDSRecord`` -> (item index, attribute or None for text)."""
    found = {}
    for index, item in enumerate(V1.items):
        assert item.xml_path is not None
        path = item.xml_path.replace(" (element text)", "").split("/")[2:]
        attribute = path.pop()[1:] if path[-1].startswith("@") else None
        found[tuple(path)] = (index, attribute)
    return found


_PATHS = _paths()
_CONTAINERS = {path[:n] for path in _PATHS for n in range(1, len(path))}
_ACTIVITY = "ImagingActivity"
_ROW_ITEMS = frozenset(i for path, (i, _) in _PATHS.items() if path[0] == _ACTIVITY)


class _Malformed(Exception):
    """The document does not follow the DIDS structure."""


class XmlReader:
    """Streams the records of a v1 XML file as raw rows in catalogue order."""

    version = 1
    metadata: SubmissionMetadata | None = None

    def __init__(self, source: str | os.PathLike[str] | IO[bytes]) -> None:
        self._source = source
        self.name = os.fspath(source) if isinstance(source, (str, os.PathLike)) else getattr(
            source, "name", None)
        self.file_issues: list[Issue] = []
        self.columns: list[int | None] = [None] * len(V1)

    def __iter__(self) -> Iterator[RawRow]:
        for number, row in enumerate(self.rows(), 1):
            yield RawRow(number, row)

    def rows(self) -> Iterator[list[str]]:
        """Raw rows, one per ``ImagingActivity``; a fault ends the file with DIDS076."""
        handle: IO[bytes] = (open(self._source, "rb")  # noqa: SIM115 - closed below
                             if isinstance(self._source, (str, os.PathLike)) else self._source)
        state = _State()
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _refuse
        parser.EntityDeclHandler = _refuse
        parser.StartElementHandler = state.start
        parser.EndElementHandler = state.end
        parser.CharacterDataHandler = state.text
        try:
            while True:
                chunk = handle.read(1 << 16)
                try:
                    parser.Parse(chunk, not chunk)
                except (expat.ExpatError, _Malformed, ValueError):
                    state.failed = True
                yield from state.take()
                if state.failed or not chunk:
                    break
        finally:
            if handle is not self._source:
                handle.close()
        if state.failed or not state.saw_record:
            self.file_issues.append(issue_for("DIDS076", 1))

    def validate(self, **options: Any) -> Report:
        """Validate every record; ``options`` as for :class:`dids.validate.Validator`."""
        return validate_reader(self, **options)

    def records(self) -> Iterator[ReadResult]:
        """Typed records, or for each record the issues that stopped it being parsed."""
        return read_typed(self)


def _refuse(*_: object) -> None:
    raise _Malformed


class _State:
    """The parse in progress: the element path, the current DIDSRecord and finished rows."""

    def __init__(self) -> None:
        self.path: list[str] = []
        self.shared = [""] * len(V1)
        self.activity: list[str] | None = None
        self.done: list[list[str]] = []
        self.text_target: int | None = None
        self.failed = False
        self.saw_record = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        name = name.rsplit(" ", 1)[-1]
        depth = len(self.path)
        if (depth == 0 and name != "DIDS") or (depth == 1 and name != "DIDSRecord"):
            raise _Malformed
        self.path.append(name)
        inner = tuple(self.path[2:])
        if depth == 0:
            return
        if depth == 1:
            self.saw_record = True
            self.shared = [""] * len(V1)
        elif inner == (_ACTIVITY,):
            self.activity = list(self.shared)
        elif inner in _PATHS:
            index, attribute = _PATHS[inner]
            target = self.activity if index in _ROW_ITEMS else self.shared
            if target is None:
                raise _Malformed
            if attribute is None:
                self.text_target = index
            else:
                target[index] = attributes.get(attribute, "")
        elif inner not in _CONTAINERS:
            raise _Malformed

    def text(self, data: str) -> None:
        if self.text_target is not None and self.activity is not None and (
            self.text_target in _ROW_ITEMS
        ):
            self.activity[self.text_target] += data
        elif self.text_target is not None:
            self.shared[self.text_target] += data

    def end(self, name: str) -> None:
        inner = tuple(self.path[2:])
        if inner == (_ACTIVITY,) and self.activity is not None:
            self.done.append(self.activity)
            self.activity = None
        self.text_target = None
        self.path.pop()

    def take(self) -> list[list[str]]:
        done, self.done = self.done, []
        return done


def write_xml(records: Iterable[RecordV1], target: IO[str]) -> int:
    """Write v1 records as a DIDS XML document, one ``DIDSRecord`` each; return the count."""
    target.write('<?xml version="1.0" encoding="UTF-8"?>\n<DIDS>\n')
    count = 0
    for record in records:
        row = record.to_row()
        target.write("  <DIDSRecord>\n")
        _write_group(target, row, ("PersonalAndDemographics",), 4)
        _write_group(target, row, ("Referrals",), 4)
        _write_group(target, row, (_ACTIVITY,), 4)
        target.write("  </DIDSRecord>\n")
        count += 1
    target.write("</DIDS>\n")
    return count


#: Element order within ImagingActivity in the schema pack, which differs from the CSV order.
_ACTIVITY_ORDER = ("ImagingCodeNICIP", "ImagingCodeSNOMEDCT", "DiagnosticTestDate",
                   "ServiceReportIssueDate", "ImagingSiteCode", "RadiologicalAccessionNumber")


def _schema_order(path: tuple[str, ...]) -> int:
    return _ACTIVITY_ORDER.index(path[1]) if path[0] == _ACTIVITY else 0


def _write_group(target: IO[str], row: list[str], prefix: tuple[str, ...], indent: int) -> None:
    pad = " " * indent
    target.write(f"{pad}<{prefix[-1]}>\n")
    for path, (index, attribute) in sorted(_PATHS.items(), key=lambda kv: _schema_order(kv[0])):
        if path[: len(prefix)] != prefix or not row[index]:
            continue
        inner = path[len(prefix):]
        if len(inner) == 2:  # Address/postalCode
            target.write(f"{pad}  <{inner[0]}><{inner[1]}>{escape_text(row[index])}</{inner[1]}>"
                         f"</{inner[0]}>\n")
        elif attribute is None:
            target.write(f"{pad}  <{inner[0]}>{escape_text(row[index])}</{inner[0]}>\n")
        else:
            target.write(f"{pad}  <{inner[0]} {attribute}={quoteattr(row[index])}/>\n")
    target.write(f"{pad}</{prefix[-1]}>\n")
