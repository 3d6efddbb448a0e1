"""Screens of dates and order rules: one moment before another (DIDS006, DIDS027, X-TSP-02,
...), within days or months of another (DIDS028, DIDS038, DIDS062), birth dates within months
of the request (DIDS010, DIDS040).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from itertools import compress, repeat
from typing import Any

import attrs

from dids._checks import CheckContext, month_number
from dids._screens.base import RowScreen, screen
from dids._screens.view import NEVER, View, remember
from dids._values import add_months, parse_date
from dids.catalogue import Kind
from dids.exceptions import ValidationError
from dids.rules import Rule


@attrs.frozen
class _Side:
    """One moment of an order rule: a date with its time item, a date, or a timestamp."""

    day: int
    clock: int | None = None
    timestamp: bool = False


def _sides(rule: Rule, ctx: CheckContext) -> list[_Side]:
    """The rule's moments, grouped as :func:`dids._checks._moments` groups them."""
    names = [name for name in rule.items(ctx.version) if name in ctx.layout]
    sides = []
    while names:
        name = names.pop(0)
        index = ctx.layout.index(name)
        if ctx.layout[name].kind is Kind.TIMESTAMP:
            sides.append(_Side(index, timestamp=True))
        elif names and ctx.layout[names[0]].kind is Kind.TIME:
            sides.append(_Side(index, ctx.layout.index(names.pop(0))))
        else:
            sides.append(_Side(index))
    return sides


@screen("DIDS006", "DIDS008", "DIDS027", "DIDS034", "DIDS035", "DIDS043", "DIDS044", "DIDS048",
        "X-TSP-02")
def in_order_screen(rule: Rule, ctx: CheckContext) -> RowScreen:
    """Rows where the earlier moment's text sorts after the later one's.

    ISO dates and wall-clock times sort as text; a date is a prefix of its own day's moments,
    so it never sorts after them. Two timestamps compare as text only when their offsets are
    the same; rows where they differ are suspects.
    """
    earlier, later = _sides(rule, ctx)
    both_timestamps = earlier.timestamp and later.timestamp
    #: The earlier moment's time column, when it is a date and time before a timestamp.
    dated = earlier.clock if later.timestamp else None
    pair = (earlier.day, earlier.clock), (later.day, later.clock)

    def dated_rows(view: View, clock: int) -> list[int] | None:
        """:func:`out_of_order` of a date and time before a timestamp, with only the rows whose
        date sorts on or after the timestamp's first ten characters joined (a date of ten or more
        characters that sorts before them sorts before the timestamp whatever its time);
        ``None`` when a date is shorter."""
        if min(map(len, view.unique(earlier.day) - {""}), default=10) < 10:
            return None
        dates, times, texts = (view.columns[i] for i in (earlier.day, clock, later.day))
        same_or_later = map(operator.ge, dates, view.days(later.day))
        return [k for k in compress(range(view.size), same_or_later)
                if dates[k] and dates[k] + ("T" + times[k] if times[k] else "")
                > (texts[k] or NEVER)]

    def moments(view: View) -> tuple[Callable[[Any, Any], bool], Iterable[Any], Iterable[Any]]:
        """The two sides' moments and the test of a row out of order."""
        if earlier.clock is None or later.clock is None:
            return (operator.gt, view.moment(earlier.day, earlier.clock, ""),
                    view.moment(later.day, later.clock, NEVER))
        # Two dates with times: (date, time) pairs order as the joined texts do (a blank time,
        # "", sorts first as a date alone does), without joining them; when each side has one
        # time in the block, the dates alone decide, a tie by how those two times sort.
        days = view.moment(earlier.day, None, ""), view.moment(later.day, None, NEVER)
        first = view.single(earlier.clock)
        second = view.single(later.clock) if first is not None else None
        if first is not None and second is not None:
            return (operator.ge if first > second else operator.gt), *days
        return (operator.gt, zip(days[0], view.columns[earlier.clock], strict=True),
                zip(days[1], view.columns[later.clock], strict=True))

    def out_of_order(view: View) -> list[int]:
        """Rows whose earlier moment's text sorts after the later one's."""
        after, first, second = moments(view)
        if not any(map(after, first, second)):
            return []
        after, first, second = moments(view)  # zips are used up
        return list(compress(range(view.size), map(after, first, second)))

    def rows(view: View) -> list[int]:
        found = view.in_order(*pair)
        if found is None:
            found = []
            # A date every later moment's day is after (birth dates before procedures, say)
            # is compared no further: its text sorts first whatever follows the day.
            if earlier.clock is not None or not view.days_before(earlier.day, later.day):
                late = None if dated is None else dated_rows(view, dated)
                found = out_of_order(view) if late is None else late
            view.prove_in_order(*pair, found)  # but in the rows found, which are checked
        if both_timestamps:
            offset = view.single_offset(earlier.day)
            if offset is None or offset != view.single_offset(later.day):
                found = found + _offsets_differ(view, earlier.day, later.day)
        return found

    return rows


