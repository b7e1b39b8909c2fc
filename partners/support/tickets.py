"""A ticket's life: a partner submits it (routed to an owner, with its SLA due times); the vendor
answers, reassigns and resolves it; the submitter (or their partner admin) confirms the
resolution, which closes it, or reopens it. Messages are in partners.support.replies; deadlines
and auto-close in partners.support.sla."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import Partner
from prm.accounts.access import active_user
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.bilingual import pick
from prm.core.numbering import next_number
from prm.core.workflow import transition, transition_start

from .attachments import attachments_check, attachments_save, discard_files_on_failure
from .models import (
    ACTIVE_STATUSES,
    TICKET_TRANSITIONS,
    Ticket,
    TicketCategory,
    TicketMessage,
    TicketPriority,
    TicketStatus,
    TicketStatusChange,
)
from .notices import partner_side, tell, vendor_side
from .routing import (
    DEFAULT_AUTO_CLOSE_DAYS,
    policy_terms,
    route_owner,
    sla_terms,
    vendor_staff,
)
from .selectors import tickets_visible_to

NUMBER_PREFIX = "TK"
SUBJECT_MAX = 200
TEXT_MAX = 10_000
# A name in each recipient's language, decided when their notification is written.
lazy_pick = lazy(pick, str)


def move(ticket: Ticket, to: str, *, actor: Any, reason: str = "") -> Ticket:
    moved = transition(
        ticket,
        to,
        table=TICKET_TRANSITIONS,
        history_model=TicketStatusChange,
        history_fk="ticket",
        actor=actor,
        reason=reason,
    )
    assert isinstance(moved, Ticket)
    return moved


def lock(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("partner__channel_manager", "owner", "submitter", "sla_policy")
        .get(pk=ticket.pk)
    )


def clean_text(value: str, *, field: str, required: bool = True, limit: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("Keep it under %(n)d characters.") % {"n": limit}})
    return text


# --- who may do what ----------------------------------------------------------------------------


def can_see(ticket: Ticket, user: Any) -> bool:
    return tickets_visible_to(user).filter(pk=ticket.pk).exists()


def can_handle(ticket: Ticket, user: Any) -> bool:
    """Assign and resolve: the owner, the partner's channel manager, or a vendor admin."""
    if not (active_user(user) and user.is_vendor_staff):
        return False
    if user.role == Role.ADMIN or ticket.owner_id == user.pk:
        return True
    return bool(user.role == Role.CHANNEL_MANAGER and ticket.partner.channel_manager_id == user.pk)


def can_close(ticket: Ticket, user: Any) -> bool:
    """Confirm or reopen a resolution: the submitter, or their company's partner admin. Never
    the vendor, on the partner's behalf."""
    if not (active_user(user) and user.is_partner_user and user.partner_id == ticket.partner_id):
        return False
    return bool(user.pk == ticket.submitter_id or user.role == Role.PARTNER_ADMIN)


# --- submit -------------------------------------------------------------------------------------


def _linked(model: str, partner: Partner, number: str, *, field: str) -> Any:
    """The partner's own order or deal registration by its number; another partner's is
    "not found", as if it did not exist."""
    number = (number or "").strip()
    if not number:
        return None
    found = (
        apps.get_model(model)
        ._default_manager.filter(partner=partner, number__iexact=number)
        .first()
    )
    if found is None:
        if field == "order":
            message = _("Your company has no order numbered %(number)s.")
        else:
            message = _("Your company has no deal registration numbered %(number)s.")
        raise ValidationError({field: message % {"number": number}})
    return found


