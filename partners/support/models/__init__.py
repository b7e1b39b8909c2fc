"""Support tickets' models, one module per area; import from `partners.support.models`."""

from .choices import (
    ACTIVE_STATUSES,
    TICKET_TRANSITIONS,
    TicketCategory,
    TicketPriority,
    TicketStatus,
)
from .rules import RoutingRule, SlaPolicy
from .tickets import (
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketStatusChange,
    breached,
    overdue,
)

__all__ = [
    "ACTIVE_STATUSES",
    "TICKET_TRANSITIONS",
    "RoutingRule",
    "SlaPolicy",
    "Ticket",
    "TicketAttachment",
    "TicketCategory",
    "TicketMessage",
    "TicketPriority",
    "TicketStatus",
    "TicketStatusChange",
    "breached",
    "overdue",
]
