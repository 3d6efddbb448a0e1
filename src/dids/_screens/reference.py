"""Screens of the rules that need reference data: postcodes (DIDS016), ODS organisations
(DIDS018, DIDS024, DIDS068; live on the day: DIDS079-DIDS081), NICIP and SNOMED CT codes (valid
on the day: DIDS057, DIDS059, DIDS00300302, DIDS00300402; in their grace: DIDS077, DIDS078;
agreeing: DIDS082, DIDSREJ012).

Each asks its provider about a block's distinct values in one batch
(:func:`dids.reference.lookup_many`; validation puts a bounded memory in front of providers,
:func:`dids.reference.cached`). A code or organisation is clean for a block when its dates hold
on every day the block's rows can name, from the least to the greatest date of the columns
the rule reads the day from; only rows holding the others are checked one by one.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection
from datetime import date, timedelta
from itertools import compress

from dids import _checks
from dids._checks import CheckContext
from dids._screens.base import RowScreen, columns_of, screen, values_screen
from dids._screens.view import MEMO_LIMIT, NEVER, View, remember
from dids.catalogue import Kind
from dids.identifiers import ods, postcode
from dids.reference import ReferenceCode, known_postcodes, lookup_many
from dids.rules import Rule

__all__ = ["REFERENCE_CLEAN", "ReferenceClean"]

#: ``clean(values)``: those of a block's distinct non-blank values of one item that pass a rule
#: about that item alone; ``factory(rule, ctx)`` makes it (``None`` without the reference data).
ReferenceClean = Callable[[Collection[str]], set[str]]
#: The single-item reference rules' classifiers, by rule code.
REFERENCE_CLEAN: dict[str, Callable[[Rule, CheckContext], ReferenceClean | None]] = {}


def _postcodes_known(rule: Rule, ctx: CheckContext) -> ReferenceClean | None:
    """DIDS016 passes a ZZ99 pseudo-postcode and a postcode the directory holds (asked
    upper-cased, as the check asks)."""
    known = ctx.reference.postcodes
    if known is None:
        return None

    def clean(values: Collection[str]) -> set[str]:
        values = set(values)
        lower = {value: upper for value in values if (upper := value.upper()) != value}
        found = known_postcodes(known, values - lower.keys() | set(lower.values()))
        clean = found & values | {value for value, upper in lower.items() if upper in found}
        return clean | {value for value in values - clean if postcode.is_zz99(value)}

    return clean


def _organisations_known(rule: Rule, ctx: CheckContext) -> ReferenceClean | None:
    """DIDS018, DIDS024 and DIDS068 pass a default code and an organisation that ODS holds with
    a role the item needs."""
    organisations = ctx.reference.organisations
    if organisations is None:
        return None
    item = _checks._item_of(rule, ctx)
    defaults = ods.defaults(_checks._ORGANISATION_ITEMS[item][0])
    lookup = _checks._organisation_lookup(rule, ctx)

    def clean(values: Collection[str]) -> set[str]:
        upper = {value: value.upper() for value in values}
        lookup_many(organisations, set(upper.values()))  # one batch: the lookups below recall it
        return {value for value in values
                if upper[value] in defaults or lookup(value) is not None}

    return clean


REFERENCE_CLEAN.update({"DIDS016": _postcodes_known, "DIDS018": _organisations_known,
                        "DIDS024": _organisations_known, "DIDS068": _organisations_known})


def day_bounds(view: View, columns: Collection[int]) -> tuple[date, date] | None:
    """The least and greatest day that the dates (or timestamps) of ``columns`` name in a block,
    ``None`` when none does. A text that is no date names none: the checks read no day from it
    (the first ten characters of every valid value are its day)."""
    days: list[date] = []
    for column in columns:
        for text in view.distinct(column, days=True):
            try:
                days.append(date.fromisoformat(text))
            except ValueError:
                continue
    return (min(days), max(days)) if days else None


def _active_throughout(entry: ReferenceCode | None, bounds: tuple[date, date]) -> bool:
    """Whether a code is active (:func:`dids.reference.code_status`) on every day of
    ``bounds``."""
    first, last = bounds
    return entry is not None and (entry.active_from is None or entry.active_from <= first) and (
        entry.inactive_from is None or last < entry.inactive_from)


def _day_columns(ctx: CheckContext) -> list[int]:
    """The columns a code's day is read from (:func:`dids._checks._reference_day`)."""
    if ctx.version == 1:
        return [ctx.layout.index("test_date")]
    return [ctx.layout.index(name) for name in ("procedure_end_timestamp",
                                                "procedure_start_timestamp")]


