from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from orders.models import ORDER_TRANSITIONS, OrderStatus, OrderStatusChange
from orders.workflow import order_approve
from partners.models import PartnerStatus
from prm.core.workflow import InvalidTransition, transition
from tests.conftest import login
from tests.factories import make_order, make_partner, make_product

pytestmark = pytest.mark.django_db


def test_order_totals_are_exact_and_numbered(in_a, vendor_admin):
    partner = make_partner()
    lock, camera = make_product("899.00"), make_product("259.99")

    order = make_order(partner, (lock, 3), (camera, 7), actor=vendor_admin)

    assert [line.line_total for line in order.lines.order_by("pk")] == [
        Decimal("2697.00"),
        Decimal("1819.93"),
    ]
    assert order.total == Decimal("4516.93")
    assert order.currency == "CNY"
    assert order.number == f"SO-{timezone.localdate().year}-000001"
    assert order.status_changes.get().to_status == OrderStatus.SUBMITTED


@pytest.mark.parametrize(
    "status", [PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED, PartnerStatus.APPLIED]
)
def test_only_active_partners_can_order(in_a, status):
    partner = make_partner(status=status)

    with pytest.raises(ValidationError):
        make_order(partner, (make_product(), 1))
    assert not partner.orders.exists()


def test_order_status_moves_follow_the_table(in_a, vendor_admin):
    order = make_order(make_partner(), (make_product(), 1))

    order_approve(order=order, actor=vendor_admin)
    with pytest.raises(InvalidTransition):
        transition(
            order,
            OrderStatus.COMPLETED,
            table=ORDER_TRANSITIONS,
            history_model=OrderStatusChange,
            history_fk="order",
        )

    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
    assert [c.to_status for c in order.status_changes.order_by("pk")] == ["submitted", "approved"]


def test_numbers_continue_per_tenant(in_a, tenant_b):
    first = make_order(make_partner(), (make_product(), 1))
    connection.set_tenant(tenant_b)
    other = make_order(make_partner(), (make_product(), 1))

    assert first.number.endswith("-000001")
    assert other.number.endswith("-000001")


def test_products_off_sale_cannot_be_ordered(in_a):
    partner = make_partner()
    product = make_product(is_active=False)

    with pytest.raises(ValidationError):
        make_order(partner, (product, 1))
    assert not partner.orders.exists()


def test_placing_stores_no_english_reason_and_the_page_labels_it(client_a, vendor_admin):
    order = make_order(make_partner(), (make_product("10.00"), 1), actor=vendor_admin)
    login(client_a, vendor_admin)
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = client_a.get(f"/orders/{order.pk}/").content.decode()

    assert order.status_changes.get().reason == ""
    assert "— → <strong>已提交</strong> · 创建" in page
