"""How to break each rule: one mutation per (rule, layout), for the oracle and the generator.

A mutation takes a valid record as canonical text (``{python_name: text}``, blank for absent)
and changes it so that its rule fires. It also blanks or moves whatever else would fire with
it, so the record breaks nothing else except the listed *companions*: rules that necessarily
fire together with it (a request after the report is also after the procedure start). Rules
that need reference data, a submission date or metadata say so with a :class:`Setting`.

``tests/test_oracle.py`` fails for a rule without a mutation, so a new rule needs one here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import attrs
from dateutil.relativedelta import relativedelta

from dids._values import format_timestamp, parse_date, parse_timestamp
from dids.identifiers import snomed_ct
from dids.reference import Organisation, ReferenceCode

Values = dict[str, str]


@attrs.define
class Setting:
    """What a mutated record is validated with: submission date and reference overrides."""

    submitted: date | None = None
    codes: dict[str, ReferenceCode] = attrs.field(factory=dict)
    organisations: dict[str, Organisation] = attrs.field(factory=dict)
    unknown_postcodes: set[str] = attrs.field(factory=set)
    unknown_organisations: set[str] = attrs.field(factory=set)


Apply = Callable[[Values, Setting], None]


@attrs.frozen
class Mutation:
    """A way to make a valid record break ``code`` (and only its ``companions`` besides)."""

    code: str
    version: int
    apply: Apply
    companions: frozenset[str] = frozenset()


#: Mutations by (rule code, layout version).
MUTATIONS: dict[tuple[str, int], Mutation] = {}

#: Codes the oracle's reference data does not know.
UNKNOWN_POSTCODE = "QQ1 1QQ"
UNKNOWN_ORGANISATION = {"gp_practice": "U99999", "referring_organisation": "U99",
                        "imaging_site": "U9901"}


def mutation(code: str, versions: tuple[int, ...] = (1, 2), companions: tuple[str, ...] = ()
             ) -> Callable[[Apply], Apply]:
    """Register ``apply`` as the mutation of ``code`` in ``versions``."""

    def register(apply: Apply) -> Apply:
        for version in versions:
            MUTATIONS[code, version] = Mutation(code, version, apply, frozenset(companions))
        return apply

    return register


# --- helpers ---------------------------------------------------------------------------------

def _v2(values: Values) -> bool:
    return "procedure_start_timestamp" in values


def _start_name(values: Values) -> str:
    return "procedure_start_timestamp" if _v2(values) else "test_date"


def _report_name(values: Values) -> str:
    return "report_issue_timestamp" if _v2(values) else "report_issue_date"


def _day(text: str) -> date:
    return parse_timestamp(text).date() if "T" in text else parse_date(text)


def start_day(values: Values) -> date:
    """Local date of the procedure (v2) or the test date (v1)."""
    return _day(values[_start_name(values)])


def _set_event(values: Values, name: str, day: date) -> None:
    """Set a date item, or a timestamp item to ``day`` at the start's clock time and offset."""
    if name.endswith("timestamp"):
        start = parse_timestamp(values["procedure_start_timestamp"])
        moment = datetime.combine(day, start.timetz())
        values[name] = format_timestamp(moment)
    else:
        values[name] = day.isoformat()


def _blank(values: Values, *names: str) -> None:
    for name in names:
        if name in values:
            values[name] = ""


def _blank_request(values: Values) -> None:
    _blank(values, "request_date", "request_time")


def _blank_received(values: Values) -> None:
    _blank(values, "request_received_date", "request_received_time")


def _cap_birth(values: Values, latest: date) -> None:
    if values["birth_date"] and parse_date(values["birth_date"]) > latest:
        values["birth_date"] = latest.isoformat()


DEMOGRAPHICS = ("nhs_number", "birth_date", "ethnic_category", "gender", "stated_gender",
                "postcode", "gp_practice")


# --- field formats ---------------------------------------------------------------------------

@mutation("DIDS001")
def _bad_check_digit(values: Values, setting: Setting) -> None:
    number = values["nhs_number"] or "9990000018"
    values["nhs_number"] = number[:9] + str((int(number[9]) + 1) % 10)


@mutation("DIDS002", companions=("DIDS001",))
def _nine_digits(values: Values, setting: Setting) -> None:
    values["nhs_number"] = "999000001"


@mutation("DIDS003")
def _bad_status(values: Values, setting: Setting) -> None:
    values["nhs_number_status"] = "09"


