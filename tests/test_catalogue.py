"""The catalogue is the single source of truth: every item is wired into every layer."""

from __future__ import annotations

import csv
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dids.strategies as strategies
from dids import _codegen
from dids.catalogue import V1, V2, Kind, Status, layout
from dids.io.csv import CsvReader
from dids.records import RecordV1, RecordV2
from dids.rules import RULES

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec"
RECORDS = {1: RecordV1, 2: RecordV2}


@pytest.mark.parametrize("version", [1, 2])
def test_every_item_has_a_parser_a_column_a_field_and_a_strategy(version: int) -> None:
    lay = layout(version)
    fields = [field.name for field in attrs.fields(RECORDS[version])]
    assert fields == list(lay.names), "record fields follow the catalogue order"
    for position, item in enumerate(lay.items, 1):
        assert item.position == position
        assert callable(item.parser)
        assert lay.index(item.python_name) == position - 1
        assert lay[item.name] is item
        field = attrs.fields_dict(RECORDS[version])[item.python_name]
        assert field.default is None


@pytest.mark.parametrize("version", [1, 2])
@given(data=st.data())
@settings(max_examples=20)
def test_strategies_fill_every_item_type(version: int, data: st.DataObject) -> None:
    record = data.draw(strategies.records(version=version))
    for item in layout(version).items:
        value = getattr(record, item.python_name)
        assert value is None or isinstance(value, item.python_type)


def test_v2_csv_header_is_derived_from_the_catalogue() -> None:
    header = ",".join(V2.headers)
    reader = CsvReader([header.encode() + b"\n"].__iter__())  # type: ignore[arg-type]
    assert reader.version == 2
    assert reader.columns == list(range(1, 25))
    assert reader.file_issues == []


def test_every_rule_names_only_catalogue_items() -> None:
    for rule in RULES.values():
        for version in rule.versions:
            for name in rule.items(version):
                assert name in layout(version) or name.startswith("file."), (rule.code, name)


@pytest.mark.parametrize("version", [1, 2])
def test_catalogue_matches_the_spec_tables(version: int) -> None:
    path = SPEC / f"items-v{version}.csv"
    if not path.exists():
        pytest.skip("the shared spec folder is not beside this checkout")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["python_name"] for row in rows] == list(layout(version).names)
    assert [row["data_element"] for row in rows] == list(layout(version).headers)


def test_layout_facts() -> None:
    assert len(V1) == 18
    assert len(V2) == 24
    assert V2["procedure_start_timestamp"].kind is Kind.TIMESTAMP
    assert V2["request_time"].kind is Kind.TIME
    assert V1["test_date"].kind is Kind.DATE
    assert V2["treatment_function"].kind is Kind.CODE
    assert V2["referrer"].kind is Kind.TEXT
    assert V2["nhs_number"].kind is Kind.NHS_NUMBER
    assert V2["procedure_start_timestamp"].status is Status.MANDATORY
    assert V1["nhs_number"].status is Status.AT_LEAST_ONE_OF
    assert V2["nicip_code"].status is Status.ONE_OF
    assert V2["imaging_site"].v1_predecessor == "SITE CODE (OF IMAGING)"
    assert [i.python_name for i in V2 if i.identifying] == ["nhs_number", "birth_date", "postcode"]
    assert layout("2.0") is V2
    with pytest.raises(ValueError, match="1 or 2"):
        layout(3)


def test_generated_modules_are_up_to_date() -> None:
    """Edit ``data/*.csv`` then run ``python -m dids._codegen``; this fails until you do."""
    package = Path(_codegen.__file__).parent
    assert (package / "codes" / "_lists.py").read_text("utf-8") == _codegen.render_code_lists()
    assert (package / "records.py").read_text("utf-8") == _codegen.render_records()
