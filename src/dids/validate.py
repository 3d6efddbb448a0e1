"""Validation: field, row and file rules over records, rows and files; issues and reports.

Validation collects every issue of every row; it never stops at the first. Checks run on the
trimmed raw text with precompiled, memoised field checks, so a typed record is never needed to
validate a row, and detailed issues are built only for the rows that fail.

>>> from dids.validate import validate_rows
>>> row = ("9990000018,01,,,,,,03,C1234567,RA7,2024-03-04,2024-03-04,2024-03-05,,"
...        "71651007,,RA701,ACC0001235").split(",")
>>> report = validate_rows([row], version=1, submitted=date(2024, 4, 2))
>>> report.records, report.records_rejected, dict(report.counts)
(1, 0, {})
>>> bad = list(row)
>>> bad[0] = "9990000019"
>>> [issue.code for issue in validate_rows([bad], version=1, submitted=date(2024, 4, 2)).issues]
['DIDS001']
"""

from __future__ import annotations

import heapq
import itertools
import json
import operator
import re
import struct
import sys
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from itertools import compress, repeat
from typing import IO, Any, Literal

import attrs

from dids import _checks
from dids._checks import CheckContext, Expression, FieldCheck, RowCheck
from dids._columnar import Screen, screen_for
from dids._record_base import BLOCK_SIZE, RecordBase, layout_blocks, to_columns
from dids.catalogue import Layout, layout
from dids.exceptions import ValidationError
from dids.metadata import SubmissionMetadata, parse_metadata, submission_window
from dids.reference import ReferenceData
from dids.rules import RULES, Disposition, Rule, Scope, Severity, rules_for

#: Rules about the submission date (they read ``file.received_at``), which a writer cannot
#: check before the file is submitted.
SUBMISSION_RULES = frozenset(
    code for code, rule in RULES.items()
    if any("file.received_at" in rule.items(v) for v in rule.versions)
)

__all__ = [
    "SUBMISSION_RULES",
    "Issue",
    "Report",
    "RowBatch",
    "Validator",
    "issue_for",
    "validate_file",
    "validate_record",
    "validate_records",
    "validate_rows",
]

_RULE_ORDER = {code: index for index, code in enumerate(RULES)}
#: Duplicate keys are looked for in partitions of at most ``2 ** _PARTITION_BITS`` hashes.
_PARTITION_BITS = 15
#: Hashes moved into their partitions at a time.
_PARTITION_CHUNK = 1 << 16
#: Where the low byte of a 64-bit integer is in its eight bytes of memory.
_LOW_BYTE = 0 if sys.byteorder == "little" else 7
#: ``bytes.translate`` tables from a byte to its low bits, by number of partitions.
_LOW_BITS = {1 << bits: bytes(byte & ((1 << bits) - 1) for byte in range(256))
             for bits in range(1, 9)}
_MEMO_LIMIT = 2_048
_ALL_64_BITS = (1 << 64) - 1


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
    return Issue(
        rule.code,
        rule.severity,
        rule.disposition,
        rule.message_for(version),
        item,
        row,
        column,
        tuple(rule.params.items()),
        value,
    )


