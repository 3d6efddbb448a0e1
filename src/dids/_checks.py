"""The checks behind the rule catalogue, keyed by rule code.

A *field check* looks at one item's trimmed, non-blank text and says whether the rule fails; the
validator memoises it per distinct value. A *row check* looks at a row's trimmed texts (``raw``)
and typed values (``values``, ``None`` where absent or malformed) and returns ``False`` when the
rule passes, ``True`` when it fails, or the name of the item where it failed. Factories bind
column indices and parameters once per validation, so the per-row work is only the comparison.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from dids._values import add_months, month_end, parse_date, parse_time, parse_timestamp
from dids.catalogue import V2_START, Kind, Layout
from dids.codes import CodeEnum
from dids.exceptions import ValidationError
from dids.identifiers import nhs_number, nicip, ods, postcode, referrer, snomed_ct
from dids.identifiers._common import is_ascii_alnum
from dids.reference import (
    GP_PRACTICE,
    PRESCRIBING_COST_CENTRE,
    REFERRING,
    CodeReference,
    CodeStatus,
    Organisation,
    ReferenceData,
    code_status,
)
from dids.rules import RULES, Rule

FieldCheck = Callable[[str], bool]
RowResult = bool | str
RowCheck = Callable[[Sequence[str], Sequence[Any]], RowResult]


@attrs.frozen
class Expression:
    """A row check written as a Python expression over ``raw`` (trimmed texts) and ``v`` (typed
    values, ``None`` where absent or malformed), true when the rule fails. ``{name}`` stands for
    a constant of ``constants``. The validator compiles all of a run's expressions into one
    function, so that the simplest checks cost no call of their own (like attrs generating
    ``__init__``)."""

    source: str
    constants: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class CheckContext:
    """What the checks of one validation may depend on besides the row."""

    layout: Layout
    submitted: date | datetime
    reference: ReferenceData = attrs.field(factory=ReferenceData)
    reject_palindromes: bool = False
    reject_sentinels: bool = False

    @property
    def version(self) -> int:
        """The layout's DIDS version."""
        return self.layout.version

    @property
    def submitted_date(self) -> date:
        """Local date of the submission."""
        if isinstance(self.submitted, datetime):
            return self.submitted.date()
        return self.submitted


FieldFactory = Callable[[Rule, CheckContext], FieldCheck]
RowFactory = Callable[[Rule, CheckContext], "RowCheck | Expression | None"]

FIELD_CHECKS: dict[str, FieldFactory] = {}
ROW_CHECKS: dict[tuple[str, int], RowFactory] = {}
#: Reference data each rule needs: attribute names of :class:`ReferenceData`.
NEEDS: dict[str, tuple[str, ...]] = {}
#: Rules checked in part without their reference data: what is left unchecked then.
WITHOUT_REFERENCE: dict[str, str] = {}


def field_check(*codes: str) -> Callable[[FieldFactory], FieldFactory]:
    """Register a field-check factory for ``codes``."""

    def register(factory: FieldFactory) -> FieldFactory:
        for code in codes:
            FIELD_CHECKS[code] = factory
        return factory

    return register


def row_check(
    *codes: str, versions: tuple[int, ...] = (1, 2), needs: tuple[str, ...] = (),
    unchecked: str | None = None,
) -> Callable[[RowFactory], RowFactory]:
    """Register a row-check factory for ``codes`` in layouts ``versions``; a rule that
    ``needs`` reference data and is still checked in part without it says what part is then
    ``unchecked``."""

    def register(factory: RowFactory) -> RowFactory:
        for code in codes:
            for version in versions:
                ROW_CHECKS[code, version] = factory
            if needs:
                NEEDS[code] = needs
            if unchecked:
                WITHOUT_REFERENCE[code] = unchecked
        return factory

    return register


def _fails(parse: Callable[[str], object]) -> FieldCheck:
    def check(text: str) -> bool:
        try:
            parse(text)
        except ValidationError:
            return True
        return False

    return check


def _date_or_none(text: str) -> date | None:
    try:
        return parse_date(text)
    except ValidationError:
        return None


def _local_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _item_of(rule: Rule, ctx: CheckContext) -> str:
    return next(name for name in rule.items(ctx.version) if name in ctx.layout)


# --- field checks -------------------------------------------------------------------------


