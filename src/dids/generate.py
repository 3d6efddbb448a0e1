"""A fast, seeded bulk generator of realistic synthetic submissions (not built on Hypothesis).

For demos, vendor onboarding and benchmarks: the same seed gives the same file. Valid rows pass
every rule that needs no reference data; with ``invalid_rate`` a share of the rows is broken
with the mutation of one row rule (:mod:`dids._mutations`), and each generated row says which
rule it was meant to break. NHS numbers are from the 999 test range; procedure codes, sites and
organisations are the illustrative ones of the specification's examples.

>>> rows = list(generate_rows(3, seed=1, version=2))
>>> [len(row.fields) for row in rows], [row.intended for row in rows]
([24, 24, 24], [None, None, None])
>>> rows == list(generate_rows(3, seed=1, version=2))
True
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone

import attrs
from dateutil.relativedelta import relativedelta

from dids import _mutations
from dids._validator import SUBMISSION_RULES
from dids.catalogue import V2_START, layout
from dids.codes import CODE_LISTS
from dids.convert import uk_offset
from dids.identifiers import nhs_number
from dids.metadata import SubmissionMetadata
from dids.rules import RULES

__all__ = ["GeneratedRow", "generate_rows", "metadata_for", "period_for", "submission_date_for"]

_NICIP = ("XCHES", "XWRIL", "XWRIR", "XWRIB", "NC13U", "UO1T")
_SNOMED = ("71651007", "60027007", "22298006", "334531000000104")
_TRUSTS = ("RA7", "RR8", "RTH", "RJ1", "RXH", "RWE", "RTD", "RGT")
_DEFAULT_PERIOD = {1: date(2025, 3, 1), 2: date(2026, 4, 1)}
#: Days spanned by the pool of birth dates, and its last date when the period allows it.
_BIRTH_DAYS = 36499
_LATEST_BIRTH = date(1925, 1, 1) + timedelta(days=_BIRTH_DAYS - 1)
_EARLIEST_BIRTH = date(1900, 1, 2)


@attrs.frozen
class GeneratedRow:
    """A generated raw row (catalogue order) and the rule it was built to break, if any."""

    fields: list[str]
    intended: str | None = None
    companions: frozenset[str] = frozenset()


def period_for(version: int, period: date | None = None) -> date:
    """First day of the reporting month used (default: March 2025 for v1, April 2026 for v2)."""
    return (period or _DEFAULT_PERIOD[version]).replace(day=1)


def submission_date_for(version: int, period: date | None = None) -> date:
    """A submission date inside the window of the generated period: 45 days after it ends."""
    return period_for(version, period) + relativedelta(day=31) + timedelta(days=45)


def metadata_for(version: int, count: int, period: date | None = None) -> SubmissionMetadata:
    """v2 metadata (decision D4) for ``count`` generated records."""
    start = period_for(version, period)
    created = datetime.combine(submission_date_for(version, period), time(9), timezone.utc)
    return SubmissionMetadata(start, start + relativedelta(day=31), "RA7", created, count)


def _nhs_pool(rng: random.Random, size: int) -> list[str]:
    pool: list[str] = []
    while len(pool) < size:
        body = f"999{rng.randrange(10**6):06d}"
        check = nhs_number.calc_check_digit(body)
        if check is not None:
            pool.append(body + check)
    return pool


def _postcode_pool(rng: random.Random, size: int) -> list[str]:
    letters, inward = "ABCDEFGHJKLMNOPRSTUWY", "ABDEFGHJLNPQRSTUWXYZ"
    return [f"{rng.choice(letters)}{rng.choice(letters)}{rng.randrange(1, 20)} "
            f"{rng.randrange(10)}{rng.choice(inward)}{rng.choice(inward)}" for _ in range(size)]


def _breakable(version: int) -> list[str]:
    """Row rules the generator can break without reference data or a special submission."""
    return [
        code
        for (code, ver), found in sorted(_mutations.MUTATIONS.items())
        if ver == version and not RULES[code].reference_data
        and not (found.companions | {code}) & SUBMISSION_RULES
    ]




def generate_rows(
    count: int,
    *,
    seed: int = 0,
    version: int = 2,
    invalid_rate: float = 0.0,
    period: date | None = None,
) -> Iterator[GeneratedRow]:
    """``count`` rows of a submission for one reporting month, deterministic for ``seed``."""
    if version not in (1, 2):
        raise ValueError("version must be 1 or 2")
    if not 0.0 <= invalid_rate <= 1.0:
        raise ValueError("invalid_rate must be between 0 and 1")
    rng = random.Random(seed)
    lay = layout(version)
    names = lay.names
    month = period_for(version, period)
    days = (month + relativedelta(day=31) - month).days + 1
    first_day = month - timedelta(days=400)
    iso = [(first_day + timedelta(days=n)).isoformat() for n in range(400 + days + 31)]
    offsets = ["+01:00" if uk_offset(first_day + timedelta(days=n)).utcoffset(None) else "+00:00"
               for n in range(len(iso))]
    base = 400
    nhs = _nhs_pool(rng, 4096)
    postcodes = [*_postcode_pool(rng, 512), "ZZ99 3VZ"]
    # Weekly birth dates over a century, the last before the period's earliest request date
    # (65 days before the month: 59 days' wait at most, then up to 6 days from request), none
    # before 2 January 1900 (DIDS009).
    latest_birth = max(min(_LATEST_BIRTH, month - timedelta(days=66)), _EARLIEST_BIRTH)
    births = [day.isoformat() for n in reversed(range(0, _BIRTH_DAYS, 7))
              if (day := latest_birth - timedelta(days=n)) >= _EARLIEST_BIRTH]
    gp = [f"{rng.choice('ABCDEFGHJKLMNPY')}{rng.randrange(81000, 89999)}" for _ in range(256)]
    gp += ["V81997", "V81999"]
    referrers = [f"{rng.choice('CGD')}{rng.randrange(10**6, 10**7)}" for _ in range(512)]
    referrers += ["X9999998", "N9999998"]
    sites = [f"{trust}{n:02d}" for trust in _TRUSTS for n in range(1, 6)]
    day_of = month if version == 2 else min(month, V2_START - timedelta(days=1))
    codes = {name: [m.value for m in CODE_LISTS[name].enum if m.valid_on(day_of)]
             for name in CODE_LISTS if CODE_LISTS[name].closed}
    if version == 1:
        codes["patient_source_setting"] = [c for c in codes["patient_source_setting"] if c < "08"]
    breakable = _breakable(version)
    gender = "gender" if version == 1 else "stated_gender"
    seconds = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(7, 20) for m in range(60)
               for s in (0, 30)]
    columns = {
        "nhs_number": nhs, "birth_date": births, "ethnic_category": codes["ethnic_category"],
        gender: codes[gender], "postcode": postcodes, "gp_practice": gp,
        "patient_source_setting": codes["patient_source_setting"], "referrer": referrers,
        "referring_organisation": list(_TRUSTS), "nicip_code": list(_NICIP),
        "snomed_code": [*_SNOMED, "", "", "", ""], "imaging_site": sites,
    }
    if version == 2:
        columns.update(treatment_function=codes["treatment_function"],
                       request_priority=codes["request_priority"],
                       referrer_evaluation=["Y", "N", ""])
    constant = {"nhs_number_status": "01", "request_time": "06:00:00",
                "request_received_time": "06:30:00"}
    drawn_names = list(columns)
    slots = [drawn_names.index(name) if name in columns else -1 for name in names]
    prefix = f"ACC{seed % 1000:03d}"
    for batch_start in range(0, count, 4096):
        size = min(4096, count - batch_start)
        drawn = [rng.choices(columns[name], k=size) for name in drawn_names]
        starts = [base + n for n in rng.choices(range(days), k=size)]
        lags = rng.choices(range(60), k=size)
        clocks = rng.choices(seconds, k=size)
        for offset in range(size):
            index = batch_start + offset
            start = starts[offset]
            received = start - lags[offset]
            request = received - (index % 7)
            report = start + (index % 4)
            values = {name: drawn[slot][offset] for name, slot in zip(names, slots, strict=True)
                      if slot >= 0}
            values.update(constant)
            values["request_date"] = iso[request]
            values["request_received_date"] = iso[received]
            values["accession_number"] = f"{prefix}{index:09d}"
            if version == 1:
                values["test_date"] = iso[start]
                values["report_issue_date"] = iso[report]
            else:
                clock, zone = clocks[offset], offsets[start]
                values["procedure_start_timestamp"] = f"{iso[start]}T{clock}{zone}"
                values["procedure_end_timestamp"] = f"{iso[start]}T{clock[:3]}59:59{zone}"
                values["report_issue_timestamp"] = f"{iso[report]}T20:00:00{offsets[report]}"
            if invalid_rate and rng.random() < invalid_rate:
                code = rng.choice(breakable)
                found = _mutations.MUTATIONS[code, version]
                found.apply(values, _mutations.Setting())
                yield GeneratedRow([values[name] for name in names], code,
                                   found.companions | {code})
            else:
                yield GeneratedRow([values[name] for name in names])
