"""The cockpit's rebate liability, against numbers worked out by hand.

Two programs on ordered amounts, both with the bands [5,000, 10,000) 3 % and [10,000, ∞) 5 %
(retroactive): QP by quarter, MP by month. P1 and P2 are the manager's, P3 another's. Orders
(local dates, 2024) and received returns, which reduce the period of their original order:

* P1: 02-01 12,000.00; 04-20 8,000.00.
* P2: 01-15 7,000.00 (2,000.00 returned on 03-20); 03-10 6,000.00 (1,000.00 returned 04-10).
* P3: 01-20 5,000.00; 03-05 20,000.00.

Accruals after every recalculation, and what finance settled (settled_at back-dated):

=========  ========  ===================================  ==========================  =======
accrual    amount    basis                                settlements                 due
=========  ========  ===================================  ==========================  =======
QP Q1 P1   600.00    12,000 x 5 %                         600.00 on 04-08             0.00
QP Q1 P2   500.00    7,000 - 2,000 + 6,000 - 1,000 x 5 %  550.00 on 04-08 (before      -50.00
                                                          the second return)
QP Q2 P1   240.00    8,000 x 3 % (running on 05-15)       -                           240.00
MP Jan P2  150.00    5,000 x 3 %                          210.00 on 02-05, -60.00 on   0.00
                                                          03-25 (after the return)
MP Feb P1  600.00    12,000 x 5 %                         600.00 on 03-05             0.00
MP Mar P2  150.00    5,000 x 3 %                          180.00 on 04-02             -30.00
MP Apr P1  240.00    8,000 x 3 %                          -                           240.00
QP Q1 P3   1250.00   25,000 x 5 %                         -                           1250.00
MP Jan P3  150.00    5,000 x 3 %                          150.00 on 03-06             0.00
MP Mar P3  1000.00   20,000 x 5 %                         -                           1000.00
=========  ========  ===================================  ==========================  =======
(every other accrual is 0.00, never settled)

March 2024, today 2024-05-15, over P1 and P2:
* accrued = periods ending in March: QP Q1 600.00 + 500.00, MP Mar 150.00 = 1,250.00;
* settled = settled in March: 600.00 (MP Feb P1) - 60.00 (MP Jan P2) = 540.00;
* outstanding = every due: -50.00 + 240.00 - 30.00 + 240.00 = 400.00, of which running
  (QP Q2 ends 06-30, after today) 240.00, and to recover 50.00 + 30.00 = 80.00.
P3 alone: accrued 1,250.00 + 1,000.00 = 2,250.00; settled 150.00; outstanding 2,250.00.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partners.models import Partner
from partners.selectors import partners_visible_to
from prm.accounts.roles import Role
from rebates import engine
from rebates.models import PeriodType, RebateAccrual, RebateSettlement, SettlementKind
from rebates.rules import periods
from rebates.settlement import settle
from reports.channel_figures import (
    Liability,
    liability_accruals,
    liability_settlements,
    rebate_liability,
)
from tests.factories import make_partner, make_product, make_user
from tests.rebates.test_engine import give_back, make_program, place

from .conftest import local, month, quarter

pytestmark = pytest.mark.django_db

D = Decimal
MARCH = month(2024, 3)
TODAY = date(2024, 5, 15)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The figure's "now" (which program periods are still running); settling itself checks
    the real clock, for which every period of 2024 has ended."""
    monkeypatch.setattr("reports.figures_rebates.tenant_today", lambda: TODAY)


class World:
    def __init__(self, manager) -> None:
        self.finance = make_user(Role.FINANCE)
        self.qp = make_program(code="qp", period_type=PeriodType.QUARTER)
        self.mp = make_program(code="mp", period_type=PeriodType.MONTH)
        # Named so that P1 sorts before P2 (lists order by name).
        self.p1 = make_partner(name="一号电子有限公司", channel_manager=manager)
        self.p2 = make_partner(name="二号电子有限公司", channel_manager=manager)
        self.p3 = make_partner(
            name="三号电子有限公司", channel_manager=make_user(Role.CHANNEL_MANAGER)
        )
        self.product = make_product()
        self.programs = {self.qp.pk: "QP", self.mp.pk: "MP"}
        self.partners = {self.p1.pk: "P1", self.p2.pk: "P2", self.p3.pk: "P3"}

    def recalculate(self) -> None:
        for program in (self.qp, self.mp):
            for start, end in periods(program.period_type, date(2024, 1, 1), date(2024, 5, 31)):
                engine.recalculate(program, start, end)

    def accrual(self, program: str, partner: str, start: date) -> RebateAccrual:
        return RebateAccrual.objects.get(
            program=getattr(self, program.lower()),
            partner=getattr(self, partner.lower()),
            period_start=start,
        )

    def settle(self, program: str, partner: str, start: date, on: date) -> RebateSettlement:
        settlement = settle(self.accrual(program, partner, start), actor=self.finance)
        RebateSettlement.objects.filter(pk=settlement.pk).update(
            settled_at=local(on.year, on.month, on.day, 10)
        )
        return settlement

    def label(self, accrual: RebateAccrual) -> str:
        program, partner = self.programs[accrual.program_id], self.partners[accrual.partner_id]
        return f"{program} {accrual.period_start:%m} {partner}"


