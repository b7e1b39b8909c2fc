"""Two-factor sign-in: an authenticator app (TOTP) plus ten one-time backup codes (django-otp).

A user is enrolled when `User.two_factor_enabled` is set. It changes only here, in the same
transaction as the devices, so `TwoFactorRequiredMiddleware` knows whom to ask without a query.
Codes are checked by django-otp: six digits, one 30-second step of tolerance either way, never the
same step twice (`last_t`), and after each wrong code a wait that doubles (throttling).
"""

from __future__ import annotations

import math
from base64 import b32encode
from typing import Any

import django_otp
import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .roles import TWO_FACTOR_ROLES

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup codes"


def totp_issuer(device: Any) -> str:
    """The name authenticator apps list the account under: the vendor's (or the platform's)."""
    from prm.tenancy.selectors import current_tenant  # tenancy imports accounts: import late

    return current_tenant().name


def two_factor_required(*, user: User, tenant: Any) -> bool:
    """The vendor obliges this user to enrol (only vendor admins and finance staff can be)."""
    return bool(getattr(tenant, "require_two_factor", False)) and user.role in TWO_FACTOR_ROLES


def session_verified(user: Any) -> bool:
    """This request's session gave a code (django-otp's OTPMiddleware sets `is_verified`)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The authenticator being set up, unconfirmed until the user types a code it shows. The same
    one (same secret) comes back on reload or after a wrong code, so a scanned QR stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, confirmed=False, digits=6, tolerance=1
        )
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The secret as people type it into an app that cannot scan: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code, drawn here: no image service is called."""
    qr = segno.make(device.config_url, error="m")
    return str(qr.svg_inline(scale=4, border=2, title=_("QR code for your authenticator app")))


def _throttled(device: Device) -> str | None:
    allowed, info = device.verify_is_allowed()
    if allowed or not info or "locked_until" not in info:
        return None
    seconds = max(1, math.ceil((info["locked_until"] - timezone.now()).total_seconds()))
    return ngettext(
        "Too many wrong codes. Try again in %(seconds)d second.",
        "Too many wrong codes. Try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}


def _check(device: Device, code: str) -> None:
    """Raise ValidationError unless `device` accepts `code` now. A wrong code's throttle count is
    committed by django-otp even though the caller shows an error."""
    message = _throttled(device)
    if message:
        raise ValidationError(message, code="throttled")
    if django_otp.verify_token(device.user, device.persistent_id, code) is None:
        raise ValidationError(_("This code is not valid."), code="invalid")


def _normalized(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _backup_codes_create(user: User) -> list[str]:
    # New tokens on the same device: a session verified with a backup code stays verified.
    device, _created = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticToken.objects.filter(device=device).delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_enable(*, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the pending authenticator with a code it shows now; returns the backup codes, which
    are shown to the user once and stored only as django-otp's single-use tokens."""
    _check(device, _normalized(code))
    user = device.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        codes = _backup_codes_create(user)
        user.two_factor_enabled = True
        user.save(update_fields=["two_factor_enabled"])  # the audit entry of the enrolment
    device.confirmed = True
    return codes


def two_factor_verify(*, user: User, code: str) -> Device:
    """The device that accepts `code` for this sign-in: six digits are the authenticator's, anything
    else is one of the backup codes (each works once)."""
    code = _normalized(code)
    model: type[Device] = TOTPDevice if len(code) == 6 and code.isdigit() else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        raise ValidationError(_("This code is not valid."), code="invalid")
    _check(device, code)
    return device


def backup_codes_renew(*, user: User) -> list[str]:
    """Ten new backup codes; the old ones stop working."""
    with transaction.atomic():
        return _backup_codes_create(user)


def backup_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def two_factor_reset(*, user: User) -> None:
    """Remove the user's authenticator and backup codes (lost phone, or the user turns it off).
    The user then signs in with the password alone, or enrols again at once where required."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        if user.two_factor_enabled:
            user.two_factor_enabled = False
            user.save(update_fields=["two_factor_enabled"])  # audited, with who reset it
