"""The mall's pages: catalog, cart, checkout, order moves, price check; who reaches what."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tenants.utils import schema_context

from orders.models import Order, OrderStatus, PriceList, PriceListItem
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_product, make_user

from .mall import dealer, fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper(client_a, mall):
    login(client_a, mall.buyer)
    client_a.cookies["prm_language"] = "en"
    return client_a


def test_catalog_shows_authorized_products_at_the_dealers_price(shopper, mall):
    make_product("10.00", sku="T-HIDDEN")  # another product line: not for this dealer
    special = PriceList.objects.create(name="专享", kind="partner", partner=mall.partner)
    PriceListItem.objects.create(price_list=special, product=mall.lock, price=Decimal("799.00"))

    page = shopper.get("/portal/orders/catalog/")

    skus = [row["product"].sku for row in page.context["rows"]]
    lock = next(r for r in page.context["rows"] if r["product"].sku == "T-LK-100")
    assert skus == ["T-CAM-2K", "T-LK-100"]
    assert (lock["quote"].unit_price, lock["available"]) == (Decimal("799.00"), 20)
    assert "Partner price list 专享" in page.content.decode()


def test_catalog_query_count_does_not_grow_with_products(shopper, mall):
    shopper.get("/portal/orders/catalog/")
    with CaptureQueriesContext(connection) as few:
        shopper.get("/portal/orders/catalog/")
    for n in range(12):
        make_product("5.00", sku=f"T-MORE-{n}", product_line=mall.line)
    with CaptureQueriesContext(connection) as many:
        response = shopper.get("/portal/orders/catalog/")

    assert len(response.context["rows"]) == 14
    assert len(many) == len(few)


def test_cart_quick_order_upload_and_checkout(shopper, mall):
    fund(mall.partner, prepaid="5000.00")
    shopper.post("/portal/orders/cart/add/", {"product": mall.lock.pk, "quantity": 1})
    shopper.post("/portal/orders/cart/quick/", {"sku": "t-cam-2k", "quantity": 4})
    upload = SimpleUploadedFile(
        "lines.csv", b"sku,quantity\nT-LK-100,1\nNOPE,2\nT-LK-100,x\n", "text/csv"
    )
    cart = shopper.post("/portal/orders/cart/", {"file": upload})
    result = cart.context["upload_result"]

    assert result.added == 1
    assert [row for row, _reason in result.rejected] == [3, 4]
    assert [(line.product.sku, line.quantity) for line in cart.context["lines"]] == [
        ("T-LK-100", 2),
        ("T-CAM-2K", 4),
    ]
    assert cart.context["quote"].total == Decimal("2834.00")  # 2 x 899.00 + 4 x 259.00

    preview = shopper.get("/portal/orders/checkout/")
    placed = shopper.post(
        "/portal/orders/checkout/", {"use_prepaid": "on", "ship_to": "上海市张江路 1 号"}
    )

    order = Order.objects.get(partner=mall.partner)
    assert preview.context["split"].prepaid == Decimal("2834.00")
    assert placed.status_code == 302
    assert placed["Location"] == f"/portal/orders/{order.pk}/"
    assert (order.total, order.paid_prepaid, order.ship_to) == (
        Decimal("2834.00"),
        Decimal("2834.00"),
        "上海市张江路 1 号",
    )
    assert shopper.get("/portal/orders/cart/").context["lines"] == []


def test_a_price_change_after_adding_is_shown_and_nothing_is_ordered(shopper, mall):
    fund(mall.partner, prepaid="5000.00")
    shopper.post("/portal/orders/cart/add/", {"product": mall.lock.pk, "quantity": 1})
    special = PriceList.objects.create(name="新价", kind="partner", partner=mall.partner)
    PriceListItem.objects.create(price_list=special, product=mall.lock, price=Decimal("950.00"))

    refused = shopper.post("/portal/orders/checkout/", {"use_prepaid": "on", "ship_to": "x"})
    shopper.post("/portal/orders/cart/update/", {"refresh_prices": "1"})
    accepted = shopper.post("/portal/orders/checkout/", {"use_prepaid": "on", "ship_to": "x"})

    assert refused.context["form"].non_field_errors() == [
        "The price of T-LK-100 changed from 899.00 to 950.00; review your cart."
    ]
    assert accepted.status_code == 302
    assert Order.objects.get(partner=mall.partner).total == Decimal("950.00")


def test_dealer_cancels_confirms_and_reorders_only_its_own_orders(shopper, client_b, mall):
    fund(mall.partner, prepaid="5000.00")
    shopper.post("/portal/orders/cart/add/", {"product": mall.lock.pk, "quantity": 1})
    shopper.post("/portal/orders/checkout/", {"use_prepaid": "on", "ship_to": "x"})
    order = Order.objects.get(partner=mall.partner)
    stranger = make_user(Role.PARTNER_ADMIN, partner=dealer(mall.line))

    login(shopper, stranger)
    for action in ("cancel", "receive", "reorder"):
        assert (
            shopper.post(f"/portal/orders/{order.pk}/{action}/", {"reason": "x"}).status_code == 404
        )
    assert shopper.get(f"/portal/orders/{order.pk}/").status_code == 404
    shopper.logout()
    assert shopper.post(f"/portal/orders/{order.pk}/cancel/").status_code == 302  # to login
    login(shopper, mall.buyer)
    shopper.post(f"/portal/orders/{order.pk}/cancel/", {"reason": "下错了"})
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    # Last: a request on bravo's host leaves this thread's connection in bravo's schema.
    with schema_context("bravo"):
        client_b.force_login(make_user(Role.ADMIN))
    assert client_b.get(f"/orders/{order.pk}/").status_code == 404


def test_order_desk_approves_and_ships_over_http(client_a, mall):
    fund(mall.partner, prepaid="5000.00")
    from orders.checkout import CheckoutLine, checkout

    order = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 2)])
    line = order.lines.get()
    login(client_a, make_user(Role.SALES))
    assert client_a.post(f"/orders/{order.pk}/approve/").status_code == 403
    login(client_a, make_user(Role.ORDER_DESK))

    client_a.post(f"/orders/{order.pk}/approve/")
    client_a.post(
        f"/orders/{order.pk}/ship/",
        {
            "warehouse": mall.warehouse.pk,
            "carrier": "顺丰",
            "tracking_number": "SF1",
            f"ship-{line.pk}": "2",
        },
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.shipments.get().tracking_number == "SF1"


def test_price_check_names_the_winning_rule(client_a, mall, vendor_admin):
    special = PriceList.objects.create(name="华东专享", kind="partner", partner=mall.partner)
    PriceListItem.objects.create(price_list=special, product=mall.lock, price=Decimal("799.00"))
    login(client_a, vendor_admin)
    client_a.cookies["prm_language"] = "en"

    page = client_a.get(
        "/orders/prices/",
        {"partner": mall.partner.pk, "sku": "T-LK-100", "quantity": 1, "on": "2026-11-23"},
    )

    assert page.context["answer"].unit_price == Decimal("799.00")
    assert [c.won for c in page.context["candidates"]] == [True, False]
    unknown = client_a.get(
        "/orders/prices/",
        {"partner": mall.partner.pk, "sku": "NOPE", "quantity": 1, "on": "2026-11-23"},
    )
    with translation.override("en"):  # form errors are lazy: read them in English
        assert unknown.context["form"].errors["sku"] == ["No product has this SKU."]
    login(client_a, mall.buyer)
    assert client_a.get("/orders/prices/").status_code == 403


def test_product_pictures_are_served_only_to_who_may_see_the_product(client_a, client_b, mall):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    mall.lock.image = SimpleUploadedFile("lock.png", png, "image/png")
    mall.lock.save()
    hidden = make_product("10.00", sku="T-SECRET")
    hidden.image = SimpleUploadedFile("secret.png", png, "image/png")
    hidden.save()
    url = f"/portal/orders/catalog/{mall.lock.pk}/image/"

    assert client_a.get(url).status_code == 302  # anonymous: to the login page
    login(client_a, mall.buyer)
    assert b"".join(client_a.get(url).streaming_content) == png
    assert client_a.get(f"/portal/orders/catalog/{hidden.pk}/image/").status_code == 404
    with schema_context("bravo"):
        client_b.force_login(make_user(Role.ADMIN))
    assert client_b.get(url).status_code == 404
