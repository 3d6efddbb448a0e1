"""Registered with Hypothesis's entry point: ``st.from_type(RecordV2)`` works without imports.

Hypothesis calls :func:`_hypothesis_setup_hook` at start-up; it registers lazy strategies so
that importing :mod:`dids` costs nothing until a record type is asked for.
"""

from __future__ import annotations

from typing import Any


def _hypothesis_setup_hook() -> None:
    from hypothesis import strategies as st

    from dids.records import RecordV1, RecordV2

    def records_of(version: int) -> Any:
        def build(_: type) -> Any:
            from dids.strategies import records

            return records(version=version)

        return build

    st.register_type_strategy(RecordV1, records_of(1))
    st.register_type_strategy(RecordV2, records_of(2))
