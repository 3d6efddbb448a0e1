"""Typed DIDS records: one frozen, slotted attrs class per layout.

Generated from data/items-v1.csv and data/items-v2.csv by ``python -m dids._codegen``; do not edit.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import ClassVar

import attrs

from dids._record_base import RecordBase, RowError, masked
from dids.catalogue import V1, V2, Layout
from dids.codes import EthnicCategory, GenderCurrent, NhsNumberStatus, PatientSourceSetting, ReferrerEvaluation, RequestPriority, StatedGender, TreatmentFunction

__all__ = ["RecordV1", "RecordV2", "RowError"]

@attrs.frozen
class RecordV1(RecordBase):
    """A DIDS v1 record (18 items, ``items-v1.csv``)."""

    LAYOUT: ClassVar[Layout] = V1

    nhs_number: str | None = attrs.field(default=None, repr=masked)
    """NHS NUMBER (n10, M*)."""
    nhs_number_status: NhsNumberStatus | None = None
    """NHS NUMBER STATUS INDICATOR CODE (an2, R)."""
    birth_date: date | None = attrs.field(default=None, repr=masked)
    """PERSON BIRTH DATE (an10 CCYY-MM-DD, M*)."""
    ethnic_category: EthnicCategory | None = None
    """ETHNIC CATEGORY (max an2, M*)."""
    gender: GenderCurrent | None = None
    """PERSON GENDER CODE CURRENT (an1, M*)."""
    postcode: str | None = attrs.field(default=None, repr=masked)
    """POSTCODE OF USUAL ADDRESS (max an8, M*)."""
    gp_practice: str | None = None
    """GENERAL MEDICAL PRACTICE CODE (PATIENT REGISTRATION) (an6, M*)."""
    patient_source_setting: PatientSourceSetting | None = None
    """PATIENT SOURCE SETTING TYPE (DIAGNOSTIC IMAGING) (an2, M)."""
    referrer: str | None = None
    """REFERRER CODE (an8, R)."""
    referring_organisation: str | None = None
    """REFERRING ORGANISATION CODE (max an6, R)."""
    request_date: date | None = None
    """DIAGNOSTIC TEST REQUEST DATE (an10 CCYY-MM-DD, R)."""
    request_received_date: date | None = None
    """DIAGNOSTIC TEST REQUEST RECEIVED DATE (an10 CCYY-MM-DD, R)."""
    test_date: date | None = None
    """DIAGNOSTIC TEST DATE (an10 CCYY-MM-DD, M)."""
    nicip_code: str | None = None
    """IMAGING CODE (NICIP) (max an6, one-of)."""
    snomed_code: str | None = None
    """IMAGING CODE (SNOMED CT) (min n6 max n18, one-of)."""
    report_issue_date: date | None = None
    """SERVICE REPORT ISSUE DATE (an10 CCYY-MM-DD, R)."""
    imaging_site: str | None = None
    """SITE CODE (OF IMAGING) (min an5 max an9, M)."""
    accession_number: str | None = None
    """RADIOLOGICAL ACCESSION NUMBER (max an20, M)."""

@attrs.frozen
class RecordV2(RecordBase):
    """A DIDS v2 record (24 items, ``items-v2.csv``)."""

    LAYOUT: ClassVar[Layout] = V2

    nhs_number: str | None = attrs.field(default=None, repr=masked)
    """NHS NUMBER (n10, R)."""
    nhs_number_status: NhsNumberStatus | None = None
    """NHS NUMBER STATUS INDICATOR CODE (an2, R)."""
    birth_date: date | None = attrs.field(default=None, repr=masked)
    """PERSON BIRTH DATE (an10 CCYY-MM-DD, R)."""
    ethnic_category: EthnicCategory | None = None
    """ETHNIC CATEGORY (an2, R)."""
    stated_gender: StatedGender | None = None
    """PERSON STATED GENDER CODE (an1, R)."""
    postcode: str | None = attrs.field(default=None, repr=masked)
    """POSTCODE OF USUAL ADDRESS (max an8, R)."""
    gp_practice: str | None = None
    """GENERAL MEDICAL PRACTICE CODE (PATIENT REGISTRATION) (an6, R)."""
    patient_source_setting: PatientSourceSetting | None = None
    """PATIENT SOURCE SETTING TYPE (DIAGNOSTIC IMAGING) (an2, M)."""
    referrer: str | None = None
    """REFERRER CODE (an8, R)."""
    referring_organisation: str | None = None
    """ORGANISATION IDENTIFIER (REFERRING ORGANISATION) (min an3 max an6, R)."""
    treatment_function: TreatmentFunction | None = None
    """TREATMENT FUNCTION CODE (REFERRAL FOR DIAGNOSTIC IMAGING) (an3, R)."""
    request_priority: RequestPriority | None = None
    """SERVICE REQUEST PRIORITY TYPE (an1, R)."""
    referrer_evaluation: ReferrerEvaluation | None = None
    """REFERRER RADIOLOGY PROCEDURE EVALUATION INDICATOR (an1, O)."""
    request_date: date | None = None
    """DIAGNOSTIC TEST REQUEST DATE (an10 CCYY-MM-DD, R)."""
    request_time: time | None = None
    """DIAGNOSTIC TEST REQUEST TIME (an8 HH:MM:SS, R)."""
    request_received_date: date | None = None
    """DIAGNOSTIC TEST REQUEST RECEIVED DATE (an10 CCYY-MM-DD, R)."""
    request_received_time: time | None = None
    """DIAGNOSTIC TEST REQUEST RECEIVED TIME (an8 HH:MM:SS, R)."""
    procedure_start_timestamp: datetime | None = None
    """CODED PROCEDURE START TIMESTAMP (max an25 YYYY-MM-DDThh:mm:ss+offset, M)."""
    procedure_end_timestamp: datetime | None = None
    """CODED PROCEDURE END TIMESTAMP (max an25 YYYY-MM-DDThh:mm:ss+offset, R)."""
    nicip_code: str | None = None
    """CODED PROCEDURE (NICIP) (max an6, one-of)."""
    snomed_code: str | None = None
    """CODED PROCEDURE (SNOMED CT) (min n6 max n18, one-of)."""
    report_issue_timestamp: datetime | None = None
    """SERVICE REPORT ISSUE TIMESTAMP (max an25 YYYY-MM-DDThh:mm:ss+offset, R)."""
    imaging_site: str | None = None
    """ORGANISATION SITE IDENTIFIER (OF IMAGING) (min an5 max an9, M)."""
    accession_number: str | None = None
    """RADIOLOGICAL ACCESSION NUMBER (max an20, M)."""
