"""The ``dids`` command: validate submissions, explain rules, list code lists and items.

Exit status: 0 when the file is accepted with no record rejected, 1 when a record or the file
is rejected, 2 for usage errors and unreadable input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dids.exceptions import ScratchFileError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
#: Findings of each rule the text report lists unless ``--limit-per-rule`` says otherwise.
TEXT_LIMIT_PER_RULE = 10


def _terminal_width() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it (``COLUMNS``, else the
    terminal of standard output, else 80)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, given the terminal's width: argparse makes one for every
    argument added, and without a width each imports ``shutil`` (2 ms of every command's
    start)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         _terminal_width() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    """An argument parser (and its subcommands') with :class:`_Formatter`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dids",
        description="NHS Diagnostic Imaging Data Set (DIDS) v2.0 and v1: validate submissions, "
        "explain rules, list code lists and data items.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = sub.add_parser("validate", help="validate a CSV submission file")
    check.add_argument("file", help="the CSV submission file ('-' for standard input)")
    check.add_argument("--version", choices=["auto", "1", "2"], default="auto",
                       help="DIDS version of the file (default: auto)")
    check.add_argument("--input-format", choices=["auto", "csv", "json", "jsonl", "xml"],
                       default="auto", help="file format (default: by extension or content)")
    check.add_argument("--submitted", metavar="DATE",
                       help="submission date, YYYY-MM-DD or a timestamp (default: today, or "
                       "the metadata's created_at)")
    check.add_argument("--format", choices=["text", "json", "jsonl"], default="text",
                       dest="output", help="text: counts and the first findings of each rule; "
                       "json: one document, findings written as they are found; jsonl: a "
                       "finding a line, then a summary line")
    check.add_argument("--limit-per-rule", type=int, metavar="N",
                       help="list at most N findings per rule, all counted (default: "
                       f"{TEXT_LIMIT_PER_RULE} in text, every finding in json and jsonl)")
    check.add_argument("--include-values", action="store_true",
                       help="show the offending values, patient identifiers included")
    check.add_argument("--metadata", metavar="FILE",
                       help="v2 submission metadata as JSON (decision D4), for the window check")
    check.add_argument("--period", metavar="YYYY-MM", help="v2 reporting period (instead of "
                       "--metadata) for the submission-window check")
    check.add_argument("--reference", metavar="STORE", help="reference data store built by "
                       "'dids reference build' (ODS, postcodes, NICIP, SNOMED CT)")
    check.add_argument("--nicip", metavar="CSV", help="NICIP reference data (library layout)")
    check.add_argument("--snomed", metavar="CSV", help="SNOMED CT reference data (library layout)")
    check.add_argument("--ods", metavar="CSV", help="ODS organisations and sites (library layout)")
    check.add_argument("--postcodes", metavar="CSV", help="known postcodes (library layout)")
    check.add_argument("--reject-palindromes", action="store_true",
                       help="also fail palindromic NHS numbers under DIDS001")
    check.add_argument("--reject-sentinels", action="store_true",
                       help="also fail placeholder NHS numbers under DIDS001")

    convert = sub.add_parser("convert", help="convert between formats, and v1 to v2")
    convert.add_argument("input", help="the submission to read")
    convert.add_argument("output", help="the file to write ('-' for standard output)")
    convert.add_argument("--to", choices=["1", "2"], help="DIDS version to write "
                         "(default: the input's); only v1 to v2 is possible")
    convert.add_argument("--input-format", choices=["auto", "csv", "json", "jsonl", "xml"],
                         default="auto")
    convert.add_argument("--format", choices=["auto", "csv", "json", "jsonl", "xml"],
                         default="auto", dest="output_format",
                         help="output format (default: by the output's extension, else csv)")
    convert.add_argument("--metadata", metavar="FILE", help="v2 metadata (JSON) to write "
                         "with a JSON or JSON Lines submission")

    generate = sub.add_parser("generate", help="write a seeded synthetic submission")
    generate.add_argument("count", type=int, help="number of records")
    generate.add_argument("output", help="the file to write ('-' for standard output)")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--version", choices=["1", "2"], default="2")
    generate.add_argument("--invalid-rate", type=float, default=0.0, metavar="P",
                          help="share of records broken on purpose, 0 to 1")
    generate.add_argument("--format", choices=["csv", "json", "jsonl"], default="csv",
                          dest="output_format")
    generate.add_argument("--period", metavar="YYYY-MM", help="reporting month")
    generate.add_argument("--metadata", metavar="FILE",
                          help="also write the v2 metadata (JSON) for a CSV submission here")

    reference = sub.add_parser("reference", help="build or describe a reference data store")
    reference_sub = reference.add_subparsers(dest="reference_command", metavar="ACTION",
                                             required=True)
    build = reference_sub.add_parser(
        "build", help="build one SQLite store from the published releases",
        description="Build one SQLite reference store from the national releases as published. "
        "Each FILE may be a plain file, a zip or a folder; every option may be repeated.")
    build.add_argument("-o", "--output", metavar="STORE", required=True,
                       help="the store to write (replaced only when the build succeeds)")
    build.add_argument("--ods", metavar="FILE", action="append", default=[],
                       help="ODS etr, ets, epraccur, egpcur, econcur (27- or 13-field CSV)")
    build.add_argument("--postcodes", metavar="FILE", action="append", default=[],
                       help="ONS Postcode Directory (header) or NHS Postcode Directory gridall")
    build.add_argument("--snomed", metavar="FILE", action="append", default=[],
                       help="SNOMED CT UK RF2 release (zip or folder; snapshot files)")
    build.add_argument("--nicip", metavar="FILE", action="append", default=[],
                       help="NICIP table with a header row: CSV, tab-separated or XLSX")
    build.add_argument("--nicip-columns", metavar="PART=NAME,...",
                       help="header names of the NICIP table's parts: code, snomed, "
                       "active_from, inactive_from (default: see the guide)")
    info = reference_sub.add_parser("info", help="print what a store holds and where it came "
                                    "from")
    info.add_argument("store", help="the store")
    info.add_argument("--format", choices=["text", "json"], default="text", dest="output")

    explain = sub.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code", help="rule code, e.g. DIDS071 or X-TFC-01")

    codes = sub.add_parser("codes", help="list the code lists, or print one")
    codes.add_argument("name", nargs="?", help="code list, e.g. treatment_function")
    codes.add_argument("--format", choices=["table", "json"], default="table", dest="output")

    items = sub.add_parser("items", help="print the data-item catalogue")
    items.add_argument("--version", choices=["1", "2"], default="2")
    items.add_argument("--format", choices=["table", "json"], default="table", dest="output")
    return parser


def command_help() -> dict[str, str]:
    """The help text of ``dids`` and of each of its commands (for the docs)."""
    parser = _parser()
    texts = {"dids": parser.format_help()}
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                texts[f"dids {name}"] = sub.format_help()
    return texts


class UsageError(Exception):
    """A command-line argument cannot be used; the message says which."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    out = sys.stdout
    try:
        if args.command == "validate":
            return _validate(args, out)
        if args.command == "convert":
            return _convert(args)
        if args.command == "generate":
            return _generate(args)
        if args.command == "reference":
            return _reference_command(args, out)
        if args.command == "explain":
            return _explain(args.code, out)
        if args.command == "codes":
            return _codes(args.name, args.output, out)
        return _items(int(args.version), args.output, out)
    except UsageError as error:
        print(f"dids: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:
        print(f"dids: internal error ({type(error).__name__}); please report it",
              file=sys.stderr)
        return EXIT_USAGE


def _submitted(text: str | None) -> date | datetime | None:
    if text is None:
        return None
    from dids._values import parse_date, parse_timestamp
    from dids.exceptions import ValidationError

    for strict in (parse_timestamp, parse_date):
        try:
            return strict(text.strip())
        except ValidationError:
            pass
    from dateutil import parser as dateparser  # only for other ways to write a date

    try:
        return dateparser.parse(text, dayfirst=True).date()
    except (ValueError, OverflowError):
        raise UsageError("--submitted must be a date such as 2026-05-03") from None


def _metadata(args: argparse.Namespace) -> tuple[Any, list[Any]]:
    from dids.metadata import SubmissionMetadata, metadata_issues

    if args.metadata:
        try:
            with open(args.metadata, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as error:
            raise UsageError(f"cannot read metadata {args.metadata}: {_reason(error)}") from None
        if isinstance(data, dict) and "metadata" in data:
            data = data["metadata"]
        return metadata_issues(data)
    if getattr(args, "period", None):
        try:
            start = date.fromisoformat(f"{args.period.strip()}-01")
        except ValueError:
            raise UsageError("--period must be a month such as 2026-04") from None
        return SubmissionMetadata.for_period(start), []
    return None, []


def _reference(args: argparse.Namespace) -> Any:
    from dids import reference as ref
    from dids.exceptions import ReleaseError

    if args.reference:
        if any((args.nicip, args.snomed, args.ods, args.postcodes)):
            raise UsageError("--reference takes the place of --nicip, --snomed, --ods and "
                             "--postcodes: give one or the others")
        try:
            return ref.ReferenceData.from_sqlite(args.reference)
        except ReleaseError as error:
            raise UsageError(f"cannot use reference store: {error}") from None

    def load(path: str | None, cls: Any) -> Any:
        if path is None:
            return None
        try:
            return cls.from_csv(path)
        except (OSError, ValueError, KeyError) as error:
            raise UsageError(f"cannot read reference data {path}: {_reason(error)}") from None

    return ref.ReferenceData(
        nicip=load(args.nicip, ref.CsvCodeReference),
        snomed_ct=load(args.snomed, ref.CsvCodeReference),
        organisations=load(args.ods, ref.CsvOrganisationReference),
        postcodes=load(args.postcodes, ref.CsvPostcodeReference),
    )


def _reference_command(args: argparse.Namespace, out: IO[str]) -> int:
    from dids.refdata import ReferenceStore, ReleaseError, build_store

    try:
        if args.reference_command == "info":
            info = ReferenceStore(args.store).info()
            if args.output == "json":
                out.write(json.dumps({**info.to_dict(), "dids": info.dids,
                                      "counts": dict(info.counts)}, indent=2) + "\n")
            else:
                out.write(render_store_info(info))
            return EXIT_OK
        if not any((args.ods, args.postcodes, args.snomed, args.nicip)):
            raise UsageError("give at least one of --ods, --postcodes, --snomed, --nicip")
        sources = build_store(args.output, ods=args.ods, postcodes=args.postcodes,
                              snomed=args.snomed, nicip=args.nicip,
                              nicip_columns=_columns(args.nicip_columns))
    except ReleaseError as error:
        raise UsageError(f"{error}; no store written" if args.reference_command == "build"
                         else str(error)) from None
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {_reason(error)}") from None
    for source in sources:
        print(f"{source.kind:<20} {source.rows:>10,} rows  {source.file}",
              file=sys.stderr)
    print(f"dids: wrote {args.output}", file=sys.stderr)
    return EXIT_OK


def _columns(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    columns = {}
    for part in text.split(","):
        name, sep, header = part.partition("=")
        if not sep or name.strip() not in ("code", "snomed", "active_from", "inactive_from"):
            raise UsageError("--nicip-columns takes PART=NAME pairs, PART one of code, snomed, "
                             "active_from, inactive_from")
        columns[name.strip()] = header.strip()
    return columns


def render_store_info(info: Any) -> str:
    """The text ``dids reference info`` prints: build time, rows and sources of a store."""
    lines = [f"store: {info.path}", f"built: {info.built} (dids {info.dids})", "", "rows:"]
    lines += [f"  {table:<14} {count:>10,}" for table, count in info.counts.items()]
    lines += ["", "sources:"]
    for source in info.sources:
        release = f" release {source.release}" if source.release else ""
        lines.append(f"  {source.kind:<20} {source.rows:>10,} rows  {source.file}{release}")
        lines.append(f"  {'':<20} sha256 {source.sha256}")
    return "\n".join(lines) + "\n"


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return type(error).__name__


def _open(path: str, input_format: str, version: str = "auto") -> Any:
    from dids.io import open_reader

    source: Any = sys.stdin.buffer if path == "-" else path
    try:
        return open_reader(source, format=input_format, version=version)  # type: ignore[arg-type]
    except OSError as error:
        raise UsageError(f"cannot read {path}: {_reason(error)}") from None


def _validate(args: argparse.Namespace, out: IO[str]) -> int:
    from dids.exceptions import ReleaseError, ScratchFileError
    from dids.findings import FindingSink, JsonLinesSink, JsonSink
    from dids.validate import Validator, feed_reader

    if args.limit_per_rule is not None and args.limit_per_rule < 0:
        raise UsageError("--limit-per-rule must be 0 or more")
    metadata, metadata_problems = _metadata(args)
    reference = _reference(args)
    submitted = _submitted(args.submitted)
    reader = _open(args.file, args.input_format, args.version)
    sinks: list[FindingSink] = []
    kept = args.limit_per_rule  # the findings the report keeps: those the text lists
    if args.output == "json":
        sinks.append(JsonSink(out, reader.version, limit_per_rule=args.limit_per_rule))
        kept = 0
    elif args.output == "jsonl":
        sinks.append(JsonLinesSink(out, limit_per_rule=args.limit_per_rule))
        kept = 0
    elif kept is None:
        kept = TEXT_LIMIT_PER_RULE
    validator = Validator(
        reader.version,
        submitted=submitted,
        metadata=metadata or reader.metadata,
        reference=reference,
        include_values=args.include_values,
        limit_per_rule=kept,
        reject_palindromes=args.reject_palindromes,
        reject_sentinels=args.reject_sentinels,
        source=args.file,
        sinks=sinks,
    )
    shown = [0]  # rows checked when progress was last shown

    def show(rows: int) -> None:  # each time another 50,000 rows are checked
        if rows // 50_000 > shown[0] // 50_000:
            shown[0] = rows
            print(f"\r{rows:,} rows checked", end="", file=sys.stderr, flush=True)

    try:
        feed_reader(validator, reader, show if sys.stderr.isatty() else None)
    except ScratchFileError as error:
        return _scratch_failed(error)
    except OSError as error:
        print(f"dids: cannot read {args.file}: {_reason(error)}", file=sys.stderr)
        return EXIT_USAGE
    except ReleaseError as error:  # a store damaged since it was opened
        print(f"dids: cannot use reference store: {error}", file=sys.stderr)
        return EXIT_USAGE
    for issue in metadata_problems:
        validator.add_issue(issue)
    if shown[0]:
        print(file=sys.stderr)
    try:
        report = validator.finish()
    except ScratchFileError as error:
        return _scratch_failed(error)
    if args.output == "text":
        out.write(render_report(report))
    else:
        if report.not_checked:
            print(f"dids: not checked: {', '.join(report.not_checked)}", file=sys.stderr)
        if report.partly_checked:
            print(f"dids: partly checked: {', '.join(report.partly_checked)}", file=sys.stderr)
    return EXIT_OK if report.accepted else EXIT_REJECTED


def _scratch_failed(error: ScratchFileError) -> int:
    """The temporary file of a long file's duplicate keys failed: say where, and what to do."""
    print(f"dids: {error.strerror} (set TMPDIR to another directory)", file=sys.stderr)
    return EXIT_USAGE


def _convert(args: argparse.Namespace) -> int:
    from collections import Counter

    from dids.convert import NOTES, v1_to_v2
    from dids.io import read_typed, write_records
    from dids.records import RecordV1

    reader = _open(args.input, args.input_format)
    target_version = int(args.to) if args.to else reader.version
    if target_version < reader.version:
        raise UsageError("only v1 to v2 conversion is possible")
    output_format = args.output_format
    if output_format == "auto":
        output_format = "csv" if args.output == "-" else _format_of(args.output)
    if output_format == "xml" and target_version == 2:
        raise UsageError("XML is defined for v1 files only")
    metadata, problems = _metadata(args)
    if problems:
        raise UsageError(f"the metadata is invalid: {', '.join(i.item or '' for i in problems)}")
    skipped: list[int] = []
    notes: Counter[str] = Counter()

    def records() -> Any:
        for result in read_typed(reader):
            if result.record is None:
                skipped.append(result.row)
                continue
            record = result.record
            if target_version == 2 and isinstance(record, RecordV1):
                converted, found = v1_to_v2(record)
                notes.update(note.code for note in found)
                yield converted
            else:
                yield record

    try:
        if args.output == "-":
            count = write_records(records(), sys.stdout, format=output_format, metadata=metadata,
                                  on_invalid="write")
        else:
            with open(args.output, "w", encoding="utf-8", newline="") as handle:
                count = write_records(records(), handle, format=output_format,
                                      metadata=metadata, on_invalid="write")
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {_reason(error)}") from None
    except ValueError as error:
        raise UsageError(str(error)) from None
    print(f"dids: wrote {count} v{target_version} records as {output_format}", file=sys.stderr)
    for code, count in sorted(notes.items()):
        print(f"dids: {code} x{count}: {NOTES[code]}", file=sys.stderr)
    if skipped or reader.file_issues:
        shown = ", ".join(str(row) for row in skipped[:20])
        print(f"dids: {len(skipped)} rows could not be read and were not converted"
              f"{': rows ' + shown if shown else ''}; run 'dids validate' for details",
              file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from dids.generate import generate_rows, metadata_for, submission_date_for
    from dids.records import RecordV1, RecordV2

    version = int(args.version)
    if args.count < 0 or not 0.0 <= args.invalid_rate <= 1.0:
        raise UsageError("count must be 0 or more and --invalid-rate between 0 and 1")
    period = None
    if args.period:
        try:
            period = date.fromisoformat(f"{args.period.strip()}-01")
        except ValueError:
            raise UsageError("--period must be a month such as 2026-04") from None
    rows = generate_rows(args.count, seed=args.seed, version=version,
                         invalid_rate=args.invalid_rate, period=period)
    metadata = metadata_for(version, args.count, period) if version == 2 else None
    handle = sys.stdout if args.output == "-" else open(  # noqa: SIM115 - closed below
        args.output, "w", encoding="utf-8", newline="")
    try:
        if args.output_format == "csv":
            import csv

            writer = csv.writer(handle, lineterminator="\r\n")
            if version == 2:
                from dids.catalogue import V2

                writer.writerow(V2.headers)
            writer.writerows(row.fields for row in rows)
        else:
            from dids.io import write_records

            cls = RecordV1 if version == 1 else RecordV2
            typed = (cls.from_row(row.fields) for row in rows if row.intended is None)
            write_records(typed, handle, format=args.output_format, metadata=metadata,
                          on_invalid="write")
    finally:
        if handle is not sys.stdout:
            handle.close()
    if args.metadata and metadata is not None:
        with open(args.metadata, "w", encoding="utf-8") as meta:
            json.dump(metadata.to_dict(), meta, indent=2)
    print(f"dids: generated {args.count} v{version} records (seed {args.seed}); validate with "
          f"--submitted {submission_date_for(version, period).isoformat()}", file=sys.stderr)
    return EXIT_OK


def _format_of(path: str) -> str:
    from dids.io import EXTENSIONS

    return EXTENSIONS.get(os.path.splitext(path)[1].lower(), "csv")


def render_report(report: Any) -> str:
    """The readable summary printed by ``dids validate``: counts of each rule, then the findings
    the report kept (the first of each rule), in the report's order."""
    from collections import Counter

    from dids.rules import RULES

    accepted = report.records - report.records_rejected
    lines = [
        f"DIDS v{report.version} submission: {report.source or '(stream)'}",
        f"records read: {report.records}, accepted: {accepted}, "
        f"rejected: {report.records_rejected}",
        f"file: {'REJECTED' if report.file_rejected else 'accepted'}",
    ]
    if report.counts:
        lines += ["", f"{'rule':<14} {'count':>7}  {'disposition':<13} message"]
        for code, count in sorted(report.counts.items(), key=lambda kv: list(RULES).index(kv[0])):
            rule = RULES[code]
            lines.append(f"{code:<14} {count:>7}  {rule.disposition.value:<13} "
                         f"{rule.message_for(report.version)}")
    if report.issues:
        listed = Counter(issue.code for issue in report.issues)
        cut = [code for code, count in listed.items() if count < report.counts[code]]
        lines += ["", "first findings of each rule:" if cut else "issues:"]
        for issue in report.issues:
            place = "file" if issue.row is None else f"row {issue.row}"
            if issue.column is not None:
                place += f", column {issue.column}"
            if issue.item:
                place += f" ({issue.item})"
            value = f" value {issue.value!r}" if report.include_values and issue.value else ""
            lines.append(f"  {place}: {issue.code} {issue.message}{value}")
        if cut:
            lines.append(f"  ({sum(report.counts[code] - listed[code] for code in cut):,} more "
                         "not listed: see --limit-per-rule, or --format jsonl for all)")
    lines += _checked_with(report)
    return "\n".join(lines) + "\n"


def _checked_with(report: Any) -> list[str]:
    """The text report's lines on what was not checked, or only in part, and on the
    reference data the file was checked against."""
    lines = []
    if report.not_checked:
        lines += ["", "not checked (no reference data or metadata given): "
                  + ", ".join(report.not_checked)]
    if report.partly_checked:
        lines += ["", "partly checked (no reference data given):"]
        lines += [f"  {code}: not checked: {part}" for code, part in report.partly_checked.items()]
    if report.reference:
        lines += ["", f"reference data: {report.reference['store']} "
                  f"(built {report.reference['built']})"]
        for source in report.reference["sources"]:
            release = f", release {source['release']}" if source["release"] else ""
            lines.append(f"  {source['kind']}: {source['file']}{release}")
    return lines


def _explain(code: str, out: IO[str]) -> int:
    from dids.rules import RULES

    rule = RULES.get(code.strip().upper())
    if rule is None:
        raise UsageError(f"no rule {code.strip()[:20]!r}; see the rule list in the docs")
    lines = [
        f"{rule.code}: {rule.message}",
        f"disposition: {rule.disposition.value} (severity {rule.severity.value})",
        f"versions: {', '.join(f'v{v}' for v in sorted(rule.versions))}",
        f"national rule: {'yes' if rule.national else 'no (library check, decision D7)'}",
        f"reference data: {'needed' if rule.reference_data else 'not needed'}",
        f"evidence: {rule.evidence}",
    ]
    if rule.params:
        lines.append("parameters: " + ", ".join(f"{k}={v}" for k, v in rule.params.items()))
    for version in sorted(rule.versions):
        items = ", ".join(rule.items(version)) or "(file)"
        lines += ["", f"v{version} items: {items}", f"v{version}: {rule.description_for(version)}"]
        if version == 2 and rule.v2_message != rule.message:
            lines.append(f"v2 message: {rule.v2_message}")
    lines += ["", f"source: {rule.source}"]
    out.write("\n".join(lines) + "\n")
    return EXIT_OK


def _codes(name: str | None, output: str, out: IO[str]) -> int:
    from dids.codes import CODE_LISTS

    if name is None:
        if output == "json":
            listing = [{"name": c.name, "title": c.title, "codes": len(c.enum)}
                       for c in CODE_LISTS.values()]
            out.write(json.dumps(listing, indent=2) + "\n")
        else:
            for code_list in CODE_LISTS.values():
                out.write(f"{code_list.name:<22} {len(code_list.enum):>4}  {code_list.title}\n")
        return EXIT_OK
    found = CODE_LISTS.get(name.strip())
    if found is None:
        raise UsageError(f"no code list {name.strip()[:40]!r}; run 'dids codes' for the list")
    rows = found.info()
    if output == "json":
        data = [
            {
                "code": row.code,
                "description": row.description,
                "valid_from": row.valid_from.isoformat() if row.valid_from else None,
                "valid_to": row.valid_to.isoformat() if row.valid_to else None,
            }
            for row in rows
        ]
        out.write(json.dumps(data, indent=2) + "\n")
        return EXIT_OK
    width = max(len(row.code) for row in rows)
    out.write(f"{found.title}\n")
    for row in rows:
        dates = ""
        if row.valid_from or row.valid_to:
            dates = f"  [{row.valid_from or ''} to {row.valid_to or ''}]"
        out.write(f"{row.code:<{width}}  {row.description}{dates}\n")
    return EXIT_OK


def _items(version: int, output: str, out: IO[str]) -> int:
    from dids.catalogue import layout

    items = layout(version).items
    if output == "json":
        data = [
            {
                "position": item.position,
                "group": item.group,
                "name": item.name,
                "python_name": item.python_name,
                "format": item.format,
                "min_length": item.min_len,
                "max_length": item.max_len,
                "status": item.status.value,
                "code_list": item.code_list.name if item.code_list else None,
                "v1_predecessor": item.v1_predecessor,
                "evidence": item.evidence.value,
            }
            for item in items
        ]
        out.write(json.dumps(data, indent=2) + "\n")
        return EXIT_OK
    for item in items:
        out.write(f"{item.position:>2}  {item.python_name:<26} {item.status.value:<6} "
                  f"{item.format:<36} {item.name}\n")
    return EXIT_OK
