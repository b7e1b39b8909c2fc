"""Stock services: reserving at checkout, releasing, shipping, counts, returns, low-stock alerts."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from orders.inventory import (
    OutOfStock,
    stock_adjust,
    stock_available,
    stock_low,
    stock_receive,
    stock_release,
    stock_reserve,
    stock_restock,
    stock_ship,
)
from orders.inventory_tasks import alert_low_stock
from orders.models import (
    Allocation,
    MovementKind,
    Order,
    OrderLine,
    Product,
    Stock,
    StockMovement,
    Warehouse,
)
from partners.models import Partner
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.factories import make_partner, make_product, make_user

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Service messages are asserted in English."""
    with translation.override("en"):
        yield


# --- builders (also used by the page tests) -------------------------------------------------------


def make_warehouse(priority: int = 0, *, active: bool = True) -> Warehouse:
    n = next(_seq)
    return Warehouse.objects.create(
        code=f"wh-{n}",
        name=f"仓库{n}",
        name_en=f"Warehouse {n}",
        priority=priority,
        is_active=active,
    )


def put(product: Product, warehouse: Warehouse, on_hand: int, *, safety: int = 0) -> Stock:
    """A stock row as a count would leave it (no movements: set-up, not history)."""
    return Stock.objects.create(
        product=product, warehouse=warehouse, on_hand=on_hand, safety_stock=safety
    )


def place(partner: Partner, *lines: tuple[Product, int] | tuple[Product, int, bool]) -> Order:
    """An order row and its lines as checkout would have saved them, without reserving."""
    order = Order.objects.create(number=f"T-INV-{next(_seq)}", partner=partner, currency="CNY")
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=spec[0],
            quantity=spec[1],
            is_gift=len(spec) > 2 and bool(spec[2]),
            unit_price=Decimal("0.00") if len(spec) > 2 and spec[2] else spec[0].list_price,
            line_total=Decimal("0.00")
            if len(spec) > 2 and spec[2]
            else spec[0].list_price * spec[1],
        )
        for spec in lines
    )
    return order


def lines_of(order: Order) -> list[OrderLine]:
    return list(order.lines.order_by("pk"))


def levels(*stocks: Stock) -> list[tuple[int, int]]:
    """(on hand, reserved) of each row, read fresh."""
    fresh = Stock.objects.in_bulk([s.pk for s in stocks])
    return [(fresh[s.pk].on_hand, fresh[s.pk].reserved) for s in stocks]


# --- reserving ----------------------------------------------------------------------------------


def test_reserve_serves_each_line_by_warehouse_priority_and_splits_it(in_a):
    lock = make_product(name_en="Smart lock")
    camera = make_product(name_en="Camera")
    closed = make_warehouse(priority=0, active=False)
    first = make_warehouse(priority=1)
    second = make_warehouse(priority=2)
    tied = make_warehouse(priority=2)  # same priority, later pk: served after `second`
    in_closed, in_first = put(lock, closed, 100), put(lock, first, 3)
    in_second, in_tied = put(lock, second, 10), put(lock, tied, 10)
    gifts = put(camera, second, 4)
    order = place(make_partner(), (lock, 5), (camera, 2, True))

    allocations = stock_reserve(lines=lines_of(order))

    lock_line, gift_line = lines_of(order)
    assert [(a.order_line_id, a.stock_id, a.quantity) for a in allocations] == [
        (lock_line.pk, in_first.pk, 3),
        (lock_line.pk, in_second.pk, 2),
        (gift_line.pk, gifts.pk, 2),
    ]
    assert levels(in_closed, in_first, in_second, in_tied, gifts) == [
        (100, 0),
        (3, 3),
        (10, 2),
        (10, 0),
        (4, 2),
    ]
    assert list(
        StockMovement.objects.filter(kind=MovementKind.RESERVE)
        .order_by("pk")
        .values_list("stock_id", "reserved_delta", "on_hand_delta", "order_line_id")
    ) == [
        (in_first.pk, 3, 0, lock_line.pk),
        (in_second.pk, 2, 0, lock_line.pk),
        (gifts.pk, 2, 0, gift_line.pk),
    ]
    assert Allocation.objects.filter(order_line__order=order).count() == 3
    # The closed warehouse's 100 never count: 3 + 10 + 10 - 5 for the lock, 4 - 2 for the camera.
    assert stock_available([lock.pk, camera.pk]) == {lock.pk: 18, camera.pk: 2}


