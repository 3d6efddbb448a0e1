"""Invalid examples: a submission built to break one rule, with the codes it must trigger.

Row rules come from the mutation table (:mod:`dids._mutations`); file rules are built here
from whole files (a duplicate pair, a bad header, undecodable bytes, metadata). Every example
validates with reference data that knows everything except what the mutation made unknown, so
that reference-data rules are checked too and the example breaks nothing else.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

import attrs
from dateutil.relativedelta import relativedelta

from dids import _mutations
from dids.catalogue import layout
from dids.findings import Report
from dids.io import open_reader, write_records
from dids.metadata import SubmissionMetadata
from dids.records import RecordV1, RecordV2
from dids.reference import Organisation, ReferenceCode, ReferenceData
from dids.rules import RULES
from dids.validate import validate_reader

Record = RecordV1 | RecordV2
Format = Literal["csv", "json", "jsonl", "xml"]
_ALL_ROLES = frozenset({"gp_practice", "prescribing_cost_centre", "referring", "site"})


class KnownCodes:
    """NICIP or SNOMED CT reference data that knows every code as active, bar overrides."""

    def __init__(self, overrides: dict[str, ReferenceCode]) -> None:
        self._overrides = overrides

    def lookup(self, code: str) -> ReferenceCode | None:
        """An active entry for any code, or the override."""
        code = code.strip().upper()
        return self._overrides.get(code, ReferenceCode(code))


class KnownOrganisations:
    """ODS data that knows every code as open with every role, bar the listed ones."""

    def __init__(self, overrides: dict[str, Organisation], unknown: set[str]) -> None:
        self._overrides, self._unknown = overrides, unknown

    def lookup(self, code: str) -> Organisation | None:
        """An open organisation for any code, the override, or ``None`` when unknown."""
        code = code.strip().upper()
        if code in self._unknown:
            return None
        return self._overrides.get(code, Organisation(code, _ALL_ROLES))


class KnownPostcodes:
    """Postcode data that knows every postcode bar the listed ones."""

    def __init__(self, unknown: set[str]) -> None:
        self._unknown = unknown

    def __contains__(self, postcode: object) -> bool:
        return isinstance(postcode, str) and postcode.strip().upper() not in self._unknown


def reference_for(setting: _mutations.Setting) -> ReferenceData:
    """The reference data an example is validated with."""
    codes = KnownCodes(setting.codes)
    return ReferenceData(
        nicip=codes,
        snomed_ct=codes,
        organisations=KnownOrganisations(setting.organisations, setting.unknown_organisations),
        postcodes=KnownPostcodes(setting.unknown_postcodes),
    )


@attrs.frozen
class InvalidExample:
    """A submission that must trigger ``codes`` (the rule and its companions) and nothing else.

    ``rows`` are raw rows in catalogue order; ``data`` holds the file's bytes when the fault is
    in the file's text itself. :meth:`validate` checks it with the submission date, metadata and
    reference data it needs.
    """

    rule: str
    version: int
    codes: frozenset[str]
    rows: tuple[tuple[str, ...], ...]
    submitted: date
    format: Format = "csv"
    data: bytes | None = None
    metadata: SubmissionMetadata | None = None
    reference: ReferenceData = attrs.field(factory=ReferenceData)

    def file_bytes(self) -> bytes:
        """The example as a submission file (the rows as written, even malformed ones)."""
        if self.data is not None:
            return self.data
        if self.format == "csv":
            return "".join(f"{line}\n" for line in _csv_lines(self.version, self.rows)).encode()
        names = layout(self.version).names
        records = [dict(zip(names, row, strict=True)) for row in self.rows]
        meta = None if self.metadata is None else self.metadata.to_dict()
        return _json(records, meta)

    def validate(self) -> Report:
        """Validate the example as a file."""
        reader = open_reader(io.BytesIO(self.file_bytes()), format=self.format,
                             version=self.version)
        return validate_reader(reader, submitted=self.submitted, metadata=self.metadata,
                               reference=self.reference)

    def describe(self) -> str:
        """A short Markdown description of the example (for the rule's docs page)."""
        text = self.file_bytes().decode("utf-8", "replace")
        if len(text) > 3000:
            text = text[:3000] + "\n..."
        also = sorted(self.codes - {self.rule})
        lines = [f"Validated with submission date {self.submitted.isoformat()}, it triggers "
                 f"{self.rule}" + (f" and necessarily {', '.join(also)}." if also else ".")]
        fence = "text" if self.data is not None or self.format == "csv" else self.format
        return "\n".join(lines) + f"\n\n```{fence}\n{text.rstrip()}\n```\n"


def _text(record: Record) -> dict[str, str]:
    return {name: value or "" for name, value in record.to_dict().items()}


def _last_day(*rows: dict[str, str]) -> date:
    """The latest event (request, received, procedure, report) among readable values."""
    days = []
    for values in rows:
        for name, text in values.items():
            if text and name != "birth_date" and name.endswith(("_date", "timestamp")):
                try:
                    days.append(_mutations._day(text))
                except ValueError:
                    continue
    return max(days)


def row_example(rule: str, record: Record) -> InvalidExample:
    """Break row rule ``rule`` in (a copy of) a valid ``record``."""
    version = record.LAYOUT.version
    found = _mutations.MUTATIONS[rule, version]
    original = _text(record)
    values = dict(original)
    setting = _mutations.Setting()
    found.apply(values, setting)
    row = tuple(values[name] for name in layout(version).names)
    submitted = setting.submitted or _last_day(values, original)
    return InvalidExample(rule, version, found.companions | {rule}, (row,), submitted,
                          reference=reference_for(setting))


def _csv_lines(version: int, rows: Sequence[Sequence[str]]) -> list[str]:
    import csv

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    if version == 2:
        writer.writerow(layout(2).headers)
    writer.writerows(rows)
    return out.getvalue().splitlines()


def file_example(rule: str, record: Record) -> InvalidExample:
    """Break file (or reading) rule ``rule`` with a two-record file made from ``record``."""
    version = record.LAYOUT.version
    records = [attrs.evolve(record, accession_number=f"ACC{n}") for n in (1, 2)]
    rows = tuple(tuple(_text(r)[name] for name in layout(version).names) for r in records)
    metadata = _metadata(record)
    submitted = _last_day(_text(record))
    if version == 2:
        submitted = metadata.reporting_period_end + timedelta(days=1)
    header = 1 if version == 2 else 0
    lines = _csv_lines(version, rows)
    base = {"rule": rule, "version": version, "rows": rows, "submitted": submitted,
            "reference": reference_for(_mutations.Setting())}

    def make(companions: Sequence[str] = (), **changes: Any) -> InvalidExample:
        return InvalidExample(codes=frozenset([rule, *companions]), **{**base, **changes})

    def csv_file(edited: Sequence[str]) -> bytes:
        return "".join(line + "\n" for line in edited).encode("utf-8")

    def add_column(title: str, value: Any) -> list[str]:
        return [line + "," + (title if n < header else value(line))
                for n, line in enumerate(lines)]

    if rule == "DIDS071":
        return make(rows=(rows[0], rows[0]))
    if rule == "DIDS075":
        return make(data=csv_file([lines[0] + ",", *lines[1:]]))
    if rule == "X-CSV-04":
        return make(data=csv_file([*lines[:header], lines[header] + ",x", *lines[header + 1:]]))
    if rule == "X-ENC-01":
        return make(data=csv_file(lines[:-1]) + lines[-1].encode() + b"\xff\n")
    if rule == "X-FIL-01":
        return make(rows=(), data=csv_file(lines[:header]))
    if rule == "X-CSV-01":
        return make(data=csv_file(add_column("LOCAL CODE", lambda line: "")))
    if rule == "X-CSV-03":
        return make(data=csv_file(add_column("NHS NUMBER", lambda line: line.split(",")[0])))
    if rule == "X-CSV-02":
        return make(["DIDS070"], data=csv_file([line.rsplit(",", 1)[0] for line in lines]))
    if rule == "DIDS076":
        text = io.StringIO()
        write_records(list(records), text, format="xml")
        return make(format="xml", data=text.getvalue().encode()[:-10])
    if rule == "X-WIN-01":
        late = metadata.reporting_period_end + relativedelta(months=7)
        return make(metadata=metadata, submitted=late)
    if rule == "X-MET-02":
        return make(metadata=attrs.evolve(metadata, record_count=len(rows) + 1))
    if rule == "X-MET-01":
        broken = {**metadata.to_dict(), "data_set_version": "9.9"}
        return make(format="json", data=_json([_text(r) for r in records], broken))
    if rule == "X-JSN-01":
        meta = metadata.to_dict() if version == 2 else None
        return make(format="json", data=_json([_text(r) for r in records], meta,
                                              extra_key=True))
    if rule == "X-JSN-02":
        return make(["X-FIL-01"] + (["X-MET-01"] if version == 2 else []), format="json",
                    data=b'{"records": ')
    raise KeyError(rule)


def _metadata(record: Record) -> SubmissionMetadata:
    """Metadata whose period holds the record's latest event, created the day after it ends."""
    start = _last_day(_text(record)).replace(day=1)
    end = start + relativedelta(day=31)
    created = datetime.combine(end + timedelta(days=1), datetime.min.time(), timezone.utc)
    return SubmissionMetadata(start, end, "RA7", created, 2)


def _json(records: Sequence[dict[str, str]], metadata: dict[str, Any] | None, *,
          extra_key: bool = False) -> bytes:
    data: dict[str, Any] = {"records": [{k: v or None for k, v in r.items()} for r in records]}
    if metadata is not None:
        data["metadata"] = metadata
    if extra_key:
        data["records"][0]["local_code"] = "x"
    return json.dumps(data).encode()


#: Rules that need a whole file rather than one broken row.
FILE_RULES = frozenset(code for code, rule in RULES.items() if rule.scope.value != "row")


def rule_examples() -> dict[str, str]:
    """Markdown for each rule's docs page: a file made from the bundled valid examples' first
    record, broken to trigger the rule, for each layout the rule applies to."""
    from dids import examples
    from dids.io import read_typed

    firsts = {
        version: next(iter(read_typed(open_reader(examples.path(f"v{version}_valid.csv")))))
        for version in (1, 2)
    }
    pages: dict[str, str] = {}
    for code, rule in RULES.items():
        parts = []
        for version in sorted(rule.versions):
            record = firsts[version].record
            assert record is not None
            example = file_example(code, record) if code in FILE_RULES else row_example(
                code, record)
            parts.append(f"### v{version}\n\n{example.describe()}")
        pages[code] = "\n".join(parts)
    return pages