@field_check("DIDS001")
def _nhs_number_check(rule: Rule, ctx: CheckContext) -> FieldCheck:
    options = {
        "reject_palindromes": ctx.reject_palindromes,
        "reject_sentinels": ctx.reject_sentinels,
    }
    return lambda text: not nhs_number.is_valid(text, **options)


@field_check("DIDS002")
def _nhs_number_length(rule: Rule, ctx: CheckContext) -> FieldCheck:
    return lambda text: len(nhs_number.compact(text)) != 10


@field_check("DIDS005", "DIDS026", "DIDS036")
def _valid_date(rule: Rule, ctx: CheckContext) -> FieldCheck:
    return _fails(parse_date)


@field_check("DIDS045", "DIDS061", "X-TSP-01")
def _valid_date_or_timestamp(rule: Rule, ctx: CheckContext) -> FieldCheck:
    kind = ctx.layout[_item_of(rule, ctx)].kind
    return _fails(parse_timestamp if kind is Kind.TIMESTAMP else parse_date)


@field_check("X-TIM-01")
def _valid_time(rule: Rule, ctx: CheckContext) -> FieldCheck:
    return _fails(parse_time)


@field_check("DIDS009", "DIDS031", "DIDS041")
def _date_floor(rule: Rule, ctx: CheckContext) -> FieldCheck:
    floor = date.fromisoformat(rule.params["min_date"])

    def check(text: str) -> bool:
        value = _date_or_none(text)
        return value is not None and value < floor

    return check


@field_check("DIDS003", "DIDS012", "DIDS014", "X-PRI-01", "X-REV-01")
def _in_code_list(rule: Rule, ctx: CheckContext) -> FieldCheck:
    code_list = ctx.layout[_item_of(rule, ctx)].code_list
    assert code_list is not None, rule.code
    codes = frozenset(member.value for member in code_list.enum)
    return lambda text: text not in codes


@field_check("DIDS021")
def _source_setting(rule: Rule, ctx: CheckContext) -> FieldCheck:
    """v1 accepts only the codes in force before v2 began (01-07); v2 the whole list (D2)."""
    code_list = ctx.layout["patient_source_setting"].code_list
    assert code_list is not None
    members: list[CodeEnum] = list(code_list.enum)
    if ctx.version == 1:
        members = [m for m in members if m.valid_from is None or m.valid_from < V2_START]
    codes = frozenset(member.value for member in members)
    return lambda text: text not in codes


@field_check("DIDS017")
def _postcode_format(rule: Rule, ctx: CheckContext) -> FieldCheck:
    return lambda text: not postcode.is_valid(text)


@field_check("DIDS023")
def _referrer_format(rule: Rule, ctx: CheckContext) -> FieldCheck:
    return lambda text: not referrer.is_valid(text)


@field_check("DIDS069")
def _site_format(rule: Rule, ctx: CheckContext) -> FieldCheck:
    low, high = int(rule.params["min_length"]), int(rule.params["max_length"])
    return lambda text: not (low <= len(text) <= high and is_ascii_alnum(text))


@field_check("DIDS072")
def _max_length(rule: Rule, ctx: CheckContext) -> FieldCheck:
    high = int(rule.params["max_length"])
    return lambda text: len(text) > high


# --- row checks: presence -----------------------------------------------------------------


@row_check("DIDS020", "DIDS050", "DIDS067", "DIDS070")
def _present(rule: Rule, ctx: CheckContext) -> Expression:
    return Expression(f"not raw[{ctx.layout.index(_item_of(rule, ctx))}]")


@row_check("DIDS056")
def _procedure_code(rule: Rule, ctx: CheckContext) -> Expression:
    first, second = (ctx.layout.index(name) for name in rule.items(ctx.version))
    return Expression(f"not raw[{first}] and not raw[{second}]")


def _demographic_columns(rule: Rule, ctx: CheckContext) -> tuple[list[int], int]:
    columns = [ctx.layout.index(name) for name in rule.items(ctx.version)]
    return columns, ctx.layout.index("postcode")


@row_check("DIDS073")
def _demographics(rule: Rule, ctx: CheckContext) -> Expression:
    columns, _ = _demographic_columns(rule, ctx)
    return Expression("not (" + " or ".join(f"raw[{c}]" for c in columns) + ")")


@row_check("DIDS074")
def _zz99_only(rule: Rule, ctx: CheckContext) -> RowCheck:
    columns, postcode_column = _demographic_columns(rule, ctx)
    others = [c for c in columns if c != postcode_column]
    return lambda raw, values: postcode.is_zz99(raw[postcode_column]) and not any(
        raw[c] for c in others
    )


