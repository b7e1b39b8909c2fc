"""Messages to people: WeCom (企业微信) and DingTalk (钉钉) group robots, and email.

Each event type has one short text in Chinese and English side by side (a group chat is read in
both), built from the event's payload. Robots answer HTTP 200 even when they refuse a message;
their `errcode` decides: anything but 0 is a failure, retried like an unreachable robot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.mail import send_mail
from django.urls import NoReverseMatch, reverse

from prm.accounts.models import User
from prm.accounts.roles import VENDOR_ROLES
from prm.tenancy.selectors import current_tenant, tenant_base_url

from . import events as ev
from .models import MessagingChannel, MessagingKind, OutboxEvent
from .sending import DeliveryError, http_post

EMPTY = "—"
_VALUE_LIMIT = 200  # characters of one value; a robot refuses messages over 4 KB


def _get(payload: dict[str, Any], path: str) -> str:
    value: Any = payload
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if value is None or value == "":
        return EMPTY
    return str(value)[:_VALUE_LIMIT]


def _field(path: str) -> Callable[[dict[str, Any]], str]:
    return lambda payload: _get(payload, path)


def _money(amount: str, currency: str = "currency") -> Callable[[dict[str, Any]], str]:
    def value(payload: dict[str, Any]) -> str:
        figure = _get(payload, amount)
        return figure if figure == EMPTY else f"{figure} {_get(payload, currency)}"

    return value


def _period(payload: dict[str, Any]) -> str:
    return f"{_get(payload, 'accrual.period_start')} ~ {_get(payload, 'accrual.period_end')}"


def _partner(payload: dict[str, Any]) -> str:
    return _get(payload, "partner.name")


@dataclass(frozen=True)
class Line:
    zh: str
    en: str
    value: Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Text:
    zh: str
    en: str
    key: Callable[[dict[str, Any]], str]  # what the subject line names (an order no., ...)
    lines: tuple[Line, ...]
    link: tuple[str, str] | None = None  # (URL name, payload path of its one argument)


PARTNER = Line("伙伴", "Partner", _partner)
ORDER_NO = Line("订单号", "Order no.", _field("order.number"))

TEXTS: dict[str, Text] = {
    ev.ORDER_APPROVED: Text(
        "订单已批准",
        "Order approved",
        _field("order.number"),
        (ORDER_NO, PARTNER, Line("金额", "Amount", _money("order.total", "order.currency"))),
        ("orders:detail", "order.id"),
    ),
    ev.ORDER_CANCELLED: Text(
        "订单已取消",
        "Order cancelled",
        _field("order.number"),
        (
            ORDER_NO,
            PARTNER,
            Line("金额", "Amount", _money("order.total", "order.currency")),
            Line("原因", "Reason", _field("reason")),
        ),
        ("orders:detail", "order.id"),
    ),
    ev.ORDER_SHIPPED: Text(
        "订单已发货",
        "Order shipped",
        _field("order.number"),
        (
            ORDER_NO,
            PARTNER,
            Line("发货单号", "Shipment no.", _field("shipment.number")),
            Line("承运商", "Carrier", _field("shipment.carrier")),
            Line("运单号", "Tracking no.", _field("shipment.tracking_number")),
        ),
        ("orders:detail", "order.id"),
    ),
    ev.PAYMENT_RECORDED: Text(
        "回款已登记",
        "Payment recorded",
        _field("payment.number"),
        (
            Line("回款单号", "Payment no.", _field("payment.number")),
            PARTNER,
            Line("金额", "Amount", _money("payment.amount", "payment.currency")),
            Line("收款日期", "Received on", _field("payment.received_on")),
        ),
        ("ledger:partner_ledger", "partner.id"),
    ),
    ev.DEAL_APPROVED: Text(
        "客户报备已批准",
        "Deal registration approved",
        _field("registration.number"),
        (
            Line("报备号", "Registration no.", _field("registration.number")),
            PARTNER,
            Line("客户", "Customer", _field("registration.customer_name")),
            Line("商机", "Opportunity", _field("registration.title")),
            Line(
                "预计金额",
                "Estimated amount",
                _money("registration.estimated_amount", "registration.currency"),
            ),
            Line("保护至", "Protected until", _field("registration.protection_ends")),
        ),
        ("deals:detail", "registration.id"),
    ),
    ev.MDF_CLAIM_SETTLED: Text(
        "市场费用核销已结算",
        "MDF claim settled",
        _field("claim.number"),
        (
            Line("核销单号", "Claim no.", _field("claim.number")),
            PARTNER,
            Line("金额", "Amount", _money("claim.approved_amount", "claim.currency")),
        ),
        ("mdf:claim_detail", "claim.id"),
    ),
    ev.REBATE_SETTLED: Text(
        "返利已结算",
        "Rebate settled",
        _field("program.code"),
        (
            Line("返利政策", "Program", _field("program.name")),
            PARTNER,
            Line("期间", "Period", _period),
            Line("金额", "Amount", _money("settlement.amount", "settlement.currency")),
        ),
        ("rebates:detail", "accrual.id"),
    ),
    ev.TEST: Text(
        "测试消息",
        "Test message",
        _field("receiver"),
        (Line("说明", "Note", _field("message")),),
    ),
}


@dataclass(frozen=True)
class Message:
    title: str
    lines: list[str]
    url: str


def message_build(event: OutboxEvent) -> Message:
    """The bilingual title, "标签 / Label: value" lines and the link to the record."""
    text = TEXTS.get(event.event_type)
    payload = event.payload if isinstance(event.payload, dict) else {}
    if text is None:  # an event without a text of its own still says what happened
        return Message(event.event_type, [f"ID: {event.id}"], "")
    lines = [f"{line.zh} / {line.en}: {line.value(payload)}" for line in text.lines]
    return Message(f"{text.zh} / {text.en}", lines, _link(text, payload))


def _link(text: Text, payload: dict[str, Any]) -> str:
    if text.link is None:
        return ""
    name, path = text.link
    argument = _get(payload, path)
    if argument == EMPTY:
        return ""
    try:
        return tenant_base_url() + reverse(name, args=[argument])
    except NoReverseMatch:
        return ""


def _subject(event: OutboxEvent, message: Message) -> str:
    text = TEXTS.get(event.event_type)
    payload = event.payload if isinstance(event.payload, dict) else {}
    key = text.key(payload) if text else EMPTY
    name = current_tenant().name
    return f"[{name}] {message.title}" + (f": {key}" if key != EMPTY else "")


def _markdown(message: Message, *, breaks: str) -> str:
    parts = [f"### {message.title}", *message.lines]
    if message.url:
        parts.append(f"[查看 / Open]({message.url})")
    return breaks.join(parts)


# --- robots ---------------------------------------------------------------------------------


def _robot_post(url: str, document: dict[str, Any]) -> int:
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    status, answer = http_post(url, body, {"Content-Type": "application/json; charset=utf-8"})
    try:
        result = json.loads(answer)
    except ValueError as exc:
        raise DeliveryError(
            f"Unexpected answer: {answer[:200]}".strip(), status_code=status
        ) from exc
    code = result.get("errcode") if isinstance(result, dict) else None
    if code != 0:
        message = result.get("errmsg", "") if isinstance(result, dict) else ""
        raise DeliveryError(f"errcode {code}: {message}".strip(), status_code=status)
    return status


def wecom_document(message: Message) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": _markdown(message, breaks="\n")}}


def wecom_send(*, channel: MessagingChannel, event: OutboxEvent) -> int:
    """A WeCom group robot: its key is in its URL, nothing is signed."""
    return _robot_post(channel.webhook_url, wecom_document(message_build(event)))


def dingtalk_sign(*, secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64 of HMAC-SHA256(secret, "<timestamp>\\n<secret>"), URL-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(*, url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with `timestamp` and `sign` appended (unchanged for a robot that does not
    sign, e.g. one protected by keywords or an IP list)."""
    if not secret:
        return url
    sign = dingtalk_sign(secret=secret, timestamp_ms=timestamp_ms)
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def dingtalk_document(message: Message) -> dict[str, Any]:
    # DingTalk's markdown needs a blank line for each line break.
    return {
        "msgtype": "markdown",
        "markdown": {"title": message.title, "text": _markdown(message, breaks="\n\n")},
    }


