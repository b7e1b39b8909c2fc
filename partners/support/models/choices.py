"""The words tickets are described with, and the status machine as data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketCategory(models.TextChoices):
    PRODUCT_DEFECT = "defect", _("Product defect")
    DIVERSION = "diversion", _("Cross-territory diversion report")
    PRICING = "pricing", _("Pricing")
    ORDER = "order", _("Order problem")
    POLICY = "policy", _("Policy suggestion")
    OTHER = "other", _("Other")


class TicketPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TicketStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("ticket status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("ticket status", "In progress")
    WAITING = "waiting", _("Waiting for the partner")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Resolved → in progress is the submitter reopening it; resolved → closed their confirmation or
# the periodic job's auto-close. Nothing leaves closed: a new problem is a new ticket.
TICKET_TRANSITIONS: dict[str, set[str]] = {
    TicketStatus.OPEN: {TicketStatus.IN_PROGRESS, TicketStatus.WAITING, TicketStatus.RESOLVED},
    TicketStatus.IN_PROGRESS: {TicketStatus.WAITING, TicketStatus.RESOLVED},
    TicketStatus.WAITING: {TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED},
    TicketStatus.RESOLVED: {TicketStatus.CLOSED, TicketStatus.IN_PROGRESS},
    TicketStatus.CLOSED: set(),
}

# Still the vendor's to work on: takes messages, counts towards the resolution target.
ACTIVE_STATUSES = (TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.WAITING)
