"""National reference data as published: readers of the ODS, postcode directory, SNOMED CT
RF2 and NICIP releases, and one SQLite store built from them (``dids reference build``) that
answers the reference rules (``dids validate --reference STORE``,
:meth:`dids.reference.ReferenceData.from_sqlite`).

See the guide "Checking against national reference data" for where each release comes from.
"""

from __future__ import annotations

from dids.refdata._sources import ReleaseError, Source
from dids.refdata.store import STORE_FORMAT, ReferenceStore, StoreError, StoreInfo, build_store

__all__ = [
    "STORE_FORMAT",
    "ReferenceStore",
    "ReleaseError",
    "Source",
    "StoreError",
    "StoreInfo",
    "build_store",
]
