"""Strategies, the invalid-record oracle and the bulk generator."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from dids import _mutations, _oracle
from dids.catalogue import layout
from dids.generate import generate_rows, metadata_for, submission_date_for
from dids.io.json import Submission
from dids.records import RecordV1, RecordV2
from dids.rules import RULES, Scope
from dids.strategies import (
    InvalidExample,
    invalid_records,
    item_values,
    records,
    submission_date,
    submissions,
)
from dids.validate import Validator, validate_record, validate_records

RULE_CASES = [(code, version) for code, rule in RULES.items() for version in sorted(rule.versions)]
slow = settings(suppress_health_check=list(HealthCheck), deadline=None)


@pytest.mark.parametrize(("code", "version"), RULE_CASES, ids=[f"v{v}-{c}" for c, v in RULE_CASES])
@settings(slow, max_examples=15)
@given(data=st.data())
def test_invalid_records_trigger_their_rule_and_nothing_else(
    code: str, version: int, data: st.DataObject
) -> None:
    example = data.draw(invalid_records(rule=code, version=version))
    assert isinstance(example, InvalidExample)
    assert code in example.codes
    report = example.validate()
    assert set(report.counts) == example.codes
    assert report.not_checked == () or version == 2


def test_every_row_rule_has_a_mutation_and_every_other_rule_a_file_example() -> None:
    for code, version in RULE_CASES:
        if RULES[code].scope is Scope.ROW:
            assert (code, version) in _mutations.MUTATIONS, code
        else:
            assert code in _oracle.FILE_RULES, code
    assert {code for code, _ in _mutations.MUTATIONS} <= set(RULES)


@settings(slow, max_examples=1000)
@given(st.one_of(records(version=1), records(version=2)))
def test_valid_records_raise_no_issue(record: RecordV1 | RecordV2) -> None:
    assert validate_record(record, submitted=submission_date(record)) == []


@settings(slow, max_examples=60)
@given(st.sampled_from([1, 2]).flatmap(lambda v: submissions(version=v, max_size=6)))
def test_valid_submissions_raise_no_issue(submission: Submission) -> None:
    metadata = submission.metadata
    submitted = (metadata.created_at if metadata else
                 max(submission_date(r) for r in submission.records))
    report = validate_records(submission.records, submitted=submitted, metadata=metadata)
    assert report.counts == {}
    assert report.records == len(submission.records)


@pytest.mark.parametrize("version", [1, 2])
@settings(slow, max_examples=10)
@given(data=st.data())
def test_every_item_has_a_strategy_of_its_type(version: int, data: st.DataObject) -> None:
    for item in layout(version):
        value = data.draw(item_values(item.python_name, version=version))
        assert isinstance(value, item.python_type)
        assert item.parse(item.unparse(value)) == value


def test_bad_arguments_raise_invalid_argument() -> None:
    for build in (lambda: records(version=3), lambda: invalid_records(rule="DIDS999"),
                  lambda: invalid_records(rule="DIDS055", version=2),
                  lambda: item_values("nope"), lambda: submissions(min_size=3, max_size=1)):
        with pytest.raises(InvalidArgument):
            build().example()


def test_from_type_works_in_a_fresh_interpreter() -> None:
    code = ("from hypothesis import strategies as st, given, settings\n"
            "from dids.records import RecordV2\n"
            "@settings(max_examples=5)\n@given(st.from_type(RecordV2))\n"
            "def t(r): assert isinstance(r, RecordV2)\nt()\nprint('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.stdout.strip() == "ok", done.stderr


def test_strategies_without_hypothesis_name_the_extra() -> None:
    code = ("import sys; sys.modules['hypothesis'] = None\n"
            "try:\n    import dids.strategies\nexcept ImportError as e:\n    print(e)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert "dids[hypothesis]" in done.stdout


def test_generator_is_seeded() -> None:
    first = list(generate_rows(500, seed=7, version=2))
    assert first == list(generate_rows(500, seed=7, version=2))
    assert first != list(generate_rows(500, seed=8, version=2))


@pytest.mark.parametrize(("version", "period"), [
    (1, None), (2, None), (1, date(2024, 6, 1)), (1, date(1990, 1, 1)), (2, date(2026, 10, 1)),
    (2, date(2027, 3, 1))])
def test_generated_rows_are_valid_for_any_period(version: int, period: date | None) -> None:
    """Valid for the default months and others: births end before the earliest request date
    of the month (they ran to December 2024 whatever the month), and months when clocks change."""
    rows = [row.fields for row in generate_rows(2000, seed=1, version=version, period=period)]
    validator = Validator(version, submitted=submission_date_for(version, period),
                          metadata=metadata_for(version, len(rows), period)
                          if version == 2 else None)
    for number, row in enumerate(rows, 1):
        validator.check_row(row, number)
    assert validator.finish().counts == {}


@pytest.mark.parametrize("version", [1, 2])
def test_generator_invalid_rows_break_their_intended_rule(version: int) -> None:
    rows = list(generate_rows(4000, seed=3, version=version, invalid_rate=0.2))
    broken = [row for row in rows if row.intended]
    assert 0.17 < len(broken) / len(rows) < 0.23
    assert len(Counter(row.intended for row in broken)) > 20
    validator = Validator(version, submitted=submission_date_for(version))
    for number, row in enumerate(rows, 1):
        codes = {issue.code for issue in validator.check_row(row.fields, number)}
        assert codes == (row.companions if row.intended else set()), (row.intended, codes)
    assert "DIDS071" not in validator.finish().counts
