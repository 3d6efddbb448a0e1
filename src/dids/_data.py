"""Access to the bundled standard (``dids/data``, see its ``PROVENANCE.md``)."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources


@cache
def read_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a bundled CSV file, e.g. ``"items-v2.csv"`` or ``"codes/ethnic_category.csv"``."""
    text = resources.files("dids").joinpath("data", *name.split("/")).read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))
