"""Behaviour shared by the generated record classes of :mod:`dids.records`."""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from functools import cache
from itertools import compress, islice, repeat
from typing import Any, ClassVar, TypeVar, cast

from dids._values import format_timestamp, parse_date, parse_time, parse_timestamp
from dids.catalogue import LAYOUTS, DataItem, Kind, Layout
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


#: ``get(value, value)`` is ``""`` for ``None`` and the value itself otherwise.
_ABSENT_AS_BLANK: dict[Any, str] = {None: ""}
_NONE = type(None)


class RefusedStart(ValueError):
    """A value of :func:`to_columns` starts with a refused prefix; ``item`` names the item."""

    def __init__(self, item: str) -> None:
        super().__init__(f"A value of item {item} starts with a refused character.")
        self.item = item


_ZONE = operator.attrgetter("tzinfo")
_DAYS, _SECONDS = operator.attrgetter("days"), operator.attrgetter("seconds")
#: Formatted values a column remembers between blocks of :func:`to_columns` (emptied when full).
_MEMO_LIMIT = 1 << 16


@cache
def _clock_texts() -> list[str]:
    """``Thh:mm:ss`` of each second of a day, by second (built at first use)."""
    hours = [f"T{hour:02d}:" for hour in range(24)]
    return [hour + f"{minute:02d}:{second:02d}"
            for hour in hours for minute in range(60) for second in range(60)]


def _fixed_offset_texts(values: list[datetime], zones: set[Any]) -> list[str]:
    """:func:`dids._values.format_timestamp` of datetimes with fixed offsets
    (``datetime.timezone``), from each value's wall-clock distance to one base: whole days
    (each distinct day formatted once) and the second of the day (a table; fractions of a
    second are dropped, as the format does)."""
    first = next(iter(zones))
    base = datetime(2000, 1, 1, tzinfo=first)
    distances = list(map(operator.sub, values, repeat(base)))
    if len(zones) > 1:  # values in another zone were compared in UTC: add their offset back
        shift = {zone: zone.utcoffset(None) - first.utcoffset(None) for zone in zones}
        distances = list(map(operator.add, distances, map(shift.__getitem__, map(_ZONE, values))))
    days = list(map(_DAYS, distances))
    start = base.date()
    day_texts = {day: (start + timedelta(days=day)).isoformat() for day in set(days)}
    zone_texts = {zone: format_timestamp(base.replace(tzinfo=zone))[19:] for zone in zones}
    zone_text = (list(map(zone_texts.__getitem__, map(_ZONE, values))) if len(zones) > 1
                 else [zone_texts[first]] * len(values))
    return list(map("".join, zip(map(day_texts.__getitem__, days),
                                 map(_clock_texts().__getitem__, map(_SECONDS, distances)),
                                 zone_text, strict=True)))


def _column_text(item: DataItem, values: list[Any], refuse: tuple[str, ...],
                 memo: dict[Any, str]) -> tuple[list[str], bool, set[str] | None]:
    """:meth:`DataItem.unparse` of a column of values, in bulk; whether ``csv.writer`` would
    quote one of them; and the distinct texts, when they were found on the way (``None``
    otherwise). Text passes through; other values are formatted once per distinct value and
    remembered in ``memo`` (the column's, across blocks; only values that pass ``refuse`` and
    need no quotes). Timestamps are never merged by equality (equal instants may be written
    with different offsets); formatted dates and timestamps start with a digit and need no
    quotes."""
    found: set[Any] | None = None
    if item.kind in _TEXT_KINDS:  # mostly distinct text: written as it is
        types = set(map(type, values))
        if types <= {str, _NONE}:
            plain = cast("list[str]", list(map(_ABSENT_AS_BLANK.get, values, values))
                         if _NONE in types else values)
            if _special(plain) or not {start[:1] for start in refuse} <= _SPECIAL:
                _refuse(item, plain, refuse)
                return plain, _quoted(plain), None
            return plain, False, None
    if item.kind is Kind.TIMESTAMP:
        if set(map(type, values)) == {datetime}:
            zones = set(map(_ZONE, values))
            if {type(zone) for zone in zones} == {timezone}:
                return _fixed_offset_texts(values, zones), False, None
            texts = list(map(datetime.isoformat, values))
            if set(map(len, texts)) == {25}:
                return texts, False, None
    else:
        try:
            found = set(values)
        except TypeError:  # an unhashable value: formatted one by one, as to_row does
            found = None
    if found is None:
        texts = [_text(item.unparse, value) for value in values]
        _refuse(item, texts, refuse)
        return texts, _quoted(texts), None
    if set(map(type, found)) <= {str, _NONE}:
        _refuse(item, found, refuse)
        if None in found:
            return (list(map(_ABSENT_AS_BLANK.get, values, values)),
                    _quoted(filter(None, found)), set(map(_ABSENT_AS_BLANK.get, found, found)))
        return values, _quoted(found), found
    missing = found.difference(memo)
    if len(memo) + len(missing) > _MEMO_LIMIT:
        memo.clear()
        missing = found
    if item.kind is Kind.DATE and set(map(type, missing)) == {date}:
        formatted = list(map(date.isoformat, missing))
    else:
        formatted = [_text(item.unparse, value) for value in missing]
    _refuse(item, formatted, refuse)
    if _quoted(formatted):
        return [_text(item.unparse, value) for value in values], True, None
    memo.update(zip(missing, formatted, strict=True))
    return list(map(memo.__getitem__, values)), False, set(map(memo.__getitem__, found))


