"""Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, mod-31 check."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # I, O, S, V and Z are never used
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(
        ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True)
    )
    return ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def is_valid_credit_code(value: str) -> bool:
    code = normalize_credit_code(value)
    if len(code) != 18 or any(char not in ALPHABET for char in code):
        return False
    if not code[2:8].isdigit():  # administrative division code
        return False
    return check_character(code[:17]) == code[17]


def validate_credit_code(value: str) -> None:
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="length",
            params={"n": len(code)},
        )
    if not is_valid_credit_code(code):
        raise ValidationError(
            _("%(code)s is not a valid unified social credit code (check character mismatch)."),
            code="checksum",
            params={"code": code},
        )
