"""Triage: the vendor corrects what a ticket is about and how urgent it is.

The owner, the partner's channel manager or a vendor admin changes the category and priority of
a ticket being worked on. Its SLA terms follow the new policy: due times are computed again
from the submission (the resolution's from the last reopen, if it was reopened), the first
response already given is kept, and a breach flag is cleared only when the target is not
missed under the new due time (it has not passed yet, or the first response came before it);
a due time that has passed is left to the periodic job, which escalates it as usual. The owner
changes only when asked to route the ticket again (by the routing rules for the new category).
The change is in the audit trail and an internal note on the timeline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    ACTIVE_STATUSES,
    Ticket,
    TicketCategory,
    TicketMessage,
    TicketPriority,
    TicketStatus,
)
from .notices import tell
from .routing import route_owner, sla_terms
from .tickets import can_handle, clean_text, lock

REASON_MAX = 2000


def resolution_clock_start(ticket: Ticket) -> datetime:
    """When the resolution clock last started: the submission, or the last reopen."""
    reopened = (
        ticket.status_changes.filter(
            from_status=TicketStatus.RESOLVED, to_status=TicketStatus.IN_PROGRESS
        )
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)
        .first()
    )
    return reopened or ticket.submitted_at


def _choices(category: str, priority: str) -> None:
    errors = {}
    if category not in TicketCategory.values:
        errors["category"] = [_("Choose what the problem is about.")]
    if priority not in TicketPriority.values:
        errors["priority"] = [_("Choose a priority.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def ticket_triage(
    ticket: Ticket,
    *,
    user: Any,
    category: str,
    priority: str,
    reroute: bool = False,
    reason: str = "",
) -> Ticket:
    """Set the category and priority (and, if `reroute`, the owner the routing rules give);
    ValidationError keyed by field, nothing saved, when refused."""
    locked = lock(ticket)
    if not can_handle(locked, user):
        raise PermissionDenied
    if locked.status not in ACTIVE_STATUSES:
        raise ValidationError(_("Only a ticket being worked on can be triaged."))
    _choices(category, priority)
    reason = clean_text(reason, field="reason", required=False, limit=REASON_MAX)
    before = {
        "category": locked.get_category_display(),
        "priority": locked.get_priority_display(),
        "owner": locked.owner,
    }
    owner = route_owner(partner=locked.partner, category=category) if reroute else locked.owner
    if (category, priority, owner) == (locked.category, locked.priority, locked.owner):
        raise ValidationError(
            _("Nothing to change: the category, priority and owner are the same.")
        )

    now = timezone.now()
    terms = sla_terms(category=category, priority=priority)
    first_due = terms.first_response_due(locked.submitted_at)
    resolution_due = terms.resolution_due(resolution_clock_start(locked))
    locked.category = category
    locked.priority = priority
    locked.owner = owner
    locked.sla_policy = terms.policy
    locked.first_response_due = first_due
    locked.resolution_due = resolution_due
    if first_due > (locked.first_responded_at or now):
        locked.first_response_breached = False
    if resolution_due > now:
        locked.resolution_breached = False
    locked.last_activity_at = now
    locked._audit_reason = reason  # type: ignore[attr-defined]
    locked.save(
        update_fields=[
            "category",
            "priority",
            "owner",
            "sla_policy",
            "first_response_due",
            "resolution_due",
            "first_response_breached",
            "resolution_breached",
            "last_activity_at",
        ]
    )
    TicketMessage.objects.create(
        ticket=locked,
        author=user,
        internal=True,
        body=_note(locked, before=before, reason=reason),
    )
    if owner is not None and owner != before["owner"]:
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


def _note(ticket: Ticket, *, before: dict[str, Any], reason: str) -> str:
    owner = before["owner"]
    lines = [
        _("Triaged: %(old_category)s → %(category)s, %(old_priority)s → %(priority)s.")
        % {
            "old_category": before["category"],
            "category": ticket.get_category_display(),
            "old_priority": before["priority"],
            "priority": ticket.get_priority_display(),
        },
        _("Due: first response %(first)s, resolution %(resolution)s.")
        % {
            "first": timezone.localtime(ticket.first_response_due).strftime("%Y-%m-%d %H:%M"),
            "resolution": timezone.localtime(ticket.resolution_due).strftime("%Y-%m-%d %H:%M"),
        },
    ]
    if ticket.owner != owner:
        lines.append(
            _("Routed to %(new)s (was %(old)s).")
            % {
                "new": ticket.owner.full_name if ticket.owner else "—",
                "old": owner.full_name if owner else "—",
            }
        )
    if reason:
        lines.append(reason)
    return "\n".join(lines)
