"""Identifier validators: the hand-checked vectors of ``identifiers.md`` and junk robustness."""

from __future__ import annotations

from types import ModuleType

import pytest

from dids.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from dids.identifiers import (
    Identifier,
    accession_number,
    nhs_number,
    nicip,
    ods,
    postcode,
    referrer,
    snomed_ct,
)

MODULES = [accession_number, nhs_number, nicip, ods, postcode, referrer, snomed_ct]


@pytest.mark.parametrize(
    ("value", "compact"),
    [
        ("9434765919", "9434765919"),
        ("943 476 5919", "9434765919"),
        ("943-476-5919", "9434765919"),
        ("9990000018", "9990000018"),
        ("9990000026", "9990000026"),
        ("9990000034", "9990000034"),
        ("9990000050", "9990000050"),
        ("9990000999", "9990000999"),
        ("9999999999", "9999999999"),
    ],
)
def test_valid_nhs_numbers(value: str, compact: str) -> None:
    assert nhs_number.validate(value) == compact
    assert nhs_number.is_valid(value)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("9990000019", InvalidChecksum),  # sum 245, check value 8
        ("9991234561", InvalidChecksum),  # check value 10: no valid number
        ("999000001", InvalidLength),
        ("99900000A8", InvalidFormat),
        ("999000001８", InvalidFormat),  # full-width 8 passes str.isdigit
        ("999000001᭓", InvalidFormat),
    ],
)
def test_invalid_nhs_numbers(value: str, error: type[ValidationError]) -> None:
    with pytest.raises(error):
        nhs_number.validate(value)
    assert not nhs_number.is_valid(value)


def test_nhs_number_check_digit_worked_examples() -> None:
    assert nhs_number.calc_check_digit("943476591") == "9"  # sum 299, 11 - 2
    assert nhs_number.calc_check_digit("999000005") == "0"  # sum 253 = 23 x 11
    assert nhs_number.calc_check_digit("999123456") is None  # sum 320, check value 10


def test_nhs_number_palindrome_and_sentinel_options() -> None:
    assert nhs_number.is_valid("9990000999")
    with pytest.raises(InvalidComponent):
        nhs_number.validate("9990000999", reject_palindromes=True)
    assert not nhs_number.is_valid("9999999999", reject_sentinels=True)
    assert not nhs_number.is_valid("9999999999", reject_palindromes=True)
    assert nhs_number.is_valid("9434765919", reject_palindromes=True, reject_sentinels=True)
    assert nhs_number.format("9434765919") == "943 476 5919"


@pytest.mark.parametrize(
    "value",
    ["71651007", "60027007", "22298006", "334531000000104", "999001111000000105", "100005"],
)
def test_valid_snomed_ct(value: str) -> None:
    assert snomed_ct.validate(value) == value


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("71651008", InvalidChecksum),
        ("071651007", InvalidFormat),
        ("12345", InvalidLength),
        ("1234567890123456789", InvalidLength),
        ("71651011", InvalidComponent),  # partition 01: a description id
        ("999997", InvalidComponent),  # partition 99
        ("7165100A", InvalidFormat),
    ],
)
def test_invalid_snomed_ct(value: str, error: type[ValidationError]) -> None:
    with pytest.raises(error):
        snomed_ct.validate(value)


def test_snomed_ct_verhoeff_worked_example() -> None:
    assert snomed_ct.calc_check_digit("2229800") == "6"
    assert snomed_ct.partition("334531000000104") == "10"


@pytest.mark.parametrize(
    ("value", "valid"),
    [("XCHES", True), ("XWRIL", True), ("NC13U", True), ("UO1T", True), ("xches", True),
     ("XCHEST1", False), ("X-CHE", False), ("", False), ("   ", False)],
)
def test_nicip_shapes(value: str, valid: bool) -> None:
    assert nicip.is_valid(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [("RA701", True), ("R9998", True), ("89999", True), ("RA7", False), ("RA70-1", False),
     ("ABCDE1234567", True), ("ABCDE12345678", False), ("", False)],
)
def test_site_code_format(value: str, valid: bool) -> None:
    assert ods.is_valid(value, role="site") is valid


def test_ods_defaults_by_role() -> None:
    assert ods.defaults("organisation") == {
        "X99998", "X99999", "XMD00", "89999", "89997", "X98", "Q99"
    }
    assert ods.defaults("site") == {"89999", "89997", "R9998"}
    assert {"V81997", "V81998", "V81999", "S30063"} <= ods.defaults("gp_practice")
    assert ods.is_default(" x99999 ", role="organisation")
    assert not ods.is_default("RA701", role="site")
    assert ods.validate("ra7", role="organisation") == "RA7"
    assert ods.is_valid("V81999", role="gp_practice")
    assert not ods.is_valid("V8199", role="gp_practice")


