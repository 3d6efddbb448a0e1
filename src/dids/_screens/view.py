"""One block of columns as the screens see it (:class:`View`), and the verdicts on each item's
values that are remembered between blocks (:class:`Verdicts`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, MutableSequence, Sequence
from itertools import compress, repeat
from typing import TypeVar

from dids._screens.shapes import Template

Columns = Sequence[Sequence[str]]
#: A moment of an order rule: its date (or timestamp) column and its time column, if any.
Moment = tuple[int, int | None]
#: Distinct values remembered per item (clean and not clean), and per screen.
MEMO_LIMIT = 1 << 15
#: Values proved clean whole remembered per item: enough to find that a column's values recur
#: (then its remembered verdicts are cheaper than the proof), not every one-off value of a
#: column of mostly distinct ones (a file of distinct identifiers held some 25 MB of them).
_PROVED_LIMIT = 1 << 12
#: Rows holding a value beyond which :meth:`View.rows_with` finds them in one pass, not one
#: ``list.index`` each.
_FEW_HITS = 8
#: One row in this many may have a blank moment for an order to be proved through that moment
#: (:meth:`View.in_order`); those rows are then checked.
_FEW_BLANKS = 64
#: One value in this many of a column may be new to the remembered verdicts for the others
#: to be looked up (:meth:`Verdicts.unknown`), not collected.
_FEW_UNKNOWN = 8
#: Sorts after every digit: stands for an absent *later* moment, which skips an order rule.
NEVER = "~"
#: The date part of an ISO date or timestamp.
DAY = operator.itemgetter(slice(None, 10))
_T = TypeVar("_T")
_NONE: frozenset[str] = frozenset()


def remember(memo: dict[str, _T], function: Callable[[str], _T], values: set[str]) -> None:
    """Add ``function`` of each of ``values`` not in ``memo`` to it (emptied when full)."""
    missing = [value for value in values if value not in memo]
    if len(memo) + len(missing) > MEMO_LIMIT:
        memo.clear()
        missing = list(values)
    for value in missing:
        memo[value] = function(value)


class Verdicts:
    """Which values of one item fail, remembered between blocks: up to ``limit`` clean and as
    many failing values (each set emptied when full). ``clean(values)`` judges new values."""

    def __init__(self, clean: Callable[[set[str]], set[str]], limit: int = MEMO_LIMIT) -> None:
        self._clean = clean
        self._limit = limit
        self._good: set[str] = set()
        self._bad: set[str] = set()
        #: Whether most values were new in the last call of :meth:`failing`.
        self.mostly_new = False
        #: Whether every value was remembered clean in the last call of :meth:`failing`, or
        #: all but a few in the last call of :meth:`unknown`.
        self.all_known = False
        #: Whether the item's values are mostly one-offs (it has a whole-column proof: NHS
        #: numbers, postcodes, timestamps, ...): then, when most of a block's values are new,
        #: those judged clean are remembered only while fewer than :data:`_PROVED_LIMIT` are,
        #: as those proved clean are (dates, which recur, are all remembered).
        self.one_offs = False

    def failing(self, distinct: set[str],
                proof: Callable[[], bool] | None = None) -> set[str] | frozenset[str]:
        """The values of ``distinct`` (distinct values of a block) that fail. When most are new
        and ``proof()`` shows the block's whole column clean, none is judged, and they are
        remembered clean while fewer than :data:`_PROVED_LIMIT` are."""
        good = self._good
        self.all_known = distinct <= good
        if self.all_known:
            self.mostly_new = False
            return _NONE
        new = distinct - good
        self.mostly_new = 2 * len(new) > len(distinct)
        if self.mostly_new and proof is not None and proof():
            if len(good) < _PROVED_LIMIT:
                good |= new
            return _NONE
        return self._judged(new, remember_clean=not (self.one_offs and self.mostly_new))

    def among(self, values: set[str]) -> set[str] | frozenset[str]:
        """The values of ``values`` (some of a block's) that fail, without taking them for
        the block's distinct values (:attr:`mostly_new` and :attr:`all_known` are kept)."""
        new = values - self._good
        return self._judged(new, remember_clean=False) if new else _NONE

    def _judged(self, new: set[str], *, remember_clean: bool) -> set[str]:
        """The values of ``new`` (none remembered clean) that fail, remembered; those judged
        clean are remembered when ``remember_clean`` or while fewer than
        :data:`_PROVED_LIMIT` are."""
        known_bad = new & self._bad
        new -= known_bad
        if new:
            clean = self._clean(new)
            if remember_clean or len(self._good) < _PROVED_LIMIT:
                self._remember(self._good, clean)
            new -= clean
            self._remember(self._bad, new)
            known_bad |= new
        return known_bad

    def unknown(self, view: View, index: int) -> list[int] | None:
        """The rows of column ``index`` whose values are not remembered clean: none when
        looking each value up finds them all (about half the cost of collecting their set and
        comparing it), else those of the block's distinct values that are new. ``None`` (and
        :attr:`all_known` false) when more than one value in :data:`_FEW_UNKNOWN` rows is
        new."""
        good = self._good
        if good.issuperset(view.columns[index]):
            return []
        new = view.unique(index) - good
        if len(new) * _FEW_UNKNOWN > view.size:
            self.all_known = False
            return None
        return view.rows_with(index, new)

    def _remember(self, verdicts: set[str], values: set[str]) -> None:
        """Add ``values`` to ``verdicts``, emptied first when that would pass the limit."""
        if len(verdicts) + len(values) > self._limit:
            verdicts.clear()
        verdicts |= values


class View:
    """One block of columns (catalogue order), with derived columns computed once; ``distinct``
    holds the distinct values of columns the caller knows them of."""

    def __init__(self, columns: Columns, distinct: Mapping[int, set[str]] | None = None) -> None:
        self.columns: MutableSequence[Sequence[str]] = (
            columns if isinstance(columns, MutableSequence) else list(columns))
        self.size = len(columns[0])
        self._unique: dict[int, set[str]] = dict(distinct) if distinct else {}
        self._blank: dict[int, bool] = {}
        self._blank_rows: dict[int, list[int]] = {}
        self._distinct_days: dict[int, set[str]] = {}
        self._derived: dict[tuple[object, ...], Sequence[str]] = {}
        self._offsets: dict[int, str | None] = {}
        self._packed: dict[int, bytes | None] = {}
        self._joins: dict[int, bytes | None] = {}
        self._least: dict[int, str] = {}
        self._greatest: dict[int, str] = {}
        self._in_order: dict[Moment, dict[Moment, list[int]]] = {}

    def unique(self, index: int, *, constant: bool = False) -> set[str]:
        """The distinct values of column ``index``. When it is likely ``constant`` (it held one
        value in the previous block), whether every value equals the first is tried first:
        comparing texts needs none of the hashing that building a set does."""
        found = self._unique.get(index)
        if found is None:
            column = self.columns[index]
            found = self._unique[index] = {column[0]} if constant and column.count(
                column[0]) == self.size else set(column)
        return found

    def collected(self, index: int) -> bool:
        """Whether the distinct values of column ``index`` have been collected."""
        return index in self._unique

    def strip(self, index: int) -> None:
        """Replace column ``index`` by its values without surrounding whitespace (validation
        compares values stripped), forgetting what was derived from it."""
        self.columns[index] = list(map(str.strip, self.columns[index]))
        self.forget(index)

    def single(self, index: int) -> str | None:
        """The value of column ``index`` when every row holds it, else ``None``: from its
        distinct values when they are known, else by counting the first value (which compares
        texts and needs none of the hashing that collecting them does)."""
        found = self._unique.get(index)
        if found is not None:
            return next(iter(found)) if len(found) == 1 else None
        column = self.columns[index]
        return column[0] if column.count(column[0]) == self.size else None

    def masked(self, rows: Mapping[int, list[int]]) -> View:
        """A copy in which each column ``index`` of ``rows`` holds, in ``rows[index]``, the
        value of its first row not among them (a column with no such row is kept), with what
        was derived from the other columns. A screen of a rule that reads such a column may
        then miss those rows: they are checked exactly for every such rule anyway
        (:attr:`dids._screens.Sifted.tainted`)."""
        masked = View.__new__(View)
        for name, value in vars(self).items():
            setattr(masked, name, dict(value) if isinstance(value, dict) else value)
        masked.columns = list(self.columns)
        for index, excepted in rows.items():
            taken = set(excepted)
            stand_in = next((k for k in range(self.size) if k not in taken), None)
            if stand_in is None:
                continue
            column = masked.columns[index] = list(self.columns[index])
            value = column[stand_in]
            for k in excepted:
                column[k] = value
            masked.forget(index)
        return masked

    def forget(self, index: int) -> None:
        """Forget what was derived from column ``index`` (its values have changed)."""
        for cache in (self._unique, self._blank, self._blank_rows, self._distinct_days,
                      self._offsets, self._packed, self._joins, self._least, self._greatest):
            cache.pop(index, None)
        for key in [key for key in self._derived if index in key]:
            del self._derived[key]

    def rows_with(self, index: int, values: set[str] | frozenset[str]) -> list[int]:
        """Rows whose value in column ``index`` is one of ``values``. One or two values (a
        block's bad values, usually) are counted, then found by ``list.index``, which compares
        texts without hashing them: about a quarter of the cost of testing each text's
        membership. A value more than 8 rows hold (a blank, say) is found in one pass."""
        column = self.columns[index]
        if len(values) > 2:
            return list(compress(range(self.size), map(values.__contains__, column)))
        found: list[int] = []
        for value in values:
            hits = column.count(value)  # a scan that compares, as index does; then no miss
            if hits > _FEW_HITS:  # a mostly blank column, say: one pass finds them all
                found += compress(range(self.size), map(value.__eq__, column))
                continue
            at = -1
            for _ in range(hits):
                at = column.index(value, at + 1)
                found.append(at)
        return sorted(found) if len(values) > 1 else found

    def blank_rows(self, index: int) -> list[int]:
        """Rows where column ``index`` is blank."""
        found = self._blank_rows.get(index)
        if found is None:
            found = self._blank_rows[index] = (
                self.rows_with(index, {""}) if self.has_blank(index) else [])
        return found

    def has_blank(self, index: int) -> bool:
        """Whether a value of column ``index`` is blank."""
        found = self._unique.get(index)
        if found is not None:
            return "" in found
        blank = self._blank.get(index)
        if blank is None:
            blank = self._blank[index] = "" in self.columns[index]
        return blank

    def in_order(self, earlier: Moment, later: Moment) -> list[int] | None:
        """Whether every row's ``earlier`` moment text sorts no later than its ``later`` one, but
        in the rows returned (``None`` when not proved): proved by :meth:`prove_in_order` for
        the pair, or for a chain of pairs through moments blank in few rows (a moment's text is
        the same as an earlier and as a later moment where its date is not blank, so the order
        holds through it in every other row that no pair of the chain excepts; the rows
        excepted are those of every pair of the chain and those where a moment it passes
        through is blank)."""
        came_from: dict[Moment, Moment] = {earlier: earlier}
        frontier = [earlier]
        while frontier:
            step_from = frontier.pop()
            for step in self._in_order.get(step_from, {}):
                if step == later:
                    rows: set[int] = set(self._in_order[step_from][later])
                    while step_from != earlier:
                        before = came_from[step_from]
                        rows.update(self._in_order[before][step_from])
                        rows.update(self.blank_rows(step_from[0]))
                        step_from = before
                    return sorted(rows)
                if step not in came_from and (not self.has_blank(step[0]) or len(
                        self.blank_rows(step[0])) <= self.size // _FEW_BLANKS):
                    came_from[step] = step_from
                    frontier.append(step)
        return None

    def prove_in_order(self, earlier: Moment, later: Moment, rows: list[int]) -> None:
        """Record that every row's ``earlier`` moment text sorts no later than its ``later`` one
        (:meth:`moment` texts, blank dates as ``""`` and as :data:`NEVER`) but in ``rows``."""
        self._in_order.setdefault(earlier, {})[later] = rows

    def mapped(self, index: int, memo: dict[str, str], function: Callable[[str], str],
               *, days: bool = False) -> list[str]:
        """``function`` of each value of column ``index`` (of its first ten characters, the
        local date of a timestamp, when ``days``), computed once per distinct value."""
        remember(memo, function, self.distinct(index, days=days))
        column = self.days(index) if days else self.columns[index]
        return list(map(memo.__getitem__, column))

    def distinct(self, index: int, *, days: bool = False) -> set[str]:
        """The distinct values of column ``index`` (of their first ten characters when
        ``days``)."""
        if not days:
            return self.unique(index)
        found = self._distinct_days.get(index)
        if found is None:
            found = self._distinct_days[index] = set(self.days(index))
        return found

    def days(self, index: int) -> Sequence[str]:
        """The first ten characters of each value of column ``index``."""
        key = ("days", index)
        found = self._derived.get(key)
        if found is None:
            found = self._derived[key] = list(map(DAY, self.columns[index]))
        return found

    def moment(self, day: int, clock: int | None, absent: str) -> Sequence[str]:
        """Sortable text of a moment: the date (or timestamp) as written, with ``T`` and the
        clock time when a separate time item has one; ``absent`` where the date is blank."""
        key = (day, clock, absent)
        found = self._derived.get(key)
        if found is not None:
            return found
        found = self.columns[day]
        if clock is not None:
            joined = self._derived.get((day, clock))
            if joined is None:
                times = {text: "T" + text if text else "" for text in self.unique(clock)}
                joined = self._derived[(day, clock)] = list(
                    map(operator.add, found, map(times.__getitem__, self.columns[clock])))
            found = joined
        blanks = self.blank_rows(day)
        if blanks:
            found = list(found)
            for k in blanks:
                found[k] = absent
        self._derived[key] = found
        return found

    def least_day(self, index: int) -> str:
        """The first ten characters of the value of column ``index`` that sorts first (the
        least of the values' first ten characters: cutting texts keeps their order)."""
        days = self._distinct_days.get(index)
        return self.least(index)[:10] if days is None else min(days)

    def least(self, index: int) -> str:
        """The value of column ``index`` that sorts first (as text)."""
        found = self._least.get(index)
        if found is None:
            found = self._least[index] = min(self.columns[index])
        return found

    def days_before(self, earlier: int, later: int) -> bool:
        """Whether the first ten characters of every value of column ``earlier`` sort before
        those of every value of column ``later`` (so ``later`` has no blank), from bounds
        already found: its greatest value, and the least value or distinct days of ``later``.
        They are not computed for this, so ``False`` when unknown."""
        greatest = self._greatest.get(earlier)
        days = self._distinct_days.get(later)
        least = self._least.get(later) if days is None else min(days, default=None)
        return greatest is not None and least is not None and greatest[:10] < least[:10]

    def greatest(self, index: int) -> str:
        """The value of column ``index`` that sorts last (as text)."""
        found = self._greatest.get(index)
        if found is None:
            found = self._greatest[index] = max(self.columns[index])
        return found

    def packed(self, index: int) -> bytes | None:
        """Column ``index`` as ASCII bytes, its values joined by newlines, when every value has
        as many characters as the first (``None`` otherwise, or when one is not ASCII).

        With ``stride = len(first) + 1``, value ``k`` starts at byte ``k * stride`` and
        ``packed[j::stride]`` holds character ``j`` of every value, so one bytes operation
        checks one position of the whole column. Proof of the widths: there are exactly
        ``size - 1`` newlines and they sit at the separators' places.
        """
        if index not in self._packed:
            data = self._joined(index)
            self._packed[index] = None if data is None or data.count(b"\n") != self.size - 1 \
                else data
        return self._packed[index]

    def matches(self, index: int, template: Template) -> bool:
        """Whether every value of column ``index`` has the shape of ``template`` (whose check
        also proves the widths of :meth:`packed`)."""
        data = self._joined(index)
        if data is None or not template.fits(data, self.size):
            return False
        self._packed[index] = data
        return True

    def _joined(self, index: int) -> bytes | None:
        """:meth:`packed` without the count of newlines, which only a value holding one fails."""
        if index not in self._joins:
            column = self.columns[index]
            text = "\n".join(column)
            data = text.encode("ascii") if text.isascii() else b""
            stride = len(column[0]) + 1
            self._joins[index] = data if (
                len(data) == self.size * stride - 1
                and data[stride - 1::stride] == b"\n" * (self.size - 1)) else None
        return self._joins[index]

    def single_offset(self, index: int) -> str | None:
        """The one UTC offset that every non-blank timestamp of column ``index`` ends with.

        Found from the packed column (:meth:`packed`) when its values all have one width,
        else from the distinct values: in a block whose few odd timestamps are masked
        (:meth:`masked`), packing the column costs a quarter of collecting its set.
        """
        if index not in self._offsets:
            column = self.columns[index]
            offset = next((text[19:] for text in column if text), None)
            data = self.packed(index) if offset else None
            if data is not None:  # every value as long as the first: compare the endings
                stride = len(column[0]) + 1
                if any(data[j::stride] != data[j:j + 1] * self.size
                       for j in range(19, stride - 1)):
                    offset = None
            elif offset:
                distinct = self.unique(index)
                text = "\n".join(distinct) + "\n"
                if text.count("\n") == len(distinct):  # one newline a value: ends found at once
                    ends = text.count(offset + "\n")
                else:
                    ends = sum(map(str.endswith, distinct, repeat(offset)))
                if ends + ("" in distinct) != len(distinct):
                    offset = None
            self._offsets[index] = offset
        return self._offsets[index]
