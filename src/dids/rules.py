"""The rule catalogue: every check the library makes, as data.

Rules load from the bundled ``data/rules.csv``: the national v1 rules DIDS001-DIDS082 (from the
v1 collection pipeline), their v2 carry-over (``spec/rules-v2.md`` section 2), the known v2
codes DIDS00300302, DIDS00300402 and DIDSREJ012, and the library's own checks, whose codes
start ``X-`` so that they cannot be mistaken for national ones (decision D7). The checks
themselves live in :mod:`dids._checks`, keyed by code.

>>> RULES["DIDS072"].disposition
<Disposition.RECORD_REJECT: 'record_reject'>
>>> RULES["DIDS072"].params
{'max_length': '20'}
>>> RULES["DIDS045"].message_for(2)
'Procedure start timestamp is not a valid timestamp.'
>>> [rule.code for rule in rules_for(2)][:3]
['DIDS001', 'DIDS002', 'DIDS003']
"""

from __future__ import annotations

import enum

import attrs

from dids._data import read_table

__all__ = ["RULES", "Disposition", "Rule", "Scope", "Severity", "rules_for"]


class Disposition(str, enum.Enum):
    """What a failure does to the submission."""

    WARNING = "warning"
    RECORD_REJECT = "record_reject"
    FILE_REJECT = "file_reject"


class Severity(str, enum.Enum):
    """How serious a failure is: an error rejects a record or the file."""

    ERROR = "error"
    WARNING = "warning"


class Scope(str, enum.Enum):
    """Where a rule looks: a row's values, a row's text as read, or the file as a whole."""

    ROW = "row"
    READ = "read"
    FILE = "file"


@attrs.frozen
class Rule:
    """One rule: its stable code, disposition, the items it reads, parameters and message."""

    code: str
    scope: Scope
    disposition: Disposition
    versions: frozenset[int]
    items_v1: tuple[str, ...]
    items_v2: tuple[str, ...]
    reference_data: bool
    params: dict[str, str] = attrs.field(hash=False)
    message: str
    v2_message: str
    evidence: str
    logic: str
    v2_logic: str
    source: str

    @property
    def severity(self) -> Severity:
        """``warning`` for warnings, ``error`` for rejects."""
        return Severity.WARNING if self.disposition is Disposition.WARNING else Severity.ERROR

    @property
    def national(self) -> bool:
        """True when the rule reproduces a national rule (its code is not an ``X-`` code)."""
        return not self.code.startswith("X-")

    def items(self, version: int) -> tuple[str, ...]:
        """The data items the rule reads in layout ``version`` (``file.*`` for file facts)."""
        return self.items_v1 if version == 1 else self.items_v2

    def message_for(self, version: int) -> str:
        """The message in the terms of layout ``version``."""
        return self.message if version == 1 else self.v2_message

    def description_for(self, version: int) -> str:
        """The rule's logic in layout ``version``."""
        return self.logic if version == 1 else self.v2_logic


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(";") if part)


def _params(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in _split(text))


def _load() -> dict[str, Rule]:
    return {
        row["code"]: Rule(
            code=row["code"],
            scope=Scope(row["scope"]),
            disposition=Disposition(row["disposition"]),
            versions=frozenset(int(v) for v in _split(row["versions"])),
            items_v1=_split(row["items_v1"]),
            items_v2=_split(row["items_v2"]),
            reference_data=row["reference_data"] == "yes",
            params=_params(row["params"]),
            message=row["message"],
            v2_message=row["v2_message"],
            evidence=row["evidence"],
            logic=row["logic"],
            v2_logic=row["v2_logic"],
            source=row["source"],
        )
        for row in read_table("rules.csv")
    }


#: Every rule, by code, in catalogue order.
RULES: dict[str, Rule] = _load()


def rules_for(version: int) -> tuple[Rule, ...]:
    """The rules that apply to layout ``version`` (1 or 2)."""
    return tuple(rule for rule in RULES.values() if version in rule.versions)
