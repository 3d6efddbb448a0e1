"""Shared fixtures: a valid base row of each layout, taken from ``spec/file-formats.md``."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dids.catalogue import layout

#: v1 example record 1 of file-formats.md section 2 (valid; submitted 2024-04-02).
V1_BASE: dict[str, str] = {
    "nhs_number": "9434765919",
    "nhs_number_status": "01",
    "birth_date": "1960-02-29",
    "ethnic_category": "A",
    "gender": "2",
    "postcode": "LS1 4AP",
    "gp_practice": "V81999",
    "patient_source_setting": "04",
    "referrer": "G1234567",
    "referring_organisation": "X99999",
    "request_date": "2024-03-01",
    "request_received_date": "2024-03-02",
    "test_date": "2024-03-10",
    "nicip_code": "XCHES",
    "snomed_code": "",
    "report_issue_date": "2024-03-11",
    "imaging_site": "RA701",
    "accession_number": "ACC0001234",
}
V1_SUBMITTED = date(2024, 4, 2)

#: v2 example record 1 of file-formats.md section 4 (valid; submitted 2026-05-03).
V2_BASE: dict[str, str] = {
    "nhs_number": "9990000026",
    "nhs_number_status": "01",
    "birth_date": "1975-06-14",
    "ethnic_category": "A",
    "stated_gender": "2",
    "postcode": "LS1 4AP",
    "gp_practice": "V81999",
    "patient_source_setting": "03",
    "referrer": "C1234567",
    "referring_organisation": "RA7",
    "treatment_function": "300",
    "request_priority": "1",
    "referrer_evaluation": "Y",
    "request_date": "2026-04-02",
    "request_time": "10:15:00",
    "request_received_date": "2026-04-02",
    "request_received_time": "11:00:00",
    "procedure_start_timestamp": "2026-04-09T09:30:00+01:00",
    "procedure_end_timestamp": "2026-04-09T09:45:00+01:00",
    "nicip_code": "XCHES",
    "snomed_code": "",
    "report_issue_timestamp": "2026-04-10T14:05:00+01:00",
    "imaging_site": "RA701",
    "accession_number": "ACC0002001",
}
V2_SUBMITTED = date(2026, 5, 3)

BASES = {1: V1_BASE, 2: V2_BASE}
SUBMITTED = {1: V1_SUBMITTED, 2: V2_SUBMITTED}


def make_row(version: int, **overrides: str) -> list[str]:
    """The base row of ``version`` with some items replaced, in catalogue order."""
    values = {**BASES[version], **overrides}
    unknown = set(values) - set(layout(version).names)
    assert not unknown, unknown
    return [values[name] for name in layout(version).names]


@pytest.fixture
def row() -> Any:
    """``row(version, **overrides)``: a raw row in catalogue order."""
    return make_row
