"""The scoreboard pages and their exports: a partner user sees its own figures (portal), vendor
staff the partners they see (vendor portal); everyone else gets nothing, on either page or in
any export (fixture: see conftest)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from partners.academy.models import Certificate
from partners.models import Partner
from prm.accounts.models import User
from prm.accounts.roles import Role
from reports.models import PartnerMonth, SalesTarget
from tests.conftest import login
from tests.factories import make_partner, make_user
from tests.partners.academy.builders import certify

from .conftest import TODAY

pytestmark = pytest.mark.django_db

D = Decimal
PORTAL = "/portal/scoreboard/"


def vendor_url(partner: Partner) -> str:
    return f"/reports/scoreboard/{partner.pk}/"


def _en(client: Client, user: User) -> Client:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


def alpha() -> Client:
    return Client(HTTP_HOST="alpha.localhost")


def csv_rows(response: Any) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(response: Any) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(response.content))
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


PURCHASES_CSV = [
    ["Month", "2026", "2025", "Year on year"],
    ["2026-01", "4000.00", "2000.00", "1.0000"],
    ["2026-02", "2000.00", "3000.00", "-0.3333"],
    ["2026-03", "0.00", "0.00", ""],
    ["2026-04", "5000.00", "0.00", ""],
    ["2026-05", "1000.00", "2000.00", "-0.5000"],
    ["2026-06", "0.00", "0.00", ""],
    ["2026-07", "0.00", "0.00", ""],
    ["2026-08", "0.00", "0.00", ""],
    ["2026-09", "0.00", "0.00", ""],
    ["2026-10", "0.00", "0.00", ""],
    ["2026-11", "0.00", "4000.00", "-1.0000"],
    ["2026-12", "0.00", "0.00", ""],
    ["Total", "12000.00", "11000.00", "0.0909"],
]


def test_the_partner_user_sees_its_own_scoreboard(client_a, world):
    page = _en(client_a, world.dealer).get(PORTAL)
    html = page.content.decode()

    assert page.status_code == 200
    board = page.context["board"]
    assert board.partner == world.mine
    assert (board.year, board.purchases.ytd, board.purchases.growth) == (
        2026,
        D("12000.00"),
        D("0.7143"),
    )
    for shown in [
        'data-testid="ytd">¥12,000.00<',
        "Same months last year: ¥7,000.00",
        'data-testid="growth">+71.4%<',
        'data-testid="year-achievement">53.3%<',
        "¥12,000.00 of ¥22,500.00",
        "¥10,500.00 still to go",
        "This quarter (Q2)",
        'data-testid="quarter-achievement">66.7%<',
        'data-testid="mdf">¥7,500.00<',
        "Quarterly purchase rebate",
        "¥400,000.00 more reaches the next band",
        'data-testid="certified">2 of 3<',
        "1 person still to certify",
        '王经理 · Security basics · <span class="text-nowrap">2026-05-30<',
        'data-testid="score">80.00<',
        "Platinum",
        'class="table-primary" aria-current="true"><td>2026 Q2',
        "?year=2026&amp;export=xlsx&amp;table=targets",
        'data-chart="chart-data-purchases"',
    ]:
        assert shown in html, shown
    assert "西湖安防设备有限公司" not in html


def test_any_user_of_the_partner_sees_it(client_a, world):
    page = login(client_a, world.clerk).get(PORTAL)

    assert page.status_code == 200
    assert page.context["board"].partner == world.mine
    assert "¥12,000.00" in page.content.decode()


def test_the_year_selector(client_a, world):
    client = _en(client_a, world.dealer)

    last = client.get(PORTAL, {"year": "2025"})
    unknown = client.get(PORTAL, {"year": "1999"})

    assert last.context["board"].purchases.ytd == D("11000.00")
    assert last.context["board"].purchases.current_quarter is None
    assert "This quarter" not in last.content.decode()
    assert unknown.context["board"].year == 2026
    assert "That year is not available; showing 2026." in unknown.content.decode()


def test_exports_hold_exactly_the_partners_rows(client_a, world):
    client = _en(client_a, world.dealer)

    purchases = client.get(PORTAL, {"export": "csv", "table": "purchases"})
    targets = client.get(PORTAL, {"export": "xlsx", "table": "targets", "year": "2026"})

    assert purchases["Content-Type"] == "text/csv; charset=utf-8"
    assert purchases["Content-Disposition"] == (
        f'attachment; filename="scoreboard-{world.mine.pk}-2026-purchases-20260520.csv"'
    )
    assert csv_rows(purchases) == PURCHASES_CSV
    assert xlsx_rows(targets)[1:] == [
        ("2026 Q1", 5500, 6000, 1.0909, 0),
        ("2026 Q2", 9000, 6000, 0.6667, 3000),
        ("2026 Q3", 8000, 0, 0, 8000),
        ("2026 Q4", None, 0, None, None),
        ("Year 2026", 22500, 12000, 0.5333, 10500),
    ]


def test_english_export_headers(client_a, world):
    client = _en(client_a, world.dealer)

    rows = csv_rows(client.get(PORTAL, {"export": "csv", "table": "targets"}))

    assert rows[0] == ["Quarter", "Target", "Purchased", "Achievement", "Still to reach the target"]
    assert rows[-1] == ["Year 2026", "22500.00", "12000.00", "0.5333", "10500.00"]


def test_bad_export_requests(client_a, world):
    client = login(client_a, world.dealer)

    assert client.get(PORTAL, {"export": "pdf", "table": "targets"}).status_code == 400
    assert client.get(PORTAL, {"export": "csv", "table": "orders"}).status_code == 404


def test_vendor_staff_who_see_the_partner_get_the_same_page_and_exports(client_a, world):
    url = vendor_url(world.mine)

    pages = {
        role: login(alpha(), user).get(url)
        for role, user in [
            ("admin", User.objects.get(email="admin@alpha.test")),
            ("manager", world.manager),
            ("finance", make_user(Role.FINANCE)),
        ]
    }
    export = _en(alpha(), world.manager).get(url, {"export": "csv", "table": "purchases"})

    assert {role: p.status_code for role, p in pages.items()} == dict.fromkeys(pages, 200)
    assert all(p.context["board"].partner == world.mine for p in pages.values())
    assert all(p.context["board"].purchases.ytd == D("12000.00") for p in pages.values())
    assert f'href="/partners/{world.mine.pk}/"' in pages["manager"].content.decode()
    assert csv_rows(export) == PURCHASES_CSV


def test_no_one_else_reaches_a_partners_scoreboard(client_a, world):
    urls = [
        vendor_url(world.mine),
        vendor_url(world.mine) + "?export=csv&table=purchases",
        vendor_url(world.mine) + "?export=xlsx&table=targets",
    ]

    other_manager = [login(alpha(), world.other_manager).get(u).status_code for u in urls]
    own_dealer = [login(alpha(), world.dealer).get(u).status_code for u in urls]
    stranger = [login(alpha(), world.stranger).get(u).status_code for u in urls]
    missing = login(alpha(), world.manager).get("/reports/scoreboard/0/").status_code
    # Vendor staff have no scoreboard of their own in the portal.
    staff_on_portal = login(alpha(), world.manager).get(PORTAL).status_code

    assert other_manager == [404] * 3
    assert own_dealer == [404] * 3  # a partner user has no vendor page, even of its own partner
    assert stranger == [404] * 3
    assert missing == 404
    assert staff_on_portal == 403


def test_the_portal_page_takes_no_partner_from_the_request(client_a, world):
    page = login(client_a, world.stranger).get(
        PORTAL, {"partner": world.mine.pk, "partner_id": world.mine.pk}
    )
    export = login(alpha(), world.stranger).get(
        PORTAL, {"export": "csv", "table": "purchases", "partner": world.mine.pk}
    )

    assert page.context["board"].partner == world.theirs
    assert page.context["board"].purchases.ytd == D("7000.00")
    assert csv_rows(export)[1][1] == "7000.00"
    assert "华东智能科技有限公司" not in page.content.decode()


def test_anonymous_users_are_sent_to_sign_in(world):
    for url in [
        PORTAL,
        PORTAL + "?export=csv&table=purchases",
        vendor_url(world.mine),
        vendor_url(world.mine) + "?export=xlsx&table=targets",
    ]:
        response = alpha().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_another_vendor_reaches_nothing_of_vendor_a(world):
    # A session of vendor A means nothing on B's host.
    carried = login(Client(HTTP_HOST="bravo.localhost"), world.dealer)
    carried_pages = [carried.get(PORTAL), carried.get(PORTAL + "?export=csv&table=purchases")]
    pk = world.mine.pk
    with schema_context("bravo"):
        assert not Partner.objects.filter(pk=pk).exists()
        bravo_partner = make_partner(name="B公司")
        bravo_admin = User.objects.get(email="admin@bravo.test")
        bravo_dealer = make_user(Role.PARTNER_ADMIN, partner=bravo_partner)
        admin = login(Client(HTTP_HOST="bravo.localhost"), bravo_admin)
        dealer = login(Client(HTTP_HOST="bravo.localhost"), bravo_dealer)
    by_id = [
        admin.get(f"/reports/scoreboard/{pk}/").status_code,
        admin.get(f"/reports/scoreboard/{pk}/?export=csv&table=purchases").status_code,
    ]
    own = dealer.get(PORTAL)
    own_export = dealer.get(PORTAL, {"export": "csv", "table": "purchases"})

    assert [r.status_code for r in carried_pages] == [302, 302]
    assert by_id == [404, 404]
    assert own.status_code == 200
    assert own.context["board"].partner.name == "B公司"
    assert own.context["board"].purchases.ytd == D("0.00")
    assert [row[1] for row in csv_rows(own_export)[1:]] == ["0.00"] * 13


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _more_of_everything(world: Any) -> None:
    """More people certified (expiring soon), more months bought, one more target."""
    for _ in range(3):
        person = make_user(Role.PARTNER_USER, partner=world.mine)
        certify(person, world.academy.course)
    Certificate.objects.filter(partner=world.mine).update(expires_on=TODAY + timedelta(days=5))
    for month in (3, 6, 7):
        PartnerMonth.objects.create(
            partner=world.mine, month=date(2026, month, 1), ordered_amount=D("100.00")
        )
    SalesTarget.objects.create(partner=world.mine, year=2026, quarter=4, amount=D("1.00"))


def test_the_page_costs_a_bounded_number_of_queries(client_a, world):
    dealer, manager = login(client_a, world.dealer), login(alpha(), world.manager)
    export_url = PORTAL + "?export=xlsx&table=targets"
    before = [
        _queries(dealer, PORTAL),
        _queries(manager, vendor_url(world.mine)),
        _queries(dealer, export_url),
    ]
    _more_of_everything(world)
    after = [
        _queries(dealer, PORTAL),
        _queries(manager, vendor_url(world.mine)),
        _queries(dealer, export_url),
    ]

    assert after == before
    # 7 for the request (tenant, session, user, partner, notification bell), 2 for purchases
    # and targets, 1 market funds, 10 certification (the academy's paths and progress table),
    # 3 the scorecard, and what rebates.selectors.partner_progress costs (7 with one program).
    assert before[0] <= 30
    assert before[1] <= 30
    assert before[2] <= 8
