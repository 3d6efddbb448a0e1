"""Streaming CSV submission files: v1 (headerless, 18 columns) and v2 (header, decision D3).

Reading is lenient and locates every fault: undecodable bytes, NULs, malformed quoting, a wrong
number of fields and header problems become issues with a row and column; the rest of the file
is still read. Writing is strict: dates and timestamps in canonical form, and no value that a
spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import operator
import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import islice, repeat
from typing import IO, TYPE_CHECKING, Any

from dids._rows import ColumnBlock, RawRow
from dids._validator import validate_reader
from dids.catalogue import V1, V2, Layout, layout
from dids.findings import Issue, Report, issue_for
from dids.io._base import OnInvalid, ReadResult, UnsafeValue, checked_blocks, read_typed
from dids.metadata import SubmissionMetadata

if TYPE_CHECKING:
    from dids.records import RecordV1, RecordV2

__all__ = [
    "ColumnBlock",
    "CsvReader",
    "RawRow",
    "ReadResult",
    "UnsafeValue",
    "detect_version",
    "read_records",
    "read_rows",
    "write_csv",
]

Source = str | os.PathLike[str] | IO[bytes] | IO[str]
_V1_WIDTH = len(V1)
_HEADER_NAMES = {name.upper() for lay in (V1, V2) for name in lay.headers}


class _Source:
    """Raw lines of the file (bytes or text), taken one at a time or a block at a time.

    Lines given back are read again first, one by one or as the next block.
    """

    def __init__(self, stream: Any) -> None:
        self._lines: Iterator[Any] = iter(stream)
        self._readlines = getattr(stream, "readlines", None)
        self.given_back: list[Any] = []
        #: How much to read for a block: as much as :data:`_BLOCK_LINES` lines of the last one.
        self._block_size = _BLOCK_LINES * 128

    def __iter__(self) -> _Source:
        return self

    def __next__(self) -> Any:
        if self.given_back:
            return self.given_back.pop()
        return next(self._lines)

    def take(self) -> list[Any]:
        """The next block of about :data:`_BLOCK_LINES` lines, at most about
        :data:`_MAX_BLOCK_SIZE` long (empty at the end)."""
        if self.given_back:
            lines = self.given_back[::-1]
            self.given_back.clear()
            return lines
        if self._readlines is None:
            return list(islice(self._lines, _BLOCK_LINES))
        lines = list(self._readlines(self._block_size))
        if lines:  # they hold about as much as asked for (the last one completed)
            self._block_size = min(_MAX_BLOCK_SIZE,
                                   1 + self._block_size * _BLOCK_LINES // len(lines))
        return lines

    def give_back(self, lines: Sequence[Any]) -> None:
        """Read ``lines`` again before the rest of the file."""
        self.given_back.extend(reversed(lines))


#: Lines read as one block: enough for the passes over its columns to cost little more than
#: their values, few enough that its strings stay in the processor's cache.
_BLOCK_LINES = 1_000
#: The most bytes (or characters) read as one block, whatever the lines' length.
_MAX_BLOCK_SIZE = 1 << 20
#: Plain lines written at a time by :func:`write_csv`: a text stream encodes each write into
#: a new buffer, and one of a whole block's lines (about 1 MB) cost several times as much
#: to write as the same lines in parts of this many.
_WRITTEN_LINES = 512


class _Lines:
    """Physical lines of the source, decoded one by one, with their faults noted (an
    undecodable byte and a NUL are read as U+FFFD).

    ``record`` holds the lines of the CSV record being read, so that an unclosed quote can be
    undone: the lines after the one that opened it are read again.
    """

    def __init__(self, lines: Iterator[Any]) -> None:
        self._lines = lines
        self._pushed: list[tuple[str, bool]] = []
        self.record: list[tuple[str, bool]] = []
        self.first = True

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._pushed:
            text, bad = self._pushed.pop()
        else:
            raw: bytes | str = next(self._lines)
            if isinstance(raw, bytes):
                bad = b"\x00" in raw
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text, bad = raw.decode("utf-8", "replace"), True
            else:
                text, bad = raw, "\x00" in raw
            if bad and "\x00" in text:  # csv.reader refuses NULs before Python 3.11
                text = text.replace("\x00", "\ufffd")
            if self.first:
                self.first = False
                text = text.removeprefix("\ufeff")
        self.record.append((text, bad))
        return text

    def push_back(self, lines: Sequence[tuple[str, bool]]) -> None:
        """Read ``lines`` again before the rest of the source."""
        self._pushed.extend(reversed(lines))

    def has_pushed(self) -> bool:
        """True while lines pushed back wait to be read again."""
        return bool(self._pushed)

    def record_is_bad(self) -> bool:
        """True when a line of the current record had undecodable bytes or a NUL."""
        return any(bad for _, bad in self.record)


def _open(source: Source) -> tuple[_Source, IO[Any] | None, str | None]:
    if isinstance(source, (str, os.PathLike)):
        handle: IO[Any] = open(source, "rb")  # noqa: SIM115 - closed by CsvReader.close
        return _Source(handle), handle, os.fspath(source)
    return _Source(source), None, getattr(source, "name", None)


class CsvReader:
    """Reads a CSV submission file row by row in constant memory.

    The version is detected from the first line unless given: ``"auto"`` means v1 when the
    first line has 18 fields and is not a header of item names, else v2. Iterate for
    :class:`RawRow` objects; header issues are in :attr:`file_issues`.
    """

    def __init__(self, source: Source, *, version: int | str = "auto") -> None:
        self._source, self._handle, self.name = _open(source)
        self._lines = _Lines(self._source)
        self._reader = csv.reader(self._lines, strict=True)
        self._pending: list[list[str]] = []
        self._number = 0
        first = self._next_record()
        if version == "auto":
            self.version = 1 if first is not None and _looks_v1(first) else 2
        else:
            self.version = layout(version).version
        self.layout: Layout = layout(self.version)
        self.file_issues: list[Issue] = []
        self.metadata: SubmissionMetadata | None = None
        self.columns: list[int | None] = list(range(1, len(self.layout) + 1))
        self._positions: list[int | None] = list(range(len(self.layout)))
        self._width = len(self.layout)
        if first is not None:
            if self.version == 2:
                self._read_header(first)
            else:
                self._pending.append(first)

    # -- records of the CSV syntax -----------------------------------------------------------

    def _next_record(self) -> list[str] | None:
        """The next non-blank CSV record; a syntax error gives ``["\\x00<error>"]``."""
        while True:
            self._lines.record.clear()
            try:
                fields = next(self._reader)
            except StopIteration:
                return None
            except csv.Error as error:
                if "unexpected end of data" in str(error) and len(self._lines.record) > 1:
                    self._lines.push_back(self._lines.record[1:])
                    self._reader = csv.reader(self._lines, strict=True)
                return [_SYNTAX_ERROR]
            if fields and not (len(fields) == 1 and not fields[0].strip()):
                if self._lines.record_is_bad():
                    fields.append(_BAD_TEXT)
                return fields

    def _read_header(self, header: list[str]) -> None:
        names = {name.upper(): index for index, name in enumerate(self.layout.headers)}
        positions: list[int | None] = [None] * len(self.layout)
        if header and header[-1] == _BAD_TEXT:
            header = header[:-1]
        for column, name in enumerate(header, 1):
            index = names.get(name.strip().upper())
            if index is None:
                self.file_issues.append(issue_for("X-CSV-01", 2, column=column))
            elif positions[index] is not None:
                self.file_issues.append(
                    issue_for("X-CSV-03", 2, item=self.layout.items[index].python_name,
                              column=column)
                )
            else:
                positions[index] = column - 1
        for index, item in enumerate(self.layout.items):
            if positions[index] is None and item.mandatory:
                self.file_issues.append(issue_for("X-CSV-02", 2, item=item.python_name))
        self._positions = positions
        self.columns = [None if p is None else p + 1 for p in positions]
        self._width = len(header)

    # -- data rows -----------------------------------------------------------------------------

    def __iter__(self) -> Iterator[RawRow]:
        for item in self.blocks(in_order=True):
            if isinstance(item, ColumnBlock):
                yield from item.rows()
            else:
                yield item

    def blocks(self, *, in_order: bool = False) -> Iterator[RawRow | ColumnBlock]:
        """The data rows: the plain lines of each stretch of the file (about 1,000 lines)
        as one :class:`ColumnBlock`, the other rows (quoted fields, faults; blank lines are
        skipped) one by one, in file order when ``in_order`` (else a block may come after
        rows that follow it in the file; every row keeps its number).

        A plain line is valid UTF-8 without quotes, NUL or a bare carriage return and has as
        many fields as the header (in a stretch whose fields hold no quote, comma, CR or LF,
        fields may also be quoted whole); it splits the same way as ``csv.reader`` would split
        it, so both kinds of row are read exactly as the row-by-row reader reads them.
        """
        try:
            while True:
                if self._pending or self._lines.has_pushed():
                    fields = self._pending.pop() if self._pending else self._next_record()
                    if fields is None:
                        return
                    self._number += 1
                    yield self._row(fields)
                    continue
                lines = self._source.take()
                if not lines:
                    return
                yield from self._split(lines, in_order)
        finally:
            self.close()

    def _split(self, lines: list[Any], in_order: bool) -> Iterator[RawRow | ColumnBlock]:
        """Rows of a stretch of raw lines: the plain ones in bulk, the others one by one."""
        flat = _plain_fields(lines, self._width)
        if flat is not None:
            yield self._block(flat, range(self._number + 1, self._number + len(lines) + 1))
            self._number += len(lines)
            return
        texts, plain = _plain_lines(lines, self._width)
        block: list[str] = []
        numbers: list[int] = []
        start = 0
        while start < len(lines):
            try:
                end = plain.index(False, start)
            except ValueError:
                end = len(lines)
            block += texts[start:end]
            numbers += range(self._number + 1, self._number + 1 + end - start)
            self._number += end - start
            if end == len(lines):
                break
            if in_order and block:
                yield self._block(",".join(block).split(","), numbers)
                block, numbers = [], []
            self._source.give_back(lines[end:])
            fields = self._next_record()
            if fields is not None:
                self._number += 1
                yield self._row(fields)
            start = len(lines) - len(self._source.given_back)
            if fields is None or self._lines.has_pushed():
                break
            self._source.given_back.clear()
        if block:
            yield self._block(",".join(block).split(","), numbers)

    def _block(self, fields: list[str], numbers: Sequence[int]) -> ColumnBlock:
        """A block of the plain lines whose fields, in file order, are ``fields`` (emptied, so
        that the strings are freed with the block)."""
        size, width = len(numbers), self._width
        columns = [[""] * size if p is None else fields[p::width] for p in self._positions]
        fields.clear()
        return ColumnBlock(numbers, columns)

    def _row(self, fields: list[str]) -> RawRow:
        issues: list[Issue] = []
        structural = "DIDS075" if self.version == 1 else "X-CSV-04"
        if fields == [_SYNTAX_ERROR]:
            issue = issue_for(structural, self.version, row=self._number)
            return RawRow(self._number, None, (issue,))
        if fields[-1] == _BAD_TEXT:
            fields.pop()
            issues.append(issue_for("X-ENC-01", self.version, row=self._number))
        width = self._width
        if len(fields) > width and not any(f.strip() for f in fields[width:]) and self.version == 2:
            del fields[width:]
        if len(fields) != width:
            issues.append(issue_for(structural, self.version, row=self._number))
            return RawRow(self._number, None, tuple(issues))
        ordered = [("" if p is None else fields[p]) for p in self._positions]
        return RawRow(self._number, ordered, tuple(issues))

    def close(self) -> None:
        """Close the file if this reader opened it."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> CsvReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def validate(self, **options: Any) -> Report:
        """Validate every row; see :class:`dids.validate.Validator` for ``options``."""
        return validate_reader(self, **options)

    def records(self) -> Iterator[ReadResult]:
        """Typed records, or for each row the issues that stopped it being parsed."""
        return read_typed(self)


