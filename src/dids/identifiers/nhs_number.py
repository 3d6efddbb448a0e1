"""NHS NUMBER (n10): the modulus 11 check of rules DIDS001 and DIDS002.

Cleansing removes every whitespace character and hyphen (national v1 pipeline). The check value
is ``11 - (sum of digits 1-9 times weights 10..2) mod 11``; 11 becomes 0 and 10 means no valid
number has those nine digits (``identifiers.md`` section 1).

>>> validate("943-476-5919")
'9434765919'
>>> format("9434765919")
'943 476 5919'
>>> validate("9990000019")
Traceback (most recent call last):
dids.exceptions.InvalidChecksum: The value's check digit does not match.
>>> is_valid("9990000999"), is_valid("9990000999", reject_palindromes=True)
(True, False)
"""

from __future__ import annotations

import re

from dids.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from dids.identifiers._common import is_ascii_digits, passes, require_text

__all__ = ["SENTINELS", "calc_check_digit", "compact", "format", "is_valid", "validate"]

#: Numbers that pass modulus 11 but are placeholders (NHS England data-validation-engine).
SENTINELS = frozenset({"0000000000", "1111111111", "9999999999", "0123456789"})

_SEPARATORS = re.compile(r"[\s\-]+")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def compact(value: str) -> str:
    """Remove all whitespace and hyphens (the DIDS001/DIDS002 cleansing)."""
    return _SEPARATORS.sub("", require_text(value))


def calc_check_digit(digits: str) -> str | None:
    """Return the check digit for nine ASCII digits, or ``None`` when the check value is 10.

    >>> calc_check_digit("943476591")
    '9'
    >>> calc_check_digit("999123456") is None
    True
    """
    total = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=False))
    check = 11 - total % 11
    if check == 11:
        return "0"
    if check == 10:
        return None
    return str(check)


def validate(
    value: str, *, reject_palindromes: bool = False, reject_sentinels: bool = False
) -> str:
    """Return the compact NHS number or raise a ``ValidationError`` subclass.

    ``reject_palindromes`` applies the national pipeline's extra DIDS001 check (digits 1-5 equal
    digits 6-10 reversed); ``reject_sentinels`` rejects :data:`SENTINELS`. Both are off by default.
    """
    number = compact(value)
    if len(number) != 10:
        raise InvalidLength
    if not is_ascii_digits(number):
        raise InvalidFormat
    if calc_check_digit(number[:9]) != number[9]:
        raise InvalidChecksum
    if reject_palindromes and number[:5] == number[:4:-1]:
        raise InvalidComponent
    if reject_sentinels and number in SENTINELS:
        raise InvalidComponent
    return number


def is_valid(
    value: str, *, reject_palindromes: bool = False, reject_sentinels: bool = False
) -> bool:
    """Say whether ``value`` is a valid NHS number; never raises."""
    return passes(validate, value, reject_palindromes=reject_palindromes,
                  reject_sentinels=reject_sentinels)


def format(value: str) -> str:
    """Display form ``3 3 4``: ``943 476 5919``."""
    number = compact(value)
    return f"{number[:3]} {number[3:6]} {number[6:]}"