def _refuse(item: DataItem, texts: Collection[str | None], refuse: tuple[str, ...]) -> None:
    """Raise :class:`RefusedStart` when one of ``texts`` starts with one of ``refuse``. Every
    first character lies between those of the least and the greatest text, so when no refused
    start's does, no text is looked at one by one."""
    if not refuse or not texts:
        return
    blank = None in texts or "" in texts
    present = [text for text in texts if text] if blank else cast("Collection[str]", texts)
    if present:
        least, greatest = min(present)[:1], max(present)[:1]
        if not any(least <= start[:1] <= greatest for start in refuse):
            return
    if any(map(str.startswith, present, repeat(refuse))):
        raise RefusedStart(item.python_name)


#: What makes ``csv.writer`` (minimal quoting, CRLF line ends) quote a field.
_QUOTED = (",", '"', "\r", "\n")
#: The characters of :data:`_QUOTED` and the first characters of formulas (``FORMULA_START``).
_SPECIAL = frozenset(',"\r\n=+-@\t')
_NOT_SPECIAL = bytes(set(range(256)) - set("".join(_SPECIAL).encode()))
#: Items whose values are text as written: not collected into sets of distinct values.
_TEXT_KINDS = frozenset({Kind.TEXT, Kind.NHS_NUMBER})


def _special(texts: list[str]) -> bool:
    """Whether one of ``texts`` holds one of :data:`_SPECIAL`: one pass over them joined."""
    try:
        return bool("".join(texts).encode().translate(None, _NOT_SPECIAL))
    except UnicodeEncodeError:  # a lone surrogate
        return True


def _quoted(texts: Iterable[str]) -> bool:
    """Whether ``csv.writer`` would quote one of ``texts``."""
    joined = "".join(texts)
    return any(map(joined.__contains__, _QUOTED))


#: Records (or rows) formatted, parsed and screened at a time.
BLOCK_SIZE = 4096


def layout_blocks(records: Iterable[_R]) -> Iterator[list[_R]]:
    """``records`` in lists of up to :data:`BLOCK_SIZE`; raises ``ValueError`` at the first
    block holding a record of another layout than the first record's."""
    iterator = iter(records)
    version = None
    while block := list(islice(iterator, BLOCK_SIZE)):
        version = version or block[0].LAYOUT.version
        kinds: set[type[RecordBase]] = set(map(type, block))  # one a layout: cheap to look at
        if any(kind.LAYOUT.version != version for kind in kinds):
            raise ValueError("All records of a submission must have the same layout.")
        yield block


def to_columns(records: Sequence[RecordBase], *, refuse: tuple[str, ...] = (),
               memos: Sequence[dict[Any, str]] | None = None,
               quoted: set[str] | None = None,
               distinct: dict[int, set[str]] | None = None) -> list[list[str]]:
    """Records of one layout as columns of raw strings (catalogue order): what :meth:`to_row`
    gives row by row, built a column at a time. Raises :class:`RefusedStart` when a value
    starts with one of ``refuse``. ``memos`` (one dict per item, kept between calls with the
    same ``refuse``) remember formatted values. The names of the items with a value that
    ``csv.writer`` would quote are added to ``quoted``; ``distinct`` gets the set of distinct
    texts of the columns (by index) whose values were collected into a set to format them."""
    items = records[0].LAYOUT.items
    if memos is None:
        memos = [{} for _ in items]
    columns = []
    for index, (item, memo) in enumerate(zip(items, memos, strict=True)):
        texts, needs_quotes, texts_found = _column_text(
            item, list(map(operator.attrgetter(item.python_name), records)), refuse, memo)
        columns.append(texts)
        if needs_quotes and quoted is not None:
            quoted.add(item.python_name)
        if texts_found is not None and distinct is not None:
            distinct[index] = texts_found
    return columns


#: What :func:`_column_values` gives for a text that does not have its item's format.
_UNREADABLE = object()
#: ``get(text, text)`` is ``None`` for a blank text and the text itself otherwise.
_BLANK_AS_NONE: dict[str, None] = {"": None}


def _parsed(item: DataItem, text: str) -> Any:
    """:meth:`DataItem.parse` of ``text``, or :data:`_UNREADABLE`."""
    try:
        return item.parse(text)
    except ValidationError:
        return _UNREADABLE


