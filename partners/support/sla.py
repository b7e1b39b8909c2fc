"""The periodic SLA run (partners.support.tasks.support_sla_check, every ten minutes):

1. A ticket past its first-response due time with no public reply yet, or past its resolution
   due time while not resolved, is marked breached and escalated, once per kind of breach: its
   escalation level goes up by one and escalated_at is set; the owner and the escalation contact
   (the SLA policy's escalate_to, else the partner's channel manager, else the vendor admins;
   the vendor admins when that is only the owner again) are told; when both targets are missed
   the vendor admins are told too. An internal note records when and who was told.
2. A resolved ticket neither confirmed nor reopened by its auto_close_at closes by itself.

Each ticket is taken by a conditional update (escalation) or a skip-locked row lock (close) and
checked again, so a second run, or two runs at once, change and notify nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ACTIVE_STATUSES, Ticket, TicketMessage, TicketStatus
from .notices import partner_side, tell, vendor_side
from .routing import escalation_contacts, vendor_admins
from .tickets import move

BATCH = 500  # per kind and run; the rest is taken ten minutes later


@dataclass(frozen=True)
class Breach:
    code: str
    flag: str
    waiting: Q
    due: str


FIRST_RESPONSE = Breach(
    "first_response",
    "first_response_breached",
    Q(first_responded_at__isnull=True),
    "first_response_due",
)
RESOLUTION = Breach("resolution", "resolution_breached", Q(), "resolution_due")


def _breached(breach: Breach, now: datetime) -> Q:
    return breach.waiting & Q(
        status__in=ACTIVE_STATUSES, **{breach.flag: False, f"{breach.due}__lte": now}
    )


def _title(breach: Breach, ticket: Ticket) -> object:
    if breach is FIRST_RESPONSE:
        text = gettext_lazy("SLA missed on {number}: no first response by {due}")
    else:
        text = gettext_lazy("SLA missed on {number}: not resolved by {due}")
    due = getattr(ticket, breach.due)
    return format_lazy(
        text, number=ticket.number, due=timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
    )


def escalate(ticket_id: int, breach: Breach, now: datetime) -> bool:
    """Escalate one ticket for one breach if nobody has; True if this call did."""
    with transaction.atomic():
        taken = Ticket.objects.filter(_breached(breach, now), pk=ticket_id).update(
            **{breach.flag: True},
            escalation_level=F("escalation_level") + 1,
            escalated_at=now,
        )
        if not taken:
            return False
        ticket = Ticket.objects.select_related(
            "partner__channel_manager", "owner", "sla_policy__escalate_to"
        ).get(pk=ticket_id)
        owner_side = vendor_side(ticket)
        people = [
            *owner_side,
            *escalation_contacts(
                policy=ticket.sla_policy, partner=ticket.partner, besides=owner_side
            ),
        ]
        # Both targets missed (by the flags: a reopened ticket's level counts earlier breaches).
        if ticket.first_response_breached and ticket.resolution_breached:
            people += vendor_admins()
        title = _title(breach, ticket)
        told = list({user.pk: user for user in people}.values())
        TicketMessage.objects.create(
            ticket=ticket,
            internal=True,
            body=_("%(title)s. Escalated to level %(level)d; told: %(people)s.")
            % {
                "title": title,
                "level": ticket.escalation_level,
                "people": ", ".join(user.full_name or user.email for user in told) or "—",
            },
        )
        tell(told, ticket=ticket, kind="support.escalated", title=title, body=ticket.subject)
    return True


def auto_close(ticket_id: int, now: datetime) -> bool:
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("partner", "submitter", "sla_policy")
            .filter(pk=ticket_id, status=TicketStatus.RESOLVED, auto_close_at__lte=now)
            .first()
        )
        if ticket is None:
            return False
        ticket.closed_at = now
        ticket.save(update_fields=["closed_at"])
        move(
            ticket,
            TicketStatus.CLOSED,
            actor=None,
            reason=_("Closed automatically: the resolution was neither confirmed nor reopened."),
        )
        tell(
            partner_side(ticket),
            ticket=ticket,
            kind="support.closed",
            title=format_lazy(
                gettext_lazy("Ticket {number} closed automatically"), number=ticket.number
            ),
            email=False,
        )
    return True


def sla_check(*, now: datetime | None = None) -> dict[str, int]:
    moment = now or timezone.now()
    counts = {}
    for breach in (FIRST_RESPONSE, RESOLUTION):
        due = Ticket.objects.filter(_breached(breach, moment)).order_by(breach.due, "pk")
        ids = list(due.values_list("pk", flat=True)[:BATCH])
        counts[f"escalated_{breach.code}"] = sum(escalate(pk, breach, moment) for pk in ids)
    closing = Ticket.objects.filter(status=TicketStatus.RESOLVED, auto_close_at__lte=moment)
    ids = list(closing.order_by("auto_close_at", "pk").values_list("pk", flat=True)[:BATCH])
    counts["closed"] = sum(auto_close(pk, moment) for pk in ids)
    return counts
