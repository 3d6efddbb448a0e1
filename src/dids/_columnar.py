"""Columnar screening: the fast path of validation.

:meth:`dids.validate.Validator.check_row` checks one row at a time. Most rows of a submission
break no rule, so a block of rows is first *screened* a column at a time with passes that run
in C (sets of distinct values, string comparisons mapped over whole columns), and only the rows
the screen cannot prove clean are checked row by row. A clean row has no issue, so the report
is the same either way; the screen only has to be sound (never call a row with an issue clean),
not complete. ``tests/test_columnar.py`` checks that both paths give the same reports.

How rules are screened:

* a rule that reads one item (every field rule, presence, the order of one item against the
  submission date, ...) through the item's distinct values: a value is clean when the exact
  checks of that item pass on it, and verdicts are remembered between blocks;
* high-cardinality items (NHS number, postcode, accession number, timestamps) have a
  :class:`Bulk` classifier that proves the usual values clean many at a time first;
* a rule that reads several items by a screen registered in :data:`SCREENS`.

A validator with a compiled row rule that has neither (any rule using reference data) is not
screened: :func:`screen_for` returns ``None`` and every row takes the exact path.
"""

from __future__ import annotations

import bisect
import operator
import re
import sys
from array import array
from collections.abc import Callable, Iterable, Mapping, MutableSequence, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from itertools import compress, repeat
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
from dateutil.relativedelta import relativedelta

from dids import _checks
from dids._checks import CheckContext, month_number
from dids._values import DATE_SHAPE, TIME_SHAPE, TIMESTAMP_SHAPE, parse_date
from dids.catalogue import Kind
from dids.exceptions import ValidationError
from dids.identifiers import postcode, referrer
from dids.identifiers._common import passes
from dids.rules import RULES, Rule

if TYPE_CHECKING:
    from dids._validator import Validator

__all__ = ["Screen", "Sifted", "screen_for"]

Columns = Sequence[Sequence[str]]
#: A moment of an order rule: its date (or timestamp) column and its time column, if any.
Moment = tuple[int, int | None]
RowScreen = Callable[["View"], Iterable[int]]
ScreenFactory = Callable[[Rule, CheckContext], "RowScreen | None"]
#: Distinct values remembered per item (clean and not clean), and per screen; dates have
#: fewer possible values, and more of them recur (birth dates), so more are remembered.
_MEMO_LIMIT = 1 << 15
_DATE_MEMO_LIMIT = 1 << 16
#: How often (in blocks) a column proved clean whole has its distinct values collected again.
_PROBE_EVERY = 16
#: Parts of a column that are proved clean one by one when the whole column is not.
_CHUNKS = 8
#: Values proved clean whole remembered per item: enough to find that a column's values recur
#: (then its remembered verdicts are cheaper than the proof), not every one-off value of a
#: column of mostly distinct ones (a file of distinct identifiers held some 25 MB of them).
_PROVED_LIMIT = 1 << 12
#: Sorts after every digit: stands for an absent *later* moment, which skips an order rule.
_NEVER = "~"
#: The date part of an ISO date or timestamp.
_DAY = operator.itemgetter(slice(None, 10))
_T = TypeVar("_T")
_NONE: frozenset[str] = frozenset()


def remember(memo: dict[str, _T], function: Callable[[str], _T], values: set[str]) -> None:
    """Add ``function`` of each of ``values`` not in ``memo`` to it (emptied when full)."""
    missing = [value for value in values if value not in memo]
    if len(memo) + len(missing) > _MEMO_LIMIT:
        memo.clear()
        missing = list(values)
    for value in missing:
        memo[value] = function(value)


