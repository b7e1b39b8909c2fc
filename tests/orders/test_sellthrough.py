"""Channel stock reports, sell-out (typed and imported), diversion flags, sell-through metrics."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from orders.checkout import CheckoutLine, checkout
from orders.inventory import stock_receive
from orders.models import ChannelStockLine, ChannelStockReport, SellOut, Shipment
from orders.sellthrough import (
    Territory,
    channel_stock_submit,
    city_key,
    province_key,
    sellout_import,
    sellout_record,
)
from orders.sellthrough_metrics import (
    inventory_days,
    sell_through_rate,
    sellthrough_rows,
    sellthrough_window,
)
from orders.workflow import order_approve, order_ship
from partners.models import Partner, PartnerStatus, ProductLine, Region
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_product, make_user

from .mall import Mall, build_mall, dealer

pytestmark = pytest.mark.django_db

D = Decimal
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def mall(in_a: Any) -> Mall:
    return build_mall()


@pytest.fixture
def regions(in_a: Any) -> dict[str, Region]:
    """Provinces stored with their full names, cities with and without 市."""
    zhejiang = Region.objects.create(code="330000", name="浙江省", level=Region.Level.PROVINCE)
    jiangsu = Region.objects.create(code="320000", name="江苏", level=Region.Level.PROVINCE)
    anhui = Region.objects.create(code="340000", name="安徽省", level=Region.Level.PROVINCE)
    return {
        "zhejiang": zhejiang,
        "jiangsu": jiangsu,
        "anhui": anhui,
        "suzhou": Region.objects.create(
            code="320500", name="苏州市", level=Region.Level.CITY, parent=jiangsu
        ),
        # 宿州 is in 安徽; a territory in 苏州 (江苏) does not cover a city of another province.
        "suzhou_anhui": Region.objects.create(
            code="341300", name="宿州", level=Region.Level.CITY, parent=anhui
        ),
    }


def _record(partner: Partner, user: User, product: Any, **kw: Any) -> SellOut:
    defaults: dict[str, Any] = {
        "sold_on": tenant_today() - dt.timedelta(days=3),
        "quantity": 1,
        "end_customer": "终端客户",
        "province": "上海",
        "city": "",
    }
    defaults.update(kw)
    return sellout_record(partner=partner, product=product, user=user, **defaults)


# --- territory ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("浙江省", "浙江"),
        ("浙江", "浙江"),
        (" 上海市 ", "上海"),
        ("广西壮族自治区", "广西"),
        ("内蒙古自治区", "内蒙古"),
        ("新疆维吾尔自治区", "新疆"),
        ("香港特别行政区", "香港"),
        ("Zhejiang", "zhejiang"),
        ("市", "市"),  # never stripped down to nothing
    ],
)
def test_province_names_compare_without_their_suffix(name, key):
    assert province_key(name) == key


def test_city_names_compare_without_a_trailing_shi():
    assert [city_key(n) for n in ("杭州市", "杭州", "浦东新区", "")] == [
        "杭州",
        "杭州",
        "浦东新区",
        "",
    ]


def test_a_territory_covers_whole_provinces_and_cities_within_their_province():
    territory = Territory(frozenset({"浙江"}), frozenset({("江苏", "苏州")}))

    assert territory.covers("浙江省", "宁波市")
    assert territory.covers("浙江", "")
    assert territory.covers("江苏省", "苏州市")
    assert not territory.covers("江苏省", "南京市")
    assert not territory.covers("江苏", "")  # the city is unknown: not shown to be in 苏州
    assert not territory.covers("安徽", "苏州")  # same city name, other province
    assert not territory.covers("上海市", "上海市")


def test_sales_outside_the_territories_are_flagged_with_suffixes_ignored(mall, regions):
    mall.partner.territories.add(regions["zhejiang"], regions["suzhou"])

    flags = {
        where: _record(
            mall.partner, mall.buyer, mall.lock, province=where[0], city=where[1]
        ).outside_territory
        for where in [
            ("浙江", "杭州市"),
            ("浙江省", ""),
            ("江苏省", "苏州"),
            ("江苏", "苏州市"),
            ("江苏省", "南京市"),
            ("江苏", ""),
            ("安徽省", "宿州市"),
            ("上海市", ""),
        ]
    }

    assert flags == {
        ("浙江", "杭州市"): False,
        ("浙江省", ""): False,
        ("江苏省", "苏州"): False,
        ("江苏", "苏州市"): False,
        ("江苏省", "南京市"): True,
        ("江苏", ""): True,
        ("安徽省", "宿州市"): True,
        ("上海市", ""): True,
    }


def test_a_city_territory_does_not_cover_a_city_of_the_same_name_elsewhere(mall, regions):
    mall.partner.territories.add(regions["suzhou_anhui"])

    in_anhui = _record(mall.partner, mall.buyer, mall.lock, province="安徽", city="宿州市")
    in_jiangsu = _record(mall.partner, mall.buyer, mall.lock, province="江苏", city="宿州")

    assert (in_anhui.outside_territory, in_jiangsu.outside_territory) == (False, True)


def test_a_partner_without_territories_may_sell_in_its_own_province(mall, regions):
    assert mall.partner.region == "上海"
    assert not mall.partner.territories.exists()

    home = _record(mall.partner, mall.buyer, mall.lock, province="上海市", city="浦东新区")
    away = _record(mall.partner, mall.buyer, mall.lock, province="浙江省", city="杭州市")

    assert (home.outside_territory, away.outside_territory) == (False, True)


# --- sell-out records ---------------------------------------------------------------------------


def test_a_sale_is_saved_with_who_reported_it_and_an_audit_event(mall):
    sale = _record(
        mall.partner,
        mall.buyer,
        mall.lock,
        quantity=4,
        end_customer=" 杭州西湖酒店 ",
        province="浙江省",
        city="杭州市",
    )

    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(SellOut), object_id=sale.pk
    )
    assert (sale.quantity, sale.end_customer, sale.reported_by, sale.outside_territory) == (
        4,
        "杭州西湖酒店",
        mall.buyer,
        True,
    )
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == mall.buyer
    assert entry.changes["quantity"] == [None, "4"]
    assert entry.changes["outside_territory"] == [None, "True"]


def test_a_bad_sale_is_refused_field_by_field_and_nothing_is_saved(mall):
    other_line = ProductLine.objects.create(code="t-net", name="网络设备", name_en="Networking")
    router = make_product("50.00", product_line=other_line, sku="T-RT-1")

    with pytest.raises(ValidationError) as caught:
        _record(
            mall.partner,
            mall.buyer,
            router,
            sold_on=tenant_today() + dt.timedelta(days=1),
            quantity=0,
            end_customer="  ",
            province="",
        )

    assert caught.value.message_dict == {
        "product": ["T-RT-1 is in product line Networking, which you are not authorized to sell."],
        "sold_on": ["The sale date cannot be in the future."],
        "quantity": ["The quantity must be at least 1."],
        "end_customer": ["Name the end customer."],
        "province": ["Name the province where the product was sold."],
    }
    assert not SellOut.objects.exists()


def test_today_is_allowed_and_only_the_partners_own_users_may_report(mall):
    stranger = make_user(Role.PARTNER_ADMIN, partner=dealer(mall.line))
    manager = make_user(Role.CHANNEL_MANAGER)
    admin = make_user(Role.ADMIN)
    partner_admin = make_user(Role.PARTNER_ADMIN, partner=mall.partner)

    for outsider in (stranger, manager, admin):
        with pytest.raises(PermissionDenied):
            _record(mall.partner, outsider, mall.lock)
    today = _record(mall.partner, partner_admin, mall.lock, sold_on=tenant_today())

    assert list(SellOut.objects.values_list("pk", flat=True)) == [today.pk]


# --- channel stock reports ----------------------------------------------------------------------


def test_resubmitting_a_month_replaces_its_lines_in_one_report(mall):
    march = dt.date(2025, 3, 1)

    first = channel_stock_submit(
        partner=mall.partner,
        period=dt.date(2025, 3, 17),  # any day of the month means the month
        quantities={mall.lock: 12, mall.camera: 4},
        user=mall.buyer,
    )
    again = channel_stock_submit(
        partner=mall.partner, period=march, quantities={mall.lock: 9}, user=mall.buyer
    )

    assert first.pk == again.pk
    assert again.period == march
    assert ChannelStockReport.objects.filter(partner=mall.partner).count() == 1
    assert list(
        ChannelStockLine.objects.filter(report=again).values_list("product__sku", "quantity")
    ) == [("T-LK-100", 9)]
    changes = [
        e.changes
        for e in LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(ChannelStockReport), object_id=first.pk
        ).order_by("pk")
    ]
    assert changes == [
        {"T-CAM-2K": [None, "4"], "T-LK-100": [None, "12"]},
        {"T-CAM-2K": ["4", None], "T-LK-100": ["12", "9"]},
    ]


def test_a_stock_report_refuses_future_months_foreign_lines_and_negative_counts(mall):
    other_line = ProductLine.objects.create(code="t-net", name="网络设备")
    router = make_product("50.00", product_line=other_line, sku="T-RT-1")
    next_month = (tenant_today().replace(day=28) + dt.timedelta(days=5)).replace(day=1)

    with pytest.raises(ValidationError) as future:
        channel_stock_submit(
            partner=mall.partner, period=next_month, quantities={mall.lock: 1}, user=mall.buyer
        )
    with pytest.raises(ValidationError) as bad:
        channel_stock_submit(
            partner=mall.partner,
            period=tenant_today(),
            quantities={router: 3, mall.lock: -1},
            user=mall.buyer,
        )
    with pytest.raises(PermissionDenied):
        channel_stock_submit(
            partner=mall.partner,
            period=tenant_today(),
            quantities={mall.lock: 1},
            user=make_user(Role.ADMIN),
        )
    current = channel_stock_submit(
        partner=mall.partner, period=tenant_today(), quantities={mall.lock: 0}, user=mall.buyer
    )

    assert future.value.message_dict == {"period": ["The month cannot be in the future."]}
    assert bad.value.message_dict == {
        "quantities": [
            "T-LK-100: the quantity must be a whole number of 0 or more.",
            "T-RT-1 is not in a product line you are authorized for.",
        ]
    }
    assert list(ChannelStockReport.objects.values_list("pk", flat=True)) == [current.pk]


# --- import -------------------------------------------------------------------------------------


def _csv(text: str, *, encoding: str = "utf-8", name: str = "sales.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _import_file(today: dt.date) -> str:
    past, future = today - dt.timedelta(days=10), today + dt.timedelta(days=1)
    return "\n".join(
        [
            "sku,sold_on,quantity,end_customer,province,city",
            f"T-LK-100,{past},2,杭州某酒店,浙江省,杭州市",
            f"NOPE-1,{past},1,客户A,上海,",
            f"T-RT-1,{past},1,客户B,上海,",
            "T-LK-100,2025-13-01,1,客户C,上海,",
            f"T-LK-100,{future},1,客户D,上海,",
            f"T-LK-100,{past},0,客户E,上海,",
            f"T-LK-100,{past},1,,,",
            ",,,,,",
            f"T-CAM-2K,{past:%Y/%m/%d},3,上海某公司,上海市,浦东新区",
            "T-LK-100,yesterday,abc,客户F,上海,",
        ]
    )


def test_import_saves_the_valid_rows_and_reports_every_rejected_row(mall):
    other_line = ProductLine.objects.create(code="t-net", name="网络设备", name_en="Networking")
    make_product("50.00", product_line=other_line, sku="T-RT-1")
    past = tenant_today() - dt.timedelta(days=10)

    result = sellout_import(
        partner=mall.partner, upload=_csv(_import_file(tenant_today())), user=mall.buyer
    )

    assert result.file_errors == []
    assert [(r.row, r.reasons) for r in result.rejected] == [
        (3, ["sku: Unknown SKU NOPE-1."]),
        (4, ["sku: T-RT-1 is in product line Networking, which you are not authorized to sell."]),
        (5, ["sold_on: Enter the date as YYYY-MM-DD."]),
        (6, ["sold_on: The sale date cannot be in the future."]),
        (7, ["quantity: The quantity must be at least 1."]),
        (
            8,
            [
                "end_customer: Name the end customer.",
                "province: Name the province where the product was sold.",
            ],
        ),
        (11, ["sold_on: Enter the date as YYYY-MM-DD.", "quantity: Enter a whole number."]),
    ]
    saved = list(
        SellOut.objects.order_by("pk").values_list(
            "product__sku", "sold_on", "quantity", "province", "city", "outside_territory"
        )
    )
    assert saved == [
        ("T-LK-100", past, 2, "浙江省", "杭州市", True),
        ("T-CAM-2K", past, 3, "上海市", "浦东新区", False),
    ]
    assert [s.pk for s in result.imported] == list(
        SellOut.objects.order_by("pk").values_list("pk", flat=True)
    )
    assert (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(SellOut), actor=mall.buyer
        ).count()
        == 2
    )


def test_a_gb18030_file_with_chinese_headers_is_read(mall):
    past = tenant_today() - dt.timedelta(days=2)
    text = f"型号,销售日期,数量,终端客户,省份,城市\nT-LK-100,{past},5,南京鼓楼医院,江苏省,南京市\n"
    upload = _csv(text, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        upload.read().decode("utf-8")

    result = sellout_import(partner=mall.partner, upload=upload, user=mall.buyer)

    assert (result.file_errors, result.rejected) == ([], [])
    assert [(s.end_customer, s.province, s.city, s.quantity) for s in result.imported] == [
        ("南京鼓楼医院", "江苏省", "南京市", 5)
    ]


def test_an_xlsx_file_with_date_cells_and_numbers_is_read(mall):
    import openpyxl

    past = tenant_today() - dt.timedelta(days=4)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["SKU", "Sold_on", "Quantity", "End_customer", "Province", "City"])
    sheet.append(["T-LK-100", dt.datetime.combine(past, dt.time.min), 2, "客户甲", "上海", ""])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["T-LK-100", past, 1.5, "客户乙", "上海", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("销售.xlsx", buffer.getvalue())

    result = sellout_import(partner=mall.partner, upload=upload, user=mall.buyer)

    assert [(s.sold_on, s.quantity, s.end_customer) for s in result.imported] == [
        (past, 2, "客户甲")
    ]
    assert [(r.row, r.reasons) for r in result.rejected] == [
        (4, ["quantity: Enter a whole number."])
    ]


@pytest.mark.parametrize(
    ("content", "name", "error"),
    [
        (b"sku,sold_on,quantity\n", "a.csv", "The file has no data rows."),
        (
            b"sku,quantity\nT-LK-100,1\n",
            "a.csv",
            "Missing columns: end_customer, province, sold_on.",
        ),
        (
            b"PK\x03\x04 not really a workbook",
            "a.xlsx",
            "The file could not be read. Save it as CSV (UTF-8 or GB18030) or XLSX.",
        ),
    ],
)
def test_unusable_files_are_refused_whole(mall, content, name, error):
    result = sellout_import(
        partner=mall.partner, upload=SimpleUploadedFile(name, content), user=mall.buyer
    )

    assert (result.file_errors, result.imported, result.rejected) == ([error], [], [])
    assert not SellOut.objects.exists()


def test_import_runs_a_fixed_number_of_queries_and_only_for_the_own_partner(mall):
    past = tenant_today() - dt.timedelta(days=1)

    def upload(rows: int) -> SimpleUploadedFile:
        lines = ["sku,sold_on,quantity,end_customer,province,city"]
        lines += [f"T-LK-100,{past},1,客户{i},上海," for i in range(rows)]
        return _csv("\n".join(lines))

    sellout_import(partner=mall.partner, upload=upload(1), user=mall.buyer)  # caches warm
    with CaptureQueriesContext(connection) as few:
        sellout_import(partner=mall.partner, upload=upload(2), user=mall.buyer)
    with CaptureQueriesContext(connection) as many:
        sellout_import(partner=mall.partner, upload=upload(40), user=mall.buyer)
    stranger = make_user(Role.PARTNER_USER, partner=dealer(mall.line))
    with pytest.raises(PermissionDenied):
        sellout_import(partner=mall.partner, upload=upload(1), user=stranger)

    assert len(many) == len(few)
    assert len(many) <= 8
    assert SellOut.objects.filter(partner=mall.partner).count() == 43


# --- metrics ------------------------------------------------------------------------------------


def test_the_formulas_round_half_up_and_give_none_without_a_base():
    assert sell_through_rate(sell_out=97, opening_stock=40, sell_in=120) == D("0.6063")
    assert sell_through_rate(sell_out=1, opening_stock=0, sell_in=3) == D("0.3333")
    assert sell_through_rate(sell_out=2, opening_stock=0, sell_in=3) == D("0.6667")
    assert sell_through_rate(sell_out=5, opening_stock=0, sell_in=4) == D("1.2500")
    assert sell_through_rate(sell_out=5, opening_stock=0, sell_in=0) is None
    assert inventory_days(stock=63, sell_out=97, days=90) == D("58.5")
    assert inventory_days(stock=1, sell_out=4, days=30) == D("7.5")
    assert inventory_days(stock=0, sell_out=4, days=30) == D("0.0")
    assert inventory_days(stock=10, sell_out=0, days=30) is None
    assert inventory_days(stock=None, sell_out=3, days=30) is None


def test_the_window_ends_on_as_of_and_opens_on_the_previous_months_report(in_a):
    window = sellthrough_window(as_of=dt.date(2025, 6, 30), days=90)
    first_of_month = sellthrough_window(as_of=dt.date(2025, 6, 29), days=90)

    assert (window.start, window.end, window.opening_period) == (
        dt.date(2025, 4, 2),
        dt.date(2025, 6, 30),
        dt.date(2025, 3, 1),
    )
    assert window.since == dt.datetime(2025, 4, 2, tzinfo=SHANGHAI)
    assert window.until == dt.datetime(2025, 7, 1, tzinfo=SHANGHAI)
    assert first_of_month.start == dt.date(2025, 4, 1)
    assert first_of_month.opening_period == dt.date(2025, 3, 1)


def _ship(mall: Mall, desk: User, order: Any, quantity: int, at: dt.datetime) -> None:
    line = order.lines.get()
    shipment = order_ship(
        order=order,
        actor=desk,
        warehouse=mall.warehouse,
        carrier="顺丰",
        tracking_number=f"SF{at:%Y%m%d%H%M}",
        quantities={line.pk: quantity},
    )
    Shipment.objects.filter(pk=shipment.pk).update(shipped_at=at)


def _sale(mall: Mall, product: Any, day: dt.date, quantity: int, province: str) -> None:
    sellout_record(
        partner=mall.partner,
        product=product,
        sold_on=day,
        quantity=quantity,
        end_customer="终端",
        province=province,
        user=mall.buyer,
    )


def _stock(mall: Mall, month: dt.date, quantities: dict[Any, int]) -> None:
    channel_stock_submit(partner=mall.partner, period=month, quantities=quantities, user=mall.buyer)


@pytest.fixture
def worked_example(mall: Mall) -> dict[str, Any]:
    """The module doc's example: window 2025-04-02 … 2025-06-30, opening month March."""
    chip = make_product("1.00", product_line=mall.line, sku="T-CHIP")
    stock_receive(product=chip, warehouse=mall.warehouse, quantity=300)
    desk = make_user(Role.ORDER_DESK)
    order = checkout(partner=mall.partner, lines=[CheckoutLine(chip, 200)], actor=mall.buyer)
    order_approve(order=order, actor=desk)
    _ship(mall, desk, order, 30, dt.datetime(2025, 4, 1, 23, 30, tzinfo=SHANGHAI))  # before
    _ship(mall, desk, order, 50, dt.datetime(2025, 4, 2, 0, 10, tzinfo=SHANGHAI))
    _ship(mall, desk, order, 70, dt.datetime(2025, 6, 30, 23, 59, tzinfo=SHANGHAI))
    _ship(mall, desk, order, 40, dt.datetime(2025, 7, 1, 0, 0, tzinfo=SHANGHAI))  # after
    _sale(mall, chip, dt.date(2025, 4, 1), 11, "上海")  # the day before the window
    _sale(mall, chip, dt.date(2025, 4, 2), 60, "上海市")
    _sale(mall, chip, dt.date(2025, 6, 30), 37, "江苏省")  # outside the territory (上海)
    _sale(mall, chip, dt.date(2025, 7, 1), 5, "江苏省")  # after as_of
    _stock(mall, dt.date(2025, 2, 1), {chip: 999})
    _stock(mall, dt.date(2025, 3, 1), {chip: 40, mall.camera: 0})  # opening
    _stock(mall, dt.date(2025, 5, 1), {chip: 10})
    _stock(mall, dt.date(2025, 6, 1), {chip: 63, mall.lock: 5, mall.camera: 0})  # latest
    _stock(mall, dt.date(2025, 7, 1), {chip: 500})  # after as_of
    return {"chip": chip, "desk": desk}


