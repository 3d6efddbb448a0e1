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

from collections.abc import Callable, Iterable, Mapping, MutableSequence, Sequence
from functools import partial
from typing import Protocol

import attrs

from dids import _checks
from dids._checks import CheckContext
from dids._screens import identifiers, reference  # noqa: F401 (they register their screens)
from dids._screens import values as value_screens  # noqa: F401 (as above)
from dids._screens.base import BULK, SCREENS, UNMASKED, UNREAD, Bulk, RowScreen, columns_of
from dids._screens.order import in_order_screen
from dids._screens.reference import REFERENCE_CLEAN, ReferenceClean
from dids._screens.view import MEMO_LIMIT, Verdicts, View
from dids.catalogue import Kind, Layout
from dids.rules import RULES, Rule


class Checks(Protocol):
    """What a screen needs of the validator whose rules it screens
    (:class:`dids.validate.Validator`)."""

    @property
    def layout(self) -> Layout:
        """The layout of the rows."""

    @property
    def context(self) -> CheckContext:
        """What the checks were compiled with."""

    def field_rules(self) -> list[list[Rule]]:
        """The field rules checked on each item."""

    def row_rules(self) -> list[Rule]:
        """The row rules checked."""

    def fails_alone(self, index: int, text: str, codes: frozenset[str]) -> bool:
        """Whether item ``index`` holding ``text`` breaks one of ``codes``."""

    def no_valid_value(self, index: int, text: str) -> bool:
        """Whether ``text`` (stripped) fails a field rule of item ``index`` or is no value of
        it."""


__all__ = ["SCREENS", "UNMASKED", "Checks", "Screen", "Sifted", "View", "screen_for"]

#: Dates have fewer possible values, and more of them recur (birth dates), so more of their
#: verdicts are remembered.
_DATE_MEMO_LIMIT = 1 << 16
#: A column's failing values are all kept from the screens (:meth:`Screen._tainted`) when at
#: most one row in this many holds one.
_FEW_FAILING = 8
#: How often (in blocks) a column proved clean whole has its distinct values collected again.
_PROBE_EVERY = 16


@attrs.frozen
class Sifted:
    """What :meth:`Screen.sift` found in a block: its :class:`View`; each column whose item's
    own rules fail on some of its values, with those values and the rows that hold them; for
    each screened rule about several items, by code, the rows that may break it (sorted or
    not, maybe repeated); and, by column, the rows holding a value the screens did not read
    (``tainted``), which :class:`dids.validate.Validator` checks for each rule that reads the
    column (but the :data:`UNMASKED` rules). A row in none of these breaks no rule.

    A screen may take a text for a date, or a blank for an absent item, that is neither: the
    values that fail a field rule or are no value of their item are tainted. So are the other
    failing values of a column where they are few (a date before its floor, a blank required
    item): :meth:`View.masked` puts another row's value in their place, so that they do not
    cost the block its shortcuts. Where they are many (every date after the submission window,
    say), the screens read them: checking every row exactly would cost more."""

    view: View
    failing: list[tuple[int, set[str] | frozenset[str], list[int]]]
    rows: list[tuple[str, Iterable[int]]]
    tainted: dict[int, list[int]]


