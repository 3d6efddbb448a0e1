"""The base enumeration of every code list and its lazily loaded metadata."""

from __future__ import annotations

import enum
from datetime import date
from typing import TypeVar

import attrs

from dids._data import read_table
from dids.exceptions import ValidationError

_E = TypeVar("_E", bound="CodeEnum")


class UnknownCode(ValidationError):
    """The code is not on the list, or not in force on the date asked about."""

    message = "The code is not on the code list, or not valid on that date."


@attrs.frozen
class CodeInfo:
    """One row of a code-list file: the code, its description and validity dates."""

    code: str
    description: str
    valid_from: date | None
    valid_to: date | None
    evidence: str
    notes: str

    def valid_on(self, day: date) -> bool:
        """True when the code is in force on ``day`` (blank dates mean always)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@attrs.frozen
class CodeList:
    """A code list: its Python name, title, source file and enumeration.

    ``closed`` lists hold every valid value of their data item; the others (defaults, partition
    identifiers) list special values of an open set.
    """

    name: str
    title: str
    file: str
    enum: type[CodeEnum]
    closed: bool

    def info(self) -> tuple[CodeInfo, ...]:
        """Every row of the list, in file order."""
        return tuple(_metadata(self.file).values())


_FILES: dict[type[CodeEnum], str] = {}


def _date_or_none(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


_METADATA: dict[str, dict[str, CodeInfo]] = {}


def _metadata(file: str) -> dict[str, CodeInfo]:
    found = _METADATA.get(file)
    if found is None:
        found = {
            row["code"]: CodeInfo(
                row["code"],
                row["description"],
                _date_or_none(row["valid_from"]),
                _date_or_none(row["valid_to"]),
                row["evidence"],
                row["notes"],
            )
            for row in read_table(f"codes/{file}")
        }
        _METADATA[file] = found
    return found


def register(cls: type[_E], file: str) -> type[_E]:
    """Record the source file of a generated enumeration (used by the generated module)."""
    _FILES[cls] = file
    return cls


class CodeEnum(str, enum.Enum):
    """Base of the code-list enumerations: members are their codes, with metadata."""

    def __str__(self) -> str:
        return str(self.value)

    @property
    def info(self) -> CodeInfo:
        """The member's row of its code-list file."""
        return _metadata(_FILES[type(self)])[self.value]

    @property
    def description(self) -> str:
        """The description from the code list."""
        return self.info.description

    @property
    def valid_from(self) -> date | None:
        """First day in force, or ``None`` when no date is known."""
        return self.info.valid_from

    @property
    def valid_to(self) -> date | None:
        """Last day in force, or ``None`` while current."""
        return self.info.valid_to

    def valid_on(self, day: date) -> bool:
        """True when the code is in force on ``day``."""
        return self.info.valid_on(day)

    @classmethod
    def lookup(cls: type[_E], code: str, as_at: date | None = None) -> _E:
        """The member for ``code`` (surrounding spaces ignored), in force on ``as_at`` if given."""
        member = cls._value2member_map_.get(code.strip()) if isinstance(code, str) else None
        if not isinstance(member, cls) or (as_at is not None and not member.valid_on(as_at)):
            raise UnknownCode
        return member
