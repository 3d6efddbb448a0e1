"""ODS organisation, site and GP practice codes, and their national default codes.

Roles and formats (``identifiers.md`` section 4):

* ``organisation``: ORGANISATION IDENTIFIER (REFERRING ORGANISATION), min an3 max an6;
* ``site``: ORGANISATION SITE IDENTIFIER (OF IMAGING); DIDS069 accepts ASCII letters and digits,
  5 to 12 characters (the item format is min an5 max an9);
* ``gp_practice``: GENERAL MEDICAL PRACTICE CODE (PATIENT REGISTRATION), an6.

Codes are compared upper-cased. Defaults come from ``codes/default_organisation_codes.csv``.

>>> validate("ra701", role="site")
'RA701'
>>> is_default("R9998", role="site"), is_default("R9998", role="organisation")
(True, False)
>>> provider_code("RA701"), provider_code("89999")
('RA7', '89999')
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from dids._data import read_table
from dids.exceptions import InvalidFormat, InvalidLength
from dids.identifiers._common import is_ascii_alnum, passes, require_text

__all__ = ["Role", "compact", "defaults", "is_default", "is_valid", "provider_code", "validate"]

Role = Literal["organisation", "site", "gp_practice"]

_LENGTHS: dict[str, tuple[int, int]] = {
    "organisation": (3, 6),
    "site": (5, 12),
    "gp_practice": (6, 6),
}
_ITEM_ROLES = {
    "referring_organisation": "organisation",
    "imaging_site": "site",
    "gp_practice": "gp_practice",
}


@cache
def defaults(role: Role) -> frozenset[str]:
    """The national default codes that the item of ``role`` accepts."""
    found = set()
    for row in read_table("codes/default_organisation_codes.csv"):
        applies = row["notes"].split("applies to:", 1)[1].split(";")
        items = {part.strip().split(" ", 1)[0] for part in applies}
        if any(_ITEM_ROLES.get(item) == role for item in items):
            found.add(row["code"])
    return frozenset(found)


def compact(value: str) -> str:
    """Remove surrounding whitespace and upper-case."""
    return require_text(value).strip().upper()


def validate(value: str, role: Role = "organisation") -> str:
    """Return the compact code or raise a ``ValidationError`` subclass."""
    code = compact(value)
    low, high = _LENGTHS[role]
    if not low <= len(code) <= high:
        raise InvalidLength
    if not is_ascii_alnum(code):
        raise InvalidFormat
    return code


def is_valid(value: str, role: Role = "organisation") -> bool:
    """Say whether ``value`` has the format of a code of ``role``; never raises."""
    return passes(validate, value, role=role)


def is_default(value: str, role: Role) -> bool:
    """Say whether ``value`` is a national default code for ``role``; never raises."""
    return isinstance(value, str) and compact(value) in defaults(role)


def provider_code(site: str) -> str:
    """The provider derived from a site code: its first 3 characters for an NHS trust site.

    The national pipeline takes the first three characters when the site belongs to an NHS
    organisation, otherwise the whole code. Assumption: without ODS data, a site belongs to an
    NHS organisation when it is not a default code and starts with ``R`` or ``T`` (NHS trust
    and care trust codes).
    """
    code = compact(site)
    if code in defaults("site") or len(code) <= 3 or code[0] not in "RT":
        return code
    return code[:3]