def _text(data: Any) -> str | None:
    """Raw lines as text: bytes decoded as UTF-8 (``None`` when they are not), text as it is."""
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return str(data)


#: The byte (or character) before a line's last one.
_BEFORE_END = operator.itemgetter(slice(-2, -1))
#: ``bytes.translate`` deletes every byte but these, leaving each line's quotes, commas and
#: line end.
_NOT_STRUCTURE = bytes(byte for byte in range(256) if byte not in b'",\r\n')


def _plain_fields(lines: list[Any], width: int) -> list[str] | None:
    """The fields, in file order, of a stretch whose lines are all plain and end alike (the
    last one may have no end); else ``None``. A plain line here may quote whole fields that
    hold no quote, comma, CR or LF (as ``csv.QUOTE_ALL`` and database exports write them).

    One pass over the joined raw lines keeps only their quotes, commas and line ends. Without
    the pairs of quotes, that must be ``width - 1`` commas and the first line's end on every
    line: no field count to take line by line. Each field then holds an even number of quotes,
    and :func:`_quotes_at_edges` proves that each quoted field holds two, its first and last
    characters: deleting all quotes leaves what ``csv.reader`` reads. In a CRLF file each line
    then has one CR; when it is the byte before each line's LF, deleting them all leaves one
    LF a line (a replacement of one byte, much faster than replacing CRLF)."""
    if width < 2:
        return None
    joined = lines[0][:0].join(lines)
    if not isinstance(joined, bytes):
        try:
            joined = joined.encode("utf-8")
        except UnicodeEncodeError:
            return None
    first_end = b"\r\n" if isinstance(lines[0], bytes) else "\r\n"
    line_end = b"\r\n" if lines[0].endswith(first_end) else b"\n"
    structure = joined.translate(None, _NOT_STRUCTURE)
    quotes = structure.count(b'"')
    expected = (b"," * (width - 1) + line_end) * len(lines)
    all_quoted = quotes > 0 and _ends_alike(
        structure, (b",".join([b'""'] * width) + line_end) * len(lines), line_end)
    if quotes and not all_quoted:
        structure = structure.replace(b'""', b"")
    if not all_quoted and not _ends_alike(structure, expected, line_end):
        return None
    if quotes:
        if not _quotes_at_edges(joined, quotes, line_end, all_quoted, len(lines), width):
            return None
        joined = joined.translate(None, b'"')
    if len(joined) > csv.field_size_limit() and max(map(len, lines)) > csv.field_size_limit():
        return None
    if line_end == b"\r\n":
        ended = lines if structure.endswith(line_end) else lines[:-1]
        if lines[0][:0].join(map(_BEFORE_END, ended)) != first_end[:1] * len(ended):
            return None  # a bare CR in a line ending in LF alone
        joined = joined.replace(b"\r", b"")
    if b"\x00" in joined:
        return None
    body = _text(joined.removesuffix(b"\n").replace(b"\n", b","))
    return None if body is None else body.split(",")


