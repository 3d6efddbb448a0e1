"""The data-item catalogue: the single source of truth for both DIDS layouts.

Items load from the bundled ``data/items-v1.csv`` (the 18 national v1 items) and
``data/items-v2.csv`` (the library's v2.0 layout, decision D1). Record fields, CSV columns,
parsers, rule wiring, strategies and the docs tables all derive from these two tables, so a
correction of the v2 layout (once the v2.0 technical output specification is published) is a
change to ``items-v2.csv`` alone, followed by ``python -m dids._codegen``.

>>> V2["treatment_function"].name
'TREATMENT FUNCTION CODE (REFERRAL FOR DIAGNOSTIC IMAGING)'
>>> [item.python_name for item in V1.items][:3]
['nhs_number', 'nhs_number_status', 'birth_date']
>>> V2["procedure_start_timestamp"].parse("2026-04-09T09:30:00+01:00").isoformat()
'2026-04-09T09:30:00+01:00'
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from typing import Any

import attrs

from dids._data import read_table
from dids._values import (
    format_date,
    format_time,
    format_timestamp,
    parse_date,
    parse_time,
    parse_timestamp,
)
from dids.codes import CODE_LISTS, CodeEnum, CodeList
from dids.exceptions import InvalidFormat
from dids.identifiers import nhs_number

__all__ = [
    "IDENTIFYING_ELEMENTS",
    "LAYOUTS",
    "V1",
    "V2",
    "V2_START",
    "DataItem",
    "Evidence",
    "Kind",
    "Layout",
    "Status",
    "layout",
]

#: Data elements that identify a patient. Their values never appear in reprs, logs, messages or
#: reports unless the caller asks for values.
IDENTIFYING_ELEMENTS = frozenset({"NHS NUMBER", "PERSON BIRTH DATE", "POSTCODE OF USUAL ADDRESS"})

#: First day of activity recorded to v2.0 (DIDS v2.0 user guidance).
V2_START = date(2026, 4, 1)


class Status(str, enum.Enum):
    """An item's status (``spec/README.md``, conventions)."""

    MANDATORY = "M"
    REQUIRED = "R"
    OPTIONAL = "O"
    AT_LEAST_ONE_OF = "M*"
    ONE_OF = "one-of"


class Evidence(str, enum.Enum):
    """How well a fact is established (``spec/README.md``, evidence levels)."""

    CONFIRMED = "CONFIRMED"
    INFERRED = "INFERRED"
    DECISION = "DECISION"


class Kind(enum.Enum):
    """The typed value an item's text parses to, derived from its format and code list."""

    TEXT = str
    NHS_NUMBER = "nhs_number"
    DATE = date
    TIME = time
    TIMESTAMP = datetime
    CODE = CodeEnum


def _kind(format_: str, code_list: CodeList | None) -> Kind:
    if "hh:mm:ss" in format_:
        return Kind.TIMESTAMP
    if "HH:MM:SS" in format_:
        return Kind.TIME
    if "CCYY-MM-DD" in format_:
        return Kind.DATE
    if format_ == "n10":
        return Kind.NHS_NUMBER
    if code_list is not None and code_list.closed:
        return Kind.CODE
    return Kind.TEXT


def _parse_text(text: str) -> str:
    return text


def _code_parser(cls: type[CodeEnum]) -> Callable[[str], CodeEnum]:
    members = cls._value2member_map_

    def parse(text: str) -> CodeEnum:
        member = members.get(text)
        if member is None:
            raise InvalidFormat
        return member  # type: ignore[return-value]

    return parse


_PARSERS: dict[Kind, Callable[[str], Any]] = {
    Kind.TEXT: _parse_text,
    Kind.NHS_NUMBER: nhs_number.compact,
    Kind.DATE: parse_date,
    Kind.TIME: parse_time,
    Kind.TIMESTAMP: parse_timestamp,
}
_FORMATTERS: dict[Kind, Callable[[Any], str]] = {
    Kind.TEXT: str,
    Kind.NHS_NUMBER: str,
    Kind.DATE: format_date,
    Kind.TIME: format_time,
    Kind.TIMESTAMP: format_timestamp,
    Kind.CODE: lambda member: str(member.value),
}
_CODE_LISTS_BY_FILE = {f"codes/{c.file}": c for c in CODE_LISTS.values()}


