"""Statement pages and downloads over HTTP: who sees which statement, answers, files, queries."""

from __future__ import annotations

import io
import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from orders.ledger import ledger_post
from orders.models import AccountKind, EntryKind, LedgerEntry, Statement, StatementStatus
from orders.statements import (
    month_bounds,
    month_previous,
    statement_generate,
    statements_visible_to,
)
from partners.models import Partner, PartnerStatus
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from tests.conftest import login
from tests.factories import make_credit_code, make_partner, make_user
from tests.pdf import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db

D = Decimal
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
OCTOBER = date(2026, 10, 1)


def _english(client: Any, user: Any) -> Any:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


def _money(partner: Partner, moment: datetime, *postings: tuple[str, str, str]) -> None:
    """Post (account, amount, entry kind) for `partner` and book them all at `moment`."""
    since = timezone.now() - timedelta(seconds=1)
    for kind, amount, entry_kind in postings:
        ledger_post(
            partner=partner,
            kind=kind,
            amount=D(amount),
            entry_kind=entry_kind,
            reference="R-" + amount,
        )
    LedgerEntry.objects.filter(account__partner=partner, created_at__gte=since).update(
        created_at=moment
    )


@pytest.fixture
def shop(in_a: Any) -> dict[str, Any]:
    """苏州园区电子 (manager 王经理) with an October statement closing at 1,234.56."""
    manager = make_user(Role.CHANNEL_MANAGER, full_name="王经理")
    partner = make_partner(
        name="苏州园区电子有限公司",
        credit_code=make_credit_code(8801),
        credit_limit=D("5000.00"),
        channel_manager=manager,
    )
    _money(
        partner,
        datetime(2026, 9, 20, 10, 0, tzinfo=SH),
        (AccountKind.PREPAID, "2000.00", EntryKind.TOP_UP),
    )
    _money(
        partner,
        datetime(2026, 10, 9, 15, 30, tzinfo=SH),
        (AccountKind.PREPAID, "-1500.00", EntryKind.ORDER),
        (AccountKind.CREDIT, "265.44", EntryKind.ORDER),
        (AccountKind.REBATE, "1000.00", EntryKind.REBATE),
    )
    return {
        "manager": manager,
        "partner": partner,
        "admin": make_user(Role.PARTNER_ADMIN, partner=partner),
        "user": make_user(Role.PARTNER_USER, partner=partner),
        "finance": make_user(Role.FINANCE),
        "statement": statement_generate(partner=partner, period=OCTOBER),
    }


@pytest.fixture
def stranger(shop: dict[str, Any]) -> dict[str, Any]:
    """Another dealer of the same vendor (another manager's), with its own October statement."""
    partner = make_partner(
        name="无锡竞争电子有限公司", channel_manager=make_user(Role.CHANNEL_MANAGER)
    )
    _money(
        partner,
        datetime(2026, 10, 3, 9, 0, tzinfo=SH),
        (AccountKind.PREPAID, "77.00", EntryKind.TOP_UP),
    )
    return {
        "partner": partner,
        "admin": make_user(Role.PARTNER_ADMIN, partner=partner),
        "statement": statement_generate(partner=partner, period=OCTOBER),
    }


def test_the_fixture_statement_adds_up(shop):
    statement = shop["statement"]
    # 2000.00 - 1500.00 - 265.44 + 1000.00
    assert (statement.opening_balance, statement.orders_total, statement.rebates_total) == (
        D("2000.00"),
        D("-1765.44"),
        D("1000.00"),
    )
    assert statement.closing_balance == D("1234.56")


# --- partner portal -----------------------------------------------------------------------------


def test_portal_lists_only_the_partners_own_statements(client_a, shop, stranger):
    client = _english(client_a, shop["user"])

    page = client.get("/portal/statements/")
    filtered = client.get("/portal/statements/?status=confirmed")

    assert page.status_code == 200
    assert list(page.context["page"].object_list) == [shop["statement"]]
    assert shop["statement"].number.encode() in page.content
    assert stranger["statement"].number.encode() not in page.content
    assert "¥1,234.56".encode() in page.content
    assert list(filtered.context["page"].object_list) == []