@mutation("DIDS005")
def _impossible_birth(values: Values, setting: Setting) -> None:
    values["birth_date"] = "2023-02-29"


@mutation("DIDS009")
def _birth_1900(values: Values, setting: Setting) -> None:
    values["birth_date"] = "1900-01-01"


@mutation("DIDS012")
def _bad_ethnicity(values: Values, setting: Setting) -> None:
    values["ethnic_category"] = "Q"


@mutation("DIDS014", versions=(1,))
def _bad_gender_v1(values: Values, setting: Setting) -> None:
    values["gender"] = "X"


@mutation("DIDS014", versions=(2,))
def _bad_gender_v2(values: Values, setting: Setting) -> None:
    values["stated_gender"] = "0"


@mutation("DIDS017")
def _bad_postcode(values: Values, setting: Setting) -> None:
    values["postcode"] = "LS14AP"


@mutation("DIDS020")
def _no_source(values: Values, setting: Setting) -> None:
    values["patient_source_setting"] = ""


@mutation("DIDS021", versions=(1,))
def _screening_in_v1(values: Values, setting: Setting) -> None:
    values["patient_source_setting"] = "08"


@mutation("DIDS021", versions=(2,))
def _bad_source_v2(values: Values, setting: Setting) -> None:
    values["patient_source_setting"] = "09"


@mutation("DIDS023")
def _bad_referrer(values: Values, setting: Setting) -> None:
    values["referrer"] = "GP123456"


@mutation("DIDS026")
def _bad_request_date(values: Values, setting: Setting) -> None:
    values["request_date"] = "2024-13-01"


@mutation("DIDS036")
def _bad_received_date(values: Values, setting: Setting) -> None:
    values["request_received_date"] = "2024-02-30"


@mutation("DIDS045", versions=(1,))
def _bad_test_date(values: Values, setting: Setting) -> None:
    values["test_date"] = "2024-02-30"


@mutation("DIDS045", versions=(2,))
def _bad_start(values: Values, setting: Setting) -> None:
    values["procedure_start_timestamp"] = values["procedure_start_timestamp"][:19]


@mutation("DIDS061", versions=(1,))
def _bad_report_date(values: Values, setting: Setting) -> None:
    values["report_issue_date"] = "2024-13-01"


@mutation("DIDS061", versions=(2,))
def _bad_report_timestamp(values: Values, setting: Setting) -> None:
    values["report_issue_timestamp"] = "2026-04-10T14:05:00+0100"


@mutation("DIDS069")
def _short_site(values: Values, setting: Setting) -> None:
    values["imaging_site"] = "RA7"


@mutation("DIDS072")
def _long_accession(values: Values, setting: Setting) -> None:
    values["accession_number"] = (values["accession_number"] or "A").ljust(21, "X")


@mutation("X-TFC-01", versions=(2,))
def _bad_treatment_function(values: Values, setting: Setting) -> None:
    values["treatment_function"] = "999"


@mutation("X-PRI-01", versions=(2,))
def _bad_priority(values: Values, setting: Setting) -> None:
    values["request_priority"] = "4"


@mutation("X-REV-01", versions=(2,))
def _bad_indicator(values: Values, setting: Setting) -> None:
    values["referrer_evaluation"] = "y"


@mutation("X-TIM-01", versions=(2,))
def _bad_time(values: Values, setting: Setting) -> None:
    if not values["request_date"]:
        values["request_date"] = values["request_received_date"] or start_day(values).isoformat()
    values["request_time"] = "24:00:00"


@mutation("X-TIM-02", versions=(2,))
def _time_without_date(values: Values, setting: Setting) -> None:
    values["request_date"] = ""
    values["request_time"] = "10:00:00"


@mutation("X-TSP-01", versions=(2,))
def _bad_end(values: Values, setting: Setting) -> None:
    values["procedure_end_timestamp"] = values["procedure_start_timestamp"][:16]


@mutation("X-TSP-02", versions=(2,))
def _end_before_start(values: Values, setting: Setting) -> None:
    start = parse_timestamp(values["procedure_start_timestamp"])
    values["procedure_end_timestamp"] = format_timestamp(start - timedelta(seconds=1))


# --- presence ----------------------------------------------------------------------------------

@mutation("DIDS050")
def _no_start(values: Values, setting: Setting) -> None:
    values[_start_name(values)] = ""
    _blank(values, "procedure_end_timestamp")


