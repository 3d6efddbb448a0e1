"""One SQLite file of national reference data, built from the published releases, and the
providers that answer the reference rules from it without loading it into memory.

Tables: ``organisations`` (code, roles, open and close dates), ``practitioners`` (GPs and
consultants, kept for reference; no rule reads them), ``postcodes`` (with the months of
introduction and termination), ``codes`` (NICIP and SNOMED CT codes with their active dates and
each NICIP code's SNOMED CT concept), ``sources`` (where each part came from: file, release,
rows, SHA-256) and ``meta``. Dates are integers ``YYYYMMDD`` (postcode months ``YYYYMM``).
"""

from __future__ import annotations

import functools
import operator
import os
import sqlite3
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import attrs

from dids._entries import Organisation, ReferenceCode
from dids.refdata._sources import ReleaseError, Source, data_files
from dids.refdata.nicip import read_codes
from dids.refdata.ods import Practitioner, read_ods
from dids.refdata.postcodes import read_postcodes
from dids.refdata.snomed import read_snomed

__all__ = ["STORE_FORMAT", "ReferenceStore", "StoreError", "build_store"]

#: The layout of the store's tables; a store of another layout is refused.
STORE_FORMAT = "1"
#: Values asked about in one query (below SQLite's smallest limit of 999 parameters).
_BATCH = 500

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (kind TEXT NOT NULL, file TEXT NOT NULL, release TEXT,
                      rows INTEGER NOT NULL, sha256 TEXT NOT NULL);
CREATE TABLE organisations (code TEXT PRIMARY KEY, roles TEXT NOT NULL,
                            open_date INTEGER, close_date INTEGER) WITHOUT ROWID;
CREATE TABLE practitioners (code TEXT PRIMARY KEY, organisation TEXT,
                            open_date INTEGER, close_date INTEGER) WITHOUT ROWID;
CREATE TABLE postcodes (postcode TEXT PRIMARY KEY, introduced INTEGER, terminated INTEGER)
    WITHOUT ROWID;
CREATE TABLE codes (system TEXT NOT NULL, code TEXT NOT NULL, active_from INTEGER,
                    inactive_from INTEGER, maps_to TEXT, PRIMARY KEY (system, code))
    WITHOUT ROWID;
"""
#: A postcode listed by two directories keeps its earliest introduction, and is live when
#: either says so.
_UPSERT_POSTCODE = """
INSERT INTO postcodes VALUES (?, ?, ?) ON CONFLICT (postcode) DO UPDATE SET
    introduced = min(coalesce(introduced, excluded.introduced),
                     coalesce(excluded.introduced, introduced)),
    terminated = CASE WHEN terminated IS NULL OR excluded.terminated IS NULL THEN NULL
                      ELSE max(terminated, excluded.terminated) END
