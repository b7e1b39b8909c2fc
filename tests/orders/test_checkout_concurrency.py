"""Checkouts racing in real, committed transactions: no oversell, no overdraft, exact money."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from orders.checkout import CheckoutLine, checkout
from orders.inventory import stock_adjust
from orders.ledger import balances
from orders.models import LedgerEntry, Order, Product, Stock
from partners.models import Partner
from tests.concurrency import in_thread, run_concurrently

from .mall import build_mall, dealer, fund

pytestmark = pytest.mark.django_db


def _attempt(partner_id: int, product_id: int, quantity: int) -> str:
    try:
        with translation.override("en"):
            checkout(
                partner=Partner.objects.get(pk=partner_id),
                lines=[CheckoutLine(Product.objects.get(pk=product_id), quantity)],
            )
    except ValidationError as exc:
        return "refused: " + " ".join(exc.messages)
    return "ok"


def _setup() -> dict[str, Any]:
    mall = build_mall()
    # Eight dealers share the 20 locks; one more has 1 000.00 prepaid and 5 000.00 of credit.
    dealers = [dealer(mall.line).pk for _ in range(8)]
    thrifty = dealer(mall.line, credit_limit="5000.00")
    fund(thrifty, prepaid="1000.00")
    return {
        "dealers": dealers,
        "thrifty": thrifty.pk,
        "lock": mall.lock.pk,
        "camera": mall.camera.pk,
        "line": mall.line.pk,
        "warehouse": mall.warehouse.pk,
        "partners": [*dealers, thrifty.pk, mall.partner.pk],
    }


def test_forty_checkouts_for_ten_units_sell_exactly_ten(tenant_a):
    def setup() -> dict[str, Any]:
        ids = _setup()
        stock_adjust(stock=Stock.objects.get(product_id=ids["lock"]), counted=10, memo="test")
        return ids

    ids = in_thread("alpha", setup)
    try:
        # 40 checkouts of one lock each from 8 dealers against a stock of 10.
        results = run_concurrently(
            "alpha",
            [lambda n=n: _attempt(ids["dealers"][n % 8], ids["lock"], 1) for n in range(40)],
            timeout=120,
        )
        stock, orders = in_thread(
            "alpha",
            lambda: (
                list(
                    Stock.objects.filter(product_id=ids["lock"]).values_list("on_hand", "reserved")
                ),
                Order.objects.filter(lines__product_id=ids["lock"]).count(),
            ),
        )

        assert results.count("ok") == 10
        assert all("Only 0 of" in r for r in results if r != "ok")
        assert (stock, orders) == ([(10, 10)], 10)
    finally:
        in_thread("alpha", lambda: _remove(ids))


def test_forty_checkouts_against_one_wallet_and_credit_limit_stay_exact(tenant_a):
    ids = in_thread("alpha", _setup)
    try:
        # 1 000.00 prepaid + 5 000.00 credit, 899.00 an order: the wallet pays the first and
        # 101.00 of the second, credit the rest until 4 394.00 is used; a seventh order would
        # take credit to 5 293.00.
        results = run_concurrently(
            "alpha",
            [lambda: _attempt(ids["thrifty"], ids["lock"], 1) for _ in range(40)],
            timeout=120,
        )
        money = in_thread("alpha", lambda: balances(Partner.objects.get(pk=ids["thrifty"])))
        credit_after = in_thread(
            "alpha",
            lambda: sorted(
                LedgerEntry.objects.filter(
                    account__partner_id=ids["thrifty"], account__kind="credit"
                ).values_list("balance_after", flat=True)
            ),
        )

        assert results.count("ok") == 6
        assert all("credit limit" in r for r in results if r != "ok")
        assert (money["prepaid"], money["credit"]) == (Decimal("0.00"), Decimal("4394.00"))
        assert credit_after == [
            Decimal("798.00"),
            Decimal("1697.00"),
            Decimal("2596.00"),
            Decimal("3495.00"),
            Decimal("4394.00"),
        ]
    finally:
        in_thread("alpha", lambda: _remove(ids))


def _remove(ids: dict[str, Any]) -> None:
    partners = list(ids["partners"])
    products = [ids["lock"], ids["camera"]]
    statements = [
        "DELETE FROM orders_ledgerentry WHERE account_id IN "
        "(SELECT id FROM orders_account WHERE partner_id = ANY(%(p)s))",
        "DELETE FROM orders_account WHERE partner_id = ANY(%(p)s)",
        "DELETE FROM orders_stockmovement WHERE stock_id IN "
        "(SELECT id FROM orders_stock WHERE product_id = ANY(%(x)s))",
        "DELETE FROM orders_allocation WHERE stock_id IN "
        "(SELECT id FROM orders_stock WHERE product_id = ANY(%(x)s))",
        "DELETE FROM orders_orderstatuschange WHERE order_id IN "
        "(SELECT id FROM orders_order WHERE partner_id = ANY(%(p)s))",
        "DELETE FROM orders_orderline WHERE order_id IN "
        "(SELECT id FROM orders_order WHERE partner_id = ANY(%(p)s))",
        "DELETE FROM orders_order WHERE partner_id = ANY(%(p)s)",
        "DELETE FROM orders_stock WHERE product_id = ANY(%(x)s)",
        "DELETE FROM orders_warehouse WHERE id = %(w)s",
        "DELETE FROM orders_product WHERE id = ANY(%(x)s)",
        "DELETE FROM partners_partner_product_lines WHERE partner_id = ANY(%(p)s)",
        "DELETE FROM partner_onboarding_onboardingstepchange WHERE step_id IN "
        "(SELECT id FROM partner_onboarding_onboardingstep WHERE partner_id = ANY(%(p)s))",
        "DELETE FROM partner_onboarding_onboardingstep WHERE partner_id = ANY(%(p)s)",
        "DELETE FROM partners_partnerstatuschange WHERE partner_id = ANY(%(p)s)",
        "UPDATE auditlog_logentry SET actor_id = NULL WHERE actor_id IN "
        "(SELECT id FROM accounts_user WHERE partner_id = ANY(%(p)s))",
        "DELETE FROM accounts_user WHERE partner_id = ANY(%(p)s)",
        "DELETE FROM reports_rolluppending WHERE partner_id = ANY(%(p)s)",
        "DELETE FROM reports_saleslinemonth WHERE partner_id = ANY(%(p)s)",
        "DELETE FROM reports_partnermonth WHERE partner_id = ANY(%(p)s)",
        "DELETE FROM partners_partner WHERE id = ANY(%(p)s)",
        # Order numbers taken by the race: later tests expect this vendor's first SO number.
        "DELETE FROM core_sequence WHERE key LIKE 'SO-%%'",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, {"p": partners, "x": products, "w": ids["warehouse"]})
