"""NICIP codes (CODED PROCEDURE (NICIP), IMAGING CODE (NICIP)).

At most 6 characters (max an6), upper-cased before use (national pipeline). The character set
``[A-Z0-9]`` is INFERRED (``identifiers.md`` section 3). Shape is not membership: the code must
also be in the reference data (DIDS057, DIDS00300302).

>>> validate(" xches ")
'XCHES'
>>> is_valid("X-CHE"), is_valid("XCHEST1")
(False, False)
"""

from __future__ import annotations

from dids.exceptions import InvalidFormat, InvalidLength
from dids.identifiers._common import is_ascii_alnum, passes, require_text

__all__ = ["compact", "is_valid", "validate"]


def compact(value: str) -> str:
    """Remove surrounding whitespace and upper-case."""
    return require_text(value).strip().upper()


def validate(value: str) -> str:
    """Return the compact code or raise a ``ValidationError`` subclass."""
    code = compact(value)
    if not code or len(code) > 6:
        raise InvalidLength
    if not is_ascii_alnum(code):
        raise InvalidFormat
    return code


def is_valid(value: str) -> bool:
    """Say whether ``value`` is a well-formed NICIP code; never raises."""
    return passes(validate, value)
