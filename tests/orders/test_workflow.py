"""After checkout: review steps, rejection and cancellation refunds, shipping, receipt."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from orders.checkout import CheckoutLine, checkout
from orders.ledger import balances, ledger_post
from orders.models import AccountKind, EntryKind, OrderStatus, ReviewStep, Stock
from orders.workflow import (
    order_approve,
    order_cancel,
    order_confirm_receipt,
    order_reject,
    order_ship,
    review_next,
)
from prm.accounts.roles import Role
from tests.factories import make_user

from .mall import dealer, fund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def staff(in_a):
    return {
        "desk": make_user(Role.ORDER_DESK),
        "finance": make_user(Role.FINANCE),
    }


def _stock(product) -> tuple[int, int]:
    row = Stock.objects.get(product=product)
    return row.on_hand, row.reserved


def test_without_configured_steps_the_order_desk_approves(mall, staff):
    order = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 1)])

    with pytest.raises(PermissionDenied):
        order_approve(order=order, actor=staff["finance"])
    approved = order_approve(order=order, actor=staff["desk"])

    assert approved.status == OrderStatus.APPROVED
    assert list(approved.approvals.values_list("step_name", "approved_by")) == [
        ("Order desk review", staff["desk"].pk)
    ]


def test_finance_reviews_large_orders_after_the_order_desk(mall, staff):
    ReviewStep.objects.create(position=1, name="订单审核", role=Role.ORDER_DESK)
    ReviewStep.objects.create(
        position=2, name="财务审核", role=Role.FINANCE, min_total=Decimal("5000.00")
    )
    small = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 1)])
    large = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 6)])  # 5394.00

    assert order_approve(order=small, actor=staff["desk"]).status == OrderStatus.APPROVED
    with pytest.raises(PermissionDenied):
        order_approve(order=large, actor=staff["finance"])  # not its turn yet
    after_desk = order_approve(order=large, actor=staff["desk"])
    assert (after_desk.status, review_next(after_desk).name) == (OrderStatus.SUBMITTED, "财务审核")
    assert order_approve(order=large, actor=staff["finance"]).status == OrderStatus.APPROVED


def test_rejection_gives_back_stock_and_every_payment(mall, staff):
    fund(mall.partner, prepaid="1000.00", rebate="500.00")
    order = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 2)])

    with pytest.raises(ValidationError) as caught:
        order_reject(order=order, actor=staff["desk"], reason="  ")
    rejected = order_reject(order=order, actor=staff["desk"], reason="型号停产")

    money = balances(mall.partner)
    assert "reason" in caught.value.message_dict
    assert rejected.status == OrderStatus.REJECTED
    assert (money["rebate"], money["prepaid"], money["credit"]) == (
        Decimal("500.00"),
        Decimal("1000.00"),
        Decimal("0.00"),
    )
    assert _stock(mall.lock) == (20, 0)


def test_credit_paid_back_meanwhile_is_refunded_to_the_wallet(mall, staff):
    order = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 1)])  # 899.00 credit
    ledger_post(
        partner=mall.partner,
        kind=AccountKind.CREDIT,
        amount=Decimal("-500.00"),
        entry_kind=EntryKind.PAYMENT,
    )

    order_cancel(order=order, actor=staff["desk"], reason="客户取消")

    money = balances(mall.partner)
    assert (money["credit"], money["prepaid"]) == (Decimal("0.00"), Decimal("500.00"))


def test_the_dealer_cancels_only_before_approval_and_only_its_own(mall, staff):
    first = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 1)])
    second = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 1)])
    stranger = make_user(Role.PARTNER_ADMIN, partner=dealer(mall.line))

    with pytest.raises(PermissionDenied):
        order_cancel(order=first, actor=stranger, reason="不要了")
    assert order_cancel(order=first, actor=mall.buyer, reason="下错了").status == "cancelled"
    order_approve(order=second, actor=staff["desk"])
    with pytest.raises(PermissionDenied):
        order_cancel(order=second, actor=mall.buyer, reason="不要了")
    assert order_cancel(order=second, actor=staff["desk"], reason="缺货").status == "cancelled"
    assert _stock(mall.lock) == (20, 0)


def test_partial_then_full_shipment_and_receipt(mall, staff):
    order = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 3)])
    order_approve(order=order, actor=staff["desk"])
    line = order.lines.get()

    first = order_ship(
        order=order,
        actor=staff["desk"],
        warehouse=mall.warehouse,
        carrier="顺丰",
        tracking_number="SF100",
        quantities={line.pk: 2},
    )
    order.refresh_from_db()
    assert (order.status, _stock(mall.lock)) == (OrderStatus.PARTIALLY_SHIPPED, (18, 1))
    with pytest.raises(ValidationError, match="1 left to ship, not 2"):
        order_ship(
            order=order,
            actor=staff["desk"],
            warehouse=mall.warehouse,
            carrier="顺丰",
            tracking_number="SF101",
            quantities={line.pk: 2},
        )
    order_ship(
        order=order,
        actor=staff["desk"],
        warehouse=mall.warehouse,
        carrier="顺丰",
        tracking_number="SF102",
        quantities={line.pk: 1},
    )
    order.refresh_from_db()
    assert (order.status, _stock(mall.lock)) == (OrderStatus.SHIPPED, (17, 0))
    assert first.number.startswith("SH-")
    with pytest.raises(PermissionDenied):
        order_confirm_receipt(order=order, user=staff["desk"])
    received = order_confirm_receipt(order=order, user=mall.buyer)
    assert received.status == OrderStatus.RECEIVED
    assert received.received_at is not None
    with pytest.raises(PermissionDenied):  # shipped goods come back as a return, not a cancel
        order_cancel(order=order, actor=make_user(Role.ADMIN), reason="x")


def test_shipped_orders_complete_themselves_after_the_configured_days(mall, staff):
    from datetime import timedelta

    from django.utils import timezone

    from orders.models import Shipment
    from orders.tasks import complete_shipped_orders

    order = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 1)])
    order_approve(order=order, actor=staff["desk"])
    order_ship(
        order=order,
        actor=staff["desk"],
        warehouse=mall.warehouse,
        carrier="顺丰",
        tracking_number="SF200",
        quantities={order.lines.get().pk: 1},
    )

    assert complete_shipped_orders() == 0
    Shipment.objects.filter(order=order).update(shipped_at=timezone.now() - timedelta(days=16))
    assert complete_shipped_orders() == 1
    assert complete_shipped_orders() == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert (
        order.status_changes.order_by("-pk").first().reason == "自动完成 / completed automatically"
    )


def test_a_cancelled_order_gives_back_its_promotion_units(mall, staff):
    from datetime import timedelta

    from django.utils import timezone

    from orders.models import Promotion, PromotionPartnerUsage

    now = timezone.now()
    percent = Promotion.objects.create(
        code="t-lock-off",
        name="门锁九折",
        kind="percent_off",
        percent=Decimal("10"),
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
        limit_total=5,
    )
    percent.products.add(mall.lock)
    gift = Promotion.objects.create(
        code="t-gift",
        name="买二送一",
        kind="gift",
        buy_quantity=2,
        gift_product=mall.lock,
        gift_quantity=1,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
        limit_total=10,
    )
    gift.products.add(mall.lock)
    order = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 4)])
    counted = list(Promotion.objects.order_by("pk").values_list("used_total", flat=True))

    order_cancel(order=order, actor=staff["desk"], reason="客户取消")

    assert counted == [4, 2]
    assert list(Promotion.objects.order_by("pk").values_list("used_total", flat=True)) == [0, 0]
    assert set(PromotionPartnerUsage.objects.values_list("used", flat=True)) == {0}