def _ends_alike(structure: bytes, expected: bytes, line_end: bytes) -> bool:
    """Whether ``structure`` is ``expected``, or all of it but the last line end."""
    return structure == expected or structure == expected[:-len(line_end)]


def _quotes_at_edges(joined: bytes, quotes: int, line_end: bytes, all_quoted: bool,
                     count: int, width: int) -> bool:
    """Whether every quote of a stretch whose fields hold none or an even number of quotes
    (:func:`_plain_fields`) follows a comma or a line start, or comes before a comma or a
    line end, each counted once: then each quoted field holds two quotes, its first and last
    characters. When every field is quoted, that is a quote on each side of every comma and
    around every line end (two counts instead of four)."""
    if all_quoted:
        return (joined.count(b'","') == (width - 1) * count
                and joined.count(b'"' + line_end + b'"') == count - 1
                and joined.startswith(b'"') and joined.endswith((b'"', b'"' + line_end)))
    return quotes == (joined.startswith(b'"') + joined.count(b',"') + joined.count(b'\n"')
                      + joined.count(b'",') + joined.count(b'"' + line_end)
                      + joined.endswith(b'"'))


def _plain_lines(lines: list[Any], width: int) -> tuple[list[str], list[bool]]:
    """Each raw line decoded without its line end, and whether it is plain (see
    :meth:`CsvReader.blocks`). With fewer than two columns a plain line could be blank, which
    ``csv.reader`` skips, so nothing is plain then."""
    text, texts = _split_lines(lines) if width > 1 else ("", None)
    if texts is None:
        found = [_plain_line(line, width) for line in lines]
        return [line or "" for line in found], [line is not None for line in found]
    plain = list(map(operator.eq, map(str.count, texts, repeat(",")), repeat(width - 1)))
    limit = csv.field_size_limit()
    if max(map(len, texts)) > limit:
        plain = list(map(operator.and_, plain, map(operator.le, map(len, texts), repeat(limit))))
    for refused in ('"', "\x00"):
        if refused in text:
            plain = list(map(operator.and_, plain, map(operator.not_, map(
                operator.contains, texts, repeat(refused)))))
    return texts, plain