def dingtalk_send(*, channel: MessagingChannel, event: OutboxEvent) -> int:
    # DingTalk refuses a signature more than an hour old: sign at the moment of sending.
    url = dingtalk_url(
        url=channel.webhook_url, secret=channel.secret, timestamp_ms=int(time.time() * 1000)
    )
    return _robot_post(url, dingtalk_document(message_build(event)))


# --- email ------------------------------------------------------------------------------------


def email_recipients(channel: MessagingChannel) -> list[str]:
    """Active vendor staff of the chosen roles, and the listed addresses; each once."""
    roles = [role for role in channel.roles if role in VENDOR_ROLES]
    staff = User.objects.filter(is_active=True, role__in=roles, partner__isnull=True).values_list(
        "email", flat=True
    )
    seen: dict[str, str] = {}
    for address in [*staff, *channel.emails]:
        seen.setdefault(address.strip().lower(), address.strip())
    return sorted(seen[key] for key in seen if key)


def email_send(*, channel: MessagingChannel, event: OutboxEvent) -> None:
    recipients = email_recipients(channel)
    if not recipients:
        raise DeliveryError("No one to email: no active staff in the chosen roles, no addresses.")
    message = message_build(event)
    body = "\n".join([message.title, "", *message.lines])
    if message.url:
        body += f"\n\n{message.url}"
    try:
        send_mail(_subject(event, message), body, None, recipients)
    except OSError as exc:  # smtplib's errors are OSErrors
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def channel_send(*, channel: MessagingChannel, event: OutboxEvent) -> int | None:
    """Send `event` to `channel`; the HTTP status of a robot's answer, None for email."""
    if channel.kind == MessagingKind.WECOM:
        return wecom_send(channel=channel, event=event)
    if channel.kind == MessagingKind.DINGTALK:
        return dingtalk_send(channel=channel, event=event)
    if channel.kind == MessagingKind.EMAIL:
        email_send(channel=channel, event=event)
        return None
    raise DeliveryError(f"Unknown channel kind {channel.kind!r}")
