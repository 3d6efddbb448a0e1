"""Code lists of the standard as enumerations with descriptions and validity dates.

Each list is a ``str`` enumeration generated from ``data/codes/*.csv``; its members compare equal
to their codes. Descriptions, validity dates, evidence and notes load lazily from the same file.

>>> from dids.codes import PatientSourceSetting
>>> PatientSourceSetting("04").description
'GP Direct Access'
>>> SCREENING_PROGRAMME.valid_on(date(2026, 3, 31))
False
>>> lookup("treatment_function", "812").description
'Diagnostic Imaging Service'
"""

from __future__ import annotations

from datetime import date

from dids.codes._base import CodeEnum, CodeInfo, CodeList, UnknownCode
from dids.codes._lists import (
    CODE_LISTS,
    DefaultOrganisation,
    EthnicCategory,
    GenderCurrent,
    NhsNumberStatus,
    PatientSourceSetting,
    ReferrerEvaluation,
    RequestPriority,
    SnomedPartition,
    StatedGender,
    TreatmentFunction,
)

__all__ = [
    "CODE_LISTS",
    "SCREENING_PROGRAMME",
    "CodeEnum",
    "CodeInfo",
    "CodeList",
    "DefaultOrganisation",
    "EthnicCategory",
    "GenderCurrent",
    "NhsNumberStatus",
    "PatientSourceSetting",
    "ReferrerEvaluation",
    "RequestPriority",
    "SnomedPartition",
    "StatedGender",
    "TreatmentFunction",
    "UnknownCode",
    "code_list",
    "lookup",
]

#: The v2 screening-programme referral source (decision D2). Its value, 08, lives only in
#: ``data/codes/patient_source_setting_type.csv``.
SCREENING_PROGRAMME = PatientSourceSetting.REFERRAL_FROM_A_SCREENING_PROGRAMME


def code_list(name: str) -> CodeList:
    """The code list called ``name`` (e.g. ``"treatment_function"``); ``KeyError`` if none."""
    return CODE_LISTS[name]


def lookup(name: str, code: str, as_at: date | None = None) -> CodeEnum:
    """The member ``code`` of list ``name``, valid on ``as_at`` when given.

    Raises :class:`UnknownCode` when the code is not on the list or not in force that day.
    """
    return code_list(name).enum.lookup(code, as_at)
