"""Setting up who receives outbox events: webhook endpoints and messaging channels. Vendor admins
only; each save is one transaction with its audit entry (secrets are left out of the audit)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from prm.accounts.roles import VENDOR_ROLES

from .access import integrations_can_manage
from .events import EVENT_LABELS
from .models import MessagingChannel, MessagingKind, WebhookEndpoint

SECRET_MIN_LENGTH = 16
ROBOT_KINDS = (MessagingKind.WECOM, MessagingKind.DINGTALK)


def _require_admin(actor: Any) -> None:
    if not integrations_can_manage(actor):
        raise PermissionDenied


def secret_generate() -> str:
    return secrets.token_urlsafe(32)


def _events(event_types: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(event_types))
    if not chosen:
        raise ValidationError({"event_types": _("Choose at least one event.")})
    unknown = [code for code in chosen if code not in EVENT_LABELS]
    if unknown:
        raise ValidationError(
            {"event_types": _("Unknown event: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    return [code for code in EVENT_LABELS if code in chosen]  # catalogue order


def _http_url(field: str, url: str) -> str:
    url = (url or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise ValidationError({field: _("Enter an http:// or https:// address.")})
    return url


def _save(obj: WebhookEndpoint | MessagingChannel) -> None:
    obj.full_clean(exclude=["created_at"])
    obj.save()


# --- webhook endpoints --------------------------------------------------------------------------


def _webhook_secret(secret: str) -> str:
    secret = (secret or "").strip()
    if len(secret) < SECRET_MIN_LENGTH:
        raise ValidationError(
            {"secret": _("At least %(n)d characters.") % {"n": SECRET_MIN_LENGTH}}
        )
    return secret


@transaction.atomic
def webhook_create(
    *,
    actor: Any,
    name: str,
    url: str,
    secret: str,
    event_types: Iterable[str],
    is_active: bool = True,
) -> WebhookEndpoint:
    _require_admin(actor)
    webhook = WebhookEndpoint(
        name=(name or "").strip(),
        url=_http_url("url", url),
        secret=_webhook_secret(secret),
        event_types=_events(event_types),
        is_active=is_active,
    )
    _save(webhook)
    return webhook


@transaction.atomic
def webhook_update(
    *,
    actor: Any,
    webhook: WebhookEndpoint,
    name: str,
    url: str,
    event_types: Iterable[str],
    is_active: bool,
    new_secret: str = "",
) -> WebhookEndpoint:
    """Change an endpoint; `new_secret` replaces the signing secret, empty keeps it."""
    _require_admin(actor)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=webhook.pk)
    locked.name = (name or "").strip()
    locked.url = _http_url("url", url)
    locked.event_types = _events(event_types)
    locked.is_active = is_active
    if (new_secret or "").strip():
        locked.secret = _webhook_secret(new_secret)
    _save(locked)
    return locked


@transaction.atomic
def receiver_set_active(
    *, actor: Any, receiver: WebhookEndpoint | MessagingChannel, active: bool
) -> WebhookEndpoint | MessagingChannel:
    """Switch a webhook endpoint or a messaging channel on or off (new events only)."""
    _require_admin(actor)
    locked = type(receiver).objects.select_for_update().get(pk=receiver.pk)
    if locked.is_active != active:
        locked.is_active = active
        locked.save(update_fields=["is_active"])
    return locked


# --- messaging channels -------------------------------------------------------------------------


def _channel_fields(
    *,
    kind: str,
    webhook_url: str,
    secret: str | None,
    roles: Iterable[str],
    emails: Iterable[str],
) -> dict[str, Any]:
    """What a channel of `kind` keeps: a robot its URL (and a DingTalk robot its secret), email
    its roles and addresses. `secret` None keeps the current one."""
    if kind not in MessagingKind.values:
        raise ValidationError({"kind": _("Choose a kind of channel.")})
    webhook_url = _http_url("webhook_url", webhook_url)
    roles = list(dict.fromkeys(roles))
    emails = list(dict.fromkeys(e.strip() for e in emails if e.strip()))
    if kind in ROBOT_KINDS:
        if not webhook_url:
            raise ValidationError({"webhook_url": _("Paste the robot's webhook URL.")})
        fields: dict[str, Any] = {"webhook_url": webhook_url, "roles": [], "emails": []}
        if kind == MessagingKind.DINGTALK:
            if secret is not None:
                fields["secret"] = secret.strip()
        else:
            fields["secret"] = ""  # WeCom robots sign nothing: their key is in the URL
        return fields
    if not roles and not emails:
        raise ValidationError({"roles": _("Choose staff roles or list email addresses.")})
    if set(roles) - VENDOR_ROLES:
        raise ValidationError({"roles": _("Only vendor staff roles can receive these emails.")})
    return {"webhook_url": "", "secret": "", "roles": roles, "emails": emails}


@transaction.atomic
def channel_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    event_types: Iterable[str],
    webhook_url: str = "",
    secret: str = "",
    roles: Iterable[str] = (),
    emails: Iterable[str] = (),
    is_active: bool = True,
) -> MessagingChannel:
    _require_admin(actor)
    channel = MessagingChannel(
        name=(name or "").strip(),
        kind=kind,
        event_types=_events(event_types),
        is_active=is_active,
        **_channel_fields(
            kind=kind, webhook_url=webhook_url, secret=secret, roles=roles, emails=emails
        ),
    )
    _save(channel)
    return channel


@transaction.atomic
def channel_update(
    *,
    actor: Any,
    channel: MessagingChannel,
    name: str,
    kind: str,
    event_types: Iterable[str],
    is_active: bool,
    webhook_url: str = "",
    new_secret: str = "",
    roles: Iterable[str] = (),
    emails: Iterable[str] = (),
) -> MessagingChannel:
    """Change a channel; `new_secret` replaces a DingTalk robot's secret, empty keeps it."""
    _require_admin(actor)
    locked = MessagingChannel.objects.select_for_update().get(pk=channel.pk)
    fields = _channel_fields(
        kind=kind,
        webhook_url=webhook_url,
        secret=new_secret if (new_secret or "").strip() else None,
        roles=roles,
        emails=emails,
    )
    locked.name = (name or "").strip()
    locked.kind = kind
    locked.event_types = _events(event_types)
    locked.is_active = is_active
    for field, value in fields.items():
        setattr(locked, field, value)
    _save(locked)
    return locked