@pytest.mark.parametrize(
    ("site", "provider"),
    [("RA701", "RA7"), ("89999", "89999"), ("R9998", "R9998"), ("TAJ01", "TAJ"),
     ("NT401", "NT401")],
)
def test_provider_code(site: str, provider: str) -> None:
    assert ods.provider_code(site) == provider


@pytest.mark.parametrize(
    ("code", "passes", "kind", "derived"),
    [
        ("C1234567", True, "Consultant", "C1234567"),
        ("C123", True, "Consultant", "C123"),
        ("CD123456", True, "Dental Consultant", "CD123456"),
        ("G1234567", True, "GP", "G1234567"),
        ("ZE123456", True, "GP N.Ireland", "ZE123456"),
        ("ZE12345", False, "GP N.Ireland", "99"),
        ("12A3456B", True, "Nurse", "12A3456B"),
        ("X9999998", True, "Not Known", "X9999998"),
        ("G9999981", True, "GP", "G9999981"),
        ("c1234567", True, "Consultant", "c1234567"),
        ("Q1234567", False, "Not Known", "99"),
        ("C12345678", False, "Not Known", "99"),
        ("GP123456", False, "Not Known", "99"),
        ("", False, "Not Known", "99"),
        ("R9999981", True, "Other health professionals", "R9999981"),
        ("PH123456", True, "Physiotherapist", "PH123456"),
    ],
)
def test_referrer_codes(code: str, passes: bool, kind: str, derived: str) -> None:
    assert referrer.is_valid(code) is passes
    assert referrer.referrer_type(code) == kind
    assert referrer.derived_code(code) == derived


@pytest.mark.parametrize(
    ("value", "valid"),
    [("LS1 4AP", True), ("SW1A 1AA", True), ("M1 1AE", True), ("EC1A 1BB", True),
     ("ls1 4ap", True), ("LS14AP", False), ("LS1  4AP", False), ("LS1 4CP", False),
     ("AB1 2CDE", False), ("ZZ99 3VZ", True), ("ZZ99 3WZ", True), ("ZZ99 1AZ", True)],
)
def test_postcodes(value: str, valid: bool) -> None:
    assert postcode.is_valid(value) is valid


def test_postcode_helpers() -> None:
    assert postcode.is_pseudo("zz99 3vz")
    assert postcode.is_zz99("zz99xx")
    assert not postcode.is_pseudo("LS1 4AP")
    assert postcode.format(" ls14ap ") == "LS1 4AP"


@pytest.mark.parametrize(
    ("value", "valid"),
    [("ACC0001234", True), ("RIS 2024 000123", True), ("A" * 20, True), ("A" * 21, False),
     ("", False), ("  ", False)],
)
def test_accession_numbers(value: str, valid: bool) -> None:
    assert accession_number.is_valid(value) is valid


JUNK: list[object] = [
    "", " ", "\t\n", "\x00", "\x00" * 10, "9" * 10_000, "᭓" * 10, "８" * 10, "٣" * 6,
    "\u200b9434765919", "9434765919\u00a0", "😀", "\ud800", "1_0", "-", "--", "ZZ99",
    "\r\n", "=cmd()", None, 9434765919, b"9434765919", [], 3.5,
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_validators_never_raise_anything_but_validation_error(
    module: ModuleType, junk: object
) -> None:
    """``is_valid`` never raises; ``validate`` raises only ``ValidationError``; no echo."""
    assert isinstance(module.is_valid(junk), bool)
    message = ""
    try:
        module.validate(junk)
    except ValidationError as error:
        message = str(error)
    if isinstance(junk, str) and len(junk) > 3:
        assert junk not in message


def test_modules_satisfy_the_protocol() -> None:
    modules: list[Identifier] = [
        accession_number, nhs_number, nicip, ods, postcode, referrer, snomed_ct
    ]
    for module in modules:
        assert callable(module.compact)
        assert callable(module.validate)


def test_error_messages_never_contain_the_input() -> None:
    for bad in ("9990000019", "99900000A8", "999000001"):
        with pytest.raises(ValidationError) as caught:
            nhs_number.validate(bad)
        assert bad not in str(caught.value)