def test_stock_available_counts_active_warehouses_in_one_query(in_a, django_assert_num_queries):
    lock, camera, none_yet = make_product(), make_product(), make_product()
    put(lock, make_warehouse(1), 7)
    put(lock, make_warehouse(2), 5)
    put(lock, make_warehouse(0, active=False), 50)
    put(camera, make_warehouse(3), 1)
    stock_reserve(lines=lines_of(place(make_partner(), (lock, 4))))

    with django_assert_num_queries(1):
        available = stock_available([lock.pk, camera.pk, none_yet.pk, lock.pk])

    assert available == {lock.pk: 8, camera.pk: 1, none_yet.pk: 0}


def test_lines_of_one_product_are_added_up_before_checking(in_a):
    lock = make_product(name_en="Smart lock")
    row = put(lock, make_warehouse(), 5)
    order = place(make_partner(), (lock, 3), (lock, 3))

    with pytest.raises(OutOfStock) as caught:
        stock_reserve(lines=lines_of(order))

    assert caught.value.shortages == {lock.pk: (6, 5)}
    assert caught.value.messages == ["Only 5 of Smart lock available (6 requested)."]
    assert levels(row) == [(5, 0)]
    assert not Allocation.objects.filter(order_line__order=order).exists()


def test_short_stock_names_every_short_product_and_writes_nothing(in_a):
    lock = make_product(name_en="Smart lock")
    camera = make_product(name_en="Camera")
    doorbell = make_product(name_en="Doorbell")  # no stock row anywhere
    hub = make_product(name_en="Hub")  # stock only in a closed warehouse
    warehouse = make_warehouse(1)
    rows = [put(lock, warehouse, 2), put(camera, warehouse, 50)]
    rows.append(put(hub, make_warehouse(0, active=False), 9))
    order = place(make_partner(), (lock, 5), (camera, 1), (doorbell, 1, True), (hub, 2))
    movements_before = StockMovement.objects.count()
    lines = lines_of(order)

    with CaptureQueriesContext(connection) as queries, pytest.raises(OutOfStock) as caught:
        stock_reserve(lines=lines)

    assert caught.value.shortages == {lock.pk: (5, 2), doorbell.pk: (1, 0), hub.pk: (2, 0)}
    assert caught.value.messages == [
        "Only 2 of Smart lock available (5 requested).",
        "Only 0 of Doorbell available (1 requested).",
        "Only 0 of Hub available (2 requested).",
    ]
    assert isinstance(caught.value, ValidationError)
    # Everything was decided before any write: not even a write later rolled back.
    assert [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))] == []
    # The camera fitted, but nothing is held for it either.
    assert levels(*rows) == [(2, 0), (50, 0), (9, 0)]
    assert StockMovement.objects.count() == movements_before
    assert not Allocation.objects.filter(order_line__order=order).exists()


# --- releasing and shipping ---------------------------------------------------------------------


def test_release_gives_back_exactly_the_units_not_shipped(in_a):
    lock = make_product()
    first, second = make_warehouse(1), make_warehouse(2)
    in_first, in_second = put(lock, first, 3), put(lock, second, 10)
    order = place(make_partner(), (lock, 5))
    stock_reserve(lines=lines_of(order))
    stock_ship(order_line=lines_of(order)[0], quantity=2, warehouse=first)

    released = stock_release(order=order)
    again = stock_release(order=order)

    assert released == 3
    assert again == 0
    assert levels(in_first, in_second) == [(1, 0), (10, 0)]
    assert list(
        Allocation.objects.filter(order_line__order=order)
        .order_by("pk")
        .values_list("quantity", "shipped", "released")
    ) == [(3, 2, 1), (2, 0, 2)]
    assert list(
        StockMovement.objects.filter(kind=MovementKind.RELEASE)
        .order_by("pk")
        .values_list("stock_id", "reserved_delta")
    ) == [(in_first.pk, -1), (in_second.pk, -2)]
    assert stock_available([lock.pk]) == {lock.pk: 11}


def test_release_of_an_order_without_allocations_is_zero(in_a):
    order = place(make_partner(), (make_product(), 1))

    assert stock_release(order=order) == 0


