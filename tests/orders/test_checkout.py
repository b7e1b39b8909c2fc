"""Checkout: price, reserve, claim, pay in one transaction; every refusal keeps nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from orders.checkout import CheckoutLine, checkout, payment_split
from orders.ledger import balances
from orders.models import (
    LedgerEntry,
    Order,
    OrderingSettings,
    OrderStatus,
    PriceList,
    PriceListItem,
    Stock,
)
from partners.models import PartnerStatus
from partners.services import partner_set_status
from tests.factories import make_product

from .mall import fund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _reserved(product) -> int:
    return sum(Stock.objects.filter(product=product).values_list("reserved", flat=True))


def _nothing_kept(mall) -> None:
    assert not Order.objects.filter(partner=mall.partner).exists()
    assert _reserved(mall.lock) == _reserved(mall.camera) == 0
    assert not LedgerEntry.objects.filter(account__partner=mall.partner, kind="order").exists()


def test_rebate_then_wallet_then_credit_pay_an_order(mall):
    fund(mall.partner, prepaid="1000.00", rebate="500.00")

    order = checkout(
        partner=mall.partner,
        lines=[CheckoutLine(mall.lock, 2, Decimal("899.00"))],
        actor=mall.buyer,
        ship_to="上海市浦东新区张江路 1 号",
    )

    # 2 x 899.00 = 1798.00; rebate capped at 30 % = 539.40 but only 500.00 is there.
    assert (order.subtotal, order.discount_total, order.total) == (
        Decimal("1798.00"),
        Decimal("0.00"),
        Decimal("1798.00"),
    )
    assert (order.paid_rebate, order.paid_prepaid, order.paid_credit) == (
        Decimal("500.00"),
        Decimal("1000.00"),
        Decimal("298.00"),
    )
    money = balances(mall.partner)
    assert (money["rebate"], money["prepaid"], money["credit"]) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("298.00"),
    )
    assert _reserved(mall.lock) == 2
    assert order.status == OrderStatus.SUBMITTED
    assert order.number.startswith("SO-")
    line = order.lines.get()
    assert (line.unit_price, line.line_total, line.price_rule) == (
        Decimal("899.00"),
        Decimal("1798.00"),
        "List price",
    )
    assert list(order.status_changes.values_list("from_status", "to_status")) == [("", "submitted")]


def test_rebate_share_cap_is_cut_down_to_the_cent(mall):
    settings_row = OrderingSettings.current()
    settings_row.rebate_payment_cap = Decimal("0.3333")
    settings_row.save()

    split = payment_split(
        total=Decimal("100.01"),
        rebate_available=Decimal("1000"),
        prepaid_available=Decimal("0"),
        currency="CNY",
    )

    # 100.01 x 0.3333 = 33.333333: at most 33.33 of rebate, never 33.34.
    assert (split.rebate, split.prepaid, split.credit) == (
        Decimal("33.33"),
        Decimal("0.00"),
        Decimal("66.68"),
    )


def test_every_bad_line_is_named_and_nothing_is_kept(mall):
    other_line_product = make_product("10.00", sku="T-OTHER")  # a line the dealer may not sell
    retired = make_product("10.00", sku="T-OLD", product_line=mall.line, is_active=False)

    with pytest.raises(ValidationError) as caught:
        checkout(
            partner=mall.partner,
            lines=[
                CheckoutLine(other_line_product, 1),
                CheckoutLine(retired, 1),
                CheckoutLine(mall.camera, 2),
            ],
        )

    assert caught.value.messages == [
        "T-OTHER is not in a product line your company may sell.",
        "T-OLD is not on sale.",
        "T-CAM-2K: order at least 4.",
    ]
    with pytest.raises(ValidationError) as packs:
        checkout(partner=mall.partner, lines=[CheckoutLine(mall.camera, 5)])
    assert packs.value.messages == ["T-CAM-2K is sold in packs of 2; 5 is not whole packs."]
    _nothing_kept(mall)


def test_a_price_changed_since_the_cart_is_refused(mall):
    today = timezone.localdate()
    expired = PriceList.objects.create(
        name="华东专享",
        kind="partner",
        partner=mall.partner,
        valid_from=today - timedelta(days=60),
        valid_to=today - timedelta(days=1),
    )
    PriceListItem.objects.create(price_list=expired, product=mall.lock, price=Decimal("799.00"))

    with pytest.raises(ValidationError) as caught:
        checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 1, Decimal("799.00"))])

    assert caught.value.messages == [
        "The price of T-LK-100 changed from 799.00 to 899.00; review your cart."
    ]
    _nothing_kept(mall)


def test_credit_limit_and_stock_are_checked_and_nothing_is_kept(mall):
    mall.partner.credit_limit = Decimal("1000.00")
    mall.partner.save()

    with pytest.raises(ValidationError) as credit:
        checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 2)])
    with pytest.raises(ValidationError) as stock:
        checkout(partner=mall.partner, lines=[CheckoutLine(mall.camera, 6)])

    assert "credit limit" in " ".join(credit.value.messages)
    assert [m for m in stock.value.messages if m.startswith("Only 5 of")] == [
        f"Only 5 of {mall.camera.display_name} available (6 requested)."
    ]
    _nothing_kept(mall)


def test_a_suspended_dealer_cannot_check_out(mall, vendor_admin):
    partner_set_status(
        partner=mall.partner, status=PartnerStatus.SUSPENDED, actor=vendor_admin, reason="逾期"
    )

    with pytest.raises(ValidationError, match="cannot order while its status is Suspended"):
        checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 1)])
    _nothing_kept(mall)
