"""Exceptions raised by :mod:`dids`.

Every validation failure is a :class:`ValidationError`, itself a :class:`ValueError`. Messages are
class defaults and never contain the value that failed, so that patient identifiers (NHS NUMBER,
PERSON BIRTH DATE, POSTCODE OF USUAL ADDRESS) cannot leak into logs through an exception.
"""

from __future__ import annotations

__all__ = [
    "DidsError",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "ValidationError",
]


class DidsError(Exception):
    """Base class of every exception raised by :mod:`dids`."""


class ValidationError(DidsError, ValueError):
    """A value does not conform to the DIDS format of its data item."""

    message = "The value is not valid."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)


class InvalidFormat(ValidationError):
    """The value has the wrong shape or characters."""

    message = "The value has an invalid format."


class InvalidLength(ValidationError):
    """The value has the wrong length."""

    message = "The value has an invalid length."


class InvalidChecksum(ValidationError):
    """The value's check digit does not match."""

    message = "The value's check digit does not match."


class InvalidComponent(ValidationError):
    """A part of the value is not allowed (a partition, a prefix, a code)."""

    message = "One of the parts of the value is not valid."
