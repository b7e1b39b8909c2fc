"""Stock and channel prices through the API: vendor keys read stock per warehouse, a partner's key
only what its mall shows (units free to order, its own prices); price lists are the vendor's, a
channel manager's key seeing his own partners' lists and prices only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext

from orders.inventory import stock_receive
from orders.models import PriceList, Product, Stock, Warehouse
from partners.models import Partner
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.factories import make_order, make_partner, make_product, make_user
from tests.orders.mall import Mall, build_mall
from tests.orders.test_pricing import make_list

from .api_helpers import bearer, key_for

pytestmark = pytest.mark.django_db


@dataclass
class World:
    mall: Mall
    beijing: Warehouse
    other: Product  # not in the dealer's product lines
    theirs: Partner
    manager: User  # channel manager of the mall's dealer only
    region_list: PriceList
    own_list: PriceList
    their_list: PriceList


@pytest.fixture
def world(in_a: Any) -> World:
    mall = build_mall()
    beijing = Warehouse.objects.create(code="t-bj", name="北京仓", priority=2)
    stock_receive(product=mall.lock, warehouse=beijing, quantity=7)
    other = make_product("50.00", sku="T-OTHER-1")
    stock_receive(product=other, warehouse=mall.warehouse, quantity=3)
    make_order(mall.partner, (mall.lock, 2))  # holds 2 locks in 上海仓, the first by priority
    manager = make_user(Role.CHANNEL_MANAGER)
    Partner.objects.filter(pk=mall.partner.pk).update(channel_manager=manager)
    theirs = make_partner(name="乙渠道有限公司")
    return World(
        mall=mall,
        beijing=beijing,
        other=other,
        theirs=theirs,
        manager=manager,
        region_list=make_list("上海区域价", (mall.camera, 1, "240.00"), region="上海"),
        own_list=make_list(
            "甲专享", (mall.lock, 1, "850.00"), (mall.lock, 10, "800.00"), partner=mall.partner
        ),
        their_list=make_list("乙专享", (mall.lock, 1, "700.00"), partner=theirs),
    )


def _rows(client: Client, url: str) -> list[dict[str, Any]]:
    answer = client.get(url)
    assert answer.status_code == 200, answer.content
    return answer.json()["results"]


def _stock(world: World, product: Product, warehouse: Warehouse) -> QuerySet[Stock]:
    return Stock.objects.filter(product=product, warehouse=warehouse)


# --- stock ---------------------------------------------------------------------------------------


def test_vendor_staff_read_stock_per_product_and_warehouse(world: World, client_a: Client) -> None:
    desk = make_user(Role.ORDER_DESK)
    client = bearer(client_a, key_for(desk, "stock:read"))
    rows = _rows(client, "/api/v1/stock/")
    assert [
        (r["sku"], r["warehouse"], r["on_hand"], r["reserved"], r["available"]) for r in rows
    ] == [
        ("T-CAM-2K", "t-sh", 5, 0, 5),
        ("T-LK-100", "t-sh", 20, 2, 18),
        ("T-LK-100", "t-bj", 7, 0, 7),
        ("T-OTHER-1", "t-sh", 3, 0, 3),
    ]
    beijing = _rows(client, f"/api/v1/stock/?warehouse={world.beijing.pk}")
    assert [(r["sku"], r["available"]) for r in beijing] == [("T-LK-100", 7)]
    assert [r["sku"] for r in _rows(client, "/api/v1/stock/?q=other")] == ["T-OTHER-1"]
    row = _stock(world, world.mall.lock, world.mall.warehouse).get()
    one = client.get(f"/api/v1/stock/{row.pk}/").json()
    assert one == {
        "id": row.pk,
        "product": world.mall.lock.pk,
        "sku": "T-LK-100",
        "warehouse": "t-sh",
        "warehouse_active": True,
        "on_hand": 20,
        "reserved": 2,
        "available": 18,
        "safety_stock": 0,
    }
    # What is free to order, summed over the warehouses: every active product for the vendor.
    assert [(r["sku"], r["available"]) for r in _rows(client, "/api/v1/stock/availability/")] == [
        ("T-CAM-2K", 5),
        ("T-LK-100", 25),
        ("T-OTHER-1", 3),
    ]


def test_a_partner_key_sees_what_its_mall_shows_and_no_warehouse(
    world: World, client_a: Client, vendor_admin: Any
) -> None:
    client = bearer(client_a, key_for(world.mall.buyer, "stock:read", actor=vendor_admin))
    listed = client.get("/api/v1/stock/").json()
    assert (listed["count"], listed["results"]) == (0, [])
    row = _stock(world, world.mall.lock, world.mall.warehouse).get()
    assert client.get(f"/api/v1/stock/{row.pk}/").status_code == 404
    available = _rows(client, "/api/v1/stock/availability/")
    assert available == [
        {"product": world.mall.camera.pk, "sku": "T-CAM-2K", "available": 5},
        {"product": world.mall.lock.pk, "sku": "T-LK-100", "available": 25},
    ]
    one = _rows(client, "/api/v1/stock/availability/?sku=t-lk-100")
    assert [(r["sku"], r["available"]) for r in one] == [("T-LK-100", 25)]
    # A product outside its product lines is not in its mall: not even its stock.
    assert _rows(client, "/api/v1/stock/availability/?sku=T-OTHER-1") == []


def test_stock_is_read_only_and_closed_to_keys_without_the_scope(
    world: World, client_a: Client, vendor_admin: Any
) -> None:
    reader = bearer(client_a, key_for(vendor_admin, "stock:read"))
    refused = reader.post("/api/v1/stock/", {}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "This key lacks the scope stock:write."
    writer = bearer(Client(HTTP_HOST="alpha.localhost"), key_for(vendor_admin, "stock:write"))
    assert writer.post("/api/v1/stock/", {}, content_type="application/json").status_code == 405
    other = bearer(Client(HTTP_HOST="alpha.localhost"), key_for(vendor_admin, "orders:read"))
    assert other.get("/api/v1/stock/availability/").status_code == 403
    assert _stock(world, world.mall.lock, world.mall.warehouse).get().on_hand == 20


# --- prices --------------------------------------------------------------------------------------


def test_a_partner_key_gets_its_own_effective_prices(
    world: World, client_a: Client, vendor_admin: Any
) -> None:
    client = bearer(client_a, key_for(world.mall.buyer, "products:read", actor=vendor_admin))
    prices = _rows(client, "/api/v1/prices/")
    assert prices == [
        {
            "product": world.mall.camera.pk,
            "sku": "T-CAM-2K",
            "quantity": 1,
            "list_price": "259.00",
            "unit_price": "240.00",
            "source": "region",
            "price_list": world.region_list.pk,
            "price_list_name": "上海区域价",
            "min_quantity": 1,
            "rule": "Region price list 上海区域价",
        },
        {
            "product": world.mall.lock.pk,
            "sku": "T-LK-100",
            "quantity": 1,
            "list_price": "899.00",
            "unit_price": "850.00",
            "source": "partner",
            "price_list": world.own_list.pk,
            "price_list_name": "甲专享",
            "min_quantity": 1,
            "rule": "Partner price list 甲专享",
        },
    ]
    bulk = _rows(client, "/api/v1/prices/?quantity=10&sku=t-lk-100")
    assert [(p["unit_price"], p["min_quantity"], p["rule"]) for p in bulk] == [
        ("800.00", 10, "Partner price list 甲专享 (from 10 units)")
    ]
    one = client.get(f"/api/v1/prices/{world.mall.lock.pk}/?quantity=12").json()
    assert (one["quantity"], one["unit_price"]) == (12, "800.00")
    # Another partner's price is never quoted to it, whichever partner it names.
    named = client.get(f"/api/v1/prices/{world.mall.lock.pk}/?partner={world.theirs.pk}").json()
    assert (named["unit_price"], named["price_list"]) == ("850.00", world.own_list.pk)
    assert client.get(f"/api/v1/prices/{world.other.pk}/").status_code == 404
    bad = client.get("/api/v1/prices/?quantity=0")
    assert bad.json()["error"]["fields"] == {
        "quantity": ["Ensure this value is greater than or equal to 1."]
    }
    # The lists themselves are the vendor's: what others pay is not a dealer's business.
    assert _rows(client, "/api/v1/price-lists/") == []
    assert client.get(f"/api/v1/price-lists/{world.own_list.pk}/").status_code == 404


def test_vendor_keys_name_the_partner_and_read_the_lists(
    world: World, client_a: Client, vendor_admin: Any
) -> None:
    client = bearer(client_a, key_for(vendor_admin, "products:read"))
    unnamed = client.get("/api/v1/prices/")
    assert unnamed.status_code == 400
    assert unnamed.json()["error"]["fields"] == {
        "partner": ["Name the partner whose prices you want."]
    }
    theirs = client.get(f"/api/v1/prices/{world.mall.lock.pk}/?partner={world.theirs.pk}")
    # 乙 may not order locks (not its product line): its mall has no such product.
    assert theirs.status_code == 404
    ours = _rows(client, f"/api/v1/prices/?partner={world.mall.partner.pk}&sku=T-LK-100")
    assert [(p["unit_price"], p["source"]) for p in ours] == [("850.00", "partner")]
    lists = _rows(client, "/api/v1/price-lists/")
    assert [(p["name"], p["kind"], p["partner"]) for p in lists] == [
        ("上海区域价", "region", None),
        ("甲专享", "partner", world.mall.partner.pk),
        ("乙专享", "partner", world.theirs.pk),
    ]
    own = client.get(f"/api/v1/price-lists/{world.own_list.pk}/").json()
    assert [(i["sku"], i["min_quantity"], i["price"]) for i in own["items"]] == [
        ("T-LK-100", 1, "850.00"),
        ("T-LK-100", 10, "800.00"),
    ]
    assert (own["tier"], own["region"], own["valid_from"], own["valid_to"]) == (
        None,
        "",
        None,
        None,
    )


def test_a_channel_managers_key_sees_his_partners_lists_and_prices_only(
    world: World, client_a: Client, vendor_admin: Any
) -> None:
    client = bearer(client_a, key_for(world.manager, "products:read", actor=vendor_admin))
    lists = _rows(client, "/api/v1/price-lists/")
    assert [p["name"] for p in lists] == ["上海区域价", "甲专享"]
    assert client.get(f"/api/v1/price-lists/{world.their_list.pk}/").status_code == 404
    refused = client.get(f"/api/v1/prices/?partner={world.theirs.pk}")
    assert refused.json()["error"]["fields"] == {"partner": [f"No partner {world.theirs.pk} here."]}
    ours = _rows(client, f"/api/v1/prices/?partner={world.mall.partner.pk}")
    assert [(p["sku"], p["unit_price"]) for p in ours] == [
        ("T-CAM-2K", "240.00"),
        ("T-LK-100", "850.00"),
    ]


def test_price_lists_are_read_only(world: World, client_a: Client, vendor_admin: Any) -> None:
    client = bearer(client_a, key_for(vendor_admin, "products:read"))
    refused = client.post("/api/v1/price-lists/", {}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "This key lacks the scope products:write."
    assert PriceList.objects.count() == 3


def test_the_lists_cost_the_same_queries_for_more_rows(
    world: World, client_a: Client, vendor_admin: Any
) -> None:
    urls = [
        "/api/v1/stock/",
        "/api/v1/stock/availability/",
        "/api/v1/price-lists/",
        f"/api/v1/prices/?partner={world.mall.partner.pk}",
    ]
    client = bearer(client_a, key_for(vendor_admin, "stock:read", "products:read"))
    client.get(urls[0])  # the key's first use is recorded once

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as done:
                assert client.get(url).status_code == 200
            found.append(len(done))
        return found

    before = counts()
    more = make_product("120.00", product_line=world.mall.line, sku="T-LK-200")
    stock_receive(product=more, warehouse=world.beijing, quantity=4)
    make_list("华东季度价", (more, 1, "110.00"), (world.mall.camera, 4, "230.00"), region="上海")
    assert counts() == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/stock/",
        "/api/v1/stock/availability/",
        "/api/v1/price-lists/",
        "/api/v1/prices/",
    ],
)
def test_anonymous_callers_and_another_vendors_keys_reach_nothing(
    url: str, in_a: Any, client_b: Client, tenant_b: Any, vendor_admin: Any
) -> None:
    assert Client(HTTP_HOST="alpha.localhost").get(url).status_code == 401
    token = key_for(vendor_admin, "stock:read", "products:read")
    connection.set_tenant(tenant_b)
    assert bearer(client_b, token).get(url).status_code == 401
