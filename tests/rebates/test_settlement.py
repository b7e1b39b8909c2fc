"""Settlement into the rebate wallet: once in full, then only adjustments of the difference."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from orders.ledger import balances, ledger_post
from orders.models import AccountKind, EntryKind, LedgerEntry
from partners.models import Partner, PartnerStatus
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from rebates import engine, partner_run
from rebates.models import (
    RebateAccrual,
    RebateProgram,
    RebateSettlement,
    SettlementKind,
    SettlementMethod,
)
from rebates.settlement import settle, settlement_due
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_product, make_user
from tests.orders.test_ledger_concurrency import _remove
from tests.rebates.test_engine import Q1, give_back, local, make_program, place

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def finance(vendor):
    return make_user(Role.FINANCE)


@pytest.fixture
def q1(vendor):
    """A partner that ordered 12,000.00 in Q1 2024 (retroactive 5 %: 600.00 accrued)."""
    program = make_program()
    partner = make_partner()
    order = place(partner, (make_product(), 2, "12000.00"), at=local(2024, 2, 1, 10))
    engine.recalculate(program, *Q1)
    accrual = RebateAccrual.objects.get(program=program, partner=partner)
    return program, partner, order, accrual


def _rebate(partner) -> Decimal:
    return balances(partner)["rebate"]


def test_first_settlement_credits_the_rebate_wallet(q1, finance):
    _program, partner, _order, accrual = q1

    settlement = settle(accrual, actor=finance, note="Q1")

    assert (settlement.kind, settlement.amount, settlement.settled_by) == (
        SettlementKind.SETTLEMENT,
        D("600.00"),
        finance,
    )
    entry = settlement.ledger_entry
    assert (entry.kind, entry.amount, entry.account.kind) == (
        EntryKind.REBATE,
        D("600.00"),
        AccountKind.REBATE,
    )
    assert _rebate(partner) == D("600.00")
    assert settlement_due(accrual) == D("0.00")


def test_settling_again_without_a_change_is_refused(q1, finance):
    accrual = q1[3]
    settle(accrual, actor=finance)

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        settle(accrual, actor=finance)

    assert caught.value.code == "nothing_due"
    assert caught.value.messages == ["Nothing to settle: the accrual is already settled in full."]
    assert RebateSettlement.objects.filter(accrual=accrual).count() == 1


@pytest.mark.parametrize(
    ("refund", "basis", "adjustment"),
    [
        ("3000.00", D("9000.00"), D("-330.00")),  # 600.00 → 270.00 (below the 5 % tier)
        ("1000.00", D("11000.00"), D("-50.00")),  # 600.00 → 550.00
    ],
)
def test_a_late_return_gives_a_negative_adjustment_not_a_second_payment(
    q1, finance, refund, basis, adjustment
):
    program, partner, order, accrual = q1
    settle(accrual, actor=finance)
    give_back(order, refund, at=local(2024, 7, 20, 10))  # received after Q1 was settled

    engine.recalculate(program, *Q1)
    accrual.refresh_from_db()
    assert accrual.basis == basis
    settlement = settle(accrual, actor=finance)

    assert (settlement.kind, settlement.amount) == (SettlementKind.ADJUSTMENT, adjustment)
    assert settlement.ledger_entry.amount == adjustment
    assert _rebate(partner) == accrual.amount == D("600.00") + adjustment
    paid = [s.amount for s in RebateSettlement.objects.filter(accrual=accrual).order_by("pk")]
    assert paid == [D("600.00"), adjustment]


def test_a_payout_records_the_transfer_and_leaves_the_rebate_credit_alone(q1, finance):
    program, partner, order, accrual = q1

    with translation.override("en"):
        with pytest.raises(ValidationError) as no_reference:
            settle(accrual, actor=finance, method=SettlementMethod.PAYOUT, payout_reference=" ")
        message = no_reference.value.message_dict["payout_reference"]
    paid = settle(accrual, actor=finance, method=SettlementMethod.PAYOUT, payout_reference="B-1")
    give_back(order, "3000.00", at=local(2024, 7, 20, 10))
    engine.recalculate(program, *Q1)
    accrual.refresh_from_db()
    # The rebate credit is empty: a payout's negative adjustment is money to recover, recorded.
    recover = settle(
        accrual, actor=finance, method=SettlementMethod.PAYOUT, payout_reference="RECOVER-1"
    )

    assert message == ["Enter the bank transfer's reference for a payout."]
    assert (paid.kind, paid.amount, paid.payout_reference, paid.ledger_entry) == (
        SettlementKind.SETTLEMENT,
        D("600.00"),
        "B-1",
        None,
    )
    assert (recover.kind, recover.amount) == (SettlementKind.ADJUSTMENT, D("-330.00"))  # 600 → 270
    assert _rebate(partner) == D("0.00")


def test_a_negative_adjustment_larger_than_the_credit_left_is_refused(q1, finance):
    program, partner, order, accrual = q1
    settle(accrual, actor=finance)
    # The dealer spent 500.00 of its 600.00 rebate credit at checkout.
    ledger_post(partner=partner, kind=AccountKind.REBATE, amount=D("-500.00"), entry_kind="order")
    give_back(order, "3000.00", at=local(2024, 7, 20, 10))
    engine.recalculate(program, *Q1)
    accrual.refresh_from_db()

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        settle(accrual, actor=finance)

    assert caught.value.code == "rebate_spent"
    assert "takes back" in caught.value.messages[0]
    assert RebateSettlement.objects.filter(accrual=accrual).count() == 1
    assert _rebate(partner) == D("100.00")


def test_a_period_still_running_cannot_be_settled(vendor, finance):
    today = tenant_today()
    program = make_program(starts_on=date(today.year, 1, 1), ends_on=date(today.year, 12, 31))
    partner = make_partner()
    place(partner, (make_product(), 1, "12000.00"), at=local(today.year, today.month, today.day))
    partner_run.recalculate_partner(partner, today)
    accrual = RebateAccrual.objects.get(program=program, partner=partner)

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        settle(accrual, actor=finance)

    assert caught.value.code == "period_running"


@pytest.mark.parametrize(
    "who", ["partner_user", "partner_admin", "other_partner", "channel_manager", "sales"]
)
def test_only_finance_and_admins_settle(q1, who):
    partner, accrual = q1[1], q1[3]
    actor = {
        "partner_user": lambda: make_user(Role.PARTNER_USER, partner=partner),
        "partner_admin": lambda: make_user(Role.PARTNER_ADMIN, partner=partner),
        "other_partner": lambda: make_user(Role.PARTNER_ADMIN, partner=make_partner()),
        "channel_manager": lambda: make_user(Role.CHANNEL_MANAGER),
        "sales": lambda: make_user(Role.SALES),
    }[who]()

    with pytest.raises(PermissionDenied):
        settle(accrual, actor=actor)

    assert not RebateSettlement.objects.exists()
    assert not LedgerEntry.objects.filter(kind=EntryKind.REBATE).exists()


def test_a_vendor_admin_may_settle(q1, vendor_admin):
    assert settle(q1[3], actor=vendor_admin).amount == D("600.00")


def test_two_finance_users_settling_at_once_pay_once(tenant_a):
    """Real concurrent transactions: the accrual's row lock lets one settle, the other then
    finds nothing due."""

    def setup() -> tuple[int, int, list[int]]:
        program = make_program(code="race-q1")
        partner = make_partner(status=PartnerStatus.APPLIED)
        accrual = RebateAccrual.objects.create(
            program=program,
            partner=partner,
            period_start=Q1[0],
            period_end=Q1[1],
            basis=D("12000.00"),
            uncapped_amount=D("600.00"),
            amount=D("600.00"),
        )
        users = [make_user(Role.FINANCE).pk for _ in range(2)]
        return accrual.pk, partner.pk, users

    def attempt(user_id: int):
        def run() -> str:
            accrual = RebateAccrual.objects.get(pk=accrual_id)
            try:
                with translation.override("en"):
                    settle(accrual, actor=User.objects.get(pk=user_id))
            except ValidationError as exc:
                return f"refused: {exc.code}"
            return "ok"

        return run

    def cleanup() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM rebates_rebatesettlement WHERE accrual_id = %s", [accrual_id]
            )
            cursor.execute("DELETE FROM rebates_rebateaccrual WHERE id = %s", [accrual_id])
        RebateProgram.objects.filter(code="race-q1").delete()
        _remove(partner_id, users=users)

    accrual_id, partner_id, users = in_thread("alpha", setup)
    try:
        results = run_concurrently("alpha", [attempt(uid) for uid in users])
        rebate = in_thread("alpha", lambda: balances(Partner.objects.get(pk=partner_id))["rebate"])
        count = in_thread(
            "alpha", lambda: RebateSettlement.objects.filter(accrual_id=accrual_id).count()
        )

        assert sorted(results) == ["ok", "refused: nothing_due"]
        assert (rebate, count) == (D("600.00"), 1)
    finally:
        in_thread("alpha", cleanup)