@pytest.fixture
def world(vendor, manager) -> World:
    w = World(manager)
    place(w.p1, (w.product, 1, "12000.00"), at=local(2024, 2, 1, 10))
    place(w.p1, (w.product, 1, "8000.00"), at=local(2024, 4, 20, 10))
    p2_january = place(w.p2, (w.product, 2, "7000.00"), at=local(2024, 1, 15, 10))
    p2_march = place(w.p2, (w.product, 2, "6000.00"), at=local(2024, 3, 10, 10))
    place(w.p3, (w.product, 1, "5000.00"), at=local(2024, 1, 20, 10))
    place(w.p3, (w.product, 1, "20000.00"), at=local(2024, 3, 5, 10))
    w.recalculate()
    jan, feb, mar, q1 = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 1, 1)

    w.settle("MP", "P2", jan, date(2024, 2, 5))  # 210.00
    w.settle("MP", "P1", feb, date(2024, 3, 5))  # 600.00
    w.settle("MP", "P3", jan, date(2024, 3, 6))  # 150.00
    give_back(p2_january, "2000.00", at=local(2024, 3, 20, 10))
    w.recalculate()
    adjustment = w.settle("MP", "P2", jan, date(2024, 3, 25))
    assert (adjustment.kind, adjustment.amount) == (SettlementKind.ADJUSTMENT, D("-60.00"))
    w.settle("MP", "P2", mar, date(2024, 4, 2))  # 180.00
    w.settle("QP", "P1", q1, date(2024, 4, 8))  # 600.00
    w.settle("QP", "P2", q1, date(2024, 4, 8))  # 550.00
    give_back(p2_march, "1000.00", at=local(2024, 4, 10, 10))
    w.recalculate()

    amounts = {
        w.label(a): a.amount
        for a in RebateAccrual.objects.filter(program__in=[w.qp, w.mp]).exclude(amount=0)
    }
    assert amounts == {
        "QP 01 P1": D("600.00"),
        "QP 01 P2": D("500.00"),
        "QP 04 P1": D("240.00"),
        "MP 01 P2": D("150.00"),
        "MP 02 P1": D("600.00"),
        "MP 03 P2": D("150.00"),
        "MP 04 P1": D("240.00"),
        "QP 01 P3": D("1250.00"),
        "MP 01 P3": D("150.00"),
        "MP 03 P3": D("1000.00"),
    }
    return w


def test_the_liability_of_a_month_over_the_cockpits_partners(
    world, manager, django_assert_num_queries
):
    partners = partners_visible_to(manager)

    with django_assert_num_queries(2):
        liability = rebate_liability(partners=partners, period=MARCH)

    assert liability == Liability(
        accrued=D("1250.00"),
        settled=D("540.00"),
        outstanding=D("400.00"),
        running=D("240.00"),
        to_recover=D("80.00"),
    )


def test_the_outside_partners_liability_is_its_own(world):
    theirs = rebate_liability(partners=Partner.objects.filter(pk=world.p3.pk), period=MARCH)

    assert theirs == Liability(
        accrued=D("2250.00"),
        settled=D("150.00"),
        outstanding=D("2250.00"),
        running=D("0.00"),
        to_recover=D("0.00"),
    )


def test_a_quarter_gathers_the_periods_ending_in_it(world, manager):
    """Q1 2024: QP Q1 (1,100.00) and MP Jan, Feb, Mar (150.00 + 600.00 + 150.00); settled in
    Q1: 210.00 on 02-05, 600.00, -60.00. Outstanding does not depend on the period."""
    q1 = rebate_liability(partners=partners_visible_to(manager), period=quarter(2024, 1))

    assert (q1.accrued, q1.settled, q1.outstanding) == (D("2000.00"), D("750.00"), D("400.00"))


def test_the_figures_drill_down_to_their_rows(world, manager):
    partners = partners_visible_to(manager)

    accrued = liability_accruals(partners=partners, period=MARCH)
    outstanding = liability_accruals(partners=partners, period=MARCH, which="outstanding")
    settled = liability_settlements(partners=partners, period=MARCH)

    assert [(world.label(a), a.amount, a.settled, a.due) for a in accrued] == [
        ("MP 03 P2", D("150.00"), D("180.00"), D("-30.00")),
        ("QP 01 P1", D("600.00"), D("600.00"), D("0.00")),
        ("QP 01 P2", D("500.00"), D("550.00"), D("-50.00")),
    ]
    assert [(world.label(a), a.due) for a in outstanding] == [
        ("MP 03 P2", D("-30.00")),
        ("QP 01 P2", D("-50.00")),
        ("MP 04 P1", D("240.00")),
        ("QP 04 P1", D("240.00")),
    ]
    assert [(world.label(s.accrual), s.amount) for s in settled] == [
        ("MP 02 P1", D("600.00")),
        ("MP 01 P2", D("-60.00")),
    ]
    assert sum(a.amount for a in accrued) == D("1250.00")
    assert sum(a.due for a in outstanding) == D("400.00")
    with pytest.raises(ValueError, match="unknown liability figure"):
        liability_accruals(partners=partners, period=MARCH, which="paid")


def test_nobody_has_no_liability(world):
    nobody = rebate_liability(partners=Partner.objects.none(), period=MARCH)

    assert nobody == Liability(*(D("0.00"),) * 5)
