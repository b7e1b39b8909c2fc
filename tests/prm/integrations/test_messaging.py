"""Messages to WeCom and DingTalk group robots (a local HTTP server stands in for each robot: the
real ones are out of reach here) and to email (Django's locmem outbox): the exact bilingual text,
DingTalk's signature, and a robot's refusal (errcode) treated as a failure."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.db import transaction

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.integrations import events as ev
from prm.integrations.messaging import TEXTS, dingtalk_sign, dingtalk_url, message_build
from prm.integrations.models import Delivery, DeliveryStatus, MessagingChannel, OutboxEvent
from prm.integrations.outbox import deliveries_drain, outbox_emit
from prm.tenancy.selectors import tenant_base_url
from tests.factories import make_partner, make_user

from .receiver import Receiver

pytestmark = pytest.mark.django_db

OK = b'{"errcode":0,"errmsg":"ok"}'
PAYLOAD = {
    "order": {"id": 42, "number": "SO-20260101-0001", "total": "1200.00", "currency": "CNY"},
    "partner": {"id": 3, "name": "上海测试伙伴有限公司", "name_en": "Shanghai Test"},
}


def approved() -> OutboxEvent:
    with transaction.atomic():
        return outbox_emit(event_type=ev.ORDER_APPROVED, payload=PAYLOAD)


def lines() -> list[str]:
    return [
        "订单号 / Order no.: SO-20260101-0001",
        "伙伴 / Partner: 上海测试伙伴有限公司",
        "金额 / Amount: 1200.00 CNY",
    ]


def test_every_event_in_the_catalogue_has_a_bilingual_text():
    assert set(ev.EVENT_TYPES) | {ev.TEST} == set(TEXTS)


def test_a_wecom_robot_gets_the_markdown_message(in_a):
    with Receiver(body=OK) as robot:
        robot.start()
        channel = MessagingChannel.objects.create(
            name="渠道群",
            kind="wecom",
            webhook_url=f"{robot.base()}/cgi-bin/webhook/send?key=693a91f6",
            event_types=[ev.ORDER_APPROVED],
        )
        event = approved()
        assert deliveries_drain() == 1

    [got] = robot.received
    link = f"{tenant_base_url()}/orders/42/"
    assert got.path == "/cgi-bin/webhook/send?key=693a91f6"
    assert json.loads(got.body) == {
        "msgtype": "markdown",
        "markdown": {
            "content": "\n".join(
                ["### 订单已批准 / Order approved", *lines(), f"[查看 / Open]({link})"]
            )
        },
    }
    delivery = Delivery.objects.get(event=event, channel=channel)
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 200)


def test_a_dingtalk_robot_gets_a_signed_url_and_the_markdown_message(in_a):
    secret = "SEC4b1d7f0c9e2a"
    with Receiver(body=OK) as robot:
        robot.start()
        MessagingChannel.objects.create(
            name="钉钉群",
            kind="dingtalk",
            webhook_url=f"{robot.base()}/robot/send?access_token=tok123",
            secret=secret,
            event_types=[ev.ORDER_APPROVED],
        )
        approved()
        before = int(time.time() * 1000)
        assert deliveries_drain() == 1
        after = int(time.time() * 1000)

    [got] = robot.received
    url = urlsplit(got.path)
    query = parse_qs(url.query)
    timestamp = int(query["timestamp"][0])
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    link = f"{tenant_base_url()}/orders/42/"
    assert url.path == "/robot/send"
    assert query["access_token"] == ["tok123"]
    assert before <= timestamp <= after
    assert query["sign"] == [base64.b64encode(digest).decode()]
    assert json.loads(got.body) == {
        "msgtype": "markdown",
        "markdown": {
            "title": "订单已批准 / Order approved",
            "text": "\n\n".join(
                ["### 订单已批准 / Order approved", *lines(), f"[查看 / Open]({link})"]
            ),
        },
    }


def test_the_dingtalk_signature_matches_a_known_value():
    # `printf '1700000000000\nSEC000example' | openssl dgst -sha256 -hmac SEC000example -binary
    # | base64` gives xyAXnOeEx8mcnUUlZoyxvRe/La8u0eqZaWsTXunfdkQ=, URL-encoded below.
    sign = dingtalk_sign(secret="SEC000example", timestamp_ms=1700000000000)

    assert sign == "xyAXnOeEx8mcnUUlZoyxvRe%2FLa8u0eqZaWsTXunfdkQ%3D"
    assert dingtalk_url(
        url="https://oapi.dingtalk.com/robot/send?access_token=t",
        secret="SEC000example",
        timestamp_ms=1700000000000,
    ) == (
        f"https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign={sign}"
    )
    assert dingtalk_url(url="https://x.test/robot", secret="", timestamp_ms=1) == (
        "https://x.test/robot"
    )


@pytest.mark.parametrize(
    ("kind", "answer", "error"),
    [
        (
            "dingtalk",
            b'{"errcode":310000,"errmsg":"sign not match"}',
            "errcode 310000: sign not match",
        ),
        (
            "wecom",
            b'{"errcode":93000,"errmsg":"invalid webhook url"}',
            "errcode 93000: invalid webhook url",
        ),
        ("wecom", b"<html>gateway</html>", "Unexpected answer: <html>gateway</html>"),
    ],
)
def test_a_robots_refusal_is_a_failed_attempt_with_its_message(in_a, kind, answer, error):
    with Receiver(body=answer) as robot:
        robot.start()
        MessagingChannel.objects.create(
            name="群",
            kind=kind,
            webhook_url=f"{robot.base()}/send?key=k",
            secret="SECx" if kind == "dingtalk" else "",
            event_types=[ev.ORDER_APPROVED],
        )
        event = approved()
        assert deliveries_drain() == 0

    delivery = Delivery.objects.get(event=event)
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.PENDING,
        1,
        200,
        error,
    )


def test_email_goes_to_active_staff_of_the_roles_and_the_listed_addresses(in_a):
    make_user(Role.FINANCE, email="fin@alpha.test")
    gone = make_user(Role.FINANCE, email="gone@alpha.test")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    make_user(Role.SALES, email="sales@alpha.test")
    make_user(Role.PARTNER_ADMIN, partner=make_partner(), email="dealer@alpha.test")
    MessagingChannel.objects.create(
        name="Finance mail",
        kind="email",
        roles=["finance"],
        emails=["ops@example.com", "FIN@alpha.test"],
        event_types=[ev.ORDER_APPROVED],
    )
    mail.outbox.clear()

    event = approved()
    assert deliveries_drain() == 1

    [message] = mail.outbox
    link = f"{tenant_base_url()}/orders/42/"
    assert message.to == ["fin@alpha.test", "ops@example.com"]
    assert message.subject == "[Alpha Electronics] 订单已批准 / Order approved: SO-20260101-0001"
    assert message.body == "\n".join(["订单已批准 / Order approved", "", *lines(), "", link])
    delivery = Delivery.objects.get(event=event)
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.DELIVERED, None)


def test_email_with_nobody_to_send_to_fails_the_attempt(in_a):
    MessagingChannel.objects.create(
        name="Nobody", kind="email", roles=["marketing"], event_types=[ev.ORDER_APPROVED]
    )
    mail.outbox.clear()

    event = approved()
    deliveries_drain()

    delivery = Delivery.objects.get(event=event)
    assert mail.outbox == []
    assert (delivery.status, delivery.last_error) == (
        DeliveryStatus.PENDING,
        "No one to email: no active staff in the chosen roles, no addresses.",
    )


def test_a_missing_payload_value_shows_a_dash(in_a):
    with transaction.atomic():
        event = outbox_emit(event_type=ev.ORDER_CANCELLED, payload={"order": {"number": "SO-9"}})

    message = message_build(event)

    assert (message.title, message.lines, message.url) == (
        "订单已取消 / Order cancelled",
        [
            "订单号 / Order no.: SO-9",
            "伙伴 / Partner: —",
            "金额 / Amount: —",
            "原因 / Reason: —",
        ],
        "",
    )
