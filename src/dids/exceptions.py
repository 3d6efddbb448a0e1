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
    "ReleaseError",
    "ScratchFileError",
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


class ReleaseError(DidsError):
    """A reference-data file (a national release, or a store built from them) cannot be read
    as the layout it should have; the message names the file, the line and what was expected.
    Release files hold no patient data, so the message may quote the field at fault."""

    def __init__(self, file: str, line: int | None, expected: str) -> None:
        self.file, self.line, self.expected = file, line, expected
        where = file if line is None else f"{file}, line {line}"
        super().__init__(f"{where}: {expected}")


class ScratchFileError(DidsError, OSError):
    """The temporary file in which validation keeps a long file's DIDS071 keys cannot be
    written or read back (the temporary directory is full or not writable, say); the message
    names the directory. Set ``TMPDIR`` to another."""

    def __init__(self, directory: str, error: OSError) -> None:
        self.directory = directory
        super().__init__(error.errno, f"cannot use a temporary file in {directory}: "
                         f"{error.strerror or error}")
