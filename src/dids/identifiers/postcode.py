"""POSTCODE OF USUAL ADDRESS (max an8): the format check of rule DIDS017.

Outward code, one space, inward code, upper-cased, matched against the DIDS XML data-type
pattern. ZZ99 pseudo postcodes (``codes/postcode_pseudo_codes.csv``) are recognised first,
because ``ZZ99 3VZ`` does not match that pattern. The national DIDS017 pattern is not published
(assumption, ``identifiers.md`` section 6).

>>> validate("ls1 4ap")
'LS1 4AP'
>>> is_valid("LS14AP"), is_pseudo("ZZ99 3VZ"), is_valid("ZZ99 3VZ")
(False, True, True)
>>> format("ls14ap")
'LS1 4AP'
"""

from __future__ import annotations

import re

from dids.exceptions import InvalidFormat, InvalidLength
from dids.identifiers._common import passes, require_text

__all__ = ["SHAPE", "compact", "format", "is_pseudo", "is_valid", "is_zz99", "validate"]

#: The DIDS XML data-type pattern, upper case with one space: what rule DIDS017 accepts
#: besides ZZ99 pseudo codes (assumption, ``identifiers.md`` section 6).
SHAPE = r"[A-Z]{1,2}[0-9R][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}"
_PATTERN = re.compile(SHAPE + r"\Z")
_PSEUDO = re.compile(r"ZZ99 [0-9][A-Z]Z\Z")


def compact(value: str) -> str:
    """Remove surrounding whitespace and upper-case (the inner space is part of the format)."""
    return require_text(value).strip().upper()


def is_zz99(value: str) -> bool:
    """True when the value begins with ZZ99, in any letter case (rules DIDS016 and DIDS074)."""
    return isinstance(value, str) and value.strip()[:4].upper() == "ZZ99"


def is_pseudo(value: str) -> bool:
    """True for a well-formed ZZ99 pseudo postcode (``ZZ99``, space, digit, letter, ``Z``)."""
    return isinstance(value, str) and _PSEUDO.match(compact(value)) is not None


def validate(value: str) -> str:
    """Return the compact postcode or raise a ``ValidationError`` subclass (DIDS017)."""
    code = compact(value)
    if len(code) > 8 or not code:
        raise InvalidLength
    if not code.isascii() or (_PSEUDO.match(code) is None and _PATTERN.match(code) is None):
        raise InvalidFormat
    return code


def is_valid(value: str) -> bool:
    """Say whether ``value`` passes DIDS017; never raises."""
    return passes(validate, value)


def format(value: str) -> str:
    """Display form with one space before the 3-character inward code: ``LS1 4AP``."""
    code = "".join(compact(value).split())
    return f"{code[:-3]} {code[-3:]}"
