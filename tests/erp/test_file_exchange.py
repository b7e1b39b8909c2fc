"""The file-exchange connector with a Kingdee-style CSV (GB18030), a Yonyou-style workbook and
the PRM's own sales files: each row applied once, bad rows rejected by file and line."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import Workbook

from orders.checkout import CheckoutLine, checkout
from orders.erp.models import ErpConnection, RunStatus
from orders.erp.sync import (
    erp_pull_payments,
    erp_pull_products,
    erp_pull_stock,
    erp_push_orders,
    party_code,
)
from orders.models import Payment, Product, Stock
from orders.workflow import order_approve, order_cancel
from tests.orders.mall import Mall, build_mall

pytestmark = pytest.mark.django_db


@pytest.fixture
def mall(in_a: Any) -> Mall:
    return build_mall()


@pytest.fixture
def connection(mall: Mall, tmp_path: Path) -> ErpConnection:
    (tmp_path / "inbox").mkdir()
    return ErpConnection.objects.create(
        name="金蝶 K/3 文件交换",
        kind="files",
        url=str(tmp_path),
        warehouse=mall.warehouse,
        product_line=mall.line,
        orders_from=timezone.now() - timedelta(days=1),
    )


def drop(connection: ErpConnection, name: str, text: str, encoding: str = "gb18030") -> Path:
    path = Path(connection.url) / "inbox" / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_kingdee_product_export_reaches_the_catalog(
    mall: Mall, connection: ErpConnection
) -> None:
    drop(
        connection,
        "products_20261206.csv",
        '物料编码,物料名称,单价\nT-LK-100,智能门锁 二代,950.00\nT-GW-9,工业网关,"1,288.00"\n'
        "T-BAD-1,坏数据,abc\n",
    )
    run = erp_pull_products(connection=connection)
    assert (run.status, run.created, run.updated, run.rejected) == (RunStatus.PARTIAL, 1, 1, 1)
    assert [(r.record, r.reason) for r in run.rejections.all()] == [
        ("products_20261206.csv:4", "abc is not a number.")
    ]
    assert Product.objects.get(sku="T-GW-9").list_price == Decimal("1288.00")
    assert Product.objects.get(pk=mall.lock.pk).name == "智能门锁 二代"
    assert not (Path(connection.url) / "inbox" / "products_20261206.csv").exists()
    assert (Path(connection.url) / "done" / "products_20261206.csv").exists()
    assert erp_pull_products(connection=connection).created == 0  # nothing left to read


def test_a_file_without_a_needed_column_is_rejected_whole(
    mall: Mall, connection: ErpConnection
) -> None:
    drop(connection, "stock.csv", "物料编码,仓库\nT-LK-100,上海仓\n")
    run = erp_pull_stock(connection=connection)
    assert [(r.record, r.reason) for r in run.rejections.all()] == [
        (
            "stock.csv",
            "No column for quantity (one of quantity, 库存数量, 即时库存, 现存量, 结存数量).",
        )
    ]
    assert Stock.objects.get(product=mall.lock).on_hand == 20


def test_a_yonyou_stock_workbook_sets_on_hand(mall: Mall, connection: ErpConnection) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["存货编码", "存货名称", "现存量"])
    sheet.append(["T-LK-100", "智能门锁", 64])
    sheet.append(["T-NONE", "不存在", 5])
    book.save(Path(connection.url) / "inbox" / "stock_yonyou.xlsx")
    run = erp_pull_stock(connection=connection)
    assert (run.updated, run.rejected) == (1, 1)
    assert Stock.objects.get(product=mall.lock, warehouse=mall.warehouse).on_hand == 64


def test_payments_are_recorded_once_even_when_dropped_twice(
    mall: Mall, connection: ErpConnection
) -> None:
    text = (
        "单据编号,客户编码,收款金额,业务日期,摘要\n"
        f"SKD-0001,{party_code(mall.partner)},5000.00,2026/12/01,货款\n"
        "SKD-0002,91310000UNKNOWN000,100.00,2026-12-01,未知客户\n"
    )
    drop(connection, "payments_1.csv", text)
    first = erp_pull_payments(connection=connection)
    drop(connection, "payments_1.csv", text)
    second = erp_pull_payments(connection=connection)
    assert (first.created, first.rejected, second.created) == (1, 1, 1)
    payment = Payment.objects.get(partner=mall.partner)
    assert (payment.amount, payment.external_id, payment.source, payment.reference) == (
        Decimal("5000.00"),
        "SKD-0001",
        "files",
        "货款",
    )
    assert Payment.objects.count() == 1


def test_orders_go_out_as_files_once(
    mall: Mall, connection: ErpConnection, vendor_admin: Any
) -> None:
    order = order_approve(
        order=checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 2)]),
        actor=vendor_admin,
    )
    first, second = erp_push_orders(connection=connection), erp_push_orders(connection=connection)
    assert (first.created, second.created) == (1, 0)
    sent = Path(connection.url) / "outbox" / "sales" / f"{order.number}.csv"
    assert sent.read_text(encoding="utf-8-sig").splitlines() == [
        "order_number,customer_code,customer_name,sku,quantity,unit_price",
        f"{order.number},{party_code(mall.partner)},{mall.partner.name},T-LK-100,2,899.0000",
    ]
    order_cancel(order=order, actor=vendor_admin, reason="客户取消")
    assert erp_push_orders(connection=connection).updated == 1
    assert (Path(connection.url) / "outbox" / "cancellations" / f"{order.number}.csv").exists()
