"""Return pages over HTTP: asking, deciding, receiving; who sees what; bounded queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from orders.checkout import CheckoutLine, checkout
from orders.inventory import stock_receive
from orders.ledger import balances
from orders.models import (
    LedgerEntry,
    Order,
    OrderLine,
    Promotion,
    PromotionKind,
    ReturnRequest,
    ReturnStatus,
    Stock,
)
from orders.returns import return_approve, return_request
from orders.workflow import order_approve, order_ship
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_product, make_user

from .mall import Mall, build_mall, dealer, fund

pytestmark = pytest.mark.django_db

D = Decimal


def _english(client: Any, user: Any) -> Any:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


@pytest.fixture
def mall(in_a: Any) -> Mall:
    return build_mall()


@pytest.fixture
def desk(in_a: Any) -> Any:
    return make_user(Role.ORDER_DESK)


def shipped(mall: Mall, desk: Any, quantity: int = 2) -> Order:
    order = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, quantity)])
    order_approve(order=order, actor=desk)
    order_ship(
        order=order,
        actor=desk,
        warehouse=mall.warehouse,
        carrier="顺丰",
        tracking_number=f"SF-{order.number}",
        quantities={line.pk: line.quantity for line in order.lines.all()},
    )
    order.refresh_from_db()
    return order


def ask(mall: Mall, order: Order, quantity: int = 1) -> ReturnRequest:
    line = order.lines.get()
    with translation.override("en"):
        return return_request(
            order=order, user=mall.buyer, quantities={line.pk: quantity}, reason="外壳破损"
        )


# --- partner portal -----------------------------------------------------------------------------


def test_the_dealer_asks_for_a_return_and_follows_it(client_a, mall, desk):
    order = shipped(mall, desk)
    line = order.lines.get()
    client = _english(client_a, mall.buyer)

    form = client.get(f"/portal/returns/new/{order.pk}/")
    response = client.post(
        f"/portal/returns/new/{order.pk}/", {f"line_{line.pk}": "1", "reason": "外壳破损"}
    )
    rma = ReturnRequest.objects.get(order=order)
    detail = client.get(response["Location"])
    listing = client.get("/portal/returns/")

    assert form.status_code == 200
    assert [(r.line, r.returnable) for r, _field in form.context["form"].rows()] == [(line, 2)]
    assert f'name="line_{line.pk}"'.encode() in form.content
    assert response.status_code == 302
    assert response["Location"] == f"/portal/returns/{rma.pk}/"
    assert (rma.refund_total, rma.requested_by, rma.reason) == (D("899.00"), mall.buyer, "外壳破损")
    assert detail.status_code == 200
    assert b"Status history" in detail.content
    assert b"Requested" in detail.content
    assert "¥899.00".encode() in detail.content
    assert list(detail.context["status_changes"]) == list(rma.status_changes.all())
    assert list(listing.context["page"].object_list) == [rma]


def test_bad_input_is_shown_at_its_field_and_nothing_is_saved(client_a, mall, desk):
    order = shipped(mall, desk)
    line = order.lines.get()
    client = _english(client_a, mall.buyer)
    url = f"/portal/returns/new/{order.pk}/"

    too_many = client.post(url, {f"line_{line.pk}": "3", "reason": "坏了"})
    no_reason = client.post(url, {f"line_{line.pk}": "1", "reason": " "})
    nothing = client.post(url, {f"line_{line.pk}": "0", "reason": "坏了"})

    assert too_many.status_code == no_reason.status_code == nothing.status_code == 200
    assert set(too_many.context["form"].errors) == {f"line_{line.pk}"}
    assert set(no_reason.context["form"].errors) == {"reason"}
    assert b"Say why the goods are returned." in no_reason.content
    with translation.override("en"):  # form errors are lazy: read them in English
        assert nothing.context["form"].non_field_errors() == ["Return at least one unit."]
    assert not ReturnRequest.objects.filter(order=order).exists()


def test_a_service_refusal_is_shown_on_the_form(client_a, mall, desk):
    # Given an order with a free charger for each lock
    charger = make_product("39.00", product_line=mall.line, sku="T-CHG")
    stock_receive(product=charger, warehouse=mall.warehouse, quantity=5)
    gift = Promotion.objects.create(
        code="rma-gift",
        name="买锁送充电器",
        kind=PromotionKind.GIFT,
        buy_quantity=1,
        gift_quantity=1,
        gift_product=charger,
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1),
    )
    gift.products.set([mall.lock])
    order = shipped(mall, desk, quantity=1)
    gift_line = order.lines.get(is_gift=True)
    client = _english(client_a, mall.buyer)

    # When the dealer asks back only the gift
    response = client.post(
        f"/portal/returns/new/{order.pk}/", {f"line_{gift_line.pk}": "1", "reason": "多余"}
    )

    # Then the page says why, above the lines, and nothing is saved
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Gifts cannot be returned on their own; return them with the goods they came with."
    ]
    assert b"Gifts cannot be returned on their own" in response.content
    assert not ReturnRequest.objects.filter(order=order).exists()


def test_nothing_left_to_return_shows_no_form(client_a, mall, desk):
    order = shipped(mall, desk, quantity=1)
    line = order.lines.get()
    ask(mall, order, 1)
    client = _english(client_a, mall.buyer)

    page = client.get(f"/portal/returns/new/{order.pk}/")
    post = client.post(
        f"/portal/returns/new/{order.pk}/", {f"line_{line.pk}": "1", "reason": "坏了"}
    )

    assert page.context["anything_returnable"] is False
    assert b"Every shipped unit of this order has been returned" in page.content
    assert post.status_code == 200
    assert ReturnRequest.objects.filter(order=order).count() == 1


def test_an_unshipped_order_offers_no_return(client_a, mall, desk):
    order = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 1)])
    client = _english(client_a, mall.buyer)

    page = client.get(f"/portal/returns/new/{order.pk}/")
    post = client.post(
        f"/portal/returns/new/{order.pk}/",
        {f"line_{order.lines.get().pk}": "1", "reason": "不要了"},
    )

    assert b"Only goods of a shipped order can be returned." in page.content
    assert post.status_code == 200
    assert not ReturnRequest.objects.filter(order=order).exists()


def test_another_partner_gets_404_and_cannot_ask_for_a_return(client_a, mall, desk):
    order = shipped(mall, desk)
    rma = ask(mall, order)
    stranger = make_user(Role.PARTNER_ADMIN, partner=dealer(mall.line))
    client = _english(client_a, stranger)

    detail = client.get(f"/portal/returns/{rma.pk}/")
    form = client.get(f"/portal/returns/new/{order.pk}/")
    post = client.post(
        f"/portal/returns/new/{order.pk}/",
        {f"line_{order.lines.get().pk}": "1", "reason": "抢单"},
    )
    listing = client.get("/portal/returns/")
    vendor_pages = [
        client.get("/returns/").status_code,
        client.get(f"/returns/{rma.pk}/").status_code,
        client.post(f"/returns/{rma.pk}/approve/").status_code,
    ]

    assert (detail.status_code, form.status_code, post.status_code) == (404, 404, 404)
    assert list(listing.context["page"].object_list) == []
    assert vendor_pages == [403, 403, 403]
    assert ReturnRequest.objects.filter(order=order).count() == 1
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.REQUESTED


# --- vendor portal ------------------------------------------------------------------------------


def test_the_order_desk_approves_and_receives_once(client_a, mall, desk):
    order = shipped(mall, desk)
    rma = ask(mall, order)
    stock_before = Stock.objects.get(product=mall.lock, warehouse=mall.warehouse).on_hand
    client = _english(client_a, desk)
    url = f"/returns/{rma.pk}/"

    first = client.get(url)
    approved = client.post(url + "approve/")
    second = client.get(url)
    received = client.post(url + "receive/", {"warehouse": mall.warehouse.pk})
    again = client.post(url + "receive/", {"warehouse": mall.warehouse.pk}, follow=True)
    rma.refresh_from_db()

    assert (first.context["can_approve"], first.context["can_receive"]) == (True, False)
    assert b"Approve the return" in first.content
    assert approved.status_code == 302
    assert approved["Location"] == url
    assert (second.context["can_approve"], second.context["can_receive"]) == (False, True)
    assert b"Receive and credit the wallet" in second.content
    assert received.status_code == 302
    assert rma.status == ReturnStatus.RECEIVED
    assert b"This return has already been received and credited." in again.content
    assert list(
        LedgerEntry.objects.filter(reference=rma.number).values_list("amount", flat=True)
    ) == [D("899.00")]
    assert balances(mall.partner)["prepaid"] == D("899.00")
    assert (
        Stock.objects.get(product=mall.lock, warehouse=mall.warehouse).on_hand == stock_before + 1
    )
    assert OrderLine.objects.get(order=order).returned_quantity == 1


def test_rejecting_needs_a_reason(client_a, mall, desk):
    rma = ask(mall, shipped(mall, desk))
    client = _english(client_a, desk)

    empty = client.post(f"/returns/{rma.pk}/reject/", {"reason": ""}, follow=True)
    rma.refresh_from_db()
    still = rma.status
    client.post(f"/returns/{rma.pk}/reject/", {"reason": "包装缺失"})
    rma.refresh_from_db()
    client_a.logout()
    dealer_view = _english(client_a, mall.buyer).get(f"/portal/returns/{rma.pk}/")

    assert b"Say why the return is rejected." in empty.content
    assert still == ReturnStatus.REQUESTED
    assert rma.status == ReturnStatus.REJECTED
    assert "包装缺失".encode() in dealer_view.content


def test_receiving_without_a_warehouse_is_refused(client_a, mall, desk):
    rma = ask(mall, shipped(mall, desk))
    return_approve(request=rma, actor=desk)
    client = _english(client_a, desk)

    response = client.post(f"/returns/{rma.pk}/receive/", {"warehouse": ""}, follow=True)
    rma.refresh_from_db()

    assert b"Choose the warehouse the goods came back to." in response.content
    assert rma.status == ReturnStatus.APPROVED
    assert not LedgerEntry.objects.filter(reference=rma.number).exists()


@pytest.mark.parametrize("role", [Role.FINANCE, Role.SALES])
def test_other_vendor_roles_look_but_cannot_decide(client_a, mall, desk, role):
    rma = ask(mall, shipped(mall, desk))
    client = _english(client_a, make_user(role))

    detail = client.get(f"/returns/{rma.pk}/")
    posts = [
        client.post(f"/returns/{rma.pk}/approve/").status_code,
        client.post(f"/returns/{rma.pk}/reject/", {"reason": "x"}).status_code,
        client.post(f"/returns/{rma.pk}/receive/", {"warehouse": mall.warehouse.pk}).status_code,
    ]
    rma.refresh_from_db()

    assert detail.status_code == 200
    assert (detail.context["can_approve"], detail.context["can_receive"]) == (False, False)
    assert b"Approve the return" not in detail.content
    assert posts == [403, 403, 403]
    assert rma.status == ReturnStatus.REQUESTED


def test_a_channel_manager_sees_only_own_partners_returns(client_a, mall, desk):
    rma = ask(mall, shipped(mall, desk))
    client = _english(client_a, make_user(Role.CHANNEL_MANAGER))

    assert client.get(f"/returns/{rma.pk}/").status_code == 404
    assert list(client.get("/returns/").context["page"].object_list) == []


def test_the_list_filters_by_status_and_search(client_a, mall, desk):
    order = shipped(mall, desk, quantity=3)
    first, second = ask(mall, order), ask(mall, order)
    return_approve(request=second, actor=desk)
    client = _english(client_a, desk)

    def rows(query: str) -> list[ReturnRequest]:
        return list(client.get(f"/returns/{query}").context["page"].object_list)

    assert set(rows("")) == {first, second}
    assert rows("?status=approved") == [second]
    assert rows(f"?q={first.number}") == [first]
    assert set(rows(f"?q={order.number}")) == {first, second}
    assert rows("?q=nothing-like-this") == []


def _returns(mall: Mall, desk: Any, n: int) -> None:
    order = shipped(mall, desk, quantity=n)
    for _ in range(n):
        ask(mall, order)


def test_lists_run_a_bounded_number_of_queries(client_a, mall, desk):
    def count(user: Any, url: str) -> tuple[int, int]:
        client = _english(client_a, user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), len(response.context["page"].object_list)

    fund(mall.partner, prepaid="20000.00")  # 20 locks on top of the credit limit
    _returns(mall, desk, 2)
    vendor_few, portal_few = count(desk, "/returns/"), count(mall.buyer, "/portal/returns/")
    _returns(mall, desk, 9)
    _returns(mall, desk, 9)
    vendor_many, portal_many = count(desk, "/returns/"), count(mall.buyer, "/portal/returns/")

    assert (vendor_few[1], vendor_many[1]) == (2, 20)
    assert (portal_few[1], portal_many[1]) == (2, 20)
    assert vendor_many[0] == vendor_few[0]
    assert portal_many[0] == portal_few[0]
    assert vendor_many[0] <= 10


# --- the card on order pages --------------------------------------------------------------------


def _card(order: Order, user: Any) -> str:
    with translation.override("en"):
        return render_to_string(
            "orders/returns/_order_returns.html",
            {"order": order, "request": SimpleNamespace(user=user)},
        )


def test_the_order_card_lists_returns_and_offers_the_dealer_a_return(mall, desk):
    order = shipped(mall, desk)
    before = _card(order, mall.buyer)
    rma = ask(mall, order)
    dealer_card, desk_card = _card(order, mall.buyer), _card(order, desk)
    ask(mall, order)  # the last unit
    all_asked = _card(order, mall.buyer)
    unshipped = checkout(partner=mall.partner, lines=[CheckoutLine(mall.lock, 1)])

    assert "Request a return" in before
    assert f'href="/portal/returns/new/{order.pk}/"' in before
    assert f'href="/portal/returns/{rma.pk}/"' in dealer_card
    assert "Request a return" in dealer_card
    assert f'href="/returns/{rma.pk}/"' in desk_card
    assert "Request a return" not in desk_card
    assert "Request a return" not in all_asked
    assert _card(unshipped, mall.buyer).strip() == ""


# --- isolation ----------------------------------------------------------------------------------


def test_another_vendor_and_anonymous_get_nothing(client_a, client_b, mall, desk):
    order = shipped(mall, desk)
    rma = ask(mall, order)
    with schema_context("bravo"):
        client_b.force_login(make_user(Role.ADMIN))

    other_vendor = [
        client_b.get(f"/returns/{rma.pk}/").status_code,
        client_b.post(f"/returns/{rma.pk}/approve/").status_code,
        client_b.post(f"/returns/{rma.pk}/reject/", {"reason": "x"}).status_code,
    ]
    bravo_list = client_b.get("/returns/")
    anonymous = [
        client_a.get(url)
        for url in (
            "/returns/",
            f"/returns/{rma.pk}/",
            "/portal/returns/",
            f"/portal/returns/{rma.pk}/",
            f"/portal/returns/new/{order.pk}/",
        )
    ]
    anonymous.append(client_a.post(f"/returns/{rma.pk}/approve/"))

    assert other_vendor == [404, 404, 404]
    assert list(bravo_list.context["page"].object_list) == []
    assert [r.status_code for r in anonymous] == [302] * 6
    assert all(r["Location"].startswith("/accounts/login/") for r in anonymous)
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.REQUESTED