def test_the_admin_sees_confirm_and_dispute_the_user_does_not(client_a, shop):
    url = f"/portal/statements/{shop['statement'].pk}/"

    as_admin = _english(client_a, shop["admin"]).get(url)
    as_user = _english(client_a, shop["user"]).get(url)

    assert as_admin.status_code == as_user.status_code == 200
    assert as_admin.context["can_respond"] is True
    assert b"Confirm the statement" in as_admin.content
    assert b'name="comment"' in as_admin.content
    assert as_user.context["can_respond"] is False
    assert b"Confirm the statement" not in as_user.content
    assert b"partner admin confirms or disputes" in as_user.content
    # Summary and lines.
    assert [(line.amount, line.balance) for line in as_user.context["lines"]] == [
        (D("-1500.00"), D("500.00")),
        (D("-265.44"), D("234.56")),
        (D("1000.00"), D("1234.56")),
    ]
    assert "¥2,000.00".encode() in as_user.content
    assert "-¥1,765.44".encode() in as_user.content


def test_the_admin_confirms_and_the_user_may_not(client_a, shop):
    statement = shop["statement"]
    url = f"/portal/statements/{statement.pk}/confirm/"

    refused = _english(client_a, shop["user"]).post(url)
    statement.refresh_from_db()
    assert refused.status_code == 403
    assert statement.status == StatementStatus.ISSUED

    done = _english(client_a, shop["admin"]).post(url)
    again = client_a.post(url, follow=True)

    statement.refresh_from_db()
    assert done.status_code == 302
    assert done["Location"] == f"/portal/statements/{statement.pk}/"
    assert (statement.status, statement.responded_by) == (StatementStatus.CONFIRMED, shop["admin"])
    assert b"already been answered" in again.content
    assert client_a.get(url).status_code == 405


def test_a_dispute_without_comment_is_shown_at_the_field(client_a, shop):
    statement = shop["statement"]
    client = _english(client_a, shop["admin"])

    response = client.post(f"/portal/statements/{statement.pk}/dispute/", {"comment": "  "})

    statement.refresh_from_db()
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"comment"}
    assert statement.status == StatementStatus.ISSUED
    user_try = _english(client_a, shop["user"]).post(
        f"/portal/statements/{statement.pk}/dispute/", {"comment": "不对"}
    )
    assert user_try.status_code == 403


def test_a_disputed_statement_shows_the_comment_to_finance(client_a, shop):
    statement = shop["statement"]
    client = _english(client_a, shop["admin"])

    response = client.post(
        f"/portal/statements/{statement.pk}/dispute/", {"comment": "返利应为 1,200.00"}
    )
    vendor_page = _english(client_a, shop["finance"]).get(f"/statements/{statement.pk}/")
    disputed_list = client_a.get("/statements/?status=disputed")

    statement.refresh_from_db()
    assert response.status_code == 302
    assert (statement.status, statement.partner_comment) == (
        StatementStatus.DISPUTED,
        "返利应为 1,200.00",
    )
    assert vendor_page.status_code == 200
    assert "返利应为 1,200.00".encode() in vendor_page.content
    assert b'id="partner-comment"' in vendor_page.content
    assert list(disputed_list.context["page"].object_list) == [statement]


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("prefix", ["/portal/statements/", "/statements/"])
def test_the_pdf_names_the_partner_number_and_closing_balance_in_a_cjk_font(client_a, shop, prefix):
    statement = shop["statement"]
    user = shop["admin"] if prefix.startswith("/portal") else shop["finance"]

    response = _english(client_a, user).get(f"{prefix}{statement.pk}/pdf/")

    data = _body(response)
    text = pdf_text(data)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert data.startswith(b"%PDF")
    assert "苏州园区电子有限公司" in text
    assert statement.number in text
    assert "¥1,234.56" in text
    assert "2026-10" in text
    assert shop["partner"].credit_code in text
    assert {f.split("-Bold")[0] for f in pdf_fonts(data)} == {"WenQuanYi-Micro-Hei"}


