"""Findings: one failure of one rule at one place, the report that counts them, and the sinks
that write them as validation makes them.

This module sits below the readers and the validation engine, which both use it. A finding is
an :class:`Issue` for callers; inside the engine it is a compact tuple (:data:`Compact`), so
that a file where every row breaks a rule costs little more than a clean one. A
:class:`Findings` batch turns compact findings into issues, or into JSON text, for the sinks.

Order (docs/validation.md): findings of rows come in row order, and within a row in rule order
then column order. File-level findings (the record count, the submission window, metadata,
column errors of a header) and DIDS071's duplicates, which are known only when the file ends,
come after every row's findings.

>>> from dids.findings import issue_for
>>> issue = issue_for("DIDS001", 1, item="nhs_number", row=3, column=1)
>>> issue.code, issue.row, issue.disposition.value
('DIDS001', 3, 'record_reject')
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import attrs

from dids.rules import RULES, Disposition, Rule, Severity

__all__ = [
    "DEFAULT_LIMIT_PER_RULE",
    "FindingSink",
    "Findings",
    "Issue",
    "JsonLinesSink",
    "JsonSink",
    "Report",
    "issue_for",
]

#: How many findings of each rule a :class:`Report` keeps unless told otherwise (every finding
#: is counted; ``limit_per_rule=None`` keeps them all, and memory then grows with them).
DEFAULT_LIMIT_PER_RULE = 100

#: Each rule's place in the rule table: findings of one row are ordered by it.
RULE_ORDER = {code: index for index, code in enumerate(RULES)}
#: The rules by their place in the rule table.
RULES_BY_ORDER: list[Rule] = list(RULES.values())

#: A finding inside the engine: ``(row, rule order, column, item, value)``. ``row`` and
#: ``column`` are 0 for none (a file-level finding, a rule about the whole row); ``item`` is
#: the item's ``python_name`` or ``None``; ``value`` is ``None`` unless values were asked for.
#: Tuples sort in the report's order.
Compact = tuple[int, int, int, "str | None", "str | None"]


@attrs.frozen
class Issue:
    """One failure of one rule at one place.

    ``row`` is the 1-based data row (a v2 header line is not counted), ``column`` the 1-based
    column in the file; both are ``None`` for file-level issues. ``value`` is only filled when
    the caller asked for values.
    """

    code: str
    severity: Severity
    disposition: Disposition
    message: str
    item: str | None = None
    row: int | None = None
    column: int | None = None
    params: tuple[tuple[str, str], ...] = ()
    value: str | None = attrs.field(default=None, repr=False)

    def to_dict(self, *, include_values: bool = False) -> dict[str, Any]:
        """The JSON form: ``code, severity, disposition, item, row, column`` (and ``value``)."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "disposition": self.disposition.value,
            "item": self.item,
            "row": self.row,
            "column": self.column,
        }
        if include_values:
            out["value"] = self.value
        return out


def issue_for(
    code: str,
    version: int,
    *,
    item: str | None = None,
    row: int | None = None,
    column: int | None = None,
    value: str | None = None,
) -> Issue:
    """An :class:`Issue` of rule ``code``, with the rule's message and parameters."""
    rule = RULES[code]
    return Issue(rule.code, rule.severity, rule.disposition, rule.message_for(version), item,
                 row, column, tuple(rule.params.items()), value)


def issue_order(issue: Issue) -> tuple[int, int, int]:
    """The report's order: row (file-level first), rule, column."""
    return (issue.row or 0, RULE_ORDER[issue.code], issue.column or 0)


def compact(issue: Issue) -> Compact:
    """The engine's form of ``issue``."""
    return (issue.row or 0, RULE_ORDER[issue.code], issue.column or 0, issue.item, issue.value)


def _expand(found: Compact, version: int) -> Issue:
    row, order, column, item, value = found
    rule = RULES_BY_ORDER[order]
    return Issue(rule.code, rule.severity, rule.disposition, rule.message_for(version), item,
                 row or None, column or None, tuple(rule.params.items()), value)


