"""Orders and payments through the API: placing with an Idempotency-Key (also at the same
moment), refusals at their field, status actions, and recording a payment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from orders.models import Order, Payment
from prm.accounts.roles import Role
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_user
from tests.orders.mall import Mall, build_mall, fund
from tests.orders.test_checkout_concurrency import _remove

from .api_helpers import bearer, key_for

pytestmark = pytest.mark.django_db

ORDER = {"lines": [{"sku": "T-LK-100", "quantity": 2}], "ship_to": "上海市浦东新区", "note": "API"}


@pytest.fixture
def mall(in_a: Any) -> Mall:
    return build_mall()


def _post(client: Client, url: str, body: dict, **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", **headers)


def test_a_partner_key_places_an_order_once_per_idempotency_key(
    mall: Mall, client_a: Client, vendor_admin: Any
) -> None:
    fund(mall.partner, prepaid="500.00")
    client = bearer(client_a, key_for(mall.buyer, "orders:write", actor=vendor_admin))
    first = _post(client, "/api/v1/orders/", ORDER, HTTP_IDEMPOTENCY_KEY="po-20261206-1")
    again = _post(client, "/api/v1/orders/", ORDER, HTTP_IDEMPOTENCY_KEY="po-20261206-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    body = first.json()
    assert (body["total"], body["paid_prepaid"], body["paid_credit"]) == (
        "1798.00",
        "500.00",
        "1298.00",
    )
    assert [(line["sku"], line["quantity"]) for line in body["lines"]] == [("T-LK-100", 2)]
    assert Order.objects.filter(partner=mall.partner).count() == 1
    reused = _post(
        client,
        "/api/v1/orders/",
        {**ORDER, "note": "another"},
        HTTP_IDEMPOTENCY_KEY="po-20261206-1",
    )
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    # Without the header each POST is a new order.
    assert _post(client, "/api/v1/orders/", ORDER).status_code == 201
    assert Order.objects.filter(partner=mall.partner).count() == 2


def test_a_refusal_names_its_field_and_keeps_nothing(
    mall: Mall, client_a: Client, vendor_admin: Any
) -> None:
    client = bearer(client_a, key_for(vendor_admin, "orders:write"))
    no_partner = _post(client, "/api/v1/orders/", ORDER, HTTP_IDEMPOTENCY_KEY="k1")
    assert no_partner.status_code == 400
    assert no_partner.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "Name the partner that orders.",
            "fields": {"partner": ["Name the partner that orders."]},
        }
    }
    unknown = _post(
        client,
        "/api/v1/orders/",
        {"partner": mall.partner.pk, "lines": [{"sku": "NOPE-1", "quantity": 1}]},
    )
    assert unknown.json()["error"]["fields"] == {
        "lines": ["Not in this partner's catalog: NOPE-1."]
    }
    too_many = _post(
        client,
        "/api/v1/orders/",
        {"partner": mall.partner.pk, "lines": [{"sku": "T-LK-100", "quantity": 21}]},
    )
    message = f"Only 20 of {mall.lock.name} available (21 requested)."
    assert too_many.json()["error"] == {
        "status": 400,
        "code": "invalid",
        "message": message,
        "fields": {"non_field_errors": [message]},
    }
    assert not Order.objects.exists()
    # The refused key holds no record: the fixed request may reuse it.
    fixed = _post(
        client, "/api/v1/orders/", {**ORDER, "partner": mall.partner.pk}, HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert fixed.status_code == 201


def test_the_same_key_at_the_same_moment_creates_one_order(tenant_a: Any) -> None:
    """Two requests with one Idempotency-Key in real, committed, concurrent transactions: the
    second waits on the record's unique index, then replays the first answer."""

    def setup() -> dict[str, Any]:
        mall = build_mall()
        token = key_for(mall.buyer, "orders:write")
        return {
            "token": token,
            "partners": [mall.partner.pk],
            "lock": mall.lock.pk,
            "camera": mall.camera.pk,
            "warehouse": mall.warehouse.pk,
        }

    ids = in_thread("alpha", setup)

    def place() -> tuple[int, str]:
        client = bearer(Client(HTTP_HOST="alpha.localhost"), ids["token"])
        answer = _post(client, "/api/v1/orders/", ORDER, HTTP_IDEMPOTENCY_KEY="same-moment")
        return answer.status_code, answer.json()["number"]

    try:
        answers = run_concurrently("alpha", [place, place])
        orders = in_thread(
            "alpha", lambda: Order.objects.filter(partner_id=ids["partners"][0]).count()
        )
        assert [code for code, _number in answers] == [201, 201]
        assert answers[0][1] == answers[1][1]
        assert orders == 1
    finally:
        in_thread("alpha", lambda: _remove_with_keys(ids))


