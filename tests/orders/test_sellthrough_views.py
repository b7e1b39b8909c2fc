"""Sales and stock pages of the partner portal, channel pages of the vendor portal, over HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from orders.models import ChannelStockLine, ChannelStockReport, SellOut
from orders.sellthrough import channel_stock_submit, sellout_record
from partners.models import ProductLine
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from tests.conftest import login
from tests.factories import make_partner, make_product, make_user

from .mall import build_mall, dealer

pytestmark = pytest.mark.django_db


def _english(client: Any, user: Any) -> Any:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


def _sale(partner: Any, user: Any, product: Any, *, days_ago: int = 3, **kw: Any) -> SellOut:
    values: dict[str, Any] = {
        "quantity": 1,
        "end_customer": "终端客户",
        "province": "上海",
        "city": "",
    }
    values.update(kw)
    return sellout_record(
        partner=partner,
        product=product,
        sold_on=tenant_today() - dt.timedelta(days=days_ago),
        user=user,
        **values,
    )


@pytest.fixture
def shop(in_a: Any) -> dict[str, Any]:
    """Dealer 苏州园区 (manager 王经理, territory 上海) and a stranger of another manager."""
    mall = build_mall()
    manager = make_user(Role.CHANNEL_MANAGER, full_name="王经理")
    mall.partner.channel_manager = manager
    mall.partner.name = "苏州园区电子有限公司"
    mall.partner.save()
    stranger_partner = dealer(mall.line, name="无锡竞争电子有限公司", region="江苏")
    stranger = make_user(Role.PARTNER_ADMIN, partner=stranger_partner)
    own_home = _sale(mall.partner, mall.buyer, mall.lock, end_customer="上海本地客户")
    own_away = _sale(
        mall.partner,
        mall.buyer,
        mall.lock,
        days_ago=20,
        quantity=2,
        end_customer="杭州窜货客户",
        province="浙江省",
        city="杭州市",
    )
    theirs = _sale(
        stranger_partner,
        stranger,
        mall.lock,
        days_ago=5,
        end_customer="别家的秘密客户",
        province="安徽",
    )
    return {
        "mall": mall,
        "partner": mall.partner,
        "dealer": mall.buyer,
        "admin": make_user(Role.PARTNER_ADMIN, partner=mall.partner),
        "manager": manager,
        "finance": make_user(Role.FINANCE),
        "stranger_partner": stranger_partner,
        "stranger": stranger,
        "own_home": own_home,
        "own_away": own_away,
        "theirs": theirs,
    }


# --- partner portal: sales ----------------------------------------------------------------------


def test_the_sales_page_lists_only_the_partners_own_records(client_a, shop):
    page = _english(client_a, shop["dealer"]).get("/portal/sales/")

    assert page.status_code == 200
    assert list(page.context["page"].object_list) == [shop["own_home"], shop["own_away"]]
    assert "上海本地客户".encode() in page.content
    assert b"outside territory" in page.content
    assert "别家的秘密客户".encode() not in page.content
    assert b"Report a sale" in page.content


@pytest.mark.parametrize("who", ["dealer", "admin"])
def test_partner_users_report_a_sale_and_see_the_territory_warning(client_a, shop, who):
    client = _english(client_a, shop[who])

    response = client.post(
        "/portal/sales/",
        {
            "product": shop["mall"].camera.pk,
            "sold_on": tenant_today().isoformat(),
            "quantity": "6",
            "end_customer": "南京客户",
            "province": "江苏省",
            "city": "南京市",
        },
        follow=True,
    )

    sale = SellOut.objects.get(end_customer="南京客户")
    assert response.redirect_chain == [("/portal/sales/", 302)]
    assert (sale.partner, sale.quantity, sale.outside_territory, sale.reported_by) == (
        shop["partner"],
        6,
        True,
        shop[who],
    )
    assert "江苏省 南京市 is outside your territory".encode() in response.content


def test_a_bad_sale_shows_at_its_fields_and_nothing_is_saved(client_a, shop):
    other_line = ProductLine.objects.create(code="t-net", name="网络设备")
    router = make_product("50.00", product_line=other_line, sku="T-RT-1")
    before = SellOut.objects.count()

    response = _english(client_a, shop["dealer"]).post(
        "/portal/sales/",
        {
            "product": router.pk,  # not offered: its line is not authorized
            "sold_on": (tenant_today() + dt.timedelta(days=1)).isoformat(),
            "quantity": "0",
            "end_customer": "",
            "province": "上海",
        },
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"product", "quantity", "end_customer"}
    assert SellOut.objects.count() == before
    future = _english(client_a, shop["dealer"]).post(
        "/portal/sales/",
        {
            "product": shop["mall"].lock.pk,
            "sold_on": (tenant_today() + dt.timedelta(days=1)).isoformat(),
            "quantity": "1",
            "end_customer": "客户",
            "province": "上海",
        },
    )
    assert response.status_code == future.status_code == 200
    assert future.context["form"].errors == {"sold_on": ["The sale date cannot be in the future."]}
    assert SellOut.objects.count() == before


def test_an_upload_shows_the_row_results_to_its_own_partner_only(client_a, shop):
    past = tenant_today() - dt.timedelta(days=1)
    csv = (
        "sku,sold_on,quantity,end_customer,province,city\n"
        f"T-LK-100,{past},2,导入客户,上海,\n"
        f"NOPE-9,{past},1,客户,上海,\n"
    ).encode("gb18030")
    client = _english(client_a, shop["stranger"])

    response = client.post("/portal/sales/import/", {"file": SimpleUploadedFile("销售.csv", csv)})

    result = response.context["result"]
    assert response.status_code == 200
    assert [s.partner for s in result.imported] == [shop["stranger_partner"]]
    assert [(r.row, r.reasons) for r in result.rejected] == [(3, ["sku: Unknown SKU NOPE-9."])]
    assert b"1 imported, 1 rejected." in response.content
    assert "导入客户".encode() in response.content  # now in the stranger's list
    assert "上海本地客户".encode() not in response.content
    assert not SellOut.objects.filter(partner=shop["partner"], end_customer="导入客户").exists()
    listing = _english(client_a, shop["dealer"]).get("/portal/sales/")
    assert "导入客户".encode() not in listing.content


def test_an_upload_of_the_wrong_kind_is_refused_at_the_field(client_a, shop):
    response = _english(client_a, shop["dealer"]).post(
        "/portal/sales/import/", {"file": SimpleUploadedFile("sales.txt", b"sku\n")}
    )

    assert response.status_code == 200
    assert response.context["result"] is None
    assert list(response.context["import_form"].errors) == ["file"]
    assert b"Upload a .csv or .xlsx file." in response.content
    assert _english(client_a, shop["dealer"]).get("/portal/sales/import/").status_code == 405


def test_the_sales_page_runs_a_bounded_number_of_queries(client_a, shop):
    def count() -> int:
        client = _english(client_a, shop["dealer"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/portal/sales/").status_code == 200
        return len(queries)

    few = count()
    for i in range(30):
        _sale(shop["partner"], shop["dealer"], shop["mall"].camera, days_ago=i % 9, quantity=i + 1)

    assert count() == few


# --- partner portal: stock ----------------------------------------------------------------------


def test_the_stock_form_lists_authorized_products_prefilled_from_the_month(client_a, shop):
    mall = shop["mall"]
    ProductLine.objects.create(code="t-net", name="网络设备")
    make_product("50.00", product_line=ProductLine.objects.get(code="t-net"), sku="T-RT-1")
    old = make_product("10.00", product_line=mall.line, sku="T-OLD-1")
    channel_stock_submit(
        partner=mall.partner,
        period=dt.date(2025, 3, 1),
        quantities={mall.lock: 7, old: 2},
        user=mall.buyer,
    )
    old.is_active = False  # off sale since: still listed where it was reported
    old.save()
    client = _english(client_a, shop["dealer"])

    march = client.get("/portal/sales/stock/?month=2025-03")
    april = client.get("/portal/sales/stock/?month=2025-04")

    form = march.context["form"]
    assert {p.sku: field.value() for p, field in form.rows()} == {
        "T-CAM-2K": None,
        "T-LK-100": 7,
        "T-OLD-1": 2,
    }
    assert {p.sku: f.value() for p, f in april.context["form"].rows()} == {
        "T-CAM-2K": None,
        "T-LK-100": None,
    }
    assert march.context["report"] is not None
    assert april.context["report"] is None


@pytest.mark.parametrize("who", ["dealer", "admin"])
def test_partner_users_submit_the_months_stock_and_again_to_correct_it(client_a, shop, who):
    mall = shop["mall"]
    client = _english(client_a, shop[who])
    lock, camera = f"qty_{mall.lock.pk}", f"qty_{mall.camera.pk}"

    first = client.post("/portal/sales/stock/", {"month": "2025-05", lock: "12", camera: "3"})
    second = client.post("/portal/sales/stock/", {"month": "2025-05", lock: "10", camera: ""})

    report = ChannelStockReport.objects.get(partner=mall.partner)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == "/portal/sales/stock/?month=2025-05"
    assert (report.period, report.submitted_by) == (dt.date(2025, 5, 1), shop[who])
    assert dict(
        ChannelStockLine.objects.filter(report=report).values_list("product__sku", "quantity")
    ) == {"T-LK-100": 10, "T-CAM-2K": 0}


def test_a_future_month_or_a_negative_count_is_refused(client_a, shop):
    mall = shop["mall"]
    client = _english(client_a, shop["dealer"])
    lock = f"qty_{mall.lock.pk}"
    next_month = (tenant_today().replace(day=28) + dt.timedelta(days=5)).strftime("%Y-%m")

    future = client.post("/portal/sales/stock/", {"month": next_month, lock: "1"})
    negative = client.post("/portal/sales/stock/", {"month": "2025-05", lock: "-1"})

    assert future.status_code == negative.status_code == 200
    assert future.context["form"].non_field_errors() == ["The month cannot be in the future."]
    assert list(negative.context["form"].errors) == [lock]
    assert not ChannelStockReport.objects.exists()


# --- vendor portal ------------------------------------------------------------------------------


def _shipless_rows(response: Any) -> list[tuple[str, str, int, int | None, int]]:
    return [
        (r.partner.name, r.product.sku, r.sell_out, r.channel_stock, r.diversions)
        for r in response.context["page"].object_list
    ]


def test_the_channel_table_shows_every_visible_partner_and_filters(client_a, shop):
    mall = shop["mall"]
    channel_stock_submit(
        partner=mall.partner,
        period=tenant_today(),
        quantities={mall.lock: 4},
        user=mall.buyer,
    )
    client = _english(client_a, shop["finance"])

    everything = client.get("/channel/")
    one = client.get(f"/channel/?partner={shop['stranger_partner'].pk}")
    short = client.get("/channel/?days=30")  # own_away (20 days ago) stays, 3 days ago too
    other_line = ProductLine.objects.create(code="t-net", name="网络设备")
    by_line = client.get(f"/channel/?product_line={other_line.pk}")

    assert everything.status_code == 200
    assert everything.context["days"] == 90
    assert _shipless_rows(everything) == [
        ("无锡竞争电子有限公司", "T-LK-100", 1, None, 1),  # 安徽 is outside 江苏
        ("苏州园区电子有限公司", "T-LK-100", 3, 4, 1),
    ]
    assert b"Sell-through rate" in everything.content
    assert _shipless_rows(one) == [("无锡竞争电子有限公司", "T-LK-100", 1, None, 1)]
    assert short.context["days"] == 30
    assert _shipless_rows(by_line) == []


def test_a_channel_manager_sees_only_the_partners_they_own(client_a, shop):
    client = _english(client_a, shop["manager"])

    table = client.get("/channel/")
    sneaky = client.get(f"/channel/?partner={shop['stranger_partner'].pk}")
    diversions = client.get("/channel/diversions/")

    assert [r.partner for r in table.context["page"].object_list] == [shop["partner"]]
    assert [r.partner for r in sneaky.context["page"].object_list] == [shop["partner"]]
    assert "无锡竞争电子有限公司".encode() not in sneaky.content
    assert list(diversions.context["page"].object_list) == [shop["own_away"]]
    assert "别家的秘密客户".encode() not in diversions.content


def test_the_diversion_list_filters_by_partner_province_and_date(client_a, shop):
    client = _english(client_a, shop["finance"])
    away, theirs = shop["own_away"], shop["theirs"]

    def listed(query: str) -> list[SellOut]:
        return list(client.get(f"/channel/diversions/{query}").context["page"].object_list)

    assert listed("") == [theirs, away]  # newest sale first; 上海 at home is not listed
    assert listed(f"?partner={shop['partner'].pk}") == [away]
    assert listed("?province=浙江") == [away]
    assert listed("?province=浙江省") == [away]
    assert listed("?province=安徽省") == [theirs]
    since = (tenant_today() - dt.timedelta(days=10)).isoformat()
    assert listed(f"?sold_from={since}") == [theirs]
    assert listed(f"?sold_to={since}") == [away]
    page = client.get("/channel/diversions/")
    assert "杭州窜货客户".encode() in page.content
    # Beside each sale, the territory its partner is authorized for (here: their provinces).
    assert [s.territory for s in page.context["page"].object_list] == ["江苏", "上海"]


def test_channel_pages_cost_the_same_queries_for_two_or_twenty_partners(client_a, shop):
    mall = shop["mall"]
    client = _english(client_a, shop["finance"])

    def add_partners(n: int) -> None:
        for i in range(n):
            partner = make_partner(region="浙江")
            partner.product_lines.add(mall.line)
            user = make_user(Role.PARTNER_USER, partner=partner)
            for product in (mall.lock, mall.camera):
                _sale(partner, user, product, days_ago=i % 20, quantity=i + 1, province="江苏")
            channel_stock_submit(
                partner=partner,
                period=tenant_today(),
                quantities={mall.lock: i, mall.camera: 2},
                user=user,
            )

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add_partners(2)
    few = (count("/channel/"), count("/channel/diversions/"))
    add_partners(18)
    many = (count("/channel/"), count("/channel/diversions/"))

    assert few == many
    # session, user, visible partners, 7 for the metrics, the two filter menus (count + rows)
    assert many[0] <= 18  # with the notification bell


# --- who gets in --------------------------------------------------------------------------------


def test_partner_users_get_403_on_channel_pages_and_vendors_403_on_portal_pages(client_a, shop):
    partner_client = _english(client_a, shop["admin"])
    as_partner = [partner_client.get(u).status_code for u in ("/channel/", "/channel/diversions/")]
    client_a.logout()
    vendor_client = _english(client_a, shop["finance"])
    as_vendor = [
        vendor_client.get(u).status_code for u in ("/portal/sales/", "/portal/sales/stock/")
    ]

    assert as_partner == [403, 403]
    assert as_vendor == [403, 403]


def test_another_vendor_sees_nothing_and_anonymous_is_sent_to_log_in(client_a, client_b, shop):
    with schema_context("bravo"):
        client_b.force_login(make_user(Role.ADMIN))
    table = client_b.get("/channel/")
    diversions = client_b.get("/channel/diversions/")
    probe = client_b.get(f"/channel/?partner={shop['partner'].pk}")
    anonymous = [
        client_a.get(url)
        for url in (
            "/channel/",
            "/channel/diversions/",
            "/portal/sales/",
            "/portal/sales/stock/",
        )
    ]
    anonymous_post = client_a.post("/portal/sales/import/", {})

    assert table.status_code == diversions.status_code == probe.status_code == 200
    assert list(table.context["page"].object_list) == []
    assert list(diversions.context["page"].object_list) == []
    assert list(probe.context["page"].object_list) == []
    assert "苏州园区".encode() not in table.content + diversions.content + probe.content
    assert [r.status_code for r in anonymous] == [302] * 4
    assert all(r["Location"].startswith("/accounts/login/") for r in anonymous)
    assert anonymous_post.status_code == 302
    assert anonymous_post["Location"].startswith("/accounts/login/")