class _Verdicts:
    """Which values of one item fail, remembered between blocks: up to ``limit`` clean and as
    many failing values (each set emptied when full). ``clean(values)`` judges new values."""

    def __init__(self, clean: Callable[[set[str]], set[str]], limit: int = _MEMO_LIMIT) -> None:
        self._clean = clean
        self._limit = limit
        self._good: set[str] = set()
        self._bad: set[str] = set()
        #: Whether most values were new in the last call of :meth:`failing`.
        self.mostly_new = False
        #: Whether every value was remembered clean in the last call of :meth:`failing` or
        #: :meth:`known_clean`.
        self.all_known = False

    def failing(self, distinct: set[str],
                proof: Callable[[], bool] | None = None) -> set[str] | frozenset[str]:
        """The values of ``distinct`` (distinct values of a block) that fail. When most are new
        and ``proof()`` shows the block's whole column clean, none is judged, and they are
        remembered clean while fewer than :data:`_PROVED_LIMIT` are."""
        good, bad = self._good, self._bad
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
        known_bad = new & bad
        new -= known_bad
        if new:
            clean = self._clean(new)
            self._remember(good, clean)
            new -= clean
            self._remember(bad, new)
            known_bad |= new
        return known_bad

    def known_clean(self, column: Sequence[str]) -> bool:
        """Whether every value of ``column`` is remembered clean, looked up one by one: when
        they are, this costs about half of collecting their set and comparing it."""
        self.all_known = self._good.issuperset(column)
        return self.all_known

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
        self._distinct_days: dict[int, set[str]] = {}
        self._derived: dict[object, Sequence[str]] = {}
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
        for cache in (self._unique, self._blank, self._distinct_days, self._offsets,
                      self._packed, self._joins, self._least, self._greatest):
            cache.pop(index, None)
        self._derived.pop(("days", index), None)

    def rows_with(self, index: int, values: set[str] | frozenset[str]) -> list[int]:
        """Rows whose value in column ``index`` is one of ``values``. One or two values (a
        block's bad values, usually) are found by ``list.index``, which compares texts without
        hashing them: about a quarter of the cost of testing each text's membership."""
        column = self.columns[index]
        if len(values) > 2:
            return list(compress(range(self.size), map(values.__contains__, column)))
        found: list[int] = []
        for value in values:
            at = -1
            try:
                while True:
                    at = column.index(value, at + 1)
                    found.append(at)
            except ValueError:
                continue
        return sorted(found)

    def blank_rows(self, index: int) -> list[int]:
        """Rows where column ``index`` is blank."""
        return self.rows_with(index, {""}) if self.has_blank(index) else []

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
        the pair, or for a chain of pairs through moments never blank (whose texts are the same
        as earlier and as later moments, so the order holds through them in every row no pair
        of the chain excepts; the rows excepted are those of every pair of the chain)."""
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
                        step_from = before
                    return sorted(rows)
                if step not in came_from and not self.has_blank(step[0]):
                    came_from[step] = step_from
                    frontier.append(step)
        return None

    def prove_in_order(self, earlier: Moment, later: Moment, rows: list[int]) -> None:
        """Record that every row's ``earlier`` moment text sorts no later than its ``later`` one
        (:meth:`moment` texts, blank dates as ``""`` and as :data:`_NEVER`) but in ``rows``."""
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
            found = self._derived[key] = list(map(_DAY, self.columns[index]))
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

    def matches(self, index: int, template: _Template) -> bool:
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

        Found from the packed column when it has been packed, else from the distinct values.
        """
        if index not in self._offsets:
            column = self.columns[index]
            offset = next((text[19:] for text in column if text), None)
            data = self._packed.get(index) if offset else None
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


# --- bulk classifiers of distinct values -------------------------------------------------------


@attrs.frozen
class Bulk:
    """Proves many distinct non-blank values of one item clean at once.

    ``clean(values)`` returns the values it proves pass every rule in ``covers``; the others
    are judged exactly, one by one. ``all_clean(view, index)``, when given, proves a whole
    column of an item whose values are mostly distinct clean without collecting its distinct
    values (it passes a blank only when the item has no rule, not even presence). When it is
    ``cheap`` (a few bytes operations), it costs less than collecting the distinct values and
    looking them up in the remembered verdicts, so it is tried first on every block whose
    column did not hold one value in the last.
    """

    covers: frozenset[str]
    clean: Callable[[list[str]], set[str]]
    all_clean: Callable[[View, int], bool] | None = None
    cheap: bool = False


#: ASCII whitespace but the newline that joins values: what ``str.strip`` removes.
_ASCII_SPACE = bytes(byte for byte in range(128) if chr(byte).isspace() and byte != 10)
_AS_SPACE = bytes.maketrans(_ASCII_SPACE, b" " * len(_ASCII_SPACE))


def _none_padded(view: View, index: int) -> bool:
    """Whether no value of column ``index`` has surrounding whitespace: joined by newlines
    (ASCII, and a newline only between values), with each whitespace character made a space,
    no space is next to a newline or at either end."""
    text = "\n".join(view.columns[index])
    if not text.isascii() or text.count("\n") != view.size - 1:
        return False
    data = text.encode("ascii").translate(_AS_SPACE)
    return not (data[:1] == b" " or data[-1:] == b" " or b" \n" in data or b"\n " in data)


#: The classifier of an item no rule reads alone (a GP practice code, a procedure code
#: without reference data): only a value with surrounding whitespace fails, as
#: :meth:`Validator.fails_alone` finds, so a blank passes.
_UNREAD = Bulk(frozenset(), lambda values: {value for value in values if value == value.strip()},
               _none_padded)