def _split_lines(lines: list[Any]) -> tuple[str, list[str] | None]:
    """The decoded text, and its lines without their line ends when every line decodes and
    ends with LF or CRLF (the last one may have no end) and holds no other CR."""
    text = _text(lines[0][:0].join(lines))
    if text is None:
        return "", None
    if "\r" in text:
        ends = text.count("\r\n")
        if text.count("\r") != ends or text.count("\n") != ends:
            return text, None
        texts = text.split("\r\n")
    else:
        texts = text.split("\n")
    if not texts[-1]:
        texts.pop()
    return text, texts if len(texts) == len(lines) else None


def _plain_line(line: Any, width: int) -> str | None:
    """One line decoded, without its line end, when it is plain; else ``None``."""
    decoded = _text(line) if width > 1 else None
    if decoded is None:
        return None
    text = decoded.removesuffix("\n").removesuffix("\r")
    if (
        '"' in text or "\x00" in text or "\r" in text or "\n" in text
        or text.count(",") != width - 1 or len(text) > csv.field_size_limit()
    ):
        return None
    return text


_SYNTAX_ERROR = "\x00dids:syntax-error"
_BAD_TEXT = "\x00dids:bad-text"


def _looks_v1(first: list[str]) -> bool:
    fields = first[:-1] if first and first[-1] == _BAD_TEXT else first
    if len(fields) != _V1_WIDTH:
        return False
    return not any(field.strip().upper() in _HEADER_NAMES for field in fields)