@discard_files_on_failure
@transaction.atomic
def ticket_submit(
    *,
    user: Any,
    category: str,
    subject: str,
    description: str,
    priority: str = TicketPriority.NORMAL,
    order_number: str = "",
    deal_number: str = "",
    attachments: Sequence[UploadedFile] = (),
) -> Ticket:
    """A partner user's new ticket, all or nothing: errors are keyed by field (subject,
    description, category, priority, order, deal, attachments) and nothing is saved."""
    if not (active_user(user) and user.is_partner_user):
        raise PermissionDenied
    partner = Partner.objects.select_related("channel_manager").get(pk=user.partner_id)
    errors: dict[str, list[str]] = {}

    def check(fn: Any) -> Any:
        try:
            return fn()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
            return None

    subject = check(lambda: clean_text(subject, field="subject", limit=SUBJECT_MAX))
    description = check(lambda: clean_text(description, field="description"))
    if category not in TicketCategory.values:
        errors["category"] = [_("Choose what the problem is about.")]
    if priority not in TicketPriority.values:
        errors["priority"] = [_("Choose a priority.")]
    order = check(lambda: _linked("orders.Order", partner, order_number, field="order"))
    deal = check(
        lambda: _linked("deal_registration.DealRegistration", partner, deal_number, field="deal")
    )
    kinds = check(lambda: attachments_check(attachments)) or []
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    terms = sla_terms(category=category, priority=priority)
    ticket = Ticket.objects.create(
        number=next_number(NUMBER_PREFIX),
        partner=partner,
        submitter=user,
        category=category,
        priority=priority,
        subject=subject,
        description=description,
        region=partner.region,
        order=order,
        deal=deal,
        owner=route_owner(partner=partner, category=category),
        sla_policy=terms.policy,
        submitted_at=now,
        first_response_due=terms.first_response_due(now),
        resolution_due=terms.resolution_due(now),
        last_activity_at=now,
    )
    transition_start(ticket, history_model=TicketStatusChange, history_fk="ticket", actor=user)
    attachments_save(ticket, attachments, kinds, user=user)
    tell(
        vendor_side(ticket),
        ticket=ticket,
        kind="support.assigned",
        title=format_lazy(
            gettext_lazy("New ticket {number} from {partner}: {subject}"),
            number=ticket.number,
            partner=lazy_pick(partner.name, partner.name_en),
            subject=ticket.subject,
        ),
        body=ticket.description,
    )
    return ticket


# --- the vendor's handling ----------------------------------------------------------------------


@transaction.atomic
def ticket_assign(ticket: Ticket, *, user: Any, owner: User, reason: str = "") -> Ticket:
    """Give the ticket to another vendor user; they are told, the timeline keeps a note."""
    locked = lock(ticket)
    if not can_handle(locked, user):
        raise PermissionDenied
    if not (isinstance(owner, User) and vendor_staff().filter(pk=owner.pk).exists()):
        raise ValidationError({"owner": _("Tickets are owned by active vendor staff.")})
    if locked.owner_id == owner.pk:
        raise ValidationError(
            {"owner": _("%(name)s already owns this ticket.") % {"name": owner.full_name}}
        )
    if locked.status == TicketStatus.CLOSED:
        raise ValidationError(_("This ticket is closed."))
    reason = clean_text(reason, field="reason", required=False, limit=2000)
    before = locked.owner
    locked.owner = owner
    locked._audit_reason = reason  # type: ignore[attr-defined]
    locked.save(update_fields=["owner"])
    note = _("Assigned to %(new)s (was %(old)s).") % {
        "new": owner.full_name,
        "old": before.full_name if before else "—",
    }
    TicketMessage.objects.create(
        ticket=locked, author=user, internal=True, body=f"{note} {reason}".strip()
    )
    tell(
        [owner],
        ticket=locked,
        kind="support.assigned",
        title=format_lazy(
            gettext_lazy("Ticket {number} is yours: {subject}"),
            number=locked.number,
            subject=locked.subject,
        ),
        body=reason,
        skip=user,
    )
    return locked


def answered(ticket: Ticket, when: Any) -> None:
    """The vendor's first public word: recorded once (the row is locked by the caller), late
    if after its due time."""
    if ticket.first_responded_at is not None:
        return
    Ticket.objects.filter(pk=ticket.pk, first_responded_at__isnull=True).update(
        first_responded_at=when,
        first_response_breached=ticket.first_response_breached or when > ticket.first_response_due,
    )
    ticket.first_responded_at = when