def test_ship_moves_held_units_out_and_refuses_more_than_held_there(in_a):
    lock = make_product()
    here, elsewhere = make_warehouse(1), make_warehouse(2)
    row = put(lock, here, 10)
    put(lock, elsewhere, 10)
    order = place(make_partner(), (lock, 4))
    stock_reserve(lines=lines_of(order))
    line = lines_of(order)[0]

    stock_ship(order_line=line, quantity=3, warehouse=here)
    with pytest.raises(ValidationError) as too_many:
        stock_ship(order_line=line, quantity=2, warehouse=here)
    with pytest.raises(ValidationError) as not_there:
        stock_ship(order_line=line, quantity=1, warehouse=elsewhere)

    assert levels(row) == [(7, 1)]
    assert too_many.value.message_dict == {
        "quantity": [f"Reserved for this line in {here} and not yet shipped: 1; cannot ship 2."]
    }
    assert not_there.value.message_dict == {
        "quantity": [
            f"Reserved for this line in {elsewhere} and not yet shipped: 0; cannot ship 1."
        ]
    }
    assert Allocation.objects.get(order_line=line).shipped == 3
    assert list(
        StockMovement.objects.filter(kind=MovementKind.SHIP).values_list(
            "stock_id", "on_hand_delta", "reserved_delta", "order_line_id"
        )
    ) == [(row.pk, -3, -3, line.pk)]


# --- counts, receipts, returns ------------------------------------------------------------------


def test_count_sets_on_hand_but_never_below_what_orders_hold(in_a, vendor_admin):
    lock = make_product()
    row = put(lock, make_warehouse(), 10)
    stock_reserve(lines=lines_of(place(make_partner(), (lock, 4))))

    with pytest.raises(ValidationError) as below:
        stock_adjust(stock=row, counted=3, memo="盘点 / count", actor=vendor_admin)
    with pytest.raises(ValidationError) as no_memo:
        stock_adjust(stock=row, counted=8, memo="  ", actor=vendor_admin)
    counted = stock_adjust(stock=row, counted=8, memo="月度盘点", actor=vendor_admin)

    assert below.value.message_dict == {
        "counted": [
            "4 units are reserved for orders here; the count cannot be lower. "
            "Ship or release them first."
        ]
    }
    assert set(no_memo.value.message_dict) == {"memo"}
    assert (counted.on_hand, counted.reserved) == (8, 4)
    assert levels(row) == [(8, 4)]
    assert list(
        StockMovement.objects.filter(stock=row, kind=MovementKind.ADJUSTMENT).values_list(
            "on_hand_delta", "memo"
        )
    ) == [(-2, "月度盘点")]
    event = LogEntry.objects.get_for_object(row).get()
    assert (event.actor, event.changes_dict, event.additional_data) == (
        vendor_admin,
        {"on_hand": ["10", "8"]},
        {"reason": "月度盘点"},
    )


def test_receipt_creates_the_row_adds_up_and_refuses_closed_warehouses(in_a, vendor_admin):
    lock = make_product()
    warehouse, closed = make_warehouse(), make_warehouse(active=False)

    first = stock_receive(
        product=lock, warehouse=warehouse, quantity=12, memo="PO-001", actor=vendor_admin
    )
    second = stock_receive(product=lock, warehouse=warehouse, quantity=3)
    with pytest.raises(ValidationError) as shut:
        stock_receive(product=lock, warehouse=closed, quantity=1)
    with pytest.raises(ValidationError) as nothing:
        stock_receive(product=lock, warehouse=warehouse, quantity=0)

    assert first.pk == second.pk
    assert levels(first) == [(15, 0)]
    assert set(shut.value.message_dict) == {"warehouse"}
    assert nothing.value.message_dict == {"quantity": ["Quantity must be at least 1."]}
    assert not Stock.objects.filter(warehouse=closed).exists()
    assert list(
        StockMovement.objects.filter(stock=first)
        .order_by("pk")
        .values_list("kind", "on_hand_delta", "reserved_delta", "memo")
    ) == [(MovementKind.RECEIPT, 12, 0, "PO-001"), (MovementKind.RECEIPT, 3, 0, "")]
    events = LogEntry.objects.get_for_object(first).order_by("pk")
    assert [(e.action, e.actor, e.changes_dict) for e in events] == [
        (LogEntry.Action.CREATE, vendor_admin, {"on_hand": ["0", "12"]}),
        (LogEntry.Action.UPDATE, None, {"on_hand": ["12", "15"]}),
    ]


