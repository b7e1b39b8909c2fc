"""Returns (退货, RMA): services (writes) and selectors (reads).

A dealer's own users ask to return units that were shipped to it (`return_request`); the order
desk or a vendor admin approves or rejects the request, and once the goods are back it receives
them (`return_receive`): the units go back on the shelf of the chosen warehouse, the order lines
count them as returned, and the partner's prepaid wallet is credited with the refund, once.

Refunds are fixed when the return is requested, from what the dealer paid for the line
(`OrderLine.line_total`, after line and order discounts):

* a return of part of a line refunds ``line_total * units / line quantity``, rounded half-up to
  the currency's minor unit (`prm.core.money.quantize`), and never more than what is left of the
  line's total after earlier returns;
* the return that takes a line's last units refunds whatever is left of its total, so a line
  returned in full refunds exactly its ``line_total`` (e.g. 100.00 over 3 units: 33.33, 33.33,
  33.34).

"Earlier returns" are every return of the line that was not rejected: a rejected return frees its
units (and its refund) again.

Gift lines (买赠) are free and may be returned only together with paid goods of the same order,
never on their own.

Concurrency: every service locks the order row first, then the return, then the order lines
(primary-key order), then stock rows (primary-key order), then the partner's accounts; so two
returns of one order queue on the order row and cannot both take the same units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm.accounts.access import active_user
from prm.accounts.roles import Role
from prm.accounts.visibility import scope_to_partner
from prm.core.money import quantize
from prm.core.numbering import next_number
from prm.core.workflow import InvalidTransition, transition, transition_start

from .inventory import stock_restock
from .ledger import accounts_lock, ledger_post
from .models import (
    RETURN_TRANSITIONS,
    AccountKind,
    EntryKind,
    Order,
    OrderLine,
    OrderStatus,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    ReturnStatusChange,
    Stock,
    Warehouse,
)

RMA_PREFIX = "RMA"
# Who decides and receives returns.
RETURN_DESK_ROLES = frozenset({Role.ORDER_DESK, Role.ADMIN})
# Orders whose shipped units may come back.
RETURNABLE_ORDER_STATUSES = (OrderStatus.SHIPPED, OrderStatus.RECEIVED, OrderStatus.COMPLETED)
# Returns that still hold their units (and refunds) of a line.
OPEN_STATUSES = (ReturnStatus.REQUESTED, ReturnStatus.APPROVED)
# Returns whose refund counts against the line's total.
REFUNDING_STATUSES = (*OPEN_STATUSES, ReturnStatus.RECEIVED)
REASON_MAX = 2000


def quantity_field(line_pk: int) -> str:
    """The error key (and form field name) of one order line's quantity."""
    return f"line_{line_pk}"


# --- permissions --------------------------------------------------------------------------------


def return_can_decide(user: Any) -> bool:
    """Approve, reject and receive returns: the order desk and vendor admins."""
    return active_user(user) and user.is_vendor_staff and user.role in RETURN_DESK_ROLES


def _is_dealer_of(user: Any, order: Order) -> bool:
    return active_user(user) and user.is_partner_user and user.partner_id == order.partner_id


def _require_desk(actor: Any) -> None:
    if not return_can_decide(actor):
        raise PermissionDenied


# --- what may come back -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnableLine:
    line: OrderLine
    returnable: int  # shipped - returned - units held by open returns


def _units_in_open_returns() -> Coalesce:
    held = (
        ReturnLine.objects.filter(order_line=OuterRef("pk"), request__status__in=OPEN_STATUSES)
        .order_by()
        .values("order_line")
        .annotate(units=Sum("quantity"))
        .values("units")
    )
    return Coalesce(Subquery(held, output_field=IntegerField()), Value(0))


def returnable_lines(order: Order) -> list[ReturnableLine]:
    """Every line of `order` with the units that may still be asked back (one query)."""
    lines = (
        OrderLine.objects.filter(order=order)
        .select_related("product")
        .annotate(pending=_units_in_open_returns())
        .order_by("pk")
    )
    return [
        ReturnableLine(
            line=line,
            returnable=max(line.shipped_quantity - line.returned_quantity - line.pending, 0),
        )
        for line in lines
    ]


def return_can_request(user: Any, order: Order) -> bool:
    """The dealer's own users, for a shipped order with paid units left to return."""
    if not _is_dealer_of(user, order) or order.status not in RETURNABLE_ORDER_STATUSES:
        return False
    return any(r.returnable > 0 and not r.line.is_gift for r in returnable_lines(order))