# --- row checks: order of events ----------------------------------------------------------

_SUBMISSION = "file.received_at"
Point = Callable[[Sequence[Any]], "date | None"]


def _points(rule: Rule, ctx: CheckContext) -> list[Point]:
    """Group a rule's items into moments: a date with its time, a timestamp, the submission."""
    names = list(rule.items(ctx.version))
    points: list[Point] = []
    while names:
        name = names.pop(0)
        if name == _SUBMISSION:
            points.append(_constant(ctx.submitted))
            continue
        column = ctx.layout.index(name)
        if names and names[0] in ctx.layout and ctx.layout[names[0]].kind is Kind.TIME:
            time_column = ctx.layout.index(names.pop(0))
            points.append(_date_and_time(column, time_column))
        else:
            points.append(_column(column))
    return points


def _column(column: int) -> Point:
    return lambda values: values[column]


def _constant(moment: date) -> Point:
    return lambda values: moment


def _date_and_time(date_column: int, time_column: int) -> Point:
    def point(values: Sequence[Any]) -> date | None:
        day, clock = values[date_column], values[time_column]
        if day is None or clock is None:
            return day  # type: ignore[no-any-return]
        return datetime.combine(day, clock)

    return point


@row_check(
    "DIDS006", "DIDS008", "DIDS027", "DIDS034", "DIDS035", "DIDS043", "DIDS044", "DIDS048",
    "DIDS051", "DIDS066", "X-TSP-02",
)  # fmt: skip
def _in_order(rule: Rule, ctx: CheckContext) -> Expression:
    """The earlier moment must not be after the later one (``rules-v2.md`` section 1).

    Two timestamps compare as instants. Otherwise the moments compare by local date as
    written, then by local clock time when both sides have one: a date with its time, or a
    timestamp's wall-clock time. A side that is absent or malformed skips the rule.
    """
    earlier, later = _moments(rule, ctx)
    if earlier.instant and later.instant:
        return Expression(f"{earlier.present} and {later.present} and "
                          f"{earlier.instant} > {later.instant}", earlier.constants
                          | later.constants)
    same_day = "False"
    if earlier.clock and later.clock:
        same_day = (f"{earlier.day} == {later.day} and {earlier.clock_present} and "
                    f"{later.clock_present} and {earlier.clock} > {later.clock}")
    return Expression(
        f"{earlier.present} and {later.present} and "
        f"({earlier.day} > {later.day} or ({same_day}))",
        earlier.constants | later.constants,
    )


@attrs.frozen
class _Moment:
    """Expression parts of one side of an order rule."""

    present: str
    day: str
    clock: str | None = None
    instant: str | None = None
    constants: dict[str, Any] = attrs.field(factory=dict)
    clock_present: str = "True"


def _moments(rule: Rule, ctx: CheckContext) -> list[_Moment]:
    names = list(rule.items(ctx.version))
    moments = []
    while names:
        name = names.pop(0)
        if name == _SUBMISSION:
            moment = ctx.submitted
            constants: dict[str, Any] = {"submitted": moment}
            if isinstance(moment, datetime):
                constants.update(day=moment.date(), clock=moment.time())
                moments.append(_Moment("True", "{day}", "{clock}", "{submitted}", constants))
            else:
                moments.append(_Moment("True", "{submitted}", constants=constants))
            continue
        column = ctx.layout.index(name)
        kind = ctx.layout[name].kind
        present = f"v[{column}] is not None"
        if kind is Kind.TIMESTAMP:
            moments.append(_Moment(present, f"v[{column}].date()", f"v[{column}].time()",
                                   f"v[{column}]"))
        elif names and names[0] in ctx.layout and ctx.layout[names[0]].kind is Kind.TIME:
            clock = ctx.layout.index(names.pop(0))
            moments.append(_Moment(present, f"v[{column}]", f"v[{clock}]",
                                   clock_present=f"v[{clock}] is not None"))
        else:
            moments.append(_Moment(present, f"v[{column}]"))
    return moments


@row_check("DIDS028", "DIDS038")
def _within_days(rule: Rule, ctx: CheckContext) -> RowCheck:
    earlier, later = _points(rule, ctx)
    limit = int(rule.params["max_days"])

    def check(raw: Sequence[str], values: Sequence[Any]) -> bool:
        first, second = earlier(values), later(values)
        if first is None or second is None:
            return False
        return (_local_date(second) - _local_date(first)).days > limit

    return check


