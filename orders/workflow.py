"""An order after checkout: review, rejection or cancellation, shipping, receipt, completion.

Every move goes through `prm.core.workflow.transition` (table `ORDER_TRANSITIONS`, history row,
audit event). Review is a sequence of `ReviewStep`s: each step whose `min_total` the order reaches
must be approved, in position order, by someone with the step's role (or a vendor admin); with
no steps configured the order desk approves. Rejection and cancellation give back the stock the
order holds and every amount it was paid with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.accounts.roles import Role
from prm.core.numbering import next_number
from prm.core.workflow import transition
from prm.integrations import events as outbox_events

from .events import order_emitted, shipment_emitted
from .inventory import stock_release, stock_ship
from .ledger import accounts_lock, ledger_post
from .models import (
    ORDER_TRANSITIONS,
    AccountKind,
    EntryKind,
    Order,
    OrderApproval,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    ReviewStep,
    Shipment,
    ShipmentLine,
    Warehouse,
)
from .promotions import promotions_release

SHIPPING_ROLES = frozenset({Role.ORDER_DESK, Role.ADMIN})
AUTO_COMPLETED = "自动完成 / completed automatically"


@dataclass(frozen=True)
class Step:
    position: int
    name: str
    role: str


def review_steps(order: Order) -> list[Step]:
    configured = [
        Step(s.position, s.name, s.role)
        for s in ReviewStep.objects.filter(min_total__lte=order.total).order_by("position")
    ]
    return configured or [Step(0, str(_("Order desk review")), Role.ORDER_DESK)]


def review_next(order: Order) -> Step | None:
    """The step waiting for approval; None once every step is approved (or not submitted)."""
    if order.status != OrderStatus.SUBMITTED:
        return None
    done = set(order.approvals.values_list("step_position", flat=True))
    return next((step for step in review_steps(order) if step.position not in done), None)


def _staff(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.is_vendor_staff
    )


def order_can_review(user: Any, order: Order) -> bool:
    step = review_next(order)
    return bool(step and _staff(user) and user.role in (step.role, Role.ADMIN))


def _move(order: Order, status: str, *, actor: Any, reason: str = "") -> Order:
    moved = transition(
        order,
        status,
        table=ORDER_TRANSITIONS,
        history_model=OrderStatusChange,
        history_fk="order",
        actor=actor,
        reason=reason,
    )
    assert isinstance(moved, Order)
    return moved


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("partner").get(pk=order.pk)


@transaction.atomic
def order_approve(*, order: Order, actor: Any, note: str = "") -> Order:
    """Approve the step waiting on `actor`'s role; the last step approves the order."""
    locked = _locked(order)
    step = review_next(locked)
    if step is None:
        raise ValidationError(_("This order is not waiting for review."))
    if not order_can_review(actor, locked):
        raise PermissionDenied
    try:
        with transaction.atomic():
            OrderApproval.objects.create(
                order=locked,
                step_position=step.position,
                step_name=step.name,
                approved_by=actor,
                note=note.strip()[:300],
            )
    except IntegrityError as exc:  # two reviewers clicked at once; the other one won
        raise ValidationError(_("This step has just been approved by someone else.")) from exc
    if review_next(locked) is None:
        moved = _move(locked, OrderStatus.APPROVED, actor=actor, reason=note.strip())
        return order_emitted(outbox_events.ORDER_APPROVED, moved)
    return locked


def _give_back(order: Order, *, actor: Any, reason: str) -> None:
    """Stock the order holds goes back on the shelf, promotion units to their limits, and each
    payment where it came from."""
    stock_release(order=order)
    promotions_release(order=order)
    accounts = accounts_lock(partner=order.partner, kinds=list(AccountKind))
    memo = _("Order %(number)s: %(reason)s") % {"number": order.number, "reason": reason}
    # Credit the partner has meanwhile paid back cannot be paid back twice: that part of the
    # refund goes to its wallet instead.
    credit_back = min(order.paid_credit, accounts[AccountKind.CREDIT].balance)
    postings = [
        (AccountKind.REBATE, order.paid_rebate),
        (AccountKind.PREPAID, order.paid_prepaid + order.paid_credit - credit_back),
        (AccountKind.CREDIT, -credit_back),
    ]
    for kind, amount in postings:
        if amount:
            ledger_post(
                partner=order.partner,
                kind=kind,
                amount=amount,
                entry_kind=EntryKind.ORDER_REFUND,
                order=order,
                memo=memo[:300],
                reference=order.number,
                actor=actor,
            )


@transaction.atomic
def order_reject(*, order: Order, actor: Any, reason: str) -> Order:
    locked = _locked(order)
    if locked.status != OrderStatus.SUBMITTED:
        raise ValidationError(_("Only an order waiting for review can be rejected."))
    if not order_can_review(actor, locked):
        raise PermissionDenied
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the order is rejected.")})
    moved = _move(locked, OrderStatus.REJECTED, actor=actor, reason=reason.strip())
    _give_back(moved, actor=actor, reason=reason.strip())
    return moved


