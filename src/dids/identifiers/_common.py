"""Helpers shared by the identifier modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dids.exceptions import InvalidFormat, ValidationError

ASCII_DIGITS = frozenset("0123456789")
ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def require_text(value: object) -> str:
    """Return ``value`` if it is a ``str``; otherwise raise :class:`InvalidFormat`."""
    if not isinstance(value, str):
        raise InvalidFormat
    return value


def is_ascii_digits(value: str) -> bool:
    """True for a non-empty string of ASCII digits only (``str.isdigit`` accepts far more)."""
    return bool(value) and value.isascii() and value.isdigit()


def is_ascii_alnum(value: str) -> bool:
    """True for a non-empty string of ASCII letters and digits only."""
    return bool(value) and value.isascii() and value.isalnum()


def passes(validate: Callable[..., object], value: object, **options: Any) -> bool:
    """True when ``validate(value, **options)`` succeeds; ``is_valid`` of every module."""
    try:
        validate(value, **options)
    except ValidationError:
        return False
    return True
