"""The quote: channel prices + line promotions, gifts, thresholds, limits and their claim."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from orders.models import (
    PriceList,
    PriceListItem,
    PriceListKind,
    Product,
    Promotion,
    PromotionKind,
    PromotionPartnerUsage,
    PromotionTier,
)
from orders.promotions import Quote, QuoteLine, promotions_claim, quote_build
from partners.models import Partner, ProductLine, Tier
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_product

pytestmark = pytest.mark.django_db

PERCENT, AMOUNT = PromotionKind.PERCENT_OFF, PromotionKind.AMOUNT_OFF
GIFT, THRESHOLD = PromotionKind.GIFT, PromotionKind.THRESHOLD
D = Decimal
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def at() -> datetime:
    return timezone.now()


def make_promotion(
    kind: str,
    *,
    products: Iterable[Product] = (),
    tiers: Iterable[Tier] = (),
    partners: Iterable[Partner] = (),
    steps: Iterable[tuple[str, str]] = (),
    **kw: Any,
) -> Promotion:
    n = next(_seq)
    now = timezone.now()
    promotion = Promotion.objects.create(
        code=kw.pop("code", f"promo-{n}"),
        name=kw.pop("name", f"促销{n}"),
        kind=kind,
        starts_at=kw.pop("starts_at", now - timedelta(days=1)),
        ends_at=kw.pop("ends_at", now + timedelta(days=1)),
        **kw,
    )
    promotion.products.set(products)
    promotion.eligible_tiers.set(tiers)
    promotion.eligible_partners.set(partners)
    PromotionTier.objects.bulk_create(
        PromotionTier(promotion=promotion, threshold=D(t), discount=D(d)) for t, d in steps
    )
    return promotion


def make_tier(code: str, rank: int) -> Tier:
    return Tier.objects.create(code=code, name=f"{code}级", name_en=code.title(), rank=rank)


def money(line: QuoteLine) -> tuple[Decimal, ...]:
    return (line.gross, line.discount, line.net, line.order_discount, line.total)


def codes(quote: Quote) -> list[tuple[str, int]]:
    return [(a.promotion.code, a.units) for a in quote.applied]


# --- line promotions --------------------------------------------------------------------------


def test_percent_off_is_rounded_half_up_once_per_line(in_a, at):
    # Given 15 % off 33.33 and 5 % off 0.50
    partner = make_partner()
    cable, sticker = make_product("33.33"), make_product("0.50")
    make_promotion(PERCENT, percent=D("15"), products=[cable])
    make_promotion(PERCENT, percent=D("5"), products=[sticker])

    # When quoting 3 cables and 5 stickers
    quote = quote_build(partner=partner, items=[(cable, 3), (sticker, 5)], at=at)

    # Then 99.99 x 15 % = 14.9985 -> 15.00, and 2.50 x 5 % = 0.125 -> 0.13 (half-up, once;
    # per unit it would be 0.03 x 5 = 0.15, half-even 0.12)
    cables, stickers = quote.lines
    assert money(cables) == (D("99.99"), D("15.00"), D("84.99"), D("0.00"), D("84.99"))
    assert money(stickers) == (D("2.50"), D("0.13"), D("2.37"), D("0.00"), D("2.37"))
    assert (quote.subtotal, quote.line_discount, quote.total) == (
        D("102.49"),
        D("15.13"),
        D("87.36"),
    )
    assert quote.currency == "CNY"


def test_amount_off_is_per_unit_and_never_below_a_zero_price(in_a, at):
    partner = make_partner()
    charger, clip = make_product("30.00"), make_product("5.00")
    make_promotion(AMOUNT, amount=D("12.50"), products=[charger])
    make_promotion(AMOUNT, amount=D("8.00"), products=[clip])

    quote = quote_build(partner=partner, items=[(charger, 2), (clip, 3)], at=at)

    assert money(quote.lines[0]) == (D("60.00"), D("25.00"), D("35.00"), D("0.00"), D("35.00"))
    assert money(quote.lines[1]) == (D("15.00"), D("15.00"), D("0.00"), D("0.00"), D("0.00"))

    # A promotion that takes nothing off (a free sample) is not recorded nor counted
    sample = make_product("0.00")
    make_promotion(PERCENT, percent=D("10"), stackable=True, products=[sample], code="sample")
    free = quote_build(partner=partner, items=[(sample, 2)], at=at)
    assert (free.lines[0].discount, free.lines[0].promotions, free.applied) == (D("0.00"), [], [])


def test_stackable_promotions_chain_on_the_running_price_and_beat_a_smaller_single(in_a, at):
    # Given, on 100.00: stackable 10 % (priority 5) then stackable 5.00 off (priority 1),
    # and a non-stackable 12 %; on a second product also a non-stackable 20 %
    partner = make_partner()
    lock, safe = make_product("100.00"), make_product("100.00")
    ten = make_promotion(PERCENT, percent=D("10"), stackable=True, priority=5, code="ten")
    five = make_promotion(AMOUNT, amount=D("5.00"), stackable=True, priority=1, code="five")
    make_promotion(PERCENT, percent=D("12"), code="twelve")
    make_promotion(PERCENT, percent=D("20"), products=[safe], code="twenty")

    # When quoting 2 of each
    quote = quote_build(partner=partner, items=[(lock, 2), (safe, 2)], at=at)

    # Then the lock gets A: 100 -> 90 -> 85 = 15.00 a unit (5 off first would be 14.50), 30.00
    # beats 12 % = 24.00; the safe gets B: 20 % = 40.00 beats 30.00
    locks, safes = quote.lines
    assert locks.discount == D("30.00")
    assert [(p["code"], p["amount"], p["units"]) for p in locks.promotions] == [
        ("ten", "20.00", 2),
        ("five", "10.00", 2),
    ]
    assert [p["id"] for p in locks.promotions] == [ten.pk, five.pk]
    assert safes.discount == D("40.00")
    assert [(p["code"], p["amount"]) for p in safes.promotions] == [("twenty", "40.00")]
    assert codes(quote) == [("ten", 2), ("five", 2), ("twenty", 2)]


def test_ties_between_options_go_to_the_stack_then_to_priority_then_to_the_older_promotion(
    in_a, at
):
    partner = make_partner()
    tie_ab, tie_priority, tie_pk = (make_product("80.00") for _ in range(3))
    make_promotion(PERCENT, percent=D("10"), stackable=True, products=[tie_ab], code="stack")
    make_promotion(PERCENT, percent=D("10"), products=[tie_ab], code="single")
    make_promotion(PERCENT, percent=D("10"), products=[tie_priority], priority=1, code="low")
    make_promotion(PERCENT, percent=D("10"), products=[tie_priority], priority=2, code="high")
    make_promotion(PERCENT, percent=D("10"), products=[tie_pk], code="older")
    make_promotion(PERCENT, percent=D("10"), products=[tie_pk], code="newer")

    quote = quote_build(partner=partner, items=[(tie_ab, 1), (tie_priority, 1), (tie_pk, 1)], at=at)

    assert [[p["code"] for p in line.promotions] for line in quote.lines] == [
        ["stack"],
        ["high"],
        ["older"],
    ]
    assert [line.discount for line in quote.lines] == [D("8.00")] * 3


def test_line_promotions_apply_to_the_channel_price(in_a, at):
    # Given a partner price of 850.00 on a lock listed at 899.00, and 5 % off locks
    partner = make_partner()
    lock = make_product("899.00")
    price_list = PriceList.objects.create(
        name="华东专享", kind=PriceListKind.PARTNER, partner=partner
    )
    PriceListItem.objects.create(price_list=price_list, product=lock, price=D("850.00"))
    make_promotion(PERCENT, percent=D("5"), products=[lock])

    (line,) = quote_build(partner=partner, items=[(lock, 3)], at=at).lines

    assert (line.list_price, line.unit_price, line.price_rule) == (
        D("899.00"),
        D("850.00"),
        "Partner price list 华东专享",
    )
    assert money(line) == (D("2550.00"), D("127.50"), D("2422.50"), D("0.00"), D("2422.50"))


# --- gifts ------------------------------------------------------------------------------------


def test_gifts_are_counted_per_line_and_added_as_free_lines(in_a, at):
    # Given buy 5 phones or tablets get 1 charger, and buy 3 of anything get 2 cables
    partner = make_partner()
    phone, tablet, case = make_product("1999.00"), make_product("2999.00"), make_product("9.90")
    charger, cable = make_product("39.00"), make_product("12.00")
    make_promotion(
        GIFT, buy_quantity=5, gift_quantity=1, gift_product=charger, products=[phone, tablet],
        code="charger", priority=2,
    )  # fmt: skip
    make_promotion(GIFT, buy_quantity=3, gift_quantity=2, gift_product=cable, code="cable")

    # When buying 5 phones, 5 tablets, 10 cases (and 4 phones on another line)
    quote = quote_build(
        partner=partner, items=[(phone, 5), (tablet, 5), (case, 10), (phone, 4)], at=at
    )

    # Then per line: 1 + 1 chargers (not 14 // 5), and cables 2 + 2 + 6 + 2
    gifts = [line for line in quote.lines if line.is_gift]
    assert [(g.product, g.quantity, g.list_price, g.unit_price) for g in gifts] == [
        (charger, 2, D("39.00"), D("0.00")),
        (cable, 12, D("12.00"), D("0.00")),
    ]
    assert all(money(g) == (D("0.00"),) * 5 for g in gifts)
    assert {k: v for k, v in gifts[0].promotions[0].items() if k in ("units", "amount")} == {
        "units": 2
    }
    assert gifts[0].price_rule.startswith("Gift from promotion")
    assert quote.subtotal == D("33085.00")  # 9995 + 14995 + 99 + 7996: gifts cost nothing
    assert quote.total == quote.subtotal
    assert codes(quote) == [("charger", 2), ("cable", 12)]


# --- thresholds -------------------------------------------------------------------------------


def test_a_threshold_gives_the_highest_step_reached_on_the_net_after_line_discounts(in_a, at):
    # Given 满1000减50 / 满2000减150 / 满5000减500
    partner = make_partner()
    steps = [("1000.00", "50.00"), ("2000.00", "150.00"), ("5000.00", "500.00")]
    make_promotion(THRESHOLD, steps=steps, code="spend")
    tv, soundbar = make_product("1200.00"), make_product("400.00")

    # When the net is 2000.00
    full = quote_build(partner=partner, items=[(tv, 1), (soundbar, 2)], at=at)

    # Then 150.00, spread 90.00 / 60.00 in proportion to net
    assert full.order_discount == D("150.00")
    assert [line.order_discount for line in full.lines] == [D("90.00"), D("60.00")]
    assert [line.total for line in full.lines] == [D("1110.00"), D("740.00")]
    assert full.total == D("1850.00")
    assert full.lines[0].promotions == [
        {
            "id": full.applied[0].promotion.pk,
            "code": "spend",
            "name": full.applied[0].promotion.name,
            "name_en": "",
            "kind": "threshold",
            "amount": "90.00",
        }
    ]
    assert codes(full) == [("spend", 1)]

    # And when a 10 % line promotion on the TV brings the net to 1880.00, the 1000 step applies
    make_promotion(PERCENT, percent=D("10"), products=[tv])
    reduced = quote_build(partner=partner, items=[(tv, 1), (soundbar, 2)], at=at)
    assert reduced.order_discount == D("50.00")
    # 50 x 1080/1880 = 28.7234 -> 28.72, 50 x 800/1880 = 21.2766 -> 21.28
    assert [line.order_discount for line in reduced.lines] == [D("28.72"), D("21.28")]
    assert reduced.total == D("1830.00")


def test_threshold_shares_add_up_exactly_the_remainder_going_to_the_largest_line(in_a, at):
    partner = make_partner()
    make_promotion(THRESHOLD, steps=[("1000.00", "100.00")], code="big")
    a, b, c = make_product("333.33"), make_product("333.33"), make_product("333.34")
    make_promotion(THRESHOLD, steps=[("30.00", "10.00")], code="small")

    # 100 x 333.33 / 1000 = 33.333 -> 33.33 twice; the 0.01 left goes to the 333.34 line
    quote = quote_build(partner=partner, items=[(a, 1), (b, 1), (c, 1)], at=at)
    assert [line.order_discount for line in quote.lines] == [D("33.33"), D("33.33"), D("33.34")]
    assert sum(line.order_discount for line in quote.lines) == quote.order_discount == D("100.00")

    # Three equal lines of 10.00 and 10.00 off: 3.33 each, the remainder to the first
    ten = [make_product("10.00") for _ in range(3)]
    small = quote_build(partner=partner, items=[(p, 1) for p in ten], at=at)
    assert [line.order_discount for line in small.lines] == [D("3.34"), D("3.33"), D("3.33")]
    assert small.total == D("20.00")


def test_thresholds_combine_like_line_promotions_and_never_exceed_the_net(in_a, at):
    partner = make_partner()
    speaker = make_product("1000.00")
    make_promotion(THRESHOLD, steps=[("1000.00", "50.00")], stackable=True, code="s50")
    make_promotion(THRESHOLD, steps=[("1000.00", "30.00")], stackable=True, code="s30")
    make_promotion(THRESHOLD, steps=[("1000.00", "70.00")], code="n70")

    quote = quote_build(partner=partner, items=[(speaker, 1)], at=at)

    # 50 + 30 = 80 beats the single 70
    assert quote.order_discount == D("80.00")
    assert [(p["code"], p["amount"]) for p in quote.lines[0].promotions] == [
        ("s50", "50.00"),
        ("s30", "30.00"),
    ]

    # Two stackable 30-off-30 on a 30.00 order: 60 capped to 30
    cheap = make_product("30.00")
    make_promotion(
        THRESHOLD, steps=[("30.00", "30.00")], stackable=True, products=[cheap], code="c1"
    )
    make_promotion(
        THRESHOLD, steps=[("30.00", "30.00")], stackable=True, products=[cheap], code="c2"
    )
    free = quote_build(partner=partner, items=[(cheap, 1)], at=at)
    assert (free.order_discount, free.total) == (D("30.00"), D("0.00"))


def test_a_threshold_with_products_counts_only_their_net(in_a, at):
    partner = make_partner()
    lock, bulb = make_product("900.00"), make_product("500.00")
    make_promotion(THRESHOLD, steps=[("1000.00", "100.00")], products=[lock])

    assert quote_build(partner=partner, items=[(lock, 1), (bulb, 1)], at=at).order_discount == 0
    two_locks = quote_build(partner=partner, items=[(lock, 2), (bulb, 1)], at=at)
    # spread over every paid line by net: 100 x 1800/2300 = 78.26, 100 x 500/2300 = 21.74
    assert [line.order_discount for line in two_locks.lines] == [D("78.26"), D("21.74")]


# --- eligibility ------------------------------------------------------------------------------


def test_eligibility_by_tier_region_or_partner(in_a, at):
    gold, silver = make_tier("gold-promo", 911), make_tier("silver-promo", 912)
    chosen = make_partner(tier=silver, region="上海")
    make_promotion(GIFT, tiers=[gold], **_gift("tier"))
    make_promotion(GIFT, eligible_regions=["浙江"], **_gift("region"))
    make_promotion(GIFT, partners=[chosen], **_gift("partner"))
    make_promotion(GIFT, tiers=[gold], eligible_regions=["江苏"], **_gift("either"))
    make_promotion(GIFT, **_gift("everyone"))
    phone = make_product("100.00")
    who = {
        "gold 上海": make_partner(tier=gold, region="上海"),
        "silver 浙江": make_partner(tier=silver, region="浙江"),
        "silver 江苏": make_partner(tier=silver, region="江苏"),
        "chosen": chosen,
        "no tier 北京": make_partner(region="北京"),
    }

    got = {
        name: sorted(code for code, _u in codes(quote_build(partner=p, items=[(phone, 1)], at=at)))
        for name, p in who.items()
    }

    assert got == {
        "gold 上海": ["either", "everyone", "tier"],
        "silver 浙江": ["everyone", "region"],
        "silver 江苏": ["either", "everyone"],
        "chosen": ["everyone", "partner"],
        "no tier 北京": ["everyone"],
    }


def test_only_active_promotions_within_their_window_apply(in_a, at):
    partner = make_partner()
    phone = make_product("100.00")
    make_promotion(GIFT, starts_at=at, ends_at=at + timedelta(hours=1), **_gift("starts-now"))
    make_promotion(GIFT, starts_at=at - timedelta(hours=1), ends_at=at, **_gift("ends-now"))
    make_promotion(GIFT, is_active=False, **_gift("off"))

    assert codes(quote_build(partner=partner, items=[(phone, 1)], at=at)) == [("starts-now", 1)]


def _gift(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "buy_quantity": 1,
        "gift_quantity": 1,
        "gift_product": make_product("1.00"),
    }


# --- limits -----------------------------------------------------------------------------------


def test_limits_cap_line_promotions_at_quote_time(in_a, at):
    partner = make_partner()
    other = make_partner()
    bike, helmet, lamp = make_product("100.00"), make_product("100.00"), make_product("100.00")
    # 5 overall, 3 already used: 2 left
    make_promotion(
        PERCENT, percent=D("10"), limit_total=5, used_total=3, products=[bike], code="left2"
    )
    # 5 overall, shared by two lines of the same quote
    make_promotion(PERCENT, percent=D("10"), limit_total=5, products=[helmet], code="shared")
    # 4 per partner, this partner used 3
    per = make_promotion(PERCENT, percent=D("10"), limit_per_partner=4, products=[lamp], code="per")
    PromotionPartnerUsage.objects.create(promotion=per, partner=partner, used=3)

    quote = quote_build(
        partner=partner, items=[(bike, 4), (helmet, 3), (helmet, 3), (lamp, 2)], at=at
    )

    # Pro rata on the units left: 2 x 10.00; 3 then 2 helmets; 1 lamp
    assert [line.discount for line in quote.lines] == [
        D("20.00"),
        D("30.00"),
        D("20.00"),
        D("10.00"),
    ]
    assert codes(quote) == [("left2", 2), ("shared", 5), ("per", 1)]
    # Another partner still has 4 lamps at 10 % off
    assert quote_build(partner=other, items=[(lamp, 5)], at=at).lines[0].discount == D("40.00")


def test_capped_stacked_promotions_reach_the_dearest_units_first(in_a, at):
    partner = make_partner()
    drone = make_product("100.00")
    make_promotion(PERCENT, percent=D("10"), stackable=True, priority=2, limit_total=2)
    make_promotion(PERCENT, percent=D("10"), stackable=True, priority=1, limit_total=2)

    (line,) = quote_build(partner=partner, items=[(drone, 4)], at=at).lines

    # the second promotion takes the two undiscounted units (10 + 10), not 9 + 9
    assert line.discount == D("40.00")


def test_limits_cap_gifts_and_stop_used_up_thresholds(in_a, at):
    partner = make_partner()
    phone, card = make_product("500.00"), make_product("49.00")
    make_promotion(
        GIFT, buy_quantity=1, gift_quantity=1, gift_product=card, limit_total=3, used_total=1,
        code="cards",
    )  # fmt: skip
    make_promotion(THRESHOLD, steps=[("100.00", "20.00")], limit_total=1, used_total=1)
    make_promotion(THRESHOLD, steps=[("100.00", "10.00")], limit_per_partner=1, code="once")

    quote = quote_build(partner=partner, items=[(phone, 5)], at=at)

    assert [(line.product, line.quantity) for line in quote.lines if line.is_gift] == [(card, 2)]
    assert quote.order_discount == D("10.00")
    assert codes(quote) == [("cards", 2), ("once", 1)]


def test_claim_counts_units_and_refuses_a_stale_quote_without_half_counting(in_a, at):
    # Given 5 units overall of 10 % off, and two quotes of 3 made before either is claimed
    partner = make_partner()
    tv = make_product("100.00")
    # (the gift first: it is claimed first, so the refusal must undo its count)
    gift = make_promotion(GIFT, buy_quantity=1, gift_quantity=1, gift_product=make_product())
    promotion = make_promotion(
        PERCENT, percent=D("10"), limit_total=5, limit_per_partner=10, name="双十一电视"
    )
    first = quote_build(partner=partner, items=[(tv, 3)], at=at)
    second = quote_build(partner=partner, items=[(tv, 3)], at=at)

    # When both are claimed
    promotions_claim(quote=first, partner=partner)
    with pytest.raises(ValidationError) as refused:
        promotions_claim(quote=second, partner=partner)

    # Then the first counts 3 overall and for the partner, the second is refused by name
    assert refused.value.messages == ["Promotion 双十一电视 has run out; review your cart."]
    promotion.refresh_from_db()
    gift.refresh_from_db()
    assert promotion.used_total == 3
    assert gift.used_total == 3  # not 6: the refused claim counted nothing
    assert PromotionPartnerUsage.objects.get(promotion=promotion, partner=partner).used == 3
    assert PromotionPartnerUsage.objects.get(promotion=gift, partner=partner).used == 3
    # And a new quote sees the 2 units left
    assert codes(quote_build(partner=partner, items=[(tv, 3)], at=at))[-1] == (
        promotion.code,
        2,
    )


def test_claim_refuses_past_the_partner_limit(in_a, at):
    partner = make_partner()
    tv = make_product("100.00")
    promotion = make_promotion(PERCENT, percent=D("10"), limit_per_partner=4, name="每家四台")
    stale = quote_build(partner=partner, items=[(tv, 3)], at=at)
    promotions_claim(quote=quote_build(partner=partner, items=[(tv, 2)], at=at), partner=partner)

    with pytest.raises(ValidationError) as refused:
        promotions_claim(quote=stale, partner=partner)

    assert refused.value.messages == [
        "Promotion 每家四台 has reached its limit for your company; review your cart."
    ]
    promotion.refresh_from_db()
    assert promotion.used_total == 2  # the overall count of the refused claim rolled back
    assert PromotionPartnerUsage.objects.get(promotion=promotion, partner=partner).used == 2


# --- the whole cart, and what it costs -------------------------------------------------------


def test_a_whole_cart_is_consistent_and_json_ready(in_a, at):
    # The worked example of docs/ordering.md
    gold = make_tier("gold-cart", 921)
    partner = make_partner(tier=gold, region="浙江")
    lock, camera, card = make_product("899.00"), make_product("259.99"), make_product("49.00")
    own = PriceList.objects.create(name="华东专享", kind=PriceListKind.PARTNER, partner=partner)
    PriceListItem.objects.create(price_list=own, product=lock, price=D("850.00"))
    tier_list = PriceList.objects.create(name="金牌价", kind=PriceListKind.TIER, tier=gold)
    PriceListItem.objects.create(
        price_list=tier_list, product=camera, min_quantity=10, price=D("240.00")
    )
    make_promotion(PERCENT, percent=D("5"), products=[lock], code="lock-95")
    make_promotion(
        GIFT, buy_quantity=10, gift_quantity=1, gift_product=card, products=[camera], code="card"
    )
    make_promotion(THRESHOLD, steps=[("4000.00", "100.00"), ("5000.00", "300.00")], code="spend")

    quote = quote_build(partner=partner, items=[(lock, 3), (camera, 10)], at=at)

    locks, cameras, cards = quote.lines
    assert money(locks) == (D("2550.00"), D("127.50"), D("2422.50"), D("50.23"), D("2372.27"))
    assert money(cameras) == (D("2400.00"), D("0.00"), D("2400.00"), D("49.77"), D("2350.23"))
    assert (cards.is_gift, cards.quantity, cards.list_price) == (True, 1, D("49.00"))
    assert cameras.price_rule == "Tier price list 金牌价 (from 10 units)"
    assert (quote.subtotal, quote.line_discount, quote.order_discount, quote.total) == (
        D("4950.00"),
        D("127.50"),
        D("100.00"),
        D("4722.50"),
    )
    assert quote.discount_total == D("227.50")
    assert sum(line.total for line in quote.lines) == quote.total
    assert codes(quote) == [("lock-95", 3), ("card", 1), ("spend", 1)]
    json.dumps([line.promotions for line in quote.lines])


def test_quote_queries_do_not_grow_with_the_lines(in_a, at):
    gold = make_tier("gold-queries", 931)
    partner = make_partner(tier=gold, region="浙江")
    products = [make_product("100.00") for _ in range(20)]
    tier_list = PriceList.objects.create(name="金牌价", kind=PriceListKind.TIER, tier=gold)
    PriceListItem.objects.bulk_create(
        PriceListItem(price_list=tier_list, product=p, min_quantity=2, price=D("90.00"))
        for p in products
    )
    make_promotion(PERCENT, percent=D("5"), products=products[::2], tiers=[gold])
    make_promotion(AMOUNT, amount=D("1.00"), stackable=True, eligible_regions=["浙江"])
    make_promotion(PERCENT, percent=D("3"), stackable=True, limit_per_partner=100)
    make_promotion(GIFT, buy_quantity=2, gift_quantity=1, gift_product=make_product("5.00"))
    make_promotion(THRESHOLD, steps=[("100.00", "5.00"), ("1000.00", "50.00")])

    with CaptureQueriesContext(connection) as two:
        small = quote_build(partner=partner, items=[(p, 2) for p in products[:2]], at=at)
    with CaptureQueriesContext(connection) as twenty:
        large = quote_build(partner=partner, items=[(p, 2) for p in products], at=at)

    assert len(two) == len(twenty) <= 6
    assert (len(small.lines), len(large.lines)) == (3, 21)
    assert large.order_discount == D("50.00")


def test_an_empty_cart_quotes_zero_without_queries(in_a, at):
    partner = make_partner()
    with CaptureQueriesContext(connection) as queries:
        quote = quote_build(partner=partner, items=[], at=at)
    assert (quote.lines, quote.total, quote.applied) == ([], D("0.00"), [])
    assert len(queries) == 0


# --- the claim race ---------------------------------------------------------------------------


def test_concurrent_checkouts_cannot_claim_more_than_is_left(tenant_a):
    """Three checkouts of 2 units each race for 5 units: two win, one is refused."""
    ids = in_thread("alpha", _race_setup)
    try:
        quote = in_thread(
            "alpha",
            lambda: quote_build(
                partner=Partner.objects.get(pk=ids["partner"]),
                items=[(Product.objects.get(pk=ids["product"]), 2)],
            ),
        )
        assert [(a.promotion.pk, a.units) for a in quote.applied] == [(ids["total"], 2)]

        results = run_concurrently("alpha", [lambda: _claim(quote, ids["partner"])] * 3)
        used_total, used = in_thread(
            "alpha",
            lambda: (
                Promotion.objects.get(pk=ids["total"]).used_total,
                PromotionPartnerUsage.objects.get(promotion_id=ids["total"]).used,
            ),
        )

        assert sorted(results) == [
            "ok",
            "ok",
            "refused: Promotion 限量抢购 has run out; review your cart.",
        ]
        assert (used_total, used) == (4, 4)

        # Per partner: 3 allowed, two checkouts of 2 units for the same partner
        per_partner = in_thread(
            "alpha",
            lambda: quote_build(
                partner=Partner.objects.get(pk=ids["partner"]),
                items=[(Product.objects.get(pk=ids["other_product"]), 2)],
            ),
        )
        results = run_concurrently("alpha", [lambda: _claim(per_partner, ids["partner"])] * 2)
        used = in_thread(
            "alpha", lambda: PromotionPartnerUsage.objects.get(promotion_id=ids["per"]).used
        )

        assert sorted(results) == [
            "ok",
            "refused: Promotion 每家限三 has reached its limit for your company; review your cart.",
        ]
        assert used == 2
    finally:
        in_thread("alpha", lambda: _race_remove(ids))


def _race_setup() -> dict[str, int]:
    line = ProductLine.objects.create(code=f"race-{time.time_ns()}", name="并发测试")
    partner = Partner.objects.create(name="并发促销伙伴有限公司", region="上海")
    product = Product.objects.create(
        sku=f"RACE-{time.time_ns()}", name="抢购电视", product_line=line, list_price=D("100.00")
    )
    other = Product.objects.create(
        sku=f"RACE2-{time.time_ns()}", name="限购音箱", product_line=line, list_price=D("50.00")
    )
    now = timezone.now()
    window = {"starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=1)}
    total = Promotion.objects.create(
        code=f"race-total-{time.time_ns()}", name="限量抢购", kind=PERCENT, percent=D("10"),
        limit_total=5, **window,
    )  # fmt: skip
    total.products.set([product])
    per = Promotion.objects.create(
        code=f"race-per-{time.time_ns()}", name="每家限三", kind=PERCENT, percent=D("10"),
        limit_per_partner=3, **window,
    )  # fmt: skip
    per.products.set([other])
    return {
        "line": line.pk,
        "partner": partner.pk,
        "product": product.pk,
        "other_product": other.pk,
        "total": total.pk,
        "per": per.pk,
    }


def _claim(quote: Quote, partner_id: int) -> str:
    try:
        with translation.override("en"), transaction.atomic():  # threads start in the default
            promotions_claim(quote=quote, partner=Partner.objects.get(pk=partner_id))
            time.sleep(0.3)  # hold the transaction open so the others overlap with it
    except ValidationError as exc:
        return "refused: " + " ".join(exc.messages)
    return "ok"


def _race_remove(ids: dict[str, int]) -> None:
    # Only the rows this test made, in SQL, children first.
    statements = [
        "DELETE FROM orders_promotionpartnerusage WHERE promotion_id IN (%(total)s, %(per)s)",
        "DELETE FROM orders_promotion_products WHERE promotion_id IN (%(total)s, %(per)s)",
        "DELETE FROM orders_promotion WHERE id IN (%(total)s, %(per)s)",
        "DELETE FROM auditlog_logentry WHERE object_pk IN (%(product)s::text, "
        "%(other_product)s::text) AND content_type_id = (SELECT id FROM django_content_type "
        "WHERE app_label = 'orders' AND model = 'product')",
        "DELETE FROM auditlog_logentry WHERE object_pk = %(partner)s::text AND content_type_id = "
        "(SELECT id FROM django_content_type WHERE app_label = 'partners' AND model = 'partner')",
        "DELETE FROM orders_product WHERE id IN (%(product)s, %(other_product)s)",
        "DELETE FROM reports_rolluppending WHERE partner_id = %(partner)s",
        "DELETE FROM reports_saleslinemonth WHERE partner_id = %(partner)s",
        "DELETE FROM reports_partnermonth WHERE partner_id = %(partner)s",
        "DELETE FROM partners_partner WHERE id = %(partner)s",
        "DELETE FROM partners_productline WHERE id = %(line)s",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, ids)
