"""REFERRER CODE (an8): the format check of rule DIDS023 and the type of referrer.

The trimmed value is matched, case-insensitively and as a whole, against the patterns of
``codes/referrer_code_formats.csv``. The type is that of the first pattern that matches, in the
file's order; no match gives ``"Not Known"`` and the derived referrer code 99 (national pipeline).

>>> validate(" c1234567 ")
'C1234567'
>>> referrer_type("CD123456"), referrer_type("ZE12345"), referrer_type("Q1234567")
('Dental Consultant', 'GP N.Ireland', 'Not Known')
>>> derived_code("ZE12345")
'99'
"""

from __future__ import annotations

import re
from functools import cache

from dids._data import read_table
from dids.exceptions import InvalidFormat
from dids.identifiers._common import passes, require_text

__all__ = [
    "NOT_KNOWN", "compact", "derived_code", "format_pattern", "is_valid", "referrer_type",
    "validate",
]

#: The type and derived code of a blank or unrecognised referrer code.
NOT_KNOWN = "Not Known"
_DERIVED_NOT_KNOWN = "99"
_TYPE = re.compile(r"Type: (.+?)(?: \(|$)")
# The type classifier accepts Z codes with 1-6 digits; only exactly 6 pass DIDS023
# (codes/referrer_code_formats.csv, row Z[ENSW][0-9]{6}).
_TYPE_PATTERN_OVERRIDES = {"Z[ENSW][0-9]{6}": "Z[ENSW][0-9]{1,6}"}


def _formats() -> list[tuple[str, str]]:
    """Each format's pattern and meaning, in the file's order (not the bracketed notes)."""
    return [(row["pattern"], row["meaning"]) for row in read_table(
        "codes/referrer_code_formats.csv") if not row["pattern"].startswith("(")]


@cache
def _format_pattern() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern, _ in _formats()), re.ASCII)


@cache
def _typed_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The pattern of each format that names a type of referrer, with the type (compiled only
    when asked: validation needs none of them)."""
    typed = []
    for pattern, meaning in _formats():
        found = _TYPE.search(meaning)
        if found:
            type_pattern = _TYPE_PATTERN_OVERRIDES.get(pattern, pattern)
            typed.append((re.compile(type_pattern, re.ASCII), found.group(1)))
    return tuple(typed)


def format_pattern() -> re.Pattern[str]:
    """One pattern of every valid REFERRER CODE format (``codes/referrer_code_formats.csv``),
    matched against the compact (upper-case) code by rule DIDS023."""
    return _format_pattern()


def compact(value: str) -> str:
    """Remove surrounding whitespace and upper-case."""
    return require_text(value).strip().upper()


def validate(value: str) -> str:
    """Return the compact code or raise :class:`InvalidFormat` (DIDS023)."""
    code = compact(value)
    if _format_pattern().fullmatch(code) is None:
        raise InvalidFormat
    return code


def is_valid(value: str) -> bool:
    """Say whether ``value`` passes DIDS023; never raises."""
    return passes(validate, value)


def referrer_type(value: str) -> str:
    """The type of referrer (``"Consultant"``, ``"GP"``, ...), ``"Not Known"`` when none fits."""
    code = compact(value)
    for pattern, kind in _typed_patterns():
        if pattern.fullmatch(code):
            return kind
    return NOT_KNOWN


def derived_code(value: str) -> str:
    """The referrer code as used downstream: the value when it passes DIDS023, else ``"99"``."""
    return value.strip() if is_valid(value) else _DERIVED_NOT_KNOWN
