"""SNOMED CT concept identifiers (CODED PROCEDURE (SNOMED CT), IMAGING CODE (SNOMED CT)).

6 to 18 ASCII digits (Data Dictionary min n6 max n18), no leading zero, partition identifier
``00`` or ``10`` (a concept), and a Verhoeff check digit (SNOMED CT identifier specification).
Shape is not membership: the code must also be in the reference data (DIDS059, DIDS00300402).

>>> validate("22298006")
'22298006'
>>> partition("334531000000104")
'10'
>>> calc_check_digit("2229800")
'6'
>>> validate("71651011")
Traceback (most recent call last):
dids.exceptions.InvalidComponent: One of the parts of the value is not valid.
"""

from __future__ import annotations

from dids.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from dids.identifiers._common import is_ascii_digits, passes, require_text

__all__ = [
    "CONCEPT_PARTITIONS",
    "calc_check_digit",
    "compact",
    "is_valid",
    "partition",
    "validate",
]

#: Partition identifiers of concepts, short and long format (codes/snomed_partition_identifiers).
CONCEPT_PARTITIONS = frozenset({"00", "10"})

_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def _verhoeff(digits: str, start: int) -> int:
    check = 0
    for i, digit in enumerate(reversed(digits), start):
        check = _D[check][_P[i % 8][ord(digit) - 48]]
    return check


def compact(value: str) -> str:
    """Remove surrounding whitespace."""
    return require_text(value).strip()


def calc_check_digit(body: str) -> str:
    """Verhoeff check digit for an identifier body given without its check digit."""
    if not is_ascii_digits(body):
        raise InvalidFormat
    return str(_INV[_verhoeff(body, 1)])


def partition(value: str) -> str:
    """The partition identifier: digits 2 and 3 from the right."""
    return compact(value)[-3:-1]


def validate(value: str) -> str:
    """Return the compact identifier or raise a ``ValidationError`` subclass."""
    code = compact(value)
    if not is_ascii_digits(code):
        raise InvalidFormat
    if not 6 <= len(code) <= 18:
        raise InvalidLength
    if code[0] == "0":
        raise InvalidFormat
    if code[-3:-1] not in CONCEPT_PARTITIONS:
        raise InvalidComponent
    if _verhoeff(code, 0) != 0:
        raise InvalidChecksum
    return code


def is_valid(value: str) -> bool:
    """Say whether ``value`` is a well-formed SNOMED CT concept identifier; never raises."""
    return passes(validate, value)
