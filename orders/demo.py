"""The demo vendor's ordering mall: a catalog with channel prices and promotions, two warehouses,
money on account, and five months of orders in every state, all made through the services."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partners.gates import ORDERING, partner_blockers
from partners.models import Partner, ProductLine, Tier
from prm.accounts.models import User
from prm.accounts.roles import Role

from .checkout import CheckoutLine, checkout
from .inventory import stock_receive
from .ledger import ledger_post, payment_record, top_up_submit
from .models import (
    Category,
    EntryKind,
    LedgerEntry,
    Order,
    OrderLine,
    OrderStatusChange,
    PriceList,
    PriceListItem,
    Product,
    Promotion,
    PromotionTier,
    ReviewStep,
    Shipment,
    Stock,
    Warehouse,
)
from .sellthrough import channel_stock_submit, sellout_record
from .workflow import (
    order_approve,
    order_cancel,
    order_complete,
    order_confirm_receipt,
    order_reject,
    order_ship,
)

CATEGORIES = [
    ("locks", "智能门锁", "Smart locks"),
    ("security", "安防监控", "Security"),
    ("networking", "网络设备", "Networking"),
    ("smart-home", "智能家居", "Smart home"),
]
# sku, Chinese, English, line, list price, pack, minimum, attributes
PRODUCTS = [
    (
        "LK-100",
        "智能门锁 LK-100",
        "Smart door lock LK-100",
        "locks",
        "899.00",
        1,
        1,
        {"颜色": "黑色"},
    ),
    (
        "LK-300",
        "指纹人脸门锁 LK-300",
        "Fingerprint and face lock LK-300",
        "locks",
        "1599.00",
        1,
        1,
        {"颜色": "香槟金"},
    ),
    ("CAM-2K", "2K 室内网络摄像头", "2K indoor network camera", "security", "259.00", 2, 4, {}),
    (
        "CAM-4K-O",
        "4K 室外枪型摄像头",
        "4K outdoor bullet camera",
        "security",
        "689.00",
        1,
        1,
        {"防护": "IP67"},
    ),
    (
        "NVR-8",
        "8 路网络硬盘录像机",
        "8-channel network video recorder",
        "security",
        "1280.00",
        1,
        1,
        {},
    ),
    (
        "RT-AX3000",
        "Wi-Fi 6 路由器 AX3000",
        "Wi-Fi 6 router AX3000",
        "networking",
        "399.00",
        1,
        1,
        {},
    ),
    ("RT-MESH3", "Mesh 路由三只装", "Mesh router 3-pack", "networking", "1099.00", 1, 1, {}),
    ("SW-16P", "16 口 PoE 交换机", "16-port PoE switch", "networking", "1450.00", 1, 1, {}),
    ("HUB-Z", "智能家居网关", "Smart home hub", "smart-home", "299.00", 1, 1, {}),
    ("SEN-DOOR", "门窗传感器", "Door and window sensor", "smart-home", "69.00", 10, 20, {}),
]


@dataclass
class Staff:
    admin: User
    desk: User
    finance: User


def seed_catalog() -> list[Product]:
    categories = {
        code: Category.objects.create(code=code, name=zh, name_en=en, position=i)
        for i, (code, zh, en) in enumerate(CATEGORIES)
    }
    return [
        Product.objects.create(
            sku=sku,
            name=zh,
            name_en=en,
            category=categories[line],
            product_line=ProductLine.objects.get(code=line),
            list_price=Decimal(price),
            pack_size=pack,
            min_order_quantity=minimum,
            attributes=attributes,
        )
        for sku, zh, en, line, price, pack, minimum, attributes in PRODUCTS
    ]


def _stock(products: list[Product]) -> None:
    shanghai = Warehouse.objects.create(
        code="sh", name="上海总仓", name_en="Shanghai DC", region="上海", priority=1
    )
    guangzhou = Warehouse.objects.create(
        code="gz", name="广州仓", name_en="Guangzhou", region="广东", priority=2
    )
    for product in products:
        stock_receive(
            product=product, warehouse=shanghai, quantity=600, memo="期初入库 / opening stock"
        )
        stock_receive(
            product=product, warehouse=guangzhou, quantity=200, memo="期初入库 / opening stock"
        )
    # One product runs low, so the order desk has an alert to look at.
    Stock.objects.filter(product__sku="NVR-8").update(safety_stock=500)


def _prices(products: list[Product], partners: list[Partner]) -> None:
    by_sku = {p.sku: p for p in products}
    today = timezone.localdate()
    for code, off in (("platinum", "0.88"), ("gold", "0.92"), ("silver", "0.96")):
        tier = Tier.objects.filter(code=code).first()
        if tier is None:
            continue
        price_list = PriceList.objects.create(
            name=f"{tier.name}等级价",
            kind="tier",
            tier=tier,
            valid_from=today - timedelta(days=400),
        )
        PriceListItem.objects.bulk_create(
            PriceListItem(
                price_list=price_list,
                product=p,
                price=(p.list_price * Decimal(off)).quantize(Decimal("1")),
            )
            for p in products
        )
    south = PriceList.objects.create(
        name="华南安防区域价", kind="region", region="广东", valid_from=today - timedelta(days=90)
    )
    for sku, price in (("CAM-2K", "219.00"), ("CAM-4K-O", "599.00")):
        PriceListItem.objects.create(price_list=south, product=by_sku[sku], price=Decimal(price))
    huadong = PriceList.objects.create(
        name="华东智能专享价",
        kind="partner",
        partner=partners[0],
        valid_from=today - timedelta(days=200),
    )
    PriceListItem.objects.create(
        price_list=huadong, product=by_sku["LK-100"], price=Decimal("759.00")
    )
    PriceListItem.objects.create(
        price_list=huadong, product=by_sku["LK-100"], min_quantity=50, price=Decimal("729.00")
    )
    # An offer that has ended, so the price check page can show why it no longer applies.
    ended = PriceList.objects.create(
        name="春季门锁特价",
        kind="tier",
        tier=Tier.objects.get(code="gold"),
        valid_from=today - timedelta(days=240),
        valid_to=today - timedelta(days=150),
    )
    PriceListItem.objects.create(
        price_list=ended, product=by_sku["LK-300"], price=Decimal("1299.00")
    )


def _promotions(products: list[Product]) -> None:
    by_sku = {p.sku: p for p in products}
    now = timezone.now()
    year = now + timedelta(days=365)
    threshold = Promotion.objects.create(
        code="spend-more",
        name="满额立减",
        name_en="Spend more, save more",
        kind="threshold",
        starts_at=now - timedelta(days=200),
        ends_at=year,
        stackable=True,
    )
    PromotionTier.objects.create(
        promotion=threshold, threshold=Decimal("20000"), discount=Decimal("600")
    )
    PromotionTier.objects.create(
        promotion=threshold, threshold=Decimal("50000"), discount=Decimal("2000")
    )
    router = Promotion.objects.create(
        code="wifi6-launch",
        name="Wi-Fi 6 新品九折",
        name_en="Wi-Fi 6 launch: 10% off",
        kind="percent_off",
        percent=Decimal("10"),
        starts_at=now - timedelta(days=200),
        ends_at=year,
        limit_total=2000,
    )
    router.products.add(by_sku["RT-AX3000"])
    gift = Promotion.objects.create(
        code="hub-sensors",
        name="买网关送传感器",
        name_en="Buy 5 hubs, get 10 sensors",
        kind="gift",
        buy_quantity=5,
        gift_product=by_sku["SEN-DOOR"],
        gift_quantity=10,
        starts_at=now - timedelta(days=200),
        ends_at=year,
        limit_per_partner=100,
    )
    gift.products.add(by_sku["HUB-Z"])


def _money(partners: list[Partner], staff: Staff, rng: random.Random) -> None:
    """Each dealer paid in and earned a rebate before its first demo order (160 days ago)."""
    today = timezone.localdate()
    first = LedgerEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for partner in partners:
        payment_record(
            partner=partner,
            amount=Decimal(rng.choice(["200000.00", "300000.00", "500000.00"])),
            received_on=today - timedelta(days=160),
            method="bank_transfer",
            reference=f"回单 {rng.randint(100000, 999999)}",
            actor=staff.finance,
        )
        ledger_post(
            partner=partner,
            kind="rebate",
            amount=Decimal(rng.choice(["3000.00", "8000.00", "15000.00"])),
            entry_kind=EntryKind.REBATE,
            memo="上季度返利 / last quarter's rebate",
            actor=staff.finance,
        )
    LedgerEntry.objects.filter(pk__gt=first).update(created_at=timezone.now() - timedelta(days=160))


def _whole_packs(product: Product, wanted: int) -> int:
    quantity = max(product.min_order_quantity, wanted)
    return -(-quantity // product.pack_size) * product.pack_size


def _backdate(order: Order, when: Any) -> None:
    Order.objects.filter(pk=order.pk).update(created_at=when)
    LedgerEntry.objects.filter(order=order).update(created_at=when)
    OrderStatusChange.objects.filter(order=order).update(created_at=when)


def _orders(
    partners: list[Partner], products: list[Product], staff: Staff, rng: random.Random
) -> None:
    """Sixty orders over five months; older ones further along, a few rejected or cancelled."""
    shanghai = Warehouse.objects.get(code="sh")
    now = timezone.now()
    buyers = [p for p in partners if not partner_blockers(p, ORDERING)]
    for i in range(60):
        partner = buyers[i % len(buyers)]
        allowed = [
            p for p in products if partner.product_lines.filter(pk=p.product_line_id).exists()
        ]
        if not allowed:
            continue
        picks = rng.sample(allowed, min(len(allowed), rng.randint(1, 3)))
        lines = [CheckoutLine(p, _whole_packs(p, rng.choice([2, 5, 10, 20]))) for p in picks]
        buyer = User.objects.filter(partner=partner, is_active=True).first()
        try:
            order = checkout(partner=partner, lines=lines, actor=buyer, ship_to=partner.address)
        except ValidationError:
            continue  # e.g. credit used up: the dealer would top up first
        age = 150 - i * 150 // 60  # days ago, oldest first
        if i % 17 == 5:
            order_reject(
                order=order,
                actor=staff.desk,
                reason="型号已调整，请重新下单 / model changed, please reorder",
            )
        elif i % 13 == 7:
            order_cancel(
                order=order,
                actor=staff.desk,
                reason="经销商要求取消 / cancelled at the dealer's request",
            )
        elif i < 56:  # the last few stay waiting for the order desk
            order_approve(order=order, actor=staff.desk)
            if i < 52:  # the next few are approved and waiting for the warehouse
                quantities = {line.pk: line.quantity for line in order.lines.all()}
                if i in (44, 46, 50):
                    first = min(quantities)
                    quantities = {first: max(1, quantities[first] // 2)}
                order_ship(
                    order=order,
                    actor=staff.desk,
                    warehouse=shanghai,
                    carrier=rng.choice(["顺丰速运", "德邦物流", "京东物流"]),
                    tracking_number=f"SF{rng.randint(10**11, 10**12 - 1)}",
                    quantities=quantities,
                )
                order.refresh_from_db()
                if order.status == "shipped" and i < 42:
                    order_complete(order=order, actor=staff.desk)
                elif order.status == "shipped" and buyer is not None and i % 2:
                    order_confirm_receipt(order=order, user=buyer)
        when = now - timedelta(days=age, hours=rng.randint(0, 8))
        _backdate(order, when)
        Shipment.objects.filter(order=order).update(shipped_at=when + timedelta(days=2))


CUSTOMERS = ["万科物业", "碧桂园服务", "华住酒店", "如家酒店", "绿城物业", "龙湖天街", "海底捞门店"]


def _sell_through(partners: list[Partner], rng: random.Random) -> None:
    """Dealers with portal users report last month's stock and their sales to end customers;
    one sale lands outside its dealer's territory, so the diversion page has a case."""
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    for partner in partners:
        user = User.objects.filter(partner=partner, is_active=True).first()
        shipped: dict[Product, int] = {}
        for line in OrderLine.objects.filter(order__partner=partner, shipped_quantity__gt=0):
            shipped[line.product] = shipped.get(line.product, 0) + line.shipped_quantity
        if user is None or not shipped:
            continue
        province = partner.region
        for product, units in sorted(shipped.items(), key=lambda item: item[0].sku):
            sold = units * 6 // 10
            for n in range(3):
                if sold // 3 < 1:
                    break
                sellout_record(
                    partner=partner,
                    product=product,
                    sold_on=today - timedelta(days=rng.randint(5, 80)),
                    quantity=sold // 3,
                    end_customer=rng.choice(CUSTOMERS),
                    province=province if n else "江苏",
                    city=partner.city if n else "苏州",
                    user=user,
                )
        channel_stock_submit(
            partner=partner,
            period=last_month,
            quantities={product: units - units * 6 // 10 for product, units in shipped.items()},
            user=user,
        )


def seed(*, partners: list[Partner], admin: User, rng: random.Random) -> list[Product]:
    """Call with the partners already active, authorized and onboarded as the demo wants."""
    from prm.accounts.services import user_create

    staff = Staff(
        admin=admin,
        desk=User.objects.filter(role=Role.ORDER_DESK).first()
        or user_create(email="desk@demo.localhost", full_name="订单专员", role=Role.ORDER_DESK),
        finance=User.objects.filter(role=Role.FINANCE).first()
        or user_create(email="finance@demo.localhost", full_name="财务", role=Role.FINANCE),
    )
    ReviewStep.objects.create(position=1, name="订单审核 / order desk", role=Role.ORDER_DESK)
    ReviewStep.objects.create(
        position=2, name="财务复核 / finance", role=Role.FINANCE, min_total=Decimal("100000.00")
    )
    products = seed_catalog()
    _stock(products)
    _prices(products, partners)
    _promotions(products)
    _money(partners, staff, rng)
    _orders(partners, products, staff, rng)
    _sell_through(partners, rng)
    huadong_admin = User.objects.filter(partner=partners[0], role=Role.PARTNER_ADMIN).first()
    if huadong_admin is not None:
        top_up_submit(
            partner=partners[0],
            user=huadong_admin,
            amount=Decimal("50000.00"),
            transferred_on=timezone.localdate() - timedelta(days=1),
            bank_reference="招行 20261122-0087",
            proof=SimpleUploadedFile(
                "bank-slip.pdf",
                b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
                "application/pdf",
            ),
        )
    return products
