"""The ERP (a real Tryton server, tests/erp) unreachable for a while, then back.

- Refused (the connection pointed at a closed port) for two beat rounds: every step of the sync
  job fails alone and says why, on the vendor's ERP sync page too; nothing is half-applied.
  Back: the next sync pushes each order once and pulls the price change; one more finds nothing.
- Lost in the middle of pushing orders, right after Tryton made a sale whose answer never came
  back: the run fails having linked what it heard of; back, the next run links the sale Tryton
  made (found by order number) and pushes the rest, each order one Tryton sale.
- Cut off in the middle of an answer (a proxy or server dying while it sends): the run is
  failed with the reason, not left "running" for ever.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from xml.parsers.expat import ExpatError

import pytest

from orders.erp.models import ErpConnection, ExternalRef, RunStatus, SyncRun
from orders.erp.sync import erp_pull_products, erp_push_orders
from orders.erp.tasks import erp_sync
from orders.models import Product
from prm.integrations.erp.connector import ErpUnavailable
from prm.integrations.erp.tryton import TrytonConnector
from tests.conftest import login
from tests.erp.test_tryton_sync import approved_order, sales_for, tryton_product
from tests.erp.tryton_server import TrytonServer
from tests.orders.mall import Mall

from .servers import free_port

pytestmark = pytest.mark.django_db

REFUSED = "Tryton cannot be reached: [Errno 111] Connection refused"


def runs() -> list[tuple[str, str, int, str]]:
    """Every run, oldest first: what, status, created, error; each one finished."""
    assert not SyncRun.objects.filter(finished_at__isnull=True).exists()
    rows = SyncRun.objects.order_by("pk").values_list("direction", "status", "created", "error")
    return list(rows)


def test_while_the_erp_is_refused_each_step_fails_and_says_why_then_all_goes_once(
    mall: Mall, connection: ErpConnection, erp: Any, vendor_admin: Any, client_a: Any
) -> None:
    tryton_product(erp, "T-LK-100", "智能门锁 二代", "950.00")
    orders = [approved_order(mall, vendor_admin), approved_order(mall, vendor_admin)]
    reachable = connection.url
    connection.url = f"http://127.0.0.1:{free_port()}/"
    connection.save()

    for _beat in range(2):
        assert erp_sync(connection.pk) == 5

    down = runs()
    assert [(status, created, error) for _what, status, created, error in down] == [
        (RunStatus.FAILED, 0, REFUSED)
    ] * 10
    assert not ExternalRef.objects.exists()
    assert Product.objects.get(pk=mall.lock.pk).list_price == Decimal("899.00")
    login(client_a, vendor_admin)
    client_a.cookies["prm_language"] = "en"
    page = client_a.get("/integrations/erp/").content.decode()
    assert page.count(REFUSED) == 10
    assert page.count(">Failed</span>") == 10

    connection.url = reachable
    connection.save()
    erp_sync(connection.pk)
    erp_sync(connection.pk)

    back, again = runs()[10:15], runs()[15:]
    assert [(what, status, created) for what, status, created, _error in back] == [
        ("push_orders", RunStatus.SUCCEEDED, 2),
        ("pull_products", RunStatus.SUCCEEDED, 0),  # the lock's price updated, nothing new
        # Tryton counts no lock in stock, fewer than the two orders hold: refused, as always.
        ("pull_stock", RunStatus.PARTIAL, 0),
        ("pull_payments", RunStatus.SUCCEEDED, 0),
        ("pull_invoices", RunStatus.SUCCEEDED, 0),
    ]
    assert [created for _what, _status, created, _error in again] == [0] * 5
    assert Product.objects.get(pk=mall.lock.pk).list_price == Decimal("950.00")
    assert [len(sales_for(erp, order.number)) for order in orders] == [1, 1]


def test_an_erp_lost_mid_push_gets_each_order_once_when_it_is_back(
    mall: Mall,
    connection: ErpConnection,
    erp: Any,
    vendor_admin: Any,
    tryton: TrytonServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tryton_product(erp, "T-LK-100", "智能门锁", "899.00")
    orders = [approved_order(mall, vendor_admin) for _n in range(3)]
    push = TrytonConnector.push_sale
    pushed: list[str] = []

    def then_the_erp_goes(self: TrytonConnector, sale: Any) -> str:
        external = push(self, sale)
        pushed.append(sale.number)
        if len(pushed) == 2:  # Tryton made the second sale; its answer is lost with the server
            tryton.stop()
            raise ErpUnavailable("Tryton cannot be reached: the connection was lost")
        return external

    monkeypatch.setattr(TrytonConnector, "push_sale", then_the_erp_goes)
    lost = erp_push_orders(connection=connection)
    monkeypatch.setattr(TrytonConnector, "push_sale", push)
    refused = erp_push_orders(connection=connection)
    tryton.start()
    back, again = erp_push_orders(connection=connection), erp_push_orders(connection=connection)

    assert (lost.status, lost.created) == (RunStatus.FAILED, 1)
    assert (refused.status, refused.created, refused.error) == (RunStatus.FAILED, 0, REFUSED)
    assert (back.status, back.created, again.created) == (RunStatus.SUCCEEDED, 2, 0)
    assert pushed == [orders[0].number, orders[1].number]
    linked = ExternalRef.objects.filter(object_type="order")
    assert sorted(linked.values_list("local_id", flat=True)) == sorted(o.pk for o in orders)
    sales = [sales_for(tryton.connect(), order.number) for order in orders]
    assert [len(found) for found in sales] == [1, 1, 1]
    assert sorted(linked.values_list("external_id", flat=True)) == sorted(
        str(found[0].id) for found in sales
    )


@pytest.fixture
def cut_off() -> Iterator[str]:
    """An address that answers every request with the start of a reply, then hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                peer, _address = listener.accept()
            except OSError:
                return
            with peer:
                peer.recv(65536)
                peer.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 4096\r\n\r\n"
                    b"<?xml version='1.0'?><methodResponse>"
                )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/prm/"
    finally:
        stop.set()
        listener.close()
        thread.join(5)


def test_an_answer_cut_off_midway_fails_the_run_instead_of_leaving_it_running(
    mall: Mall, connection: ErpConnection, cut_off: str
) -> None:
    connection.url = cut_off
    connection.save()

    with pytest.raises(ExpatError) as raised:
        erp_pull_products(connection=connection)

    ((status, error),) = SyncRun.objects.values_list("status", "error")
    assert (status, error) == (RunStatus.FAILED, f"ExpatError: {raised.value}")
    assert not SyncRun.objects.filter(finished_at__isnull=True).exists()


def test_a_tryton_that_takes_connections_but_never_answers_fails_after_the_socket_timeout() -> None:
    # Listening, never accepting: the kernel completes the handshake, no answer ever comes.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        connector = TrytonConnector(
            url=f"http://127.0.0.1:{port}/tryton/", login="admin", password="x", timeout=0.5
        )
        with pytest.raises(ErpUnavailable, match=r"^Tryton cannot be reached: timed out$"):
            connector.products()


def test_the_session_header_and_the_timeout_travel_together() -> None:
    from prm.integrations.erp.tryton import _transport

    made = _transport("HTTPS://erp.example/db/", 7.0, [("Authorization", "Session abc")])
    connection = made.make_connection("erp.example")

    assert type(made).__mro__[1].__name__ == "SafeTransport"
    assert connection.timeout == 7.0
    assert made._headers == [("Authorization", "Session abc")]
