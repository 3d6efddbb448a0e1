"""The validation engine: :class:`Validator` checks rows of one layout, a block of columns at a
time through the columnar screen (:mod:`dids._screens`) or a row at a time on the exact path,
and sends its findings (:mod:`dids.findings`) to the report and the sinks as it makes them.

It opens no file: :func:`feed_reader` gives it the rows of a reader (:mod:`dids._rows`), and
:mod:`dids.validate` opens files for it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

import attrs

from dids import _checks
from dids._checks import CheckContext, Expression, FieldCheck, RowCheck
from dids._record_base import BLOCK_SIZE
from dids._rows import ColumnBlock, RawRow, SubmissionReader
from dids._screens import UNMASKED, Screen, Sifted, screen_for
from dids._screens.duplicates import DuplicateKeys
from dids.catalogue import Kind, Layout, layout
from dids.exceptions import ValidationError
from dids.findings import (
    DEFAULT_LIMIT_PER_RULE,
    RULE_ORDER,
    RULES_BY_ORDER,
    Compact,
    Findings,
    FindingSink,
    Issue,
    Report,
    Tally,
    compact,
    issue_for,
)
from dids.metadata import SubmissionMetadata, submission_window
from dids.reference import ReferenceData, cached
from dids.rules import RULES, Disposition, Rule, Scope, rules_for

#: Rules about the submission date (they read ``file.received_at``), which a writer cannot
#: check before the file is submitted.
SUBMISSION_RULES = frozenset(
    code for code, rule in RULES.items()
    if any("file.received_at" in rule.items(v) for v in rule.versions)
)

#: Parsed values and field verdicts remembered per item (:meth:`Validator._entry`).
_MEMO_LIMIT = 2_048


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


class _OneExpression:
    """One expression as a check of its own (a row checked for one rule), compiled when first
    called (most files never need it): ``True`` when the rule fails."""

    def __init__(self, expression: Expression) -> None:
        self._expression = expression
        self._run: RowCheck | None = None

    def __call__(self, raw: Sequence[str], values: Sequence[Any]) -> bool:
        if self._run is None:
            expression = self._expression
            names = {name: f"c_{name}" for name in expression.constants}
            namespace: dict[str, Any] = {names[k]: value
                                         for k, value in expression.constants.items()}
            source = expression.source.format(**names)
            exec(f"def run(raw, v):\n    return True if {source} else False", namespace)
            self._run = namespace["run"]
        return self._run(raw, values) is True


class Validator:
    """Checks rows of one layout, keeping the state that file rules need.

    Feed data rows in file order, a block of columns at a time with :meth:`check_columns` (or a
    row at a time with :meth:`check_row`; structural faults with :meth:`add_unreadable_row`),
    then call :meth:`finish` for the :class:`Report`. Findings go, in order, to the ``sinks``
    as they are made; the report counts every one and keeps the first ``limit_per_rule`` of
    each rule (``None``: all). Memory stays flat: the duplicate rule (DIDS071) keeps 13 bytes
    a row, never the rows, and is decided when the file ends.
    """

    def __init__(
        self,
        version: int,
        *,
        submitted: date | datetime | None = None,
        metadata: SubmissionMetadata | None = None,
        reference: ReferenceData | None = None,
        include_values: bool = False,
        limit_per_rule: int | None = DEFAULT_LIMIT_PER_RULE,
        reject_palindromes: bool = False,
        reject_sentinels: bool = False,
        source: str | None = None,
        skip_rules: Iterable[str] = (),
        sinks: Sequence[FindingSink] = (),
    ) -> None:
        self.layout: Layout = layout(version)
        self._skip = frozenset(skip_rules)
        if submitted is None:
            submitted = metadata.created_at if metadata and metadata.created_at else date.today()
        self.metadata = metadata
        self.context = CheckContext(
            self.layout,
            submitted,
            cached(reference or ReferenceData()),
            reject_palindromes,
            reject_sentinels,
        )
        self.report = Report(version, source=source, include_values=include_values)
        self._tally = Tally(self.report, limit_per_rule, sinks)
        self._field_checks = self._compile_field_checks()
        self._row_checks = self._compile_row_checks()
        self._memo: list[dict[str, tuple[Any, tuple[Rule, ...]]]] = [
            {"": _BLANK} for _ in self.layout]
        #: Each item's own findings on a value (:meth:`_alone`), by column.
        self._alone_memo: list[dict[str, tuple[tuple[int, int | None], ...]]] = [
            {} for _ in self.layout]
        self._parsers = [item.parser for item in self.layout]
        #: Values parsed for the rows checked exactly (:meth:`_value`), by column; none kept
        #: for timestamps, which are mostly distinct.
        self._parsed: list[dict[str, Any] | None] = [
            None if item.kind is Kind.TIMESTAMP else {} for item in self.layout]
        self._names = [item.python_name for item in self.layout]
        self._keys = DuplicateKeys(self.layout)
        #: Where the file has the items of the keys (:meth:`check_row`'s ``columns``).
        self._key_columns: Sequence[int | None] | None = None
        self._screen: Screen | Literal[False] | None = None
        self.report.not_checked, self.report.partly_checked = self._not_checked()
        self.report.reference = self.context.reference.provenance

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
        """Row checks in rule order; the :class:`Expression` ones become one generated check
        (and one each, for a row checked for one rule: :attr:`_by_code`)."""
        compiled: list[tuple[Rule, RowCheck, int | None]] = []
        expressions: list[tuple[Rule, Expression, int | None]] = []
        self._by_code: dict[str, _RowRule] = {}
        for rule in self._rules():
            factory = _checks.ROW_CHECKS.get((rule.code, self.layout.version))
            if factory is None:
                continue
            check = factory(rule, self.context)
            if check is None:
                continue
            names = [n for n in rule.items(self.layout.version) if n in self.layout]
            primary = None if rule.code in _ROW_LEVEL else self.layout.index(names[0])
            columns = tuple(map(self.layout.index, names))
            reads = _checks.reads(rule, self.context)
            passes_without = _checks.passes_without(rule, self.context)
            if isinstance(check, Expression):
                expressions.append((rule, check, primary))
                self._by_code[rule.code] = _RowRule(
                    RULE_ORDER[rule.code], _OneExpression(check), primary, columns, reads,
                    passes_without)
            else:
                compiled.append((rule, check, primary))
                self._by_code[rule.code] = _RowRule(
                    RULE_ORDER[rule.code], check, primary, columns, reads, passes_without)
        self._expressions = [(rule, primary) for rule, _, primary in expressions]
        self._run_expressions = _compile_expressions([e for _, e, _ in expressions])
        #: The row rules about one item only, by column: their findings are the item's own.
        self._local_rules: list[list[_RowRule]] = [[] for _ in self.layout]
        for found in self._by_code.values():
            if len(set(found.columns)) == 1:
                self._local_rules[found.columns[0]].append(found)
        return compiled

    def _not_checked(self) -> tuple[tuple[str, ...], dict[str, str]]:
        """The rules not checked for want of reference data or metadata, and those checked
        only in part, with the part left unchecked."""
        reference = self.context.reference
        lacking = [
            rule.code
            for rule in rules_for(self.layout.version)
            if any(getattr(reference, need) is None for need in _checks.NEEDS.get(rule.code, ()))
        ]
        codes = [code for code in lacking if code not in _checks.WITHOUT_REFERENCE]
        if self.layout.version == 2 and self.metadata is None:
            codes += ["X-WIN-01", "X-MET-02"]
        partly = {code: _checks.WITHOUT_REFERENCE[code] for code in lacking
                  if code in _checks.WITHOUT_REFERENCE}
        return tuple(codes), partly

    # -- findings -----------------------------------------------------------------------------

    def add_sink(self, sink: FindingSink) -> None:
        """Send the findings made from now on to ``sink`` too."""
        self._tally.sinks.append(sink)

    def add_issue(self, issue: Issue) -> None:
        """Record a file-level issue found outside the row checks (header, metadata)."""
        self._tally.add([compact(issue)])

    def add_unreadable_row(self, issues: Sequence[Issue]) -> None:
        """Count a data row that could not be split into fields, with its structural issues."""
        self.report.records += 1
        if any(issue.disposition is Disposition.RECORD_REJECT for issue in issues):
            self.report.records_rejected += 1
        self._tally.add(sorted(map(compact, issues)))

    def _finding(self, order: int, index: int | None, row: int,
                 columns: Sequence[int | None] | None, text: str | None) -> Compact:
        """Rule ``order``'s finding at item ``index`` (``None``: the row) holding ``text``."""
        if index is None:
            return (row, order, 0, None, None)
        column = index + 1 if columns is None else columns[index] or 0
        return (row, order, column, self._names[index],
                text if self.report.include_values else None)

    def field_rules(self) -> list[list[Rule]]:
        """The field rules checked on each item, in catalogue order."""
        return [[rule for rule, _ in checks] for checks in self._field_checks]

    def row_rules(self) -> list[Rule]:
        """The row rules this validator checks (those compiled for its options)."""
        return [rule for rule, _, _ in self._row_checks] + [rule for rule, _ in self._expressions]

    def _entry(self, index: int, text: str) -> tuple[Any, tuple[Rule, ...]]:
        """Item ``index``'s parsed value of ``text`` and its failed field rules, remembered."""
        cache = self._memo[index]
        entry = cache.get(text)
        if entry is None:
            entry = self._field(index, text)
            if len(cache) >= _MEMO_LIMIT:
                cache.clear()
                cache[""] = _BLANK
            cache[text] = entry
        return entry

    def _value(self, index: int, text: str) -> Any:
        """Item ``index``'s parsed value of ``text`` (``None`` when it is none), remembered
        when :meth:`_entry` has been asked, or when parsed here for an item whose values recur
        (all but timestamps)."""
        entry = self._memo[index].get(text)
        if entry is not None:
            return entry[0]
        parsed = self._parsed[index]
        if parsed is not None and text in parsed:
            return parsed[text]
        try:
            value = self._parsers[index](text)
        except ValidationError:
            value = _ABSENT
        if parsed is not None:
            if len(parsed) >= _MEMO_LIMIT:
                parsed.clear()
            parsed[text] = value
        return value

    def _alone(self, index: int, text: str) -> tuple[tuple[int, int | None], ...]:
        """What item ``index`` holding ``text`` (stripped) breaks of the rules about it alone:
        (rule order, item index or ``None`` for the row) of each."""
        cache = self._alone_memo[index]
        found = cache.get(text)
        if found is not None:
            return found
        value, failed = self._entry(index, text) if text else _BLANK
        hits: list[tuple[int, int | None]] = [(RULE_ORDER[rule.code], index) for rule in failed]
        local = self._local_rules[index]
        if local:
            raw = [""] * len(self.layout)
            values: list[Any] = [None] * len(self.layout)
            raw[index], values[index] = text, value
            for rule in local:
                result = rule.check(raw, values)
                if result:
                    hits.append((rule.order, rule.primary if result is True
                                 else self.layout.index(result)))
        found = tuple(hits)
        if len(cache) >= _MEMO_LIMIT:
            cache.clear()
        cache[text] = found
        return found

    def no_valid_value(self, index: int, text: str) -> bool:
        """Whether ``text`` (stripped) fails a field rule of item ``index`` or is no value of
        it: a rule about several items may then fail where its screen assumes a valid value."""
        value, failed = self._entry(index, text) if text else _BLANK
        return bool(failed) or (value is None and text != "")

    def fails_alone(self, index: int, text: str, codes: frozenset[str]) -> bool:
        """Whether item ``index`` holding ``text`` breaks one of ``codes``, rules that read
        this item only (the screen of :mod:`dids._screens` asks once per distinct value)."""
        if text != text.strip():
            return True
        return any(RULES_BY_ORDER[order].code in codes for order, _ in self._alone(index, text))

    def _field(self, index: int, text: str) -> tuple[Any, tuple[Rule, ...]]:
        try:
            value = self._parsers[index](text)
        except ValidationError:
            value = _ABSENT
        failed = tuple(rule for rule, check in self._field_checks[index] if check(text))
        return value, failed

    # -- rows ---------------------------------------------------------------------------------

    def check_row(
        self,
        fields: Sequence[str],
        row: int | None = None,
        columns: Sequence[int | None] | None = None,
        *,
        read_issues: Sequence[Issue] = (),
    ) -> list[Issue]:
        """Check one data row (strings in catalogue order) and return its issues.

        This is the exact path that the block path (:meth:`check_columns`) is tested against.
        ``columns`` maps each item to its 1-based column in the file (``None`` when the file
        has no such column); by default item *i* is column *i + 1*. ``read_issues`` are faults
        the reader found in the row (undecodable text), counted with the row's own.
        """
        if row is None:
            row = self.report.records + 1
        raw = list(map(str.strip, fields))
        entries = [self._entry(index, text) for index, text in enumerate(raw)]
        values = list(map(_VALUE, entries))
        found: list[Compact] = [self._finding(RULE_ORDER[rule.code], index, row, columns,
                                              raw[index])
                                for index, entry in enumerate(entries) for rule in entry[1]]
        for hit in self._run_expressions(raw, values):
            rule, index = self._expressions[hit]
            found.append(self._finding(RULE_ORDER[rule.code], index, row, columns,
                                       raw[index] if index is not None else ""))
        for rule, check, primary in self._row_checks:
            result = check(raw, values)
            if result:
                index = primary if result is True else self.layout.index(result)
                found.append(self._finding(RULE_ORDER[rule.code], index, row, columns,
                                           raw[index] if index is not None else ""))
        found += map(compact, read_issues)
        found.sort()
        rejected = any(entry[1] in _REJECTS for entry in found)
        self.report.records += 1
        if rejected:
            self.report.records_rejected += 1
        self._tally.add(found)
        key = self._keys.key(raw)
        if key is not None:
            self._keys.add(key, row, rejected)
            self._key_columns = columns
        return list(Findings(found, self.layout.version, self.report.include_values))

    def check_columns(
        self,
        columns: Sequence[Sequence[str]],
        rows: int | Sequence[int],
        positions: Sequence[int | None] | None = None,
        *,
        keys: list[int | None] | None = None,
        distinct: Mapping[int, set[str]] | None = None,
    ) -> Findings:
        """Check a block of data rows given as columns (catalogue order, equal lengths) and
        return their issues, in order. ``rows`` is the number of the first row when the rows
        are consecutive, else every row's number.

        The block is screened column by column (:mod:`dids._screens`): each column's values
        that break the item's own rules make their findings once per distinct value, and only
        the rows a rule about several items may fail on are checked for that rule, one by one,
        so the result is the same as :meth:`check_row` of every row at a fraction of the cost.
        ``positions`` are as ``columns`` of :meth:`check_row`. With ``keys`` (for a caller that
        finds duplicates itself), the block's DIDS071 key hashes are added to it, one a row
        (``None`` where part of the key is blank; values trimmed as for validation), and not
        kept for :meth:`finish`. ``distinct`` may give, by column index, the set of distinct
        values of columns whose values the caller has already collected (trusted as given: a
        wrong set gives a wrong report).
        """
        if self._screen is None:
            self._screen = screen_for(self) or False
        size = len(columns[0]) if columns else 0
        version, include_values = self.layout.version, self.report.include_values
        if not size:
            return Findings([], version, include_values)
        numbers = range(rows, rows + size) if isinstance(rows, int) else rows
        if not self._screen:
            return self._check_rows(columns, numbers, positions, keys)
        sifted = self._screen.sift(list(columns), distinct)
        view = sifted.view
        found = self._sifted_findings(sifted, numbers, positions)
        found.sort()
        rejected = {entry[0] for entry in found if entry[1] in _REJECTS}
        self.report.records += size
        self.report.records_rejected += len(rejected)
        self._tally.add(found)
        if keys is not None:
            block_keys: list[int | None] = list(self._keys.hashes(view.columns))
            for k in self._keys.unkeyed(view):
                block_keys[k] = None
            keys += block_keys
        else:
            self._keys.add_block(view, numbers, rejected)
            self._key_columns = positions
        return Findings(found, version, include_values)

    def _sifted_findings(self, sifted: Sifted, numbers: Sequence[int],
                         positions: Sequence[int | None] | None) -> list[Compact]:
        """The findings of a sifted block, unordered: each bad value's own, once per distinct
        value; and each rule about several items checked exactly on the rows its screen
        found, and on the rows where one of its items holds a value the screens did not read
        (:class:`dids._screens.Sifted`), but those the rule passes for want of a value."""
        view = sifted.view
        found: list[Compact] = []
        finding = self._finding
        for index, _, holding in sifted.failing:
            column = view.columns[index]
            #: Each bad value's findings but their row.
            made: dict[str, list[tuple[int, int, str | None, str | None]]] = {}
            for k in holding:
                text = column[k]
                rests = made.get(text)
                if rests is None:
                    rests = made[text] = [finding(order, at, 0, positions, text)[1:]
                                          for order, at in self._alone(index, text)]
                row = numbers[k]
                for rest in rests:
                    found.append((row, *rest))
        tainted = sifted.tainted
        #: By column, its tainted rows that hold no value (which some rules pass).
        absent: dict[int, set[int]] = {}
        #: The rules each row is checked for, so that a row's values are parsed once.
        checks: dict[int, list[_RowRule]] = {}
        for code, flagged in sifted.rows:
            rule = self._by_code[code]
            rows = set(flagged)
            if code not in UNMASKED:
                for index in rule.reads:
                    rows.update(tainted.get(index, ()))
                for index in rule.passes_without:
                    if index in tainted:
                        if index not in absent:
                            column = view.columns[index]
                            absent[index] = {k for k in tainted[index]
                                             if self._value(index, column[k]) is None}
                        rows -= absent[index]
            for k in rows:
                checks.setdefault(k, []).append(rule)
        width, columns = len(self.layout), view.columns
        for k, rules in checks.items():
            raw = [""] * width
            values: list[Any] = [None] * width
            read = [False] * width
            for rule in rules:
                for index in rule.reads:
                    if not read[index]:
                        read[index] = True
                        text = raw[index] = columns[index][k]
                        values[index] = self._value(index, text)
                result = rule.check(raw, values)
                if result:
                    at = rule.primary if result is True else self.layout.index(result)
                    found.append(finding(rule.order, at, numbers[k], positions,
                                         raw[at] if at is not None else ""))
        return found

    def _check_rows(self, columns: Sequence[Sequence[str]], numbers: Sequence[int],
                    positions: Sequence[int | None] | None,
                    keys: list[int | None] | None) -> Findings:
        """A block checked row by row (a validator whose rules cannot all be screened)."""
        found: list[Issue] = []
        kept = self._keys
        if keys is not None:  # the caller keeps the keys: the rows' are not kept here
            self._keys = DuplicateKeys(self.layout)
            keys += [kept.key([text.strip() for text in fields])
                     for fields in zip(*columns, strict=True)]
        for k, fields in enumerate(zip(*columns, strict=True)):
            found += self.check_row(fields, numbers[k], positions)
        self._keys = kept
        return Findings(list(map(compact, found)), self.layout.version,
                        self.report.include_values)

    def duplicate_issue(self, row: int) -> Issue:
        """A DIDS071 issue at ``row``."""
        index = self.layout.index("accession_number")
        return issue_for("DIDS071", self.layout.version, item=self._names[index], row=row,
                         column=index + 1)

    def _report_duplicates(self) -> None:
        """DIDS071 at the end of the file: every member of a duplicate group is rejected."""
        order, index = RULE_ORDER["DIDS071"], self.layout.index("accession_number")
        duplicates: list[Compact] = []
        for row, rejected in self._keys.duplicated():
            if not rejected:
                self.report.records_rejected += 1
            duplicates.append(self._finding(order, index, row, self._key_columns,
                                            None))  # the row is gone: no value
        self._tally.add(duplicates)

    def finish(self) -> Report:
        """File-level rules (duplicates, empty file, metadata, window); the final report,
        whose kept issues are in the report's order, and the sinks closed."""
        version = self.layout.version
        self._report_duplicates()
        if self.report.records == 0:
            self.add_issue(issue_for("X-FIL-01", version))
        if version == 2 and self.metadata is not None:
            self._check_metadata(self.metadata)
        self._tally.close()
        return self.report

    def _check_metadata(self, metadata: SubmissionMetadata) -> None:
        opens, closes = submission_window(metadata.reporting_period_start)
        if not opens <= self.context.submitted_date <= closes:
            self.add_issue(issue_for("X-WIN-01", 2))
        count = metadata.record_count
        if count is not None and count != self.report.records:
            self.add_issue(issue_for("X-MET-02", 2, item="record_count"))


