"""The rows of the first worksheet of an XLSX workbook, with the standard library only (a NICIP
table exported from a spreadsheet). Cells are read as the text they hold: shared and inline
strings as written, numbers as written (a whole number without ``.0``); formulas give their
last value. Empty cells between others are empty strings."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree

__all__ = ["xlsx_rows"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_COLUMN = re.compile(r"[A-Z]+")


def _column(reference: str) -> int:
    """0-based column of a cell reference such as ``AB12``."""
    letters = _COLUMN.match(reference)
    number = 0
    for letter in letters[0] if letters else "A":
        number = number * 26 + ord(letter) - 64
    return number - 1


def _text(element: ElementTree.Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{_MAIN}t"))


def _first_sheet(archive: zipfile.ZipFile) -> str:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    if sheet is None:
        raise ValueError("the workbook has no worksheet")
    target = sheet.get(f"{_DOC_RELS}id")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_RELS}Relationship"):
        if rel.get("Id") == target:
            path = rel.get("Target", "")
            return path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    raise ValueError("the workbook's first worksheet is missing")


def xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The first worksheet's rows with their row numbers, blank rows left out. Raises
    ``ValueError`` or ``zipfile.BadZipFile`` for a file that is no workbook."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        shared = [_text(item) for item in ElementTree.fromstring(
            archive.read("xl/sharedStrings.xml")).iter(f"{_MAIN}si")]
    except KeyError:
        shared = []
    with archive.open(_first_sheet(archive)) as sheet:
        for _, row in ElementTree.iterparse(sheet):
            if row.tag != f"{_MAIN}row":
                continue
            cells: dict[int, str] = {}
            for position, cell in enumerate(row.iter(f"{_MAIN}c")):
                kind = cell.get("t", "n")
                value = cell.find(f"{_MAIN}v")
                if kind == "inlineStr":
                    text = _text(cell)
                elif value is None or value.text is None:
                    text = ""
                elif kind == "s":
                    text = shared[int(value.text)]
                else:
                    text = value.text
                    if kind == "n" and text.endswith(".0"):
                        text = text[:-2]
                cells[_column(cell.get("r", "")) if cell.get("r") else position] = text
            number = int(row.get("r", "0"))
            row.clear()
            if any(cells.values()):
                yield number, [cells.get(k, "") for k in range(max(cells) + 1)]
