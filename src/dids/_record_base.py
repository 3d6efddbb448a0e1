"""Behaviour shared by the generated record classes of :mod:`dids.records`."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from dids.catalogue import LAYOUTS, Layout
from dids.exceptions import ValidationError

_R = TypeVar("_R", bound="RecordBase")


class RowError(ValidationError):
    """A raw row cannot become a typed record; ``item`` and ``column`` say where.

    The message names the data item, never the value.
    """

    message = "The row cannot be read as a record."

    def __init__(self, item: str | None, column: int | None, message: str | None = None) -> None:
        super().__init__(message or f"{self.message} Item: {item}, column {column}.")
        self.item = item
        self.column = column


def masked(value: object) -> str:
    """``repr`` of an identifying field: whether it is set, never its value."""
    return "None" if value is None else "'<hidden>'"


def _text(unparse: Callable[[Any], str], value: Any) -> str:
    if value is None:
        return ""
    return value if value.__class__ is str else unparse(value)


#: Per layout version: each item's formatter, and one getter of all the record's values.
_FORMATTERS = {v: tuple(item.unparse for item in lay.items) for v, lay in LAYOUTS.items()}
_VALUES = {v: operator.attrgetter(*lay.names) for v, lay in LAYOUTS.items()}


class RecordBase:
    """Conversions between a raw row (strings in catalogue order) and a typed record."""

    __slots__ = ()
    LAYOUT: ClassVar[Layout]

    @classmethod
    def from_row(cls: type[_R], row: Sequence[str]) -> _R:
        """Parse a raw row (one string per item, in catalogue order) into a typed record.

        Raises :class:`RowError` naming the first item whose text does not have its format.
        """
        items = cls.LAYOUT.items
        if len(row) != len(items):
            raise RowError(None, None, f"Expected {len(items)} fields, got {len(row)}.")
        values: list[Any] = []
        for item, text in zip(items, row, strict=False):
            try:
                values.append(item.parse(text))
            except ValidationError:
                raise RowError(item.python_name, item.position) from None
        return cls(*values)

    @classmethod
    def from_dict(cls: type[_R], data: Mapping[str, object]) -> _R:
        """Parse a mapping of Python names to text (``None`` or missing for absent).

        The inverse of :meth:`to_dict`. Raises :class:`RowError` for an unknown key, a value
        that is not text, or text that does not have its item's format.
        """
        items = cls.LAYOUT.items
        unknown = [key for key in data if key not in cls.LAYOUT.names]
        if unknown:
            raise RowError(None, None, "The record has keys that are not items of its layout.")
        row = []
        for item in items:
            value = data.get(item.python_name)
            if value is not None and not isinstance(value, str):
                raise RowError(item.python_name, item.position)
            row.append(value or "")
        return cls.from_row(row)

    def to_row(self) -> list[str]:
        """The record as raw strings in catalogue order, dates and codes in canonical form."""
        version = self.LAYOUT.version
        return list(map(_text, _FORMATTERS[version], _VALUES[version](self)))

    def to_dict(self) -> dict[str, str | None]:
        """The record keyed by Python name, values in canonical text form, absent as ``None``."""
        return {
            item.python_name: item.unparse(value) if (value := getattr(self, item.python_name))
            is not None else None
            for item in self.LAYOUT.items
        }