def _offsets_differ(view: View, first: int, second: int) -> list[int]:
    """Rows whose two timestamps have different offsets (their texts do not sort as their
    instants do) and whose first instant is after the second, or one of which is not a
    timestamp. Offsets differ in a few rows of each block in the months when clocks change
    (a procedure before the change, its report after), so those rows are compared here."""
    a, b = view.columns[first], view.columns[second]
    differ: Iterable[int]
    packed = view.packed(first), view.packed(second)
    if packed[0] is not None and packed[1] is not None and len(packed[0]) == len(packed[1]):
        # Both of one width: the rows where a byte of the offsets differs, from the bytes of
        # each position of every value (packed[j::stride]) compared as big integers.
        stride = len(a[0]) + 1
        unequal = 0
        for j in range(19, stride - 1):
            one, other = packed[0][j::stride], packed[1][j::stride]
            if one != other:
                unequal |= int.from_bytes(one, "big") ^ int.from_bytes(other, "big")
        if not unequal:
            return []
        differ = (m.start() for m in _NONZERO.finditer(unequal.to_bytes(view.size, "big")))
    else:
        offset = operator.itemgetter(slice(19, None))
        differ = compress(range(view.size), map(operator.ne, map(offset, a), map(offset, b)))
    return [k for k in differ if a[k] and b[k] and _after(a[k], b[k])]


#: A byte that is not zero.
_NONZERO = re.compile(b"[^\x00]")


def _after(first: str, second: str) -> bool:
    """Whether timestamp ``first`` is a later instant than ``second``, or either is not an
    ISO timestamp with an offset. ``datetime.fromisoformat`` reads every DIDS timestamp as
    :func:`dids._values.parse_timestamp` does (and more, which the field rules reject), once
    a ``Z`` is written ``+00:00`` (Python 3.10 reads no ``Z``)."""
    try:
        return _instant(first) > _instant(second)
    except (ValueError, TypeError):  # not ISO; or one has no offset
        return True


def _instant(text: str) -> datetime:
    """``datetime.fromisoformat`` of ``text`` with a final ``Z`` read as ``+00:00``."""
    return datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] == "Z" else text)


def _exceeds(later: int, earlier: _Side, bound: Callable[[date], str]) -> RowScreen:
    """Rows where the later moment's text sorts after ``bound`` of the earlier one's local date;
    none when the block's latest later moment is within the bound of its earliest date, and
    only the rows past that bound are compared with their own when they are few.

    ``bound`` ends in ``T99`` (or ``-99`` for a month) so that any moment on the bound's own
    day sorts before it. It never decreases as the date grows and ISO dates sort as text, so
    the first value but blanks has the least bound of all when that value is a date (a blank,
    or a value that is not a date, has no bound); else the least is found among the bounds of
    every distinct date.
    """
    memo: dict[str, str] = {}

    def bound_of(text: str) -> str:
        try:
            return bound(parse_date(text))
        except (ValidationError, OverflowError, ValueError):
            return NEVER

    def rows(view: View) -> list[int]:
        earliest = (view.least_day(earlier.day) if earlier.timestamp
                    else min(view.unique(earlier.day)))
        if not earliest:  # a blank, which has no bound: the least of the others
            earliest = min(view.distinct(earlier.day, days=earlier.timestamp) - {""},
                           default="")
            if not earliest:
                return []
        remember(memo, bound_of, {earliest})
        lowest = memo[earliest]
        if lowest == NEVER:
            distinct = view.distinct(earlier.day, days=earlier.timestamp)
            remember(memo, bound_of, distinct)
            lowest = min(map(memo.__getitem__, distinct))
        if view.greatest(later) <= lowest:
            return []
        texts = view.columns[later]
        late = list(compress(range(view.size), map(operator.gt, texts, repeat(lowest))))
        if len(late) > view.size // 8:
            bounds = view.mapped(earlier.day, memo, bound_of, days=earlier.timestamp)
            return list(compress(range(view.size), map(operator.gt, texts, bounds)))
        dates = view.columns[earlier.day]
        days = [dates[k][:10] if earlier.timestamp else dates[k] for k in late]
        remember(memo, bound_of, set(days))
        return [k for k, day in zip(late, days, strict=True) if texts[k] > memo[day]]

    return rows


@screen("DIDS028", "DIDS038")
def _within_days(rule: Rule, ctx: CheckContext) -> RowScreen:
    earlier, later = _sides(rule, ctx)
    days = timedelta(days=int(rule.params["max_days"]))
    return _exceeds(later.day, earlier, lambda day: (day + days).isoformat() + "T99")


@screen("DIDS062")
def _within_month(rule: Rule, ctx: CheckContext) -> RowScreen:
    report, start = _sides(rule, ctx)
    months = int(rule.params["max_months"])
    return _exceeds(report.day, start, lambda day: add_months(day, months).isoformat() + "T99")


@screen("DIDS010", "DIDS040")
def _birth_within_months(rule: Rule, ctx: CheckContext) -> RowScreen:
    birth = ctx.layout.index("birth_date")
    asked = next(side for side in _sides(rule, ctx) if side.day != birth)
    limit = int(rule.params["max_months"])

    def bound(day: date) -> str:
        year, month = divmod(month_number(day) + limit - 1, 12)
        return f"{year:04d}-{month + 1:02d}-99"

    return _exceeds(birth, asked, bound)