@screen("DIDS057", "DIDS059", "DIDS00300302", "DIDS00300402", "DIDS077", "DIDS078")
def _code_on_the_day(rule: Rule, ctx: CheckContext) -> RowScreen:
    """A malformed code fails validity whatever the day (and is never in its grace); with
    reference data, rows whose code is not active on every day of the block."""
    column, module, reference = _checks._code_system(rule, ctx)
    in_grace = rule.code in ("DIDS077", "DIDS078")

    def malformed(text: str) -> bool:
        return not in_grace and bool(text) and not module.is_valid(text)

    if reference is None:
        return values_screen(column, malformed)
    days = _day_columns(ctx)

    def rows(view: View) -> list[int]:
        codes = view.unique(column) - {""}
        bounds = day_bounds(view, days)
        if bounds is None:  # no day: only the form of a code is checked
            return view.rows_with(column, {code for code in codes if malformed(code)})
        entries = lookup_many(reference, codes)
        windows: dict[str, tuple[str, str]] = {}
        for code in codes:
            entry = entries[code]
            if malformed(code) or entry is None:
                windows[code] = (NEVER, "")  # every day is outside
            elif not _active_throughout(entry, bounds):
                windows[code] = _window(entry.active_from, entry.inactive_from, inclusive=False)
        return _outside(view, column, windows, days)

    return rows


#: Stands for a NICIP code that maps to no SNOMED CT code (no text of a file holds it).
_UNMAPPED = "\x00"


@screen("DIDS082", "DIDSREJ012")
def _codes_agree(rule: Rule, ctx: CheckContext) -> RowScreen | None:
    """Rows whose SNOMED CT code is not the one their NICIP code maps to."""
    nicips = ctx.reference.nicip
    if nicips is None or ctx.reference.snomed_ct is None:
        return None  # not checked
    nicip, snomed = ctx.layout.index("nicip_code"), ctx.layout.index("snomed_code")
    days = _day_columns(ctx)
    maps_to: dict[str, str] = {}

    def mapping(code: str) -> str:
        entry = nicips.lookup(code) if code else None
        return _UNMAPPED if entry is None or entry.maps_to is None else entry.maps_to

    def rows(view: View) -> list[int]:
        codes = view.unique(nicip) - {""}
        if not codes or day_bounds(view, days) is None:
            return []
        lookup_many(nicips, codes)  # one batch: mapping() recalls it
        mapped = view.mapped(nicip, maps_to, mapping)
        snomeds = view.columns[snomed]
        return [k for k in compress(range(view.size), map(operator.ne, mapped, snomeds))
                if mapped[k] != _UNMAPPED and snomeds[k]]

    return rows


@screen("DIDS079", "DIDS080", "DIDS081")
def _organisation_live(rule: Rule, ctx: CheckContext) -> RowScreen | None:
    """Rows whose organisation (one ODS holds with the item's role) opened after, or closed
    before, a day of the block. Each code's open days are remembered (as the bounds of their
    ISO texts, ``None`` for a code the rule does not check), and so are the codes found live
    on every day of the last blocks' bounds (those of most blocks of a file): a block asks
    only about its new codes and compares texts."""
    organisations = ctx.reference.organisations
    if organisations is None:
        return None  # not checked
    column, *dates = columns_of(rule, ctx)
    dates = [c for c in dates if ctx.layout.items[c].kind in (Kind.DATE, Kind.TIMESTAMP)]
    lookup = _checks._organisation_lookup(rule, ctx)
    open_days: dict[str, tuple[str, str] | None] = {}
    #: The codes live on every day from the first to the last day of the key (one key).
    live: dict[tuple[str, str], set[str]] = {}

    def open_window(code: str) -> tuple[str, str] | None:
        found = lookup(code)
        return None if found is None else _window(found.open_date, found.close_date,
                                                  inclusive=True)

    def rows(view: View) -> list[int]:
        codes = view.unique(column) - {""}
        bounds = day_bounds(view, dates)
        if not codes or bounds is None:
            return []
        first, last = (day.isoformat() for day in bounds)
        if (first, last) not in live:
            live.clear()
        clean = live.setdefault((first, last), set())
        codes -= clean
        if not codes:
            return []
        new = codes - open_days.keys()
        if new:
            lookup_many(organisations, {code.upper() for code in new})  # one batch
        remember(open_days, open_window, codes)
        windows = {code: window for code in codes if (window := open_days[code]) is not None
                   and not (window[0] <= first and last <= window[1])}
        if len(clean) + len(codes) > MEMO_LIMIT:
            clean.clear()
        clean |= codes - windows.keys()
        return _outside(view, column, windows, dates)

    return rows


def _window(start: date | None, end: date | None, *, inclusive: bool) -> tuple[str, str]:
    """The days from ``start`` to ``end`` (``end`` itself when ``inclusive``) as the bounds of
    their ISO texts: a day's text ``t`` is inside when ``low <= t <= high``."""
    low = start.isoformat() if start else ""
    if end is None:
        return low, NEVER
    return low, (end if inclusive else end - timedelta(days=1)).isoformat()


def _outside(view: View, column: int, windows: dict[str, tuple[str, str]],
             days: Collection[int]) -> list[int]:
    """Rows holding one of ``windows``' values in ``column`` with a day (the first ten
    characters of a value of ``days``' columns) outside that value's window. A row's check
    reads its day from one of those columns, so a row whose days are all inside passes; a
    blank or a text that is no date sorts outside and is checked (a superset)."""
    if not windows:
        return []
    values = view.columns[column]
    texts = [view.days(index) for index in days]
    found = []
    for k in view.rows_with(column, set(windows)):
        low, high = windows[values[k]]
        if any(not low <= text[k] <= high for text in texts):
            found.append(k)
    return found
