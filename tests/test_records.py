"""Typed records: raw row -> record -> raw row is lossless; identifiers are masked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import attrs
import pytest
from hypothesis import given, settings

from dids.codes import PatientSourceSetting, TreatmentFunction
from dids.records import RecordV1, RecordV2, RowError
from dids.strategies import records
from tests.conftest import make_row


@settings(max_examples=300)
@given(records(version=1))
def test_v1_round_trip(record: RecordV1) -> None:
    row = record.to_row()
    assert RecordV1.from_row(row) == record
    assert RecordV1.from_row(row).to_row() == row


@settings(max_examples=300)
@given(records(version=2))
def test_v2_round_trip(record: RecordV2) -> None:
    row = record.to_row()
    assert RecordV2.from_row(row) == record
    assert RecordV2.from_row(row).to_row() == row


def test_spec_example_rows_are_identity() -> None:
    for version, cls in ((1, RecordV1), (2, RecordV2)):
        row = make_row(version)
        assert cls.from_row(row).to_row() == row


def test_typed_values() -> None:
    record = RecordV2.from_row(make_row(2))
    assert record.request_time == time(10, 15)
    assert record.procedure_start_timestamp == datetime(
        2026, 4, 9, 9, 30, tzinfo=timezone(timedelta(hours=1))
    )
    assert record.treatment_function is TreatmentFunction.GENERAL_INTERNAL_MEDICINE_SERVICE
    assert record.patient_source_setting is PatientSourceSetting.OUT_PATIENT
    assert record.snomed_code is None
    assert RecordV1.from_row(make_row(1)).birth_date == date(1960, 2, 29)


def test_records_are_frozen_and_slotted() -> None:
    record = RecordV1.from_row(make_row(1))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        record.nhs_number = "9990000018"  # type: ignore[misc]
    assert not hasattr(record, "__dict__")


def test_parse_failure_names_the_item_not_the_value() -> None:
    with pytest.raises(RowError) as caught:
        RecordV1.from_row(make_row(1, birth_date="1960-02-30"))
    assert caught.value.item == "birth_date"
    assert caught.value.column == 3
    assert "1960-02-30" not in str(caught.value)
    with pytest.raises(RowError):
        RecordV1.from_row(make_row(1)[:17])


def test_repr_hides_patient_identifiers() -> None:
    text = repr(RecordV1.from_row(make_row(1)))
    for secret in ("9434765919", "1960", "LS1 4AP"):
        assert secret not in text
    assert "nhs_number='<hidden>'" in text
    assert "accession_number='ACC0001234'" in text


def test_non_canonical_input_is_normalised() -> None:
    record = RecordV2.from_row(
        make_row(2, nhs_number=" 999 000 0026 ", procedure_start_timestamp="2026-04-09T08:30:00Z")
    )
    assert record.nhs_number == "9990000026"
    assert record.to_row()[17] == "2026-04-09T08:30:00+00:00"
    assert record.to_dict()["nhs_number"] == "9990000026"
