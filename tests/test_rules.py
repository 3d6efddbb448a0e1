"""Every rule: a row that triggers it and a near-identical row that does not.

Rows are the spec's valid example rows (``tests/conftest.py``) with a few items changed. Each
case names the rule code it pins; ``test_every_rule_has_a_case`` makes a rule without one fail.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from dids._checks import months_between
from dids.reference import (
    GP_PRACTICE,
    REFERRING,
    SITE,
    Organisation,
    ReferenceCode,
    ReferenceData,
)
from dids.rules import RULES, Disposition, Scope
from dids.validate import Issue, validate_record
from tests.conftest import SUBMITTED, make_row


class _Codes:
    def __init__(self, *entries: ReferenceCode) -> None:
        self._entries = {entry.code: entry for entry in entries}

    def lookup(self, code: str) -> ReferenceCode | None:
        return self._entries.get(code.strip().upper())


class _Organisations:
    def __init__(self, *entries: Organisation) -> None:
        self._entries = {entry.code: entry for entry in entries}

    def lookup(self, code: str) -> Organisation | None:
        return self._entries.get(code.strip().upper())


REFERENCE = ReferenceData(
    nicip=_Codes(
        ReferenceCode("XCHES", maps_to="60027007"),
        ReferenceCode("XOLD", inactive_from=date(2023, 12, 1)),  # v1 grace to 2024-06-01
        ReferenceCode("XGONE", inactive_from=date(2023, 9, 9)),  # v1 grace ended 2024-03-09
        ReferenceCode("XNEW", active_from=date(2024, 6, 1)),
        ReferenceCode("XOLD2", inactive_from=date(2025, 10, 8)),  # 183 days before 2026-04-09
        ReferenceCode("XGONE2", inactive_from=date(2025, 10, 7)),  # 184 days before 2026-04-09
    ),
    snomed_ct=_Codes(
        ReferenceCode("60027007"),
        ReferenceCode("71651007"),
        ReferenceCode("22298006", inactive_from=date(2024, 1, 1)),
        ReferenceCode("100005", inactive_from=date(2023, 1, 1)),
    ),
    organisations=_Organisations(
        Organisation("RA7", frozenset({REFERRING})),
        Organisation("RA701", frozenset({SITE})),
        Organisation("RXX01", frozenset({SITE}), close_date=date(2024, 1, 1)),
        Organisation("RXX02", frozenset({SITE}), close_date=date(2026, 1, 1)),
        Organisation("RB1", frozenset({REFERRING}), open_date=date(2025, 1, 1)),
        Organisation("RB2", frozenset({SITE})),
        Organisation("A81001", frozenset({GP_PRACTICE})),
        Organisation("A81002", frozenset({GP_PRACTICE}), close_date=date(2020, 1, 1)),
        Organisation("A81003", frozenset({SITE})),
    ),
    postcodes=frozenset({"LS1 4AP", "SW1A 1AA"}),
)

# (rule, version, bad overrides, good overrides, extra validate options)
Case = tuple[str, int, dict[str, str], dict[str, str], dict[str, Any]]
V1_DATES_EQUAL = {"request_date": "2024-03-10", "request_received_date": "2024-03-10",
                  "report_issue_date": "2024-03-10"}

CASES: list[Case] = [
    # --- v1 ---------------------------------------------------------------------------------
    ("DIDS001", 1, {"nhs_number": "9990000019"}, {"nhs_number": "9990000018"}, {}),
    ("DIDS001", 1, {"nhs_number": "99900000A8"}, {"nhs_number": "999-000-0018"}, {}),
    ("DIDS001", 1, {"nhs_number": "9990000999"}, {"nhs_number": "9990000018"},
     {"reject_palindromes": True}),
    ("DIDS002", 1, {"nhs_number": "999000001"}, {"nhs_number": "999 000 0018"}, {}),
    ("DIDS003", 1, {"nhs_number_status": "1"}, {"nhs_number_status": "08"}, {}),
    ("DIDS005", 1, {"birth_date": "2023-02-29"}, {"birth_date": "2024-02-29"}, {}),
    ("DIDS005", 1, {"birth_date": "20240105"}, {"birth_date": "2024-01-05"}, {}),
    ("DIDS006", 1, {"birth_date": "2024-03-11"}, {"birth_date": "2024-03-10"}, {}),
    ("DIDS008", 1, {"birth_date": "2024-03-10", "report_issue_date": "2024-03-09"},
     {"birth_date": "2024-03-09", "report_issue_date": "2024-03-09"}, {}),
    ("DIDS009", 1, {"birth_date": "1900-01-01"}, {"birth_date": "1900-01-02"}, {}),
    ("DIDS010", 1, {"request_date": "2024-01-15", "birth_date": "2024-08-01"},
     {"request_date": "2024-01-15", "birth_date": "2024-07-31"}, {}),
    ("DIDS012", 1, {"ethnic_category": "Q"}, {"ethnic_category": "99"}, {}),
    ("DIDS014", 1, {"gender": "X"}, {"gender": "0"}, {}),
    ("DIDS016", 1, {"postcode": "M1 1AE"}, {"postcode": "SW1A 1AA"}, {"reference": REFERENCE}),
    ("DIDS016", 1, {"postcode": "M1 1AE"}, {"postcode": "zz99 3vz"}, {"reference": REFERENCE}),
    ("DIDS017", 1, {"postcode": "LS14AP"}, {"postcode": "ls1 4ap"}, {}),
    ("DIDS017", 1, {"postcode": "LS1 4CP"}, {"postcode": "ZZ99 3VZ"}, {}),
    ("DIDS018", 1, {"gp_practice": "A81003"}, {"gp_practice": "A81001"},
     {"reference": REFERENCE}),
    ("DIDS018", 1, {"gp_practice": "B99999"}, {"gp_practice": "s30063"},
     {"reference": REFERENCE}),
    ("DIDS020", 1, {"patient_source_setting": ""}, {"patient_source_setting": "07"}, {}),
    ("DIDS021", 1, {"patient_source_setting": "08"}, {"patient_source_setting": "07"}, {}),
    ("DIDS023", 1, {"referrer": "GP123456"}, {"referrer": "g1234567"}, {}),
    ("DIDS023", 1, {"referrer": "ZE12345"}, {"referrer": "ZE123456"}, {}),
    ("DIDS024", 1, {"referring_organisation": "RB2"}, {"referring_organisation": "RA7"},
     {"reference": REFERENCE}),
    ("DIDS024", 1, {"referring_organisation": "QQQ"}, {"referring_organisation": "XMD00"},
     {"reference": REFERENCE}),
    ("DIDS026", 1, {"request_date": "2024-3-01"}, {"request_date": "2024-03-01"}, {}),
    ("DIDS027", 1, {"request_date": "2024-03-03"}, {"request_date": "2024-03-02"}, {}),
    ("DIDS028", 1, {"request_date": "2023-03-10", "request_received_date": "2023-03-12"},
     {"request_date": "2023-03-11", "request_received_date": "2023-03-12"}, {}),
    ("DIDS031", 1, {"request_date": "1969-12-31"}, {"request_date": "1970-01-01"}, {}),
    ("DIDS034", 1, {"request_date": "2024-03-11", "request_received_date": "2024-03-11"},
     {"request_date": "2024-03-10", "request_received_date": "2024-03-10"}, {}),
    ("DIDS035", 1, {"request_date": "2024-03-10", "request_received_date": "2024-03-10",
                    "report_issue_date": "2024-03-09"},
     {"request_date": "2024-03-09", "request_received_date": "2024-03-09",
      "report_issue_date": "2024-03-09"}, {}),
    ("DIDS036", 1, {"request_received_date": "2024-02-30"},
     {"request_received_date": "2024-02-29"}, {}),
    ("DIDS038", 1, {"request_date": "2023-03-01", "request_received_date": "2023-03-10"},
     {"request_date": "2023-03-01", "request_received_date": "2023-03-11"}, {}),
    ("DIDS040", 1, {"request_date": "2024-01-31", "request_received_date": "2024-01-31",
                    "birth_date": "2024-08-01", "test_date": "2024-08-02",
                    "report_issue_date": "2024-08-02"},
     {"request_date": "2024-01-31", "request_received_date": "2024-01-31",
      "birth_date": "2024-07-01", "test_date": "2024-08-02", "report_issue_date": "2024-08-02"},
     {"submitted": date(2024, 8, 5)}),
    ("DIDS041", 1, {"request_date": "", "request_received_date": "1969-12-31"},
     {"request_date": "", "request_received_date": "1970-01-01"}, {}),
    ("DIDS043", 1, {"request_received_date": "2024-03-11"},
     {"request_received_date": "2024-03-10"}, {}),
    ("DIDS044", 1, {"request_received_date": "2024-03-12", "test_date": "2024-03-12",
                    "report_issue_date": "2024-03-11"},
     {"request_received_date": "2024-03-11", "test_date": "2024-03-11",
      "report_issue_date": "2024-03-11"}, {}),
    ("DIDS045", 1, {"test_date": "2024-02-30"}, {"test_date": "2024-03-10"}, {}),
    ("DIDS048", 1, {"report_issue_date": "2024-03-09", "request_date": "2024-03-09",
                    "request_received_date": "2024-03-09"},
     {"report_issue_date": "2024-03-10"}, {}),
    ("DIDS049", 1, {"test_date": "2024-06-30", "request_date": "", "request_received_date": "",
                    "report_issue_date": ""},
     {"test_date": "2024-07-01", "request_date": "", "request_received_date": "",
      "report_issue_date": ""}, {"submitted": date(2024, 10, 15)}),
    ("DIDS049", 1, {"test_date": "2024-10-28", "request_date": "", "request_received_date": "",
                    "report_issue_date": ""},
     {"test_date": "2024-10-29", "request_date": "", "request_received_date": "",
      "report_issue_date": ""}, {"submitted": date(2025, 2, 10)}),
    ("DIDS050", 1, {"test_date": ""}, {"test_date": "2024-03-10"}, {}),
    ("DIDS051", 1, {"report_issue_date": ""}, {"report_issue_date": ""},
     {"submitted": date(2024, 3, 9)}),
    ("DIDS055", 1, {"test_date": "2024-03-31", "request_date": "", "request_received_date": "",
                    "report_issue_date": ""},
     {"test_date": "2024-04-01", "request_date": "", "request_received_date": "",
      "report_issue_date": ""}, {"submitted": date(2024, 10, 15)}),
    ("DIDS055", 1, {"test_date": "2024-07-28", "request_date": "", "request_received_date": "",
                    "report_issue_date": ""},
     {"test_date": "2024-07-29", "request_date": "", "request_received_date": "",
      "report_issue_date": ""}, {"submitted": date(2025, 2, 10)}),
    ("DIDS055", 1, {"test_date": "2024-07-31", "request_date": "", "request_received_date": "",
                    "report_issue_date": ""},
     {"test_date": "2024-07-30", "request_date": "", "request_received_date": "",
      "report_issue_date": ""}, {"submitted": date(2025, 2, 10)}),
    ("DIDS056", 1, {"nicip_code": "", "snomed_code": ""},
     {"nicip_code": "", "snomed_code": "71651007"}, {}),
    ("DIDS057", 1, {"nicip_code": "XCHEST1"}, {"nicip_code": "XCHES"}, {}),
    ("DIDS057", 1, {"nicip_code": "XUNKN"}, {"nicip_code": "xches"}, {"reference": REFERENCE}),
    ("DIDS057", 1, {"nicip_code": "XGONE", **V1_DATES_EQUAL},
     {"nicip_code": "XOLD", **V1_DATES_EQUAL}, {"reference": REFERENCE}),
    ("DIDS057", 1, {"nicip_code": "XNEW"}, {"nicip_code": "XCHES"}, {"reference": REFERENCE}),
    ("DIDS059", 1, {"nicip_code": "", "snomed_code": "71651008"},
     {"nicip_code": "", "snomed_code": "71651007"}, {}),
    ("DIDS059", 1, {"nicip_code": "", "snomed_code": "100005"},
     {"nicip_code": "", "snomed_code": "22298006"}, {"reference": REFERENCE}),
    ("DIDS061", 1, {"report_issue_date": "2024-13-01"}, {"report_issue_date": "2024-03-31"}, {}),
    ("DIDS062", 1, {"test_date": "2024-01-31", "report_issue_date": "2024-03-01",
                    "request_date": "2024-01-01", "request_received_date": "2024-01-01"},
     {"test_date": "2024-01-31", "report_issue_date": "2024-02-29",
      "request_date": "2024-01-01", "request_received_date": "2024-01-01"}, {}),
    ("DIDS066", 1, {"report_issue_date": "2024-04-03"}, {"report_issue_date": "2024-04-02"}, {}),
    ("DIDS067", 1, {"imaging_site": ""}, {"imaging_site": "R9998"}, {}),
    ("DIDS068", 1, {"imaging_site": "RZZ01"}, {"imaging_site": "89997"},
     {"reference": REFERENCE}),
    ("DIDS069", 1, {"imaging_site": "RA70-1"}, {"imaging_site": "ABCDE1234567"}, {}),
    ("DIDS069", 1, {"imaging_site": "ABCDE12345678"}, {"imaging_site": "RA701"}, {}),
    ("DIDS070", 1, {"accession_number": " "}, {"accession_number": "A"}, {}),
    ("DIDS072", 1, {"accession_number": "A" * 21}, {"accession_number": "A" * 20}, {}),
    ("DIDS073", 1, dict.fromkeys(
        ["nhs_number", "birth_date", "ethnic_category", "gender", "postcode", "gp_practice"], ""),
     {**dict.fromkeys(
         ["nhs_number", "birth_date", "ethnic_category", "gender", "postcode"], ""),
      "gp_practice": "XXXXXX"}, {}),
    ("DIDS074", 1, {**dict.fromkeys(
        ["nhs_number", "birth_date", "ethnic_category", "gender", "gp_practice"], ""),
        "postcode": "zz99 3vz"},
     {**dict.fromkeys(["nhs_number", "birth_date", "ethnic_category", "gp_practice"], ""),
      "postcode": "ZZ99 3VZ", "gender": "9"}, {}),
    ("DIDS077", 1, {"nicip_code": "XOLD", **V1_DATES_EQUAL},
     {"nicip_code": "XCHES", **V1_DATES_EQUAL}, {"reference": REFERENCE}),
    ("DIDS078", 1, {"nicip_code": "", "snomed_code": "22298006"},
     {"nicip_code": "", "snomed_code": "71651007"}, {"reference": REFERENCE}),
    ("DIDS079", 1, {"referring_organisation": "RB1"}, {"referring_organisation": "RA7"},
     {"reference": REFERENCE}),
    ("DIDS079", 1, {"referring_organisation": "RB1", "request_date": ""},
     {"referring_organisation": "RB1", "request_date": "", "test_date": "2025-01-01",
      "report_issue_date": "2025-01-01", "request_received_date": "2025-01-01"},
     {"reference": REFERENCE, "submitted": date(2025, 1, 2)}),
    ("DIDS080", 1, {"gp_practice": "A81002"}, {"gp_practice": "A81001"},
     {"reference": REFERENCE}),
    ("DIDS081", 1, {"imaging_site": "RXX01"}, {"imaging_site": "RXX02"},
     {"reference": REFERENCE}),
    ("DIDS082", 1, {"snomed_code": "71651007"}, {"snomed_code": "60027007"},
     {"reference": REFERENCE}),
    # --- v2 ---------------------------------------------------------------------------------
    ("DIDS001", 2, {"nhs_number": "9991234561"}, {"nhs_number": "9990000034"}, {}),
    ("DIDS002", 2, {"nhs_number": "99900000261"}, {"nhs_number": "9990000026"}, {}),
    ("DIDS003", 2, {"nhs_number_status": "09"}, {"nhs_number_status": "07"}, {}),
    ("DIDS005", 2, {"birth_date": "1975-6-14"}, {"birth_date": "1975-06-14"}, {}),
    ("DIDS006", 2, {"birth_date": "2026-04-10"}, {"birth_date": "2026-04-09"}, {}),
    ("DIDS006", 2, {"birth_date": "2026-04-02",
                    "procedure_start_timestamp": "2026-04-01T23:30:00Z",
                    "procedure_end_timestamp": "", "request_date": "", "request_time": "",
                    "request_received_date": "", "request_received_time": ""},
     {"birth_date": "2026-04-02", "procedure_start_timestamp": "2026-04-02T00:30:00+01:00",
      "procedure_end_timestamp": "", "request_date": "", "request_time": "",
      "request_received_date": "", "request_received_time": ""}, {}),
    ("DIDS008", 2, {"birth_date": "2026-04-09", "report_issue_timestamp": "2026-04-08T23:00:00Z"},
     {"birth_date": "2026-04-09", "report_issue_timestamp": "2026-04-09T00:00:00+01:00"}, {}),
    ("DIDS009", 2, {"birth_date": "1899-12-31"}, {"birth_date": "1900-01-02"}, {}),
    ("DIDS010", 2, {"birth_date": "2026-11-01", "procedure_start_timestamp": "",
                    "report_issue_timestamp": "", "procedure_end_timestamp": ""},
     {"birth_date": "2026-10-31", "procedure_start_timestamp": "",
      "report_issue_timestamp": "", "procedure_end_timestamp": ""}, {}),
    ("DIDS012", 2, {"ethnic_category": "I"}, {"ethnic_category": "Z"}, {}),
    ("DIDS014", 2, {"stated_gender": "0"}, {"stated_gender": "X"}, {}),
    ("DIDS016", 2, {"postcode": "EC1A 1BB"}, {"postcode": "LS1 4AP"}, {"reference": REFERENCE}),
    ("DIDS017", 2, {"postcode": "AB1 2CDE"}, {"postcode": "EC1A 1BB"}, {}),
    ("DIDS018", 2, {"gp_practice": "A81003"}, {"gp_practice": "V81997"},
     {"reference": REFERENCE}),
    ("DIDS020", 2, {"patient_source_setting": ""}, {"patient_source_setting": "08"}, {}),
    ("DIDS021", 2, {"patient_source_setting": "09"}, {"patient_source_setting": "08"}, {}),
    ("DIDS023", 2, {"referrer": "C12345678"}, {"referrer": "C123"}, {}),
    ("DIDS024", 2, {"referring_organisation": "RB2"}, {"referring_organisation": "X98"},
     {"reference": REFERENCE}),
    ("DIDS026", 2, {"request_date": "2026-04-31"}, {"request_date": "2026-04-01"}, {}),
    ("DIDS027", 2, {"request_time": "11:00:01"}, {"request_time": "11:00:00"}, {}),
    ("DIDS027", 2, {"request_date": "2026-04-03", "request_time": ""},
     {"request_time": "12:00:00", "request_received_time": ""}, {}),
    ("DIDS028", 2, {"request_date": "2025-04-08", "request_time": "",
                    "request_received_date": "2026-04-01"},
     {"request_date": "2025-04-09", "request_time": "", "request_received_date": "2026-04-01"},
     {}),
    ("DIDS031", 2, {"request_date": "1969-12-31"}, {"request_date": "1970-01-01"}, {}),
    ("DIDS034", 2, {"request_date": "2026-04-09", "request_time": "09:30:01",
                    "request_received_date": "", "request_received_time": ""},
     {"request_date": "2026-04-09", "request_time": "09:30:00", "request_received_date": "",
      "request_received_time": ""}, {}),
    ("DIDS034", 2, {"request_date": "2026-04-10", "request_time": "",
                    "request_received_date": "", "request_received_time": ""},
     {"request_date": "2026-04-09", "request_time": "", "request_received_date": "",
      "request_received_time": ""}, {}),
    ("DIDS035", 2, {"request_date": "2026-04-10", "request_time": "14:05:01",
                    "request_received_date": "", "request_received_time": "",
                    "procedure_start_timestamp": "2026-04-09T09:30:00Z",
                    "procedure_end_timestamp": ""},
     {"request_date": "2026-04-10", "request_time": "14:05:00", "request_received_date": "",
      "request_received_time": "", "procedure_start_timestamp": "",
      "procedure_end_timestamp": ""}, {}),
    ("DIDS036", 2, {"request_received_date": "2026-02-29"},
     {"request_received_date": "2026-04-02"}, {}),
    ("DIDS038", 2, {"request_date": "2025-04-01", "request_received_date": "2025-04-08",
                    "request_time": "", "request_received_time": ""},
     {"request_date": "2025-04-01", "request_received_date": "2025-04-09", "request_time": "",
      "request_received_time": ""}, {}),
    ("DIDS040", 2, {"request_date": "", "request_time": "",
                    "request_received_date": "2026-04-02", "birth_date": "2026-11-01",
                    "procedure_start_timestamp": "", "procedure_end_timestamp": "",
                    "report_issue_timestamp": ""},
     {"request_date": "", "request_time": "", "request_received_date": "2026-04-02",
      "birth_date": "2026-10-31", "procedure_start_timestamp": "",
      "procedure_end_timestamp": "", "report_issue_timestamp": ""}, {}),
    ("DIDS041", 2, {"request_date": "", "request_time": "",
                    "request_received_date": "1969-12-31"},
     {"request_date": "", "request_time": "", "request_received_date": "1970-01-01"}, {}),
    ("DIDS043", 2, {"request_received_date": "2026-04-09", "request_received_time": "09:30:01",
                    "request_date": "2026-04-09", "request_time": "09:00:00"},
     {"request_received_date": "2026-04-09", "request_received_time": "09:30:00",
      "request_date": "2026-04-09", "request_time": "09:00:00"}, {}),
    ("DIDS044", 2, {"request_received_date": "2026-04-10", "request_received_time": "14:05:01",
                    "procedure_start_timestamp": "", "procedure_end_timestamp": ""},
     {"request_received_date": "2026-04-10", "request_received_time": "14:05:00",
      "procedure_start_timestamp": "", "procedure_end_timestamp": ""}, {}),
    ("DIDS045", 2, {"procedure_start_timestamp": "2026-04-09T09:30:00"},
     {"procedure_start_timestamp": "2026-04-09T08:30:00Z"}, {}),
    ("DIDS048", 2, {"report_issue_timestamp": "2026-04-09T09:29:59+01:00",
                    "procedure_end_timestamp": ""},
     {"report_issue_timestamp": "2026-04-09T08:30:00Z", "procedure_end_timestamp": ""}, {}),
    ("DIDS048", 2, {"report_issue_timestamp": "2026-04-09T08:29:59Z",
                    "procedure_end_timestamp": ""},
     {"report_issue_timestamp": "2026-04-09T09:30:00+01:00", "procedure_end_timestamp": ""},
     {}),
    ("DIDS050", 2, {"procedure_start_timestamp": "", "procedure_end_timestamp": ""},
     {"procedure_end_timestamp": ""}, {}),
    ("DIDS051", 2, {"report_issue_timestamp": ""}, {"report_issue_timestamp": ""},
     {"submitted": date(2026, 4, 8)}),
    ("DIDS051", 2, {"report_issue_timestamp": "", "procedure_end_timestamp": ""},
     {"report_issue_timestamp": "", "procedure_end_timestamp": ""},
     {"submitted": datetime(2026, 4, 9, 8, 29, 59, tzinfo=timezone.utc),
      "good_submitted": datetime(2026, 4, 9, 8, 30, tzinfo=timezone.utc)}),
    ("DIDS056", 2, {"nicip_code": "", "snomed_code": ""}, {"nicip_code": ""} | {
        "snomed_code": "60027007"}, {}),
    ("DIDS061", 2, {"report_issue_timestamp": "2026-04-10T14:05:00+0100"},
     {"report_issue_timestamp": "2026-04-10T14:05:00-00:00"}, {}),
    ("DIDS062", 2, {"report_issue_timestamp": "2026-05-10T00:00:00+01:00"},
     {"report_issue_timestamp": "2026-05-09T23:59:59+01:00"}, {}),
    ("DIDS066", 2, {"report_issue_timestamp": "2026-05-04T00:00:00+01:00"},
     {"report_issue_timestamp": "2026-05-03T23:59:59+01:00"}, {}),
    ("DIDS067", 2, {"imaging_site": ""}, {"imaging_site": "89999"}, {}),
    ("DIDS068", 2, {"imaging_site": "RZZ01"}, {"imaging_site": "RA701"},
     {"reference": REFERENCE}),
    ("DIDS069", 2, {"imaging_site": "RA7"}, {"imaging_site": "RA701"}, {}),
    ("DIDS070", 2, {"accession_number": ""}, {"accession_number": "RIS 2024 000123"}, {}),
    ("DIDS072", 2, {"accession_number": "B" * 21}, {"accession_number": "B" * 20}, {}),
    ("DIDS073", 2, dict.fromkeys(
        ["nhs_number", "birth_date", "ethnic_category", "stated_gender", "postcode",
         "gp_practice"], ""),
     {**dict.fromkeys(["nhs_number", "birth_date", "ethnic_category", "postcode",
                       "gp_practice"], ""), "stated_gender": "X"}, {}),
    ("DIDS074", 2, {**dict.fromkeys(["nhs_number", "birth_date", "ethnic_category",
                                     "stated_gender", "gp_practice"], ""),
                    "postcode": "ZZ99 1AZ"},
     {**dict.fromkeys(["nhs_number", "birth_date", "ethnic_category", "stated_gender"], ""),
      "postcode": "ZZ99 1AZ", "gp_practice": "V81999"}, {}),
    ("DIDS077", 2, {"nicip_code": "XOLD2"}, {"nicip_code": "XCHES"}, {"reference": REFERENCE}),
    ("DIDS078", 2, {"nicip_code": "", "snomed_code": "22298006",
                    "procedure_start_timestamp": "2024-05-01T10:00:00Z",
                    "procedure_end_timestamp": "", "request_date": "2024-04-01",
                    "request_received_date": "2024-04-01",
                    "report_issue_timestamp": "2024-05-01T11:00:00Z"},
     {"nicip_code": "", "snomed_code": "60027007",
      "procedure_start_timestamp": "2024-05-01T10:00:00Z", "procedure_end_timestamp": "",
      "request_date": "2024-04-01", "request_received_date": "2024-04-01",
      "report_issue_timestamp": "2024-05-01T11:00:00Z"},
     {"reference": REFERENCE}),
    ("DIDS079", 2, {"referring_organisation": "RB1", "request_date": "2024-12-31",
                    "request_time": ""},
     {"referring_organisation": "RB1", "request_date": "2025-01-01", "request_time": ""},
     {"reference": REFERENCE}),
    ("DIDS080", 2, {"gp_practice": "A81002"}, {"gp_practice": "A81001"},
     {"reference": REFERENCE}),
    ("DIDS081", 2, {"imaging_site": "RXX02"}, {"imaging_site": "RA701"},
     {"reference": REFERENCE}),
    ("DIDS00300302", 2, {"nicip_code": "X-CHE"}, {"nicip_code": "XCHES"}, {}),
    ("DIDS00300302", 2, {"nicip_code": "XGONE2"}, {"nicip_code": "XOLD2"},
     {"reference": REFERENCE}),
    ("DIDS00300302", 2, {"nicip_code": "XOLD2", "procedure_end_timestamp": "",
                         "procedure_start_timestamp": "2026-04-10T09:30:00+01:00"},
     {"nicip_code": "XOLD2", "procedure_end_timestamp": "",
      "procedure_start_timestamp": "2026-04-09T09:30:00+01:00"}, {"reference": REFERENCE}),
    ("DIDS00300402", 2, {"nicip_code": "", "snomed_code": "71651011"},
     {"nicip_code": "", "snomed_code": "334531000000104"}, {}),
    ("DIDS00300402", 2, {"snomed_code": "22298006"}, {"snomed_code": "60027007"},
     {"reference": REFERENCE}),
    ("DIDSREJ012", 2, {"snomed_code": "71651007"}, {"snomed_code": "60027007"},
     {"reference": REFERENCE}),
    ("X-TFC-01", 2, {"treatment_function": "999"}, {"treatment_function": "812"}, {}),
    ("X-TFC-01", 2, {"treatment_function": "109", "procedure_start_timestamp":
                     "2021-03-31T23:30:00-01:00", "procedure_end_timestamp": "",
                     "request_date": "", "request_time": "", "request_received_date": "",
                     "request_received_time": "", "report_issue_timestamp": ""},
     {"treatment_function": "109", "procedure_start_timestamp": "2021-04-01T00:30:00+01:00",
      "procedure_end_timestamp": "", "request_date": "", "request_time": "",
      "request_received_date": "", "request_received_time": "", "report_issue_timestamp": ""},
     {}),
    ("X-PRI-01", 2, {"request_priority": "4"}, {"request_priority": "3"}, {}),
    ("X-REV-01", 2, {"referrer_evaluation": "y"}, {"referrer_evaluation": "N"}, {}),
    ("X-TIM-01", 2, {"request_time": "9:05:00"}, {"request_time": "09:05:00"}, {}),
    ("X-TIM-01", 2, {"request_received_time": "11:00"},
     {"request_received_time": "23:59:59", "request_received_date": "2026-04-08"}, {}),
    ("X-TIM-02", 2, {"request_date": ""}, {"request_date": "", "request_time": ""}, {}),
    ("X-TIM-02", 2, {"request_received_date": ""},
     {"request_received_date": "", "request_received_time": ""}, {}),
    ("X-TSP-01", 2, {"procedure_end_timestamp": "2026-04-09T09:45:00.000+01:00"},
     {"procedure_end_timestamp": "2026-04-09T08:45:00Z"}, {}),
    ("X-TSP-02", 2, {"procedure_end_timestamp": "2026-04-09T08:29:59Z"},
     {"procedure_end_timestamp": "2026-04-09T08:30:00Z"}, {}),
]


def _codes(version: int, overrides: dict[str, str], options: dict[str, Any]) -> list[str]:
    options = {"submitted": SUBMITTED[version], **options}
    options.pop("good_submitted", None)
    issues = validate_record(make_row(version, **overrides), version=version, **options)
    return [issue.code for issue in issues]


@pytest.mark.parametrize(
    ("code", "version", "bad", "good", "options"),
    CASES,
    ids=[f"v{case[1]}-{case[0]}-{n}" for n, case in enumerate(CASES)],
)
def test_rule_fires_on_bad_row_and_not_on_near_identical_row(
    code: str, version: int, bad: dict[str, str], good: dict[str, str], options: dict[str, Any]
) -> None:
    assert code in _codes(version, bad, options)
    good_options = dict(options)
    if "good_submitted" in options:
        good_options["submitted"] = options["good_submitted"]
    elif code in ("DIDS051",):
        good_options["submitted"] = SUBMITTED[version]
    assert code not in _codes(version, good, good_options)


def test_every_row_rule_has_a_case() -> None:
    covered = {(code, version) for code, version, *_ in CASES}
    missing = [
        (rule.code, version)
        for rule in RULES.values()
        for version in sorted(rule.versions)
        if rule.scope is Scope.ROW and (rule.code, version) not in covered
    ]
    assert missing == []


@pytest.mark.parametrize("version", [1, 2])
def test_base_rows_are_clean_with_all_reference_data(version: int) -> None:
    assert _codes(version, {}, {"reference": REFERENCE}) == []


def test_issue_carries_rule_metadata_and_location() -> None:
    [issue] = validate_record(
        make_row(1, accession_number="A" * 21), version=1, submitted=SUBMITTED[1]
    )
    assert issue == Issue(
        "DIDS072",
        RULES["DIDS072"].severity,
        Disposition.RECORD_REJECT,
        "Accession number is longer than 20 characters.",
        "accession_number",
        1,
        18,
        (("max_length", "20"),),
    )
    assert issue.value is None


def test_nine_digit_nhs_number_fails_both_rules_ten_characters_only_one() -> None:
    assert _codes(1, {"nhs_number": "999000001"}, {}) == ["DIDS001", "DIDS002"]
    assert _codes(1, {"nhs_number": "99900000A8"}, {}) == ["DIDS001"]


def test_sentinel_option() -> None:
    assert _codes(2, {"nhs_number": "9999999999"}, {}) == []
    assert _codes(2, {"nhs_number": "9999999999"}, {"reject_sentinels": True}) == ["DIDS001"]


def test_v2_code_matrix_rows() -> None:
    """``rules-v2.md`` section 3: which codes fire for each SNOMED CT x NICIP combination."""
    ref = {"reference": REFERENCE}
    matrix = {
        ("60027007", ""): [],
        ("60027007", "XUNKN"): ["DIDS00300302"],
        ("71651007", "XCHES"): ["DIDSREJ012"],
        ("60027007", "XCHES"): [],
        ("100005", ""): ["DIDS00300402"],
        ("", "XCHES"): [],
        ("100005", "XCHES"): ["DIDS00300402"],
        ("100005", "XUNKN"): ["DIDS00300302", "DIDS00300402"],
        ("", "XUNKN"): ["DIDS00300302"],
        ("", ""): ["DIDS056"],
    }
    for (snomed, nicip), expected in matrix.items():
        found = _codes(2, {"snomed_code": snomed, "nicip_code": nicip}, ref)
        assert sorted(found) == sorted(expected), (snomed, nicip, found)


def test_v1_grace_boundaries() -> None:
    ref = {"reference": REFERENCE}
    # XOLD inactive from 2023-12-01: the 6-month grace runs to 2024-06-01 inclusive.
    def at(day: str) -> list[str]:
        return _codes(1, {"nicip_code": "XOLD", "test_date": day, "request_date": day,
                          "request_received_date": day, "report_issue_date": day},
                      {**ref, "submitted": date.fromisoformat(day)})
    assert at("2023-11-30") == []
    assert at("2023-12-01") == ["DIDS077"]
    assert at("2024-06-01") == ["DIDS077"]
    assert at("2024-06-02") == ["DIDS057"]


@pytest.mark.parametrize(
    ("later", "earlier", "expected"),
    [
        (date(2024, 3, 15), date(2024, 1, 15), 2.0),
        (date(2024, 2, 29), date(2024, 1, 31), 1.0),
        (date(2024, 10, 31), date(2024, 3, 31), 7.0),
        (date(2024, 10, 31), date(2024, 4, 1), 6.96774194),
        (date(2024, 10, 31), date(2024, 7, 1), 3.96774194),
        (date(2024, 3, 1), date(2024, 2, 29), 0.09677419),
        (date(2025, 2, 28), date(2024, 7, 30), 6.93548387),
        (date(2025, 2, 28), date(2024, 7, 28), 7.0),
    ],
)
def test_months_between_matches_the_spark_table(later: date, earlier: date,
                                                expected: float) -> None:
    assert months_between(later, earlier) == expected


def test_exactly_365_days_passes_366_warns() -> None:
    base = {"request_received_date": "2024-01-01", "request_date": "2024-01-01",
            "report_issue_date": ""}
    assert "DIDS028" not in _codes(1, {**base, "test_date": "2024-12-31"},
                                   {"submitted": date(2025, 1, 2)})
    assert "DIDS028" in _codes(1, {**base, "test_date": "2025-01-01"},
                               {"submitted": date(2025, 1, 2)})


def test_timestamps_across_offsets_around_midnight() -> None:
    """A report at 00:10+01:00 is 23:10Z the evening before: compare instants, not text."""
    start = "2026-04-09T23:30:00Z"
    ok = {"procedure_start_timestamp": start, "procedure_end_timestamp": "",
          "report_issue_timestamp": "2026-04-10T00:40:00+01:00"}
    bad = {**ok, "report_issue_timestamp": "2026-04-10T00:20:00+01:00"}
    assert "DIDS048" not in _codes(2, ok, {})
    assert "DIDS048" in _codes(2, bad, {})


def test_window_edges_warn_and_reject_in_the_same_run() -> None:
    options = {"submitted": date(2024, 10, 15)}
    blank = {"request_date": "", "request_received_date": "", "report_issue_date": ""}
    assert _codes(1, {**blank, "test_date": "2024-04-01"}, options) == ["DIDS049"]
    assert _codes(1, {**blank, "test_date": "2024-03-31"}, options) == ["DIDS055"]
    assert _codes(1, {**blank, "test_date": "2024-07-01"}, options) == []
    assert _codes(1, {**blank, "test_date": "2024-10-15"}, options) == []
    assert _codes(1, {**blank, "test_date": "2024-10-16"}, options) == ["DIDS051"]


def test_issue_dispositions_follow_the_rule_table() -> None:
    warnings = {code for code, rule in RULES.items() if rule.disposition is Disposition.WARNING}
    assert warnings == {"DIDS023", "DIDS028", "DIDS038", "DIDS049", "DIDS062", "DIDS077",
                        "DIDS078", "DIDS079", "DIDS080", "DIDS081"}
    assert RULES["DIDS075"].disposition is Disposition.FILE_REJECT
    assert all(code.startswith(("DIDS", "X-")) for code in RULES)


def test_offset_of_local_date_for_birth_rule() -> None:
    """DIDS006 uses the start's local date as written, not its UTC date."""
    tz = timezone(timedelta(hours=1))
    assert datetime(2026, 4, 2, 0, 30, tzinfo=tz).date() == date(2026, 4, 2)


@pytest.mark.parametrize("version", [1, 2])
def test_dates_at_the_end_of_the_calendar_raise_no_exception(version: int) -> None:
    """DIDS062 adds a month to the procedure date: from December 9999 there is no such date."""
    if version == 1:
        dates = {"test_date": "9999-12-31", "report_issue_date": "9999-12-31"}
    else:
        dates = {"procedure_start_timestamp": "9999-12-31T10:00:00+00:00",
                 "procedure_end_timestamp": "9999-12-31T10:30:00+00:00",
                 "report_issue_timestamp": "9999-12-31T11:00:00+00:00"}
    issues = validate_record(make_row(version, **dates), version=version,
                             submitted=date(9999, 12, 31))
    assert "DIDS062" not in {issue.code for issue in issues}
