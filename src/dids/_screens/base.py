"""What the screens share: bulk classifiers of one item's values (:class:`Bulk`, registered
by :func:`bulk`) and screens of rules about several items (registered by :func:`screen`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import attrs

from dids._checks import CheckContext
from dids._screens.shapes import Shape
from dids._screens.view import Verdicts, View
from dids.catalogue import Kind
from dids.rules import Rule


@attrs.frozen
class Bulk:
    """Proves many distinct non-blank values of one item clean at once.

    ``clean(values)`` returns the values it proves pass every rule in ``covers``; the others
    are judged exactly, one by one. ``all_clean(view, index)``, when given, proves a whole
    column of an item whose values are mostly distinct clean without collecting its distinct
    values (it passes a blank only when the item has no rule, not even presence), and
    ``suspects(view, index)`` finds, when it does not, the rows whose values it leaves
    unproved, in order (``None`` when it cannot tell): only theirs are then judged. When the
    proof is ``cheap`` (a few bytes operations), it costs less than collecting the distinct
    values and looking them up in the remembered verdicts, so it is tried first on every
    block whose column did not hold one value in the last.
    """

    covers: frozenset[str]
    clean: Callable[[list[str]], set[str]]
    all_clean: Callable[[View, int], bool] | None = None
    suspects: Callable[[View, int], list[int] | None] | None = None
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


#: An ASCII value without surrounding whitespace (or blank).
_UNPADDED = Shape("(?:[^{0}\n](?:.*[^{0}\n])?)?".format(re.escape(_ASCII_SPACE.decode())),
                  ascii_only=True)


#: The classifier of an item no rule reads alone (a GP practice code, a procedure code
#: without reference data): only a value with surrounding whitespace fails, as
#: :meth:`Validator.fails_alone` finds, so a blank passes.
UNREAD = Bulk(frozenset(), lambda values: {value for value in values if value == value.strip()},
               _none_padded, lambda view, index: _UNPADDED.misfits(view.columns[index]))

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


RowScreen = Callable[[View], Iterable[int]]
ScreenFactory = Callable[[Rule, CheckContext], "RowScreen | None"]
SCREENS: dict[str, ScreenFactory] = {}
#: The codes whose screens find every row their checks fail on whatever the values (they ask
#: only whether values are blank, or a ZZ99 postcode): they read the block unmasked, and the
#: rows holding values the other screens did not read are not theirs to check.
UNMASKED: set[str] = set()


def screen(*codes: str, unmasked: bool = False) -> Callable[[ScreenFactory], ScreenFactory]:
    """Register a screen factory for ``codes`` (in :data:`UNMASKED` when ``unmasked``)."""

    def register(factory: ScreenFactory) -> ScreenFactory:
        for code in codes:
            SCREENS[code] = factory
        if unmasked:
            UNMASKED.update(codes)
        return factory

    return register


def columns_of(rule: Rule, ctx: CheckContext) -> list[int]:
    return [ctx.layout.index(name) for name in rule.items(ctx.version) if name in ctx.layout]


def values_screen(column: int, fails: Callable[[str], bool]) -> RowScreen:
    """Rows whose value in ``column`` fails ``fails`` (asked once per distinct value)."""
    verdicts = Verdicts(lambda values: {value for value in values if not fails(value)})

    def rows(view: View) -> list[int]:
        return view.rows_with(column, verdicts.failing(view.unique(column)))

    return rows
