import pytest
from django.core.exceptions import ValidationError

from partners.credit_code import is_valid_credit_code, normalize_credit_code, validate_credit_code
from tests.factories import make_credit_code


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "91310115MA1H7GXK26", "91440300MA5FXXXX1Y", " 91330106ma2cf3qw73 "],
)
def test_valid_codes(code):
    assert is_valid_credit_code(code) is True
    validate_credit_code(code)


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("91350100M000100Y44", "checksum"),  # last character changed
        ("91310115MA1H7GXK2C", "checksum"),
        ("91350100M000100Y4", "length"),  # 17 characters
        ("91350100M000100Y433", "length"),
        ("9135010OM000100Y43", "checksum"),  # the letter O is never used
        ("91ABCDEFM000100Y43", "checksum"),  # division code must be digits
    ],
)
def test_invalid_codes_say_why(code, why):
    assert is_valid_credit_code(code) is False
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.code == why


def test_factory_codes_are_valid_and_distinct():
    codes = {make_credit_code(n) for n in range(50)}
    assert len(codes) == 50
    assert all(is_valid_credit_code(c) for c in codes)


def test_normalize():
    assert normalize_credit_code(" 9135 0100m000100y43 ") == "91350100M000100Y43"
