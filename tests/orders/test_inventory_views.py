"""Inventory pages: the list and its filters, a row's movements, receiving, counting, access."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tenants.utils import schema_context

from orders.inventory import stock_receive, stock_reserve
from orders.models import MovementKind, StockMovement
from partners.models import ProductLine
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_product, make_user

from .test_inventory import levels, lines_of, make_warehouse, place, put

pytestmark = pytest.mark.django_db


def _english(client: Any) -> Any:
    client.cookies["prm_language"] = "en"
    return client


@pytest.fixture
def desk(in_a: Any) -> Any:
    return make_user(Role.ORDER_DESK)


@pytest.fixture
def shelf(in_a: Any) -> dict[str, Any]:
    """Two product lines, two warehouses, three stock rows (one below its safety stock)."""
    locks = ProductLine.objects.create(code="inv-locks", name="智能锁", name_en="Locks")
    cams = ProductLine.objects.create(code="inv-cams", name="摄像头", name_en="Cameras")
    lock = make_product(sku="LOCK-X1", name="智能锁X1", name_en="Smart lock X1", product_line=locks)
    cam = make_product(sku="CAM-C2", name="摄像头C2", name_en="Camera C2", product_line=cams)
    east, west = make_warehouse(1), make_warehouse(2)
    return {
        "east": east,
        "west": west,
        "lock_east": put(lock, east, 20, safety=5),
        "lock_west": put(lock, west, 2, safety=5),
        "cam_east": put(cam, east, 7),
        "lock": lock,
        "cams": cams,
    }


def _skus_and_places(response: Any) -> list[tuple[str, int]]:
    return [(s.product.sku, s.warehouse_id) for s in response.context["page"].object_list]


def test_list_filters_by_warehouse_product_line_low_stock_and_search(client_a, shelf, desk):
    login(_english(client_a), desk)
    east, west = shelf["east"].pk, shelf["west"].pk

    everything = client_a.get("/inventory/")
    in_west = client_a.get(f"/inventory/?warehouse={west}")
    cameras = client_a.get(f"/inventory/?product_line={shelf['cams'].pk}")
    low = client_a.get("/inventory/?low=1")
    by_sku = client_a.get("/inventory/?q=lock-x")
    by_name = client_a.get("/inventory/?q=摄像头")

    assert everything.status_code == 200
    assert _skus_and_places(everything) == [("CAM-C2", east), ("LOCK-X1", east), ("LOCK-X1", west)]
    assert _skus_and_places(in_west) == [("LOCK-X1", west)]
    assert _skus_and_places(cameras) == [("CAM-C2", east)]
    assert _skus_and_places(low) == [("LOCK-X1", west)]
    assert _skus_and_places(by_sku) == [("LOCK-X1", east), ("LOCK-X1", west)]
    assert _skus_and_places(by_name) == [("CAM-C2", east)]
    assert b"Receive goods" in everything.content


def test_list_query_count_does_not_grow_with_rows(client_a, desk):
    login(client_a, desk)
    warehouse = make_warehouse(1)
    for _ in range(2):
        put(make_product(), warehouse, 3, safety=5)
    client_a.get("/inventory/")
    with CaptureQueriesContext(connection) as few:
        two = client_a.get("/inventory/")
    line = ProductLine.objects.create(code="inv-more", name="更多")
    for i in range(18):
        put(make_product(product_line=line), make_warehouse(i % 3) if i % 6 == 0 else warehouse, i)
    with CaptureQueriesContext(connection) as many:
        twenty = client_a.get("/inventory/")

    assert len(two.context["page"].object_list) == 2
    assert len(twenty.context["page"].object_list) == 20
    assert len(many) == len(few)


def test_detail_shows_the_rows_movements_with_their_orders(client_a, shelf, desk):
    row = shelf["lock_east"]
    stock_receive(product=shelf["lock"], warehouse=shelf["east"], quantity=5, memo="PO-77")
    order = place(make_partner(), (shelf["lock"], 4))
    stock_reserve(lines=lines_of(order))
    login(_english(client_a), desk)

    page = client_a.get(f"/inventory/{row.pk}/")

    assert page.status_code == 200
    assert [(m.kind, m.on_hand_delta, m.reserved_delta) for m in page.context["page"]] == [
        (MovementKind.RESERVE, 0, 4),
        (MovementKind.RECEIPT, 5, 0),
    ]
    assert order.number.encode() in page.content
    assert b"PO-77" in page.content
    assert b'id="available">21' in page.content
    assert page.context["count_form"] is not None


def test_order_desk_receives_goods_by_sku(client_a, shelf, desk):
    login(_english(client_a), desk)
    row = shelf["lock_west"]

    form = client_a.get(f"/inventory/receive/?stock={row.pk}")
    received = client_a.post(
        "/inventory/receive/",
        {"product": " LOCK-X1 ", "warehouse": shelf["west"].pk, "quantity": "8", "memo": "PO-9"},
    )
    unknown = client_a.post(
        "/inventory/receive/",
        {"product": "NOPE-1", "warehouse": shelf["west"].pk, "quantity": "0"},
    )

    assert form.status_code == 200
    assert form.context["form"]["product"].value() == "LOCK-X1"
    assert received.status_code == 302
    assert received["Location"] == f"/inventory/{row.pk}/"
    assert levels(row) == [(10, 0)]
    assert StockMovement.objects.filter(stock=row, kind=MovementKind.RECEIPT).get().memo == "PO-9"
    assert set(unknown.context["form"].errors) == {"product", "quantity"}
    with translation.override("en"):  # form errors are lazy: read them in English
        assert unknown.context["form"].errors["product"] == ["No product has this SKU."]


def test_count_below_reserved_is_refused_at_the_field_and_nothing_changes(client_a, shelf, desk):
    row = shelf["lock_east"]
    stock_reserve(lines=lines_of(place(make_partner(), (shelf["lock"], 6))))
    login(_english(client_a), desk)

    refused = client_a.post(f"/inventory/{row.pk}/count/", {"counted": "5", "memo": "盘点"})
    counted = client_a.post(f"/inventory/{row.pk}/count/", {"counted": "17", "memo": "盘点"})

    assert refused.status_code == 200
    assert list(refused.context["form"].errors) == ["counted"]
    assert "6 units are reserved" in refused.context["form"].errors["counted"][0]
    assert counted.status_code == 302
    assert levels(row) == [(17, 6)]
    assert list(
        StockMovement.objects.filter(stock=row, kind=MovementKind.ADJUSTMENT).values_list(
            "on_hand_delta", flat=True
        )
    ) == [-3]


@pytest.mark.parametrize("role", [Role.FINANCE, Role.SALES, Role.CHANNEL_MANAGER])
def test_other_vendor_roles_look_but_cannot_receive_or_count(client_a, shelf, role):
    row = shelf["lock_east"]
    login(client_a, make_user(role))

    looks = [client_a.get(url).status_code for url in ("/inventory/", f"/inventory/{row.pk}/")]
    writes = [
        client_a.get("/inventory/receive/").status_code,
        client_a.post(
            "/inventory/receive/",
            {"product": "LOCK-X1", "warehouse": shelf["east"].pk, "quantity": "5"},
        ).status_code,
        client_a.get(f"/inventory/{row.pk}/count/").status_code,
        client_a.post(f"/inventory/{row.pk}/count/", {"counted": "1", "memo": "x"}).status_code,
    ]

    assert looks == [200, 200]
    assert writes == [403] * 4
    assert levels(row) == [(20, 0)]
    detail = client_a.get(f"/inventory/{row.pk}/")
    assert detail.context["count_form"] is None


def test_partners_anonymous_and_other_vendors_never_reach_stock(client_a, client_b, shelf):
    row = shelf["lock_east"]
    urls = ["/inventory/", f"/inventory/{row.pk}/", "/inventory/receive/"]
    urls.append(f"/inventory/{row.pk}/count/")

    anonymous = [client_a.get(url) for url in urls]
    partner = make_partner()
    for role in (Role.PARTNER_ADMIN, Role.PARTNER_USER):
        login(client_a, make_user(role, partner=partner))
        assert [client_a.get(url).status_code for url in urls] == [403] * 4
        posted = client_a.post(urls[3], {"counted": "0", "memo": "x"})
        assert posted.status_code == 403
    with schema_context("bravo"):
        client_b.force_login(make_user(Role.ADMIN))
    foreign = [client_b.get(url).status_code for url in urls[1:2] + urls[3:]]
    foreign_post = client_b.post(urls[3], {"counted": "0", "memo": "x"}).status_code
    bravo_list = client_b.get("/inventory/")

    assert [r.status_code for r in anonymous] == [302] * 4
    assert all(r["Location"].startswith("/accounts/login/") for r in anonymous)
    assert foreign == [404, 404]
    assert foreign_post == 404
    assert bravo_list.status_code == 200
    assert bravo_list.context["page"].paginator.count == 0
    with schema_context("alpha"):
        assert levels(row) == [(20, 0)]