@mutation("DIDS056")
def _no_code(values: Values, setting: Setting) -> None:
    values["nicip_code"] = values["snomed_code"] = ""


@mutation("DIDS067")
def _no_site(values: Values, setting: Setting) -> None:
    values["imaging_site"] = ""


@mutation("DIDS070")
def _no_accession(values: Values, setting: Setting) -> None:
    values["accession_number"] = ""


@mutation("DIDS073")
def _no_demographics(values: Values, setting: Setting) -> None:
    _blank(values, *DEMOGRAPHICS)


@mutation("DIDS074")
def _zz99_only(values: Values, setting: Setting) -> None:
    _blank(values, *DEMOGRAPHICS)
    values["postcode"] = "ZZ99 3VZ"


# --- order of events ---------------------------------------------------------------------------

@mutation("DIDS006")
def _born_after_start(values: Values, setting: Setting) -> None:
    values["birth_date"] = (start_day(values) + timedelta(days=1)).isoformat()
    _blank(values, _report_name(values))
    _blank_request(values)
    _blank_received(values)


@mutation("DIDS008", companions=("DIDS048",))
def _born_after_report(values: Values, setting: Setting) -> None:
    day = start_day(values)
    values["birth_date"] = day.isoformat()
    _set_event(values, _report_name(values), day - timedelta(days=1))
    _blank_request(values)
    _blank_received(values)


@mutation("DIDS010")
def _born_long_after_request(values: Values, setting: Setting) -> None:
    day = start_day(values)
    values["request_date"] = (day - timedelta(days=240)).isoformat()
    _blank(values, "request_time")
    _blank_received(values)
    values["birth_date"] = day.isoformat()


@mutation("DIDS040")
def _born_long_after_received(values: Values, setting: Setting) -> None:
    day = start_day(values)
    values["request_received_date"] = (day - timedelta(days=240)).isoformat()
    _blank(values, "request_received_time")
    _blank_request(values)
    values["birth_date"] = day.isoformat()


@mutation("DIDS027")
def _received_before_request(values: Values, setting: Setting) -> None:
    request = _day(values["request_date"]) if values["request_date"] else (
        start_day(values) - timedelta(days=10))
    values["request_date"] = request.isoformat()
    values["request_received_date"] = (request - timedelta(days=1)).isoformat()
    _cap_birth(values, request - timedelta(days=1))


@mutation("DIDS028")
def _request_over_a_year_before(values: Values, setting: Setting) -> None:
    request = start_day(values) - timedelta(days=366)
    values["request_date"] = request.isoformat()
    _blank_received(values)
    _cap_birth(values, request)


@mutation("DIDS038")
def _received_over_a_year_before(values: Values, setting: Setting) -> None:
    received = start_day(values) - timedelta(days=366)
    values["request_received_date"] = received.isoformat()
    _blank_request(values)
    _cap_birth(values, received)


@mutation("DIDS031", companions=("DIDS028",))
def _request_before_1970(values: Values, setting: Setting) -> None:
    values["request_date"] = "1969-12-31"
    _blank_received(values)
    _cap_birth(values, date(1969, 12, 31))


@mutation("DIDS041", companions=("DIDS038",))
def _received_before_1970(values: Values, setting: Setting) -> None:
    values["request_received_date"] = "1969-12-31"
    _blank_request(values)
    _cap_birth(values, date(1969, 12, 31))


@mutation("DIDS034")
def _request_after_start(values: Values, setting: Setting) -> None:
    values["request_date"] = (start_day(values) + timedelta(days=1)).isoformat()
    _blank(values, "request_time", _report_name(values))
    _blank_received(values)


@mutation("DIDS035", companions=("DIDS034",))
def _request_after_report(values: Values, setting: Setting) -> None:
    day = start_day(values)
    _set_event(values, _report_name(values), day)
    values["request_date"] = (day + timedelta(days=1)).isoformat()
    _blank(values, "request_time")
    _blank_received(values)


@mutation("DIDS043")
def _received_after_start(values: Values, setting: Setting) -> None:
    values["request_received_date"] = (start_day(values) + timedelta(days=1)).isoformat()
    _blank(values, "request_received_time", _report_name(values))
    _blank_request(values)


@mutation("DIDS044", companions=("DIDS043",))
def _received_after_report(values: Values, setting: Setting) -> None:
    day = start_day(values)
    _set_event(values, _report_name(values), day)
    values["request_received_date"] = (day + timedelta(days=1)).isoformat()
    _blank(values, "request_received_time")
    _blank_request(values)


