"""A price cut credits each partner the difference on the stock of its last report before the
cut's month, into its rebate credit, once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from orders.ledger import balances
from orders.models import ChannelStockLine, ChannelStockReport, Product
from partners.models import Partner
from prm.accounts.roles import Role
from rebates.models import PriceProtection, ProtectionStatus
from rebates.price_protection import price_protection_compute, price_protection_settle
from tests.factories import make_partner, make_product, make_user

pytestmark = pytest.mark.django_db

D = Decimal


def _report(partner: Partner, month: date, product: Product, quantity: int) -> None:
    report = ChannelStockReport.objects.create(partner=partner, period=month)
    ChannelStockLine.objects.create(report=report, product=product, quantity=quantity)


def test_credits_follow_the_last_report_before_the_cut_and_are_paid_once(in_a):
    finance = make_user(Role.FINANCE)
    holding, older, late, empty = (make_partner() for _ in range(4))
    lock = make_product("899.00")
    _report(holding, date(2026, 9, 1), lock, 7)
    _report(holding, date(2026, 8, 1), lock, 30)  # superseded by September
    _report(older, date(2026, 6, 1), lock, 4)
    _report(late, date(2026, 10, 1), lock, 50)  # the cut's own month: not counted
    _report(empty, date(2026, 9, 1), lock, 0)
    protection = PriceProtection.objects.create(
        product=lock, old_price=D("899.00"), new_price=D("799.50"), effective_on=date(2026, 10, 15)
    )

    assert price_protection_compute(protection, actor=finance) == 2
    credits = sorted(
        protection.credits.values_list("partner_id", "stock_month", "quantity", "amount")
    )
    assert credits == sorted(
        [
            (holding.pk, date(2026, 9, 1), 7, D("696.50")),
            (older.pk, date(2026, 6, 1), 4, D("398.00")),
        ]
    )
    assert price_protection_settle(protection, actor=finance) == 2
    with translation.override("en"), pytest.raises(ValidationError) as twice:
        price_protection_settle(protection, actor=finance)
    with translation.override("en"), pytest.raises(ValidationError) as recompute:
        price_protection_compute(protection, actor=finance)

    protection.refresh_from_db()
    assert protection.status == ProtectionStatus.SETTLED
    assert (balances(holding)["rebate"], balances(older)["rebate"]) == (D("696.50"), D("398.00"))
    assert twice.value.messages == ["Compute the credits first; a protection is credited once."]
    assert recompute.value.messages == ["This price protection was already credited."]


def test_only_a_lower_price_and_only_finance(in_a):
    lock = make_product("899.00")
    raise_price = PriceProtection.objects.create(
        product=lock, old_price=D("899.00"), new_price=D("950.00"), effective_on=date(2026, 10, 1)
    )

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        price_protection_compute(raise_price, actor=make_user(Role.FINANCE))
    with pytest.raises(PermissionDenied):
        price_protection_compute(raise_price, actor=make_user(Role.SALES))

    with translation.override("en"):  # model validation messages are lazy
        assert refused.value.message_dict == {
            "new_price": ["Price protection is for a lower price."]
        }
