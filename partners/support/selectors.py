"""What each user may see of support tickets. Every ticket page, file and action takes its rows
from here:

- a partner admin sees every ticket of its company; a partner user the ones they submitted;
- vendor staff see what prm.accounts.visibility lets them see of the partner (channel managers
  their own partners', other roles all), plus any ticket they own;
- a partner never sees internal notes, nor the files attached to them;
- anyone else sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.accounts.access import active_user
from prm.accounts.roles import Role
from prm.accounts.visibility import scope_to_partner

from .models import (
    ACTIVE_STATUSES,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketMessage,
    TicketPriority,
    TicketStatus,
    TicketStatusChange,
    breached,
    overdue,
)
from .routing import vendor_staff


def tickets_visible_to(user: Any) -> QuerySet[Ticket]:
    tickets = Ticket.objects.select_related("partner", "owner", "submitter")
    if not active_user(user):
        return tickets.none()
    scoped = scope_to_partner(tickets, user)
    if user.is_partner_user:
        return scoped if user.role == Role.PARTNER_ADMIN else scoped.filter(submitter=user)
    if user.is_vendor_staff:
        return scoped | tickets.filter(owner=user)
    return tickets.none()


def ticket_get_visible(*, user: Any, pk: int) -> Ticket | None:
    return tickets_visible_to(user).filter(pk=pk).first()


def ticket_or_404(user: Any, pk: int) -> Ticket:
    found = ticket_get_visible(user=user, pk=pk)
    if found is None:
        raise Http404
    return found


def _shown_to(user: Any) -> Q:
    """Messages (and their files) the user may read on a ticket they see."""
    return Q() if getattr(user, "is_vendor_staff", False) else Q(internal=False)


def messages_visible_to(user: Any, ticket: Ticket) -> QuerySet[TicketMessage]:
    return (
        TicketMessage.objects.filter(ticket=ticket)
        .filter(_shown_to(user))
        .select_related("author")
        .order_by("created_at", "pk")
    )


def attachment_get_visible(*, user: Any, pk: int) -> TicketAttachment | None:
    visible = TicketAttachment.objects.filter(
        pk=pk, ticket__in=tickets_visible_to(user).values("pk")
    )
    if not getattr(user, "is_vendor_staff", False):
        visible = visible.filter(Q(message__isnull=True) | Q(message__internal=False))
    return visible.first()


# --- the vendor's queue filter ------------------------------------------------------------------

ACTIVE = "active"
MINE = "mine"
OVERDUE = "overdue"
BREACHED = "breached"


class PortalTicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=[(ACTIVE, _("Not resolved yet")), *TicketStatus.choices],
        method="by_status",
        label=_("Status"),
        empty_label=_("All"),
    )

    class Meta:
        model = Ticket
        fields = ["q", "status"]

    def search(self, queryset: QuerySet[Ticket], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(subject__icontains=value))

    def by_status(self, queryset: QuerySet[Ticket], name: str, value: str) -> Any:
        if value == ACTIVE:
            return queryset.filter(status__in=ACTIVE_STATUSES)
        return queryset.filter(status=value) if value else queryset


class TicketFilter(PortalTicketFilter):
    """The vendor queue's filter. Needs the request (`TicketFilter(data, queryset=...,
    request=request)`) for "mine"."""

    category = django_filters.ChoiceFilter(
        choices=TicketCategory.choices, label=_("Category"), empty_label=_("All")
    )
    priority = django_filters.ChoiceFilter(
        choices=TicketPriority.choices, label=_("Priority"), empty_label=_("All")
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=vendor_staff().order_by("full_name", "pk"),
        label=_("Owner"),
        empty_label=_("Anyone"),
    )
    show = django_filters.ChoiceFilter(
        choices=[(MINE, _("Mine")), (OVERDUE, _("Overdue now")), (BREACHED, _("SLA breached"))],
        method="by_show",
        label=_("Show"),
        empty_label=_("All tickets"),
    )

    class Meta:
        model = Ticket
        fields = ["q", "status", "category", "priority", "owner", "show"]

    def search(self, queryset: QuerySet[Ticket], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(subject__icontains=value)
            | Q(partner__name__icontains=value)
            | Q(partner__name_en__icontains=value)
        )

    def by_show(self, queryset: QuerySet[Ticket], name: str, value: str) -> Any:
        if value == MINE:
            return queryset.filter(owner=getattr(self.request, "user", None))
        if value == OVERDUE:
            return queryset.filter(overdue(timezone.now()))
        if value == BREACHED:
            return queryset.filter(breached())
        return queryset


# --- a ticket's page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: a message (with its files) or a status change."""

    at: datetime
    message: TicketMessage | None = None
    change: TicketStatusChange | None = None


def timeline(user: Any, ticket: Ticket) -> list[Entry]:
    """Messages the user may read and every status change, oldest first."""
    files = Prefetch("attachments", queryset=TicketAttachment.objects.order_by("pk"))
    entries = [
        Entry(m.created_at, message=m)
        for m in messages_visible_to(user, ticket).prefetch_related(files)
    ]
    entries += [
        Entry(c.created_at, change=c)
        for c in ticket.status_changes.select_related("actor").exclude(from_status="")
    ]
    return sorted(entries, key=lambda e: (e.at, 0 if e.change else 1))


def opening_files(ticket: Ticket) -> list[TicketAttachment]:
    """Files sent with the ticket itself (not with a message): the partner's, never internal."""
    return list(ticket.attachments.filter(message__isnull=True).order_by("pk"))
