"""Demo applications: new ones, two in review that look like existing partners, one rejected.

Assumes the integrator has seeded Region rows (provinces and cities by Chinese name).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from partners.credit_code import check_character
from partners.models import Partner, PartnerStatus, PartnerType, Region

from .models import PartnerApplication
from .names import normalize_name
from .services import (
    Upload,
    application_reject,
    application_start_review,
    application_submit,
)

SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# legal name, English name, type, province, city, contact, email
NEW = [
    (
        "杭州云栖物联科技有限公司",
        "Hangzhou Yunqi IoT Technology Co., Ltd.",
        PartnerType.DEALER,
        "浙江",
        "杭州",
        "林晓",
        "linxiao@yunqi-iot.example.cn",
    ),
    (
        "深圳前海智安电子有限公司",
        "Shenzhen Qianhai Zhian Electronics Co., Ltd.",
        PartnerType.SERVICE,
        "广东",
        "深圳",
        "黄志明",
        "huang.zm@zhian.example.cn",
    ),
]
REJECTED = (
    "宁波甬江家电商行",
    "Ningbo Yongjiang Appliance Store",
    PartnerType.RESELLER,
    "浙江",
    "宁波",
    "陈立",
    "chenli@yongjiang.example.cn",
)
REJECT_REASON = (
    "经营范围不含安防产品销售\uff0c且无安装服务能力。"
    " / Business scope does not cover security products and there is no installation team."
)


def _credit_code(n: int) -> str:
    first17 = f"91330106MA{n:07d}"  # Hangzhou-registered; distinct from demo partners' codes
    return first17 + check_character(first17)


def _regions(province: str, city: str) -> tuple[Region, Region | None]:
    prov = Region.objects.get(level=Region.Level.PROVINCE, name=province)
    cities = Region.objects.filter(level=Region.Level.CITY, parent=prov)
    town = cities.filter(name__in=[city, f"{city}市区"]).first()
    return prov, town


def _submit(row: tuple[Any, ...], *, code: str, rng: random.Random) -> PartnerApplication:
    legal_name, name_en, ptype, province, city, contact, email = row
    prov, town = _regions(province, city)
    application = application_submit(
        data={
            "legal_name": legal_name,
            "name_en": name_en,
            "credit_code": code,
            "partner_type": ptype,
            "province": prov,
            "city": town,
            "business_scope": "智能门锁、安防监控设备的销售与安装 / Sales and installation of "
            "smart locks and security cameras",
            "address": f"{province}{city or ''}高新区创业路{rng.randrange(1, 300)}号",
            "contact_name": contact,
            "contact_phone": f"139{rng.randrange(10**7, 10**8)}",
            "contact_email": email,
        },
        uploads=[Upload("business_license", ContentFile(SCAN, name="营业执照.pdf"))],
        ip=f"203.0.113.{rng.randrange(1, 255)}",
    )
    days_ago = timezone.now() - timedelta(days=rng.randrange(1, 20), hours=rng.randrange(0, 9))
    PartnerApplication.objects.filter(pk=application.pk).update(created_at=days_ago)
    return application


def _lookalike(partner: Partner) -> tuple[Any, ...]:
    """A name that differs only in region and legal form, e.g. 华东智能科技(上海)有限公司."""
    core = normalize_name(partner.name)
    city = partner.city or partner.region
    return (
        f"{core}科技({city})有限公司",
        partner.name_en,
        partner.partner_type,
        partner.region,
        partner.city,
        "刘建华",
        f"liu.jh{partner.pk}@example.cn",
    )


def seed(*, partners: list[Partner], admin: Any, rng: random.Random) -> None:
    for index, new in enumerate(NEW):
        _submit(new, code=_credit_code(index + 1), rng=rng)

    existing = [p for p in partners if p.status == PartnerStatus.ACTIVE and p.credit_code]
    if existing:
        # Same company under a reworded name: the reviewer sees "similar name (score 1.00)".
        lookalike = _submit(_lookalike(existing[0]), code=_credit_code(10), rng=rng)
        application_start_review(application=lookalike, actor=admin)
    if len(existing) > 1:
        # A branch applying with its head office's credit code: "same credit code".
        other = existing[1]
        row: tuple[Any, ...] = (
            f"{other.name.removesuffix('有限公司')}第二分公司",
            "",
            other.partner_type,
            other.region,
            other.city,
            "何静",
            f"he.jing{other.pk}@example.cn",
        )
        branch = _submit(row, code=str(other.credit_code), rng=rng)
        application_start_review(application=branch, actor=admin)

    rejected = _submit(REJECTED, code=_credit_code(20), rng=rng)
    application_start_review(application=rejected, actor=admin)
    application_reject(application=rejected, actor=admin, reason=REJECT_REASON)
