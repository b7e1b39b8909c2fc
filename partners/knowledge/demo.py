"""The demo vendor's knowledge base: categories, nine bilingual articles written through the
services (the rebate policy in its second version, a gold-tier-only price policy with its price
sheet, product FAQs and an installation guide, a customer case, a sales pitch for dealers, a
draft and an archived one), and partners' answers to "was this helpful?"."""

from __future__ import annotations

import io
import random

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from partners.models import Partner, PartnerType, Region, Tier
from prm.accounts.models import User
from prm.accounts.roles import Role

from .attachments import article_attachment_add
from .feedback import article_feedback
from .models import Article, Category
from .publishing import article_archive, article_publish
from .services import article_create, article_update

CATEGORIES = [
    ("product", "产品资料", "Product information"),
    ("sales", "销售工具", "Sales tools"),
    ("cases", "客户案例", "Customer cases"),
    ("policy", "价格与返利政策", "Price and rebate policies"),
    ("faq", "常见问题", "FAQ"),
]

REBATE_BODY = """<h3>适用范围</h3>
<p>2027年度所有已签约的经销商和分销商。</p>
<h3>阶梯返利</h3>
<table><thead><tr><th>季度采购额</th><th>返利比例</th></tr></thead>
<tbody><tr><td>50万元以下</td><td>1%</td></tr><tr><td>50–200万元</td><td>2%</td></tr>
<tr><td>200万元以上</td><td>3%</td></tr></tbody></table>
<p>返利按季度结算，于次季度第一个月20日前计入预存款账户。</p>"""
REBATE_BODY_EN = """<h3>Who it covers</h3>
<p>All dealers and distributors under contract in 2027.</p>
<h3>Tiered rebate</h3>
<table><thead><tr><th>Quarterly purchases</th><th>Rebate</th></tr></thead>
<tbody><tr><td>Below ¥500k</td><td>1%</td></tr><tr><td>¥500k–2m</td><td>2%</td></tr>
<tr><td>Above ¥2m</td><td>3%</td></tr></tbody></table>
<p>Rebates are settled quarterly and credited to the prepaid wallet by the 20th of the first
month of the next quarter.</p>"""


def _file(text: str, kind: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (595, 842) if kind == "pdf" else (640, 400), (255, 255, 255))
    ImageDraw.Draw(image).text((40, 40), text, fill=(20, 40, 90))
    data = io.BytesIO()
    image.save(data, format="PDF" if kind == "pdf" else "PNG")
    return SimpleUploadedFile(f"{text}.{kind}", data.getvalue())


def _gold(partners: list[Partner]) -> list[Tier]:
    """The gold tier (by code or English name), else the best tier the partners have."""
    gold = (
        Tier.objects.filter(code="gold").first()
        or Tier.objects.filter(name_en__iexact="gold").first()
        or max((p.tier for p in partners if p.tier), key=lambda t: t.rank, default=None)
    )
    return [gold] if gold else []


