"""The vendor admin's outbox pages: webhook endpoints (secret shown once), messaging channels,
deliveries with filters and replay, each event's payload, test sends; and that nobody else
reaches any of them: other staff, partner users, anonymous visitors, another vendor."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import translation

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.integrations import events as ev
from prm.integrations.models import (
    Delivery,
    DeliveryStatus,
    MessagingChannel,
    OutboxEvent,
    WebhookEndpoint,
)
from prm.integrations.outbox import deliveries_drain, outbox_emit
from prm.integrations.outbox_tasks import outbox_deliver
from tests.conftest import login
from tests.factories import make_partner, make_user

from .receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_and_no_broker(monkeypatch):
    monkeypatch.setattr(outbox_deliver, "apply_async", lambda *a, **kw: None)
    with translation.override("en"):
        yield


@pytest.fixture
def admin(client_a: Client, vendor_admin: User) -> Client:
    vendor_admin.language = "en"  # messages and form errors in English
    vendor_admin.save(update_fields=["language"])
    return login(client_a, vendor_admin)


def webhook(**kw: Any) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name=kw.pop("name", "ERP"),
        url=kw.pop("url", "http://127.0.0.1:9/hook"),
        secret=kw.pop("secret", "x" * 32),
        event_types=kw.pop("event_types", [ev.ORDER_APPROVED]),
        **kw,
    )


def channel(**kw: Any) -> MessagingChannel:
    return MessagingChannel.objects.create(
        name=kw.pop("name", "渠道群"),
        kind=kw.pop("kind", "wecom"),
        webhook_url=kw.pop("webhook_url", "http://127.0.0.1:9/send?key=k"),
        event_types=kw.pop("event_types", [ev.ORDER_APPROVED]),
        **kw,
    )


def emit(event_type: str = ev.ORDER_APPROVED, **payload: Any) -> OutboxEvent:
    with transaction.atomic():
        return outbox_emit(event_type=event_type, payload=payload or {"n": 1})


def errors_of(response) -> dict[str, list[str]]:
    # The request's middleware resets the language after answering: read them in English again.
    with translation.override("en"):
        return {k: [str(e) for e in v] for k, v in response.context["form"].errors.items()}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- webhook endpoints --------------------------------------------------------------------------


def test_a_new_endpoint_gets_a_generated_secret_shown_once(admin):
    page = admin.get("/integrations/webhooks/new/")
    generated = page.context["form"].initial["secret"]

    response = admin.post(
        "/integrations/webhooks/new/",
        {
            "name": " ERP 订单同步 ",
            "url": "https://erp.example.com/prm/events",
            "secret": generated,
            "event_types": [ev.ORDER_SHIPPED, ev.ORDER_APPROVED],
            "is_active": "on",
        },
    )

    created = WebhookEndpoint.objects.get()
    assert page.status_code == 200
    assert len(generated) == 43  # secrets.token_urlsafe(32)
    assert response.status_code == 302
    assert response["Location"] == f"/integrations/webhooks/{created.pk}/"
    assert (created.name, created.url, created.secret, created.event_types, created.is_active) == (
        "ERP 订单同步",
        "https://erp.example.com/prm/events",
        generated,
        ["order.approved", "order.shipped"],  # catalogue order
        True,
    )
    first = admin.get(response["Location"])
    second = admin.get(response["Location"])
    assert first.context["new_secret"] == generated
    assert generated in first.content.decode()
    assert second.context["new_secret"] is None
    assert generated not in second.content.decode()


def test_endpoint_input_is_checked_at_its_field(admin):
    response = admin.post(
        "/integrations/webhooks/new/",
        {"name": "ERP", "url": "ftp://erp.example.com/", "secret": "short"},
    )

    assert response.status_code == 400
    assert errors_of(response) == {
        "url": ["Enter a valid URL."],
        "secret": ["Ensure this value has at least 16 characters (it has 5)."],
        "event_types": ["This field is required."],
    }
    assert WebhookEndpoint.objects.count() == 0


def test_editing_keeps_the_secret_unless_a_new_one_is_given(admin):
    endpoint = webhook(secret="the-first-secret-value")
    url = f"/integrations/webhooks/{endpoint.pk}/"
    data = {
        "name": "ERP 2",
        "url": "https://erp.example.com/v2",
        "event_types": [ev.ORDER_CANCELLED],
    }

    kept = admin.post(url, data)
    endpoint.refresh_from_db()
    assert (kept.status_code, endpoint.secret, endpoint.name, endpoint.is_active) == (
        302,
        "the-first-secret-value",
        "ERP 2",
        False,  # the box was not ticked
    )
    assert endpoint.event_types == ["order.cancelled"]
    assert "the-first-secret-value" not in admin.get(url).content.decode()

    admin.post(url, {**data, "secret": "a-brand-new-secret-value", "is_active": "on"})
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.is_active) == ("a-brand-new-secret-value", True)
    assert admin.get(url).context["new_secret"] == "a-brand-new-secret-value"


def test_deactivate_and_activate_an_endpoint(admin):
    endpoint = webhook()

    off = admin.post(f"/integrations/webhooks/{endpoint.pk}/deactivate/", follow=True)
    endpoint.refresh_from_db()
    assert (endpoint.is_active, messages_of(off)) == (
        False,
        ["Deactivated: the endpoint receives no new events."],
    )
    admin.post(f"/integrations/webhooks/{endpoint.pk}/activate/")
    endpoint.refresh_from_db()
    assert endpoint.is_active is True
    assert admin.get(f"/integrations/webhooks/{endpoint.pk}/deactivate/").status_code == 405


def test_the_list_shows_each_endpoint_with_its_waiting_and_failed_deliveries(admin):
    endpoint = webhook(name="ERP", event_types=[ev.ORDER_APPROVED, ev.ORDER_SHIPPED])
    webhook(name="Old CRM", is_active=False)
    emit()
    emit()
    Delivery.objects.filter(pk=Delivery.objects.order_by("pk").first().pk).update(status="failed")

    page = admin.get("/integrations/webhooks/")

    rows = [(w.name, w.pending, w.failed, w.is_active) for w in page.context["webhooks"]]
    assert rows == [("ERP", 1, 1, True), ("Old CRM", 0, 0, False)]
    html = page.content.decode()
    assert "Order approved、Order shipped" in html
    assert f"?status=failed&amp;receiver=webhook:{endpoint.pk}" in html


def test_send_test_event_reaches_the_endpoint(admin):
    with Receiver() as receiver:
        endpoint = webhook(url=receiver.start().url, is_active=False)  # also while inactive

        response = admin.post(f"/integrations/webhooks/{endpoint.pk}/test/")
        event = OutboxEvent.objects.get(event_type="test.ping")
        deliveries_drain()

    assert response["Location"] == f"/integrations/events/{event.pk}/"
    assert receiver.event_ids() == {str(event.id): 1}
    assert receiver.received[0].headers["X-PRM-Event"] == "test.ping"
    assert Delivery.objects.get(event=event).status == DeliveryStatus.DELIVERED
    page = admin.get(response["Location"])
    assert page.status_code == 200
    assert "This is a test message." in page.content.decode()


# --- messaging channels -------------------------------------------------------------------------


def test_a_dingtalk_channel_keeps_its_secret_when_edited_without_one(admin):
    response = admin.post(
        "/integrations/channels/new/",
        {
            "name": "钉钉渠道群",
            "kind": "dingtalk",
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
            "secret": "SECabc123",
            "roles": ["finance"],  # ignored: robots post to their group
            "event_types": [ev.DEAL_APPROVED],
            "is_active": "on",
        },
    )
    created = MessagingChannel.objects.get()
    assert response["Location"] == f"/integrations/channels/{created.pk}/"
    assert (created.kind, created.secret, created.roles, created.event_types) == (
        "dingtalk",
        "SECabc123",
        [],
        ["deal.approved"],
    )
    page = admin.get(response["Location"])
    assert "SECabc123" not in page.content.decode()

    admin.post(
        response["Location"],
        {
            "name": "钉钉渠道群",
            "kind": "dingtalk",
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
            "secret": "",
            "event_types": [ev.DEAL_APPROVED, ev.ORDER_APPROVED],
            "is_active": "on",
        },
    )
    created.refresh_from_db()
    assert (created.secret, created.event_types) == (
        "SECabc123",
        ["order.approved", "deal.approved"],
    )


def test_an_email_channel_takes_roles_and_addresses(admin):
    admin.post(
        "/integrations/channels/new/",
        {
            "name": "Finance mail",
            "kind": "email",
            "webhook_url": "https://ignored.example.com/",
            "roles": ["finance", "admin"],
            "emails": "ops@example.com\nboss@example.com, ops@example.com",
            "event_types": [ev.PAYMENT_RECORDED],
            "is_active": "on",
        },
    )

    created = MessagingChannel.objects.get()
    assert (created.webhook_url, created.roles, created.emails) == (
        "",
        ["finance", "admin"],
        ["ops@example.com", "boss@example.com"],
    )


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"kind": "wecom"}, {"webhook_url": ["Paste the robot's webhook URL."]}),
        ({"kind": "email"}, {"roles": ["Choose staff roles or list email addresses."]}),
        (
            {"kind": "email", "emails": "ops@example.com\nnot-an-address"},
            {"emails": ["not-an-address is not an email address."]},
        ),
        (
            {"kind": "email", "roles": ["partner_admin"]},
            {
                "roles": [
                    "Select a valid choice. partner_admin is not one of the available choices."
                ]
            },
        ),
    ],
)
def test_channel_input_is_checked_at_its_field(admin, data, errors):
    response = admin.post(
        "/integrations/channels/new/",
        {"name": "群", "event_types": [ev.ORDER_APPROVED], **data},
    )

    assert response.status_code == 400
    assert errors_of(response) == errors
    assert MessagingChannel.objects.count() == 0


def test_channel_pages_list_deactivate_and_test(admin):
    robot = channel(name="渠道群")
    page = admin.get("/integrations/channels/")
    assert [c.name for c in page.context["channels"]] == ["渠道群"]
    assert admin.get(f"/integrations/channels/{robot.pk}/").status_code == 200

    admin.post(f"/integrations/channels/{robot.pk}/deactivate/")
    robot.refresh_from_db()
    assert robot.is_active is False
    admin.post(f"/integrations/channels/{robot.pk}/activate/")
    robot.refresh_from_db()
    assert robot.is_active is True

    response = admin.post(f"/integrations/channels/{robot.pk}/test/")
    event = OutboxEvent.objects.get(event_type="test.ping")
    assert response["Location"] == f"/integrations/events/{event.pk}/"
    assert list(Delivery.objects.filter(event=event).values_list("channel_id", flat=True)) == [
        robot.pk
    ]


# --- deliveries and events ----------------------------------------------------------------------


def test_deliveries_list_filters_by_status_event_and_receiver(admin):
    erp = webhook(name="ERP", event_types=[ev.ORDER_APPROVED, ev.ORDER_SHIPPED])
    robot = channel(name="渠道群", event_types=[ev.ORDER_SHIPPED])
    approved, shipped = emit(ev.ORDER_APPROVED), emit(ev.ORDER_SHIPPED)
    Delivery.objects.filter(event=shipped, channel=robot).update(
        status="failed", attempts=12, last_error="errcode 93000: invalid webhook url"
    )

    def rows(query: str) -> list[tuple[str, str]]:
        page = admin.get(f"/integrations/deliveries/?{query}").context["page"]
        return [(d.event.event_type, d.receiver.name) for d in page]

    assert rows("") == [
        ("order.shipped", "渠道群"),
        ("order.shipped", "ERP"),
        ("order.approved", "ERP"),
    ]
    assert rows("status=failed") == [("order.shipped", "渠道群")]
    assert rows("event_type=order.approved") == [("order.approved", "ERP")]
    assert rows(f"receiver=webhook:{erp.pk}") == [
        ("order.shipped", "ERP"),
        ("order.approved", "ERP"),
    ]
    assert rows(f"receiver=channel:{robot.pk}&status=pending") == []
    html = admin.get("/integrations/deliveries/?status=failed").content.decode()
    assert "errcode 93000: invalid webhook url" in html
    assert html.count(">Replay</button>") == 1
    assert approved.pk


def test_the_deliveries_list_costs_the_same_queries_for_3_or_30_rows(
    admin, django_assert_max_num_queries
):
    webhook()
    channel()
    emit()
    with django_assert_max_num_queries(20) as few:
        admin.get("/integrations/deliveries/")
    for _ in range(14):
        emit()
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin.get("/integrations/deliveries/")


def test_the_event_page_shows_the_payload_and_its_deliveries(admin):
    webhook(name="ERP")
    with transaction.atomic():
        event = outbox_emit(
            event_type=ev.ORDER_APPROVED,
            payload={"n": 1, "number": "SO-20260101-0001", "partner": "上海测试伙伴"},
        )

    page = admin.get(f"/integrations/events/{event.pk}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["payload"] == (
        '{\n  "n": 1,\n  "number": "SO-20260101-0001",\n  "partner": "上海测试伙伴"\n}'
    )
    assert "&quot;number&quot;: &quot;SO-20260101-0001&quot;" in html
    assert [d.receiver.name for d in page.context["deliveries"]] == ["ERP"]


def test_replay_from_the_ui_resends_a_failed_delivery(admin):
    with Receiver() as receiver:
        webhook(url=receiver.start().url)
        event = emit()
        delivery = Delivery.objects.get(event=event)
        Delivery.objects.filter(pk=delivery.pk).update(
            status="failed", attempts=12, last_error="HTTP 500:"
        )

        response = admin.post(
            f"/integrations/deliveries/{delivery.pk}/replay/",
            {"next": "/integrations/deliveries/?status=failed"},
            follow=True,
        )
        sent = deliveries_drain()

    delivery.refresh_from_db()
    assert response.redirect_chain == [("/integrations/deliveries/?status=failed", 302)]
    assert messages_of(response) == ["Queued to be sent again."]
    assert sent == 1
    assert receiver.event_ids() == {str(event.id): 1}
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)


def test_replay_of_a_pending_delivery_is_refused_and_next_must_be_local(admin):
    webhook()
    delivery = Delivery.objects.get(event=emit())

    response = admin.post(
        f"/integrations/deliveries/{delivery.pk}/replay/",
        {"next": "https://evil.example.com/"},
        follow=True,
    )

    assert response.redirect_chain == [("/integrations/deliveries/", 302)]
    assert messages_of(response) == ["Only a failed delivery can be replayed."]


# --- who may enter ------------------------------------------------------------------------------


def _world() -> dict[str, Any]:
    endpoint = webhook()
    robot = channel()
    event = emit()
    Delivery.objects.filter(event=event).update(status="failed")
    delivery = Delivery.objects.filter(event=event).order_by("pk").first()
    return {"webhook": endpoint, "channel": robot, "event": event, "delivery": delivery}


def _pages(w: dict[str, Any]) -> list[str]:
    return [
        "/integrations/webhooks/",
        "/integrations/webhooks/new/",
        f"/integrations/webhooks/{w['webhook'].pk}/",
        "/integrations/channels/",
        "/integrations/channels/new/",
        f"/integrations/channels/{w['channel'].pk}/",
        "/integrations/deliveries/",
        f"/integrations/events/{w['event'].pk}/",
    ]


def _posts(w: dict[str, Any]) -> list[str]:
    hook, robot = w["webhook"].pk, w["channel"].pk
    return [
        "/integrations/webhooks/new/",
        f"/integrations/webhooks/{hook}/",
        f"/integrations/webhooks/{hook}/deactivate/",
        f"/integrations/webhooks/{hook}/activate/",
        f"/integrations/webhooks/{hook}/test/",
        "/integrations/channels/new/",
        f"/integrations/channels/{robot}/",
        f"/integrations/channels/{robot}/deactivate/",
        f"/integrations/channels/{robot}/activate/",
        f"/integrations/channels/{robot}/test/",
        f"/integrations/deliveries/{w['delivery'].pk}/replay/",
    ]


def _unchanged(w: dict[str, Any]) -> None:
    assert list(WebhookEndpoint.objects.values_list("pk", "name", "is_active")) == [
        (w["webhook"].pk, "ERP", True)
    ]
    assert list(MessagingChannel.objects.values_list("pk", "name", "is_active")) == [
        (w["channel"].pk, "渠道群", True)
    ]
    assert not OutboxEvent.objects.filter(event_type="test.ping").exists()
    assert set(Delivery.objects.values_list("status", flat=True)) == {"failed"}


def test_the_vendor_admin_opens_every_page(admin):
    w = _world()
    assert {u: admin.get(u).status_code for u in _pages(w)} == dict.fromkeys(_pages(w), 200)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ORDER_DESK, Role.CHANNEL_MANAGER])
def test_other_vendor_staff_are_refused_everywhere(client_a, in_a, role):
    w = _world()
    login(client_a, make_user(role))

    assert {u: client_a.get(u).status_code for u in _pages(w)} == dict.fromkeys(_pages(w), 403)
    assert {u: client_a.post(u, {"name": "x"}).status_code for u in _posts(w)} == dict.fromkeys(
        _posts(w), 403
    )
    _unchanged(w)


def test_partner_users_are_refused_everywhere(client_a, in_a):
    w = _world()
    login(client_a, make_user(Role.PARTNER_ADMIN, partner=make_partner()))

    assert {u: client_a.get(u).status_code for u in _pages(w)} == dict.fromkeys(_pages(w), 403)
    assert {u: client_a.post(u).status_code for u in _posts(w)} == dict.fromkeys(_posts(w), 403)
    _unchanged(w)


def test_anonymous_visitors_are_sent_to_sign_in(client_a, in_a):
    w = _world()

    for url in _pages(w) + _posts(w):
        response = client_a.post(url) if url in _posts(w) else client_a.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    _unchanged(w)


def test_another_vendors_admin_finds_none_of_it(client_b, in_a, tenant_b):
    w = _world()
    connection.set_tenant(tenant_b)
    client = login(client_b, User.objects.get(email="admin@bravo.test"))

    lists = ["/integrations/webhooks/", "/integrations/channels/", "/integrations/deliveries/"]
    assert [client.get(u).status_code for u in lists] == [200, 200, 200]
    assert list(client.get(lists[0]).context["webhooks"]) == []
    assert list(client.get(lists[1]).context["channels"]) == []
    assert list(client.get(lists[2]).context["page"]) == []
    own = [u for u in _pages(w) if u not in lists and not u.endswith("/new/")]
    assert {u: client.get(u).status_code for u in own} == dict.fromkeys(own, 404)
    posts = [u for u in _posts(w) if not u.endswith("/new/")]
    assert {u: client.post(u).status_code for u in posts} == dict.fromkeys(posts, 404)
    connection.set_tenant(in_a)
    _unchanged(w)