#: ``factory(ctx, fails)``: ``fails(text)`` is the exact verdict of the item's rules on one
#: value, for classifiers that reduce a value to a few representatives.
BulkFactory = Callable[[CheckContext, Callable[[str], bool]], "Bulk | None"]
#: Bulk classifiers by item name or :class:`Kind`.
BULK: dict[str | Kind, BulkFactory] = {}


def bulk(key: str | Kind) -> Callable[[BulkFactory], BulkFactory]:
    """Register a bulk classifier factory for an item name or kind."""

    def register(factory: BulkFactory) -> BulkFactory:
        BULK[key] = factory
        return factory

    return register


#: Lane weights of the NHS number check: digit ``p`` (0-9, from the left) weighs ``10 - p``.
_NHS_WEIGHTS = sum((lane + 1) << (16 * lane) for lane in range(10))
#: A lane sum is 48 * 55 (the ASCII zeros, a multiple of 11) plus the weighted digit sum.
_NHS_VALID_SUMS = frozenset(range(0, 48 * 55 + 9 * 55 + 1, 11))


def nhs_check_sums(values: Sequence[str]) -> Sequence[int]:
    """Weighted digit sums (plus 2640) of ten-digit ASCII numbers, all in a few integer operations.

    A number is valid when its sum is a multiple of 11 (DIDS001): with weights 10..2 and the
    check digit weighing 1, ``identifiers.md`` section 1's rule becomes one congruence. Each
    character becomes a 16-bit lane of one big integer, which is multiplied by the ten
    weights: lane ``10i + 9`` of the product is number ``i``'s sum, and no lane overflows.
    """
    digits = "".join(values)
    product = int.from_bytes(digits.encode("utf-16-le"), "little") * _NHS_WEIGHTS
    lanes = array("H")
    lanes.frombytes(product.to_bytes(2 * len(digits) + 20, "little"))
    if sys.byteorder == "big":
        lanes.byteswap()
    return lanes[9:10 * len(values):10]


@bulk("nhs_number")
def _nhs_numbers(ctx: CheckContext, fails: Callable[[str], bool]) -> Bulk | None:
    if ctx.reject_palindromes or ctx.reject_sentinels:
        return None

    def shaped(values: Sequence[str]) -> bool:
        joined = "".join(values)
        return joined.isascii() and joined.isdigit() and set(map(len, values)) == {10}

    def clean(values: list[str]) -> set[str]:
        if not shaped(values):
            values = [v for v in values if len(v) == 10 and v.isascii() and v.isdigit()]
        sums = nhs_check_sums(values)
        if set(sums) <= _NHS_VALID_SUMS:
            return set(values)
        return {value for value, total in zip(values, sums, strict=True) if total % 11 == 0}

    ten_digits = _Template("9" * 10)

    def all_clean(view: View, index: int) -> bool:
        column = view.columns[index]
        return ((view.matches(index, ten_digits) or shaped(column))
                and set(nhs_check_sums(column)) <= _NHS_VALID_SUMS)

    return Bulk(frozenset({"DIDS001", "DIDS002"}), clean, all_clean)


def _every_line(plain: str, *, possessive: bool = sys.version_info >= (3, 11)) -> str:
    """A pattern of lines joined by newlines, each matching ``plain`` (no capturing group),
    whose repetition never gives back what it matched: ``possessive`` (Python 3.11 and later)
    or, before, a lookahead's capture (a lookahead is atomic) matched again."""
    if possessive:
        return f"(?:(?:{plain})\n)*+(?:{plain})"
    return f"(?=((?:(?:{plain})\n)*))\\1(?:{plain})"


class _Shape:
    """Values that match a regular expression (which never matches a newline) whole, found by
    one pass over all of them joined by newlines: each line matched on its own (``^...$``)
    to find the matching ones, or the lines matched at once to prove them all
    (:func:`_every_line`: failing, it does not backtrack through every line)."""

    def __init__(self, shape: str, flags: int = 0) -> None:
        plain = re.sub(r"\((?!\?)", "(?:", shape)
        self._one = re.compile(f"(?:{plain})", flags)
        self._lines = re.compile(f"^(?:{plain})$", flags | re.MULTILINE)
        self._all = re.compile(_every_line(plain), flags)

    def _found(self, values: Sequence[str]) -> list[str] | None:
        """The matching values in order, or ``None`` when a value holds a newline."""
        joined = "\n".join(values)
        if joined.count("\n") != len(values) - 1:
            return None
        return self._lines.findall(joined)

    def matching(self, values: list[str]) -> set[str]:
        """The distinct values that match."""
        found = self._found(values)
        if found is None:
            return {value for value in values if self._one.fullmatch(value)}
        return set(values) if len(found) == len(values) else set(found)

    def all_match(self, values: Sequence[str]) -> bool:
        """Whether every value matches."""
        joined = "\n".join(values)
        if joined.count("\n") != len(values) - 1:
            return all(map(self._one.fullmatch, values))
        return self._all.fullmatch(joined) is not None


