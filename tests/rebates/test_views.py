"""Rebate pages: a partner sees its own progress, explanations and statements only; the vendor
sees accruals; another partner, another vendor and anonymous users reach nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from orders.ledger import payment_record
from orders.models import Payment
from partners.onboarding.services import onboarding_complete_all
from prm.accounts.roles import Role
from rebates.models import RebateAccrual, RebateProgram, RebateTier
from tests.conftest import login
from tests.factories import make_partner, make_user
from tests.pdf import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db

D = Decimal
START, END = date(2026, 10, 1), date(2026, 12, 31)


def _program() -> RebateProgram:
    program = RebateProgram.objects.create(
        code="q-collect",
        name="季度回款返利",
        period_type="quarter",
        starts_on=date(2026, 1, 1),
        ends_on=date(2099, 12, 31),  # "this period" stays inside the program whenever this runs
        basis="collected",
        tier_mode="retroactive",
        status="active",
    )
    RebateTier.objects.create(
        program=program, threshold_from=D("500000"), threshold_to=D("1000000"), rate=D("3")
    )
    RebateTier.objects.create(program=program, threshold_from=D("1000000"), rate=D("5"))
    return program


def _accrual(program: RebateProgram, partner, basis: str, amount: str) -> RebateAccrual:
    accrual = RebateAccrual.objects.create(
        program=program,
        partner=partner,
        period_start=START,
        period_end=END,
        basis=D(basis),
        tier=program.bands.filter(threshold_from__lte=D(basis)).order_by("-threshold_from").first(),
        uncapped_amount=D(amount),
        amount=D(amount),
    )
    payment_record(
        partner=partner, amount=D(basis), received_on=date(2026, 11, 2), method="bank_transfer"
    )
    return accrual


@pytest.fixture
def world(in_a):
    program = _program()
    mine = make_partner(name="华东智能科技有限公司")
    theirs = make_partner(name="西湖安防设备有限公司")
    onboarding_complete_all(partner=mine)
    return {
        "mine": _accrual(program, mine, "600000.00", "18000.00"),
        "theirs": _accrual(program, theirs, "1200000.00", "60000.00"),
        "user": make_user(Role.PARTNER_ADMIN, partner=mine),
        "stranger": make_user(Role.PARTNER_ADMIN, partner=theirs),
        "finance": make_user(Role.FINANCE),
    }


def _en(client: Client, user) -> Client:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


def test_a_partner_sees_its_progress_and_what_the_next_tier_would_pay(client_a, world):
    # A period where nothing happened is kept (at zero) but not listed.
    RebateAccrual.objects.create(
        program=world["mine"].program,
        partner=world["mine"].partner,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
    )
    page = _en(client_a, world["user"]).get("/portal/rebates/")
    html = page.content.decode()

    (progress,) = page.context["progress"]
    # The progress reads the stored accrual of the current period only when today is in it.
    assert progress.program.code == "q-collect"
    assert [a.pk for a in page.context["page"]] == [world["mine"].pk]
    assert "西湖安防设备有限公司" not in html
    assert "¥1,200,000.00" not in html


def test_the_explanation_and_the_statement_pdf_are_the_partners_own(client_a, world):
    client = _en(client_a, world["user"])
    world_pair = ("mine", "theirs")

    detail = client.get(f"/portal/rebates/{world['mine'].pk}/")
    statement = client.get("/portal/rebates/statement/2026-10-01/")
    foreign = client.get(f"/portal/rebates/{world['theirs'].pk}/")
    no_period = client.get("/portal/rebates/statement/2026-07-01/")
    bad_date = client.get("/portal/rebates/statement/not-a-date/")

    mine, theirs = (Payment.objects.get(partner=world[who].partner).number for who in world_pair)
    assert mine in detail.content.decode()
    assert theirs not in detail.content.decode()
    assert statement.status_code == 200
    text = pdf_text(statement.content).replace("\n", "")  # names wrap in table cells
    assert "华东智能科技有限公司" in text
    assert "季度回款返利" in text
    assert "18,000.00" in text
    assert "60,000.00" not in text
    assert "WenQuanYi-Micro-Hei" in pdf_fonts(statement.content)
    assert (foreign.status_code, no_period.status_code, bad_date.status_code) == (404, 404, 404)


def test_the_vendor_lists_accruals_and_partners_and_strangers_cannot(client_a, client_b, world):
    vendor = _en(client_a, world["finance"])
    listed = [a.pk for a in vendor.get("/rebates/").context["page"]]
    detail = vendor.get(f"/rebates/{world['mine'].pk}/")
    partner = _en(Client(HTTP_HOST="alpha.localhost"), world["user"])
    anonymous = Client(HTTP_HOST="alpha.localhost")

    assert sorted(listed) == sorted([world["mine"].pk, world["theirs"].pk])
    assert detail.status_code == 200
    # The current quarter is still running: no settle form yet, the day it opens instead.
    assert 'name="payout_reference"' not in detail.content.decode()
    assert "it can be settled from the day after" in detail.content.decode()
    assert partner.get("/rebates/").status_code == 403
    assert anonymous.get("/portal/rebates/").status_code == 302
    assert anonymous.get(f"/rebates/{world['mine'].pk}/").status_code == 302
    # Another vendor's host: its own users see none of alpha's ids.
    bravo_finance = make_user(Role.FINANCE)  # created in alpha's schema: unknown to bravo
    login(client_b, bravo_finance)
    assert client_b.get(f"/rebates/{world['mine'].pk}/").status_code in (302, 404)


def test_finance_settles_an_ended_period_as_credit_or_payout_and_no_one_else_can(client_a, world):
    ended = RebateAccrual.objects.create(
        program=world["mine"].program,
        partner=world["mine"].partner,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        basis=D("600000.00"),
        uncapped_amount=D("18000.00"),
        capped_amount=D("18000.00"),
        amount=D("18000.00"),
    )
    url = f"/rebates/{ended.pk}/settle/"
    anonymous = Client(HTTP_HOST="alpha.localhost").post(url, {"method": "payout"})
    partner = _en(Client(HTTP_HOST="alpha.localhost"), world["user"]).post(url)
    finance = _en(client_a, world["finance"])
    missing = finance.post(url, {"method": "payout", "payout_reference": ""}, follow=True)
    paid = finance.post(url, {"method": "payout", "payout_reference": "ICBC-0093"}, follow=True)

    assert (anonymous.status_code, partner.status_code) == (302, 403)
    assert [str(m) for m in missing.context["messages"]] == [
        "Enter the bank transfer's reference for a payout."
    ]
    assert list(ended.settlements.values_list("method", "payout_reference", "amount")) == [
        ("payout", "ICBC-0093", D("18000.00"))
    ]
    assert "ICBC-0093" in paid.content.decode()
    assert 'name="payout_reference"' in paid.content.decode()