@attrs.frozen
class _RowRule:
    """A compiled row rule: its place in the rule table, its check, where a finding of it is
    located (item index, ``None`` for the row) and the columns of its items."""

    order: int
    #: ``check(raw, values)``: ``True`` (or the name of the item at fault) when the rule fails.
    check: Callable[[Sequence[str], Sequence[Any]], Any]
    primary: int | None
    columns: tuple[int, ...]
    #: The columns its check reads (:func:`dids._checks.reads`).
    reads: tuple[int, ...]
    #: The columns without whose value it passes (:func:`dids._checks.passes_without`).
    passes_without: tuple[int, ...]


#: The places in the rule table of the rules that reject a record.
_REJECTS = frozenset(order for order, rule in enumerate(RULES_BY_ORDER)
                     if rule.disposition is Disposition.RECORD_REJECT)


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


def feed_row(validator: Validator, raw: RawRow, columns: Sequence[int | None]) -> list[Issue]:
    """Check one :class:`RawRow` with ``validator``; return all its issues."""
    if raw.fields is None:
        validator.add_unreadable_row(raw.issues)
        return list(raw.issues)
    return validator.check_row(raw.fields, raw.row, columns, read_issues=raw.issues)


def feed(validator: Validator, reader: SubmissionReader) -> Iterator[None]:
    """Check ``reader``'s rows with ``validator``, pausing after each block or row, then add the
    reader's file issues.

    Rows are screened a block at a time: the blocks of columns of a CSV reader, and batches of
    the other rows (:class:`RowBatch`), in file order, so that findings are made in row order.
    """
    blocks = getattr(reader, "blocks", None)
    batch = RowBatch(validator, reader.columns)
    for item in reader if blocks is None else blocks(in_order=True):
        if isinstance(item, ColumnBlock):
            batch.flush()
            validator.check_columns(item.columns, item.numbers, reader.columns)
        elif item.fields is not None and not item.issues:
            batch.add(item.row, item.fields)
        else:
            batch.flush()
            feed_row(validator, item, reader.columns)
        del item  # freed before the next is read, whose strings then reuse its memory
        yield
    batch.flush()
    for issue in reader.file_issues:
        validator.add_issue(issue)


def feed_reader(validator: Validator, reader: SubmissionReader,
                progress: Callable[[int], None] | None = None) -> None:
    """Check every row of ``reader`` with ``validator``, in file order, then add the reader's
    file issues. ``progress``, when given, is called with the number of rows checked so far
    after each block or row."""
    for _ in feed(validator, reader):
        if progress is not None:
            progress(validator.report.records)


def reader_options(reader: SubmissionReader, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with the reader's name as the source and its metadata (JSON) unless given."""
    options.setdefault("source", reader.name)
    if options.get("metadata") is None:
        options["metadata"] = reader.metadata
    return options


def validate_reader(reader: SubmissionReader, **options: Any) -> Report:
    """Validate every row of ``reader``; ``options`` as for :class:`Validator`.

    Metadata found in the file (JSON) is used unless ``metadata`` is given.
    """
    validator = Validator(reader.version, **reader_options(reader, options))
    feed_reader(validator, reader)
    return validator.finish()
