"""Synthetic example submissions bundled with the library (all NHS numbers are 999 test numbers).

========================  =================================================================
``v1_valid.csv``          6 valid v1 records (submit on 2024-04-02)
``v1_invalid.csv``        8 v1 records, each breaking rules (see ``tests/data/*.json``)
``v2_valid.csv``          5 valid v2 records for April 2026, with ``v2_metadata.json``
``v2_invalid.csv``        9 v2 records breaking rules, one row malformed
``v2_metadata.json``      submission metadata (decision D4) for ``v2_valid.csv``
========================  =================================================================

>>> path("v2_valid.csv").name
'v2_valid.csv'
>>> sorted(names())[:2]
['v1_invalid.csv', 'v1_valid.csv']
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["names", "path"]


def names() -> list[str]:
    """The bundled example files."""
    folder = resources.files(__name__)
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".csv", ".json")))


def path(name: str) -> Path:
    """Filesystem path of a bundled example file."""
    if name not in names():
        raise FileNotFoundError(f"no bundled example called {name!r}")
    return Path(str(resources.files(__name__).joinpath(name)))