def test_metrics_of_the_worked_example(mall, worked_example):
    chip = worked_example["chip"]
    other = dealer(mall.line)
    sellout_record(
        partner=other,
        product=chip,
        sold_on=dt.date(2025, 5, 5),
        quantity=3,
        end_customer="别家",
        province="上海",
        user=make_user(Role.PARTNER_USER, partner=other),
    )

    rows = sellthrough_rows(partner_ids=[mall.partner.pk], as_of=dt.date(2025, 6, 30), days=90)

    assert [
        (
            r.product.sku,
            r.sell_in,
            r.sell_out,
            r.opening_stock,
            r.channel_stock,
            r.sell_through_rate,
            r.inventory_days,
            r.diversions,
        )
        for r in rows
    ] == [
        ("T-CHIP", 120, 97, 40, 63, D("0.6063"), D("58.5"), 1),
        ("T-LK-100", 0, 0, 0, 5, None, None, 0),
    ]
    assert rows[0].sell_through_percent == D("60.6300")
    assert {r.partner for r in rows} == {mall.partner}


def test_metrics_follow_the_window_the_partners_and_the_product_line(mall, worked_example):
    chip = worked_example["chip"]
    never_reported = dealer(mall.line)
    sellout_record(
        partner=never_reported,
        product=chip,
        sold_on=dt.date(2025, 6, 1),
        quantity=3,
        end_customer="别家",
        province="上海",
        user=make_user(Role.PARTNER_USER, partner=never_reported),
    )
    other_line = ProductLine.objects.create(code="t-net", name="网络设备")

    short = sellthrough_rows(partner_ids=[mall.partner.pk], as_of=dt.date(2025, 6, 30), days=30)
    everyone = sellthrough_rows(as_of=dt.date(2025, 6, 30), days=90)
    no_line = sellthrough_rows(product_line=other_line, as_of=dt.date(2025, 6, 30), days=90)
    nobody = sellthrough_rows(partner_ids=[], as_of=dt.date(2025, 6, 30))

    # 30 days: 2025-06-01 … 06-30, opening month May (10); one shipment of 70, one sale of 37.
    assert [
        (r.product.sku, r.sell_in, r.sell_out, r.opening_stock, r.sell_through_rate) for r in short
    ] == [("T-CHIP", 70, 37, 10, D("0.4625")), ("T-LK-100", 0, 0, 0, None)]
    assert short[0].inventory_days == D("51.1")  # 63 x 30 / 37 = 51.08…
    theirs = [r for r in everyone if r.partner == never_reported]
    assert [(r.sell_out, r.channel_stock, r.inventory_days) for r in theirs] == [(3, None, None)]
    assert (no_line, nobody) == ([], [])