@row_check("DIDS062")
def _report_within_month(rule: Rule, ctx: CheckContext) -> RowCheck:
    report, start = (ctx.layout.index(name) for name in rule.items(ctx.version))
    months = int(rule.params["max_months"])

    @functools.cache
    def limit(done: date) -> date:
        try:
            return add_months(done, months)
        except ValueError:  # past 9999-12-31: no later report date exists
            return date.max

    def check(raw: Sequence[str], values: Sequence[Any]) -> bool:
        issued, done = values[report], values[start]
        if issued is None or done is None:
            return False
        return _local_date(issued) > limit(_local_date(done))

    return check


def month_number(day: date) -> int:
    """Months since year 0: ``year * 12 + month``."""
    return day.year * 12 + day.month


@row_check("DIDS010", "DIDS040")
def _birth_within_months_of_request(rule: Rule, ctx: CheckContext) -> RowCheck:
    names = rule.items(ctx.version)
    birth = ctx.layout.index("birth_date")
    request = ctx.layout.index(next(n for n in names if n != "birth_date"))
    limit = int(rule.params["max_months"])

    def check(raw: Sequence[str], values: Sequence[Any]) -> bool:
        born, asked = values[birth], values[request]
        if born is None or asked is None:
            return False
        return month_number(born) - month_number(asked) > limit

    return check


def months_between(later: date, earlier: date) -> float:
    """Spark's ``months_between`` as the national pipeline uses it (``rules-v2.md`` section 7).

    >>> months_between(date(2024, 10, 31), date(2024, 4, 1))
    6.96774194
    >>> months_between(date(2025, 2, 28), date(2024, 7, 31))
    7.0
    """
    whole = month_number(later) - month_number(earlier)
    if later.day == earlier.day or (_is_month_end(later) and _is_month_end(earlier)):
        return float(whole)
    return round(whole + (later.day - earlier.day) / 31, 8)


def _is_month_end(day: date) -> bool:
    return day == month_end(day)


@row_check("DIDS049", "DIDS055", versions=(1,))
def _submission_window_v1(rule: Rule, ctx: CheckContext) -> RowCheck:
    column = ctx.layout.index("test_date")
    submitted_month_end = month_end(ctx.submitted_date)
    warn, reject = float(rule.params["warn_months"]), float(rule.params["reject_months"])
    is_warning = rule.code == "DIDS049"

    @functools.cache
    def fails(tested: date) -> bool:
        months = months_between(submitted_month_end, tested)
        return warn <= months < reject if is_warning else months >= reject

    def check(raw: Sequence[str], values: Sequence[Any]) -> bool:
        tested = values[column]
        return tested is not None and fails(tested)

    return check


@row_check("X-TFC-01", versions=(2,))
def _treatment_function(rule: Rule, ctx: CheckContext) -> RowCheck:
    column = ctx.layout.index("treatment_function")
    start = ctx.layout.index("procedure_start_timestamp")
    code_list = ctx.layout["treatment_function"].code_list
    assert code_list is not None
    members = code_list.enum._value2member_map_
    dated = frozenset(m.value for m in code_list.enum if m.valid_from or m.valid_to)

    def check(raw: Sequence[str], values: Sequence[Any]) -> bool:
        text = raw[column]
        if not text:
            return False
        member = members.get(text)
        if member is None:
            return True
        started = values[start]
        if text not in dated or started is None:
            return False
        assert isinstance(member, CodeEnum)
        return not member.valid_on(started.date())

    return check


@row_check("X-TIM-02", versions=(2,))
def _time_without_date(rule: Rule, ctx: CheckContext) -> RowCheck:
    names = rule.items(ctx.version)
    pairs = [
        (names[i], ctx.layout.index(names[i]), ctx.layout.index(names[i + 1]))
        for i in range(0, len(names), 2)
    ]

    def check(raw: Sequence[str], values: Sequence[Any]) -> RowResult:
        for name, time_column, date_column in pairs:
            if raw[time_column] and not raw[date_column]:
                return name
        return False

    return check


# --- row checks: reference data -----------------------------------------------------------


