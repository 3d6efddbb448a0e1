"""dids: the reference implementation of NHS England's Diagnostic Imaging Data Set (DIDS).

DIDS v2.0 (information standard DAPB1577, activity from 1 April 2026) and v1 (ISB 1577, activity
to March 2026): the data-item catalogue, code lists, identifier validators and typed records.

>>> import dids
>>> dids.V2["accession_number"].name
'RADIOLOGICAL ACCESSION NUMBER'

Names load on first use, so that ``import dids`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from dids.catalogue import V1, V2, DataItem, Layout, layout
    from dids.records import RecordV1, RecordV2
    from dids.validate import Issue, Report, validate_file

_LAZY = {
    "V1": "dids.catalogue",
    "V2": "dids.catalogue",
    "DataItem": "dids.catalogue",
    "Layout": "dids.catalogue",
    "layout": "dids.catalogue",
    "RecordV1": "dids.records",
    "RecordV2": "dids.records",
    "Issue": "dids.validate",
    "Report": "dids.validate",
    "validate_file": "dids.validate",
}

__all__ = [
    "V1",
    "V2",
    "DataItem",
    "Issue",
    "Layout",
    "RecordV1",
    "RecordV2",
    "Report",
    "__version__",
    "layout",
    "validate_file",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dids' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
