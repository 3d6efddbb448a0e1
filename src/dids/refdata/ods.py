"""Readers of the NHS ODS organisation files (DIDS018, DIDS024, DIDS068, DIDS079-DIDS081).

The "standard 27-field" files (``etr``, ``ets``, ``epraccur``, ``egpcur`` and the same
positions from the ODS Data Search and Export reports) are headerless CSV with dates
``YYYYMMDD``: position 1 the code, 11 the open date, 12 the close date, 26 the prescribing
setting of a practice (``4`` = GP practice; in the Data Search and Export copy, role codes
such as ``RO76``). ``econcur`` (hospital consultants) has 13 fields, the consultant code at
position 2 and the employing organisation at 8. The library's own CSV layout
(``code,roles,open_date,close_date``, dates ``YYYY-MM-DD``) is read too.

Roles (assumption, as the national role list behind DIDS024 is not published): every
organisation of a 27-field organisation file may refer; ``ets`` rows are sites; a practice of
``epraccur`` is a GP practice when its prescribing setting is 4 (or it holds role ``RO76``),
otherwise a prescribing cost centre. ``egpcur`` and ``econcur`` list people (GPs and
consultants), kept apart from organisations.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date

import attrs

from dids._entries import GP_PRACTICE, PRESCRIBING_COST_CENTRE, REFERRING, SITE, Organisation
from dids.refdata._sources import DataFile, ReleaseError, Source, day_of

__all__ = ["Practitioner", "kind_of", "read_ods"]

#: The ODS files whose kind a name tells, and the roles their organisations hold.
_KIND_ROLES: dict[str, frozenset[str] | None] = {
    "epraccur": None,  # from the prescribing setting
    "etr": frozenset({REFERRING}),
    "ets": frozenset({SITE, REFERRING}),
    "egpcur": None,  # people
    "econcur": None,  # people
    "edconcur": None,  # people
}
_NAMED = re.compile(r"(epraccur|egpcur|edconcur|econcur|etr|ets)(?![a-z])")
_ORGANISATION_FIELDS, _CONSULTANT_FIELDS = 27, 13
#: Prescribing settings (position 26) and Data Search and Export role codes of a GP practice.
_GP_SETTINGS = frozenset({"4", "RO76"})
_LIBRARY_COLUMNS = ("code", "roles", "open_date", "close_date")


@attrs.frozen
class Practitioner:
    """A GP (``egpcur``) or consultant (``econcur``) and the organisation they belong to."""

    code: str
    organisation: str | None = None
    open_date: date | None = None
    close_date: date | None = None


def kind_of(file: DataFile, first: list[str]) -> str:
    """The kind of an ODS file: from its name (``etr``, ``ets``, ``epraccur``, ``egpcur``,
    ``econcur``, ``edconcur``), else ``library`` for a ``code`` header, else from the column
    count of its first row: 27 an organisation file, 13 a consultant file."""
    named = _NAMED.match(file.base.lower())
    if named:
        return named[1]
    if first and first[0].strip().lower().lstrip("\ufeff") == "code":
        return "library"
    if len(first) == _ORGANISATION_FIELDS:
        return "organisations"
    if len(first) == _CONSULTANT_FIELDS:
        return "econcur"
    raise ReleaseError(file.name, 1, "an ODS file: a name such as etr.csv or epraccur.csv, "
                       f"or rows of {_ORGANISATION_FIELDS} fields (organisations) or "
                       f"{_CONSULTANT_FIELDS} (consultants), or a code,roles,... header; "
                       f"found {len(first)} fields")


def read_ods(file: DataFile, source: Source) -> Iterator[Organisation | Practitioner]:
    """The organisations or people of one ODS file, in file order; ``source`` counts them."""
    rows = file.rows(source, fallback="cp1252")
    first = next(rows, None)
    if first is None:
        return
    kind = kind_of(file, first[1])
    source.kind = f"ods:{kind}"
    if kind == "library":
        yield from _library(file, first[1], rows, source)
        return
    width = _CONSULTANT_FIELDS if kind in ("econcur", "edconcur") else _ORGANISATION_FIELDS
    for line, fields in itertools.chain((first,), rows):
        if len(fields) != width:
            raise ReleaseError(file.name, line,
                               f"{width} fields (ODS {kind}), found {len(fields)}")
        code = fields[0 if width == _ORGANISATION_FIELDS else 1].strip().upper()
        if not code:
            raise ReleaseError(file.name, line, "an organisation or practitioner code")
        source.rows += 1
        if width == _CONSULTANT_FIELDS:
            yield Practitioner(code, fields[7].strip().upper() or None)
            continue
        opened = day_of(fields[10], file, line, "the open date (field 11)")
        closed = day_of(fields[11], file, line, "the close date (field 12)")
        if kind == "egpcur":
            yield Practitioner(code, fields[14].strip().upper() or None, opened, closed)
            continue
        roles = _KIND_ROLES.get(kind)
        if roles is None:  # epraccur, or an organisation file whose name says nothing
            roles = _practice_roles(fields[25]) if kind == "epraccur" else frozenset({REFERRING})
        yield Organisation(code, roles, opened, closed)


def _practice_roles(setting: str) -> frozenset[str]:
    settings = {part.strip().upper() for part in setting.split("|")}
    role = GP_PRACTICE if settings & _GP_SETTINGS else PRESCRIBING_COST_CENTRE
    return frozenset({role, REFERRING})



def _library(file: DataFile, header: list[str], rows: Iterator[tuple[int, list[str]]],
             source: Source) -> Iterator[Organisation]:
    names = [name.strip().lower().lstrip("\ufeff") for name in header]
    where: dict[str, int] = {name: names.index(name) for name in _LIBRARY_COLUMNS
                             if name in names}

    def field(fields: list[str], name: str) -> str:
        index = where.get(name)
        return fields[index] if index is not None and index < len(fields) else ""

    for line, fields in rows:
        code = field(fields, "code").strip().upper()
        if not code:
            raise ReleaseError(file.name, line, "a code")
        roles = frozenset(r.strip() for r in field(fields, "roles").split(";") if r.strip())
        source.rows += 1
        yield Organisation(code, roles,
                           day_of(field(fields, "open_date"), file, line, "open_date", iso=True),
                           day_of(field(fields, "close_date"), file, line, "close_date",
                                  iso=True))