def _remove_with_keys(ids: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM integrations_idempotencyrecord WHERE api_key_id IN (SELECT k.id FROM "
            "integrations_apikey k JOIN accounts_user u ON u.id = k.user_id "
            "WHERE u.partner_id = ANY(%s))",
            [ids["partners"]],
        )
        cursor.execute(
            "DELETE FROM integrations_apikey WHERE user_id IN "
            "(SELECT id FROM accounts_user WHERE partner_id = ANY(%s))",
            [ids["partners"]],
        )
    _remove(ids)


def test_staff_move_an_order_through_its_actions(
    mall: Mall, client_a: Client, vendor_admin: Any
) -> None:
    client = bearer(client_a, key_for(vendor_admin, "orders:write"))
    placed = _post(client, "/api/v1/orders/", {**ORDER, "partner": mall.partner.pk}).json()
    approved = _post(client, f"/api/v1/orders/{placed['id']}/approve/", {"note": "ok"})
    assert approved.json()["status"] == "approved"
    line = placed["lines"][0]["id"]
    shipped = _post(
        client,
        f"/api/v1/orders/{placed['id']}/ship/",
        {
            "warehouse": "t-sh",
            "carrier": "顺丰",
            "tracking_number": "SF100200300",
            "quantities": {str(line): 1},
        },
    )
    assert shipped.status_code == 201
    assert shipped.json()["tracking_number"] == "SF100200300"
    assert client.get(f"/api/v1/orders/{placed['id']}/").json()["status"] == "partially_shipped"
    # Shipped in part: no longer the order desk's to cancel.
    late = _post(client, f"/api/v1/orders/{placed['id']}/cancel/", {"reason": "客户取消"})
    assert late.status_code == 403
    other = _post(client, "/api/v1/orders/", {**ORDER, "partner": mall.partner.pk}).json()
    no_reason = _post(client, f"/api/v1/orders/{other['id']}/cancel/", {"reason": " "})
    assert no_reason.json()["error"]["fields"] == {"reason": ["This field may not be blank."]}
    cancelled = _post(client, f"/api/v1/orders/{other['id']}/cancel/", {"reason": "客户取消"})
    assert cancelled.json()["status"] == "cancelled"


def test_a_partner_key_cannot_approve_its_own_order(
    mall: Mall, client_a: Client, vendor_admin: Any
) -> None:
    client = bearer(client_a, key_for(mall.buyer, "orders:write", actor=vendor_admin))
    placed = _post(client, "/api/v1/orders/", ORDER).json()
    refused = _post(client, f"/api/v1/orders/{placed['id']}/approve/", {})
    assert refused.status_code == 403
    assert Order.objects.get(pk=placed["id"]).status == "submitted"


def test_finance_records_a_payment_once(mall: Mall, client_a: Client, vendor_admin: Any) -> None:
    finance = make_user(Role.FINANCE)
    client = bearer(client_a, key_for(finance, "payments:write", actor=vendor_admin))
    body = {
        "partner": mall.partner.pk,
        "amount": "1200.50",
        "method": "bank_transfer",
        "received_on": "2026-12-01",
        "reference": "招商银行回单 0042",
        "source": "kingdee",
        "external_id": "RV-0042",
    }
    first = _post(client, "/api/v1/payments/", body, HTTP_IDEMPOTENCY_KEY="pay-0042")
    assert first.status_code == 201
    assert (first.json()["amount"], first.json()["source"]) == ("1200.50", "kingdee")
    replay = _post(client, "/api/v1/payments/", body, HTTP_IDEMPOTENCY_KEY="pay-0042")
    assert replay["Idempotent-Replayed"] == "true"
    # The ERP's own id also holds without an Idempotency-Key.
    assert _post(client, "/api/v1/payments/", body).json()["number"] == first.json()["number"]
    assert Payment.objects.filter(partner=mall.partner).count() == 1
    assert Payment.objects.get().amount == Decimal("1200.50")
    future = _post(
        client, "/api/v1/payments/", {**body, "external_id": "RV-9", "received_on": "2099-01-01"}
    )
    assert future.json()["error"]["fields"] == {
        "received_on": ["The date received cannot be in the future."]
    }
