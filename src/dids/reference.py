"""Reference data behind small provider protocols, and simple providers built from CSV files.

Some national rules need reference data that the library does not ship: ODS organisations and
sites (DIDS018, DIDS024, DIDS068, DIDS079-DIDS081), postcodes (DIDS016), the NICIP and SNOMED CT
code sets (DIDS057, DIDS059, DIDS077, DIDS078, DIDS082 in v1; DIDS00300302, DIDS00300402 and
DIDSREJ012 in v2). Without a provider those rules are reported as not checked, once per file.

CSV layouts (UTF-8, with a header line; dates ``YYYY-MM-DD``, blank when unknown):

* codes (NICIP or SNOMED CT): ``code,active_from,inactive_from[,maps_to]``; ``maps_to`` is the
  SNOMED CT code a NICIP code maps to;
* organisations: ``code,roles,open_date,close_date``; ``roles`` is ``;``-separated from
  :data:`ROLES`;
* postcodes: a ``postcode`` column.

Lookups are batched: validation asks each provider about a block's distinct values at once,
so that a provider backed by a database answers a block in one query: the ``Batch``
protocols add ``lookup_many`` and ``known`` to the single lookups. A provider without them is
asked one value at a time (:func:`lookup_many`, :func:`known_postcodes`). :func:`cached` puts a
bounded memory of the answers in front of each provider.
"""

from __future__ import annotations

import csv
import enum
import os
from collections.abc import Collection, Mapping
from datetime import date, timedelta
from typing import Any, Generic, Protocol, TypeVar

import attrs

from dids._entries import (
    GP_PRACTICE,
    PRESCRIBING_COST_CENTRE,
    REFERRING,
    ROLES,
    SITE,
    Organisation,
    ReferenceCode,
)
from dids._values import add_months

__all__ = [
    "GP_PRACTICE",
    "PRESCRIBING_COST_CENTRE",
    "REFERRING",
    "ROLES",
    "SITE",
    "BatchCodeReference",
    "BatchOrganisationReference",
    "BatchPostcodeReference",
    "CodeReference",
    "CodeStatus",
    "CsvCodeReference",
    "CsvOrganisationReference",
    "CsvPostcodeReference",
    "Organisation",
    "OrganisationReference",
    "PostcodeReference",
    "ReferenceCode",
    "ReferenceData",
    "cached",
    "code_status",
    "known_postcodes",
    "lookup_many",
]

class CodeStatus(enum.Enum):
    """A code's standing on a day."""

    UNKNOWN = "unknown"
    ACTIVE = "active"
    GRACE = "grace"
    INACTIVE = "inactive"


def code_status(code: ReferenceCode | None, day: date, version: int) -> CodeStatus:
    """Standing of ``code`` on ``day``: active, inactive but within the grace, or neither.

    The grace after inactivation is 6 calendar months in v1 (DIDS057, DIDS059; boundary
    INFERRED) and 183 days in v2 (DIDS00300302, DIDS00300402).
    """
    if code is None:
        return CodeStatus.UNKNOWN
    if code.active_from is not None and day < code.active_from:
        return CodeStatus.INACTIVE
    if code.inactive_from is None or day < code.inactive_from:
        return CodeStatus.ACTIVE
    if version == 1:
        try:
            in_grace = day <= add_months(code.inactive_from, 6)
        except ValueError:  # the grace ends after 9999-12-31: every later day is in it
            in_grace = True
    else:
        in_grace = day - code.inactive_from <= timedelta(days=183)
    return CodeStatus.GRACE if in_grace else CodeStatus.INACTIVE


class CodeReference(Protocol):
    """Looks up NICIP or SNOMED CT codes."""

    def lookup(self, code: str) -> ReferenceCode | None:
        """The code's entry, or ``None`` when it is not in the reference data."""


class BatchCodeReference(CodeReference, Protocol):
    """A :class:`CodeReference` that answers a batch of codes at once (one query)."""

    def lookup_many(self, codes: Collection[str]) -> Mapping[str, ReferenceCode | None]:
        """:meth:`lookup` of each of ``codes`` (a block's distinct codes), by code."""


class OrganisationReference(Protocol):
    """Looks up ODS organisations, sites and GP practices."""

    def lookup(self, code: str) -> Organisation | None:
        """The organisation, or ``None`` when the code is not in ODS."""