#: ``bytes.translate`` tables of :class:`_Template`: digits to ``0``; and flags (``1``) of an
#: hour's tens digit ``2`` and of the units digits that cannot follow it.
_CANONICAL = bytes.maketrans(b"0123456789", b"0000000000")
_TWENTY = bytes(int(byte == ord("2")) for byte in range(256))
_PAST_TWENTY_THREE = bytes(int(chr(byte) in "456789") for byte in range(256))


class _Template:
    """Values of one fixed-width shape, checked over a packed column (:meth:`View.packed`) with
    a few bytes operations instead of one regular expression match per value.

    ``pattern`` has a character per position: a digit ``d`` stands for a digit from 0 to ``d``,
    ``HH`` for an hour from 00 to 23, any other character for itself. Every value is translated
    by :data:`_CANONICAL` and compared with the pattern's canonical form at once (which also
    proves every value's width); a position allowing fewer digits than ``9`` is checked on its
    own, and an hour's tens digit ``2`` only before ``0``-``3``.
    """

    def __init__(self, pattern: str) -> None:
        self.width = len(pattern)
        allowed = [_template_class(pattern, position) for position in range(self.width)]
        self._line = "".join(chars[0] for chars in allowed).encode() + b"\n"
        self._narrow = [(position, chars.encode()) for position, chars in enumerate(allowed)
                        if chars[0] == "0" and chars != "0123456789"]
        self._hours = [position for position in range(self.width - 1)
                       if pattern[position:position + 2] == "HH"]

    def fits(self, data: bytes, size: int) -> bool:
        """Whether every value of ``size`` joined by newlines (ASCII) has this shape."""
        stride = self.width + 1
        if len(data) != size * stride - 1:
            return False
        if not (self._line * size).startswith(data.translate(_CANONICAL)):
            return False
        if any(data[position::stride].translate(None, chars)
               for position, chars in self._narrow):
            return False
        for position in self._hours:
            tens = data[position::stride]
            if b"2" in tens and int.from_bytes(tens.translate(_TWENTY), "big") & int.from_bytes(
                    data[position + 1::stride].translate(_PAST_TWENTY_THREE), "big"):
                return False
        return True


def _template_class(pattern: str, position: int) -> str:
    """The characters allowed at ``position`` of a :class:`_Template` pattern."""
    char = pattern[position]
    if char == "H":
        return "012" if pattern[position + 1:position + 2] == "H" else "0123456789"
    if char.isdigit():
        return "0123456789"[:int(char) + 1]
    return char


@bulk("postcode")
def _postcodes(ctx: CheckContext, fails: Callable[[str], bool]) -> Bulk:
    """Postcodes of the upper-case shape pass DIDS017; a column of them (real files have
    mostly distinct postcodes) is proved clean with one pass of the shape over it."""
    shape = _Shape(postcode.SHAPE)
    return Bulk(frozenset({"DIDS017"}), shape.matching,
                lambda view, index: shape.all_match(view.columns[index]))


@bulk("referrer")
def _referrers(ctx: CheckContext, fails: Callable[[str], bool]) -> Bulk:
    """Upper-case codes without spaces that match a referrer format are what DIDS023 accepts
    (its cleansing upper-cases and strips)."""
    pattern = referrer.format_pattern()
    shape = _Shape(pattern.pattern, pattern.flags)

    def clean(values: list[str]) -> set[str]:
        return {value for value in shape.matching(values) if value == referrer.compact(value)}

    def all_clean(view: View, index: int) -> bool:
        """Every value matches (the formats hold no lower-case letter or space, so each is
        its own compact form)."""
        return shape.all_match(view.columns[index])

    return Bulk(frozenset({"DIDS023"}), clean, all_clean)


@bulk("accession_number")
def _accession_numbers(ctx: CheckContext, fails: Callable[[str], bool]) -> Bulk:
    longest = int(RULES["DIDS072"].params["max_length"])

    def letters_and_digits(values: Sequence[str]) -> bool:
        """No whitespace at all (so none to strip), no blank, none too long."""
        return (bool(values) and max(map(len, values)) <= longest and min(map(len, values)) > 0
                and "".join(values).isalnum())

    def clean(values: list[str]) -> set[str]:
        if letters_and_digits(values):
            return set(values)
        return {v for v in values if v and len(v) <= longest and v == v.strip()}

    def all_clean(view: View, index: int) -> bool:
        data = view.packed(index)
        if data is None:
            return letters_and_digits(view.columns[index])
        return 0 < len(view.columns[index][0]) <= longest and data.replace(b"\n", b"").isalnum()

    return Bulk(frozenset({"DIDS072"}), clean, all_clean)