class Findings(Sequence[Issue]):
    """Findings of a stretch of a file (a block of rows, or the file-level ones), in order.

    Iterating gives :class:`Issue` objects; :meth:`json_lines` gives each finding's JSON text
    without making them, which is what the JSON sinks write.
    """

    __slots__ = ("_found", "_include_values", "_version")

    def __init__(self, found: Sequence[Compact], version: int, include_values: bool) -> None:
        self._found = found
        self._version = version
        self._include_values = include_values

    def __len__(self) -> int:
        return len(self._found)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [_expand(found, self._version) for found in self._found[index]]
        return _expand(self._found[index], self._version)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Findings({list(self)!r})"

    def __iter__(self) -> Iterator[Issue]:
        version = self._version
        return (_expand(found, version) for found in self._found)

    @property
    def codes(self) -> list[str]:
        """Each finding's rule code, in order."""
        return [RULES_BY_ORDER[found[1]].code for found in self._found]

    def json_lines(self, templates: dict[tuple[int, int, str | None], tuple[str, str]]
                   ) -> list[str]:
        """Each finding as the one-line JSON text of :meth:`Issue.to_dict`. ``templates`` is
        the caller's cache of the text around the row number, by rule, column and item."""
        lines = []
        get = templates.get
        for row, order, column, item, value in self._found:
            around = get((order, column, item))
            if around is None:
                rule = RULES_BY_ORDER[order]
                head = json.dumps({"code": rule.code, "severity": rule.severity.value,
                                   "disposition": rule.disposition.value, "item": item})
                tail = json.dumps({"column": column or None})
                around = templates[(order, column, item)] = (head[:-1] + ', "row": ',
                                                             ", " + tail[1:-1] + "}")
            if self._include_values:
                lines.append(f'{around[0]}{row or "null"}{around[1][:-1]}, "value": '
                             f"{json.dumps(value)}}}")
            else:
                lines.append(f'{around[0]}{row or "null"}{around[1]}')
        return lines


@attrs.define
class Report:
    """The outcome of validating a submission: counts of every rule's findings, the records
    rejected, and the first findings of each rule (``issues``, at most ``limit_per_rule`` of
    each, in the report's order: file-level first, then by row, rule and column)."""

    version: int
    records: int = 0
    records_rejected: int = 0
    file_rejected: bool = False
    counts: Counter[str] = attrs.field(factory=Counter)
    issues: list[Issue] = attrs.field(factory=list)
    not_checked: tuple[str, ...] = ()
    #: Rules checked only in part (for want of reference data): the part not checked.
    partly_checked: dict[str, str] = attrs.field(factory=dict)
    #: Where the reference data came from (a store and its sources' releases), if any.
    reference: Mapping[str, Any] | None = None
    source: str | None = None
    include_values: bool = False

    @property
    def accepted(self) -> bool:
        """True when the file is accepted and no record is rejected."""
        return not self.file_rejected and self.records_rejected == 0

    @property
    def warnings(self) -> int:
        """Number of warning issues."""
        return sum(n for code, n in self.counts.items() if RULES[code].severity is Severity.WARNING)

    def summary(self) -> dict[str, Any]:
        """:meth:`to_dict` without the issues: the counts, the rules ``not_checked`` (for
        want of reference data or metadata) or ``partly_checked``, and the ``reference``
        data's provenance when it has one."""
        summary = {
            "dids_version": str(self.version),
            "records": self.records,
            "records_rejected": self.records_rejected,
            "file_rejected": self.file_rejected,
            "counts": dict(sorted(self.counts.items(), key=lambda kv: RULE_ORDER[kv[0]])),
            "not_checked": list(self.not_checked),
            "partly_checked": dict(self.partly_checked),
        }
        if self.reference is not None:
            summary["reference"] = dict(self.reference)
        return summary

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``dids validate --format json``."""
        return {**self.summary(),
                "issues": [i.to_dict(include_values=self.include_values) for i in self.issues]}

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent)


class Tally:
    """Counts findings into ``report``, keeps the first ``limit`` of each rule there (``None``:
    all), and sends every one to the ``sinks``, as validation makes them, in order."""

    def __init__(self, report: Report, limit: int | None, sinks: Iterable[FindingSink]) -> None:
        self.report = report
        self.sinks = list(sinks)
        self._limit = limit
        self._kept: Counter[str] = Counter()
        #: Rules whose kept issues reached the limit.
        self._full: set[str] = set()

    def add(self, found: list[Compact]) -> None:
        """Take findings, in order."""
        if not found:
            return
        report = self.report
        codes = [RULES_BY_ORDER[entry[1]].code for entry in found]
        report.counts.update(codes)
        batch = Findings(found, report.version, report.include_values)
        if not self._full.issuperset(codes):
            limit, kept = self._limit, self._kept
            for k, code in enumerate(codes):
                if code in self._full:
                    continue
                if limit is not None and kept[code] >= limit:
                    self._full.add(code)
                    continue
                kept[code] += 1
                report.issues.append(batch[k])
        if not report.file_rejected and any(
                RULES[code].disposition is Disposition.FILE_REJECT for code in set(codes)):
            report.file_rejected = True
        for sink in self.sinks:
            sink.write(batch)

    def close(self) -> None:
        """The file is done: the kept issues put in the report's order, the sinks closed."""
        self.report.issues.sort(key=issue_order)
        for sink in self.sinks:
            sink.close(self.report)