def detect_version(source: Source) -> int:
    """The DIDS version of a CSV file by its first line (see :class:`CsvReader`)."""
    reader = CsvReader(source)
    reader.close()
    return reader.version


def read_rows(source: Source, *, version: int | str = "auto") -> CsvReader:
    """Open a CSV submission file for reading (a path, a binary or a text stream)."""
    return CsvReader(source, version=version)


def read_records(source: Source, *, version: int | str = "auto") -> Iterator[ReadResult]:
    """Stream typed records (or the issues that stopped each row being one) from a CSV file."""
    return CsvReader(source, version=version).records()


def write_csv(
    records: Iterable[RecordV1 | RecordV2],
    target: IO[str],
    *,
    version: int | None = None,
    on_invalid: OnInvalid = "raise",
    submitted: date | datetime | None = None,
    issues: list[Issue] | None = None,
) -> int:
    """Write records as a CSV submission file to a text stream; return how many were written.

    v2 files start with the header of data element names (decision D3); v1 files have none.
    Records are checked first (see :func:`dids.io.checked` for ``on_invalid``, ``submitted``
    and ``issues``), so that what is written passes ``dids validate``. Raises
    :class:`UnsafeValue` for a value a spreadsheet would run as a formula: valid DIDS values
    never need one, so it is treated as invalid rather than altered. Open ``target`` with
    ``newline=""``. The output is what ``csv.writer`` writes (minimal quoting, CRLF).
    """
    writer = csv.writer(target, lineterminator="\r\n")
    count = 0
    for block, columns, quoted in checked_blocks(
            records, on_invalid=on_invalid, submitted=submitted, issues=issues,
            refuse_formulas=True):
        if count == 0 and version is None:
            version = block[0].LAYOUT.version
            if version == 2:
                writer.writerow(V2.headers)
        elif block[0].LAYOUT.version != version:
            raise ValueError("All records of a submission must have the same layout.")
        if quoted:
            writer.writerows(zip(*columns, strict=True))
        else:
            lines = map(",".join, zip(*columns, strict=True))
            for _ in range(0, len(block), _WRITTEN_LINES):
                target.write("\r\n".join(islice(lines, _WRITTEN_LINES)))
                target.write("\r\n")
        count += len(block)
    if count == 0 and version == 2:
        writer.writerow(V2.headers)
    return count