# --- services -----------------------------------------------------------------------------------


def _locked_order(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("partner").get(pk=order.pk)


def _locked_request(request: ReturnRequest) -> tuple[Order, ReturnRequest]:
    """The return's order, then the return itself, locked in that order."""
    order_id = ReturnRequest.objects.values_list("order_id", flat=True).get(pk=request.pk)
    order = Order.objects.select_for_update(of=("self",)).select_related("partner").get(pk=order_id)
    locked = ReturnRequest.objects.select_for_update().get(pk=request.pk)
    locked.order = order
    return order, locked


def _refunds_so_far(line_ids: list[int]) -> dict[int, Decimal]:
    rows = (
        ReturnLine.objects.filter(order_line__in=line_ids, request__status__in=REFUNDING_STATUSES)
        .order_by()
        .values("order_line")
        .annotate(total=Sum("refund"))
    )
    return {row["order_line"]: row["total"] for row in rows}


def return_refund(
    *, line: OrderLine, quantity: int, committed: int, refunded: Decimal, currency: str
) -> Decimal:
    """What `quantity` units of `line` refund, when `committed` units of it are already returned
    or asked back and `refunded` is what those returns refund (see the module doc)."""
    left = line.line_total - refunded
    if committed + quantity >= line.quantity:
        return left
    share = quantize(line.line_total * quantity / line.quantity, currency)
    return min(share, left)


@transaction.atomic
def return_request(
    *, order: Order, user: Any, quantities: Mapping[int, int], reason: str
) -> ReturnRequest:
    """The dealer asks to return shipped units: `quantities` maps order line id → units."""
    locked = _locked_order(order)
    if not _is_dealer_of(user, locked):
        raise PermissionDenied
    if locked.status not in RETURNABLE_ORDER_STATUSES:
        raise ValidationError(_("Only goods of a shipped order can be returned."))
    errors: dict[str, Any] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why the goods are returned.")
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("At most %(n)d characters.") % {"n": REASON_MAX}
    wanted: dict[int, int] = {}
    for pk, quantity in quantities.items():
        if quantity < 0:
            errors[quantity_field(pk)] = _("A quantity cannot be negative.")
        elif quantity:
            wanted[pk] = quantity
    if not wanted and not errors:
        errors["quantities"] = _("Return at least one unit.")
    if errors:
        raise ValidationError(errors)
    lines = {
        line.pk: line
        for line in OrderLine.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(order=locked, pk__in=list(wanted))
        .order_by("pk")
        .annotate(pending=_units_in_open_returns())
    }
    if set(wanted) - set(lines):
        raise ValidationError({"quantities": _("A line to return is not part of this order.")})
    if all(lines[pk].is_gift for pk in wanted):
        raise ValidationError(
            {
                "quantities": _(
                    "Gifts cannot be returned on their own; return them with the goods they "
                    "came with."
                )
            }
        )
    refunded = _refunds_so_far(list(wanted))
    planned: list[ReturnLine] = []
    for pk in sorted(wanted):
        line, quantity = lines[pk], wanted[pk]
        committed = line.returned_quantity + line.pending
        left = line.shipped_quantity - committed
        if quantity > left:
            errors[quantity_field(pk)] = _(
                "%(sku)s: %(left)d can be returned, not %(quantity)d."
            ) % {"sku": line.product.sku, "left": max(left, 0), "quantity": quantity}
            continue
        refund = return_refund(
            line=line,
            quantity=quantity,
            committed=committed,
            refunded=refunded.get(pk, Decimal("0")),
            currency=locked.currency,
        )
        planned.append(ReturnLine(order_line=line, quantity=quantity, refund=refund))
    if errors:
        raise ValidationError(errors)
    request = ReturnRequest(
        order=locked,
        reason=reason,
        refund_total=sum((rl.refund for rl in planned), Decimal("0")),
        requested_by=user,
    )
    # The sequence step rolls back with everything else if anything below fails.
    request.number = next_number(RMA_PREFIX)
    request.save()
    for return_line in planned:
        return_line.request = request
    ReturnLine.objects.bulk_create(planned)
    transition_start(request, history_model=ReturnStatusChange, history_fk="request", actor=user)
    return request


def _move(request: ReturnRequest, status: str, *, actor: Any, reason: str = "") -> ReturnRequest:
    try:
        moved = transition(
            request,
            status,
            table=RETURN_TRANSITIONS,
            history_model=ReturnStatusChange,
            history_fk="request",
            actor=actor,
            reason=reason,
        )
    except InvalidTransition as exc:
        raise ValidationError(_wrong_status(request), code="status") from exc
    assert isinstance(moved, ReturnRequest)
    moved.order = request.order
    return moved


def _wrong_status(request: ReturnRequest) -> str:
    messages = {
        ReturnStatus.APPROVED: _("This return has already been approved."),
        ReturnStatus.REJECTED: _("This return has been rejected."),
        ReturnStatus.RECEIVED: _("This return has already been received and credited."),
        ReturnStatus.REQUESTED: _("This return must be approved first."),
    }
    return str(messages[ReturnStatus(request.status)])


@transaction.atomic
def return_approve(*, request: ReturnRequest, actor: Any) -> ReturnRequest:
    """The order desk agrees to take the goods back; the dealer may send them."""
    _require_desk(actor)
    _order, locked = _locked_request(request)
    return _move(locked, ReturnStatus.APPROVED, actor=actor)


@transaction.atomic
def return_reject(*, request: ReturnRequest, actor: Any, reason: str) -> ReturnRequest:
    """The return is refused; its units may be asked back again. The dealer sees the reason."""
    _require_desk(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the return is rejected.")})
    _order, locked = _locked_request(request)
    return _move(locked, ReturnStatus.REJECTED, actor=actor, reason=reason)


@transaction.atomic
def return_receive(*, request: ReturnRequest, actor: Any, warehouse: Warehouse) -> ReturnRequest:
    """The goods are back: restock them, count them as returned, credit the wallet, once."""
    _require_desk(actor)
    order, locked = _locked_request(request)
    if locked.status != ReturnStatus.APPROVED:
        raise ValidationError(_wrong_status(locked), code="status")
    return_lines = list(locked.lines.order_by("order_line_id"))
    order_lines = {
        line.pk: line
        for line in OrderLine.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(pk__in=[rl.order_line_id for rl in return_lines])
        .order_by("pk")
    }
    # Stock rows in primary-key order, as checkout locks them, before restocking changes them.
    list(
        Stock.objects.select_for_update(of=("self",))
        .filter(
            warehouse=warehouse,
            product_id__in={line.product_id for line in order_lines.values()},
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for return_line in return_lines:
        line = order_lines[return_line.order_line_id]
        if line.returned_quantity + return_line.quantity > line.shipped_quantity:
            raise ValidationError(
                _("%(sku)s: more units would be returned than were shipped.")
                % {"sku": line.product.sku}
            )
        stock_restock(
            product=line.product,
            warehouse=warehouse,
            quantity=return_line.quantity,
            order_line=line,
            memo=locked.number,
        )
        OrderLine.objects.filter(pk=line.pk).update(
            returned_quantity=F("returned_quantity") + return_line.quantity
        )
    if locked.refund_total:
        accounts_lock(partner=order.partner, kinds=[AccountKind.PREPAID])
        ledger_post(
            partner=order.partner,
            kind=AccountKind.PREPAID,
            amount=locked.refund_total,
            entry_kind=EntryKind.RETURN,
            order=order,
            memo=_("Return %(number)s of order %(order)s")
            % {"number": locked.number, "order": order.number},
            reference=locked.number,
            actor=actor,
        )
    return _move(locked, ReturnStatus.RECEIVED, actor=actor, reason=str(warehouse))


# --- selectors ----------------------------------------------------------------------------------


def returns_visible_to(user: Any) -> QuerySet[ReturnRequest]:
    qs = ReturnRequest.objects.select_related("order", "order__partner", "requested_by")
    return scope_to_partner(qs, user, partner_path="order__partner")


def return_get_visible(*, user: Any, pk: int) -> ReturnRequest | None:
    return returns_visible_to(user).filter(pk=pk).first()


def return_lines(request: ReturnRequest) -> QuerySet[ReturnLine]:
    return request.lines.select_related("order_line", "order_line__product").order_by("pk")


def order_returns(*, order: Order, user: Any) -> list[ReturnRequest]:
    """The returns of one order that `user` may see, newest first."""
    return list(returns_visible_to(user).filter(order=order))


class ReturnFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    status = django_filters.ChoiceFilter(
        choices=ReturnStatus.choices,
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = ReturnRequest
        fields = ["status"]

    def search(self, qs: QuerySet[ReturnRequest], name: str, value: str) -> QuerySet[ReturnRequest]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(number__icontains=value)
            | Q(order__number__icontains=value)
            | Q(order__partner__name__icontains=value)
            | Q(order__partner__name_en__icontains=value)
        )