class Screen:
    """Finds what a block of one validator's rows may break."""

    def __init__(
        self,
        validator: Checks,
        local: list[frozenset[str]],
        screens: list[tuple[str, RowScreen]],
    ) -> None:
        self._validator = validator
        self._local = local
        self._screens = screens
        self._verdicts = [
            Verdicts(partial(self._classify, index),
                      _DATE_MEMO_LIMIT if item.kind is Kind.DATE else MEMO_LIMIT)
            for index, item in enumerate(validator.layout)]
        self._blocks = 0
        #: Whether each column held one value in the last block that collected its values.
        self._constant = [False] * len(validator.layout)
        #: Whether a row screen has collected a column's distinct values in a block where its
        #: item's values were only looked up (:meth:`Verdicts.unknown`): from then on they
        #: are collected for the item, as the screens need them anyway.
        self._collected_by_screens = [False] * len(validator.layout)
        #: Whether each column's classifier left rows unproved in the last block it was tried
        #: on: then it is asked for them (``suspects``) without first trying to prove the
        #: whole column, which would fail again in a file with findings in most blocks.
        self._unproved = [False] * len(validator.layout)
        ctx = validator.context
        presence = frozenset(code for (code, _), factory in _checks.ROW_CHECKS.items()
                             if factory is _checks._present)
        self._bulk: list[Bulk | None] = []
        #: Each item's reference rules' classifiers.
        self._reference: list[list[ReferenceClean]] = []
        for index, item in enumerate(validator.layout):
            factory = BULK.get(item.python_name) or BULK.get(item.kind)
            referred = {code: REFERENCE_CLEAN[code](RULES[code], ctx)
                        for code in local[index] if code in REFERENCE_CLEAN}
            plain = local[index] - referred.keys()
            if not plain:
                found: Bulk | None = UNREAD
            else:
                found = factory(ctx, self._judge(index)) if factory else None
            if found is not None and not plain <= found.covers | presence:
                found = None
            if found is not None and referred:
                found = _with_reference(found, referred)
            self._bulk.append(found)
            self._verdicts[index].one_offs = bool(found and found.all_clean)
            self._reference.append([clean for clean in referred.values() if clean is not None])

    def sift(self, columns: MutableSequence[Sequence[str]],
             known: Mapping[int, set[str]] | None = None) -> Sifted:
        """What a block may break: each column's values that fail its item's own rules, and
        the rows each screened multi-item rule may fail on. A column with a value that has
        surrounding whitespace is replaced in ``columns`` by its stripped values, which are
        what validation compares. ``known`` holds the distinct values of columns the caller
        knows them of.

        A column with an ``all_clean`` classifier is proved clean by it when most of its values
        were new to the remembered verdicts in the last block that collected them, or when the
        proof is cheap (:class:`Bulk`) and the column did not hold one value then; when it is
        not, only the values of the rows the classifier ``suspects`` are judged (and the next
        block's suspects are asked for first, as the proof is likely to fail again). Every
        :data:`_PROBE_EVERY` blocks its values are collected again to see if that still holds;
        when most are new, the proof still spares judging them.
        """
        view = View(columns, known)
        failing: list[tuple[int, set[str] | frozenset[str], list[int]]] = []
        self._blocks += 1
        probe = self._blocks % _PROBE_EVERY == 1
        constant = self._constant
        looked_up: list[int] = []  # columns whose values were only looked up
        for index, classifier in enumerate(self._bulk):
            verdicts = self._verdicts[index]
            proof = None  # a whole-column proof not tried yet
            if classifier and classifier.all_clean:
                if not probe and ((classifier.cheap and not constant[index])
                                  or verdicts.mostly_new):
                    if self._unproved[index] and classifier.suspects:
                        suspects = classifier.suspects(view, index)
                    elif classifier.all_clean(view, index):
                        continue
                    else:
                        suspects = classifier.suspects(view, index) if classifier.suspects \
                            else None
                    self._unproved[index] = bool(suspects)
                    if suspects is not None and self._judged(view, index, suspects, failing):
                        continue
                else:
                    proof = partial(classifier.all_clean, view, index)
            if (verdicts.all_known and not constant[index]
                    and not self._collected_by_screens[index]):
                unknown = verdicts.unknown(view, index)
                if unknown is not None and self._judged(view, index, unknown, failing):
                    if not view.collected(index):
                        looked_up.append(index)
                    continue
            distinct = view.unique(index, constant=constant[index])
            constant[index] = len(distinct) == 1
            bad = verdicts.failing(distinct, proof)
            if bad and any(value != value.strip() for value in bad):
                view.strip(index)
                bad = verdicts.failing(view.unique(index))
            if bad:
                failing.append((index, bad, view.rows_with(index, bad)))
        tainted = self._tainted(view, failing)
        screened = view.masked(tainted) if tainted else view
        rows = [(code, rows(view if code in UNMASKED else screened))
                for code, rows in self._screens]
        for index in looked_up:
            self._collected_by_screens[index] |= screened.collected(index)
        return Sifted(view, failing, rows, tainted)

    def _tainted(self, view: View, failing: list[tuple[int, set[str] | frozenset[str],
                                                       list[int]]]) -> dict[int, list[int]]:
        """By column, the rows the screens are not to read (:class:`Sifted`): those of its
        failing values when they are few (one row in :data:`_FEW_FAILING` at most), else those
        of its values that fail a field rule or are no value of the item."""
        tainted: dict[int, list[int]] = {}
        for index, bad, rows in failing:
            if len(rows) * _FEW_FAILING <= view.size:
                tainted[index] = rows
                continue
            invalid = {value for value in bad if self._validator.no_valid_value(index, value)}
            if invalid:
                column = view.columns[index]
                tainted[index] = rows if len(invalid) == len(bad) else [
                    k for k in rows if column[k] in invalid]
        return tainted

    def _judged(self, view: View, index: int, rows: list[int],
                failing: list[tuple[int, set[str] | frozenset[str], list[int]]]) -> bool:
        """Judge the values of ``rows`` of column ``index`` (those of the block that are not
        proved clean), adding those that fail to ``failing`` with the rows; ``False`` when
        one has surrounding whitespace (then the column is judged whole, stripped)."""
        if not rows:
            return True
        column = view.columns[index]
        bad = self._verdicts[index].among({column[k] for k in rows})
        if any(value != value.strip() for value in bad):
            return False
        if bad:
            failing.append((index, bad, [k for k in rows if column[k] in bad]))
        return True

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
        if len(unsure) > 1:
            for ask in self._reference[index]:  # one batch: the exact checks recall it
                ask([value for value in unsure if value])
        fails = self._judge(index)
        clean.update(value for value in unsure if not fails(value))  # a set of its own
        return clean


def _with_reference(found: Bulk, referred: dict[str, ReferenceClean | None]) -> Bulk:
    """``found`` that also proves values clean of the item's reference rules, each asking its
    provider about a block's values in one batch; no whole-column proof (it asks no
    provider)."""
    cleans = [clean for clean in referred.values() if clean is not None]

    def clean(values: list[str]) -> set[str]:
        passing = found.clean(values)
        for reference_clean in cleans:
            if not passing:
                break
            passing = passing & reference_clean(passing)
        return passing

    return Bulk(found.covers | referred.keys(), clean)


def screen_for(validator: Checks) -> Screen | None:
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
        columns = set(columns_of(rule, ctx))
        if len(columns) != 1:
            return None
        local[columns.pop()].add(rule.code)
    return Screen(validator, [frozenset(codes) for codes in local], screens)


def _span(rule: Rule, ctx: CheckContext) -> int:
    """How many columns apart an order rule's moments are (0 for other rules). Screening the
    closest pairs first lets a wider pair follow through them (:meth:`View.in_order`)."""
    if SCREENS.get(rule.code) is not in_order_screen:
        return 0
    columns = columns_of(rule, ctx)
    return max(columns) - min(columns)
