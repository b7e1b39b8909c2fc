"""The catalogue of outbox events: what other systems and people can subscribe to.

A code never changes once published (receivers switch on it); a new kind of event gets a new
code. docs/integrations_events.md shows each one's payload.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ORDER_APPROVED = "order.approved"
ORDER_CANCELLED = "order.cancelled"
ORDER_SHIPPED = "order.shipped"
PAYMENT_RECORDED = "payment.recorded"
DEAL_APPROVED = "deal.approved"
MDF_CLAIM_SETTLED = "mdf_claim.settled"
REBATE_SETTLED = "rebate.settled"

# Sent to one receiver from its page, to check the setup; nobody subscribes to it.
TEST = "test.ping"

EVENT_LABELS: dict[str, Promise] = {
    ORDER_APPROVED: _("Order approved"),
    ORDER_CANCELLED: _("Order cancelled"),
    ORDER_SHIPPED: _("Order shipped"),
    PAYMENT_RECORDED: _("Payment recorded"),
    DEAL_APPROVED: _("Deal registration approved"),
    MDF_CLAIM_SETTLED: _("MDF claim settled"),
    REBATE_SETTLED: _("Rebate settled"),
}

EVENT_TYPES: tuple[str, ...] = tuple(EVENT_LABELS)


def event_choices() -> list[tuple[str, Promise]]:
    """(code, label) of every event a receiver may subscribe to, for forms and filters."""
    return list(EVENT_LABELS.items())


def event_label(code: str) -> str:
    if code == TEST:
        return str(_("Test event"))
    label = EVENT_LABELS.get(code)
    return str(label) if label is not None else code