def test_the_xlsx_round_trips_the_closing_balance(client_a, shop):
    statement = shop["statement"]

    response = _english(client_a, shop["admin"]).get(f"/portal/statements/{statement.pk}/xlsx/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"{statement.number}-2026-10.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(_body(response))).active
    # Labels are in the vendor's language, so cells are found by place: the title and six facts,
    # a blank row, the seven summary rows, a blank row, the header, then the lines.
    values = [sheet.cell(row=r, column=2) for r in range(9, 16)]
    assert [D(str(c.value)).quantize(D("0.01")) for c in values] == [
        D("2000.00"),
        D("-1765.44"),
        D("0.00"),
        D("0.00"),
        D("1000.00"),
        D("0.00"),
        D("1234.56"),
    ]
    assert {c.number_format for c in values} == {"#,##0.00"}
    assert sheet.cell(row=1, column=2).value == statement.number
    assert sheet.cell(row=3, column=2).value == "苏州园区电子有限公司"
    lines = [
        (D(str(r[2].value)).quantize(D("0.01")), D(str(r[3].value)).quantize(D("0.01")))
        for r in sheet.iter_rows(min_row=18)
    ]
    assert lines == [
        (D("-1500.00"), D("500.00")),
        (D("-265.44"), D("234.56")),
        (D("1000.00"), D("1234.56")),
    ]
    assert sheet.cell(row=18, column=1).value == datetime(2026, 10, 9, 15, 30)


# --- vendor portal ------------------------------------------------------------------------------


def test_finance_sees_every_partner_and_filters(client_a, shop, stranger):
    client = _english(client_a, shop["finance"])

    everything = client.get("/statements/")
    by_partner = client.get(f"/statements/?partner={stranger['partner'].pk}")
    by_month = client.get("/statements/?period=2026-09")
    bad_month = client.get("/statements/?period=2026-13")

    assert everything.status_code == 200
    assert set(everything.context["page"].object_list) == {
        shop["statement"],
        stranger["statement"],
    }
    assert everything.context["can_generate"] is True
    assert b"Generate last month" in everything.content
    assert list(by_partner.context["page"].object_list) == [stranger["statement"]]
    assert list(by_month.context["page"].object_list) == []
    assert bad_month.status_code == 200
    assert "period" in bad_month.context["filter"].form.errors


def test_a_channel_manager_sees_only_the_partners_they_own(client_a, shop, stranger):
    client = _english(client_a, shop["manager"])

    listed = client.get("/statements/")
    own = client.get(f"/statements/{shop['statement'].pk}/")
    other = [
        client.get(f"/statements/{stranger['statement'].pk}/{suffix}").status_code
        for suffix in ("", "pdf/", "xlsx/")
    ]
    generate = client.post("/statements/generate/")

    assert list(listed.context["page"].object_list) == [shop["statement"]]
    assert listed.context["can_generate"] is False
    assert b"Generate last month" not in listed.content
    assert own.status_code == 200
    assert other == [404, 404, 404]
    assert generate.status_code == 403


@pytest.mark.parametrize("role", [Role.MARKETING, Role.SALES, Role.ORDER_DESK])
def test_vendor_roles_without_money_access_are_refused(client_a, shop, role):
    user = make_user(role)
    client = _english(client_a, user)
    pk = shop["statement"].pk

    codes = [
        client.get(url).status_code
        for url in [
            "/statements/",
            f"/statements/{pk}/",
            f"/statements/{pk}/pdf/",
            f"/statements/{pk}/xlsx/",
        ]
    ]

    assert codes == [403] * 4
    assert client.post("/statements/generate/").status_code == 403
    assert not statements_visible_to(user).exists()


def test_the_selector_scopes_like_the_ledger(shop, stranger):
    def visible(user: Any) -> set[Statement]:
        return set(statements_visible_to(user))

    both = {shop["statement"], stranger["statement"]}
    assert visible(shop["finance"]) == visible(make_user(Role.ADMIN)) == both
    assert visible(shop["manager"]) == {shop["statement"]}
    assert visible(shop["user"]) == visible(shop["admin"]) == {shop["statement"]}
    assert visible(stranger["admin"]) == {stranger["statement"]}
    assert visible(None) == set()


