"""Demo reference data (regions, product lines) and partner profiles for the `demo` vendor."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from .models import Partner, PartnerContact, ProductLine, Region
from .services import qualification_add

# GB/T 2260 codes: province, then its cities. A municipality's one "city" (GB/T 2260: 市辖区) is
# named apart from the municipality, or region lists would show 上海 twice.
REGIONS = [
    ("310000", "上海", "Shanghai", [("310100", "上海市区", "Shanghai city")]),
    ("320000", "江苏", "Jiangsu", [("320100", "南京", "Nanjing"), ("320500", "苏州", "Suzhou")]),
    ("330000", "浙江", "Zhejiang", [("330100", "杭州", "Hangzhou"), ("330200", "宁波", "Ningbo")]),
    (
        "440000",
        "广东",
        "Guangdong",
        [
            ("440100", "广州", "Guangzhou"),
            ("440300", "深圳", "Shenzhen"),
            ("441900", "东莞", "Dongguan"),
        ],
    ),
    ("110000", "北京", "Beijing", [("110100", "北京市区", "Beijing city")]),
    ("510000", "四川", "Sichuan", [("510100", "成都", "Chengdu")]),
    ("420000", "湖北", "Hubei", [("420100", "武汉", "Wuhan")]),
    ("370000", "山东", "Shandong", [("370200", "青岛", "Qingdao"), ("370100", "济南", "Jinan")]),
]
PRODUCT_LINES = [
    ("locks", "智能门锁", "Smart locks"),
    ("security", "安防监控", "Security cameras"),
    ("networking", "网络设备", "Networking"),
    ("smart-home", "智能家居", "Smart home"),
]
# A one-page PDF standing in for a scanned licence.
SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def seed_reference() -> None:
    for code, name, name_en, cities in REGIONS:
        province = Region.objects.create(
            code=code, name=name, name_en=name_en, level=Region.Level.PROVINCE
        )
        for city_code, city, city_en in cities:
            Region.objects.create(
                code=city_code,
                name=city,
                name_en=city_en,
                level=Region.Level.CITY,
                parent=province,
            )
    for code, name, name_en in PRODUCT_LINES:
        ProductLine.objects.create(code=code, name=name, name_en=name_en)


def seed_profiles(*, partners: list[Partner], rng: random.Random) -> None:
    lines = list(ProductLine.objects.order_by("code"))
    today = timezone.localdate()
    for index, partner in enumerate(partners):
        province = Region.objects.filter(level=Region.Level.PROVINCE, name=partner.region).first()
        if province:
            partner.territories.add(province)
        partner.product_lines.add(*rng.sample(lines, rng.randint(1, len(lines))))
        partner.credit_limit = Decimal(rng.choice(["0", "100000", "300000", "800000"]))
        partner.payment_terms_days = rng.choice([0, 30, 60])
        partner.address = f"{partner.region}{partner.city}高新区科技路{rng.randint(1, 300)}号"
        partner.business_scope = "电子产品、安防设备、网络设备的销售与安装服务"
        partner.save()
        PartnerContact.objects.create(
            partner=partner,
            name=partner.contact_name or "联系人",
            title="总经理",
            phone=partner.contact_phone,
            is_primary=True,
        )
        # Expiry dates spread so the "documents expiring" filter and reminders have work.
        expires = today + timedelta(days=[400, 20, 75, -10, 200][index % 5])
        qualification_add(
            partner=partner,
            kind="business_license",
            number=f"LIC-{1000 + index}",
            issued_on=today - timedelta(days=700),
            expires_on=expires,
            document=ContentFile(SCAN, name=f"licence-{index}.pdf"),
        )


def credit_code(index: int) -> str:
    """A valid, distinct unified social credit code for the demo partner at `index`."""
    from .credit_code import check_character

    first17 = f"91310115MA{index + 1:07d}"
    return first17 + check_character(first17)
