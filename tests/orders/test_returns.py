"""Returns (RMA): exact refunds, what may come back, receiving once, who may do what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from orders.checkout import CheckoutLine, checkout
from orders.inventory import stock_receive
from orders.ledger import balances
from orders.models import (
    EntryKind,
    LedgerEntry,
    Order,
    OrderLine,
    Product,
    Promotion,
    PromotionKind,
    PromotionTier,
    ReturnRequest,
    ReturnStatus,
    Stock,
    StockMovement,
    Warehouse,
)
from orders.returns import (
    ReturnFilter,
    order_returns,
    return_approve,
    return_can_request,
    return_get_visible,
    return_receive,
    return_reject,
    return_request,
    returnable_lines,
    returns_visible_to,
)
from orders.workflow import order_approve, order_confirm_receipt, order_ship
from partners.models import Partner
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_product, make_user

from .mall import Mall, build_mall, dealer

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def desk(in_a):
    return make_user(Role.ORDER_DESK)


def shipped(mall: Mall, desk: User, *items: tuple[Product, int], receipt: bool = False) -> Order:
    """Given an order of `items` checked out, approved and shipped in full (and received)."""
    order = checkout(partner=mall.partner, lines=[CheckoutLine(p, q) for p, q in items])
    order_approve(order=order, actor=desk)
    order_ship(
        order=order,
        actor=desk,
        warehouse=mall.warehouse,
        carrier="顺丰",
        tracking_number=f"SF-{order.number}",
        quantities={line.pk: line.quantity for line in order.lines.all()},
    )
    if receipt:
        order_confirm_receipt(order=order, user=mall.buyer)
    order.refresh_from_db()
    return order


def line_of(order: Order, product: Product) -> OrderLine:
    return order.lines.get(product=product, is_gift=False)


def ask(mall: Mall, order: Order, *items: tuple[OrderLine, int], reason: str = "质量问题"):
    return return_request(
        order=order, user=mall.buyer, quantities={line.pk: q for line, q in items}, reason=reason
    )


def promotion(kind: str, **kw: Any) -> Promotion:
    now = timezone.now()
    steps = kw.pop("steps", ())
    products = kw.pop("products", ())
    promo = Promotion.objects.create(
        code=f"rma-{kind}-{Promotion.objects.count()}",
        name="退货测试促销",
        kind=kind,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
        **kw,
    )
    promo.products.set(products)
    PromotionTier.objects.bulk_create(
        PromotionTier(promotion=promo, threshold=D(t), discount=D(d)) for t, d in steps
    )
    return promo


def stocked(mall: Mall, price: str, units: int = 10, **kw: Any) -> Product:
    product = make_product(price, product_line=mall.line, **kw)
    stock_receive(product=product, warehouse=mall.warehouse, quantity=units)
    return product


def on_hand(product: Product, warehouse: Warehouse) -> int:
    return Stock.objects.get(product=product, warehouse=warehouse).on_hand


# --- refunds ------------------------------------------------------------------------------------


def test_a_partial_return_refunds_its_share_of_the_line_total(mall, desk):
    order = shipped(mall, desk, (mall.lock, 2))
    line = line_of(order, mall.lock)

    rma = ask(mall, order, (line, 1))

    assert line.line_total == D("1798.00")
    assert rma.number.startswith("RMA-")
    assert rma.status == ReturnStatus.REQUESTED
    assert rma.refund_total == D("899.00")
    assert list(rma.lines.values_list("order_line", "quantity", "refund")) == [
        (line.pk, 1, D("899.00"))
    ]
    assert list(rma.status_changes.values_list("from_status", "to_status", "actor")) == [
        ("", ReturnStatus.REQUESTED, mall.buyer.pk)
    ]


def test_thirds_round_half_up_and_the_last_unit_takes_what_is_left(mall, desk):
    # Given 3 units at 40.00 with 20.00 off an order of 100.00 or more: the line costs 100.00
    hub = stocked(mall, "40.00", sku="T-HUB")
    promotion(PromotionKind.THRESHOLD, steps=[("100.00", "20.00")])
    order = shipped(mall, desk, (hub, 3), receipt=True)
    line = line_of(order, hub)
    assert (line.line_total, line.order_discount) == (D("100.00"), D("20.00"))

    # When the dealer returns one unit at a time
    first = ask(mall, order, (line, 1))
    second = ask(mall, order, (line, 1))
    last = ask(mall, order, (line, 1))

    # Then 33.33 + 33.33 + the remainder 33.34 is exactly what the line cost
    assert [first.refund_total, second.refund_total, last.refund_total] == [
        D("33.33"),
        D("33.33"),
        D("33.34"),
    ]


def test_a_rejected_return_frees_its_units_and_its_refund(mall, desk):
    hub = stocked(mall, "40.00", sku="T-HUB")
    promotion(PromotionKind.THRESHOLD, steps=[("100.00", "20.00")])
    order = shipped(mall, desk, (hub, 3))
    line = line_of(order, hub)

    two = ask(mall, order, (line, 2))  # 66.67
    one = ask(mall, order, (line, 1))  # the last unit: 100.00 - 66.67
    return_reject(request=two, actor=desk, reason="未按约定包装")
    again = ask(mall, order, (line, 2))  # the last units again: 100.00 - 33.33

    assert (two.refund_total, one.refund_total, again.refund_total) == (
        D("66.67"),
        D("33.33"),
        D("66.67"),
    )


def test_a_whole_line_returned_at_once_refunds_exactly_its_total(mall, desk):
    hub = stocked(mall, "40.00", sku="T-HUB")
    promotion(PromotionKind.THRESHOLD, steps=[("100.00", "20.00")])
    order = shipped(mall, desk, (hub, 3), (mall.lock, 1))
    hub_line, lock_line = line_of(order, hub), line_of(order, mall.lock)

    rma = ask(mall, order, (hub_line, 3), (lock_line, 1))

    assert dict(rma.lines.values_list("order_line", "refund")) == {
        hub_line.pk: hub_line.line_total,
        lock_line.pk: lock_line.line_total,
    }
    assert rma.refund_total == hub_line.line_total + lock_line.line_total


# --- what may come back -------------------------------------------------------------------------


def test_cannot_return_more_than_shipped_minus_returned_minus_pending(mall, desk):
    order = shipped(mall, desk, (mall.lock, 3))
    line = line_of(order, mall.lock)
    pending = ask(mall, order, (line, 2))

    with pytest.raises(ValidationError) as too_many:
        ask(mall, order, (line, 2))
    one = ask(mall, order, (line, 1))
    with pytest.raises(ValidationError) as none_left:
        ask(mall, order, (line, 1))
    return_approve(request=pending, actor=desk)
    return_receive(request=pending, actor=desk, warehouse=mall.warehouse)
    return_reject(request=one, actor=desk, reason="超过退货期")
    line.refresh_from_db()
    last = ask(mall, order, (line, 1))
    with pytest.raises(ValidationError) as after_receipt:
        ask(mall, order, (line, 1))

    field = f"line_{line.pk}"
    assert too_many.value.message_dict == {field: ["T-LK-100: 1 can be returned, not 2."]}
    assert none_left.value.message_dict == {field: ["T-LK-100: 0 can be returned, not 1."]}
    assert after_receipt.value.message_dict == {field: ["T-LK-100: 0 can be returned, not 1."]}
    assert line.returned_quantity == 2
    assert last.refund_total == D("899.00")
    assert ReturnRequest.objects.filter(order=order).count() == 3


def test_returnable_lines_count_pending_and_returned_units(mall, desk):
    order = shipped(mall, desk, (mall.lock, 3))
    line = line_of(order, mall.lock)
    ask(mall, order, (line, 1))

    assert [(r.line.pk, r.returnable) for r in returnable_lines(order)] == [(line.pk, 2)]
    assert return_can_request(mall.buyer, order) is True
    ask(mall, order, (line, 2))
    assert return_can_request(mall.buyer, order) is False


def test_a_gift_is_refused_on_its_own_and_comes_back_free_with_its_goods(mall, desk):
    charger = stocked(mall, "39.00", sku="T-CHG")
    promotion(
        PromotionKind.GIFT, buy_quantity=1, gift_quantity=1, gift_product=charger,
        products=[mall.lock],
    )  # fmt: skip
    order = shipped(mall, desk, (mall.lock, 1))
    gift = order.lines.get(is_gift=True)
    lock = line_of(order, mall.lock)

    with pytest.raises(ValidationError) as alone:
        ask(mall, order, (gift, 1))
    together = ask(mall, order, (lock, 1), (gift, 1))

    assert (gift.product, gift.line_total) == (charger, D("0.00"))
    assert alone.value.message_dict == {
        "quantities": [
            "Gifts cannot be returned on their own; return them with the goods they came with."
        ]
    }
    assert dict(together.lines.values_list("order_line", "refund")) == {
        lock.pk: D("899.00"),
        gift.pk: D("0.00"),
    }
    assert together.refund_total == D("899.00")


def test_a_reason_and_at_least_one_unit_are_required(mall, desk):
    order = shipped(mall, desk, (mall.lock, 1))
    line = line_of(order, mall.lock)

    with pytest.raises(ValidationError) as no_reason:
        ask(mall, order, (line, 1), reason="  ")
    with pytest.raises(ValidationError) as nothing:
        ask(mall, order, (line, 0))

    assert set(no_reason.value.message_dict) == {"reason"}
    assert nothing.value.message_dict == {"quantities": ["Return at least one unit."]}
    assert not ReturnRequest.objects.filter(order=order).exists()


def test_only_shipped_orders_and_only_their_own_lines(mall, desk):
    approved = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 1)])
    order_approve(order=approved, actor=desk)
    order = shipped(mall, desk, (mall.lock, 1))

    with pytest.raises(ValidationError, match="Only goods of a shipped order"):
        ask(mall, approved, (approved.lines.get(), 1))
    with pytest.raises(ValidationError, match="not part of this order"):
        ask(mall, order, (approved.lines.get(), 1))
    assert return_can_request(mall.buyer, approved) is False


# --- receiving ----------------------------------------------------------------------------------


def test_receiving_restocks_exactly_and_credits_the_wallet_once(mall, desk):
    order = shipped(mall, desk, (mall.lock, 2), receipt=True)
    line = line_of(order, mall.lock)
    rma = ask(mall, order, (line, 1))
    before_stock = on_hand(mall.lock, mall.warehouse)
    before_prepaid = balances(mall.partner)["prepaid"]

    with pytest.raises(ValidationError, match="must be approved first"):
        return_receive(request=rma, actor=desk, warehouse=mall.warehouse)
    return_approve(request=rma, actor=desk)
    received = return_receive(request=rma, actor=desk, warehouse=mall.warehouse)
    with pytest.raises(ValidationError, match="already been received"):
        return_receive(request=rma, actor=desk, warehouse=mall.warehouse)

    line.refresh_from_db()
    assert received.status == ReturnStatus.RECEIVED
    assert on_hand(mall.lock, mall.warehouse) == before_stock + 1
    assert line.returned_quantity == 1
    assert balances(mall.partner)["prepaid"] == before_prepaid + D("899.00")
    assert list(
        LedgerEntry.objects.filter(reference=rma.number).values_list(
            "kind", "amount", "account__kind", "order"
        )
    ) == [(EntryKind.RETURN, D("899.00"), "prepaid", order.pk)]
    assert list(
        StockMovement.objects.filter(memo=rma.number).values_list(
            "kind", "on_hand_delta", "order_line"
        )
    ) == [("return", 1, line.pk)]
    assert [c.to_status for c in received.status_changes.order_by("pk")] == [
        ReturnStatus.REQUESTED,
        ReturnStatus.APPROVED,
        ReturnStatus.RECEIVED,
    ]


def test_a_return_of_gifts_and_goods_into_another_warehouse(mall, desk):
    charger = stocked(mall, "39.00", sku="T-CHG")
    promotion(
        PromotionKind.GIFT, buy_quantity=1, gift_quantity=1, gift_product=charger,
        products=[mall.lock],
    )  # fmt: skip
    order = shipped(mall, desk, (mall.lock, 2))
    gift, lock = order.lines.get(is_gift=True), line_of(order, mall.lock)
    beijing = Warehouse.objects.create(code="t-bj", name="北京仓", priority=2)
    rma = ask(mall, order, (lock, 2), (gift, 2))
    return_approve(request=rma, actor=desk)

    return_receive(request=rma, actor=desk, warehouse=beijing)

    assert (on_hand(mall.lock, beijing), on_hand(charger, beijing)) == (2, 2)
    assert set(order.lines.values_list("returned_quantity", flat=True)) == {2}
    assert LedgerEntry.objects.get(reference=rma.number).amount == D("1798.00")


def test_a_closed_warehouse_refuses_and_nothing_is_kept(mall, desk):
    order = shipped(mall, desk, (mall.lock, 1))
    rma = ask(mall, order, (line_of(order, mall.lock), 1))
    return_approve(request=rma, actor=desk)
    closed = Warehouse.objects.create(code="t-old", name="旧仓", is_active=False)

    with pytest.raises(ValidationError) as caught:
        return_receive(request=rma, actor=desk, warehouse=closed)

    rma.refresh_from_db()
    assert "warehouse" in caught.value.message_dict
    assert rma.status == ReturnStatus.APPROVED
    assert not LedgerEntry.objects.filter(reference=rma.number).exists()
    assert line_of(order, mall.lock).returned_quantity == 0


# --- decisions and permissions ------------------------------------------------------------------


def test_rejecting_needs_a_reason_and_the_dealer_sees_it(mall, desk):
    order = shipped(mall, desk, (mall.lock, 1))
    rma = ask(mall, order, (line_of(order, mall.lock), 1))

    with pytest.raises(ValidationError) as caught:
        return_reject(request=rma, actor=desk, reason=" ")
    rma.refresh_from_db()
    still = rma.status
    rejected = return_reject(request=rma, actor=desk, reason="已超过七天")

    assert caught.value.message_dict == {"reason": ["Say why the return is rejected."]}
    assert still == ReturnStatus.REQUESTED
    assert rejected.status == ReturnStatus.REJECTED
    assert rejected.status_changes.first().reason == "已超过七天"
    with pytest.raises(ValidationError, match="has been rejected"):
        return_approve(request=rejected, actor=desk)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.SALES, Role.CHANNEL_MANAGER])
def test_only_the_order_desk_and_admins_decide(mall, desk, role):
    order = shipped(mall, desk, (mall.lock, 1))
    rma = ask(mall, order, (line_of(order, mall.lock), 1))
    other = make_user(role)

    for attempt in (
        lambda u: return_approve(request=rma, actor=u),
        lambda u: return_reject(request=rma, actor=u, reason="不行"),
        lambda u: return_receive(request=rma, actor=u, warehouse=mall.warehouse),
    ):
        for user in (other, mall.buyer):
            with pytest.raises(PermissionDenied):
                attempt(user)
    approved = return_approve(request=rma, actor=make_user(Role.ADMIN))

    assert approved.status == ReturnStatus.APPROVED


def test_only_the_dealers_own_users_ask_for_a_return(mall, desk):
    order = shipped(mall, desk, (mall.lock, 1))
    line = line_of(order, mall.lock)
    stranger = make_user(Role.PARTNER_ADMIN, partner=dealer(mall.line))
    own_admin = make_user(Role.PARTNER_ADMIN, partner=mall.partner)

    for user in (stranger, desk, make_user(Role.ADMIN)):
        with pytest.raises(PermissionDenied):
            return_request(order=order, user=user, quantities={line.pk: 1}, reason="x")
    rma = return_request(order=order, user=own_admin, quantities={line.pk: 1}, reason="坏了")

    assert rma.requested_by == own_admin
    assert return_can_request(stranger, order) is False


# --- selectors ----------------------------------------------------------------------------------


def test_visibility_and_filters(mall, desk):
    order = shipped(mall, desk, (mall.lock, 2))
    rma = ask(mall, order, (line_of(order, mall.lock), 1))
    stranger = make_user(Role.PARTNER_USER, partner=dealer(mall.line))
    manager = make_user(Role.CHANNEL_MANAGER)
    owner = make_user(Role.CHANNEL_MANAGER)
    Partner.objects.filter(pk=mall.partner.pk).update(channel_manager=owner)

    def search(**data: str) -> list[ReturnRequest]:
        return list(ReturnFilter(data, queryset=returns_visible_to(desk)).qs)

    assert list(returns_visible_to(mall.buyer)) == [rma]
    assert list(returns_visible_to(stranger)) == []
    assert list(returns_visible_to(manager)) == []
    assert list(returns_visible_to(owner)) == [rma]
    assert return_get_visible(user=stranger, pk=rma.pk) is None
    assert order_returns(order=order, user=stranger) == []
    assert order_returns(order=order, user=desk) == [rma]
    assert search(q=rma.number) == [rma]
    assert search(q=order.number) == [rma]
    assert search(q=mall.partner.name[:4]) == [rma]
    assert search(q="no-such-thing") == []
    assert search(status="requested") == [rma]
    assert search(status="received") == []


# --- concurrency --------------------------------------------------------------------------------


def _race_setup() -> dict[str, Any]:
    mall = build_mall()
    desk = make_user(Role.ORDER_DESK)
    with translation.override("en"):
        order = shipped(mall, desk, (mall.lock, 3))
        line = line_of(order, mall.lock)
        approved = return_request(
            order=order, user=mall.buyer, quantities={line.pk: 1}, reason="先退一台"
        )
        return_approve(request=approved, actor=desk)
    return {
        "mall": mall,
        "desk": desk.pk,
        "order": order.pk,
        "line": line.pk,
        "approved": approved.pk,
    }


def _race_remove(ids: dict[str, Any]) -> None:
    mall: Mall = ids["mall"]
    params = {
        "p": mall.partner.pk,
        "x": [mall.lock.pk, mall.camera.pk],
        "w": mall.warehouse.pk,
        "d": ids["desk"],
    }
    statements = [
        "DELETE FROM orders_ledgerentry WHERE account_id IN "
        "(SELECT id FROM orders_account WHERE partner_id = %(p)s)",
        "DELETE FROM orders_account WHERE partner_id = %(p)s",
        "DELETE FROM orders_stockmovement WHERE stock_id IN "
        "(SELECT id FROM orders_stock WHERE product_id = ANY(%(x)s))",
        "DELETE FROM orders_allocation WHERE stock_id IN "
        "(SELECT id FROM orders_stock WHERE product_id = ANY(%(x)s))",
        "DELETE FROM orders_returnstatuschange WHERE request_id IN (SELECT id FROM "
        "orders_returnrequest WHERE order_id IN "
        "(SELECT id FROM orders_order WHERE partner_id = %(p)s))",
        "DELETE FROM orders_returnline WHERE request_id IN (SELECT id FROM "
        "orders_returnrequest WHERE order_id IN "
        "(SELECT id FROM orders_order WHERE partner_id = %(p)s))",
        "DELETE FROM orders_returnrequest WHERE order_id IN "
        "(SELECT id FROM orders_order WHERE partner_id = %(p)s)",
        "DELETE FROM orders_shipmentline WHERE shipment_id IN (SELECT id FROM orders_shipment "
        "WHERE order_id IN (SELECT id FROM orders_order WHERE partner_id = %(p)s))",
        "DELETE FROM orders_shipment WHERE order_id IN "
        "(SELECT id FROM orders_order WHERE partner_id = %(p)s)",
        "DELETE FROM orders_orderapproval WHERE order_id IN "
        "(SELECT id FROM orders_order WHERE partner_id = %(p)s)",
        "DELETE FROM orders_orderstatuschange WHERE order_id IN "
        "(SELECT id FROM orders_order WHERE partner_id = %(p)s)",
        "DELETE FROM orders_orderline WHERE order_id IN "
        "(SELECT id FROM orders_order WHERE partner_id = %(p)s)",
        "DELETE FROM orders_order WHERE partner_id = %(p)s",
        "DELETE FROM orders_stock WHERE product_id = ANY(%(x)s)",
        "DELETE FROM orders_warehouse WHERE id = %(w)s",
        "DELETE FROM orders_product WHERE id = ANY(%(x)s)",
        "DELETE FROM partners_partner_product_lines WHERE partner_id = %(p)s",
        "DELETE FROM partner_onboarding_onboardingstepchange WHERE step_id IN "
        "(SELECT id FROM partner_onboarding_onboardingstep WHERE partner_id = %(p)s)",
        "DELETE FROM partner_onboarding_onboardingstep WHERE partner_id = %(p)s",
        "DELETE FROM partners_partnerstatuschange WHERE partner_id = %(p)s",
        "UPDATE auditlog_logentry SET actor_id = NULL WHERE actor_id = %(d)s OR actor_id IN "
        "(SELECT id FROM accounts_user WHERE partner_id = %(p)s)",
        "DELETE FROM accounts_user WHERE partner_id = %(p)s OR id = %(d)s",
        "DELETE FROM reports_rolluppending WHERE partner_id = %(p)s",
        "DELETE FROM reports_saleslinemonth WHERE partner_id = %(p)s",
        "DELETE FROM reports_partnermonth WHERE partner_id = %(p)s",
        "DELETE FROM partners_partner WHERE id = %(p)s",
        # Numbers taken by the race: later tests expect this vendor's first numbers.
        "DELETE FROM core_sequence WHERE key LIKE 'SO-%%' OR key LIKE 'SH-%%' OR key LIKE 'RMA-%%'",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, params)


def test_racing_requests_take_each_unit_once_and_racing_receipts_credit_once(tenant_a):
    ids = in_thread("alpha", _race_setup)
    try:

        def ask_for_one() -> str:
            order = Order.objects.get(pk=ids["order"])
            user = User.objects.get(pk=ids["mall"].buyer.pk)
            try:
                with translation.override("en"):
                    return_request(
                        order=order, user=user, quantities={ids["line"]: 1}, reason="抢退"
                    )
            except ValidationError as exc:
                return "refused: " + " ".join(exc.messages)
            return "ok"

        def receive() -> str:
            rma = ReturnRequest.objects.get(pk=ids["approved"])
            try:
                with translation.override("en"):
                    return_receive(
                        request=rma,
                        actor=User.objects.get(pk=ids["desk"]),
                        warehouse=Warehouse.objects.get(pk=ids["mall"].warehouse.pk),
                    )
            except ValidationError as exc:
                return "refused: " + " ".join(exc.messages)
            return "ok"

        # 3 shipped, 1 in an approved return: 2 left for 10 racing requests.
        asked = run_concurrently("alpha", [ask_for_one] * 10)
        received = run_concurrently("alpha", [receive] * 6)

        def outcome() -> tuple[Any, ...]:
            line = OrderLine.objects.get(pk=ids["line"])
            rma = ReturnRequest.objects.get(pk=ids["approved"])
            return (
                line.returned_quantity,
                ReturnRequest.objects.filter(order_id=ids["order"]).count(),
                list(
                    LedgerEntry.objects.filter(reference=rma.number).values_list(
                        "amount", flat=True
                    )
                ),
                StockMovement.objects.filter(memo=rma.number).count(),
            )

        returned, requests, credits, movements = in_thread("alpha", outcome)

        assert asked.count("ok") == 2
        assert all("can be returned" in r for r in asked if r != "ok")
        assert received.count("ok") == 1
        assert all("already been received" in r for r in received if r != "ok")
        assert (returned, requests, credits, movements) == (1, 3, [D("899.00")], 1)
    finally:
        in_thread("alpha", lambda: _race_remove(ids))
