"""Allocating a fund: fixed shares to the eligible partners (tier, region, active) at activation
and to partners who qualify later; accrued shares that follow purchases in the fund's period
(vendor's calendar, accepted orders, less returns received), topped up by the difference only;
the budget caps both, and a fixed fund it cannot cover is not activated."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from mdf.allocation import allocations_sync, fund_activate, purchases_in_period
from mdf.models import AllocationMode, FundStatus, MdfAllocation, MdfFund
from mdf.tasks import mdf_daily
from orders.models import Order, OrderStatus, ReturnRequest, ReturnStatus
from partners.models import Partner, PartnerStatus, Region, Tier
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .test_ledger import totals

pytestmark = pytest.mark.django_db

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def draft_fund(**kw: object) -> MdfFund:
    return MdfFund.objects.create(
        code=kw.pop("code", "mdf-h2"),
        name="下半年市场费用",
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 12, 31),
        expires_on=date(2027, 1, 31),
        budget=D(kw.pop("budget", "100000.00")),
        allocation_mode=kw.pop("allocation_mode", AllocationMode.FIXED),
        fixed_amount=kw.pop("fixed_amount", D("10000.00")),
        **kw,
    )


def allocated(fund: MdfFund) -> dict[str, Decimal]:
    return dict(MdfAllocation.objects.filter(fund=fund).values_list("partner__name", "allocated"))


def bought(partner: Partner, total: str, at: datetime, status: str = OrderStatus.APPROVED) -> Order:
    """An order placed at local time `at` (rows written directly: allocation only reads)."""
    order = Order.objects.create(
        number=f"SO-M{next(_seq)}", partner=partner, currency="CNY", status=status
    )
    Order.objects.filter(pk=order.pk).update(total=D(total), paid_prepaid=D(total), created_at=at)
    return order


def returned(order: Order, credit: str, status: str = ReturnStatus.RECEIVED) -> None:
    request = ReturnRequest.objects.create(
        number=f"RMA-M{next(_seq)}", order=order, status=status, reason="质量问题"
    )
    ReturnRequest.objects.filter(pk=request.pk).update(refund_total=D(credit))


@pytest.fixture
def tiers(in_a):
    return (
        Tier.objects.create(code="gold-m", name="金牌", name_en="Gold", rank=80),
        Tier.objects.create(code="silver-m", name="银牌", name_en="Silver", rank=70),
    )


@pytest.fixture
def marketing(in_a):
    return make_user(Role.MARKETING)


def test_a_fixed_fund_goes_to_active_partners_of_its_tiers_and_regions(tiers, marketing):
    gold, silver = tiers
    zhejiang = Region.objects.create(code="330000", name="浙江", level=Region.Level.PROVINCE)
    make_partner(name="甲 浙江金牌", region="浙江", tier=gold)
    make_partner(name="乙 浙江银牌", region="浙江", tier=silver)
    make_partner(name="丙 江苏金牌", region="江苏", tier=gold)
    make_partner(name="丁 浙江金牌暂停", region="浙江", tier=gold, status=PartnerStatus.SUSPENDED)
    fund = draft_fund()
    fund.tiers.set([gold])
    fund.regions.set([zhejiang])

    with translation.override("en"):
        run = fund_activate(fund, actor=marketing)
    again = allocations_sync(fund)

    fund.refresh_from_db()
    assert fund.status == FundStatus.ACTIVE
    assert list(fund.status_changes.values_list("to_status", "actor")) == [("active", marketing.pk)]
    assert allocated(fund) == {"甲 浙江金牌": D("10000.00")}
    assert (run.total, run.short, again.given) == (D("10000.00"), {}, {})
    allocation = MdfAllocation.objects.get(fund=fund)
    assert totals(allocation) == (D("10000.00"), 0, 0, 0, 0, D("10000.00"))
    assert allocation.entries.get().memo == "Fixed allocation"


def test_a_partner_who_qualifies_later_gets_its_share_in_the_nightly_run(in_a, marketing):
    make_partner(name="老伙伴")
    fund = draft_fund(budget="25000.00")
    fund_activate(fund, actor=marketing)
    make_partner(name="新伙伴一")
    make_partner(name="新伙伴二")

    run = allocations_sync(fund)

    # The budget had 15,000.00 left: the second newcomer gets the 5,000.00 that remains.
    assert allocated(fund) == {
        "老伙伴": D("10000.00"),
        "新伙伴一": D("10000.00"),
        "新伙伴二": D("5000.00"),
    }
    assert run.total == D("15000.00")
    assert list(run.short.values()) == [D("5000.00")]


def test_a_fixed_fund_its_budget_cannot_cover_stays_a_draft(in_a, marketing):
    for _ in range(3):
        make_partner()
    fund = draft_fund(budget="25000.00")

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        fund_activate(fund, actor=marketing)

    fund.refresh_from_db()
    assert refused.value.message_dict["budget"] == [
        "3 eligible partners at ¥10,000.00 need ¥30,000.00; the budget is ¥25,000.00."
    ]
    assert (fund.status, MdfAllocation.objects.filter(fund=fund).count()) == ("draft", 0)


def test_only_vendor_admins_and_marketing_activate_a_fund(in_a):
    fund = draft_fund()
    for role in (Role.CHANNEL_MANAGER, Role.FINANCE, Role.SALES):
        with pytest.raises(PermissionDenied):
            fund_activate(fund, actor=make_user(role))
    fund_activate(fund, actor=make_user(Role.ADMIN))
    fund.refresh_from_db()
    assert fund.status == FundStatus.ACTIVE
    with pytest.raises(ValidationError):
        fund_activate(fund, actor=make_user(Role.ADMIN))


def test_accrued_shares_follow_accepted_purchases_in_the_period_less_returns(in_a, marketing):
    partner, other = make_partner(name="甲"), make_partner(name="乙")
    inside = datetime(2026, 8, 3, 10, 0, tzinfo=SHANGHAI)
    big = bought(partner, "100000.00", inside)
    returned(big, "10000.00")
    returned(big, "999.00", status=ReturnStatus.APPROVED)  # not received yet: still bought
    bought(partner, "20000.00", datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI), "shipped")
    bought(partner, "7000.00", datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI))  # after the period
    bought(partner, "5000.00", datetime(2026, 6, 30, 23, 59, tzinfo=SHANGHAI))  # before it
    bought(partner, "3000.00", inside, status=OrderStatus.SUBMITTED)  # not accepted yet
    bought(partner, "4000.00", inside, status=OrderStatus.CANCELLED)
    bought(other, "1234.56", inside, status=OrderStatus.COMPLETED)
    fund = draft_fund(
        allocation_mode=AllocationMode.ACCRUED, fixed_amount=None, accrual_rate=D("3.000")
    )

    with translation.override("en"):
        fund_activate(fund, actor=marketing)

    assert purchases_in_period(fund, [partner.pk, other.pk]) == {
        partner.pk: D("110000.00"),
        other.pk: D("1234.56"),
    }
    # 3% of 110,000.00 and of 1,234.56 (37.0368, half-up to the cent).
    assert allocated(fund) == {"甲": D("3300.00"), "乙": D("37.04")}
    entry = MdfAllocation.objects.get(fund=fund, partner=partner).entries.get()
    assert entry.memo == "3% of purchases in the fund's period: ¥3,300.00 so far"


def test_an_accrued_share_grows_by_the_difference_only(in_a, marketing):
    partner = make_partner(name="甲")
    inside = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
    bought(partner, "50000.00", inside)
    fund = draft_fund(
        allocation_mode=AllocationMode.ACCRUED, fixed_amount=None, accrual_rate=D("2.500")
    )
    fund_activate(fund, actor=marketing)
    bought(partner, "10000.01", inside)

    first = allocations_sync(fund)
    second = allocations_sync(fund)

    allocation = MdfAllocation.objects.get(fund=fund, partner=partner)
    # 2.5% of 60,000.01 = 1,500.00025 -> 1,500.00: 250.00 more than the 1,250.00 given before.
    assert (first.given, second.given) == ({partner.pk: D("250.00")}, {})
    assert list(allocation.entries.order_by("pk").values_list("amount", flat=True)) == [
        D("1250.00"),
        D("250.00"),
    ]
    assert totals(allocation) == (D("1500.00"), 0, 0, 0, 0, D("1500.00"))


def test_accrued_shares_stop_at_the_budget(in_a, marketing):
    first, second = make_partner(name="甲"), make_partner(name="乙")
    inside = datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI)
    bought(first, "200000.00", inside)
    bought(second, "200000.00", inside)
    fund = draft_fund(
        budget="15000.00",
        allocation_mode=AllocationMode.ACCRUED,
        fixed_amount=None,
        accrual_rate=D("5.000"),
    )

    run = fund_activate(fund, actor=marketing)

    assert allocated(fund) == {"甲": D("10000.00"), "乙": D("5000.00")}
    assert run.short == {second.pk: D("5000.00")}


def test_the_daily_job_allocates_active_funds_and_skips_drafts(in_a, marketing):
    partner = make_partner(name="甲")
    active = draft_fund(code="active")
    fund_activate(active, actor=marketing)
    draft = draft_fund(code="draft")
    newcomer = make_partner(name="乙")

    result = mdf_daily.apply(args=["2026-12-06"]).get()

    assert result["funds_allocated"] == 1
    assert allocated(active) == {"甲": D("10000.00"), "乙": D("10000.00")}
    assert allocated(draft) == {}
    assert {partner.pk, newcomer.pk} == set(
        MdfAllocation.objects.filter(fund=active).values_list("partner_id", flat=True)
    )