def test_metrics_cost_the_same_queries_for_two_or_twenty_partners(mall):
    products = [mall.lock, mall.camera]

    def add_partners(n: int) -> None:
        for i in range(n):
            partner = make_partner(region="浙江")
            partner.product_lines.add(mall.line)
            user = make_user(Role.PARTNER_USER, partner=partner)
            for product in products:
                sellout_record(
                    partner=partner,
                    product=product,
                    sold_on=dt.date(2025, 6, 1 + i % 28),
                    quantity=1 + i,
                    end_customer="客户",
                    province="江苏" if i % 2 else "浙江",
                    user=user,
                )
            channel_stock_submit(
                partner=partner,
                period=dt.date(2025, 6, 1),
                quantities=dict.fromkeys(products, 5),
                user=user,
            )

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            rows = sellthrough_rows(as_of=dt.date(2025, 6, 30), days=90)
        return len(queries), len(rows)

    add_partners(2)
    few, two_rows = measure()
    add_partners(18)
    many, twenty_rows = measure()

    assert (two_rows, twenty_rows) == (4, 40)
    assert few == many
    assert many <= 7


# --- concurrency --------------------------------------------------------------------------------


def _committed_reporter() -> dict[str, int]:
    line, _created = ProductLine.objects.get_or_create(code="t-race", defaults={"name": "并发"})
    partner = make_partner(status=PartnerStatus.APPLIED)
    partner.product_lines.add(line)
    product = make_product("1.00", product_line=line, sku="T-RACE-1")
    users = [make_user(Role.PARTNER_USER, partner=partner) for _ in range(2)]
    return {
        "partner": partner.pk,
        "product": product.pk,
        "line": line.pk,
        "user0": users[0].pk,
        "user1": users[1].pk,
    }