class TextOut(Protocol):
    """Where the JSON sinks write: a text stream, or anything with its ``write``."""

    def write(self, text: str, /) -> Any:
        """Write ``text``."""


class FindingSink(Protocol):
    """Where validation sends findings as it makes them (:class:`dids.validate.Validator`'s
    ``sinks``): :meth:`write` for each batch, in the order of the module docstring, then
    :meth:`close` with the final report."""

    def write(self, findings: Findings) -> None:
        """Take a batch of findings."""

    def close(self, report: Report) -> None:
        """The file is done; ``report`` holds the counts."""


class _Limited:
    """Counts what a sink has written of each rule, to write at most ``limit`` of each."""

    def __init__(self, limit: int | None) -> None:
        self._limit = limit
        self._written: Counter[str] = Counter()

    def lines(self, findings: Findings, templates: dict[Any, tuple[str, str]]) -> Iterable[str]:
        if self._limit is None:
            return findings.json_lines(templates)
        lines = []
        for code, text in zip(findings.codes, findings.json_lines(templates), strict=True):
            if self._written[code] < self._limit:
                self._written[code] += 1
                lines.append(text)
        return lines


class JsonLinesSink:
    """Writes each finding as one line of JSON, then one summary line
    (``{"summary": {...}}``: :meth:`Report.summary`): ``--format jsonl``.
    ``limit_per_rule`` writes at most that many findings of each rule (all are counted)."""

    def __init__(self, out: TextOut, *, limit_per_rule: int | None = None) -> None:
        self._out = out
        self._limited = _Limited(limit_per_rule)
        self._templates: dict[Any, tuple[str, str]] = {}

    def write(self, findings: Findings) -> None:
        """Write a batch, a line each."""
        lines = self._limited.lines(findings, self._templates)
        self._out.write("".join(line + "\n" for line in lines))

    def close(self, report: Report) -> None:
        """Write the summary line."""
        self._out.write(json.dumps({"summary": report.summary()}) + "\n")


class JsonSink:
    """Writes one JSON document of :meth:`Report.to_dict`'s shape as findings come
    (``--format json``): the ``issues`` array first, a finding a line, then the rest of
    :meth:`Report.summary`. ``limit_per_rule`` as for :class:`JsonLinesSink`."""

    def __init__(self, out: TextOut, version: int, *, limit_per_rule: int | None = None) -> None:
        self._out = out
        self._version = version
        self._limited = _Limited(limit_per_rule)
        self._templates: dict[Any, tuple[str, str]] = {}
        self._started = self._listed = False

    def _start(self) -> None:
        """The document's opening, written with the first finding (or at the end)."""
        if not self._started:
            self._out.write(f'{{\n  "dids_version": "{self._version}",\n  "issues": [')
            self._started = True

    def write(self, findings: Findings) -> None:
        """Write a batch into the ``issues`` array."""
        lines = list(self._limited.lines(findings, self._templates))
        if not lines:
            return
        self._start()
        self._out.write((",\n    " if self._listed else "\n    ") + ",\n    ".join(lines))
        self._listed = True

    def close(self, report: Report) -> None:
        """Close the array and write the counts."""
        self._start()
        self._out.write("\n  ]" if self._listed else "]")
        rest = report.summary()
        del rest["dids_version"]
        text = json.dumps(rest, indent=2)
        self._out.write(",\n" + text[2:] + "\n")