"""


class StoreError(ReleaseError):
    """A file is not a reference store this library can read."""


def _number(day: date | None) -> int | None:
    return None if day is None else day.year * 10000 + day.month * 100 + day.day


def _day(number: int | None) -> date | None:
    return None if number is None else date(number // 10000, number // 100 % 100, number % 100)


def build_store(
    output: str | os.PathLike[str],
    *,
    ods: Iterable[str | os.PathLike[str]] = (),
    postcodes: Iterable[str | os.PathLike[str]] = (),
    snomed: Iterable[str | os.PathLike[str]] = (),
    nicip: Iterable[str | os.PathLike[str]] = (),
    nicip_columns: Mapping[str, str] | None = None,
) -> list[Source]:
    """Build the store ``output`` from release files (each a plain file, a zip or a folder)
    and return the sources read: ODS for DIDS018, DIDS024, DIDS068 and DIDS079-DIDS081,
    postcode directories for DIDS016, NICIP and SNOMED CT for DIDS057, DIDS059, DIDS077,
    DIDS078, DIDS082 (v1) and DIDS00300302, DIDS00300402, DIDSREJ012 (v2). The store is
    written to a temporary file beside ``output`` and renamed at the end: a build that fails
    (:class:`ReleaseError`, naming the file and line) leaves no store, and leaves an older
    ``output`` as it was."""
    output = Path(output)
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".partial",
                                         dir=output.parent)
    os.close(handle)
    try:
        db = sqlite3.connect(temporary)
        try:
            sources = _build(db, list(ods), list(postcodes), list(snomed), list(nicip),
                             nicip_columns)
        finally:
            db.close()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return sources


def _build(db: sqlite3.Connection, ods: list[Any], postcodes: list[Any], snomed: list[Any],
           nicip: list[Any], nicip_columns: Mapping[str, str] | None) -> list[Source]:
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                     "PRAGMA cache_size = -65536;" + _SCHEMA)
    sources: list[Source] = []

    def read(paths: list[Any], reader: Any, kind: str, **options: Any) -> Iterator[Any]:
        for path in paths:
            for file in data_files(path):
                source = Source(kind, file.name)
                sources.append(source)
                yield from reader(file, source, **options)

    organisations: dict[str, Organisation] = {}
    practitioners: dict[str, Practitioner] = {}
    for found in read(ods, read_ods, "ods"):
        if isinstance(found, Practitioner):
            practitioners[found.code] = found
        else:
            organisations[found.code] = _merged(organisations.get(found.code), found)
    db.executemany("INSERT INTO organisations VALUES (?, ?, ?, ?)", (
        (o.code, ";".join(sorted(o.roles)), _number(o.open_date), _number(o.close_date))
        for o in sorted(organisations.values(), key=lambda o: o.code)))
    db.executemany("INSERT INTO practitioners VALUES (?, ?, ?, ?)", (
        (p.code, p.organisation, _number(p.open_date), _number(p.close_date))
        for p in sorted(practitioners.values(), key=lambda p: p.code)))
    db.executemany(_UPSERT_POSTCODE, read(postcodes, read_postcodes, "postcodes"))
    codes = {entry.code: entry for entry in read(nicip, read_codes, "nicip",
                                                 columns=nicip_columns)}
    members: dict[str, ReferenceCode] = {}
    for path in snomed:
        members.update(read_snomed(path, sources))
    for system, entries in (("nicip", codes), ("snomed_ct", members)):
        db.executemany("INSERT INTO codes VALUES (?, ?, ?, ?, ?)", (
            (system, e.code, _number(e.active_from), _number(e.inactive_from), e.maps_to)
            for e in sorted(entries.values(), key=lambda e: e.code)))
    db.executemany("INSERT INTO sources VALUES (?, ?, ?, ?, ?)", (
        (s.kind, s.file, s.release, s.rows, s.sha256) for s in sources))
    from dids import __version__

    db.executemany("INSERT INTO meta VALUES (?, ?)", [
        ("format", STORE_FORMAT), ("dids", __version__),
        ("built", datetime.now(timezone.utc).isoformat(timespec="seconds"))])
    db.commit()
    return sources


def _merged(known: Organisation | None, found: Organisation) -> Organisation:
    """An organisation listed by two files: the roles of both, open from the earlier open
    date, and open still when either has no close date."""
    if known is None:
        return found
    opened = [d for d in (known.open_date, found.open_date) if d is not None]
    closed = None if known.close_date is None or found.close_date is None else max(
        known.close_date, found.close_date)
    return Organisation(found.code, known.roles | found.roles, min(opened, default=None), closed)


@attrs.frozen
class StoreInfo:
    """What a store holds: when it was built, its sources and the rows of each table."""

    path: str
    built: str
    dids: str
    sources: tuple[Source, ...]
    counts: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the store's file name, build time and sources (the report's
        ``reference`` entry)."""
        return {"store": Path(self.path).name, "built": self.built,
                "sources": [attrs.asdict(source) for source in self.sources]}


