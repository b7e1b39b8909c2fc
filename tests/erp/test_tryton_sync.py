"""The round trip with a real Tryton server: approved orders become Tryton sales exactly once
(a second run, a lost link, the server down for a while); cancellations reach Tryton until it
confirms; products and prices made in Tryton reach the catalog; Tryton's stock sets on hand;
a payment posted in Tryton reaches the partner's ledger and the collected-payments rebate basis,
and the invoice it pays shows what is still due.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from proteus import Model

from orders.catalog import products_for_partner
from orders.checkout import CheckoutLine, checkout
from orders.erp.models import ErpConnection, ErpInvoice, ExternalRef, RunStatus
from orders.erp.sync import (
    erp_pull_invoices,
    erp_pull_payments,
    erp_pull_products,
    erp_pull_stock,
    erp_push_orders,
    party_code,
    sale_record,
)
from orders.ledger import balances
from orders.models import Order, Payment, Product, Stock
from orders.workflow import order_approve, order_cancel
from prm.integrations.erp.tryton import TrytonConnector
from prm.tenancy.selectors import tenant_today
from rebates.engine import basis_by_partner
from rebates.models import Basis
from tests.orders.mall import Mall, build_mall
from tests.rebates.test_engine import make_program

from .tryton_server import ADMIN_LOGIN, ADMIN_PASSWORD, TrytonServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def mall(in_a: Any) -> Mall:
    return build_mall()


@pytest.fixture
def connection(mall: Mall, tryton: TrytonServer) -> ErpConnection:
    return ErpConnection.objects.create(
        name="Tryton",
        kind="tryton",
        url=tryton.url,
        login=ADMIN_LOGIN,
        password=ADMIN_PASSWORD,
        warehouse=mall.warehouse,
        product_line=mall.line,
        orders_from=timezone.now() - timedelta(days=1),
    )


def tryton_product(erp: Any, code: str, name: str, price: str) -> Any:
    unit = Model.get("product.uom", config=erp).find([("name", "=", "Unit")])[0]
    goods = Model.get("product.category", config=erp).find([("name", "=", "Goods")])[0]
    template = Model.get("product.template", config=erp)(
        name=name,
        code=code,
        type="goods",
        default_uom=unit,
        salable=True,
        list_price=Decimal(price),
        account_category=goods,
    )
    template.save()
    return template


def approved_order(mall: Mall, actor: Any, quantity: int = 2) -> Order:
    order = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, quantity)])
    return order_approve(order=order, actor=actor)


def sales_for(erp: Any, number: str) -> list[Any]:
    return Model.get("sale.sale", config=erp).find([("reference", "=", number)])


def test_an_approved_order_becomes_one_tryton_sale_however_often_the_job_runs(
    mall: Mall, connection: ErpConnection, erp: Any, vendor_admin: Any
) -> None:
    tryton_product(erp, "T-LK-100", "智能门锁", "899.00")
    order = approved_order(mall, vendor_admin)
    first, second = erp_push_orders(connection=connection), erp_push_orders(connection=connection)
    assert (first.status, first.created, first.rejected) == (RunStatus.SUCCEEDED, 1, 0)
    assert (second.status, second.created) == (RunStatus.SUCCEEDED, 0)
    (sale,) = sales_for(erp, order.number)
    assert sale.state == "quotation"
    assert sale.party.code == party_code(mall.partner)
    assert sale.total_amount == Decimal("1798.00")
    assert [(line.product.code, line.quantity, line.unit_price) for line in sale.lines] == [
        ("T-LK-100", 2.0, Decimal("899.0000"))
    ]
    assert ExternalRef.objects.get(object_type="order", local_id=order.pk).external_id == str(
        sale.id
    )


def test_a_sale_made_before_its_link_was_saved_is_found_not_made_again(
    mall: Mall, connection: ErpConnection, erp: Any, vendor_admin: Any, tryton: TrytonServer
) -> None:
    """The job died after Tryton made the sale and before the PRM kept the link."""
    tryton_product(erp, "T-LK-100", "智能门锁", "899.00")
    order = approved_order(mall, vendor_admin)
    made = TrytonConnector(url=tryton.url, login=ADMIN_LOGIN, password=ADMIN_PASSWORD)
    external = made.push_sale(sale_record(order))
    run = erp_push_orders(connection=connection)
    assert run.created == 1
    assert [str(s.id) for s in sales_for(erp, order.number)] == [external]


def test_orders_wait_while_tryton_is_down_and_go_once_when_it_is_back(
    mall: Mall, connection: ErpConnection, erp: Any, vendor_admin: Any, tryton: TrytonServer
) -> None:
    tryton_product(erp, "T-LK-100", "智能门锁", "899.00")
    order = approved_order(mall, vendor_admin)
    tryton.stop()
    down = erp_push_orders(connection=connection)
    assert down.status == RunStatus.FAILED
    assert down.error.startswith("Tryton cannot be reached")
    assert not ExternalRef.objects.filter(object_type="order").exists()
    tryton.start()
    back, again = erp_push_orders(connection=connection), erp_push_orders(connection=connection)
    assert (back.status, back.created, again.created) == (RunStatus.SUCCEEDED, 1, 0)
    assert len(sales_for(tryton.connect(), order.number)) == 1


def test_a_cancellation_reaches_tryton_until_tryton_confirms_the_sale(
    mall: Mall, connection: ErpConnection, erp: Any, vendor_admin: Any
) -> None:
    tryton_product(erp, "T-LK-100", "智能门锁", "899.00")
    early, late = approved_order(mall, vendor_admin, 1), approved_order(mall, vendor_admin, 1)
    erp_push_orders(connection=connection)
    (confirmed,) = sales_for(erp, late.number)
    confirmed.click("confirm")
    order_cancel(order=early, actor=vendor_admin, reason="客户取消")
    order_cancel(order=late, actor=vendor_admin, reason="客户取消")
    run = erp_push_orders(connection=connection)
    assert (run.status, run.updated, run.rejected) == (RunStatus.PARTIAL, 1, 1)
    assert [s.state for s in sales_for(erp, early.number)] == ["cancelled"]
    (refusal,) = run.rejections.all()
    assert (refusal.record, refusal.reason) == (
        late.number,
        f"The Tryton sale for {late.number} is processing; cancel it in Tryton.",
    )


def test_products_and_prices_made_in_tryton_reach_the_catalog(
    mall: Mall, connection: ErpConnection, erp: Any
) -> None:
    tryton_product(erp, "T-LK-100", "智能门锁 二代", "950.00")
    tryton_product(erp, "T-GW-9", "工业网关", "1288.00")
    first = erp_pull_products(connection=connection)
    assert (first.created, first.updated, first.unchanged) == (1, 1, 0)
    lock = Product.objects.get(pk=mall.lock.pk)
    # The ERP's name and price; the PRM's product line stays.
    assert (lock.name, lock.list_price, lock.product_line) == (
        "智能门锁 二代",
        Decimal("950.00"),
        mall.line,
    )
    gateway = Product.objects.get(sku="T-GW-9")
    assert (gateway.list_price, gateway.product_line) == (Decimal("1288.00"), mall.line)
    assert gateway in products_for_partner(mall.partner)
    again = erp_pull_products(connection=connection)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_tryton_stock_sets_on_hand_in_the_linked_warehouse(
    mall: Mall, connection: ErpConnection, erp: Any
) -> None:
    lock = tryton_product(erp, "T-LK-100", "智能门锁", "899.00").products[0]
    storage = Model.get("stock.location", config=erp).find([("code", "=", "STO")])[0]
    inventory = Model.get("stock.inventory", config=erp)(location=storage)
    inventory.lines.new(product=lock, quantity=100.0)
    inventory.click("confirm")
    run = erp_pull_stock(connection=connection)
    assert (run.status, run.updated) == (RunStatus.SUCCEEDED, 1)
    assert Stock.objects.get(product=mall.lock, warehouse=mall.warehouse).on_hand == 100


def test_a_payment_posted_in_tryton_reaches_the_ledger_and_the_rebate_basis(
    mall: Mall, connection: ErpConnection, erp: Any
) -> None:
    product = tryton_product(erp, "T-LK-100", "智能门锁", "899.00").products[0]
    party = Model.get("party.party", config=erp)(name=mall.partner.name)
    party.code = party_code(mall.partner)
    party.save()
    invoice = Model.get("account.invoice", config=erp)(type="out", party=party)
    line = invoice.lines.new()
    line.product = product
    line.quantity = 2
    line.unit_price = Decimal("899.00")
    invoice.save()
    invoice.click("post")
    pay = invoice.click("pay")
    pay.form.payment_method = Model.get("account.invoice.payment.method", config=erp).find([])[0]
    pay.form.amount = Decimal("1200.00")
    pay.execute("choice")
    if pay.state != "end":  # a part payment: Tryton asks whether to write off the rest
        pay.form.type = "partial"
        pay.execute("pay")

    run = erp_pull_payments(connection=connection)
    again = erp_pull_payments(connection=connection)

    assert (run.status, run.created, again.created) == (RunStatus.SUCCEEDED, 1, 0)
    payment = Payment.objects.get(partner=mall.partner)
    assert (payment.amount, payment.source) == (Decimal("1200.00"), "tryton")
    assert balances(mall.partner)["prepaid"] == Decimal("1200.00")
    today = tenant_today()
    program = make_program(
        basis=Basis.COLLECTED, starts_on=date(today.year, 1, 1), ends_on=date(today.year, 12, 31)
    )
    assert basis_by_partner(program, date(today.year, 1, 1), today) == {
        mall.partner.pk: Decimal("1200.00")
    }
    invoiced = erp_pull_invoices(connection=connection)
    assert (invoiced.created, erp_pull_invoices(connection=connection).unchanged) == (1, 1)
    bill = ErpInvoice.objects.get(partner=mall.partner)
    assert (bill.number, bill.total, bill.amount_due, bill.state) == (
        invoice.number,
        Decimal("1798.00"),
        Decimal("598.00"),
        "posted",
    )
