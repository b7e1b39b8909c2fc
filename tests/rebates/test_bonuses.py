"""New-customer bonuses: a won deal with a customer the vendor never won before (same credit code
or name, written any way) and not a named account pays the program's fixed bonus, once, in the
period of its closing day; bonuses count before caps and are explained by the deals."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache

from deal_registration.models import AccountKind, DealRegistration, DealStatus, NamedAccount
from partners.models import Partner, ProductLine
from prm.tenancy.selectors import tenant_today
from rebates import engine, partner_run
from rebates.explanation import explain
from rebates.selectors import partner_progress
from rebates.tasks import marker_key, recalculate_partner_day
from tests.deal_registration.deals import fields, network_line
from tests.factories import make_partner, make_product

from .test_engine import Q1, accrual_of, local, make_program, place

pytestmark = pytest.mark.django_db

D = Decimal
_seq = itertools.count(1)


def win(partner: Partner, name: str, on: date, **kw: object) -> DealRegistration:
    """A registration closed as won on `on` (rows written directly: the engine only reads)."""
    return DealRegistration.objects.create(
        number=f"DR-B{next(_seq)}",
        partner=partner,
        status=DealStatus.WON,
        closed_on=on,
        **fields(customer_name=name, **kw),
    )


@pytest.fixture
def program(vendor):
    return make_program(new_customer_bonus=D("1000.00"))


def test_only_customers_new_to_the_vendor_earn_the_bonus(program):
    first, second = make_partner(), make_partner()
    storage = ProductLine.objects.create(code="storage", name="存储")
    NamedAccount.objects.create(
        kind=AccountKind.NAMED, name="招商银行股份有限公司", credit_code="9144030010001686XA"
    )
    fresh = win(first, "深圳市腾飞科技有限公司", date(2024, 2, 10))
    win(second, "华强电子(深圳)有限公司", date(2024, 1, 5))  # won first by the other partner
    win(first, "深圳华强电子有限公司", date(2024, 2, 11))  # the same customer, written otherwise
    win(first, "招商银行深圳分行", date(2024, 2, 12), credit_code="9144030010001686XA")
    win(first, "前海数据有限公司", date(2024, 2, 13), product_line=storage)
    win(first, "南山云计算有限公司", date(2024, 4, 1))  # next quarter
    lost = win(first, "福田物流有限公司", date(2024, 2, 14))
    DealRegistration.objects.filter(pk=lost.pk).update(status=DealStatus.LOST)

    engine.recalculate(program, *Q1)

    mine, theirs = accrual_of(program, first), accrual_of(program, second)
    # No product lines on the program: every line counts, so the storage deal is paid too.
    assert (mine.bonus, mine.uncapped_amount, mine.amount) == (
        D("2000.00"),
        D("2000.00"),
        D("2000.00"),
    )
    assert [w.customer_name for w in explain(mine).wins] == [
        fresh.customer_name,
        "前海数据有限公司",
    ]
    assert (theirs.bonus, theirs.amount) == (D("1000.00"), D("1000.00"))


def test_a_program_with_product_lines_pays_only_their_deals(vendor):
    program = make_program(new_customer_bonus=D("800.00"))
    program.product_lines.set([network_line()])
    partner = make_partner()
    storage = ProductLine.objects.create(code="storage", name="存储")
    win(partner, "深圳市腾飞科技有限公司", date(2024, 3, 31))
    win(partner, "前海数据有限公司", date(2024, 3, 1), product_line=storage)

    engine.recalculate(program, *Q1)

    assert accrual_of(program, partner).bonus == D("800.00")


def test_the_same_customer_won_the_same_day_pays_the_first_registered(program):
    first, second = make_partner(), make_partner()
    earlier = win(first, "深圳市腾飞科技有限公司", date(2024, 3, 3))
    win(second, "腾飞科技(深圳)有限公司", date(2024, 3, 3))

    engine.recalculate(program, *Q1)

    assert earlier.partner == first
    assert (accrual_of(program, first).bonus, accrual_of(program, second).bonus) == (
        D("1000.00"),
        D("0.00"),
    )


def test_bonuses_add_to_the_tier_rebate_before_the_partner_cap(vendor):
    program = make_program(new_customer_bonus=D("1000.00"), partner_cap=D("1200.00"))
    partner = make_partner()
    place(partner, (make_product(), 1, "12000.00"), at=local(2024, 2, 1))  # 5 % = 600
    win(partner, "深圳市腾飞科技有限公司", date(2024, 2, 2))

    engine.recalculate(program, *Q1)

    accrual = accrual_of(program, partner)
    assert (accrual.bonus, accrual.uncapped_amount, accrual.capped_amount, accrual.amount) == (
        D("1000.00"),
        D("1600.00"),
        D("1200.00"),
        D("1200.00"),
    )


def test_winning_a_deal_queues_the_partners_recalculation(
    program, django_capture_on_commit_callbacks
):
    partner = make_partner()
    day = date(2024, 2, 20)
    cache.delete(marker_key(partner.pk, day))
    registration = win(partner, "深圳市腾飞科技有限公司", day)
    cache.delete(marker_key(partner.pk, day))  # created as won directly: queue on the save below

    with django_capture_on_commit_callbacks() as queued:
        registration.save()
    recalculate_partner_day(partner.pk, day.isoformat())  # what the queued job runs

    assert len(queued) == 1
    assert accrual_of(program, partner).bonus == D("1000.00")


def test_progress_promises_the_next_tier_with_the_bonuses_already_earned(vendor):
    today = tenant_today()
    program = make_program(
        new_customer_bonus=D("500.00"), starts_on=date(2026, 1, 1), ends_on=date(2099, 12, 31)
    )
    partner = make_partner()
    win(partner, "深圳市腾飞科技有限公司", today)
    partner_run.recalculate_partner(partner, today)

    (progress,) = partner_progress(partner, today=today)
    assert progress.program == program

    # 5,000 reaches 3 %: 150.00, plus the 500.00 bonus already earned this period.
    assert (progress.accrued, progress.to_next, progress.at_next) == (
        D("500.00"),
        D("5000.00"),
        D("650.00"),
    )
