"""Channel price resolution: tier / region / partner lists, breaks, dates, ties, explanations."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from orders.models import PriceList, PriceListItem, PriceListKind, Product
from orders.pricing import price_explain, price_for, prices_for
from partners.models import Partner, Tier
from tests.factories import make_partner, make_product

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def make_tier(code: str, rank: int) -> Tier:
    return Tier.objects.create(code=code, name=f"{code}级", name_en=code.title(), rank=rank)


def make_list(
    name: str,
    *items: tuple[Product, int, str],
    partner: Partner | None = None,
    region: str = "",
    tier: Tier | None = None,
    **kw: Any,
) -> PriceList:
    kind = (
        PriceListKind.PARTNER if partner else PriceListKind.REGION if region else PriceListKind.TIER
    )
    price_list = PriceList.objects.create(
        name=name, kind=kind, partner=partner, region=region, tier=tier, **kw
    )
    PriceListItem.objects.bulk_create(
        PriceListItem(price_list=price_list, product=product, min_quantity=q, price=Decimal(p))
        for product, q, p in items
    )
    return price_list


@pytest.fixture
def gold(in_a) -> Tier:
    return make_tier("gold-price", 901)


def test_partner_price_beats_region_price_beats_tier_price(in_a, gold):
    # Given a product with a tier, a region and a partner price (the region one the cheapest)
    silver = make_tier("silver-price", 902)
    lock = make_product("100.00")
    ours = make_partner(tier=gold, region="浙江")
    neighbour = make_partner(tier=gold, region="浙江")
    same_tier_elsewhere = make_partner(tier=gold, region="江苏")
    nobody = make_partner(tier=silver, region="江苏")
    make_list("金牌价", (lock, 1, "90.00"), tier=gold)
    make_list("浙江区域价", (lock, 1, "85.00"), region="浙江")
    make_list("华东专享", (lock, 1, "88.00"), partner=ours)

    # When each partner asks for one unit
    quotes = {
        who: price_for(partner=partner, product=lock, quantity=1, on=DAY)
        for who, partner in [
            ("ours", ours),
            ("neighbour", neighbour),
            ("elsewhere", same_tier_elsewhere),
            ("nobody", nobody),
        ]
    }

    # Then the most specific list wins, not the cheapest
    assert {who: q.unit_price for who, q in quotes.items()} == {
        "ours": Decimal("88.00"),
        "neighbour": Decimal("85.00"),
        "elsewhere": Decimal("90.00"),
        "nobody": Decimal("100.00"),
    }
    assert [q.source.kind for q in quotes.values()] == ["partner", "region", "tier", "list"]
    assert all(q.list_price == Decimal("100.00") for q in quotes.values())
    assert quotes["ours"].rule_text() == "Partner price list 华东专享"
    assert quotes["neighbour"].rule_text() == "Region price list 浙江区域价"
    assert quotes["elsewhere"].rule_text() == "Tier price list 金牌价"
    assert quotes["nobody"].rule_text() == "List price"
    assert quotes["nobody"].source.price_list_id is None


def test_quantity_breaks_apply_from_their_quantity_up(in_a, gold):
    # Given breaks at 1, 10 and 50 on the partner's list, and a deeper tier break at 10
    partner = make_partner(tier=gold)
    camera = make_product("120.00")
    own = make_list(
        "华东专享", (camera, 1, "95.00"), (camera, 10, "90.00"), (camera, 50, "80.00"),
        partner=partner,
    )  # fmt: skip
    make_list("金牌价", (camera, 10, "70.00"), tier=gold)

    # When asking for quantities around the breaks
    quotes = prices_for(
        partner=partner, items=[(camera, q) for q in (1, 9, 10, 49, 50, 500)], on=DAY
    )

    # Then each quantity gets the break it reached on the partner list (partner beats tier)
    assert [q.unit_price for q in quotes] == [
        Decimal("95.00"),
        Decimal("95.00"),
        Decimal("90.00"),
        Decimal("90.00"),
        Decimal("80.00"),
        Decimal("80.00"),
    ]
    assert [q.source.min_quantity for q in quotes] == [1, 1, 10, 10, 50, 50]
    assert {q.source.price_list_id for q in quotes} == {own.pk}
    assert quotes[2].rule_text() == "Partner price list 华东专享 (from 10 units)"


def test_a_break_below_one_list_does_not_fall_back_to_a_lower_kind_for_the_same_units(in_a, gold):
    # Given only a tier price from 1 unit and a partner price from 10 units
    partner = make_partner(tier=gold)
    router = make_product("300.00")
    make_list("金牌价", (router, 1, "280.00"), tier=gold)
    make_list("大单价", (router, 10, "250.00"), partner=partner)

    # When ordering 9 and then 10
    nine, ten = prices_for(partner=partner, items=[(router, 9), (router, 10)], on=DAY)

    # Then 9 units get the tier price and 10 the partner break
    assert (nine.unit_price, nine.source.kind) == (Decimal("280.00"), "tier")
    assert (ten.unit_price, ten.source.kind) == (Decimal("250.00"), "partner")


def test_validity_dates_are_inclusive_and_expired_or_inactive_lists_are_ignored(in_a):
    # Given a list ending on DAY, one starting the day after, an expired one and an inactive one
    partner = make_partner()
    ending = make_product("100.00")
    later = make_product("100.00")
    expired = make_product("100.00")
    inactive = make_product("100.00")
    make_list("六月价", (ending, 1, "91.00"), partner=partner, valid_from=DAY, valid_to=DAY)
    make_list("七月价", (later, 1, "92.00"), partner=partner, valid_from=DAY + timedelta(days=1))
    make_list("五月价", (expired, 1, "93.00"), partner=partner, valid_to=DAY - timedelta(days=1))
    make_list("停用价", (inactive, 1, "94.00"), partner=partner, is_active=False)
    items = [(ending, 1), (later, 1), (expired, 1), (inactive, 1)]

    # When pricing on DAY and on the day after
    today = prices_for(partner=partner, items=items, on=DAY)
    tomorrow = prices_for(partner=partner, items=items, on=DAY + timedelta(days=1))

    # Then only lists valid on that day count, both ends included
    assert [q.unit_price for q in today] == [
        Decimal("91.00"),
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("100.00"),
    ]
    assert [q.unit_price for q in tomorrow] == [
        Decimal("100.00"),
        Decimal("92.00"),
        Decimal("100.00"),
        Decimal("100.00"),
    ]
    # and the explanation agrees on both days
    explained = {
        day: [(c.price, c.won, c.why_not) for c in price_explain(
            partner=partner, product=ending, quantity=1, on=day
        )]
        for day in (DAY, DAY + timedelta(days=1))
    }  # fmt: skip
    assert explained == {
        DAY: [(Decimal("91.00"), True, ""), (Decimal("100.00"), False, "a channel price applies")],
        DAY + timedelta(days=1): [
            (Decimal("91.00"), False, "ended on 2026-06-15"),
            (Decimal("100.00"), True, ""),
        ],
    }


def test_the_day_defaults_to_today_in_the_vendors_time_zone(in_a):
    # Given a list that ends today (vendor time) and one that ended yesterday
    partner = make_partner()
    today = timezone.localdate()
    current, old = make_product("50.00"), make_product("50.00")
    make_list("今天到期", (current, 1, "45.00"), partner=partner, valid_to=today)
    make_list("昨天到期", (old, 1, "44.00"), partner=partner, valid_to=today - timedelta(days=1))

    # When pricing without a day
    quotes = prices_for(partner=partner, items=[(current, 1), (old, 1)])

    # Then today is used
    assert [q.unit_price for q in quotes] == [Decimal("45.00"), Decimal("50.00")]


def test_ties_go_to_the_larger_break_then_the_latest_start_then_the_newest_list(in_a):
    # Given three products, each with two partner lists that tie on kind
    partner = make_partner()
    by_break, by_start, by_pk = make_product("10.00"), make_product("10.00"), make_product("10.00")
    make_list("A", (by_break, 1, "7.00"), (by_start, 1, "7.00"), partner=partner)
    make_list(
        "B", (by_break, 5, "8.00"), (by_start, 1, "8.00"), partner=partner,
        valid_from=DAY - timedelta(days=10),
    )  # fmt: skip
    make_list("C", (by_pk, 1, "6.00"), partner=partner, valid_from=DAY)
    newest = make_list("D", (by_pk, 1, "9.00"), partner=partner, valid_from=DAY)

    # When pricing 5 units of each
    quotes = prices_for(partner=partner, items=[(by_break, 5), (by_start, 5), (by_pk, 5)], on=DAY)

    # Then: larger break (not the cheaper price); dated start over open; higher list id
    assert [q.unit_price for q in quotes] == [Decimal("8.00"), Decimal("8.00"), Decimal("9.00")]
    assert [q.source.price_list_name for q in quotes] == ["B", "B", "D"]
    assert quotes[2].source.price_list_id == newest.pk


def test_prices_for_costs_one_query_for_any_number_of_products(in_a, gold):
    partner = make_partner(tier=gold, region="浙江")
    products = [make_product("10.00") for _ in range(30)]
    make_list("金牌价", *[(p, 1, "9.00") for p in products], tier=gold)
    make_list("浙江区域价", *[(p, 5, "8.00") for p in products[:10]], region="浙江")

    with CaptureQueriesContext(connection) as few:
        prices_for(partner=partner, items=[(p, 5) for p in products[:3]], on=DAY)
    with CaptureQueriesContext(connection) as many:
        quotes = prices_for(partner=partner, items=[(p, 5) for p in products], on=DAY)

    assert len(few) == len(many) == 1
    assert [q.unit_price for q in quotes] == [Decimal("8.00")] * 10 + [Decimal("9.00")] * 20


def test_price_explain_marks_one_winner_and_says_why_the_others_lost(in_a, gold):
    # Given every way of losing for a partner buying 5 units on 2026-07-01
    partner = make_partner(tier=gold, region="浙江")
    on = date(2026, 7, 1)
    tv = make_product("200.00")
    make_list("大单价", (tv, 10, "150.00"), partner=partner)
    make_list("上半年价", (tv, 1, "160.00"), partner=partner, valid_to=date(2026, 6, 30))
    make_list("下季度价", (tv, 1, "161.00"), partner=partner, valid_from=date(2026, 10, 1))
    make_list("停用价", (tv, 1, "162.00"), partner=partner, is_active=False)
    make_list("浙江区域价", (tv, 1, "180.00"), (tv, 3, "175.00"), region="浙江")
    make_list("金牌价", (tv, 1, "170.00"), tier=gold)

    # When explaining
    candidates = price_explain(partner=partner, product=tv, quantity=5, on=on)

    # Then exactly one winner, the price price_for gives, and a reason for every other
    rows = [(c.source.price_list_name, c.price, c.won, c.why_not) for c in candidates]
    assert sorted(rows, key=lambda r: r[1]) == [
        ("大单价", Decimal("150.00"), False, "quantity 5 is below this break of 10"),
        ("上半年价", Decimal("160.00"), False, "ended on 2026-06-30"),
        ("下季度价", Decimal("161.00"), False, "starts on 2026-10-01"),
        ("停用价", Decimal("162.00"), False, "inactive"),
        ("金牌价", Decimal("170.00"), False, "a region price wins over a tier price"),
        ("浙江区域价", Decimal("175.00"), True, ""),
        ("浙江区域价", Decimal("180.00"), False, "the larger break of 3 units applies"),
        ("", Decimal("200.00"), False, "a channel price applies"),
    ]
    assert [c.source.kind for c in candidates][-1] == "list"
    (winner,) = [c for c in candidates if c.won]
    assert winner.price == price_for(partner=partner, product=tv, quantity=5, on=on).unit_price
    assert winner.source.rule_text() == "Region price list 浙江区域价 (from 3 units)"


def test_price_explain_of_a_partner_list_over_region_and_the_date_and_id_ties(in_a):
    partner = make_partner(region="浙江")
    pad = make_product("60.00")
    make_list("浙江区域价", (pad, 1, "50.00"), region="浙江", valid_to=DAY)  # ends today: valid
    make_list("老价", (pad, 1, "55.00"), partner=partner)
    make_list("新价甲", (pad, 1, "56.00"), partner=partner, valid_from=DAY)
    make_list("新价乙", (pad, 1, "57.00"), partner=partner, valid_from=DAY)

    why = {c.source.price_list_name: (c.won, c.why_not) for c in price_explain(
        partner=partner, product=pad, quantity=1, on=DAY
    )}  # fmt: skip

    assert why == {
        "新价乙": (True, ""),
        "新价甲": (False, "新价乙 was created later and wins the tie"),
        "老价": (False, "新价乙, valid from 2026-06-15, is newer"),
        "浙江区域价": (False, "a partner price wins over a region price"),
        "": (False, "a channel price applies"),
    }


def test_price_explain_with_no_channel_price_lets_the_list_price_win(in_a, gold):
    partner = make_partner(tier=gold)
    other = make_partner()
    mouse = make_product("19.90")
    make_list("别人的价", (mouse, 1, "9.90"), partner=other)
    make_list("浙江区域价", (mouse, 1, "9.80"), region="浙江")  # partner is in 上海

    candidates = price_explain(partner=partner, product=mouse, quantity=1, on=DAY)

    assert [(c.source.kind, c.price, c.won, c.why_not) for c in candidates] == [
        ("list", Decimal("19.90"), True, "")
    ]


def test_a_partner_without_tier_gets_no_tier_price(in_a, gold):
    partner: Partner = make_partner()
    assert partner.tier_id is None
    cable = make_product("5.00")
    make_list("金牌价", (cable, 1, "4.00"), tier=gold)

    assert price_for(partner=partner, product=cable, quantity=1, on=DAY).unit_price == Decimal(
        "5.00"
    )