#: The rules on a date item alone that each bound its dates on one side (validity, a floor,
#: not after the submission date), so that the dates passing all of them are one span.
#: DIDS049 and DIDS055 (v1 test date) are not among them: Spark's ``months_between`` is not
#: monotone across month ends (2025-10-30 is 3.94 months before 2026-02-28, 2025-10-31 is 4).
_ONE_SIDED_DATE_RULES = frozenset({"DIDS005", "DIDS009", "DIDS026", "DIDS031", "DIDS036",
                                   "DIDS041", "DIDS045", "DIDS051", "DIDS061", "DIDS066"})


@bulk(Kind.DATE)
def _dates(ctx: CheckContext, fails: Callable[[str], bool]) -> Bulk:
    """Real dates of the ``CCYY-MM-DD`` shape, sorted (their text order is their order), pass
    one-sided rules in one run: when the first and last pass, all do; else, when the middle one
    passes, the run's ends are found by bisection. A few exact verdicts judge a block's dates
    (real files have tens of thousands of distinct birth dates)."""
    shape = _Shape(DATE_SHAPE)

    def clean(values: list[str]) -> set[str]:
        real = sorted(filter(partial(passes, parse_date), shape.matching(values)))
        if not real or (not fails(real[0]) and not fails(real[-1])):
            return set(real)
        middle = len(real) // 2
        if fails(real[middle]):
            return set()  # the run, if any, lies on one side: judged one by one
        first = bisect.bisect_left(real, True, hi=middle, key=lambda text: not fails(text))
        end = bisect.bisect_left(real, True, lo=middle, key=fails)
        return set(real[first:end])

    return Bulk(_ONE_SIDED_DATE_RULES, clean)


@bulk(Kind.TIME)
def _times(ctx: CheckContext, fails: Callable[[str], bool]) -> Bulk:
    """Clock times of the ``HH:MM:SS`` shape pass X-TIM-01, the only rule that reads a time
    alone. Real request times take tens of thousands of values, more than the verdicts
    remember, so a column of them is proved clean whole by a few bytes operations
    (:class:`_Template`, which accepts the ASCII texts the shape does)."""
    template = _Template("HH:59:59")
    return Bulk(frozenset({"X-TIM-01"}), _Shape(TIME_SHAPE).matching,
                lambda view, index: view.matches(index, template), cheap=True)


@bulk(Kind.TIMESTAMP)
def _timestamps(ctx: CheckContext, fails: Callable[[str], bool]) -> Bulk:
    """A well-shaped timestamp is clean when its rules pass at both ends of its local date.

    Its rules are validity and order against the submission, which are decided by the date
    or are monotone in the instant, so the extreme instants of the date stand for all others.
    """
    shape = _Shape(TIMESTAMP_SHAPE)
    #: By the character after the clock time. Looser than the format in months and days (every
    #: local date is judged below), stricter in offsets (below 20 hours; others take ``shape``).
    templates = {pattern[19]: _Template(pattern) for pattern in [
        "9999-99-99THH:59:59+19:59", "9999-99-99THH:59:59-19:59", "9999-99-99THH:59:59Z"]}
    verdicts: dict[str, bool] = {}  # whether each local date is clean

    def day_is_clean(day: str) -> bool:
        return not fails(day + "T00:00:00+23:59") and not fails(day + "T23:59:59-23:59")

    def clean(values: list[str]) -> set[str]:
        shaped = shape.matching(values)
        remember(verdicts, day_is_clean, set(map(_DAY, shaped)))
        return {value for value in shaped if verdicts[value[:10]]}

    def all_clean(view: View, index: int) -> bool:
        column = view.columns[index]
        template = templates.get(column[0][19:20])
        fits = template is not None and view.matches(index, template)
        if not fits and not shape.all_match(column):
            return False
        days = view.distinct(index, days=True)
        remember(verdicts, day_is_clean, days)
        return all(map(verdicts.__getitem__, days))

    return Bulk(frozenset({"X-TSP-01", "DIDS045", "DIDS061", "DIDS051", "DIDS066"}), clean,
                all_clean)


# --- screens of rules that read several items -------------------------------------------------

#: Screens by rule code: ``factory(rule, ctx)`` gives a function from a :class:`View` to the rows
#: that may break the rule, or ``None`` when the rule cannot be screened in this context.
SCREENS: dict[str, ScreenFactory] = {}


def screen(*codes: str) -> Callable[[ScreenFactory], ScreenFactory]:
    """Register a screen factory for ``codes``."""

    def register(factory: ScreenFactory) -> ScreenFactory:
        for code in codes:
            SCREENS[code] = factory
        return factory

    return register


