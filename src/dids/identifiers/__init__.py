"""Identifier validators in the python-stdnum style.

Each module offers ``compact(value)`` (clean separators), ``validate(value)`` (return the compact
form or raise a :class:`dids.exceptions.ValidationError` subclass), ``is_valid(value)`` (never
raises) and, where a display form exists, ``format(value)``. Every module satisfies
:class:`Identifier`. Messages never contain the input.

>>> from dids.identifiers import nhs_number
>>> nhs_number.validate("943 476 5919")
'9434765919'
>>> nhs_number.is_valid("9990000019")
False
"""

from __future__ import annotations

from typing import Protocol

from dids.identifiers import (
    accession_number,
    nhs_number,
    nicip,
    ods,
    postcode,
    referrer,
    snomed_ct,
)

__all__ = [
    "Identifier",
    "accession_number",
    "nhs_number",
    "nicip",
    "ods",
    "postcode",
    "referrer",
    "snomed_ct",
]


class Identifier(Protocol):
    """What every identifier module offers."""

    def compact(self, value: str) -> str:
        """Return the value without separators and surrounding spaces."""

    def validate(self, value: str) -> str:
        """Return the compact value, or raise a ``ValidationError`` subclass."""

    def is_valid(self, value: str) -> bool:
        """Say whether ``validate`` would succeed; never raises."""
