"""Opening the files of a national release as they come: a plain file, a zip (zips inside it
opened too) or a folder, each data file read as a stream of CSV rows (or an XLSX workbook's
first worksheet), hashed as it is read."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

import attrs

from dids.exceptions import ReleaseError
from dids.refdata._xlsx import xlsx_rows

__all__ = ["DataFile", "ReleaseError", "Source", "data_files", "day_of", "release_of"]


@attrs.define
class Source:
    """Where a part of the store came from (its provenance): the file read, the kind of data,
    the release the file's name tells (``YYYY-MM-DD`` or ``YYYY-MM``), the rows taken, and the
    SHA-256 of the bytes read."""

    kind: str
    file: str
    release: str | None = attrs.field(
        default=attrs.Factory(lambda self: release_of(self.file), takes_self=True))
    rows: int = 0
    sha256: str = ""


class _Hashing(io.RawIOBase):
    """A binary stream that hashes what is read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._raw.read(len(buffer))
        self.digest.update(chunk)
        buffer[: len(chunk)] = chunk
        return len(chunk)


@attrs.define
class DataFile:
    """One data file of a release (``name`` shows where it is, zips included)."""

    name: str
    opener: Callable[[], IO[bytes]]

    @property
    def base(self) -> str:
        """The file's own name, without folders or zips."""
        return re.split(r"[/\\!]", self.name)[-1]

    def rows(self, source: Source, *, delimiter: str = ",", fallback: str | None = None
             ) -> Iterator[tuple[int, list[str]]]:
        """The file's CSV rows with their line numbers, blank lines left out; ``source`` gets
        the SHA-256 when the file is read to its end. Text is UTF-8 (a BOM dropped); with a
        ``fallback`` encoding a line that is not UTF-8 is decoded with it instead."""
        if self.base.lower().endswith(".xlsx"):
            yield from self._xlsx_rows(source)
            return
        with self.opener() as raw:
            hashing = _Hashing(raw)
            buffered = io.BufferedReader(hashing, 1 << 20)
            lines = _decoded(buffered, self.name, fallback)
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            try:
                for fields in reader:
                    if fields and any(fields):
                        yield reader.line_num, fields
            except csv.Error as error:
                raise ReleaseError(self.name, reader.line_num + 1,
                                   f"well-formed CSV ({error})") from None
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
                raise ReleaseError(self.name, reader.line_num + 1,
                                   f"a readable file ({_why(error)})") from None
            source.sha256 = hashing.digest.hexdigest()


    def _xlsx_rows(self, source: Source) -> Iterator[tuple[int, list[str]]]:
        """The first worksheet's rows, each as wide as the first (trailing empty cells are
        not stored)."""
        with self.opener() as raw:
            data = raw.read()
        source.sha256 = hashlib.sha256(data).hexdigest()
        width = 0
        try:
            for line, fields in xlsx_rows(data):
                width = width or len(fields)
                yield line, fields + [""] * (width - len(fields))
        except (ValueError, KeyError, IndexError, zipfile.BadZipFile, ElementTree.ParseError
                ) as error:
            raise ReleaseError(self.name, None, f"an XLSX workbook ({_why(error)})") from None


#: Day 0 of a spreadsheet's day numbers (1900 date system, as Excel counts after February 1900).
_SPREADSHEET_DAY_0 = date(1899, 12, 30)


def day_of(text: str, file: DataFile, line: int, what: str, *, iso: bool = False,
           spreadsheet: bool = False) -> date | None:
    """The date in a field of a release file (``None`` when blank): ``YYYYMMDD``, and with
    ``iso`` also ``YYYY-MM-DD``, with ``spreadsheet`` also a spreadsheet's day number (a date
    cell of a workbook). Anything else is a :class:`ReleaseError` naming the file, the line and
    ``what`` the field is."""
    text = text.strip()
    if not text:
        return None
    if text.isascii():
        try:
            if len(text) == 8 and text.isdigit():
                return date(int(text[:4]), int(text[4:6]), int(text[6:]))
            if iso and len(text) == 10 and text[4] == text[7] == "-":
                return date.fromisoformat(text)
            if spreadsheet and len(text) == 5 and text.isdigit():
                return _SPREADSHEET_DAY_0 + timedelta(days=int(text))
        except ValueError:
            pass
    forms = " or ".join(["YYYYMMDD", *(["YYYY-MM-DD"] if iso else [])])
    raise ReleaseError(file.name, line, f"{what} as a date {forms}, found {text[:20]!r}")


def _decoded(lines: IO[bytes], name: str, fallback: str | None) -> Iterator[str]:
    first = True
    for number, line in enumerate(lines, 1):
        if first:
            first = False
            if line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            if fallback is None:
                raise ReleaseError(name, number, "UTF-8 text") from None
            try:
                yield line.decode(fallback)
            except UnicodeDecodeError:
                raise ReleaseError(name, number, f"UTF-8 or {fallback} text") from None


def _why(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def data_files(path: str | os.PathLike[str]) -> Iterator[DataFile]:
    """The data files in ``path``, named from its last part (no local folders in a store):
    the file itself, each file of a zip (a zip inside opened
    as well) or of a folder and its sub-folders, in name order. Files whose names say they
    are documents (pdf, xlsx, docx, html, md) are left out."""
    path = Path(path)
    if path.is_dir():
        for found in sorted(p for p in path.rglob("*") if p.is_file()):
            name = f"{path.name}/{found.relative_to(path).as_posix()}"
            yield from _files_of(name, _opener_of(found))
    elif path.exists():
        yield from _files_of(path.name, _opener_of(path), given=True)
    else:
        raise ReleaseError(path.name, None, "a file, zip or folder that exists")


def _opener_of(path: Path) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        return path.open("rb")

    return opener


_DOCUMENTS = (".pdf", ".xlsx", ".xls", ".docx", ".doc", ".html", ".htm", ".md", ".xml", ".json")


def _files_of(name: str, opener: Callable[[], IO[bytes]], *, given: bool = False
              ) -> Iterator[DataFile]:
    if name.lower().endswith(_DOCUMENTS) and not given:  # a document inside a release
        return
    if not name.lower().endswith(".zip"):
        yield DataFile(name, opener)
        return
    try:
        with opener() as handle:
            archive = zipfile.ZipFile(handle if handle.seekable() else io.BytesIO(handle.read()))
            members = sorted(m.filename for m in archive.infolist() if not m.is_dir())
            for member in members:
                inner = f"{name}!{member}"
                if member.lower().endswith(".zip"):
                    content = archive.read(member)
                    yield from _files_of(inner, functools.partial(io.BytesIO, content))
                else:
                    yield from _files_of(inner, functools.partial(archive.open, member))
    except (zipfile.BadZipFile, EOFError) as error:
        raise ReleaseError(name, None, f"a readable zip ({_why(error)})") from None


_DAY = re.compile(r"(?<!\d)((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_MONTH = re.compile(r"(?<![A-Z])(" + "|".join(_MONTHS) + r")_((?:19|20)\d\d)(?!\d)")


def release_of(name: str) -> str | None:
    """The release a file's name tells: ``..._20260506.txt`` gives ``2026-05-06``, and
    ``ONSPD_NOV_2025_UK.csv`` gives ``2025-11``; ``None`` when the name tells none."""
    day = _DAY.search(name)
    if day:
        try:
            return date(int(day[1]), int(day[2]), int(day[3])).isoformat()
        except ValueError:
            pass
    month = _MONTH.search(name.upper())
    if month:
        return f"{month[2]}-{_MONTHS.index(month[1]) + 1:02d}"
    return None
