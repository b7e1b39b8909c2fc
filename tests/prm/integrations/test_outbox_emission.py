"""Events from the real services: approving, cancelling and shipping an order, recording a
payment, approving a deal registration, settling an MDF claim and a rebate each write their
event, in the service's transaction, with one delivery per subscribed active receiver."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from deal_registration.registrations import registration_approve
from mdf.claims import InvoiceIn, claim_approve, claim_submit
from mdf.ledger import fund_allocate
from mdf.models import MdfActivityType
from mdf.settlement import claim_settle
from orders.ledger import payment_record
from orders.models import OrderStatus, Warehouse
from orders.workflow import order_approve, order_cancel, order_ship
from partners.models import Partner
from prm.accounts.roles import Role
from prm.integrations import events as ev
from prm.integrations.messaging import message_build
from prm.integrations.models import Delivery, OutboxEvent, WebhookEndpoint
from prm.tenancy.selectors import tenant_today
from rebates import engine
from rebates.models import RebateAccrual
from rebates.settlement import settle
from tests.deal_registration.deals import dealer, register
from tests.factories import make_order, make_partner, make_product, make_user
from tests.mdf.test_claims import DAY, proven
from tests.mdf.test_ledger import make_fund
from tests.rebates.test_engine import Q1, local, make_program, place

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def subscribed(in_a) -> WebhookEndpoint:
    """One endpoint taking every event, and an inactive one that gets nothing."""
    WebhookEndpoint.objects.create(
        name="Off",
        url="http://127.0.0.1:9/",
        secret="y" * 32,
        event_types=list(ev.EVENT_TYPES),
        is_active=False,
    )
    return WebhookEndpoint.objects.create(
        name="ERP", url="http://127.0.0.1:9/", secret="x" * 32, event_types=list(ev.EVENT_TYPES)
    )


def only_event(event_type: str, obj: Any) -> OutboxEvent:
    # By object too: a concurrency test elsewhere in the suite commits events of its own.
    return OutboxEvent.objects.get(event_type=event_type, object_id=str(obj.pk))


def receivers(event: OutboxEvent) -> list[tuple[int | None, int | None]]:
    return list(Delivery.objects.filter(event=event).values_list("webhook_id", "channel_id"))


def partner_ref(partner: Partner) -> dict[str, Any]:
    return {"id": partner.pk, "name": partner.name, "name_en": partner.name_en}


@pytest.fixture
def order(in_a):
    partner = make_partner()
    product = make_product("100.00", sku="SKU-EMIT", name="交换机")
    return make_order(partner, (product, 2))


def order_fields(order, status: str) -> dict[str, Any]:
    return {
        "id": order.pk,
        "number": order.number,
        "status": status,
        "currency": "CNY",
        "total": "200.00",
        "placed_at": order.created_at.isoformat(),
    }


def test_approving_an_order_emits_order_approved(order, subscribed):
    desk = make_user(Role.ORDER_DESK)

    order_approve(order=order, actor=desk)

    event = only_event("order.approved", order)
    assert (event.object_type, event.object_id) == ("orders.order", str(order.pk))
    assert event.payload == {
        "order": {
            **order_fields(order, "approved"),
            "ship_to": order.ship_to,
            "lines": [
                {
                    "sku": "SKU-EMIT",
                    "name": "交换机",
                    "quantity": 2,
                    "unit_price": "100.00",
                    "line_total": "200.00",
                    "is_gift": False,
                }
            ],
        },
        "partner": partner_ref(order.partner),
    }
    assert receivers(event) == [(subscribed.pk, None)]
    assert message_build(event).lines == [
        f"订单号 / Order no.: {order.number}",
        f"伙伴 / Partner: {order.partner.name}",
        "金额 / Amount: 200.00 CNY",
    ]


def test_an_approval_step_that_does_not_finish_the_review_emits_nothing(order, subscribed):
    from orders.models import ReviewStep

    ReviewStep.objects.create(position=1, name="订单审核", role=Role.ORDER_DESK)
    ReviewStep.objects.create(position=2, name="财务审核", role=Role.FINANCE)

    order_approve(order=order, actor=make_user(Role.ORDER_DESK))

    assert not OutboxEvent.objects.filter(object_id=str(order.pk)).exists()


def test_cancelling_an_order_emits_order_cancelled_with_the_reason(order, subscribed):
    order_cancel(order=order, actor=make_user(Role.ORDER_DESK), reason="客户取消")

    event = only_event("order.cancelled", order)
    assert event.payload["order"]["status"] == "cancelled"
    assert event.payload["reason"] == "客户取消"
    assert receivers(event) == [(subscribed.pk, None)]


def test_a_rolled_back_approval_leaves_no_event(order, subscribed):
    desk = make_user(Role.ORDER_DESK)
    written = []

    def approval_then_failure() -> None:
        with transaction.atomic():
            order_approve(order=order, actor=desk)
            written.append(OutboxEvent.objects.filter(object_id=str(order.pk)).count())
            raise RuntimeError("something after the approval failed")

    with pytest.raises(RuntimeError):
        approval_then_failure()

    assert written == [1]

    assert not OutboxEvent.objects.filter(object_id=str(order.pk)).exists()
    assert Delivery.objects.count() == 0


def test_shipping_emits_order_shipped_with_the_shipment(order, subscribed):
    desk = make_user(Role.ORDER_DESK)
    order_approve(order=order, actor=desk)
    line = order.lines.get()

    shipment = order_ship(
        order=order,
        actor=desk,
        warehouse=Warehouse.objects.get(code="test-wh"),
        carrier="顺丰",
        tracking_number="SF1234567890",
        quantities={line.pk: 1},
    )

    event = only_event("order.shipped", shipment)
    assert (event.object_type, event.object_id) == ("orders.shipment", str(shipment.pk))
    assert event.payload == {
        "shipment": {
            "id": shipment.pk,
            "number": shipment.number,
            "carrier": "顺丰",
            "tracking_number": "SF1234567890",
            "warehouse": "test-wh",
            "shipped_at": shipment.shipped_at.isoformat(),
            "lines": [{"sku": "SKU-EMIT", "quantity": 1}],
        },
        "order": order_fields(order, OrderStatus.PARTIALLY_SHIPPED),
        "partner": partner_ref(order.partner),
    }
    assert receivers(event) == [(subscribed.pk, None)]


def test_recording_a_payment_emits_payment_recorded_once(in_a, subscribed):
    partner = make_partner()
    finance = make_user(Role.FINANCE)
    day = tenant_today()

    payment = payment_record(
        partner=partner,
        amount=D("300.00"),
        received_on=day,
        method="bank_transfer",
        reference="BANK-778",
        actor=finance,
        source="erp",
        external_id="E-1",
    )
    again = payment_record(
        partner=partner,
        amount=D("300.00"),
        received_on=day,
        method="bank_transfer",
        actor=finance,
        source="erp",
        external_id="E-1",
    )

    event = only_event("payment.recorded", payment)  # the repeat emits nothing
    assert again.pk == payment.pk
    assert (event.object_type, event.object_id) == ("orders.payment", str(payment.pk))
    assert event.payload == {
        "payment": {
            "id": payment.pk,
            "number": payment.number,
            "amount": "300.00",
            "currency": "CNY",
            "method": "bank_transfer",
            "received_on": day.isoformat(),
            "reference": "BANK-778",
            "source": "erp",
            "external_id": "E-1",
        },
        "partner": partner_ref(partner),
    }
    assert receivers(event) == [(subscribed.pk, None)]


def test_approving_a_deal_registration_emits_deal_approved(in_a, subscribed):
    _partner, user = dealer()
    registration = register(user)

    approved = registration_approve(registration, actor=make_user(Role.ADMIN))

    event = only_event("deal.approved", registration)
    assert (event.object_type, event.object_id) == (
        "deal_registration.dealregistration",
        str(registration.pk),
    )
    assert event.payload == {
        "registration": {
            "id": registration.pk,
            "number": registration.number,
            "status": "approved",
            "title": "园区网络升级",
            "customer_name": "深圳市腾飞科技有限公司",
            "credit_code": registration.credit_code,
            "estimated_amount": "120000.00",
            "currency": "CNY",
            "expected_close_date": registration.expected_close_date.isoformat(),
            "approved_at": approved.approved_at.isoformat(),
            "protection_ends": approved.protection_ends.isoformat(),
        },
        "partner": partner_ref(registration.partner),
    }
    assert receivers(event) == [(subscribed.pk, None)]


def test_settling_an_mdf_claim_emits_mdf_claim_settled(in_a, subscribed, monkeypatch):
    monkeypatch.setattr("mdf.claims.tenant_today", lambda: DAY)
    manager = make_user(Role.CHANNEL_MANAGER)
    partner = make_partner()
    Partner.objects.filter(pk=partner.pk).update(channel_manager=manager)
    partner.refresh_from_db()
    fund = make_fund(marketing_above=D("5000.00"))
    fund_allocate(fund, partner, D("10000.00"))
    world = {
        "fund": fund,
        "partner": partner,
        "dealer": make_user(Role.PARTNER_ADMIN, partner=partner),
        "manager": manager,
        "seminar": MdfActivityType.objects.create(
            code="seminar", name="研讨会", required_evidence=["photo", "attendees", "invoice"]
        ),
    }
    claim = claim_submit(
        proven(world), [InvoiceIn("S-1", DAY, D("3800.00"), "某")], user=world["dealer"]
    )
    finance = make_user(Role.FINANCE)
    claim_approve(claim, user=finance)

    settled = claim_settle(claim, actor=finance)

    event = only_event("mdf_claim.settled", claim)
    assert (event.object_type, event.object_id) == ("mdf.mdfclaim", str(claim.pk))
    assert event.payload == {
        "claim": {
            "id": claim.pk,
            "number": claim.number,
            "request_number": claim.request.number,
            "claimed_amount": "3800.00",
            "approved_amount": "3800.00",
            "currency": "CNY",
            "settled_as": "wallet",
            "payout_reference": "",
            "settled_at": settled.settled_at.isoformat(),
        },
        "partner": partner_ref(partner),
    }
    assert receivers(event) == [(subscribed.pk, None)]


def test_settling_a_rebate_emits_rebate_settled(in_a, subscribed):
    program = make_program(code="emit-q1")
    partner = make_partner()
    place(partner, (make_product(), 2, "12000.00"), at=local(2024, 2, 1, 10))
    engine.recalculate(program, *Q1)
    accrual = RebateAccrual.objects.get(program=program, partner=partner)

    settlement = settle(accrual, actor=make_user(Role.FINANCE), note="Q1")

    event = only_event("rebate.settled", settlement)
    assert (event.object_type, event.object_id) == ("rebates.rebatesettlement", str(settlement.pk))
    assert event.payload == {
        "settlement": {
            "id": settlement.pk,
            "kind": "settlement",
            "amount": "600.00",
            "currency": "CNY",
            "method": "credit",
            "payout_reference": "",
            "settled_at": settlement.settled_at.isoformat(),
            "note": "Q1",
        },
        "accrual": {
            "id": accrual.pk,
            "period_start": "2024-01-01",
            "period_end": "2024-03-31",
            "amount": "600.00",
        },
        "program": {"id": program.pk, "code": "emit-q1", "name": "返利", "name_en": ""},
        "partner": partner_ref(partner),
    }
    assert receivers(event) == [(subscribed.pk, None)]
    assert message_build(event).lines == [
        "返利政策 / Program: 返利",
        f"伙伴 / Partner: {partner.name}",
        "期间 / Period: 2024-01-01 ~ 2024-03-31",
        "金额 / Amount: 600.00 CNY",
    ]
