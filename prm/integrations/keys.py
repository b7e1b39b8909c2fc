"""Making, revoking and checking API keys.

A key reads ``prm_<prefix>_<secret>``: the prefix finds the row, the secret is checked against
its SHA-256 (a 256-bit random secret needs no slow password hash), in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.accounts.models import User

from .models import ApiKey
from .scopes import scopes_clean

TOKEN_PREFIX = "prm"
# last_used_at is written at most this often, so a busy key does not write on every request.
TOUCH_EVERY = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *,
    name: str,
    user: User,
    scopes: list[str],
    actor: Any,
    rate_per_minute: int = 600,
) -> tuple[ApiKey, str]:
    """The new key and its token; the token is not kept and cannot be shown again."""
    if not user.is_active:
        raise ValidationError({"user": _("A key cannot act as a deactivated user.")})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        name=name.strip(),
        prefix=prefix,
        key_hash=_digest(secret),
        user=user,
        scopes=scopes_clean(scopes),
        rate_per_minute=rate_per_minute,
        created_by=actor,
    )
    key.full_clean()
    key.save()
    return key, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    """Revoking twice keeps the first revocation's time."""
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key.refresh_from_db()
    return key


def api_key_check(token: str) -> ApiKey | None:
    """The active key `token` names, with its (active) user; None for anything else."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    key = (
        ApiKey.objects.select_related("user", "user__partner")
        .filter(prefix=parts[1], revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, _digest(parts[2])):
        return None
    _touch(key)
    return key


def _touch(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
        ).update(last_used_at=now)
        key.last_used_at = now
