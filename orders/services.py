from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partners.gates import ORDERING, partner_blockers
from partners.models import Partner
from prm.core.money import quantize
from prm.core.numbering import next_number
from prm.core.workflow import transition, transition_start
from prm.tenancy.selectors import current_tenant

from .models import ORDER_TRANSITIONS, Order, OrderLine, OrderStatus, OrderStatusChange, Product


@dataclass(frozen=True)
class LineRequest:
    product: Product
    quantity: int


@transaction.atomic
def order_create(
    *, partner: Partner, lines: Sequence[LineRequest], actor: Any = None, note: str = ""
) -> Order:
    # Lock the partner row: a suspension committed meanwhile must not let this order through.
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    blockers = partner_blockers(partner, ORDERING)
    if blockers:
        raise ValidationError(blockers)
    if not lines:
        raise ValidationError(_("An order needs at least one line."))
    currency = current_tenant().currency
    order = Order(
        number=next_number("SO"),
        partner=partner,
        currency=currency,
        note=note,
        placed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    rows = []
    for request in lines:
        if request.quantity < 1:
            raise ValidationError({"quantity": _("Quantity must be at least 1.")})
        if not request.product.is_active:
            raise ValidationError(
                _("%(product)s is not on sale.") % {"product": request.product.display_name}
            )
        unit_price = quantize(request.product.list_price, currency)
        rows.append(
            OrderLine(
                product=request.product,
                quantity=request.quantity,
                unit_price=unit_price,
                line_total=quantize(unit_price * request.quantity, currency),
            )
        )
    order.total = sum((row.line_total for row in rows), start=quantize("0", currency))
    order.subtotal = order.paid_credit = order.total
    order.save()
    for row in rows:
        row.order = order
    OrderLine.objects.bulk_create(rows)
    transition_start(order, history_model=OrderStatusChange, history_fk="order", actor=actor)
    return order


def order_set_status(
    *, order: Order, status: OrderStatus | str, actor: Any = None, reason: str = ""
) -> Order:
    return transition(  # type: ignore[return-value]
        order,
        status,
        table=ORDER_TRANSITIONS,
        history_model=OrderStatusChange,
        history_fk="order",
        actor=actor,
        reason=reason,
    )