def test_another_partner_another_vendor_and_anonymous_get_nothing(
    client_a, client_b, shop, stranger
):
    pk = shop["statement"].pk
    portal = [f"/portal/statements/{pk}/{s}" for s in ("", "pdf/", "xlsx/")]
    vendor = [f"/statements/{pk}/{s}" for s in ("", "pdf/", "xlsx/")]

    other_partner = _english(client_a, stranger["admin"])
    partner_codes = [other_partner.get(url).status_code for url in portal]
    confirm = other_partner.post(f"/portal/statements/{pk}/confirm/")
    dispute = other_partner.post(f"/portal/statements/{pk}/dispute/", {"comment": "x"})
    with schema_context("bravo"):
        client_b.force_login(make_user(Role.ADMIN))
    vendor_b = [client_b.get(url).status_code for url in vendor]
    client_a.logout()
    anonymous = [client_a.get(url) for url in [*portal, *vendor, "/statements/"]]

    assert partner_codes == [404, 404, 404]
    assert (confirm.status_code, dispute.status_code) == (404, 404)
    assert vendor_b == [404, 404, 404]
    assert [r.status_code for r in anonymous] == [302] * 7
    assert all(r["Location"].startswith("/accounts/login/") for r in anonymous)
    statement = Statement.objects.get(pk=pk)
    assert statement.status == StatementStatus.ISSUED


def test_partner_users_cannot_open_vendor_pages_nor_staff_the_portal(client_a, shop):
    pk = shop["statement"].pk
    assert _english(client_a, shop["admin"]).get(f"/statements/{pk}/").status_code == 403
    assert _english(client_a, shop["finance"]).get(f"/portal/statements/{pk}/").status_code == 403


def test_finance_generates_last_month_once(client_a, shop):
    last_month = month_previous(tenant_today())
    partner = make_partner(name="常州新客户电子有限公司")
    _money(
        partner,
        month_bounds(last_month)[0] + timedelta(days=2),
        (AccountKind.PREPAID, "300.00", EntryKind.TOP_UP),
    )
    client = _english(client_a, shop["finance"])

    first = client.post("/statements/generate/")
    second = client.post("/statements/generate/", follow=True)

    assert first.status_code == 302
    assert first["Location"] == f"/statements/?period={last_month:%Y-%m}"
    statement = Statement.objects.get(partner=partner, period=last_month)
    assert statement.closing_balance == D("300.00")
    assert Statement.objects.filter(partner=partner).count() == 1
    assert [str(m) for m in second.context["messages"]][-1] == (
        f"0 statements generated for {last_month:%Y-%m}."
    )
    assert client.get("/statements/generate/").status_code == 405


def _more(n: int) -> None:
    for i in range(n):
        partner = make_partner(status=PartnerStatus.APPLIED, name=f"批量伙伴{i}有限公司")
        _money(
            partner,
            datetime(2026, 10, 5, 9, 0, tzinfo=SH),
            (AccountKind.PREPAID, f"{i + 1}.00", EntryKind.TOP_UP),
        )
        statement_generate(partner=partner, period=OCTOBER)


def test_lists_run_a_bounded_number_of_queries(client_a, shop):
    def count(user: Any, url: str) -> int:
        client = _english(client_a, user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    _more(1)  # two statements
    few = count(shop["finance"], "/statements/")
    portal_few = count(shop["user"], "/portal/statements/")
    _more(18)  # twenty statements
    many = count(shop["finance"], "/statements/")
    portal_many = count(shop["user"], "/portal/statements/")

    page = _english(client_a, shop["finance"]).get("/statements/")
    assert len(page.context["page"].object_list) == 20
    assert many == few
    assert many <= 12
    assert portal_many == portal_few


def test_detail_runs_a_bounded_number_of_queries(client_a, shop):
    def count() -> int:
        client = _english(client_a, shop["finance"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/statements/{shop['statement'].pk}/").status_code == 200
        return len(queries)

    assert count() <= 12