def _reference_day(ctx: CheckContext) -> Callable[[Sequence[Any]], date | None]:
    """The date codes must be valid on: the test date (v1); the end, else start, date (v2)."""
    if ctx.version == 1:
        column = ctx.layout.index("test_date")
        return lambda values: values[column]
    end = ctx.layout.index("procedure_end_timestamp")
    start = ctx.layout.index("procedure_start_timestamp")

    def day(values: Sequence[Any]) -> date | None:
        moment = values[end] if values[end] is not None else values[start]
        return None if moment is None else moment.date()

    return day


def reads(rule: Rule, ctx: CheckContext) -> tuple[int, ...]:
    """The columns a rule's row check reads: its items', and a code rule's day
    (:func:`_reference_day`), which may be read from an item the rule does not name."""
    names = [name for name in rule.items(ctx.version) if name in ctx.layout]
    if {"nicip_code", "snomed_code"} & set(names) and rule.code in NEEDS:
        names += ["test_date"] if ctx.version == 1 else [
            "procedure_end_timestamp", "procedure_start_timestamp"]
    return tuple(sorted({ctx.layout.index(name) for name in names}))


def passes_without(rule: Rule, ctx: CheckContext) -> tuple[int, ...]:
    """The columns without whose value a rule's row check passes: a row that holds no value
    in one of them (a blank, or a text that parses to none) breaks no such rule. They are
    the dates and timestamps of the rules about moments (:func:`_in_order`,
    :func:`_within_days`, :func:`_report_within_month`,
    :func:`_birth_within_months_of_request`), which skip a side that is absent; a time item
    is not one of them (without it, its date alone is compared)."""
    if ROW_CHECKS.get((rule.code, ctx.version)) not in _ABSENT_MOMENT_PASSES:
        return ()
    return tuple(sorted(ctx.layout.index(name) for name in rule.items(ctx.version)
                        if name in ctx.layout
                        and ctx.layout[name].kind in (Kind.DATE, Kind.TIMESTAMP)))


_ABSENT_MOMENT_PASSES: frozenset[RowFactory] = frozenset(
    {_in_order, _within_days, _report_within_month, _birth_within_months_of_request})

_CODE_SYSTEMS = {"nicip_code": ("nicip", nicip), "snomed_code": ("snomed_ct", snomed_ct)}


def _code_system(rule: Rule, ctx: CheckContext) -> tuple[int, Any, CodeReference | None]:
    name = _item_of(rule, ctx)
    source, module = _CODE_SYSTEMS[name]
    return ctx.layout.index(name), module, getattr(ctx.reference, source)


@row_check("DIDS057", versions=(1,), needs=("nicip",),
           unchecked="validity on the test date (NICIP reference data); the format is checked")
@row_check("DIDS059", versions=(1,), needs=("snomed_ct",),
           unchecked="validity on the test date (SNOMED CT reference data); the format is "
           "checked")
@row_check("DIDS00300302", versions=(2,), needs=("nicip",),
           unchecked="validity on the procedure date (NICIP reference data); the format is "
           "checked")
@row_check("DIDS00300402", versions=(2,), needs=("snomed_ct",),
           unchecked="refset membership on the procedure date (SNOMED CT reference data); the "
           "format is checked")
def _code_valid(rule: Rule, ctx: CheckContext) -> RowCheck:
    """A malformed code can never be in the reference data, so it fails without any. A file
    uses a few hundred codes: the form of each is checked once (of the last 4,096)."""
    column, module, reference = _code_system(rule, ctx)
    day_of = _reference_day(ctx)
    version = ctx.version
    well_formed: Callable[[str], bool] = functools.lru_cache(maxsize=1 << 12)(module.is_valid)

    def check(raw: Sequence[str], values: Sequence[Any]) -> bool:
        text = raw[column]
        if not text:
            return False
        if not well_formed(text):
            return True
        day = day_of(values)
        if reference is None or day is None:
            return False
        status = code_status(reference.lookup(text), day, version)
        return status not in (CodeStatus.ACTIVE, CodeStatus.GRACE)

    return check


@row_check("DIDS077", needs=("nicip",))
@row_check("DIDS078", needs=("snomed_ct",))
def _code_in_grace(rule: Rule, ctx: CheckContext) -> RowCheck | None:
    column, module, reference = _code_system(rule, ctx)
    if reference is None:
        return None
    day_of = _reference_day(ctx)
    version = ctx.version

    def check(raw: Sequence[str], values: Sequence[Any]) -> bool:
        text, day = raw[column], day_of(values)
        if not text or day is None or not module.is_valid(text):
            return False
        return code_status(reference.lookup(text), day, version) is CodeStatus.GRACE

    return check