def test_restock_puts_returned_units_back_on_hand(in_a):
    lock = make_product()
    warehouse = make_warehouse()
    row = put(lock, warehouse, 5)
    order = place(make_partner(), (lock, 2))
    stock_reserve(lines=lines_of(order))
    line = lines_of(order)[0]

    restocked = stock_restock(
        product=lock, warehouse=warehouse, quantity=2, order_line=line, memo="RMA-1"
    )

    assert restocked.pk == row.pk
    assert levels(row) == [(7, 2)]
    assert list(
        StockMovement.objects.filter(kind=MovementKind.RETURN).values_list(
            "stock_id", "on_hand_delta", "reserved_delta", "order_line_id", "memo"
        )
    ) == [(row.pk, 2, 0, line.pk, "RMA-1")]


# --- low stock ----------------------------------------------------------------------------------


def _low_stock_setup() -> dict[str, Any]:
    warehouse = make_warehouse(1)
    lock, camera, hub, bell = (make_product(name_en=n) for n in ("Lock", "Cam", "Hub", "Bell"))
    low = put(lock, warehouse, 3, safety=5)
    held = put(camera, warehouse, 12, safety=10)
    stock_reserve(lines=lines_of(place(make_partner(), (camera, 4))))  # 8 available < 10
    enough = put(hub, warehouse, 5, safety=5)
    put(bell, make_warehouse(0, active=False), 0, safety=5)  # closed: never alerted
    return {"low": low, "held": held, "enough": enough, "skus": (lock.sku, camera.sku, hub.sku)}


def test_low_stock_lists_rows_below_safety_in_active_warehouses(in_a):
    rows = _low_stock_setup()

    assert list(stock_low().values_list("pk", flat=True)) == [rows["low"].pk, rows["held"].pk]


def test_low_stock_digest_goes_once_to_the_order_desk_and_admins(
    in_a, django_capture_on_commit_callbacks
):
    desk = make_user(Role.ORDER_DESK)
    away = make_user(Role.ORDER_DESK)
    User.objects.filter(pk=away.pk).update(is_active=False)
    finance = make_user(Role.FINANCE)
    rows = _low_stock_setup()
    lock_sku, camera_sku, hub_sku = rows["skus"]
    expected_to = sorted(
        User.objects.filter(role__in=[Role.ORDER_DESK, Role.ADMIN], is_active=True).values_list(
            "email", flat=True
        )
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = alert_low_stock()
    with django_capture_on_commit_callbacks(execute=True):
        second = alert_low_stock()

    assert (first, second) == (2, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == expected_to
    assert desk.email in message.to
    assert "admin@alpha.test" in message.to
    assert away.email not in message.to
    assert finance.email not in message.to
    assert "2 stock items below safety stock" in message.subject
    assert f"- {lock_sku} " in message.body
    assert f"- {camera_sku} " in message.body
    assert hub_sku not in message.body
    assert "8 available (12 on hand, 4 reserved), safety stock 10" in message.body
    assert "/inventory/?low=1" in message.body
    alerted = Stock.objects.filter(alerted_at__isnull=False)
    assert sorted(alerted.values_list("pk", flat=True)) == [rows["low"].pk, rows["held"].pk]


def test_back_above_safety_rearms_the_alert(in_a, vendor_admin, django_capture_on_commit_callbacks):
    rows = _low_stock_setup()
    low = rows["low"]
    with django_capture_on_commit_callbacks(execute=True):
        alert_low_stock()
    mail.outbox.clear()

    refilled = stock_receive(product=low.product, warehouse=low.warehouse, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        quiet = alert_low_stock()
    stock_adjust(stock=low, counted=1, memo="破损 / damaged", actor=vendor_admin)
    with django_capture_on_commit_callbacks(execute=True):
        again = alert_low_stock()

    assert refilled.alerted_at is None
    assert (quiet, again) == (0, 1)
    assert len(mail.outbox) == 1
    assert low.product.sku in mail.outbox[0].body
    low.refresh_from_db()
    assert low.alerted_at is not None
    assert low.alerted_at <= timezone.now()


def test_the_worker_registers_the_low_stock_job():
    """Beat dispatches by name; a worker that never imported the module cannot run it."""
    code = (
        "import django; django.setup(); from prm.celery import app; "
        "app.loader.import_default_modules(); "
        "print('orders.inventory_tasks.alert_low_stock' in app.tasks)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "prm.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.stdout.split()[-1:] == ["True"]
