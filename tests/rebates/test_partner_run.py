"""The incremental run of one partner (all programs at once, one aggregate) gives exactly the
accruals of each program's own run, whatever the basis, period type, scope, cap or group."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from orders.ledger import payment_record
from orders.models import Category, SellOut
from partners.models import Partner, PartnerStatus, ProductLine
from rebates import engine, partner_run
from rebates.engine import active_programs, program_periods
from rebates.models import Basis, PeriodType, RebateAccrual, TierMode
from tests.factories import make_partner, make_product

from .test_bonuses import win
from .test_engine import give_back, local, make_program, place, ship

pytestmark = pytest.mark.django_db

D = Decimal
DAY = date(2024, 3, 15)
SMALL_BANDS = [(D("0"), D("5"), D("1")), (D("5"), None, D("2"))]  # for quantities


def _world() -> tuple[Partner, Partner]:
    locks = ProductLine.objects.create(code="locks", name="门锁")
    parent = Category.objects.create(code="security", name="安防")
    cameras = Category.objects.create(code="cameras", name="摄像机", parent=parent)
    lock = make_product(product_line=locks)
    camera = make_product(category=cameras)
    plain = make_product()

    by_line = make_program(code="line", mode=TierMode.MARGINAL)
    by_line.product_lines.set([locks])
    by_category = make_program(code="cat", basis=Basis.SHIPPED)
    by_category.categories.set([parent])
    excluding = make_program(code="excl", basis=Basis.QUANTITY, bands=SMALL_BANDS)
    excluding.excluded_products.set([plain])
    make_program(code="monthly", period_type=PeriodType.MONTH, partner_cap=D("150.00"))
    make_program(code="collect", basis=Basis.COLLECTED, new_customer_bonus=D("88.00"))
    make_program(code="sold", basis=Basis.SELL_OUT, bands=SMALL_BANDS)
    make_program(code="capped", program_cap=D("500.00"))
    make_program(code="g-big", exclusive_group="g")
    make_program(code="g-small", exclusive_group="g", bands=[(D("0"), None, D("4"))])

    me, other = make_partner(), make_partner()
    for who, scale in ((me, 1), (other, 3)):
        order = place(
            who,
            (lock, 2, f"{4000 * scale}.00"),
            (camera, 3, f"{3000 * scale}.00"),
            (plain, 4, f"{2500 * scale}.00"),
            at=local(2024, 3, 1, 10),
        )
        place(who, (plain, 1, "900.00"), at=local(2024, 2, 3, 9))  # another month
        place(who, (lock, 1, "777.00"), at=local(2024, 4, 1, 0, 30))  # next quarter
        ship(order, 2, at=local(2024, 3, 2, 10))
        give_back(order, "1000.00", at=local(2024, 4, 5, 10))
        payment_record(partner=who, amount=D(f"{6000 * scale}.00"), received_on=DAY, method="cash")
        SellOut.objects.create(
            partner=who, product=camera, sold_on=DAY, quantity=6 * scale, province="上海"
        )
    win(me, "深圳市腾飞科技有限公司", DAY)
    return me, other


def _accruals(partner: Partner) -> list[tuple[Any, ...]]:
    return list(
        RebateAccrual.objects.filter(partner=partner)
        .order_by("program__code", "period_start")
        .values_list(
            "program__code",
            "period_start",
            "basis",
            "tier",
            "bonus",
            "uncapped_amount",
            "capped_amount",
            "amount",
        )
    )


def test_one_partners_run_equals_each_programs_own_run(vendor):
    me, other = _world()
    for program in active_programs():  # the others' rows exist: caps and groups see them
        for start, end in program_periods(program):
            if start <= DAY <= end:
                engine.recalculate(program, start, end, partner_ids=[other.pk])

    found = partner_run.recalculate_partner(me, DAY)
    incremental = _accruals(me)
    for program in active_programs():
        for start, end in program_periods(program):
            if start <= DAY <= end:
                engine.recalculate(program, start, end)
    whole = _accruals(me)

    assert incremental == whole
    assert len(found) == 9
    by_code = {row[0]: row[2:] for row in whole}
    # By hand: the lock line's 4,000 less the 1,000 returned of it; one payment and one bonus.
    assert by_code["line"][0] == D("3000.00")
    assert (by_code["collect"][0], by_code["collect"][2]) == (D("6000.00"), D("88.00"))
    assert by_code["sold"][0] == D("6.00")
    assert by_code["monthly"][0] == D("8500.00")  # March: 4000 + 3000 + 2500, less 1000


def test_a_partner_no_longer_included_keeps_its_row_at_zero(vendor):
    program = make_program()
    partner = make_partner()
    place(partner, (make_product(), 1, "12000.00"), at=local(2024, 2, 1))
    partner_run.recalculate_partner(partner, DAY)
    Partner.objects.filter(pk=partner.pk).update(status=PartnerStatus.APPLIED)

    (accrual,) = partner_run.recalculate_partner(partner, DAY)

    assert (accrual.program_id, accrual.basis, accrual.amount) == (
        program.pk,
        D("0.00"),
        D("0.00"),
    )
