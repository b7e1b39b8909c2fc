"""Agreement emails and the daily pass (expire ended terms, remind before expiry).

Each task takes ids, re-reads state and is safe to run twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from partners.models import ProgramSettings
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.jobs import job
from prm.tenancy.selectors import current_tenant, tenant_base_url, tenant_today

from .models import OPEN_STATUSES, Agreement, AgreementStatus
from .services import agreement_orphans_sweep, agreements_expire

log = logging.getLogger(__name__)


def _partner_admins(agreement: Agreement) -> list[str]:
    return list(
        User.objects.filter(
            partner_id=agreement.partner_id, role=Role.PARTNER_ADMIN, is_active=True
        ).values_list("email", flat=True)
    )


def _manager(agreement: Agreement) -> list[str]:
    manager = agreement.partner.channel_manager
    return [manager.email] if manager is not None and manager.is_active else []


def _send(kind: str, agreement: Agreement, recipients: list[str], **extra: object) -> bool:
    if not recipients:
        return False
    context = {
        "agreement": agreement,
        "vendor_name": current_tenant().name,
        "portal_url": tenant_base_url() + reverse("portal_agreements:detail", args=[agreement.pk]),
        "vendor_url": tenant_base_url() + reverse("agreements:detail", args=[agreement.pk]),
        **extra,
    }
    # Emails carry both languages, like the invitation: the recipient's setting is not known.
    with translation.override("zh-hans"):
        subject = render_to_string(f"partners/agreements/email/{kind}_subject.txt", context)
        body = render_to_string(f"partners/agreements/email/{kind}.txt", context)
    send_mail(" ".join(subject.split()), body, None, recipients)
    return True


def _load(pk: int) -> Agreement | None:
    return (
        Agreement.objects.select_related("partner__channel_manager", "template")
        .filter(pk=pk)
        .first()
    )


@job("partners.agreements.tasks.notify_agreement_issued")
def notify_agreement_issued(agreement_id: int) -> bool:
    agreement = _load(agreement_id)
    if agreement is None or agreement.status != AgreementStatus.ISSUED:
        return False
    return _send("issued", agreement, _partner_admins(agreement))


@job("partners.agreements.tasks.notify_agreement_signed")
def notify_agreement_signed(agreement_id: int) -> bool:
    agreement = _load(agreement_id)
    if agreement is None or agreement.signed_at is None:
        return False
    return _send("signed", agreement, _manager(agreement) + _partner_admins(agreement))


@job("partners.agreements.tasks.agreements_daily")
def agreements_daily() -> dict[str, int]:
    """Runs in one vendor schema: end lapsed terms, remind once before the end, sweep orphans."""
    today = tenant_today()
    expired = agreements_expire(today=today)
    days = ProgramSettings.current().expiry_reminder_days
    due = (
        Agreement.objects.filter(
            status=AgreementStatus.SIGNED,
            reminded_on=None,
            term_end__gte=today,
            term_end__lte=today + timedelta(days=days),
        )
        .exclude(renewals__status__in=OPEN_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    reminded = 0
    for pk in list(due):
        try:
            with transaction.atomic():
                # Locked and re-checked: a retry or a second worker must not send twice; marked
                # only once the mail went out, so a failed send is tried again tomorrow.
                locked = Agreement.objects.select_for_update(of=("self",)).get(pk=pk)
                if locked.reminded_on is not None:
                    continue
                agreement = _load(pk) or locked
                recipients = _partner_admins(agreement) + _manager(agreement)
                _send(
                    "expiring", agreement, recipients, days_left=(agreement.term_end - today).days
                )
                locked.reminded_on = today
                locked.save(update_fields=["reminded_on"])
                reminded += 1
        except Exception:  # one bad address must not stop the other vendors' reminders
            log.exception("expiry reminder for agreement %s failed", pk)
    return {"expired": expired, "reminded": reminded, "swept": agreement_orphans_sweep()}