class ReferenceStore:
    """An open reference store (read only): its :meth:`info` and :meth:`providers`
    (:meth:`dids.reference.ReferenceData.from_sqlite` opens one)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        name = Path(self.path).name
        if not Path(self.path).is_file():
            raise StoreError(name, None, "a reference store built by 'dids reference build'")
        uri = Path(self.path).resolve().as_uri() + "?mode=ro"
        try:
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError:
            raise StoreError(name, None, "a reference store built by 'dids reference build'"
                             ) from None
        if meta.get("format") != STORE_FORMAT:
            raise StoreError(name, None, f"a reference store of format {STORE_FORMAT}, found "
                             f"{meta.get('format')!r}: build it again")
        self._meta = meta

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection (read only)."""
        return self._db

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of a query; :class:`StoreError` when the store cannot answer it (a damaged
        or truncated file)."""
        try:
            return self._db.execute(sql, parameters).fetchall()
        except sqlite3.DatabaseError as error:
            raise StoreError(Path(self.path).name, None,
                             f"a readable reference store ({error})") from None

    def __reduce__(self) -> tuple[type[ReferenceStore], tuple[str]]:
        """Pickled as its path, opened again where it is unpickled (a Spark task)."""
        return ReferenceStore, (self.path,)

    def info(self, *, counts: bool = True) -> StoreInfo:
        """The store's provenance and size (the rows of each table, unless not ``counts``:
        counting reads every row of the postcodes)."""
        sources = tuple(Source(*row) for row in self.query(
            "SELECT kind, file, release, rows, sha256 FROM sources ORDER BY rowid"))
        counted: dict[str, int] = {}
        if counts:
            counted = {table: self.query(f"SELECT count(*) FROM {table}")[0][0]
                       for table in ("organisations", "practitioners", "postcodes")}
            for system, count in self.query(
                    "SELECT system, count(*) FROM codes GROUP BY system ORDER BY system"):
                counted[system] = count
        return StoreInfo(self.path, self._meta.get("built", ""), self._meta.get("dids", ""),
                         sources, counted)

    def providers(self) -> dict[str, Any]:
        """The providers of the parts the store holds (``None`` for a part with no rows), by
        :class:`~dids.reference.ReferenceData` field."""
        def holds(table: str, where: str = "", *parameters: str) -> bool:
            return bool(self.query(f"SELECT EXISTS (SELECT 1 FROM {table} {where})",
                                   parameters)[0][0])

        def codes(system: str) -> _StoreCodes | None:
            return _StoreCodes(self, system) if holds("codes", "WHERE system = ?", system) else None

        return {
            "nicip": codes("nicip"),
            "snomed_ct": codes("snomed_ct"),
            "organisations": _StoreOrganisations(self) if holds("organisations") else None,
            "postcodes": _StorePostcodes(self) if holds("postcodes") else None,
        }


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _BATCH):
        yield values[start:start + _BATCH]


def _marks(count: int) -> str:
    return ",".join("?" * count)


@functools.lru_cache(maxsize=1 << 12)
def _day_of(number: int | None) -> date | None:
    """:func:`_day`, shared: the entries a cache holds share their dates."""
    return _day(number)


@functools.lru_cache(maxsize=64)
def _roles(text: str) -> frozenset[str]:
    return frozenset(filter(None, text.split(";")))


def _asked(values: Collection[str], normal: Callable[[str], str],
           query: Callable[[Sequence[str]], Sequence[tuple[Any, ...]]]
           ) -> dict[str, tuple[Any, ...]]:
    """The rows ``query`` finds for ``values``, by value: each asked as given, then those not
    found whose ``normal`` form differs asked in that form (a batch is a query or two for
    each 500, asked in order: neighbouring values share the store's pages)."""
    found: dict[str, tuple[Any, ...]] = {}
    for chunk in _chunks(sorted(values)):
        rows = query(chunk)
        found.update(zip(map(_first, rows), rows, strict=True))
    again = {value: key for value in set(values) - found.keys()
             if (key := normal(value)) != value}
    if again:
        by_key: dict[str, tuple[Any, ...]] = {}
        for chunk in _chunks(sorted(set(again.values()))):
            rows = query(chunk)
            by_key.update(zip(map(_first, rows), rows, strict=True))
        found.update((value, by_key[key]) for value, key in again.items() if key in by_key)
    return found


_first = operator.itemgetter(0)


def _code_key(code: str) -> str:
    return code.strip().upper()


def _postcode_key(postcode: str) -> str:
    return " ".join(postcode.upper().split())


class _StoreCodes:
    """NICIP or SNOMED CT codes of a store (a :class:`~dids.reference.BatchCodeReference`)."""

    def __init__(self, store: ReferenceStore, system: str) -> None:
        self._store, self._system = store, system

    def lookup(self, code: str) -> ReferenceCode | None:
        """The entry of ``code`` (compared trimmed and upper-cased)."""
        return self.lookup_many((code,))[code]

    def lookup_many(self, codes: Collection[str]) -> dict[str, ReferenceCode | None]:
        """:meth:`lookup` of each of ``codes``, in one query for each 500."""
        def query(chunk: Sequence[str]) -> list[tuple[Any, ...]]:
            return self._store.query(
                "SELECT code, active_from, inactive_from, maps_to FROM codes "
                f"WHERE system = ? AND code IN ({_marks(len(chunk))})", (self._system, *chunk))

        found = _asked(codes, _code_key, query)
        return {code: ReferenceCode(row[0], _day_of(row[1]), _day_of(row[2]), row[3])
                if (row := found.get(code)) else None for code in codes}


class _StoreOrganisations:
    """Organisations of a store (a :class:`~dids.reference.BatchOrganisationReference`)."""

    def __init__(self, store: ReferenceStore) -> None:
        self._store = store

    def lookup(self, code: str) -> Organisation | None:
        """The organisation of ``code`` (compared trimmed and upper-cased)."""
        return self.lookup_many((code,))[code]

    def lookup_many(self, codes: Collection[str]) -> dict[str, Organisation | None]:
        """:meth:`lookup` of each of ``codes``, in one query for each 500."""
        def query(chunk: Sequence[str]) -> list[tuple[Any, ...]]:
            return self._store.query(
                "SELECT code, roles, open_date, close_date FROM organisations "
                f"WHERE code IN ({_marks(len(chunk))})", chunk)

        found = _asked(codes, _code_key, query)
        return {code: Organisation(row[0], _roles(row[1]), _day_of(row[2]), _day_of(row[3]))
                if (row := found.get(code)) else None for code in codes}


class _StorePostcodes:
    """Postcodes of a store (a :class:`~dids.reference.BatchPostcodeReference`)."""

    def __init__(self, store: ReferenceStore) -> None:
        self._store = store

    def __contains__(self, postcode: object) -> bool:
        return isinstance(postcode, str) and bool(self.known((postcode,)))

    def known(self, postcodes: Collection[str]) -> set[str]:
        """Those of ``postcodes`` in the store (compared upper-cased, spaces as one), in one
        query for each 500."""
        def query(chunk: Sequence[str]) -> list[tuple[Any, ...]]:
            return self._store.query(
                f"SELECT postcode FROM postcodes WHERE postcode IN ({_marks(len(chunk))})",
                chunk)

        return set(_asked(postcodes, _postcode_key, query))
