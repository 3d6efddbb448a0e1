"""Access to the bundled standard (``dids/data``, see its ``PROVENANCE.md``)."""

from __future__ import annotations

import csv
import os
from functools import cache

#: The folder of the bundled files, next to this module (the package is installed as files:
#: ``importlib.resources`` would add some 7 ms to every start for nothing).
_DATA = os.path.join(os.path.dirname(__file__), "data")


@cache
def read_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a bundled CSV file, e.g. ``"items-v2.csv"`` or ``"codes/ethnic_category.csv"``."""
    with open(os.path.join(_DATA, *name.split("/")), encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))