def order_can_cancel(user: Any, order: Order) -> bool:
    """The dealer until the order is approved; the order desk or an admin until it ships."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_partner_user:
        return user.partner_id == order.partner_id and order.status == OrderStatus.SUBMITTED
    return user.role in SHIPPING_ROLES and order.status in (
        OrderStatus.SUBMITTED,
        OrderStatus.APPROVED,
    )


@transaction.atomic
def order_cancel(*, order: Order, actor: Any, reason: str) -> Order:
    locked = _locked(order)
    if not order_can_cancel(actor, locked):
        raise PermissionDenied
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the order is cancelled.")})
    if locked.lines.filter(shipped_quantity__gt=0).exists():
        raise ValidationError(_("Part of this order has shipped; it can no longer be cancelled."))
    moved = _move(locked, OrderStatus.CANCELLED, actor=actor, reason=reason.strip())
    _give_back(moved, actor=actor, reason=reason.strip())
    return order_emitted(outbox_events.ORDER_CANCELLED, moved, reason=reason.strip())


@transaction.atomic
def order_ship(
    *,
    order: Order,
    actor: Any,
    warehouse: Warehouse,
    carrier: str,
    tracking_number: str,
    quantities: Mapping[int, int],
) -> Shipment:
    """Ship `quantities` (order line id → units) from one warehouse under one tracking number."""
    if not (_staff(actor) and actor.role in SHIPPING_ROLES):
        raise PermissionDenied
    locked = _locked(order)
    if locked.status not in (OrderStatus.APPROVED, OrderStatus.PARTIALLY_SHIPPED):
        raise ValidationError(_("Only an approved order can be shipped."))
    errors: dict[str, str] = {}
    if not carrier.strip():
        errors["carrier"] = _("Name the carrier.")
    if not tracking_number.strip():
        errors["tracking_number"] = _("Give the tracking number.")
    wanted = {pk: q for pk, q in quantities.items() if q}
    if not wanted:
        errors["quantities"] = _("Ship at least one unit.")
    if errors:
        raise ValidationError(errors)
    lines = {
        line.pk: line
        for line in OrderLine.objects.select_for_update()
        .filter(order=locked, pk__in=wanted)
        .order_by("pk")
    }
    if set(wanted) - set(lines):
        raise ValidationError(_("A line to ship is not part of this order."))
    shipment = Shipment.objects.create(
        number=next_number("SH"),
        order=locked,
        warehouse=warehouse,
        carrier=carrier.strip()[:60],
        tracking_number=tracking_number.strip()[:64],
        shipped_by=actor,
    )
    for pk in sorted(wanted):
        line, quantity = lines[pk], wanted[pk]
        if quantity < 0 or line.shipped_quantity + quantity > line.quantity:
            raise ValidationError(
                _("%(sku)s: %(left)d left to ship, not %(quantity)d.")
                % {
                    "sku": line.product.sku,
                    "left": line.quantity - line.shipped_quantity,
                    "quantity": quantity,
                }
            )
        stock_ship(order_line=line, quantity=quantity, warehouse=warehouse)
        line.shipped_quantity += quantity
        line.save(update_fields=["shipped_quantity"])
        ShipmentLine.objects.create(shipment=shipment, order_line=line, quantity=quantity)
    everything = not locked.lines.exclude(shipped_quantity=F("quantity")).exists()
    _move(
        locked,
        OrderStatus.SHIPPED if everything else OrderStatus.PARTIALLY_SHIPPED,
        actor=actor,
        reason=shipment.number,
    )
    return shipment_emitted(shipment)


@transaction.atomic
def order_confirm_receipt(*, order: Order, user: Any) -> Order:
    """The dealer confirms the goods arrived (签收)."""
    locked = _locked(order)
    if not (getattr(user, "is_partner_user", False) and user.partner_id == locked.partner_id):
        raise PermissionDenied
    if locked.status != OrderStatus.SHIPPED:
        raise ValidationError(_("Only a shipped order can be confirmed as received."))
    locked.received_at = timezone.now()
    locked.save(update_fields=["received_at"])
    return _move(locked, OrderStatus.RECEIVED, actor=user)


@transaction.atomic
def order_complete(*, order: Order, actor: Any = None, reason: str = "") -> Order:
    """Received (or long shipped) orders are done; counted in rebates and statements as sold."""
    locked = _locked(order)
    if locked.status not in (OrderStatus.SHIPPED, OrderStatus.RECEIVED):
        raise ValidationError(_("Only a shipped or received order can be completed."))
    return _move(locked, OrderStatus.COMPLETED, actor=actor, reason=reason)


def orders_autocomplete(*, now: Any, days: int) -> int:
    """Complete orders shipped `days` ago or more; a dealer that never confirms does not block."""
    cutoff = now - timedelta(days=days)
    due = (
        Order.objects.filter(
            status__in=[OrderStatus.SHIPPED, OrderStatus.RECEIVED],
            shipments__shipped_at__lte=cutoff,
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in list(due):
        order = Order.objects.get(pk=pk)
        if order.status in (OrderStatus.SHIPPED, OrderStatus.RECEIVED):
            order_complete(order=order, reason=AUTO_COMPLETED)
            done += 1
    return done