class BatchOrganisationReference(OrganisationReference, Protocol):
    """An :class:`OrganisationReference` that answers a batch of codes at once (one query)."""

    def lookup_many(self, codes: Collection[str]) -> Mapping[str, Organisation | None]:
        """:meth:`lookup` of each of ``codes`` (a block's distinct codes), by code."""


class PostcodeReference(Protocol):
    """Says whether a postcode exists (DIDS016)."""

    def __contains__(self, postcode: object) -> bool:
        """True for a known postcode, given upper-cased with one space."""


class BatchPostcodeReference(PostcodeReference, Protocol):
    """A :class:`PostcodeReference` that answers a batch of postcodes at once (one query)."""

    def known(self, postcodes: Collection[str]) -> set[str]:
        """Those of ``postcodes`` (a block's distinct ones) that exist."""


@attrs.frozen
class ReferenceData:
    """The reference data a validation may use; any part may be missing. ``provenance``
    (JSON-ready: the store and its sources' releases) goes into the report."""

    nicip: CodeReference | None = None
    snomed_ct: CodeReference | None = None
    organisations: OrganisationReference | None = None
    postcodes: PostcodeReference | None = None
    provenance: Mapping[str, Any] | None = None

    @classmethod
    def from_sqlite(cls, path: str | os.PathLike[str]) -> ReferenceData:
        """The providers of a store built by ``dids reference build`` (read only, not loaded
        into memory: each batch of values is one query). Raises
        :class:`dids.refdata.StoreError` when ``path`` is not such a store."""
        from dids.refdata.store import ReferenceStore

        store = ReferenceStore(path)
        return cls(**store.providers(), provenance=store.info(counts=False).to_dict())


def _date(text: str | None) -> date | None:
    text = (text or "").strip()
    return date.fromisoformat(text) if text else None


def _rows(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [
            {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
            for row in csv.DictReader(handle)
        ]


class CsvCodeReference:
    """NICIP or SNOMED CT reference data from a CSV file (``code,active_from,inactive_from``)."""

    def __init__(self, codes: dict[str, ReferenceCode]) -> None:
        self._codes = codes

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str]) -> CsvCodeReference:
        """Read ``code,active_from,inactive_from[,maps_to]``; codes are upper-cased."""
        codes = {}
        for row in _rows(path):
            code = row["code"].upper()
            codes[code] = ReferenceCode(
                code,
                _date(row.get("active_from")),
                _date(row.get("inactive_from")),
                row.get("maps_to") or None,
            )
        return cls(codes)

    def lookup(self, code: str) -> ReferenceCode | None:
        """The entry for ``code`` (compared upper-cased)."""
        return self._codes.get(code.strip().upper())

    def lookup_many(self, codes: Collection[str]) -> dict[str, ReferenceCode | None]:
        """:meth:`lookup` of each of ``codes``."""
        return {code: self.lookup(code) for code in codes}


class CsvOrganisationReference:
    """ODS data from a CSV file (``code,roles,open_date,close_date``)."""

    def __init__(self, organisations: dict[str, Organisation]) -> None:
        self._organisations = organisations

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str]) -> CsvOrganisationReference:
        """Read the file; codes are upper-cased and roles ``;``-separated."""
        organisations = {}
        for row in _rows(path):
            code = row["code"].upper()
            roles = frozenset(r.strip() for r in row.get("roles", "").split(";") if r.strip())
            organisations[code] = Organisation(
                code, roles, _date(row.get("open_date")), _date(row.get("close_date"))
            )
        return cls(organisations)

    def lookup(self, code: str) -> Organisation | None:
        """The organisation for ``code`` (compared upper-cased)."""
        return self._organisations.get(code.strip().upper())

    def lookup_many(self, codes: Collection[str]) -> dict[str, Organisation | None]:
        """:meth:`lookup` of each of ``codes``."""
        return {code: self.lookup(code) for code in codes}


class CsvPostcodeReference:
    """Known postcodes from a CSV file with a ``postcode`` column."""

    def __init__(self, postcodes: frozenset[str]) -> None:
        self._postcodes = postcodes

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str]) -> CsvPostcodeReference:
        """Read the file; postcodes are upper-cased with single spaces."""
        return cls(frozenset(" ".join(r["postcode"].upper().split()) for r in _rows(path)))

    def __contains__(self, postcode: object) -> bool:
        return isinstance(postcode, str) and " ".join(postcode.upper().split()) in self._postcodes

    def known(self, postcodes: Collection[str]) -> set[str]:
        """Those of ``postcodes`` that are known."""
        return {postcode for postcode in postcodes if postcode in self}


