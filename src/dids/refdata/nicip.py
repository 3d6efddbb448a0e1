"""Reader of NICIP code tables (DIDS057, DIDS077, DIDS082 in v1; DIDS00300302, DIDSREJ012
in v2), and of the library's own code CSV layout.

The layout of the NICIP release on TRUD is not published (see the reference-data notes), so
the reader takes a CSV or tab-separated table with a header row and finds its columns by name
(assumption, documented on the assumptions page):

========================  ======================================================================
part                      header names tried, in order (case, spaces and hyphens ignored)
========================  ======================================================================
``code``                  ``nicip_id``, ``nicip_code``, ``nicip``, ``code``
``snomed``                ``snomedct_id``, ``snomed_ct_id``, ``snomed_code``, ``snomed``,
                          ``maps_to``
``active_from``           ``eff_from``, ``effective_from``, ``active_from``
``inactive_from``         ``eff_to``, ``effective_to``, ``inactive_from``
========================  ======================================================================

``columns`` names others. An XLSX workbook is read from its first worksheet. Dates are
``YYYYMMDD``, ``YYYY-MM-DD`` or a spreadsheet's day number (a date cell); a blank ``inactive_from``
means still active; the date in it is the first day the code is no longer active. Codes are
upper-cased. A code listed twice keeps its last row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from dids._entries import ReferenceCode
from dids.refdata._sources import DataFile, ReleaseError, Source, day_of

__all__ = ["DEFAULT_COLUMNS", "read_codes"]

#: The header names each part of a code table is looked for under, in order.
DEFAULT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "code": ("nicip_id", "nicip_code", "nicip", "code"),
    "snomed": ("snomedct_id", "snomed_ct_id", "snomed_code", "snomed", "maps_to"),
    "active_from": ("eff_from", "effective_from", "active_from"),
    "inactive_from": ("eff_to", "effective_to", "inactive_from"),
}


def _name(text: str) -> str:
    return text.strip().lstrip("\ufeff").lower().replace(" ", "_").replace("-", "_")


def read_codes(file: DataFile, source: Source, columns: Mapping[str, str] | None = None
               ) -> Iterator[ReferenceCode]:
    """The codes of one table (CSV, tab-separated or XLSX), in file order; ``columns`` maps a
    part (``code``, ``snomed``, ``active_from``, ``inactive_from``) to the header name that
    holds it."""
    delimiter = "\t" if file.base.lower().endswith((".tsv", ".txt", ".tab")) else ","
    rows = file.rows(source, delimiter=delimiter)
    first = next(rows, None)
    if first is None:
        return
    names = [_name(name) for name in first[1]]
    where: dict[str, int] = {}
    for part, tried in DEFAULT_COLUMNS.items():
        if columns and part in columns:
            tried = (_name(columns[part]),)
        found = next((names.index(name) for name in tried if name in names), None)
        if found is not None:
            where[part] = found
        elif columns and part in columns:
            raise ReleaseError(file.name, 1, f"a column {columns[part]!r} ({part}) in the "
                               "header")
    if "code" not in where:
        raise ReleaseError(file.name, 1, "a header naming the code column (one of "
                           f"{', '.join(DEFAULT_COLUMNS['code'])}, or given in the columns)")
    width = len(names)
    for line, fields in rows:
        if len(fields) != width:
            raise ReleaseError(file.name, line, f"{width} fields, found {len(fields)}")
        code = fields[where["code"]].strip().upper()
        if not code:
            raise ReleaseError(file.name, line, "a code")
        source.rows += 1
        yield ReferenceCode(
            code,
            day_of(fields[where["active_from"]], file, line, "active_from", iso=True,
                   spreadsheet=True)
            if "active_from" in where else None,
            day_of(fields[where["inactive_from"]], file, line, "inactive_from", iso=True,
                   spreadsheet=True)
            if "inactive_from" in where else None,
            fields[where["snomed"]].strip() or None if "snomed" in where else None,
        )