def _columns(rule: Rule, ctx: CheckContext) -> list[int]:
    return [ctx.layout.index(name) for name in rule.items(ctx.version) if name in ctx.layout]


def _values_screen(column: int, fails: Callable[[str], bool],
                   maybe: re.Pattern[str] | None = None) -> RowScreen:
    """Rows whose value in ``column`` fails ``fails`` (asked once per distinct value).

    ``maybe``, for items whose values are mostly distinct, finds (with ``re.MULTILINE``) the
    whole lines of the values joined by newlines that may fail: only those are asked.
    """
    verdicts = _Verdicts(lambda values: {value for value in values if not fails(value)})

    def rows(view: View) -> list[int]:
        distinct = view.unique(column)
        if maybe is not None:
            joined = "\n".join(distinct)
            if joined.count("\n") == len(distinct) - 1:  # no value holds a newline
                distinct = set(maybe.findall(joined))
        return view.rows_with(column, verdicts.failing(distinct))

    return rows


@screen("DIDS056", "DIDS073")
def _all_blank(rule: Rule, ctx: CheckContext) -> RowScreen:
    first, *rest = _columns(rule, ctx)

    def rows(view: View) -> list[int]:
        columns = view.columns
        return [k for k in view.blank_rows(first) if not any(columns[c][k] for c in rest)]

    return rows


@screen("DIDS074")
def _zz99_alone(rule: Rule, ctx: CheckContext) -> RowScreen:
    code = ctx.layout.index("postcode")
    others = [c for c in _columns(rule, ctx) if c != code]
    zz99 = _values_screen(code, postcode.is_zz99, re.compile(r"^.*[zZ][zZ]99.*$", re.M))

    def rows(view: View) -> list[int]:
        if not all(map(view.has_blank, others)):  # no row has them all blank
            return []
        columns = view.columns
        return [k for k in zz99(view) if not any(columns[c][k] for c in others)]

    return rows


@screen("X-TIM-02")
def _time_without_date(rule: Rule, ctx: CheckContext) -> RowScreen:
    columns = _columns(rule, ctx)
    pairs = list(zip(columns[0::2], columns[1::2], strict=True))

    def rows(view: View) -> list[int]:
        return [k for clock, day in pairs for k in view.blank_rows(day)
                if view.columns[clock][k]]

    return rows


@screen("X-TFC-01")
def _treatment_function(rule: Rule, ctx: CheckContext) -> RowScreen:
    """Unknown codes, and rows whose procedure date is outside their code's validity dates.

    Each code maps to the first and last dates it is valid on (``""`` and ``"~"`` when open),
    and the start timestamp is compared with them as text, as :func:`_in_order` does: not at
    all when the block's earliest (latest) start is within the bounds of every code of the
    list, row by row only when it is outside the bounds of all the block's codes.
    """
    column = ctx.layout.index("treatment_function")
    start = ctx.layout.index("procedure_start_timestamp")
    code_list = ctx.layout["treatment_function"].code_list
    assert code_list is not None
    members = code_list.enum._value2member_map_
    unknown = _values_screen(column, lambda text: bool(text) and text not in members)
    first: dict[str, str] = {}
    last: dict[str, str] = {}

    def valid_from(text: str) -> str:
        member = members.get(text)
        day: date | None = getattr(member, "valid_from", None)
        return day.isoformat() if day else ""

    def valid_to(text: str) -> str:
        member = members.get(text)
        day: date | None = getattr(member, "valid_to", None)
        return day.isoformat() + "T99" if day else _NEVER

    latest_opening = max(map(valid_from, members), default="")
    earliest_closing = min(map(valid_to, members), default=_NEVER)

    def rows(view: View) -> list[int]:
        started = view.columns[start]
        found = list(unknown(view))
        codes = view.unique(column)
        # An ISO date (or blank) sorts after a text as it sorts after its first ten characters.
        if latest_opening > view.least_day(start):
            remember(first, valid_from, codes)
            if max(map(first.__getitem__, codes)) > view.least(start):
                found += compress(range(view.size), map(
                    operator.gt, view.mapped(column, first, valid_from), started))
        if earliest_closing < view.greatest(start):
            remember(last, valid_to, codes)
            if min(map(last.__getitem__, codes)) < view.greatest(start):
                found += compress(range(view.size), map(
                    operator.gt, started, view.mapped(column, last, valid_to)))
        return found

    return rows