@row_check("DIDS082", versions=(1,), needs=("nicip", "snomed_ct"))
@row_check("DIDSREJ012", versions=(2,), needs=("nicip", "snomed_ct"))
def _codes_agree(rule: Rule, ctx: CheckContext) -> RowCheck | None:
    nicips, snomeds = ctx.reference.nicip, ctx.reference.snomed_ct
    if nicips is None or snomeds is None:
        return None
    nicip_column, snomed_column = ctx.layout.index("nicip_code"), ctx.layout.index("snomed_code")
    day_of = _reference_day(ctx)
    version = ctx.version
    accepted = (
        {CodeStatus.ACTIVE} if version == 1 else {CodeStatus.ACTIVE, CodeStatus.GRACE}
    )

    def check(raw: Sequence[str], values: Sequence[Any]) -> bool:
        nicip_text, snomed_text, day = raw[nicip_column], raw[snomed_column], day_of(values)
        if not nicip_text or not snomed_text or day is None:
            return False
        nicip_entry = nicips.lookup(nicip_text)
        snomed_entry = snomeds.lookup(snomed_text)
        if (
            nicip_entry is None
            or code_status(nicip_entry, day, version) not in accepted
            or code_status(snomed_entry, day, version) not in accepted
        ):
            return False
        return nicip_entry.maps_to is not None and nicip_entry.maps_to != snomed_text

    return check


@row_check("DIDS016", needs=("postcodes",))
def _postcode_known(rule: Rule, ctx: CheckContext) -> RowCheck | None:
    known = ctx.reference.postcodes
    if known is None:
        return None
    column = ctx.layout.index("postcode")

    def check(raw: Sequence[str], values: Sequence[Any]) -> bool:
        text = raw[column]
        return bool(text) and not postcode.is_zz99(text) and text.upper() not in known

    return check


#: The item each organisation rule reads: its ODS role for the defaults, and the roles an
#: organisation must hold (``None``: any).
_ORGANISATION_ITEMS: dict[str, tuple[ods.Role, frozenset[str] | None]] = {
    "gp_practice": ("gp_practice", frozenset({GP_PRACTICE, PRESCRIBING_COST_CENTRE})),
    "referring_organisation": ("organisation", frozenset({REFERRING})),
    "imaging_site": ("site", None),
}


def _organisation_lookup(rule: Rule, ctx: CheckContext) -> Callable[[str], Organisation | None]:
    """Look-up of the rule's item in ODS: ``None`` for blanks, defaults, unknown codes and
    organisations without the role the item needs."""
    organisations = ctx.reference.organisations
    assert organisations is not None
    role, roles = _ORGANISATION_ITEMS[_item_of(rule, ctx)]
    defaults = ods.defaults(role)

    def lookup(text: str) -> Organisation | None:
        code = text.upper()
        if not code or code in defaults:
            return None
        found = organisations.lookup(code)
        return found if found is not None and (roles is None or roles & found.roles) else None

    return lookup


@row_check("DIDS018", "DIDS024", "DIDS068", needs=("organisations",))
def _organisation_known(rule: Rule, ctx: CheckContext) -> RowCheck | None:
    if ctx.reference.organisations is None:
        return None
    column = ctx.layout.index(_item_of(rule, ctx))
    defaults = ods.defaults(_ORGANISATION_ITEMS[_item_of(rule, ctx)][0])
    lookup = _organisation_lookup(rule, ctx)
    site_format = _site_format(RULES["DIDS069"], ctx) if rule.code == "DIDS068" else None

    def check(raw: Sequence[str], values: Sequence[Any]) -> bool:
        text = raw[column]
        if not text or text.upper() in defaults or (site_format and site_format(text)):
            return False
        return lookup(text) is None

    return check


@row_check("DIDS079", "DIDS080", "DIDS081", needs=("organisations",))
def _organisation_live(rule: Rule, ctx: CheckContext) -> RowCheck | None:
    if ctx.reference.organisations is None:
        return None
    column = ctx.layout.index(_item_of(rule, ctx))
    lookup = _organisation_lookup(rule, ctx)
    points = _points(rule, ctx)[1:]

    def check(raw: Sequence[str], values: Sequence[Any]) -> bool:
        found = lookup(raw[column])
        if found is None:
            return False
        day = next((p for p in (point(values) for point in points) if p is not None), None)
        return day is not None and not found.live_on(_local_date(day))

    return check