@attrs.frozen
class DataItem:
    """One data item of a layout, with its parser from raw text to a typed value."""

    version: int
    position: int
    group: str
    name: str
    python_name: str
    format: str
    min_len: int
    max_len: int
    status: Status
    code_list_file: str | None
    xml_path: str | None
    notes: str
    evidence: Evidence
    v1_predecessor: str | None
    kind: Kind
    parser: Callable[[str], Any] = attrs.field(repr=False, eq=False)
    _formatter: Callable[[Any], str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_formatter", _FORMATTERS[self.kind])

    @property
    def code_list(self) -> CodeList | None:
        """The item's code list from :data:`dids.codes.CODE_LISTS`, if it has one."""
        return _CODE_LISTS_BY_FILE.get(self.code_list_file or "")

    @property
    def python_type(self) -> type:
        """The type of the item's values in a record."""
        code_list = self.code_list
        if self.kind is Kind.CODE and code_list is not None:
            return code_list.enum
        return str if self.kind is Kind.NHS_NUMBER else self.kind.value

    @property
    def identifying(self) -> bool:
        """True for NHS NUMBER, PERSON BIRTH DATE and POSTCODE OF USUAL ADDRESS."""
        return self.name in IDENTIFYING_ELEMENTS

    @property
    def mandatory(self) -> bool:
        """True for status M."""
        return self.status is Status.MANDATORY

    def parse(self, text: str) -> Any:
        """Typed value of ``text``: surrounding spaces are trimmed and blank is ``None``.

        Raises :class:`dids.exceptions.ValidationError` when the text does not have the item's
        format (dates, times, timestamps, closed code lists). Other text is kept as written.
        """
        stripped = text.strip()
        return self.parser(stripped) if stripped else None

    def unparse(self, value: Any) -> str:
        """Canonical text of a typed value; ``None`` is blank."""
        return "" if value is None else self._formatter(value)


@attrs.frozen
class Layout:
    """The ordered data items of one DIDS version, with the source they come from."""

    version: int
    items: tuple[DataItem, ...]
    source: str
    _by_name: dict[str, DataItem] = attrs.field(init=False, repr=False, eq=False)
    _names: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        by_name = {item.python_name: item for item in self.items}
        by_name.update({item.name: item for item in self.items})
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_names", tuple(item.python_name for item in self.items))

    def __getitem__(self, name: str) -> DataItem:
        """The item with this Python name or Data Dictionary name."""
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[DataItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def names(self) -> tuple[str, ...]:
        """Python names in column order."""
        return self._names

    @property
    def headers(self) -> tuple[str, ...]:
        """Data element names in column order (the v2 CSV header, decision D3)."""
        return tuple(item.name for item in self.items)

    def index(self, name: str) -> int:
        """0-based column of the item called ``name``."""
        return self[name].position - 1


def _load(version: int, source: str) -> Layout:
    items = []
    for row in read_table(f"items-v{version}.csv"):
        code_list_file = row["code_list"] or None
        code_list = _CODE_LISTS_BY_FILE.get(code_list_file or "")
        kind = _kind(row["format"], code_list)
        parser = _code_parser(code_list.enum) if kind is Kind.CODE and code_list else _PARSERS[kind]
        items.append(
            DataItem(
                version=version,
                position=int(row["position"]),
                group=row["group"],
                name=row["data_element"],
                python_name=row["python_name"],
                format=row["format"],
                min_len=int(row["min_len"]),
                max_len=int(row["max_len"]),
                status=Status(row["status"]),
                code_list_file=code_list_file,
                xml_path=row["xml_path"] or None,
                notes=row["notes"],
                evidence=Evidence(row["evidence"]),
                v1_predecessor=row.get("v1_predecessor") or None,
                kind=kind,
                parser=parser,
            )
        )
    return Layout(version, tuple(items), source)


#: DIDS v1: 18 items, activity to March 2026 (ISB 1577 / SCCI1577).
V1 = _load(1, "DIDS v1 (ISB 1577 / SCCI1577 amendment 10/2011); NHS Data Dictionary")
#: DIDS v2.0: the library's layout (decision D1), activity from 1 April 2026 (DAPB1577).
V2 = _load(2, "DIDS v2.0 (DAPB1577) user guidance; NHS Data Dictionary, June 2026 release")
LAYOUTS: dict[int, Layout] = {1: V1, 2: V2}


def layout(version: int | str) -> Layout:
    """The layout of DIDS version ``1`` or ``2`` (``"2.0"`` is accepted)."""
    key = int(float(version)) if isinstance(version, str) else version
    try:
        return LAYOUTS[key]
    except KeyError:
        raise ValueError(f"DIDS version must be 1 or 2, not {version!r}") from None