def _articles(editor: User, categories: dict[str, Category], partners: list[Partner]) -> list:
    east = list(Region.objects.filter(level=Region.Level.PROVINCE, name__in=["浙江", "上海"]))
    rebate = article_create(
        category=categories["policy"],
        kind="policy",
        title="阶梯返利政策说明（2027年度）",
        title_en="Tiered rebate policy (2027)",
        summary="按季度采购额阶梯返利，季度结算计入预存款。 / Tiered by quarterly purchases.",
        body=REBATE_BODY.replace("3%", "2.5%"),
        body_en=REBATE_BODY_EN.replace("3%", "2.5%"),
        tags=["返利", "政策", "rebate"],
        actor=editor,
        note="初稿 / first draft",
    )
    rebate = article_update(
        rebate,
        actor=editor,
        note="最高档返利调整为3% / top band raised to 3%",
        body=REBATE_BODY,
        body_en=REBATE_BODY_EN,
    )
    gold_price = article_create(
        category=categories["policy"],
        kind="policy",
        title="金牌伙伴专属价格政策",
        title_en="Price policy for gold partners",
        summary="金牌伙伴在等级价基础上再享2%折扣。 / An extra 2% off the tier price.",
        body="<p>金牌伙伴在订货商城下单时，系统在等级价基础上自动再减2%。</p>"
        "<p>详见附件价格表。特价产品除外。</p>",
        body_en="<p>Gold partners get a further 2% off the tier price in the ordering mall.</p>"
        "<p>See the attached price sheet. Specials are excluded.</p>",
        tags=["价格", "金牌"],
        tiers=_gold(partners),
        actor=editor,
    )
    article_attachment_add(gold_price, _file("gold-price-sheet-2027", "pdf"), actor=editor)
    camera = article_create(
        category=categories["faq"],
        kind="faq",
        title="智能摄像机 C3 常见问题",
        title_en="C3 smart camera: frequently asked questions",
        body="<p><strong>夜视距离是多少？</strong>红外夜视最远30米。</p>"
        "<p><strong>支持哪些存储方式？</strong>TF卡（最大256GB）、NVR 和云存储。</p>"
        "<p><strong>保修多久？</strong>整机两年保修。</p>",
        body_en="<p><strong>How far does night vision reach?</strong> Up to 30 m.</p>"
        "<p><strong>Storage?</strong> TF card (up to 256 GB), NVR and cloud.</p>"
        "<p><strong>Warranty?</strong> Two years on the whole unit.</p>",
        tags=["摄像机", "C3", "保修"],
        actor=editor,
    )
    nvr = article_create(
        category=categories["product"],
        kind="product",
        title="网络录像机 NVR-16 安装指南",
        title_en="NVR-16 network video recorder: installation guide",
        body="1. 安装硬盘并固定螺丝。\n2. 连接网线和电源。\n3. 在浏览器中打开设备地址，完成向导。",
        body_en="1. Fit the hard disk.\n2. Connect network and power.\n"
        "3. Open the device address in a browser and follow the wizard.",
        tags=["NVR", "安装"],
        actor=editor,
    )
    article_attachment_add(nvr, _file("nvr-16-wiring", "png"), actor=editor)
    case = article_create(
        category=categories["cases"],
        kind="case",
        title="客户案例：杭州连锁酒店安防升级",
        title_en="Customer case: security upgrade for a Hangzhou hotel chain",
        summary="12家门店、460路摄像机，三周完成切换。 / 12 hotels, 460 cameras, three weeks.",
        body="<p>客户原有模拟系统老化。杭州西湖安防分批替换为 C3 摄像机和 NVR-16，"
        "夜间施工不影响营业。</p><p>结果：报警误报率下降70%，巡检人力减少一半。</p>",
        body_en="<p>The old analogue system was failing. The dealer replaced it hotel by hotel "
        "with C3 cameras and NVR-16s, working at night.</p>"
        "<p>Result: 70% fewer false alarms and half the patrol hours.</p>",
        tags=["案例", "酒店"],
        regions=east,
        actor=editor,
    )
    register = article_create(
        category=categories["faq"],
        kind="faq",
        title="如何在伙伴门户中报备项目",
        title_en="How to register a deal in the partner portal",
        body="<ol><li>进入“项目报备”，点击“报备项目”。</li><li>填写客户名称、预计金额和产品。</li>"
        "<li>提交后渠道经理在两个工作日内审批，批准后享有90天保护期。</li></ol>",
        body_en="<ol><li>Open Deals and choose Register a deal.</li>"
        "<li>Enter the customer, expected amount and products.</li>"
        "<li>Your channel manager decides within two working days; an approved deal is "
        "protected for 90 days.</li></ol>",
        tags=["报备", "防撞单"],
        actor=editor,
    )
    pitch = article_create(
        category=categories["sales"],
        kind="sales",
        title="销售话术：门禁系统整体方案",
        title_en="Sales pitch: complete access control",
        body="<p>先问客户最担心的问题（访客管理、考勤、安全事件追溯），再演示一卡通与摄像机联动。</p>",
        body_en="<p>Start with the customer's worry (visitors, attendance, incident tracing), "
        "then show card access linked with cameras.</p>",
        tags=["门禁", "话术"],
        partner_types=[PartnerType.DEALER, PartnerType.RESELLER],
        actor=editor,
    )
    article_create(
        category=categories["product"],
        kind="product",
        title="2027年新品路线图（内部草稿）",
        title_en="2027 product roadmap (internal draft)",
        body="<p>Q2：4K 摄像机；Q3：AI 门禁终端。待市场部确认。</p>",
        tags=["新品"],
        actor=editor,
    )
    old_rebate = article_create(
        category=categories["policy"],
        kind="policy",
        title="2025年度返利政策（已停用）",
        title_en="Rebate policy 2025 (retired)",
        body="<p>已由2027年度政策替代。</p>",
        tags=["返利"],
        actor=editor,
    )
    published = [rebate, gold_price, camera, nvr, case, register, pitch]
    for article in [*published, old_rebate]:
        article_publish(article, actor=editor)
    article_archive(old_rebate, actor=editor, reason="已由2027年度政策替代 / replaced")
    return published


def seed(*, partners: list[Partner], admin: User, rng: random.Random) -> None:
    editor = User.objects.filter(role=Role.MARKETING, is_active=True).first() or admin
    categories = {
        code: Category.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": i}
        )[0]
        for i, (code, name, name_en) in enumerate(CATEGORIES)
    }
    articles = _articles(editor, categories, partners)
    readers = list(User.objects.filter(partner__in=partners, is_active=True).order_by("pk"))
    comments = ["希望补充英文版视频。", "表格很清楚。", "", "", "能否提供可编辑的版本？"]
    for article in articles:
        for reader in readers:
            if rng.random() < 0.3:
                continue
            try:
                article_feedback(
                    Article.objects.get(pk=article.pk),
                    user=reader,
                    helpful=rng.random() < 0.8,
                    comment=rng.choice(comments),
                )
            except PermissionDenied:
                continue  # outside the article's audience