@screen("DIDS057", "DIDS059", "DIDS00300302", "DIDS00300402")
def _code_format(rule: Rule, ctx: CheckContext) -> RowScreen | None:
    """Without reference data these rules only fail a malformed code."""
    column, module, reference = _checks._code_system(rule, ctx)
    if reference is not None:
        return None
    return _values_screen(column, lambda text: bool(text) and not module.is_valid(text))


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
def _in_order(rule: Rule, ctx: CheckContext) -> RowScreen:
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
                > (texts[k] or _NEVER)]

    def moments(view: View) -> tuple[Callable[[Any, Any], bool], Iterable[Any], Iterable[Any]]:
        """The two sides' moments and the test of a row out of order."""
        if earlier.clock is None or later.clock is None:
            return (operator.gt, view.moment(earlier.day, earlier.clock, ""),
                    view.moment(later.day, later.clock, _NEVER))
        # Two dates with times: (date, time) pairs order as the joined texts do (a blank time,
        # "", sorts first as a date alone does), without joining them; when each side has one
        # time in the block, the dates alone decide, a tie by how those two times sort.
        days = view.moment(earlier.day, None, ""), view.moment(later.day, None, _NEVER)
        first, second = view.unique(earlier.clock), view.unique(later.clock)
        if len(first) == 1 == len(second):
            return (operator.ge if min(first) > min(second) else operator.gt), *days
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
    the first value's bound is the least of all when that value is a date (a value that is not
    one has no bound); else the least is found among the bounds of every distinct date.
    """
    memo: dict[str, str] = {}

    def bound_of(text: str) -> str:
        try:
            return bound(parse_date(text))
        except (ValidationError, OverflowError, ValueError):
            return _NEVER

    def rows(view: View) -> list[int]:
        earliest = (view.least_day(earlier.day) if earlier.timestamp
                    else min(view.unique(earlier.day)))
        remember(memo, bound_of, {earliest})
        lowest = memo[earliest]
        if lowest == _NEVER:
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
    step = relativedelta(months=int(rule.params["max_months"]))
    return _exceeds(report.day, start, lambda day: (day + step).isoformat() + "T99")


@screen("DIDS010", "DIDS040")
def _birth_within_months(rule: Rule, ctx: CheckContext) -> RowScreen:
    birth = ctx.layout.index("birth_date")
    asked = next(side for side in _sides(rule, ctx) if side.day != birth)
    limit = int(rule.params["max_months"])

    def bound(day: date) -> str:
        year, month = divmod(month_number(day) + limit - 1, 12)
        return f"{year:04d}-{month + 1:02d}-99"

    return _exceeds(birth, asked, bound)


# --- the screen of one validator ----------------------------------------------------------------


@attrs.frozen
class Sifted:
    """What :meth:`Screen.sift` found in a block: its :class:`View`; each column whose item's
    own rules fail on some of its values, with those values; and, for each screened rule about
    several items, by code, the rows that may break it (sorted or not, maybe repeated). A row
    in none of these breaks no rule, but may hold a value that another rule's screen assumed
    valid: :class:`dids.validate.Validator` checks those rows for each rule their bad value's
    item is in."""

    view: View
    failing: list[tuple[int, set[str] | frozenset[str]]]
    rows: list[tuple[str, Iterable[int]]]


class Screen:
    """Finds what a block of one validator's rows may break."""

    def __init__(
        self,
        validator: Validator,
        local: list[frozenset[str]],
        screens: list[tuple[str, RowScreen]],
    ) -> None:
        self._validator = validator
        self._local = local
        self._screens = screens
        self._verdicts = [
            _Verdicts(partial(self._classify, index),
                      _DATE_MEMO_LIMIT if item.kind is Kind.DATE else _MEMO_LIMIT)
            for index, item in enumerate(validator.layout)]
        self._blocks = 0
        #: Whether each column held one value in the last block that collected its values.
        self._constant = [False] * len(validator.layout)
        #: Whether a row screen has collected a column's distinct values in a block where its
        #: item's values were only looked up (:meth:`_Verdicts.known_clean`): from then on they
        #: are collected for the item, as the screens need them anyway.
        self._collected_by_screens = [False] * len(validator.layout)
        ctx = validator.context
        presence = frozenset(code for (code, _), factory in _checks.ROW_CHECKS.items()
                             if factory is _checks._present)
        self._bulk: list[Bulk | None] = []
        for index, item in enumerate(validator.layout):
            factory = BULK.get(item.python_name) or BULK.get(item.kind)
            if not local[index]:
                found: Bulk | None = _UNREAD
            else:
                found = factory(ctx, self._judge(index)) if factory else None
            if found is not None and not local[index] <= found.covers | presence:
                found = None
            self._bulk.append(found)

    def sift(self, columns: MutableSequence[Sequence[str]],
             known: Mapping[int, set[str]] | None = None) -> Sifted:
        """What a block may break: each column's values that fail its item's own rules, and
        the rows each screened multi-item rule may fail on. A column with a value that has
        surrounding whitespace is replaced in ``columns`` by its stripped values, which are
        what validation compares. ``known`` holds the distinct values of columns the caller
        knows them of.

        A column with an ``all_clean`` classifier is proved clean by it when most of its values
        were new to the remembered verdicts in the last block that collected them, or when the
        proof is cheap (:class:`Bulk`) and the column did not hold one value then. Every
        :data:`_PROBE_EVERY` blocks its values are collected again to see if that still holds;
        when most are new, the proof still spares judging them.
        """
        view = View(columns, known)
        failing: list[tuple[int, set[str] | frozenset[str]]] = []
        self._blocks += 1
        probe = self._blocks % _PROBE_EVERY == 1
        constant = self._constant
        looked_up: list[int] = []  # columns whose values were only looked up
        for index, classifier in enumerate(self._bulk):
            verdicts = self._verdicts[index]
            proof = None  # a whole-column proof not tried yet
            distinct = None
            if classifier and classifier.all_clean:
                if not probe and ((classifier.cheap and not constant[index])
                                  or verdicts.mostly_new):
                    if classifier.all_clean(view, index):
                        continue
                    distinct = _unproved(view, index, classifier.all_clean)
                else:
                    proof = partial(classifier.all_clean, view, index)
            if distinct is None:
                if (verdicts.all_known and not constant[index]
                        and not self._collected_by_screens[index]
                        and verdicts.known_clean(view.columns[index])):
                    looked_up.append(index)
                    continue
                distinct = view.unique(index, constant=constant[index])
                constant[index] = len(distinct) == 1
            bad = verdicts.failing(distinct, proof)
            if bad and any(value != value.strip() for value in bad):
                view.strip(index)
                bad = verdicts.failing(view.unique(index))
            if bad:
                failing.append((index, bad))
        rows = [(code, rows(view)) for code, rows in self._screens]
        for index in looked_up:
            self._collected_by_screens[index] |= view.collected(index)
        return Sifted(view, failing, rows)

    def _judge(self, index: int) -> Callable[[str], bool]:
        """The exact verdict of column ``index``'s rules on one value: whether it fails."""
        validator, codes = self._validator, self._local[index]
        return lambda text: validator.fails_alone(index, text, codes)

    def _classify(self, index: int, values: set[str]) -> set[str]:
        """The clean values among ``values`` (distinct values of column ``index``)."""
        clean: set[str] = set()
        unsure = values
        found = self._bulk[index]
        if found is not None:
            non_blank = [value for value in values if value]
            if non_blank:
                clean = found.clean(non_blank)
                unsure = values - clean
        fails = self._judge(index)
        return clean | {value for value in unsure if not fails(value)}