@transaction.atomic
def ticket_resolve(ticket: Ticket, *, user: Any, resolution: str) -> Ticket:
    """Say what was done. The submitter is asked to confirm; unconfirmed, it closes by itself
    after the SLA policy's auto_close_days."""
    locked = lock(ticket)
    if not can_handle(locked, user):
        raise PermissionDenied
    if locked.status not in ACTIVE_STATUSES:
        raise ValidationError(_("Only a ticket being worked on can be resolved."))
    resolution = clean_text(resolution, field="resolution")
    now = timezone.now()
    answered(locked, now)
    days = locked.sla_policy.auto_close_days if locked.sla_policy else DEFAULT_AUTO_CLOSE_DAYS
    locked.resolution = resolution
    locked.resolved_at = now
    locked.auto_close_at = now + timedelta(days=days)
    locked.resolution_breached = locked.resolution_breached or now > locked.resolution_due
    locked.last_activity_at = now
    locked.save(
        update_fields=[
            "resolution",
            "resolved_at",
            "auto_close_at",
            "resolution_breached",
            "last_activity_at",
        ]
    )
    moved = move(locked, TicketStatus.RESOLVED, actor=user, reason=resolution)
    tell(
        partner_side(locked),
        ticket=locked,
        kind="support.resolved",
        title=format_lazy(
            gettext_lazy("Ticket {number} is resolved: please confirm or reopen it"),
            number=locked.number,
        ),
        body=format_lazy(
            gettext_lazy("{resolution}\n\nWithout an answer it closes by itself on {date}."),
            resolution=resolution,
            date=timezone.localtime(locked.auto_close_at).strftime("%Y-%m-%d"),
        ),
    )
    return moved


# --- the partner's answer to a resolution -------------------------------------------------------


def _resolved_for(ticket: Ticket, user: Any) -> Ticket:
    locked = lock(ticket)
    if not can_close(locked, user):
        raise PermissionDenied
    if locked.status != TicketStatus.RESOLVED:
        raise ValidationError(_("This ticket is not waiting for your confirmation."))
    return locked


@transaction.atomic
def ticket_confirm(ticket: Ticket, *, user: Any) -> Ticket:
    """The submitter (or their partner admin) agrees it is fixed: the ticket closes."""
    locked = _resolved_for(ticket, user)
    locked.closed_at = timezone.now()
    locked.auto_close_at = None
    locked.save(update_fields=["closed_at", "auto_close_at"])
    moved = move(locked, TicketStatus.CLOSED, actor=user, reason=_("Confirmed by the partner."))
    tell(
        vendor_side(locked),
        ticket=locked,
        kind="support.closed",
        title=format_lazy(
            gettext_lazy("Ticket {number} closed: the partner confirmed the resolution"),
            number=locked.number,
        ),
        email=False,
    )
    return moved


@transaction.atomic
def ticket_reopen(ticket: Ticket, *, user: Any, reason: str) -> Ticket:
    """Not fixed: back to the owner, in progress, with the partner's reason. The resolution
    clock starts again: due the policy's resolution hours from now, not yet late (the history
    row and the audit trail keep the earlier resolution and whether it was late)."""
    locked = _resolved_for(ticket, user)
    reason = clean_text(reason, field="reason", limit=2000)
    now = timezone.now()
    terms = policy_terms(locked.sla_policy, priority=locked.priority)
    locked.resolved_at = None
    locked.auto_close_at = None
    locked.resolution_due = terms.resolution_due(now)
    locked.resolution_breached = False
    locked.last_activity_at = now
    locked._audit_reason = reason  # type: ignore[attr-defined]
    locked.save(
        update_fields=[
            "resolved_at",
            "auto_close_at",
            "resolution_due",
            "resolution_breached",
            "last_activity_at",
        ]
    )
    moved = move(locked, TicketStatus.IN_PROGRESS, actor=user, reason=reason)
    tell(
        vendor_side(locked),
        ticket=locked,
        kind="support.reopened",
        title=format_lazy(
            gettext_lazy("Ticket {number} reopened: not fixed yet"), number=locked.number
        ),
        body=reason,
    )
    return moved
