"""RADIOLOGICAL ACCESSION NUMBER (max an20): rules DIDS070 and DIDS072.

Any characters, spaces included (DICOM accession numbers); 1 to 20 after trimming.

>>> validate(" RIS 2024 000123 ")
'RIS 2024 000123'
>>> is_valid("A" * 21)
False
"""

from __future__ import annotations

from dids.exceptions import InvalidLength
from dids.identifiers._common import passes, require_text

__all__ = ["MAX_LENGTH", "compact", "is_valid", "validate"]

#: DIDS072: at most 20 characters.
MAX_LENGTH = 20


def compact(value: str) -> str:
    """Remove surrounding whitespace (inner spaces are part of the number)."""
    return require_text(value).strip()


def validate(value: str) -> str:
    """Return the trimmed accession number or raise :class:`InvalidLength`."""
    number = compact(value)
    if not 1 <= len(number) <= MAX_LENGTH:
        raise InvalidLength
    return number


def is_valid(value: str) -> bool:
    """Say whether ``value`` is a valid accession number; never raises."""
    return passes(validate, value)
