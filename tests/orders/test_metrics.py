from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.metrics import rolling_purchases
from orders.models import Order, OrderStatus
from orders.workflow import order_approve, order_cancel
from prm.accounts.roles import Role
from tests.factories import make_order, make_partner, make_product, make_user

pytestmark = pytest.mark.django_db


def test_rolling_purchases_counts_accepted_orders_in_the_window(in_a):
    desk = make_user(Role.ORDER_DESK)
    a, b = make_partner(), make_partner()
    product = make_product("100.00")
    accepted = make_order(a, (product, 3))
    order_approve(order=accepted, actor=desk)
    make_order(a, (product, 5))  # still submitted: not counted
    old = make_order(a, (product, 7))
    order_approve(order=old, actor=desk)
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    cancelled = make_order(b, (product, 1))
    order_cancel(order=cancelled, actor=desk, reason="test")
    for status, quantity in ((OrderStatus.PARTIALLY_SHIPPED, 10), (OrderStatus.RECEIVED, 20)):
        on_its_way = make_order(a, (product, quantity))
        Order.objects.filter(pk=on_its_way.pk).update(status=status)
    now = timezone.now()

    result = rolling_purchases(
        partner_ids=None, since=now - timedelta(days=365), until=now + timedelta(seconds=1)
    )

    # 3 accepted + 10 partly shipped + 20 received, at 100.00.
    assert result == {a.pk: Decimal("3300.00")}
    assert rolling_purchases(partner_ids=[b.pk], since=now - timedelta(days=365), until=now) == {}


def test_orders_feed_the_rolling_purchases_line_of_every_scorecard():
    from partners.programs.metrics import metric_provider

    assert metric_provider("rolling_purchases") is rolling_purchases
