"""The MDF fund ledger: every movement is one entry; the allocation's totals always equal what its
entries say, available never goes below zero, two approvals racing for the last funds cannot
both pass, and allocations never exceed the fund's budget. Amounts are exact Decimals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from mdf.ledger import entry_totals, fund_allocate, fund_move
from mdf.models import AllocationMode, FundEntryKind, MdfAllocation, MdfFund
from partners.models import PartnerStatus
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner
from tests.orders.test_ledger_concurrency import _remove

pytestmark = pytest.mark.django_db

D = Decimal


def make_fund(budget: str = "100000.00", **kw: object) -> MdfFund:
    return MdfFund.objects.create(
        code=kw.pop("code", "mdf-2026"),
        name="2026 市场费用",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        expires_on=date(2027, 1, 31),
        budget=D(budget),
        allocation_mode=AllocationMode.FIXED,
        fixed_amount=D("10000.00"),
        status="active",
        **kw,
    )


def totals(allocation: MdfAllocation) -> tuple[Decimal, ...]:
    allocation.refresh_from_db()
    row = tuple(
        getattr(allocation, t) for t in ("allocated", "reserved", "claimed", "paid", "expired")
    )
    assert row == tuple(entry_totals(allocation).values())  # the ledger balances
    return (*row, allocation.available)


def test_request_claim_and_payment_balance_at_every_step(in_a):
    fund, partner = make_fund(), make_partner()

    fund_allocate(fund, partner, D("10000.00"))
    allocation = MdfAllocation.objects.get(fund=fund, partner=partner)
    assert totals(allocation) == (D("10000.00"), 0, 0, 0, 0, D("10000.00"))

    fund_move(allocation, FundEntryKind.RESERVE, D("6000.00"), reference="REQ-1")  # approved
    assert totals(allocation) == (D("10000.00"), D("6000.00"), 0, 0, 0, D("4000.00"))

    # The claim is approved at 4,500.00 of the 6,000.00 reserved: the rest returns.
    fund_move(allocation, FundEntryKind.RELEASE, D("6000.00"), reference="REQ-1")
    fund_move(allocation, FundEntryKind.CLAIM, D("4500.00"), reference="CLM-1")
    assert totals(allocation) == (D("10000.00"), 0, D("4500.00"), 0, 0, D("5500.00"))

    fund_move(allocation, FundEntryKind.PAY, D("4500.00"), reference="CLM-1")
    assert totals(allocation) == (D("10000.00"), 0, 0, D("4500.00"), 0, D("5500.00"))

    last = fund_move(allocation, FundEntryKind.EXPIRE, D("5500.00"))
    assert totals(allocation) == (D("10000.00"), 0, 0, D("4500.00"), D("5500.00"), D("0.00"))
    assert last.available_after == D("0.00")
    assert allocation.entries.count() == 6


@pytest.mark.parametrize(
    ("kind", "amount", "message"),
    [
        (
            FundEntryKind.RESERVE,
            "4000.01",
            "Only ¥4,000.00 of this fund is available; ¥4,000.01 was asked.",
        ),
        (
            FundEntryKind.RELEASE,
            "6000.01",
            "Only ¥6,000.00 is reserved; ¥6,000.01 cannot be taken from it.",
        ),
        (FundEntryKind.PAY, "0.01", "Only ¥0.00 is claimed; ¥0.01 cannot be taken from it."),
        (FundEntryKind.RESERVE, "0", "Enter an amount above zero with at most two decimals."),
        (FundEntryKind.RESERVE, "1.005", "Enter an amount above zero with at most two decimals."),
    ],
)
def test_a_movement_it_cannot_cover_is_refused_and_nothing_is_written(in_a, kind, amount, message):
    fund, partner = make_fund(), make_partner()
    fund_allocate(fund, partner, D("10000.00"))
    allocation = MdfAllocation.objects.get(fund=fund, partner=partner)
    fund_move(allocation, FundEntryKind.RESERVE, D("6000.00"))
    before = totals(allocation), allocation.entries.count()

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        fund_move(allocation, kind, D(amount))

    assert refused.value.message_dict["amount"] == [message]
    assert (totals(allocation), allocation.entries.count()) == before


def test_allocations_never_exceed_the_budget(in_a):
    fund = make_fund(budget="15000.00")
    first, second = make_partner(), make_partner()
    fund_allocate(fund, first, D("10000.00"))

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        fund_allocate(fund, second, D("5000.01"))
    fund_allocate(fund, second, D("5000.00"))

    assert refused.value.message_dict["amount"] == [
        "The fund's budget has ¥5,000.00 left; ¥5,000.01 cannot be allocated."
    ]
    assert sorted(MdfAllocation.objects.values_list("allocated", flat=True)) == [
        D("5000.00"),
        D("10000.00"),
    ]


def test_two_approvals_racing_for_the_last_funds_cannot_both_pass(tenant_a):
    def setup() -> tuple[int, int, int]:
        fund = make_fund(code="race")
        partner = make_partner(status=PartnerStatus.APPLIED)  # no onboarding needed here
        fund_allocate(fund, partner, D("5000.00"))
        return fund.pk, partner.pk, MdfAllocation.objects.get(fund=fund).pk

    fund_id, partner_id, allocation_id = in_thread("alpha", setup)

    def approve(reference: str) -> Callable[[], str]:
        def attempt() -> str:
            try:
                fund_move(
                    MdfAllocation.objects.get(pk=allocation_id),
                    FundEntryKind.RESERVE,
                    D("3000.00"),
                    reference=reference,
                )
            except ValidationError:
                return "refused"
            return "approved"

        return attempt

    def read() -> tuple[tuple[Decimal, ...], int]:
        allocation = MdfAllocation.objects.get(pk=allocation_id)
        return totals(allocation), allocation.entries.filter(kind=FundEntryKind.RESERVE).count()

    try:
        outcomes = run_concurrently("alpha", [approve("REQ-A"), approve("REQ-B")])
        after, reservations = in_thread("alpha", read)

        assert sorted(outcomes) == ["approved", "refused"]
        assert after == (D("5000.00"), D("3000.00"), 0, 0, 0, D("2000.00"))
        assert reservations == 1
    finally:

        def cleanup() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM mdf_mdfledgerentry WHERE allocation_id = %s", [allocation_id]
                )
                cursor.execute("DELETE FROM mdf_mdfallocation WHERE id = %s", [allocation_id])
                cursor.execute("DELETE FROM mdf_mdffund WHERE id = %s", [fund_id])
            _remove(partner_id)

        in_thread("alpha", cleanup)
