"""Readers of the postcode directories (DIDS016).

* The ONS Postcode Directory (ONSPD) has a header row; its columns are read by name, with the
  names before and after the 2025 rename: the postcode from ``pcds`` (else ``pcd``/``pcd7``,
  ``pcd2``/``pcd8``), its months of introduction and termination from ``dointr`` and
  ``doterm`` (``YYYYMM``, blank while live).
* The NHS Postcode Directory ``gridall`` is headerless, at least 41 fields a row: the postcode
  in field 2, the months in fields 3 and 4. It carries the ZZ99 pseudo-postcodes.
* The library's own layout: a header with a ``postcode`` column.

Terminated postcodes are kept, with their month of termination (assumption: a postcode that
existed at any time is a known postcode; DIDS016 asks only whether it exists).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from dids.refdata._sources import DataFile, ReleaseError, Source

__all__ = ["PostcodeRow", "postcode_key", "read_postcodes"]

#: A postcode (:func:`postcode_key`) with its months of introduction and termination (YYYYMM).
PostcodeRow = tuple[str, int | None, int | None]

_POSTCODE_NAMES = ("pcds", "pcd7", "pcd", "pcd8", "pcd2", "postcode")
_GRIDALL_FIELDS = 41


def postcode_key(text: str) -> str:
    """A postcode as the store keys it: upper case, one space before the inward code."""
    compact = "".join(text.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def _month(text: str, file: DataFile, line: int, what: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if len(text) == 6 and text.isdigit() and text.isascii() and 1 <= int(text[4:]) <= 12:
        return int(text)
    raise ReleaseError(file.name, line, f"{what} as a month YYYYMM, found {text[:20]!r}")


def read_postcodes(file: DataFile, source: Source) -> Iterator[PostcodeRow]:
    """The postcodes of one directory file, in file order; ``source`` counts them."""
    rows = file.rows(source)
    first = next(rows, None)
    if first is None:
        return
    names = [name.strip().lower().lstrip("\ufeff") for name in first[1]]
    postcode = next((names.index(n) for n in _POSTCODE_NAMES if n in names), None)
    if postcode is not None:
        source.kind = "postcodes:library" if names[postcode] == "postcode" else "postcodes:onspd"
        introduced = names.index("dointr") if "dointr" in names else None
        terminated = names.index("doterm") if "doterm" in names else None
        width, body = len(names), rows
    elif len(first[1]) >= _GRIDALL_FIELDS:
        source.kind = "postcodes:nhspd"
        postcode, introduced, terminated = 1, 2, 3
        width, body = len(first[1]), itertools.chain((first,), rows)
    else:
        raise ReleaseError(file.name, 1, "a postcode directory: an ONSPD header naming pcds "
                           f"(or pcd, pcd7), a postcode header, or {_GRIDALL_FIELDS} or more "
                           f"fields (NHSPD gridall); found {len(first[1])} fields")
    for line, fields in body:
        if len(fields) != width:
            raise ReleaseError(file.name, line, f"{width} fields, found {len(fields)}")
        text = fields[postcode]
        if not text.strip():
            raise ReleaseError(file.name, line, "a postcode")
        source.rows += 1
        yield (
            postcode_key(text),
            None if introduced is None else _month(fields[introduced], file, line, "dointr"),
            None if terminated is None else _month(fields[terminated], file, line, "doterm"),
        )

