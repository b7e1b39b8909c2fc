"""What-if: a draft program priced against last period's real orders, nothing written; the page
is for those who decide and pay programs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from prm.accounts.roles import Role
from rebates.models import ProgramStatus, RebateAccrual, RebateProgram, RebateRun
from rebates.simulation import last_full_period, simulate
from tests.conftest import login
from tests.factories import make_partner, make_product, make_user

from .test_bonuses import win
from .test_engine import local, make_program, place

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.mark.parametrize(
    ("period_type", "today", "expected"),
    [
        ("quarter", date(2024, 4, 15), (date(2024, 1, 1), date(2024, 3, 31))),
        ("month", date(2024, 3, 1), (date(2024, 2, 1), date(2024, 2, 29))),
        ("year", date(2025, 1, 1), (date(2024, 1, 1), date(2024, 12, 31))),
    ],
)
def test_the_last_full_period(in_a, period_type, today, expected):
    program = make_program(period_type=period_type, status=ProgramStatus.DRAFT)
    assert last_full_period(program, today) == expected


def test_a_draft_is_priced_per_partner_with_caps_and_nothing_is_saved(in_a):
    program = make_program(status=ProgramStatus.DRAFT, partner_cap=D("550.00"))
    big, small, idle = make_partner(name="大伙伴"), make_partner(name="小伙伴"), make_partner()
    product = make_product()
    place(big, (product, 1, "12000.00"), at=local(2024, 2, 10, 12))
    place(small, (product, 1, "6000.00"), at=local(2024, 3, 31, 23, 30))
    place(small, (product, 1, "9000.00"), at=local(2024, 4, 1, 0, 30))  # the next quarter
    runs_before = RebateRun.objects.count()

    result = simulate(program, today=date(2024, 4, 15))

    rows = [(r.partner.pk, r.basis, r.uncapped, r.amount) for r in result.rows]
    assert rows == [
        (big.pk, D("12000.00"), D("600.00"), D("550.00")),  # 5 %, capped
        (small.pk, D("6000.00"), D("180.00"), D("180.00")),  # 3 %
    ]
    assert (result.total, result.total_uncapped) == (D("730.00"), D("780.00"))
    assert idle.pk not in [r.partner.pk for r in result.rows]
    assert not RebateAccrual.objects.filter(program=program).exists()
    assert RebateRun.objects.count() == runs_before


def test_only_admins_and_finance_simulate(client_a, in_a):
    program = make_program(status=ProgramStatus.DRAFT)
    url = f"/rebates/programs/{program.pk}/simulate/"
    statuses = {}
    for role in (Role.ADMIN, Role.FINANCE, Role.CHANNEL_MANAGER, Role.SALES):
        login(client_a, make_user(role))
        statuses[role] = client_a.get(url).status_code
    login(client_a, make_user(Role.PARTNER_ADMIN, partner=make_partner()))
    partner_page = client_a.get(url).status_code
    partner_list = client_a.get("/rebates/programs/").status_code
    login(client_a, make_user(Role.ADMIN))
    listing = client_a.get("/rebates/programs/")

    assert statuses == {
        Role.ADMIN: 200,
        Role.FINANCE: 200,
        Role.CHANNEL_MANAGER: 403,
        Role.SALES: 403,
    }
    assert (partner_page, partner_list) == (403, 403)
    assert program.code in listing.content.decode()


def test_new_customer_bonuses_are_priced_too(vendor):
    program = make_program(status=ProgramStatus.DRAFT, new_customer_bonus=D("500.00"))
    seller, closer = make_partner(name="卖货的"), make_partner(name="签单的")
    place(seller, (make_product(), 1, "6000.00"), at=local(2024, 2, 10, 12))
    win(closer, "深圳市腾飞科技有限公司", date(2024, 3, 30))

    result = simulate(program, today=date(2024, 4, 15))

    rows = [(r.partner.pk, r.basis, r.bonus, r.amount) for r in result.rows]
    assert rows == [
        (closer.pk, D("0.00"), D("500.00"), D("500.00")),
        (seller.pk, D("6000.00"), D("0.00"), D("180.00")),
    ]
    assert result.total == D("680.00")


def test_a_simulated_draft_is_activated_from_its_page_by_who_manages_programs(client_a, in_a):
    program = make_program(status=ProgramStatus.DRAFT)
    url = f"/rebates/programs/{program.pk}/activate/"
    anonymous = Client(HTTP_HOST="alpha.localhost").post(url)
    login(client_a, make_user(Role.PARTNER_ADMIN, partner=make_partner()))
    partner = client_a.post(url)
    login(client_a, make_user(Role.SALES))
    sales = client_a.post(url)
    unchanged = RebateProgram.objects.get(pk=program.pk).status
    admin = make_user(Role.ADMIN)
    login(client_a, admin)
    page = client_a.get(f"/rebates/programs/{program.pk}/simulate/").content.decode()
    activated = client_a.post(url)
    again = client_a.post(url, follow=True)

    assert (anonymous.status_code, partner.status_code, sales.status_code) == (302, 403, 403)
    assert unchanged == ProgramStatus.DRAFT
    assert url in page
    assert activated.status_code == 302
    program.refresh_from_db()
    assert program.status == ProgramStatus.ACTIVE
    assert program.status_changes.get().actor == admin
    assert [m.level_tag for m in again.context["messages"]] == ["success", "error"]
    assert client_a.post("/rebates/programs/999999/activate/").status_code == 404
