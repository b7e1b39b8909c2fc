"""Protection periods (保护期): expiry, reminders, extensions, release when a partner leaves.

Protection runs to `protection_ends` inclusive (a date in the vendor's time zone). The daily job
expires what ran out; a terminated or suspended partner's claims end on its
`protection_release_at` (termination plus the program's grace days), so the customer becomes
free for others without anyone having to remember it.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner, PartnerStatus, ProgramSettings
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.workflow import transition
from prm.tenancy.selectors import tenant_base_url, tenant_today, tenant_zone

from .models import (
    DEAL_TRANSITIONS,
    DealRegistration,
    DealRegistrationStatusChange,
    DealRules,
    DealStatus,
    ExtensionStatus,
    ProtectionExtension,
)
from .registrations import _reason, deal_can_decide, deal_is_own

EXPIRING = (DealStatus.SUBMITTED, DealStatus.MORE_INFO, DealStatus.APPROVED)


def _partner_admins(partner: Partner) -> list[str]:
    return list(
        User.objects.filter(partner=partner, role=Role.PARTNER_ADMIN, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _deciders(partner: Partner) -> list[str]:
    manager = partner.channel_manager
    if manager is not None and manager.is_active and manager.email:
        return [manager.email]
    return list(
        User.objects.filter(role=Role.ADMIN, partner=None, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _mail_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        transaction.on_commit(partial(send_mail, subject, body, None, recipients))


# --- expiry -------------------------------------------------------------------------------------


def _expired_claims(today: Any) -> QuerySet[DealRegistration]:
    return DealRegistration.objects.filter(
        Q(status__in=EXPIRING, protection_ends__lt=today)
        | Q(status=DealStatus.WON, holds_claim=True, protection_ends__lt=today)
    )


def protection_expire() -> int:
    """End every protection that ran out before today; returns how many. Idempotent."""
    today = tenant_today()
    ended = 0
    for pk in _expired_claims(today).values_list("pk", flat=True):
        with transaction.atomic():
            reg = DealRegistration.objects.select_for_update().get(pk=pk)
            if reg.protection_ends is None or reg.protection_ends >= today:
                continue
            if reg.status == DealStatus.WON:
                DealRegistration.objects.filter(pk=pk).update(holds_claim=False)
            elif reg.status in EXPIRING:
                transition(
                    reg,
                    DealStatus.EXPIRED,
                    table=DEAL_TRANSITIONS,
                    history_model=DealRegistrationStatusChange,
                    history_fk="registration",
                    reason=_("Protection ended on %(date)s.") % {"date": reg.protection_ends},
                )
                DealRegistration.objects.filter(pk=pk).update(holds_claim=False, closed_on=today)
            else:
                continue
            ended += 1
    return ended


def protection_remind() -> int:
    """Tell the partner's admins once that a protection ends soon."""
    rules = DealRules.current()
    today = tenant_today()
    horizon = today + timedelta(days=rules.expiry_reminder_days)
    due = DealRegistration.objects.filter(
        status=DealStatus.APPROVED,
        protection_ends__gte=today,
        protection_ends__lte=horizon,
        protection_reminded_on=None,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in due:
        with transaction.atomic():
            reg = (
                DealRegistration.objects.select_for_update(of=("self",))
                .select_related("partner")
                .get(pk=pk)
            )
            if reg.protection_reminded_on is not None:
                continue
            _mail_on_commit(
                _("Protection of %(number)s (%(customer)s) ends on %(date)s")
                % {
                    "number": reg.number,
                    "customer": reg.customer_name,
                    "date": reg.protection_ends,
                },
                _(
                    "Close the deal or ask for an extension in the partner portal before then: "
                    "%(url)s"
                )
                % {"url": f"{tenant_base_url()}/portal/deals/{reg.pk}/"},
                _partner_admins(reg.partner),
            )
            DealRegistration.objects.filter(pk=pk).update(protection_reminded_on=today)
            sent += 1
    return sent


def approvals_remind() -> int:
    """Tell the channel manager (or the vendor admins) once that a decision is overdue."""
    now = timezone.now()
    due = DealRegistration.objects.filter(
        status=DealStatus.SUBMITTED, approval_due_at__lt=now, approval_reminded_at=None
    ).values_list("pk", flat=True)
    sent = 0
    for pk in due:
        with transaction.atomic():
            reg = (
                DealRegistration.objects.select_for_update(of=("self",))
                .select_related("partner__channel_manager")
                .get(pk=pk)
            )
            if reg.approval_reminded_at is not None or reg.status != DealStatus.SUBMITTED:
                continue
            due_at = timezone.localtime(reg.approval_due_at, tenant_zone())
            _mail_on_commit(
                _("Deal registration %(number)s is waiting for a decision since %(due)s")
                % {"number": reg.number, "due": due_at.strftime("%Y-%m-%d %H:%M")},
                _("%(partner)s registered %(customer)s. Decide here: %(url)s")
                % {
                    "partner": reg.partner.name,
                    "customer": reg.customer_name,
                    "url": f"{tenant_base_url()}/deals/{reg.pk}/",
                },
                _deciders(reg.partner),
            )
            DealRegistration.objects.filter(pk=pk).update(approval_reminded_at=now)
            sent += 1
    return sent


# --- extensions ---------------------------------------------------------------------------------


def extension_request(
    registration: DealRegistration, *, user: Any, days: int, reason: str
) -> ProtectionExtension:
    if not deal_is_own(user, registration):
        raise PermissionDenied
    if registration.status != DealStatus.APPROVED:
        raise ValidationError(_("Only approved registrations can be extended."))
    longest = DealRules.current().max_extension_days
    if not 1 <= days <= longest:
        raise ValidationError({"days": _("Ask for 1 to %(days)d days.") % {"days": longest}})
    reason = _reason(reason, required=True)
    if registration.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise ValidationError(_("An extension request is already waiting for a decision."))
    extension = ProtectionExtension.objects.create(
        registration=registration, days=days, reason=reason, requested_by=user
    )
    _mail_on_commit(
        _("%(partner)s asks to extend the protection of %(number)s by %(days)d days")
        % {"partner": registration.partner.name, "number": registration.number, "days": days},
        reason,
        _deciders(registration.partner),
    )
    return extension


def extension_decide(
    extension: ProtectionExtension, *, actor: Any, approve: bool, note: str = ""
) -> ProtectionExtension:
    registration = extension.registration
    if not deal_can_decide(actor, registration):
        raise PermissionDenied
    note = _reason(note, required=not approve)
    with transaction.atomic():
        locked = ProtectionExtension.objects.select_for_update().get(pk=extension.pk)
        if locked.status != ExtensionStatus.PENDING:
            raise ValidationError(_("This request was already decided."))
        reg = DealRegistration.objects.select_for_update().get(pk=registration.pk)
        if approve:
            if reg.status != DealStatus.APPROVED or reg.protection_ends is None:
                raise ValidationError(_("Only approved registrations can be extended."))
            reg.protection_ends += timedelta(days=locked.days)
            reg.protection_reminded_on = None
            reg.save(update_fields=["protection_ends", "protection_reminded_on"])
        locked.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return locked


# --- partners leaving ---------------------------------------------------------------------------


def release_partner_protection(partner: Partner) -> int:
    """Cap the protection of a suspended or terminated partner's claims at its release moment
    (termination: `protection_release_at`; suspension: now plus the program's grace days)."""
    if partner.status not in (PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED):
        return 0
    release_at = partner.protection_release_at or timezone.now() + timedelta(
        days=ProgramSettings.current().termination_grace_days
    )
    # Protected through the day before release: the daily job frees it on the release day.
    last_day = timezone.localtime(release_at, tenant_zone()).date() - timedelta(days=1)
    claims = DealRegistration.objects.filter(
        partner=partner, status__in=(*EXPIRING, DealStatus.WON), holds_claim=True
    )
    capped = claims.filter(Q(protection_ends=None) | Q(protection_ends__gt=last_day)).update(
        protection_ends=last_day
    )
    # Pending registrations that hold nothing end with the rest.
    DealRegistration.objects.filter(partner=partner, status__in=EXPIRING, holds_claim=False).filter(
        Q(protection_ends=None) | Q(protection_ends__gt=last_day)
    ).update(protection_ends=last_day)
    return capped


def on_partner_status_changed(*, partner: Partner, to_status: str, **kwargs: Any) -> None:
    if to_status in (PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED):
        release_partner_protection(partner)
