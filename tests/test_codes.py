"""Code lists: enumerations with descriptions, validity dates and as-at lookups."""

from __future__ import annotations

from datetime import date

import pytest

from dids.codes import (
    CODE_LISTS,
    SCREENING_PROGRAMME,
    EthnicCategory,
    PatientSourceSetting,
    StatedGender,
    TreatmentFunction,
    UnknownCode,
    code_list,
    lookup,
)


def test_members_are_their_codes() -> None:
    assert PatientSourceSetting.GP_DIRECT_ACCESS.value == "04"
    assert PatientSourceSetting("04") is PatientSourceSetting.GP_DIRECT_ACCESS
    assert str(PatientSourceSetting("04")) == "04"
    assert EthnicCategory("99").description == "Not known"
    assert StatedGender("X").description == "Not Known (not recorded)"


def test_screening_programme_code_is_decision_d2() -> None:
    assert SCREENING_PROGRAMME.value == "08"
    assert SCREENING_PROGRAMME.description == "Referral from a screening programme"
    assert SCREENING_PROGRAMME.valid_from == date(2026, 4, 1)
    assert SCREENING_PROGRAMME.valid_on(date(2026, 4, 1))
    assert not SCREENING_PROGRAMME.valid_on(date(2026, 3, 31))


def test_lookup_as_at_a_date() -> None:
    assert lookup("treatment_function", "109").description == "Bariatric Surgery Service"
    assert lookup("treatment_function", " 109 ", as_at=date(2021, 4, 1)) is (
        TreatmentFunction.BARIATRIC_SURGERY_SERVICE
    )
    with pytest.raises(UnknownCode):
        lookup("treatment_function", "109", as_at=date(2021, 3, 31))
    with pytest.raises(UnknownCode):
        lookup("treatment_function", "999")
    with pytest.raises(KeyError):
        code_list("no_such_list")


def test_every_list_loads_every_row() -> None:
    sizes = {name: len(listed.info()) for name, listed in CODE_LISTS.items()}
    assert sizes["patient_source_setting"] == 8
    assert sizes["treatment_function"] == 180
    assert sizes["ethnic_category"] == 18
    assert sizes["nhs_number_status"] == 8
    assert sizes["request_priority"] == 3
    for listed in CODE_LISTS.values():
        assert [m.value for m in listed.enum] == [row.code for row in listed.info()]
        for member in listed.enum:
            assert member.description


def test_closed_lists_are_the_item_value_sets() -> None:
    assert code_list("stated_gender").closed
    assert not code_list("default_organisation").closed