def _unproved(view: View, index: int, all_clean: Callable[[View, int], bool]) -> set[str] | None:
    """The distinct values of the parts of column ``index`` (a column that ``all_clean`` did not
    prove clean whole) that it does not prove clean either, of :data:`_CHUNKS` parts: one bad
    value then costs the judging of its part's values, not of the whole column's. ``None``
    once more than a quarter of the parts fail (blanks scattered through a column fail every
    part that holds one), so that trying parts costs at most about half a proof more."""
    column = view.columns[index]
    step = -(-view.size // _CHUNKS)
    found: set[str] = set()
    failed = 0
    for start in range(0, view.size, step):
        part = column[start:start + step]
        if not all_clean(View([part]), 0):
            failed += 1
            if failed > _CHUNKS // 4:
                return None
            found.update(part)
    return found


def screen_for(validator: Validator) -> Screen | None:
    """The screen of ``validator``'s rules, or ``None`` when a rule cannot be screened."""
    layout, ctx = validator.layout, validator.context
    local: list[set[str]] = [set() for _ in layout]
    screens: list[tuple[str, RowScreen]] = []
    for index, checks in enumerate(validator.field_rules()):
        local[index].update(rule.code for rule in checks)
    for rule in sorted(validator.row_rules(), key=partial(_span, ctx=ctx)):
        factory = SCREENS.get(rule.code)
        if factory is not None:
            found = factory(rule, ctx)
            if found is None:
                return None
            screens.append((rule.code, found))
            continue
        columns = set(_columns(rule, ctx))
        if len(columns) != 1:
            return None
        local[columns.pop()].add(rule.code)
    return Screen(validator, [frozenset(codes) for codes in local], screens)


def _span(rule: Rule, ctx: CheckContext) -> int:
    """How many columns apart an order rule's moments are (0 for other rules). Screening the
    closest pairs first lets a wider pair follow through them (:meth:`View.in_order`)."""
    if SCREENS.get(rule.code) is not _in_order:
        return 0
    columns = _columns(rule, ctx)
    return max(columns) - min(columns)
