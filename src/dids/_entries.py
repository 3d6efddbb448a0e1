"""The entries of reference data: a NICIP or SNOMED CT code with its active period, an ODS
organisation with its roles and open days, and the role names the rules ask about. Public in
:mod:`dids.reference`; here, below both it and the reference store, which make them."""

from __future__ import annotations

from datetime import date

import attrs

__all__ = ["GP_PRACTICE", "PRESCRIBING_COST_CENTRE", "REFERRING", "ROLES", "SITE",
           "Organisation", "ReferenceCode"]

#: Organisation roles the rules ask about (library names; assumption, see the docs).
GP_PRACTICE = "gp_practice"
PRESCRIBING_COST_CENTRE = "prescribing_cost_centre"
REFERRING = "referring"
SITE = "site"
ROLES = frozenset({GP_PRACTICE, PRESCRIBING_COST_CENTRE, REFERRING, SITE})


@attrs.frozen
class ReferenceCode:
    """A NICIP or SNOMED CT code in the reference data, with its active period."""

    code: str
    active_from: date | None = None
    inactive_from: date | None = None
    maps_to: str | None = None


@attrs.frozen
class Organisation:
    """An ODS organisation or site: its roles and the days it was open."""

    code: str
    roles: frozenset[str] = frozenset()
    open_date: date | None = None
    close_date: date | None = None

    def live_on(self, day: date) -> bool:
        """True when open on ``day``."""
        return (self.open_date is None or self.open_date <= day) and (
            self.close_date is None or day <= self.close_date
        )