_Entry = TypeVar("_Entry")
_Entry_co = TypeVar("_Entry_co", covariant=True)
#: Answers a cache in front of a provider keeps (emptied when full).
_CACHE_LIMIT = 1 << 13


class _Lookups(Protocol[_Entry_co]):
    """A code or organisation provider."""

    def lookup(self, code: str) -> _Entry_co | None:
        """The entry of ``code``."""


def lookup_many(reference: _Lookups[_Entry], codes: Collection[str]
                ) -> Mapping[str, _Entry | None]:
    """``reference.lookup_many(codes)``, or one ``lookup`` a code for a provider written before
    the batched method."""
    batched = getattr(reference, "lookup_many", None)
    if batched is not None:
        return batched(codes)  # type: ignore[no-any-return]
    return {code: reference.lookup(code) for code in codes}


def known_postcodes(reference: PostcodeReference, postcodes: Collection[str]) -> set[str]:
    """``reference.known(postcodes)``, or each asked with ``in`` for a provider without it."""
    batched = getattr(reference, "known", None)
    if batched is not None:
        return batched(postcodes)  # type: ignore[no-any-return]
    return {postcode for postcode in postcodes if postcode in reference}


class _CachedLookups(Generic[_Entry]):
    """A code or organisation provider with a bounded memory of its answers; :meth:`prefetch`
    asks about many codes in one batch."""

    def __init__(self, reference: _Lookups[_Entry]) -> None:
        self._reference = reference
        self._answers: dict[str, _Entry | None] = {}

    def prefetch(self, codes: Collection[str]) -> None:
        """Ask the provider, in one batch, about those of ``codes`` not remembered."""
        missing = [code for code in codes if code not in self._answers]
        if not missing:
            return
        if len(self._answers) + len(missing) > _CACHE_LIMIT:  # emptied: all asked again
            self._answers.clear()
            missing = list(codes)
        found: Mapping[str, _Entry | None] = lookup_many(self._reference, missing)
        self._answers.update(found)

    def lookup(self, code: str) -> _Entry | None:
        """The provider's answer for ``code``, remembered."""
        if code not in self._answers:
            self.prefetch((code,))
        return self._answers[code]

    def lookup_many(self, codes: Collection[str]) -> dict[str, _Entry | None]:
        """:meth:`lookup` of each of ``codes``, asking the provider in one batch."""
        self.prefetch(codes)
        return {code: self._answers[code] for code in codes}


class _CachedPostcodes:
    """A postcode provider with a bounded memory of its answers: the postcodes it said exist
    and those it said do not (together at most :data:`_CACHE_LIMIT`, both emptied when
    full)."""

    def __init__(self, reference: PostcodeReference) -> None:
        self._reference = reference
        self._known: set[str] = set()
        self._unknown: set[str] = set()

    def prefetch(self, postcodes: Collection[str]) -> None:
        """Ask the provider, in one batch, about those of ``postcodes`` not remembered."""
        missing = set(postcodes) - self._known - self._unknown
        if not missing:
            return
        if len(self._known) + len(self._unknown) + len(missing) > _CACHE_LIMIT:
            self._known.clear()  # emptied: all asked again
            self._unknown.clear()
            missing = set(postcodes)
        found = known_postcodes(self._reference, missing)
        self._known |= found
        self._unknown |= missing - found

    def __contains__(self, postcode: object) -> bool:
        if not isinstance(postcode, str):
            return False
        self.prefetch((postcode,))
        return postcode in self._known

    def known(self, postcodes: Collection[str]) -> set[str]:
        """Those of ``postcodes`` that exist, asking the provider in one batch."""
        self.prefetch(postcodes)
        return self._known.intersection(postcodes)


def cached(reference: ReferenceData) -> ReferenceData:
    """``reference`` with a bounded memory (8,192 answers a provider: the distinct values of a
    few blocks) in front of each provider, whose batched methods ask only about what it does
    not remember. Validation uses it, so that each distinct value is asked about once per
    block at most (values that recur across blocks are remembered by the screens)."""
    nicip, snomed_ct, organisations = reference.nicip, reference.snomed_ct, reference.organisations
    return ReferenceData(
        nicip=_CachedLookups(nicip) if nicip else None,
        snomed_ct=_CachedLookups(snomed_ct) if snomed_ct else None,
        organisations=_CachedLookups(organisations) if organisations else None,
        postcodes=_CachedPostcodes(reference.postcodes) if reference.postcodes else None,
        provenance=reference.provenance,
    )
