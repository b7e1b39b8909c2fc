"""Redis down under a running app: gunicorn and a Celery worker of this test, both on a Redis of
the test's own (broker, results and cache), and a vendor whose data is committed.

While Redis is gone, a dealer signs in, browses the portal and places orders, and a vendor admin
signs in, opens his pages and approves an order: every page answers, the orders are in
PostgreSQL with the webhook delivery their approval owes, and the jobs that could not be queued
are kept in PostgreSQL. The rate-limited duplicate check refuses (fails closed). When Redis comes
back (empty, as a replaced server would) the periodic flush queues the kept jobs, which deliver
the event once; the next change is sent by its own on-commit job again, and the duplicate check
answers.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from orders.models import Order, OrderStatus
from prm.core.jobs import BROKER_RETRY_SECONDS
from prm.core.models import DeferredJob
from prm.embedded import celery_url
from prm.integrations import events as ev
from prm.integrations.models import Delivery, DeliveryStatus, WebhookEndpoint
from reports.models import RollupPending
from tests.concurrency import in_thread
from tests.prm.integrations.receiver import Receiver
from tests.workers import Worker, worker_env

from .servers import Browser, Gunicorn, RedisServer, eventually
from .vendors import PASSWORD, Shop, shop_build, vendor_drop

pytestmark = pytest.mark.django_db

SLUG = "faultsredis"
THROTTLED = "Too many checks; wait a minute."


@pytest.fixture(scope="module")
def shop(django_db_setup: None, django_db_blocker: Any, receiver: Receiver) -> Iterator[Shop]:
    with django_db_blocker.unblock():
        built = shop_build(SLUG)
        try:
            in_thread(
                SLUG,
                lambda: WebhookEndpoint.objects.create(
                    name="ERP", url=receiver.url, secret="s" * 32, event_types=[ev.ORDER_APPROVED]
                ),
            )
            yield built
        finally:
            vendor_drop(SLUG)


@pytest.fixture(scope="module")
def control(redis_server: RedisServer) -> Iterator[Celery]:
    """A Celery client on the test's Redis: pings the worker, sends what beat would send."""
    app = Celery("faults", broker=celery_url(redis_server.url()), set_as_current=False)
    try:
        yield app
    finally:
        app.close()


@pytest.fixture(scope="module")
def env(redis_server: RedisServer) -> dict[str, str]:
    # Logical database 0 of the test's Redis for broker, results and cache alike.
    return worker_env(REDIS_URL=redis_server.url(), PRM_TEST_REDIS_DB="0")


@pytest.fixture(scope="module")
def web(shop: Shop, env: dict[str, str]) -> Iterator[Gunicorn]:
    server = Gunicorn(env)
    try:
        yield server.wait_ready()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def worker(shop: Shop, env: dict[str, str], control: Celery) -> Iterator[Worker]:
    # The default queue: nothing else uses this Redis.
    running = Worker("faults-redis", queue="celery", env=env)
    try:
        running.wait_ready(control=control)
        yield running
    finally:
        running.stop()


def place_order(buyer: Browser, product: int) -> int:
    assert buyer.post("/portal/orders/cart/add/", {"product": product, "quantity": 1}).is_redirect
    placed = buyer.post("/portal/orders/checkout/", {"use_prepaid": "on", "ship_to": "上海"})
    assert placed.status_code == 302, placed.text[:2000]
    found = re.fullmatch(r"/portal/orders/(\d+)/", placed.headers["Location"])
    assert found is not None, placed.headers["Location"]
    return int(found.group(1))


def deal_check(buyer: Browser) -> str:
    answer = buyer.get(
        "/portal/deals/new/check/", customer_name="上海某某科技", phone="13800138000"
    )
    assert answer.status_code == 200
    return answer.text


def approve(admin: Browser, order: int) -> None:
    assert admin.post(f"/orders/{order}/approve/", {"note": ""}).status_code == 302


