"""The cockpit's deal-registration funnel, against numbers worked out by hand.

The world: March 2026 (Asia/Shanghai). P1 and P2 are the manager's (the cockpit's partners),
P3 is another manager's. Registrations, made through the services and back-dated:

===  ===  =======  ===================  ==========  ========================================
reg  who  line     submitted            amount      then
===  ===  =======  ===================  ==========  ========================================
A    P1   network  03-02 10:00          100000.00   approved, won 03-12 22:00 (10.5 days)
B    P2   network  03-20 09:00           50000.00   approved, won 04-05 09:00 (16.0 days)
C    P1   network  03-10 12:00           30000.00   approved, lost
D    P2   storage  03-15 08:00           20000.00   approved, still open
K    P1   network  03-18 09:00           15000.00   approved, expired
E    P1   network  03-31 23:59           8000.00    still submitted (last minute of March)
R    P2   network  03-25 10:00           12000.00   rejected (never approved)
F    P1   network  02-28 23:30           70000.00   won: submitted in February, not in the cohort
G    P2   network  04-01 00:00            5000.00   submitted in April, not in the cohort
H    P1   network  never                 9000.00   a draft: never submitted, never in a cohort
X    P3   network  03-05 10:00          500000.00   won: another manager's partner
===  ===  =======  ===================  ==========  ========================================

March, every line: submitted A B C D K E R = 7, 235000.00; approved A B C D K = 5, 215000.00;
won A B = 2, 150000.00; lost C = 1, 30000.00; win rate 2 / 3 = 0.6667; approval rate
5 / 7 = 0.714285… → 0.7143; cycle (10.5 + 16.0) / 2 = 13.25 → 13.3 (half-up; half-even
would say 13.2).
Network only (D left out): submitted 6, 215000.00; approved 4, 195000.00; approval rate
4 / 6 = 0.6667; won, lost, win rate and cycle unchanged.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from deal_registration.models import DealRegistration, DealRegistrationStatusChange, DealStatus
from deal_registration.registrations import (
    end_registration,
    registration_approve,
    registration_close,
    registration_reject,
)
from partners.models import Partner, ProductLine
from partners.selectors import partners_visible_to
from prm.accounts.models import User
from prm.accounts.roles import Role
from reports.channel_figures import Funnel, deal_funnel, funnel_deals
from tests.deal_registration.deals import dealer, network_line, register
from tests.factories import make_user

from .conftest import local, month

pytestmark = pytest.mark.django_db

D = Decimal
MARCH = month(2026, 3)

CUSTOMERS = {
    "A": "北京星河智能制造有限公司",
    "B": "苏州金鼎物流集团有限公司",
    "C": "无锡蓝海医疗器械有限公司",
    "D": "广州南粤能源股份有限公司",
    "K": "杭州云帆教育科技有限公司",
    "E": "成都天府酒业有限公司",
    "R": "西安古城文旅集团有限公司",
    "F": "青岛海韵船舶有限公司",
    "G": "昆明彩云花卉有限公司",
    "H": "长沙湘江机械制造有限公司",
    "X": "南京紫金半导体有限公司",
}


class World:
    def __init__(self, admin: User, manager: User) -> None:
        self.admin = admin
        self.network = network_line()
        self.storage = ProductLine.objects.create(code="storage", name="存储", name_en="Storage")
        self.p1, self.u1 = dealer(channel_manager=manager)
        self.p2, self.u2 = dealer(channel_manager=manager)
        self.p3, self.u3 = dealer(channel_manager=make_user(Role.CHANNEL_MANAGER))
        self.deals: dict[str, DealRegistration] = {}

    def deal(
        self, key: str, user: User, amount: str, submitted: datetime | None, **kw: Any
    ) -> DealRegistration:
        registration = register(
            user,
            submit=submitted is not None,
            customer_name=CUSTOMERS[key],
            estimated_amount=D(amount),
            product_line=kw.pop("line", self.network),
        )
        if submitted is not None:
            DealRegistration.objects.filter(pk=registration.pk).update(submitted_at=submitted)
        self.deals[key] = registration
        return registration

    def approve(self, key: str) -> DealRegistration:
        approved = registration_approve(self.deals[key], actor=self.admin, reason="测试")
        self.deals[key] = approved
        return approved

    def win(self, key: str, user: User, at: datetime) -> None:
        registration_close(self.approve(key), actor=user, won=True)
        DealRegistrationStatusChange.objects.filter(
            registration=self.deals[key], to_status=DealStatus.WON
        ).update(created_at=at)

    def numbers(self, qs: Any) -> set[str]:
        names = {r.pk: key for key, r in self.deals.items()}
        return {names[r.pk] for r in qs}


@pytest.fixture
def world(vendor, vendor_admin, manager) -> World:
    w = World(vendor_admin, manager)
    w.deal("A", w.u1, "100000.00", local(2026, 3, 2, 10))
    w.win("A", w.u1, local(2026, 3, 12, 22))
    w.deal("B", w.u2, "50000.00", local(2026, 3, 20, 9))
    w.win("B", w.u2, local(2026, 4, 5, 9))
    w.deal("C", w.u1, "30000.00", local(2026, 3, 10, 12))
    registration_close(w.approve("C"), actor=w.u1, won=False, reason="客户预算取消")
    w.deal("D", w.u2, "20000.00", local(2026, 3, 15, 8), line=w.storage)
    w.approve("D")
    w.deal("K", w.u1, "15000.00", local(2026, 3, 18, 9))
    end_registration(w.approve("K"), DealStatus.EXPIRED, actor=None, reason="保护期届满")
    w.deal("E", w.u1, "8000.00", local(2026, 3, 31, 23, 59))
    w.deal("R", w.u2, "12000.00", local(2026, 3, 25, 10))
    registration_reject(w.deals["R"], actor=w.admin, reason="信息不实")
    w.deal("F", w.u1, "70000.00", local(2026, 2, 28, 23, 30))
    w.win("F", w.u1, local(2026, 3, 3, 10))
    w.deal("G", w.u2, "5000.00", local(2026, 4, 1, 0, 0))
    w.deal("H", w.u1, "9000.00", None)
    w.deal("X", w.u3, "500000.00", local(2026, 3, 5, 10))
    w.win("X", w.u3, local(2026, 3, 6, 10))
    statuses = {k: DealRegistration.objects.get(pk=r.pk).status for k, r in w.deals.items()}
    assert statuses == {
        "A": "won",
        "B": "won",
        "C": "lost",
        "D": "approved",
        "K": "expired",
        "E": "submitted",
        "R": "rejected",
        "F": "won",
        "G": "submitted",
        "H": "draft",
        "X": "won",
    }
    return w


def test_the_funnel_of_a_month_over_the_cockpits_partners(
    world, manager, django_assert_num_queries
):
    partners = partners_visible_to(manager)

    with django_assert_num_queries(1):
        funnel = deal_funnel(partners=partners, period=MARCH, product_line_id=None)

    assert funnel == Funnel(
        submitted=7,
        submitted_amount=D("235000.00"),
        approved=5,
        approved_amount=D("215000.00"),
        won=2,
        won_amount=D("150000.00"),
        lost=1,
        lost_amount=D("30000.00"),
        win_rate=D("0.6667"),
        approval_rate=D("0.7143"),
        avg_cycle_days=D("13.3"),
    )


def test_a_product_line_narrows_the_cohort(world, manager):
    funnel = deal_funnel(
        partners=partners_visible_to(manager), period=MARCH, product_line_id=world.network.pk
    )

    assert (funnel.submitted, funnel.submitted_amount) == (6, D("215000.00"))
    assert (funnel.approved, funnel.approved_amount) == (4, D("195000.00"))
    assert (funnel.won, funnel.won_amount, funnel.lost) == (2, D("150000.00"), 1)
    assert (funnel.approval_rate, funnel.win_rate, funnel.avg_cycle_days) == (
        D("0.6667"),
        D("0.6667"),
        D("13.3"),
    )


def test_the_outside_partners_deal_counts_only_for_its_own_cockpit(world):
    theirs = deal_funnel(partners=Partner.objects.filter(pk=world.p3.pk), period=MARCH)

    # X was submitted 03-05 10:00 and won 03-06 10:00: one day.
    assert (theirs.submitted, theirs.won, theirs.won_amount, theirs.avg_cycle_days) == (
        1,
        1,
        D("500000.00"),
        D("1.0"),
    )


def test_each_stage_drills_down_to_its_registrations(world, manager):
    partners = partners_visible_to(manager)

    def stage(name: str, **kw: Any) -> set[str]:
        return world.numbers(funnel_deals(partners=partners, period=MARCH, stage=name, **kw))

    assert stage("submitted") == {"A", "B", "C", "D", "K", "E", "R"}
    assert stage("approved") == {"A", "B", "C", "D", "K"}
    assert stage("won") == {"A", "B"}
    assert stage("lost") == {"C"}
    assert stage("approved", product_line_id=world.network.pk) == {"A", "B", "C", "K"}
    first = funnel_deals(partners=partners, period=MARCH).first()
    assert first is not None
    assert first.pk == world.deals["A"].pk  # first submitted first
    with pytest.raises(ValueError, match="unknown funnel stage"):
        funnel_deals(partners=partners, period=MARCH, stage="expired")


def test_a_month_with_nothing_decided_has_no_rates(world, manager):
    april = deal_funnel(partners=partners_visible_to(manager), period=month(2026, 4))
    nobody = deal_funnel(partners=Partner.objects.none(), period=MARCH)

    # G alone: submitted, nothing approved or decided.
    assert (april.submitted, april.submitted_amount, april.approved) == (1, D("5000.00"), 0)
    assert (april.win_rate, april.approval_rate, april.avg_cycle_days) == (None, D("0.0000"), None)
    assert (nobody.submitted, nobody.submitted_amount, nobody.approval_rate) == (0, D("0.00"), None)