@mutation("DIDS048")
def _report_before_start(values: Values, setting: Setting) -> None:
    report = start_day(values) - timedelta(days=1)
    _set_event(values, _report_name(values), report)
    _blank_request(values)
    _blank_received(values)
    _cap_birth(values, report)


@mutation("DIDS062")
def _late_report(values: Values, setting: Setting) -> None:
    _set_event(values, _report_name(values), start_day(values) + timedelta(days=40))


# --- submission date ---------------------------------------------------------------------------

@mutation("DIDS051")
def _start_after_submission(values: Values, setting: Setting) -> None:
    _blank(values, _report_name(values))
    setting.submitted = start_day(values) - timedelta(days=1)


@mutation("DIDS066")
def _report_after_submission(values: Values, setting: Setting) -> None:
    day = start_day(values)
    _set_event(values, _report_name(values), day + timedelta(days=1))
    setting.submitted = day


@mutation("DIDS049", versions=(1,))
def _test_4_to_6_months_back(values: Values, setting: Setting) -> None:
    setting.submitted = start_day(values) + relativedelta(months=5)


@mutation("DIDS055", versions=(1,))
def _test_over_6_months_back(values: Values, setting: Setting) -> None:
    setting.submitted = start_day(values) + relativedelta(months=8)


# --- reference data ----------------------------------------------------------------------------

@mutation("DIDS016")
def _unknown_postcode(values: Values, setting: Setting) -> None:
    values["postcode"] = UNKNOWN_POSTCODE
    setting.unknown_postcodes.add(UNKNOWN_POSTCODE)


def _unknown_organisation(name: str) -> Apply:
    def apply(values: Values, setting: Setting) -> None:
        values[name] = UNKNOWN_ORGANISATION[name]
        setting.unknown_organisations.add(UNKNOWN_ORGANISATION[name])

    return apply


mutation("DIDS018")(_unknown_organisation("gp_practice"))
mutation("DIDS024")(_unknown_organisation("referring_organisation"))
mutation("DIDS068")(_unknown_organisation("imaging_site"))


def _closed_organisation(name: str, code: str) -> Apply:
    """The organisation closed 100 days before the procedure; a request comes after that."""

    def apply(values: Values, setting: Setting) -> None:
        values[name] = code
        closed = start_day(values) - timedelta(days=100)
        setting.organisations[code] = Organisation(
            code, frozenset({"gp_practice", "referring", "site"}), close_date=closed)
        if name == "referring_organisation" and values["request_date"]:
            request = closed + timedelta(days=1)
            values["request_date"] = values["request_received_date"] = request.isoformat()
            _blank(values, "request_time", "request_received_time")
            _cap_birth(values, request)

    return apply


mutation("DIDS079")(_closed_organisation("referring_organisation", "RC1"))
mutation("DIDS080")(_closed_organisation("gp_practice", "C81001"))
mutation("DIDS081")(_closed_organisation("imaging_site", "RC101"))


def _reference_day(values: Values) -> date:
    end = values.get("procedure_end_timestamp")
    return _day(end) if end else start_day(values)


@mutation("DIDS057", versions=(1,))
@mutation("DIDS00300302", versions=(2,))
def _malformed_nicip(values: Values, setting: Setting) -> None:
    values["nicip_code"] = "X-CHE"


@mutation("DIDS059", versions=(1,))
@mutation("DIDS00300402", versions=(2,))
def _malformed_snomed(values: Values, setting: Setting) -> None:
    body = "7165100"
    good = body + snomed_ct.calc_check_digit(body)
    values["snomed_code"] = body + str((int(good[-1]) + 1) % 10)


def _in_grace(name: str) -> Apply:
    def apply(values: Values, setting: Setting) -> None:
        code = "XGRACE" if name == "nicip_code" else "22298006"
        values[name] = code
        setting.codes[code] = ReferenceCode(
            code, inactive_from=_reference_day(values) - timedelta(days=30))

    return apply


mutation("DIDS077")(_in_grace("nicip_code"))
mutation("DIDS078")(_in_grace("snomed_code"))


@mutation("DIDS082", versions=(1,))
@mutation("DIDSREJ012", versions=(2,))
def _codes_disagree(values: Values, setting: Setting) -> None:
    values["nicip_code"], values["snomed_code"] = "XMAP", "60027007"
    setting.codes["XMAP"] = ReferenceCode("XMAP", maps_to="71651007")
