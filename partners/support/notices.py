"""Telling people about a ticket through the notification centre, each with a link to the
ticket's page in their own portal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.notifications import notify

from .models import Ticket
from .routing import vendor_admins


def ticket_url(ticket: Ticket, user: User) -> str:
    if user.is_partner_user:
        return reverse("portal_support:detail", args=[ticket.pk])
    return reverse("support:detail", args=[ticket.pk])


def tell(
    recipients: Iterable[User | None],
    *,
    ticket: Ticket,
    kind: str,
    title: Any,
    body: Any = "",
    email: bool = True,
    skip: User | None = None,
) -> int:
    """Notify each recipient once (never `skip`, who did it); partners get the portal's link.
    Returns how many were told."""
    people = {u.pk: u for u in recipients if u is not None and (skip is None or u.pk != skip.pk)}
    told = 0
    for partner_side in (True, False):
        group = [u for u in people.values() if u.is_partner_user == partner_side]
        if not group:
            continue
        url = ticket_url(ticket, group[0])
        told += len(
            notify(recipients=group, kind=kind, title=title, body=body, url=url, email=email)
        )
    return told


def partner_side(ticket: Ticket) -> list[User]:
    """Who answers for the partner: the submitter, or, when that login is gone, the partner's
    admins."""
    submitter = ticket.submitter
    if submitter is not None and submitter.is_active:
        return [submitter]
    return list(
        User.objects.filter(partner_id=ticket.partner_id, role=Role.PARTNER_ADMIN, is_active=True)
    )


def vendor_side(ticket: Ticket) -> list[User]:
    """Who answers for the vendor: the owner while active; else the partner's channel manager
    while active; else the vendor admins. A ticket whose owner left is never told to nobody."""
    owner = ticket.owner
    if owner is not None and owner.is_active:
        return [owner]
    manager = ticket.partner.channel_manager
    if manager is not None and manager.is_active and manager.is_vendor_staff:
        return [manager]
    return vendor_admins()
