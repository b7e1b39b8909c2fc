"""Catalog for benchmark data: product lines in families and series, categories, SKUs with
searchable Chinese and English names, three warehouses of stock, tier / region / partner price
lists with quantity breaks, and running promotions."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from orders.models import (
    Category,
    PriceList,
    PriceListKind,
    Product,
    Promotion,
    PromotionKind,
    Warehouse,
)
from partners.models import ProductLine

from .gen_partners import tiers_ensure
from .scales import Scale
from .sql import analyze, int_array, run

FAMILIES = [  # Chinese, English, SKU prefix, list price range
    ("工业网关", "Industrial gateway", "GW", (800, 12_000)),
    ("工业交换机", "Industrial switch", "SW", (600, 30_000)),
    ("工业路由器", "Industrial router", "RT", (900, 15_000)),
    ("传感器", "Sensor", "SN", (50, 3_000)),
    ("PLC控制器", "PLC controller", "PL", (1_500, 60_000)),
    ("变频器", "Frequency drive", "VF", (1_200, 80_000)),
    ("人机界面", "HMI panel", "HM", (900, 20_000)),
    ("工业相机", "Machine-vision camera", "CM", (2_000, 40_000)),
    ("开关电源", "Power supply", "PS", (60, 2_500)),
    ("软件许可", "Software licence", "LC", (500, 100_000)),
]
VARIANTS = [("标准版", "Standard"), ("增强版", "Plus"), ("4G版", "4G"), ("5G版", "5G"),
            ("宽温版", "Wide-temp"), ("防爆版", "Ex-proof"), ("导轨式", "DIN-rail"),
            ("机架式", "Rack-mount")]  # fmt: skip
TIER_SHARE = {  # the share of list price each tier pays, and from 50 units
    "bench-platinum": ("0.85", "0.82"),
    "bench-gold": ("0.88", "0.85"),
    "bench-silver": ("0.92", "0.90"),
    "bench-standard": ("0.96", "0.94"),
}
REGION_LISTS = ["广东", "江苏", "浙江", "山东", "四川", "湖北"]
WAREHOUSES = [("bench-east", "华东仓", "East DC", "上海", 1), ("bench-south", "华南仓",
              "South DC", "广东", 2), ("bench-west", "西南仓", "West DC", "四川", 3)]  # fmt: skip


@dataclass
class Catalog:
    lines: list[ProductLine]
    products: list[int]  # in SKU order
    prices: dict[int, Decimal]


def catalog_generate(scale: Scale, rng: random.Random) -> Catalog:
    lines = ProductLine.objects.bulk_create(
        [
            ProductLine(
                code=f"bench-{prefix.lower()}{i // len(FAMILIES) + 1}",
                name=f"{zh} {prefix}{i // len(FAMILIES) + 1}系列",
                name_en=f"{en} {prefix}{i // len(FAMILIES) + 1} series",
            )
            for i in range(scale.product_lines)
            for zh, en, prefix, _r in [FAMILIES[i % len(FAMILIES)]]
        ]
    )
    parents = Category.objects.bulk_create(
        [
            Category(code=f"bench-{prefix.lower()}", name=zh, name_en=en, position=i)
            for i, (zh, en, prefix, _r) in enumerate(FAMILIES)
        ]
    )
    children = Category.objects.bulk_create(
        [
            Category(
                code=f"{parent.code}-{j}",
                name=f"{parent.name}·{v_zh}",
                name_en=f"{parent.name_en}, {v_en}",
                parent=parent,
                position=j,
            )
            for parent in parents
            for j, (v_zh, v_en) in enumerate(VARIANTS[:4])
        ]
    )
    per_line = scale.skus // len(lines)
    rows = []
    for li, line in enumerate(lines):
        family = li % len(FAMILIES)
        zh, en, prefix, (low, high) = FAMILIES[family]
        series = line.code[-1]
        for k in range(per_line):
            v_zh, v_en = VARIANTS[k % len(VARIANTS)]
            model = f"{prefix}{series}-{k:04d}"
            rows.append(
                Product(
                    sku=f"{model}-{v_en[:2].upper()}",
                    name=f"{zh} {model} {v_zh}",
                    name_en=f"{en} {model} {v_en}",
                    category=children[family * 4 + k % 4],
                    product_line=line,
                    list_price=Decimal(rng.randrange(low, high)),
                    unit="套" if prefix == "LC" else "台",
                    pack_size=1 if k % 10 else 5,
                    min_order_quantity=1 if k % 10 else 5,
                )
            )
    products = Product.objects.bulk_create(rows, batch_size=5_000)
    analyze("orders_product")
    _stock()
    _price_lists()
    _promotions(products, rng)
    return Catalog(
        lines=lines,
        products=[p.pk for p in products],
        prices={p.pk: p.list_price for p in products},
    )


def _stock() -> None:
    warehouses = Warehouse.objects.bulk_create(
        [
            Warehouse(code=code, name=zh, name_en=en, region=region, priority=priority)
            for code, zh, en, region, priority in WAREHOUSES
        ]
    )
    run(
        f"""
        INSERT INTO orders_stock (product_id, warehouse_id, on_hand, reserved, safety_stock)
        SELECT p.id, w.id, 20 + floor(random() * 2000)::int, 0, 10
        FROM orders_product p CROSS JOIN unnest({int_array(w.pk for w in warehouses)}) AS w(id)
        """  # noqa: S608 - ids only
    )
    analyze("orders_stock")


def _price_lists() -> None:
    for tier in tiers_ensure():  # the partners' tiers, made here if the catalog comes first
        share, bulk = TIER_SHARE[tier.code]
        price_list = PriceList.objects.create(
            name=f"{tier.name}等级价", kind=PriceListKind.TIER, tier=tier
        )
        # Every SKU at the tier's share; one in ten cheaper again from 50 units.
        run(
            """
            INSERT INTO orders_pricelistitem (price_list_id, product_id, min_quantity, price)
            SELECT %s, id, 1, round(list_price * %s, 2) FROM orders_product
            UNION ALL
            SELECT %s, id, 50, round(list_price * %s, 2) FROM orders_product WHERE id %% 10 = 0
            """,
            [price_list.pk, Decimal(share), price_list.pk, Decimal(bulk)],
        )
    for i, province in enumerate(REGION_LISTS):
        price_list = PriceList.objects.create(
            name=f"{province}区域价", kind=PriceListKind.REGION, region=province
        )
        run(
            """
            INSERT INTO orders_pricelistitem (price_list_id, product_id, min_quantity, price)
            SELECT %s, id, 1, round(list_price * 0.87, 2) FROM orders_product
            WHERE id %% 10 = %s
            """,
            [price_list.pk, i + 1],
        )


def partner_price_lists(partner_ids: list[int], rng: random.Random) -> None:
    """Negotiated prices (客户价) for some partners: one SKU in fifty, 80 % of list."""
    for pid in partner_ids:
        price_list = PriceList.objects.create(
            name=f"客户价 {pid}", kind=PriceListKind.PARTNER, partner_id=pid
        )
        run(
            """
            INSERT INTO orders_pricelistitem (price_list_id, product_id, min_quantity, price)
            SELECT %s, id, 1, round(list_price * 0.80, 2) FROM orders_product
            WHERE id %% 50 = %s
            """,
            [price_list.pk, rng.randrange(50)],
        )
    analyze("orders_pricelist", "orders_pricelistitem")


def _promotions(products: list[Product], rng: random.Random) -> None:
    now = timezone.now()
    window = {"starts_at": now - timedelta(days=30), "ends_at": now + timedelta(days=365)}
    specs: list[tuple[str, str, str, str, dict[str, Any]]] = [
        ("bench-pct-5", "年终让利 5%", "Year-end 5% off", PromotionKind.PERCENT_OFF,
         {"percent": Decimal(5)}),
        ("bench-pct-8", "新品推广 8%", "New products 8% off", PromotionKind.PERCENT_OFF,
         {"percent": Decimal(8), "priority": 10}),
        ("bench-amount", "每台立减 20 元", "CNY 20 off each unit", PromotionKind.AMOUNT_OFF,
         {"amount": Decimal(20)}),
        ("bench-gift", "买十送一", "Buy 10 get 1", PromotionKind.GIFT,
         {"buy_quantity": 10, "gift_product": products[0], "gift_quantity": 1}),
    ]  # fmt: skip
    for code, zh, en, kind, fields in specs:
        promotion = Promotion.objects.create(
            code=code, name=zh, name_en=en, kind=kind, **window, **fields
        )
        promotion.products.set(rng.sample(products, max(1, len(products) // 20)))
