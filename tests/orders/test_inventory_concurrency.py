"""Checkouts racing for the same stock, on real committed rows in separate sessions.

Each test commits its own products, warehouses, partner and orders (tagged with a random code)
from a thread, races real transactions, and deletes everything it made with SQL in `finally`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from orders.inventory import OutOfStock, stock_receive, stock_reserve
from orders.models import Allocation, Order, OrderLine, Product, Stock, Warehouse
from partners.models import Partner, ProductLine
from tests.concurrency import in_thread, run_concurrently

pytestmark = pytest.mark.django_db

ORDERS = 40
TIMEOUT = 60


def _setup(tag: str, *, stock: dict[str, list[int]], orders: list[list[str]]) -> dict[str, Any]:
    """Products (by letter) stocked per warehouse, and committed orders of one unit per letter."""
    line = ProductLine.objects.create(code=f"inv-{tag}", name="并发产品线")
    warehouses = [
        Warehouse.objects.create(code=f"inv-{tag}-{i}", name=f"并发仓{i}", priority=i)
        for i in range(max(len(units) for units in stock.values()))
    ]
    products = {}
    for letter, units in stock.items():
        products[letter] = Product.objects.create(
            sku=f"INV-{tag}-{letter}",
            name=f"并发产品{letter}",
            product_line=line,
            list_price=Decimal("10.00"),
        )
        for warehouse, quantity in zip(warehouses, units, strict=False):
            stock_receive(product=products[letter], warehouse=warehouse, quantity=quantity)
    partner = Partner.objects.create(name=f"并发订货伙伴{tag}", region="上海")
    placed = Order.objects.bulk_create(
        Order(
            number=f"INV-{tag}-{i:03d}",
            partner=partner,
            currency="CNY",
            total=Decimal("0"),
            paid_prepaid=Decimal("0"),
            paid_rebate=Decimal("0"),
            paid_credit=Decimal("0"),
        )
        for i in range(len(orders))
    )
    lines = OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=products[letter],
            quantity=1,
            unit_price=Decimal("10.00"),
            line_total=Decimal("10.00"),
        )
        for order, letters in zip(placed, orders, strict=True)
        for letter in letters
    )
    by_order: dict[int, list[int]] = {}
    for row in lines:
        by_order.setdefault(row.order_id, []).append(row.pk)
    return {
        "products": {letter: p.pk for letter, p in products.items()},
        "lines": [by_order[order.pk] for order in placed],
    }


def _reserve(line_ids: list[int]) -> Callable[[], Any]:
    def attempt() -> Any:
        # The lines in the order the partner put them in the cart.
        lines = sorted(
            OrderLine.objects.filter(pk__in=line_ids), key=lambda r: line_ids.index(r.pk)
        )
        try:
            with transaction.atomic():
                return [a.quantity for a in stock_reserve(lines=lines)]
        except OutOfStock as exc:
            return exc.shortages

    return attempt


def _levels(product_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """Per product: (on hand, reserved, allocated units)."""
    result = {}
    for pk in product_ids:
        rows = Stock.objects.filter(product_id=pk).aggregate(h=Sum("on_hand"), r=Sum("reserved"))
        allocated = Allocation.objects.filter(stock__product_id=pk).aggregate(q=Sum("quantity"))
        result[pk] = (rows["h"], rows["r"], allocated["q"] or 0)
    return result


def _remove(tag: str) -> None:
    """Everything tagged `tag`, children first, in SQL; an unexpected foreign key fails here."""
    params = {"sku": f"INV-{tag}-%", "code": f"inv-{tag}-%", "line": f"inv-{tag}"}
    stocks = "SELECT s.id FROM orders_stock s JOIN orders_product p ON p.id = s.product_id "
    stocks += "WHERE p.sku LIKE %(sku)s"
    orders = "SELECT id FROM orders_order WHERE number LIKE %(sku)s"
    statements = [
        f"DELETE FROM orders_allocation WHERE stock_id IN ({stocks})",
        f"DELETE FROM orders_stockmovement WHERE stock_id IN ({stocks})",
        "DELETE FROM auditlog_logentry WHERE content_type_id = "
        "(SELECT id FROM django_content_type WHERE app_label = 'orders' AND model = 'stock') "
        f"AND object_id IN ({stocks})",
        f"DELETE FROM orders_stock WHERE id IN ({stocks})",
        f"DELETE FROM orders_orderline WHERE order_id IN ({orders})",
        "DELETE FROM auditlog_logentry WHERE content_type_id = "
        "(SELECT id FROM django_content_type WHERE app_label = 'orders' AND model = 'order') "
        f"AND object_id IN ({orders})",
        f"DELETE FROM orders_order WHERE id IN ({orders})",
        "DELETE FROM orders_warehouse WHERE code LIKE %(code)s",
        "DELETE FROM auditlog_logentry WHERE content_type_id = "
        "(SELECT id FROM django_content_type WHERE app_label = 'orders' AND model = 'product') "
        "AND object_id IN (SELECT id FROM orders_product WHERE sku LIKE %(sku)s)",
        "DELETE FROM orders_product WHERE sku LIKE %(sku)s",
        "DELETE FROM reports_rolluppending WHERE partner_id IN "
        "(SELECT id FROM partners_partner WHERE name = %(partner)s)",
        "DELETE FROM reports_saleslinemonth WHERE partner_id IN "
        "(SELECT id FROM partners_partner WHERE name = %(partner)s)",
        "DELETE FROM reports_partnermonth WHERE partner_id IN "
        "(SELECT id FROM partners_partner WHERE name = %(partner)s)",
        "DELETE FROM partners_productline WHERE code = %(line)s",
        "DELETE FROM auditlog_logentry WHERE content_type_id = "
        "(SELECT id FROM django_content_type WHERE app_label = 'partners' AND model = 'partner') "
        "AND object_id IN (SELECT id FROM partners_partner WHERE name = %(partner)s)",
        "DELETE FROM partners_partner WHERE name = %(partner)s",
    ]
    params["partner"] = f"并发订货伙伴{tag}"
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, params)


def _leftovers(tag: str) -> int:
    return (
        Product.objects.filter(sku__startswith=f"INV-{tag}-").count()
        + Order.objects.filter(number__startswith=f"INV-{tag}-").count()
        + Warehouse.objects.filter(code__startswith=f"inv-{tag}-").count()
        + Partner.objects.filter(name=f"并发订货伙伴{tag}").count()
    )


def test_forty_checkouts_for_ten_units_reserve_exactly_ten(tenant_a):
    tag = uuid.uuid4().hex[:8]
    try:
        ids = in_thread("alpha", lambda: _setup(tag, stock={"A": [10]}, orders=[["A"]] * ORDERS))
        product = ids["products"]["A"]

        results = run_concurrently(
            "alpha", [_reserve(lines) for lines in ids["lines"]], timeout=TIMEOUT
        )
        final = in_thread("alpha", lambda: _levels([product]))
        allocations = in_thread(
            "alpha", lambda: Allocation.objects.filter(stock__product_id=product).count()
        )

        assert results.count([1]) == 10
        assert results.count({product: (1, 0)}) == 30
        assert final == {product: (10, 10, 10)}
        assert allocations == 10
    finally:
        in_thread("alpha", lambda: _remove(tag))
    assert in_thread("alpha", lambda: _leftovers(tag)) == 0


def test_orders_naming_two_products_in_either_order_never_deadlock(tenant_a):
    tag = uuid.uuid4().hex[:8]
    # A's rows are created before B's, so half the orders list their lines against lock order.
    orders = [["A", "B"] if i % 2 == 0 else ["B", "A"] for i in range(ORDERS)]
    try:
        ids = in_thread(
            "alpha", lambda: _setup(tag, stock={"A": [6, 4], "B": [3, 7]}, orders=orders)
        )
        a, b = ids["products"]["A"], ids["products"]["B"]

        # A deadlock would surface as an OperationalError from one thread (re-raised here) or
        # as a thread still waiting when the timeout ends (its result left as None).
        results = run_concurrently(
            "alpha", [_reserve(lines) for lines in ids["lines"]], timeout=TIMEOUT
        )
        final = in_thread("alpha", lambda: _levels([a, b]))

        assert None not in results
        assert results.count([1, 1]) == 10
        assert results.count({a: (1, 0), b: (1, 0)}) == 30
        assert final == {a: (10, 10, 10), b: (10, 10, 10)}
    finally:
        in_thread("alpha", lambda: _remove(tag))
    assert in_thread("alpha", lambda: _leftovers(tag)) == 0