def _column_values(item: DataItem, texts: Sequence[str], memo: dict[str, Any]
                   ) -> tuple[list[Any], set[str]]:
    """:meth:`DataItem.parse` of each of ``texts`` (:data:`_UNREADABLE` where it raises), and
    the texts it raises for. Text items are stripped (they are mostly distinct); NHS numbers
    of ten digits are their own compact form; other values are parsed once per distinct text
    and remembered in ``memo`` (the column's, across blocks; emptied when full; texts that do
    not parse are never remembered, so they are found in every block)."""
    digits = "".join(texts) if item.kind is Kind.NHS_NUMBER else ""
    if item.kind is Kind.TEXT or (digits.isdigit() and digits.isascii()):
        stripped = list(map(str.strip, texts))
        return list(map(_BLANK_AS_NONE.get, stripped, stripped)), set()
    distinct = set(texts)
    if item.kind is Kind.TIMESTAMP and 6 * len(distinct) > len(texts):
        found = _timestamps_by_parts(texts, memo.setdefault(_PARTS, {}))
        if found is not None:
            return found, set()
    missing = distinct.difference(memo)
    failed: set[str] = set()
    if missing:
        if len(memo) + len(missing) > _MEMO_LIMIT:
            memo.clear()
            missing = distinct
        for text in missing:
            value = _parsed(item, text)
            if value is _UNREADABLE:
                failed.add(text)
            else:
                memo[text] = value
    return list(map(memo.get, texts, repeat(_UNREADABLE))), failed


_DAY_PART = operator.itemgetter(slice(None, 10))
_T_PART = operator.itemgetter(slice(10, 11))
_CLOCK_PART = operator.itemgetter(slice(11, 19))
_ZONE_PART = operator.itemgetter(slice(19, None))
#: The key, in a timestamp column's memo, of the memo of its parts.
_PARTS: Any = object()
#: A timestamp standing in for a blank one while a column is parsed by parts.
_BLANK_AS_STAND_IN = {"": "2000-01-01T00:00:00Z"}


def _zone(text: str) -> timezone:
    """The time zone of a timestamp ending in ``text`` (raises when it is not one)."""
    return cast(timezone, parse_timestamp("2000-01-01T00:00:00" + text).tzinfo)


def _timestamps_by_parts(texts: Sequence[str], memo: dict[str, Any]) -> list[Any] | None:
    """:func:`dids._values.parse_timestamp` of mostly distinct timestamps (blank as ``None``),
    by parts: each text of 20 or 25 characters with ``T`` after its date is its date, clock
    time and ``Z`` or offset, each parsed once per distinct text and remembered in ``memo``
    (parts are 10, 8 and 1 or 6 characters long, so they are never taken for one another; the
    memo is not the one of whole values, where a date could pass for a timestamp). ``None``
    when a text has another shape, or a part does not parse."""
    stripped = list(map(str.strip, texts))
    lengths = set(map(len, stripped))
    if not lengths <= {0, 20, 25} or not set(map(_T_PART, stripped)) <= {"T", ""}:
        return None
    whole = list(map(_BLANK_AS_STAND_IN.get, stripped, stripped)) if 0 in lengths else stripped
    parts = [list(map(part, whole)) for part in (_DAY_PART, _CLOCK_PART, _ZONE_PART)]
    if len(memo) >= _MEMO_LIMIT:  # emptied before, never between, the parts
        memo.clear()
    for found, parse in zip(parts, (parse_date, parse_time, _zone), strict=True):
        try:
            memo.update({text: parse(text) for text in set(found).difference(memo)})
        except ValidationError:
            return None
    values: list[Any] = list(map(datetime.combine, *(map(memo.__getitem__, found)
                                                     for found in parts)))
    if 0 in lengths:
        for k in compress(range(len(values)), map(operator.not_, stripped)):
            values[k] = None
    return values


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
    def from_columns(cls: type[_R], columns: Sequence[Sequence[str]],
                     memos: Sequence[dict[str, Any]] | None = None) -> list[_R | None]:
        """:meth:`from_row` of each row of a block given as columns (catalogue order, equal
        lengths), ``None`` for a row it would raise :class:`RowError` for. Each column is
        parsed at once, each distinct date, time, timestamp and code once; ``memos`` (one dict
        per item, kept between calls) remember parsed values across blocks. Raises
        ``ValueError`` unless there is one column per item, all of one length."""
        items = cls.LAYOUT.items
        if len(columns) != len(items) or len(set(map(len, columns))) > 1:
            raise ValueError(f"Expected {len(items)} columns of equal lengths.")
        if memos is None:
            memos = [{} for _ in items]
        parsed = [_column_values(item, texts, memo)
                  for item, texts, memo in zip(items, columns, memos, strict=True)]
        records: list[_R | None] = list(map(cls, *(values for values, _ in parsed)))
        for texts, (_, failed) in zip(columns, parsed, strict=True):
            if failed:
                for k in compress(range(len(texts)), map(failed.__contains__, texts)):
                    records[k] = None
        return records

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