@attrs.define
class Report:
    """The outcome of validating a submission."""

    version: int
    records: int = 0
    records_rejected: int = 0
    file_rejected: bool = False
    counts: Counter[str] = attrs.field(factory=Counter)
    issues: list[Issue] = attrs.field(factory=list)
    not_checked: tuple[str, ...] = ()
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

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``dids validate --format json``."""
        return {
            "dids_version": str(self.version),
            "records": self.records,
            "records_rejected": self.records_rejected,
            "file_rejected": self.file_rejected,
            "counts": dict(sorted(self.counts.items(), key=lambda kv: _RULE_ORDER[kv[0]])),
            "issues": [i.to_dict(include_values=self.include_values) for i in self.issues],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent)


_ABSENT = None
#: A blank field: absent, and no field rule fails on it.
_BLANK: tuple[Any, tuple[Rule, ...]] = (None, ())
_VALUE = operator.itemgetter(0)
_FAILED = operator.itemgetter(1)


def _compile_expressions(expressions: Sequence[Expression]
                         ) -> Callable[[Sequence[str], Sequence[Any]], list[int]]:
    """One function returning the positions of the failing expressions."""
    namespace: dict[str, Any] = {}
    lines = ["def run(raw, v):", "    hits = []"]
    for number, expression in enumerate(expressions):
        names = {name: f"c{number}_{name}" for name in expression.constants}
        namespace.update({names[k]: value for k, value in expression.constants.items()})
        lines.append(f"    if {expression.source.format(**names)}:")
        lines.append(f"        hits.append({number})")
    lines.append("    return hits")
    exec("\n".join(lines), namespace)
    return namespace["run"]  # type: ignore[no-any-return]
#: Stands for the raw row of a duplicate reported after the row has gone: values are the key.
_NO_VALUES: Sequence[str] = ()


class Validator:
    """Checks rows of one layout, keeping the state that file rules need.

    Feed data rows in file order with :meth:`check_row` (or structural faults with
    :meth:`add_unreadable_row`), then call :meth:`finish` for the :class:`Report`. Memory stays
    flat: the duplicate rule (DIDS071) keeps 13 bytes a row, never the rows, and is decided
    when the file ends.
    """

    def __init__(
        self,
        version: int,
        *,
        submitted: date | datetime | None = None,
        metadata: SubmissionMetadata | None = None,
        reference: ReferenceData | None = None,
        include_values: bool = False,
        limit_per_rule: int | None = None,
        reject_palindromes: bool = False,
        reject_sentinels: bool = False,
        source: str | None = None,
        skip_rules: Iterable[str] = (),
    ) -> None:
        self.layout: Layout = layout(version)
        self._skip = frozenset(skip_rules)
        if submitted is None:
            submitted = metadata.created_at if metadata and metadata.created_at else date.today()
        self.metadata = metadata
        self.context = CheckContext(
            self.layout,
            submitted,
            reference or ReferenceData(),
            reject_palindromes,
            reject_sentinels,
        )
        self.report = Report(version, source=source, include_values=include_values)
        self._limit = limit_per_rule
        self._listed: dict[str, list[tuple[tuple[int, int, int], int, Issue]]] = {}
        self._arrival = itertools.count()
        self._field_checks = self._compile_field_checks()
        self._row_checks = self._compile_row_checks()
        self._memo: list[dict[str, tuple[Any, tuple[Rule, ...]]]] = [
            {"": _BLANK} for _ in self.layout]
        self._parsers = [item.parser for item in self.layout]
        self._identifying = [item.identifying for item in self.layout]
        self._key = self._duplicate_key()
        #: Key hashes as unsigned 64-bit numbers: array("Q") takes an int much faster than "q".
        self._key_hashes = array("Q")
        self._key_rows = array("I")  # row numbers, up to 4,294,967,295
        self._key_rejected = bytearray()
        self._key_columns: Sequence[int | None] | None = None
        self._screen: Screen | Literal[False] | None = None
        self.report.not_checked = self._not_checked()

    # -- compilation ------------------------------------------------------------------------

    def _rules(self) -> Iterator[Rule]:
        return (rule for rule in rules_for(self.layout.version)
                if rule.scope is Scope.ROW and rule.code not in self._skip)

    def _compile_field_checks(self) -> list[list[tuple[Rule, FieldCheck]]]:
        checks: list[list[tuple[Rule, FieldCheck]]] = [[] for _ in self.layout]
        for rule in self._rules():
            factory = _checks.FIELD_CHECKS.get(rule.code)
            if factory is None:
                continue
            check = factory(rule, self.context)
            for name in rule.items(self.layout.version):
                if name in self.layout:
                    checks[self.layout.index(name)].append((rule, check))
        return checks

    def _compile_row_checks(self) -> list[tuple[Rule, RowCheck, int | None]]:
        """Row checks in rule order; the :class:`Expression` ones become one generated check."""
        compiled: list[tuple[Rule, RowCheck, int | None]] = []
        expressions: list[tuple[Rule, Expression, int | None]] = []
        for rule in self._rules():
            factory = _checks.ROW_CHECKS.get((rule.code, self.layout.version))
            if factory is None:
                continue
            check = factory(rule, self.context)
            if check is None:
                continue
            names = [n for n in rule.items(self.layout.version) if n in self.layout]
            primary = None if rule.code in _ROW_LEVEL else self.layout.index(names[0])
            if isinstance(check, Expression):
                expressions.append((rule, check, primary))
            else:
                compiled.append((rule, check, primary))
        self._expressions = [(rule, primary) for rule, _, primary in expressions]
        self._run_expressions = _compile_expressions([e for _, e, _ in expressions])
        return compiled

    def _not_checked(self) -> tuple[str, ...]:
        reference = self.context.reference
        codes = [
            rule.code
            for rule in rules_for(self.layout.version)
            if any(getattr(reference, need) is None for need in _checks.NEEDS.get(rule.code, ()))
        ]
        if self.layout.version == 2 and self.metadata is None:
            codes += ["X-WIN-01", "X-MET-02"]
        return tuple(codes)

    def _duplicate_key(self) -> Callable[[Sequence[str]], int | None]:
        """DIDS071's key: (accession, site) in v1; plus the procedure code in v2 (D5).

        The v2 code is the SNOMED CT code when there is one, else the NICIP code; the key
        holds it as ``(snomed, nicip or "")`` so that a block can be keyed column-wise
        (:meth:`_duplicate_hashes`) to the same hashes.
        """
        accession = self.layout.index("accession_number")
        site = self.layout.index("imaging_site")
        if self.layout.version == 1:
            return lambda raw: hash((raw[accession], raw[site])) if raw[accession] and raw[
                site
            ] else None
        snomed, nicip = self.layout.index("snomed_code"), self.layout.index("nicip_code")

        def key(raw: Sequence[str]) -> int | None:
            if not raw[accession] or not raw[site] or not (raw[snomed] or raw[nicip]):
                return None
            return hash((raw[accession], raw[site], raw[snomed],
                         "" if raw[snomed] else raw[nicip]))

        return key

    def _duplicate_hashes(self, columns: Sequence[Sequence[str]]) -> Iterator[int]:
        """:meth:`_duplicate_key` of every row of a block whose keys are all complete."""
        layout = self.layout
        accession = columns[layout.index("accession_number")]
        site = columns[layout.index("imaging_site")]
        if layout.version == 1:
            return map(hash, zip(accession, site, strict=False))
        snomed = columns[layout.index("snomed_code")]
        nicip: Iterable[str] = repeat("")
        if "" in snomed:  # the NICIP code where SNOMED CT is blank: code * True or code * False
            nicip = map(operator.mul, columns[layout.index("nicip_code")],
                        map(operator.not_, snomed))
        return map(hash, zip(accession, site, snomed, nicip, strict=False))

    # -- feeding ------------------------------------------------------------------------------

    def _record(self, issue: Issue) -> None:
        self.report.counts[issue.code] += 1
        if self._limit is None:
            self.report.issues.append(issue)
        elif self._limit > 0:
            # The first issues of each rule in file order, whatever order rows are checked in.
            row, rule, column = _issue_order(issue)
            entry = ((-row, -rule, -column), next(self._arrival), issue)
            kept = self._listed.setdefault(issue.code, [])
            if len(kept) < self._limit:
                heapq.heappush(kept, entry)
            elif entry[0] > kept[0][0]:
                heapq.heapreplace(kept, entry)
        if issue.disposition is Disposition.FILE_REJECT:
            self.report.file_rejected = True

    def add_issue(self, issue: Issue) -> None:
        """Record a file-level issue found outside the row checks (header, metadata)."""
        self._record(issue)

    def add_unreadable_row(self, issues: Sequence[Issue]) -> None:
        """Count a data row that could not be split into fields, with its structural issues."""
        self.report.records += 1
        if any(issue.disposition is Disposition.RECORD_REJECT for issue in issues):
            self.report.records_rejected += 1
        for issue in issues:
            self._record(issue)

    def _issue(self, rule: Rule, index: int | None, row: int | None,
               columns: Sequence[int | None] | None, raw: Sequence[str]) -> Issue:
        value = None
        item = column = None
        if index is not None:
            item = self.layout.items[index].python_name
            column = index + 1 if columns is None else columns[index]
            if self.report.include_values and raw:
                value = raw[index]
        return Issue(
            rule.code,
            rule.severity,
            rule.disposition,
            rule.message_for(self.layout.version),
            item,
            row,
            column,
            tuple(rule.params.items()),
            value,
        )

    def field_rules(self) -> list[list[Rule]]:
        """The field rules checked on each item, in catalogue order."""
        return [[rule for rule, _ in checks] for checks in self._field_checks]

    def row_rules(self) -> list[Rule]:
        """The row rules this validator checks (those compiled for its options)."""
        return [rule for rule, _, _ in self._row_checks] + [rule for rule, _ in self._expressions]

    def fails_alone(self, index: int, text: str, codes: frozenset[str]) -> bool:
        """Whether item ``index`` holding ``text`` breaks one of ``codes``, rules that read
        this item only (the screen of :mod:`dids._columnar` asks once per distinct value)."""
        if text != text.strip():
            return True
        raw = [""] * len(self.layout)
        raw[index] = text
        value, failed = self._field(index, text) if text else _BLANK
        if failed:
            return True
        values: list[Any] = [None] * len(self.layout)
        values[index] = value
        if any(self._expressions[hit][0].code in codes
               for hit in self._run_expressions(raw, values)):
            return True
        return any(rule.code in codes and check(raw, values)
                   for rule, check, _ in self._row_checks)

    def _field(self, index: int, text: str) -> tuple[Any, tuple[Rule, ...]]:
        try:
            value = self._parsers[index](text)
        except ValidationError:
            value = _ABSENT
        failed = tuple(rule for rule, check in self._field_checks[index] if check(text))
        return value, failed

    def check_row(
        self,
        fields: Sequence[str],
        row: int | None = None,
        columns: Sequence[int | None] | None = None,
        *,
        read_issues: Sequence[Issue] = (),
    ) -> list[Issue]:
        """Check one data row (strings in catalogue order) and return its issues.

        ``columns`` maps each item to its 1-based column in the file (``None`` when the file
        has no such column); by default item *i* is column *i + 1*. ``read_issues`` are faults
        the reader found in the row (undecodable text), counted with the row's own.
        """
        if row is None:
            row = self.report.records + 1
        raw = list(map(str.strip, fields))
        memo = self._memo
        entries: list[Any] = list(map(dict.get, memo, raw))
        if None in entries:
            for index, entry in enumerate(entries):
                if entry is None:
                    text = raw[index]
                    entry = entries[index] = self._field(index, text)
                    cache = memo[index]
                    if len(cache) >= _MEMO_LIMIT:
                        cache.clear()
                        cache[""] = _BLANK
                    cache[text] = entry
        values = list(map(_VALUE, entries))
        found: list[tuple[Rule, int | None]] = []
        if any(map(_FAILED, entries)):
            for index in compress(range(len(entries)), map(_FAILED, entries)):
                found += [(rule, index) for rule in entries[index][1]]
        for hit in self._run_expressions(raw, values):
            found.append(self._expressions[hit])
        for rule, check, primary in self._row_checks:
            result = check(raw, values)
            if result:
                found.append((rule, primary if result is True else self.layout.index(result)))
        if len(found) > 1:
            found.sort(key=lambda hit: _RULE_ORDER[hit[0].code])
        issues = list(read_issues)
        issues += [self._issue(rule, index, row, columns, raw) for rule, index in found]
        rejected = any(issue.disposition is Disposition.RECORD_REJECT for issue in issues)
        self.report.records += 1
        if rejected:
            self.report.records_rejected += 1
        for issue in issues:
            self._record(issue)
        key = self._key(raw)
        if key is not None:
            self._key_hashes.append(key & _ALL_64_BITS)
            self._key_rows.append(row)
            self._key_rejected.append(rejected)
            self._key_columns = columns
        return issues

    def check_columns(
        self,
        columns: Sequence[Sequence[str]],
        rows: int | Sequence[int],
        positions: Sequence[int | None] | None = None,
        *,
        keys: list[int | None] | None = None,
        distinct: Mapping[int, set[str]] | None = None,
    ) -> list[Issue]:
        """Check a block of data rows given as columns (catalogue order, equal lengths) and
        return their issues. ``rows`` is the number of the first row when the rows are
        consecutive, else every row's number.

        The block is screened column by column (:mod:`dids._columnar`); only the rows the screen
        cannot prove clean are checked by :meth:`check_row`, so the result is the same as
        checking every row, at a fraction of the cost. ``positions`` are as ``columns`` of
        :meth:`check_row`. With ``keys`` (for a caller that finds duplicates itself), the block's
        DIDS071 key hashes are added to it, one a row (``None`` where part of the key is blank;
        values trimmed as for validation), and not kept for :meth:`finish`. ``distinct`` may
        give, by column index, the set of distinct values of columns whose values the caller
        has already collected (trusted as given: a wrong set gives a wrong report).
        """
        if self._screen is None:
            self._screen = screen_for(self) or False
        size = len(columns[0]) if columns else 0
        if not size:
            return []
        numbers = range(rows, rows + size) if isinstance(rows, int) else rows
        columns = list(columns)  # the screen strips padded columns (keyed stripped, below)
        suspects = self._screen.suspects(columns, distinct) if self._screen else range(size)
        issues: list[Issue] = []
        kept_keys = len(self._key_hashes)
        for k in suspects:
            issues += self.check_row([column[k] for column in columns], numbers[k], positions)
        clean = size - len(suspects)
        self.report.records += clean
        if keys is not None:  # check_row kept the suspects' keys: taken back
            del self._key_hashes[kept_keys:], self._key_rows[kept_keys:]
            del self._key_rejected[kept_keys:]
            block_keys: list[int | None] = list(self._duplicate_hashes(columns))
            for k in suspects:
                block_keys[k] = self._key([column[k].strip() for column in columns])
            keys += block_keys
            return issues
        if not clean:
            return issues
        hashes: Iterable[int] = self._duplicate_hashes(columns)
        clean_rows: Iterable[int] = numbers
        if suspects:
            mask = bytearray(b"\x01") * size
            for k in suspects:
                mask[k] = 0
            hashes, clean_rows = compress(hashes, mask), compress(numbers, mask)
        hashed = list(hashes)  # packed signed by struct, in one call; kept as their bits
        self._key_hashes.frombytes(struct.pack(f"{len(hashed)}q", *hashed))
        self._key_rows.extend(clean_rows)
        self._key_rejected.extend(bytes(clean))
        self._key_columns = positions
        return issues

    def duplicate_issue(self, row: int) -> Issue:
        """A DIDS071 issue at ``row``."""
        return self._issue(RULES["DIDS071"], self.layout.index("accession_number"), row, None,
                           _NO_VALUES)

    def _report_duplicates(self) -> None:
        """DIDS071 at the end of the file: every member of a duplicate group is rejected.

        Each keyed row left one 64-bit hash of its key, its row number and whether another rule
        rejected it (13 bytes a row). The hashes are moved into partitions of about 32,768 by
        their low bits (a chunk at a time, so that the copies replace the originals; one byte
        a row, read from the hashes' memory, keeps each row's partition), and each partition's
        set of distinct hashes reads one contiguous array; a partition whose hashes are all
        distinct is done with that set.
        Two different keys share a hash with a probability below 1e-7 for a million-row file.
        """
        hashes = self._key_hashes
        parts = min(256, 1 << ((len(hashes) - 1) >> _PARTITION_BITS).bit_length()
                    ) if hashes else 1
        partitions, lanes = [hashes], b""
        if parts > 1:
            with memoryview(hashes) as whole, whole.cast("B") as octets:
                lanes = octets[_LOW_BYTE::8].tobytes().translate(_LOW_BITS[parts])
            partitions = [array("Q") for _ in range(parts)]
            start = 0
            while hashes:
                chunk = hashes[:_PARTITION_CHUNK]
                del hashes[:_PARTITION_CHUNK]
                destinations = map(partitions.__getitem__, lanes[start:start + len(chunk)])
                deque(map(array.append, destinations, chunk), maxlen=0)
                start += len(chunk)
        duplicated: list[int] = []
        for part, partition in enumerate(partitions):
            if len(set(partition)) == len(partition):
                continue
            repeated = {value for value, count in Counter(partition).items() if count > 1}
            found: Iterable[int] = compress(range(len(partition)),
                                            map(repeated.__contains__, partition))
            if lanes:  # the row of each member: where its partition's byte occurs in turn
                rows = [match.start() for match in re.finditer(re.escape(bytes([part])), lanes)]
                found = map(rows.__getitem__, found)
            duplicated += found
        rule = RULES["DIDS071"]
        column = self.layout.index("accession_number")
        for index in sorted(duplicated, key=self._key_rows.__getitem__):
            if not self._key_rejected[index]:
                self.report.records_rejected += 1
            self._record(self._issue(rule, column, self._key_rows[index], self._key_columns,
                                     _NO_VALUES))

    def finish(self) -> Report:
        """File-level rules (empty file, metadata, window); the sorted, final report."""
        version = self.layout.version
        self._report_duplicates()
        if self.report.records == 0:
            self._record(issue_for("X-FIL-01", version))
        if version == 2 and self.metadata is not None:
            self._check_metadata(self.metadata)
        for kept in self._listed.values():
            self.report.issues.extend(issue for _, _, issue in kept)
        self.report.issues.sort(key=_issue_order)
        return self.report

    def _check_metadata(self, metadata: SubmissionMetadata) -> None:
        opens, closes = submission_window(metadata.reporting_period_start)
        if not opens <= self.context.submitted_date <= closes:
            self._record(issue_for("X-WIN-01", 2))
        count = metadata.record_count
        if count is not None and count != self.report.records:
            self._record(issue_for("X-MET-02", 2, item="record_count"))


class RowBatch:
    """Collects data rows and checks them a block at a time (:meth:`Validator.check_columns`),
    so that row-by-row sources get the columnar screen too. Call :meth:`flush` at the end.
    """

    def __init__(self, validator: Validator, positions: Sequence[int | None] | None = None,
                 size: int = BLOCK_SIZE) -> None:
        self._validator = validator
        self._positions = positions
        self._size = size
        self._rows: list[Sequence[str]] = []
        self._numbers: list[int] = []

    def add(self, row: int, fields: Sequence[str]) -> None:
        """Add data row number ``row`` (fields in catalogue order)."""
        self._rows.append(tuple(fields))  # a copy: callers may reuse their row objects
        self._numbers.append(row)
        if len(self._rows) >= self._size:
            self.flush()

    def flush(self) -> None:
        """Check the rows collected so far."""
        if self._rows:
            columns = [list(column) for column in zip(*self._rows, strict=True)]
            numbers, self._rows, self._numbers = self._numbers, [], []
            self._validator.check_columns(columns, numbers, self._positions)


#: Rules about a group of items, none of which is at fault alone: located at the row. Every
#: other row rule is located at the first item it reads.
_ROW_LEVEL = frozenset({"DIDS056", "DIDS073", "DIDS074", "DIDS082", "DIDSREJ012"})


def _issue_order(issue: Issue) -> tuple[int, int, int]:
    return (issue.row or 0, _RULE_ORDER[issue.code], issue.column or 0)


def metadata_issues(data: object) -> tuple[SubmissionMetadata | None, list[Issue]]:
    """Parse JSON metadata (decision D4) into metadata and X-MET-01 issues, one per bad field."""
    metadata, problems = parse_metadata(data)
    return metadata, [issue_for("X-MET-01", 2, item=field) for field in problems]


def validate_rows(
    rows: Iterable[Sequence[str]], *, version: int, **options: Any
) -> Report:
    """Validate raw rows (strings in catalogue order) of layout ``version``.

    ``options`` are those of :class:`Validator`: ``submitted``, ``metadata``, ``reference``,
    ``include_values``, ``limit_per_rule``, ``reject_palindromes``, ``reject_sentinels``,
    ``skip_rules``.
    """
    validator = Validator(version, **options)
    width = len(validator.layout)
    batch = RowBatch(validator)
    for number, row in enumerate(rows, 1):
        if len(row) != width:
            code = "DIDS075" if version == 1 else "X-CSV-04"
            validator.add_unreadable_row([issue_for(code, version, row=number)])
            continue
        batch.add(number, row)
    batch.flush()
    return validator.finish()


def validate_records(records: Iterable[RecordBase], **options: Any) -> Report:
    """Validate typed records (all of one layout), e.g. before writing a submission.

    Records are formatted and screened 4,096 at a time (:func:`dids._record_base.to_columns`,
    :meth:`Validator.check_columns`); mixing layouts raises ``ValueError``.
    """
    validator: Validator | None = None
    memos: list[dict[Any, str]] = []
    number = 1
    for block in layout_blocks(records):
        if validator is None:
            validator = Validator(block[0].LAYOUT.version, **options)
            memos = [{} for _ in block[0].LAYOUT.items]
        distinct: dict[int, set[str]] = {}
        columns = to_columns(block, memos=memos, distinct=distinct)
        validator.check_columns(columns, number, distinct=distinct)
        number += len(block)
    if validator is None:
        return validate_rows([], version=options.pop("version", 2), **options)
    return validator.finish()


def validate_record(record: RecordBase | Sequence[str], *, version: int | None = None,
                    **options: Any) -> list[Issue]:
    """Issues of one record (typed, or a raw row of layout ``version``); no file rules."""
    if isinstance(record, RecordBase):
        version, row = record.LAYOUT.version, record.to_row()
    elif version is None:
        raise ValueError("Give the layout version of a raw row.")
    else:
        row = list(record)
    validator = Validator(version, **options)
    if len(row) != len(validator.layout):
        code = "DIDS075" if version == 1 else "X-CSV-04"
        return [issue_for(code, version, row=1)]
    return validator.check_row(row, 1)


def validate_file(
    source: str | Any | IO[bytes] | IO[str],
    *,
    version: int | str = "auto",
    **options: Any,
) -> Report:
    """Validate a CSV submission file (a path or an open file), v1 or v2.

    ``version`` is ``1``, ``2`` or ``"auto"`` (v1 when the first line has 18 fields and is not
    a header of item names). Structural faults are located issues, never exceptions.
    """
    from dids.io.csv import read_rows

    return read_rows(source, version=version).validate(**options)
