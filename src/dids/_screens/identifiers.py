"""Screens of identifiers (single-item rules): NHS numbers (DIDS001, DIDS002), postcodes
(DIDS017), referrers (DIDS023) and accession numbers (DIDS072), proved clean many at a time.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable, Sequence
from itertools import compress

from dids._checks import CheckContext
from dids._screens.base import Bulk, bulk
from dids._screens.shapes import Shape, Template
from dids._screens.view import View
from dids.identifiers import postcode, referrer
from dids.rules import RULES

_NHS_WEIGHTS = sum((lane + 1) << (16 * lane) for lane in range(10))
#: A lane sum is 48 * 55 (the ASCII zeros, a multiple of 11) plus the weighted digit sum.
_NHS_VALID_SUMS = frozenset(range(0, 48 * 55 + 9 * 55 + 1, 11))
#: Ten digits whose check sum passes, standing for a value that is not ten digits.
_NHS_STAND_IN = "0" * 10


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

    ten_digits = Template("9" * 10)
    ten_digits_shape = Shape("[0-9]{10}")

    def all_clean(view: View, index: int) -> bool:
        column = view.columns[index]
        return ((view.matches(index, ten_digits) or shaped(column))
                and set(nhs_check_sums(column)) <= _NHS_VALID_SUMS)

    def suspects(view: View, index: int) -> list[int] | None:
        """Rows that are not ten ASCII digits, then those whose check sum fails (the others'
        sums taken with :data:`_NHS_STAND_IN` in their place)."""
        column = view.columns[index]
        misshapen = ten_digits_shape.misfits(column)
        if misshapen is None:
            return None
        if misshapen:
            column = list(column)
            for k in misshapen:
                column[k] = _NHS_STAND_IN
        sums = nhs_check_sums(column)
        failing = set(sums) - _NHS_VALID_SUMS
        if not failing:
            return misshapen
        return sorted(misshapen + list(compress(range(view.size), map(failing.__contains__, sums))))

    return Bulk(frozenset({"DIDS001", "DIDS002"}), clean, all_clean, suspects)


@bulk("postcode")
def _postcodes(ctx: CheckContext, fails: Callable[[str], bool]) -> Bulk:
    """Postcodes of the upper-case shape pass DIDS017; a column of them (real files have
    mostly distinct postcodes) is proved clean with one pass of the shape over it."""
    shape = Shape(postcode.SHAPE)
    return Bulk(frozenset({"DIDS017"}), shape.matching,
                lambda view, index: shape.all_match(view.columns[index]),
                lambda view, index: shape.misfits(view.columns[index]))


@bulk("referrer")
def _referrers(ctx: CheckContext, fails: Callable[[str], bool]) -> Bulk:
    """Upper-case codes without spaces that match a referrer format are what DIDS023 accepts
    (its cleansing upper-cases and strips)."""
    pattern = referrer.format_pattern()
    shape = Shape(pattern.pattern, pattern.flags)

    def clean(values: list[str]) -> set[str]:
        return {value for value in shape.matching(values) if value == referrer.compact(value)}

    def all_clean(view: View, index: int) -> bool:
        """Every value matches (the formats hold no lower-case letter or space, so each is
        its own compact form)."""
        return shape.all_match(view.columns[index])

    return Bulk(frozenset({"DIDS023"}), clean, all_clean,
                lambda view, index: shape.misfits(view.columns[index]))


@bulk("accession_number")
def _accession_numbers(ctx: CheckContext, fails: Callable[[str], bool]) -> Bulk:
    longest = int(RULES["DIDS072"].params["max_length"])
    #: Values clean whatever else they hold (ASCII letters and digits, not too many).
    plain = Shape(f"[0-9A-Za-z]{{1,{longest}}}")

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

    return Bulk(frozenset({"DIDS072"}), clean, all_clean,
                lambda view, index: plain.misfits(view.columns[index]))
