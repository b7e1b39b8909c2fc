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
from prm.tenancy.selectors import tenant_base_url, tenant_today, tenant_zone

from .models import (
    DealRegistration,
    DealRules,
    DealStatus,
    ExtensionStatus,
    ProtectionExtension,
)
from .models.registrations import OPEN_STATUSES
from .registrations import (
    claim_lock,
    clean_reason,
    deal_can_decide,
    deal_is_own,
    end_registration,
    promote_next,
    require_active_partner,
)

EXPIRING = OPEN_STATUSES  # what may run out: everything still open


def _partner_admins(partner: Partner) -> list[str]:
    return list(
        User.objects.filter(partner=partner, role=Role.PARTNER_ADMIN, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _admins() -> list[str]:
    return list(
        User.objects.filter(role=Role.ADMIN, partner=None, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _deciders(partner: Partner) -> list[str]:
    manager = partner.channel_manager
    if manager is not None and manager.is_active and manager.email:
        return [manager.email]
    return _admins()


def _mail_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        transaction.on_commit(partial(send_mail, subject, body, None, recipients))


# --- expiry -------------------------------------------------------------------------------------


def _ran_out(today: Any) -> QuerySet[DealRegistration]:
    return DealRegistration.objects.filter(
        Q(status__in=EXPIRING, protection_ends__lt=today)
        | Q(status=DealStatus.MORE_INFO, answer_due_on__lt=today)
        | Q(status=DealStatus.WON, holds_claim=True, protection_ends__lt=today)
    )


def protection_expire() -> int:
    """End what ran out before today: protections (the last day is included) and requests for
    information the partner left unanswered. A won deal keeps its status and frees the customer.
    Each freed customer goes to the next registered in line. Returns how many; idempotent."""
    today = tenant_today()
    ended = 0
    for pk in _ran_out(today).values_list("pk", flat=True):
        with transaction.atomic():
            claim_lock()
            reg = DealRegistration.objects.select_for_update().get(pk=pk)
            protection_over = reg.protection_ends is not None and reg.protection_ends < today
            unanswered = reg.status == DealStatus.MORE_INFO and (
                reg.answer_due_on is not None and reg.answer_due_on < today
            )
            if reg.status == DealStatus.WON and reg.holds_claim and protection_over:
                reg.holds_claim = False
                reg._audit_reason = _("Protection ended on %(date)s.") % {  # type: ignore[attr-defined]
                    "date": reg.protection_ends
                }
                reg.save(update_fields=["holds_claim"])
                promote_next(reg)
            elif reg.status in EXPIRING and (protection_over or unanswered):
                reason = (
                    _("Protection ended on %(date)s.") % {"date": reg.protection_ends}
                    if protection_over
                    else _("No answer to the request for information by %(date)s.")
                    % {"date": reg.answer_due_on}
                )
                end_registration(reg, DealStatus.EXPIRED, actor=None, reason=reason)
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
    """A decision overdue: tell the channel manager (or the vendor admins) once; overdue by
    another full SLA period: tell the vendor admins once more."""
    now = timezone.now()
    sla = timedelta(hours=DealRules.current().approval_sla_hours)
    waiting = DealRegistration.objects.filter(status=DealStatus.SUBMITTED)
    due = waiting.filter(approval_due_at__lt=now, approval_reminded_at=None)
    escalate = waiting.filter(approval_due_at__lt=now - sla, approval_escalated_at=None).exclude(
        approval_reminded_at=None
    )
    sent = 0
    for pk in [*escalate.values_list("pk", flat=True), *due.values_list("pk", flat=True)]:
        with transaction.atomic():
            reg = (
                DealRegistration.objects.select_for_update(of=("self",))
                .select_related("partner__channel_manager")
                .get(pk=pk)
            )
            if reg.status != DealStatus.SUBMITTED or reg.approval_escalated_at is not None:
                continue
            first = reg.approval_reminded_at is None
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
                _deciders(reg.partner) if first else _admins(),
            )
            if first:
                reg.approval_reminded_at = now
            else:
                reg.approval_escalated_at = now
            DealRegistration.objects.filter(pk=pk).update(
                approval_reminded_at=reg.approval_reminded_at,
                approval_escalated_at=reg.approval_escalated_at,
            )
            sent += 1
    return sent


# --- extensions ---------------------------------------------------------------------------------


def extension_request(
    registration: DealRegistration, *, user: Any, days: int, reason: str
) -> ProtectionExtension:
    if not deal_is_own(user, registration):
        raise PermissionDenied
    require_active_partner(registration.partner)
    if registration.status != DealStatus.APPROVED:
        raise ValidationError(_("Only approved registrations can be extended."))
    longest = DealRules.current().max_extension_days
    if not 1 <= days <= longest:
        raise ValidationError({"days": _("Ask for 1 to %(days)d days.") % {"days": longest}})
    reason = clean_reason(reason, required=True)
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
    note = clean_reason(note, required=not approve)
    if approve:
        require_active_partner(registration.partner)
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
    capped = 0
    open_ones = DealRegistration.objects.filter(
        partner=partner, status__in=(*EXPIRING, DealStatus.WON), closed_on=None
    ).filter(Q(protection_ends=None) | Q(protection_ends__gt=last_day))
    # Won deals keep only a claim; a few rows per partner, saved one by one for the audit trail.
    for reg in open_ones.exclude(status=DealStatus.WON, holds_claim=False):
        reg.protection_ends = last_day
        reg._audit_reason = _("%(partner)s is %(status)s.") % {  # type: ignore[attr-defined]
            "partner": partner.name,
            "status": partner.get_status_display(),
        }
        reg.save(update_fields=["protection_ends"])
        capped += reg.holds_claim
    return capped


def on_partner_status_changed(*, partner: Partner, to_status: str, **kwargs: Any) -> None:
    if to_status in (PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED):
        release_partner_protection(partner)