def test_pages_orders_and_queued_work_survive_redis_going_away(
    shop, web, worker, redis_server, control, receiver
):
    buyer, admin = Browser(web.base, shop.host), Browser(web.base, shop.host)
    assert buyer.login(shop.buyer, PASSWORD).status_code == 302
    assert THROTTLED not in deal_check(buyer)  # Redis up: the check answers

    redis_server.stop()
    down_at = time.monotonic()

    # Signing in, the portal, the mall, the duplicate check: nothing needs Redis but the limit.
    fresh = Browser(web.base, shop.host)
    assert fresh.get("/accounts/login/").status_code == 200
    assert fresh.login(shop.buyer, PASSWORD).status_code == 302
    for page in ("/portal/", "/portal/orders/catalog/", "/portal/orders/"):
        assert fresh.get(page).status_code == 200, page
    first, second = place_order(fresh, shop.product), place_order(fresh, shop.product)
    assert fresh.get(f"/portal/orders/{first}/").status_code == 200
    assert THROTTLED in deal_check(fresh)  # fails closed
    # The vendor's side: sign in, the dashboard and the order desk, an approval.
    assert admin.login(shop.admin, PASSWORD).status_code == 302
    for page in ("/", "/orders/", f"/orders/{first}/", "/integrations/erp/"):
        assert admin.get(page).status_code == 200, page
    approve(admin, first)
    outage = time.monotonic() - down_at

    def during() -> dict[str, Any]:
        return {
            "orders": sorted(Order.objects.values_list("pk", "status")),
            "deliveries": list(Delivery.objects.values_list("status", "attempts")),
            "rollups pending": RollupPending.objects.exists(),
            "kept": sorted(DeferredJob.objects.values_list("task", flat=True)),
        }

    assert in_thread(SLUG, during) == {
        "orders": [(first, OrderStatus.APPROVED), (second, OrderStatus.SUBMITTED)],
        "deliveries": [(DeliveryStatus.PENDING, 0)],  # owed, never tried: its job was not queued
        "rollups pending": True,
        "kept": ["prm.integrations.outbox_deliver", "reports.rollups_refresh"],
    }
    assert receiver.event_ids() == {}
    log = web.output()
    assert f"prm.integrations.outbox_deliver not queued in {SLUG}" in log
    assert "cache unreachable" in log
    assert outage < 60  # every page answered promptly, not after connection timeouts

    redis_server.start()  # empty: whatever it held is gone
    back = time.monotonic()

    def worker_answers() -> bool:
        try:
            return bool(control.control.ping(destination=[worker.node], timeout=0.5))
        except (RedisError, BrokerError):  # the client's connection to the old server
            return False

    eventually(worker_answers)

    # What beat sends every minute queues the kept jobs, which catch up.
    control.send_task("prm.core.tasks.deferred_jobs_flush", headers={"_schema_name": SLUG})
    eventually(lambda: receiver.event_ids())
    eventually(lambda: not in_thread(SLUG, RollupPending.objects.exists))
    assert not in_thread(SLUG, DeferredJob.objects.exists)
    # Once the web processes stop skipping the broker (prm.core.jobs: 5 s after their last
    # failed send), the next approval goes out by its own on-commit job again.
    time.sleep(max(0.0, back + BROKER_RETRY_SECONDS - time.monotonic()))
    approve(admin, second)
    eventually(lambda: len(receiver.event_ids()) == 2)
    assert THROTTLED not in deal_check(fresh)

    def after() -> list[tuple[str, str, int]]:
        rows = Delivery.objects.order_by("event__occurred_at")
        return list(rows.values_list("event__object_id", "status", "attempts"))

    assert in_thread(SLUG, after) == [
        (str(first), DeliveryStatus.DELIVERED, 1),
        (str(second), DeliveryStatus.DELIVERED, 1),
    ]
    assert sorted(receiver.event_ids().values()) == [1, 1]  # each event once
