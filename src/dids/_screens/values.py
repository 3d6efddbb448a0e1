"""Screens of single-item values (dates, times, timestamps) and of the rules about a few items
that are not about order: all blank (DIDS056, DIDS073), ZZ99 alone (DIDS074), a time without
its date (X-TIM-02), treatment functions (X-TFC-01), code formats without reference data.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Callable
from datetime import date
from itertools import compress

from dids._checks import CheckContext
from dids._screens.base import Bulk, RowScreen, bulk, columns_of, screen, values_screen
from dids._screens.shapes import Shape, Template
from dids._screens.view import DAY, NEVER, View, remember
from dids._values import DATE_SHAPE, TIME_SHAPE, TIMESTAMP_SHAPE
from dids.catalogue import Kind
from dids.identifiers import postcode
from dids.rules import Rule

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
    shape = Shape(DATE_SHAPE)

    def clean(values: list[str]) -> set[str]:
        real = sorted(filter(_real_date, shape.matching(values)))
        if not real or (not fails(real[0]) and not fails(real[-1])):
            return set(real)
        middle = len(real) // 2
        if fails(real[middle]):
            return set()  # the run, if any, lies on one side: judged one by one
        first = bisect.bisect_left(real, True, hi=middle, key=lambda text: not fails(text))
        end = bisect.bisect_left(real, True, lo=middle, key=fails)
        return set(real[first:end])

    return Bulk(_ONE_SIDED_DATE_RULES, clean)


def _real_date(text: str) -> bool:
    """Whether a text of the date shape (:data:`DATE_SHAPE`) is a calendar date, as
    :func:`dids._values.parse_date` reads it after matching that shape."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@bulk(Kind.TIME)
def _times(ctx: CheckContext, fails: Callable[[str], bool]) -> Bulk:
    """Clock times of the ``HH:MM:SS`` shape pass X-TIM-01, the only rule that reads a time
    alone. Real request times take tens of thousands of values, more than the verdicts
    remember, so a column of them is proved clean whole by a few bytes operations
    (:class:`Template`, which accepts the ASCII texts the shape does)."""
    template = Template("HH:59:59")
    shape = Shape(TIME_SHAPE)
    return Bulk(frozenset({"X-TIM-01"}), shape.matching,
                lambda view, index: view.matches(index, template),
                lambda view, index: shape.misfits(view.columns[index]), cheap=True)


@bulk(Kind.TIMESTAMP)
def _timestamps(ctx: CheckContext, fails: Callable[[str], bool]) -> Bulk:
    """A well-shaped timestamp is clean when its rules pass at both ends of its local date.

    Its rules are validity and order against the submission, which are decided by the date
    or are monotone in the instant, so the extreme instants of the date stand for all others.
    """
    shape = Shape(TIMESTAMP_SHAPE)
    #: By the character after the clock time. Looser than the format in months and days (every
    #: local date is judged below), stricter in offsets (below 20 hours; others take ``shape``).
    templates = {pattern[19]: Template(pattern) for pattern in [
        "9999-99-99THH:59:59+19:59", "9999-99-99THH:59:59-19:59", "9999-99-99THH:59:59Z"]}
    verdicts: dict[str, bool] = {}  # whether each local date is clean

    def day_is_clean(day: str) -> bool:
        return not fails(day + "T00:00:00+23:59") and not fails(day + "T23:59:59-23:59")

    def clean(values: list[str]) -> set[str]:
        shaped = shape.matching(values)
        remember(verdicts, day_is_clean, set(map(DAY, shaped)))
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

    def suspects(view: View, index: int) -> list[int] | None:
        """Rows that do not have the shape, and those whose local date is not clean."""
        misshapen = shape.misfits(view.columns[index])
        if misshapen is None:
            return None
        days = view.distinct(index, days=True)
        remember(verdicts, day_is_clean, days)
        unclean = {day for day in days if not verdicts[day]}
        if not unclean:
            return misshapen
        return sorted(set(misshapen).union(
            compress(range(view.size), map(unclean.__contains__, view.days(index)))))

    return Bulk(frozenset({"X-TSP-01", "DIDS045", "DIDS061", "DIDS051", "DIDS066"}), clean,
                all_clean, suspects)


@screen("DIDS056", "DIDS073", unmasked=True)
def _all_blank(rule: Rule, ctx: CheckContext) -> RowScreen:
    first, *rest = columns_of(rule, ctx)

    def rows(view: View) -> list[int]:
        columns = view.columns
        return [k for k in view.blank_rows(first) if not any(columns[c][k] for c in rest)]

    return rows


@screen("DIDS074", unmasked=True)
def _zz99_alone(rule: Rule, ctx: CheckContext) -> RowScreen:
    """Rows whose other demographic items are all blank, then those of them with a ZZ99
    postcode: a block's blanks are few, its postcodes mostly distinct."""
    code = ctx.layout.index("postcode")
    first, *rest = (c for c in columns_of(rule, ctx) if c != code)

    def rows(view: View) -> list[int]:
        if not all(map(view.has_blank, rest)):  # no row has them all blank
            return []
        columns = view.columns
        postcodes = columns[code]
        return [k for k in view.blank_rows(first)
                if not any(columns[c][k] for c in rest) and postcode.is_zz99(postcodes[k])]

    return rows


@screen("X-TIM-02", unmasked=True)
def _time_without_date(rule: Rule, ctx: CheckContext) -> RowScreen:
    columns = columns_of(rule, ctx)
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
    unknown = values_screen(column, lambda text: bool(text) and text not in members)
    first: dict[str, str] = {}
    last: dict[str, str] = {}

    def valid_from(text: str) -> str:
        member = members.get(text)
        day: date | None = getattr(member, "valid_from", None)
        return day.isoformat() if day else ""

    def valid_to(text: str) -> str:
        member = members.get(text)
        day: date | None = getattr(member, "valid_to", None)
        return day.isoformat() + "T99" if day else NEVER

    latest_opening = max(map(valid_from, members), default="")
    earliest_closing = min(map(valid_to, members), default=NEVER)

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