def _remove_reporter(ids: dict[str, int]) -> None:
    users = [ids["user0"], ids["user1"]]
    # Only the rows this test committed, children first (see test_ledger_concurrency._remove).
    statements = [
        "DELETE FROM auditlog_logentry WHERE actor_id = ANY(%(u)s)",
        "DELETE FROM auditlog_logentry WHERE object_id = ANY(%(u)s) AND content_type_id = "
        "(SELECT id FROM django_content_type WHERE app_label = 'accounts' AND model = 'user')",
        "DELETE FROM orders_channelstockline WHERE report_id IN "
        "(SELECT id FROM orders_channelstockreport WHERE partner_id = %(p)s)",
        "DELETE FROM orders_channelstockreport WHERE partner_id = %(p)s",
        "DELETE FROM accounts_user WHERE id = ANY(%(u)s)",
        "DELETE FROM auditlog_logentry WHERE object_id = %(product)s AND content_type_id = "
        "(SELECT id FROM django_content_type WHERE app_label = 'orders' AND model = 'product')",
        "DELETE FROM orders_product WHERE id = %(product)s",
        "DELETE FROM partners_partner_product_lines WHERE partner_id = %(p)s",
        "DELETE FROM reports_rolluppending WHERE partner_id = %(p)s",
        "DELETE FROM reports_saleslinemonth WHERE partner_id = %(p)s",
        "DELETE FROM reports_partnermonth WHERE partner_id = %(p)s",
        "DELETE FROM partners_productline WHERE id = %(line)s",
        "DELETE FROM partners_partnerstatuschange WHERE partner_id = %(p)s",
        "DELETE FROM auditlog_logentry WHERE object_id = %(p)s AND content_type_id = "
        "(SELECT id FROM django_content_type WHERE app_label = 'partners' AND model = 'partner')",
        "DELETE FROM partners_partner WHERE id = %(p)s",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(
                sql,
                {"p": ids["partner"], "u": users, "product": ids["product"], "line": ids["line"]},
            )


def test_two_first_submissions_of_one_month_at_once_leave_one_report(tenant_a):
    ids = in_thread("alpha", _committed_reporter)
    month = dt.date(2025, 3, 1)

    def submit(user_key: str, quantity: int) -> Any:
        def run() -> str:
            from orders.models import Product

            with translation.override("en"):
                report = channel_stock_submit(
                    partner=Partner.objects.get(pk=ids["partner"]),
                    period=month,
                    quantities={Product.objects.get(pk=ids["product"]): quantity},
                    user=User.objects.get(pk=ids[user_key]),
                )
            return f"report {report.pk}"

        return run

    def outcome() -> tuple[int, list[int]]:
        reports = ChannelStockReport.objects.filter(partner_id=ids["partner"], period=month)
        lines = ChannelStockLine.objects.filter(report__in=reports)
        return reports.count(), sorted(lines.values_list("quantity", flat=True))

    try:
        results = run_concurrently("alpha", [submit("user0", 7), submit("user1", 9)])
        count, quantities = in_thread("alpha", outcome)

        assert results[0] == results[1]  # both saved into the same report
        assert count == 1
        assert quantities in ([7], [9])  # the later submission replaced the earlier one
    finally:
        in_thread("alpha", lambda: _remove_reporter(ids))
