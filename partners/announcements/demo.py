"""The demo vendor's announcements: an important price change with its price list, which some
partners have acknowledged, some only opened and some not yet; a new rebate program; a spring
promotion for East China; and a shipping notice scheduled for later in the week."""

from __future__ import annotations

import io
import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from partners.models import Partner, Region
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today

from .attachments import announcement_attachment_add
from .models import AnnouncementKind, Importance
from .receipts import announcement_acknowledge, announcement_open
from .recipients import recipients
from .services import announcement_create, announcement_publish


def _pdf(text: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (595, 842), (255, 255, 255))
    ImageDraw.Draw(image).text((40, 40), text, fill=(0, 0, 0))
    data = io.BytesIO()
    image.save(data, format="PDF")
    return SimpleUploadedFile(f"{text}.pdf", data.getvalue())


def seed(*, partners: list[Partner], admin: User, rng: random.Random) -> None:
    editor = User.objects.filter(role=Role.MARKETING, is_active=True).first() or admin
    today = tenant_today()

    price = announcement_create(
        actor=editor,
        kind=AnnouncementKind.PRICE_CHANGE,
        importance=Importance.IMPORTANT,
        title="关于2027年1月1日起部分产品调价的通知",
        title_en="Price change for some products from 1 January 2027",
        summary="C3 摄像机和 NVR-16 等级价上调3%，12月31日前下单按原价执行。"
        " / C3 and NVR-16 tier prices rise 3%; orders by 31 Dec keep today's price.",
        body="<p>受存储芯片成本上涨影响，自2027年1月1日起 C3 系列摄像机和 NVR-16 "
        "网络录像机的等级价上调3%。</p><p>12月31日（含）前提交并付款的订单按原价执行。"
        "新价格表见附件。</p>",
        body_en="<p>Because memory chips cost more, tier prices of the C3 cameras and the "
        "NVR-16 recorder rise by 3% from 1 January 2027.</p><p>Orders placed and paid by "
        "31 December keep today's prices. The new price list is attached.</p>",
        ack_due=today + timedelta(days=10),
    )
    announcement_attachment_add(price, _pdf("price-list-2027-01"), actor=editor)
    announcement_publish(price, actor=editor)

    rebate = announcement_create(
        actor=editor,
        kind=AnnouncementKind.REBATE_PROGRAM,
        title="2027年度阶梯返利计划上线",
        title_en="The 2027 tiered rebate program is live",
        summary="季度采购额最高可享3%返利，详见知识库。 / Up to 3% on quarterly purchases.",
        body="<p>2027年度阶梯返利计划已上线：季度采购额50万元以下1%，50–200万元2%，"
        "200万元以上3%。政策全文请见知识库“价格与返利政策”。</p>",
        body_en="<p>The 2027 tiered rebate program is live: 1% below ¥500k a quarter, 2% up "
        "to ¥2m, 3% above. The full policy is in the knowledge base under Price and rebate "
        "policies.</p>",
    )
    announcement_publish(rebate, actor=editor)

    east = list(
        Region.objects.filter(level=Region.Level.PROVINCE, name__in=["上海", "浙江", "江苏"])
    )
    promotion = announcement_create(
        actor=editor,
        kind=AnnouncementKind.PROMOTION,
        title="华东区春季促销：门禁套装九折",
        title_en="East China spring promotion: 10% off access control kits",
        body="<p>3月1日至4月30日，上海、浙江、江苏的伙伴订购门禁套装享九折，每家限量50套。</p>",
        body_en="<p>From 1 March to 30 April, partners in Shanghai, Zhejiang and Jiangsu get "
        "10% off access control kits, up to 50 kits each.</p>",
        regions=east,
    )
    announcement_publish(promotion, actor=editor)

    scheduled = announcement_create(
        actor=editor,
        kind=AnnouncementKind.POLICY,
        title="五一假期发货安排",
        title_en="Shipping over the May Day holiday",
        body="<p>5月1日至5日仓库暂停发货，4月28日16:00前付款的订单节前发出。</p>",
        body_en="<p>The warehouse ships nothing from 1 to 5 May; orders paid by 16:00 on "
        "28 April leave before the holiday.</p>",
        publish_at=timezone.now() + timedelta(days=3),
    )
    announcement_publish(scheduled, actor=editor)

    # Some partners have acknowledged the price change, some only opened it, the rest not yet.
    for user in recipients(price).order_by("pk"):
        roll = rng.random()
        if roll < 0.45:
            announcement_acknowledge(price, user=user)
        elif roll < 0.7:
            announcement_open(price, user=user)
    for user in recipients(rebate).order_by("pk"):
        if rng.random() < 0.5:
            announcement_open(rebate, user=user)
