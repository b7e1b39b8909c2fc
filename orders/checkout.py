"""Checkout: one transaction that prices, reserves stock, claims promotions and takes payment.

Order of work (each step refuses with a message saying what to change, and then nothing at all
is kept, because it is one transaction):

1. Lock the partner row; ask `partner_blockers` whether it may order (status, agreement,
   onboarding).
2. Check every line: on sale, authorized product line, minimum quantity, whole packs.
3. Quote with `orders.promotions.quote_build` (channel prices + promotions); refuse when a price
   the dealer saw in the cart has changed since.
4. Write the order and its lines, reserve stock (`orders.inventory.stock_reserve`, rows locked in
   primary-key order), claim promotion limits (conditional updates).
5. Pay: rebate credit first (at most `OrderingSettings.rebate_payment_cap` of the total), then
   the prepaid wallet, then credit for the rest, each by a conditional update that cannot take
   a balance below zero or credit above the limit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partners.gates import ORDERING, partner_blockers
from partners.models import Partner
from prm.core.money import MINOR_UNITS, quantize
from prm.core.numbering import next_number
from prm.core.workflow import transition_start

from .inventory import stock_reserve
from .ledger import accounts_lock, ledger_post
from .models import (
    AccountKind,
    EntryKind,
    Order,
    OrderingSettings,
    OrderLine,
    OrderStatusChange,
    Product,
)
from .promotions import Quote, promotions_claim, quote_build


@dataclass(frozen=True)
class CheckoutLine:
    product: Product
    quantity: int
    # The unit price the dealer was shown (cart); None when ordering without a cart (API, CSV).
    seen_unit_price: Decimal | None = None


@dataclass(frozen=True)
class PaymentSplit:
    rebate: Decimal
    prepaid: Decimal
    credit: Decimal


def line_problems(*, partner: Partner, lines: Sequence[CheckoutLine]) -> list[str]:
    """Every reason a line cannot be ordered, one message each, naming the SKU."""
    authorized = set(partner.product_lines.values_list("pk", flat=True))
    problems = []
    seen: set[int] = set()
    for line in lines:
        product, quantity = line.product, line.quantity
        sku = {"sku": product.sku}
        if product.pk in seen:
            problems.append(_("%(sku)s appears twice; put it on one line.") % sku)
        seen.add(product.pk)
        if not product.is_active:
            problems.append(_("%(sku)s is not on sale.") % sku)
        elif product.product_line_id not in authorized:
            problems.append(_("%(sku)s is not in a product line your company may sell.") % sku)
        if quantity < max(product.min_order_quantity, 1):
            problems.append(
                _("%(sku)s: order at least %(minimum)d.")
                % {**sku, "minimum": max(product.min_order_quantity, 1)}
            )
        elif quantity % product.pack_size:
            problems.append(
                _("%(sku)s is sold in packs of %(pack)d; %(quantity)d is not whole packs.")
                % {**sku, "pack": product.pack_size, "quantity": quantity}
            )
    return problems


def _stale_prices(quote: Quote, lines: Sequence[CheckoutLine]) -> list[str]:
    seen = {line.product.pk: line.seen_unit_price for line in lines}
    problems = []
    for quoted in quote.lines:
        before = seen.get(quoted.product.pk)
        if quoted.is_gift or before is None or before == quoted.unit_price:
            continue
        problems.append(
            _("The price of %(sku)s changed from %(before)s to %(now)s; review your cart.")
            % {"sku": quoted.product.sku, "before": before, "now": quoted.unit_price}
        )
    return problems


def payment_split(
    *,
    total: Decimal,
    rebate_available: Decimal,
    prepaid_available: Decimal,
    currency: str,
    use_rebate: bool = True,
    use_prepaid: bool = True,
) -> PaymentSplit:
    """How `total` is paid: rebate credit (capped), then wallet, then credit for the rest.

    The rebate cap is cut down to the currency's minor unit, never rounded up past the share.
    """
    cap_share = OrderingSettings.current().rebate_payment_cap
    minor = Decimal(1).scaleb(-MINOR_UNITS[currency])
    cap = (total * cap_share).quantize(minor, rounding=ROUND_DOWN)
    rebate = min(rebate_available, cap) if use_rebate else Decimal("0")
    prepaid = min(prepaid_available, total - rebate) if use_prepaid else Decimal("0")
    credit = total - rebate - prepaid
    return PaymentSplit(
        rebate=quantize(rebate, currency),
        prepaid=quantize(prepaid, currency),
        credit=quantize(credit, currency),
    )


@transaction.atomic
def checkout(
    *,
    partner: Partner,
    lines: Sequence[CheckoutLine],
    actor: Any = None,
    use_rebate: bool = True,
    use_prepaid: bool = True,
    ship_to: str = "",
    note: str = "",
) -> Order:
    """Place an order; raises ValidationError (a list of messages) and keeps nothing on refusal."""
    # The partner row is every checkout's first lock: a suspension, or another checkout of the
    # same partner spending the same wallet, waits for this one.
    partner = Partner.objects.select_for_update(of=("self",)).get(pk=partner.pk)
    blockers = partner_blockers(partner, ORDERING)
    if blockers:
        raise ValidationError(blockers)
    if not lines:
        raise ValidationError(_("An order needs at least one line."))
    problems = line_problems(partner=partner, lines=lines)
    if problems:
        raise ValidationError(problems)
    quote = quote_build(partner=partner, items=[(line.product, line.quantity) for line in lines])
    stale = _stale_prices(quote, lines)
    if stale:
        raise ValidationError(stale)

    order = Order.objects.create(
        # The real number is taken last, in _pay: its counter row stays locked until commit, and
        # every other checkout of the vendor waits for it (see docs/performance.md).
        number=f"SO-PENDING-{uuid.uuid4().hex[:20]}",
        partner=partner,
        currency=quote.currency,
        subtotal=quote.subtotal,
        discount_total=quote.discount_total,
        total=quote.total,
        paid_credit=quote.total,  # settled below; the CHECK holds at every statement
        placed_by=actor if getattr(actor, "is_authenticated", False) else None,
        ship_to=ship_to.strip()[:300],
        note=note.strip()[:500],
    )
    order_lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                product=q.product,
                quantity=q.quantity,
                list_price=q.list_price,
                unit_price=q.unit_price,
                price_rule=q.price_rule[:200],
                discount=q.discount,
                order_discount=q.order_discount,
                line_total=q.total,
                is_gift=q.is_gift,
                promotions=q.promotions,
            )
            for q in quote.lines
        ]
    )
    stock_reserve(lines=order_lines)
    promotions_claim(quote=quote, partner=partner)
    _pay(order, partner=partner, use_rebate=use_rebate, use_prepaid=use_prepaid, actor=actor)
    transition_start(order, history_model=OrderStatusChange, history_fk="order", actor=actor)
    return order


def _pay(
    order: Order, *, partner: Partner, use_rebate: bool, use_prepaid: bool, actor: Any
) -> None:
    accounts = accounts_lock(partner=partner, kinds=list(AccountKind))
    split = payment_split(
        total=order.total,
        rebate_available=accounts[AccountKind.REBATE].balance,
        prepaid_available=accounts[AccountKind.PREPAID].balance,
        currency=order.currency,
        use_rebate=use_rebate,
        use_prepaid=use_prepaid,
    )
    order.number = next_number("SO")
    memo = _("Order %(number)s") % {"number": order.number}
    postings = [
        (AccountKind.REBATE, -split.rebate),
        (AccountKind.PREPAID, -split.prepaid),
        (AccountKind.CREDIT, split.credit),
    ]
    for kind, amount in postings:
        if amount:
            ledger_post(
                partner=partner,
                kind=kind,
                amount=amount,
                entry_kind=EntryKind.ORDER,
                order=order,
                memo=memo,
                reference=order.number,
                actor=actor,
                account=accounts[kind],
            )
    order.paid_rebate, order.paid_prepaid, order.paid_credit = (
        split.rebate,
        split.prepaid,
        split.credit,
    )
    order.save(update_fields=["number", "paid_rebate", "paid_prepaid", "paid_credit"])
