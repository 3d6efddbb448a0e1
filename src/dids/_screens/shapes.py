"""Shapes of values checked over whole columns at once: a regular expression over values
joined by newlines (:class:`Shape`), and fixed-width templates checked with bytes operations
(:class:`Template`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from functools import cached_property

#: Whether regular expressions have possessive repetition (Python 3.11 and later).
_POSSESSIVE = sys.version_info >= (3, 11)


def every_line(plain: str, *, possessive: bool = _POSSESSIVE) -> str:
    """A pattern of lines joined by newlines, each matching ``plain`` (no capturing group),
    whose repetition never gives back what it matched: ``possessive`` (Python 3.11 and later)
    or, before, a lookahead's capture (a lookahead is atomic) matched again."""
    if possessive:
        return f"(?:(?:{plain})\n)*+(?:{plain})"
    return f"(?=((?:(?:{plain})\n)*))\\1(?:{plain})"


class Shape:
    """Values that match a regular expression (which never matches a newline) whole, found by
    one pass over all of them joined by newlines: each line matched on its own (``^...$``)
    to find the matching ones, or the lines matched at once to prove them all
    (:func:`every_line`: failing, it does not backtrack through every line) or to find the
    first that does not match. With ``ascii_only``, a value that is not ASCII is taken for one
    that does not match by :meth:`misfits` (a pattern of ASCII classes, say)."""

    def __init__(self, shape: str, flags: int = 0, *, ascii_only: bool = False) -> None:
        self._plain = re.sub(r"\((?!\?)", "(?:", shape)
        self._flags = flags
        self._ascii_only = ascii_only

    # The patterns are compiled when first used: a run uses few of them, and a small file's
    # time is mostly its start.

    @cached_property
    def _one(self) -> re.Pattern[str]:
        return re.compile(f"(?:{self._plain})", self._flags)

    @cached_property
    def _lines(self) -> re.Pattern[str]:
        return re.compile(f"^(?:{self._plain})$", self._flags | re.MULTILINE)

    @cached_property
    def _all(self) -> re.Pattern[str]:
        return re.compile(every_line(self._plain), self._flags)

    @cached_property
    def _run(self) -> re.Pattern[str]:
        """Lines that match, each with its newline, as many as there are: ends at the first
        line that does not match (repeated without giving back, where Python can)."""
        return re.compile(f"(?:(?:{self._plain})\n)*{'+' if _POSSESSIVE else ''}", self._flags)

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

    def misfits(self, values: Sequence[str]) -> list[int] | None:
        """The positions of the values that do not match, in order; ``None`` when a value
        holds a newline (or is not ASCII, with ``ascii_only``). Each run of matching values
        is passed in one match, which ends at the next value that does not match."""
        text = "\n".join(values) + "\n"
        if text.count("\n") != len(values) or (self._ascii_only and not text.isascii()):
            return None
        found: list[int] = []
        start = line = 0
        while True:
            run = self._run.match(text, start)  # it always matches, if only nothing
            end = run.end() if run else start
            line += text.count("\n", start, end)
            if end == len(text):
                return found
            found.append(line)
            start = text.index("\n", end) + 1
            line += 1


#: ``bytes.translate`` tables of :class:`Template`: digits to ``0``; and flags (``1``) of an
#: hour's tens digit ``2`` and of the units digits that cannot follow it.
_CANONICAL = bytes.maketrans(b"0123456789", b"0000000000")
_TWENTY = bytes(int(byte == ord("2")) for byte in range(256))
_PAST_TWENTY_THREE = bytes(int(chr(byte) in "456789") for byte in range(256))


class Template:
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
    """The characters allowed at ``position`` of a :class:`Template` pattern."""
    char = pattern[position]
    if char == "H":
        return "012" if pattern[position + 1:position + 2] == "H" else "0123456789"
    if char.isdigit():
        return "0123456789"[:int(char) + 1]
    return char
