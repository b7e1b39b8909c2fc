"""The demo vendor's market funds: a fixed annual fund for the tiered partners, a co-op fund
accrued from purchases and a fixed East-China display fund that expires soon; requests at every
step (draft, waiting for the channel manager, waiting for marketing, sent back, approved with
proof, claimed, partly approved, settled to the wallet), so the vendor's queues, the partner's
balances and the ROI report all have something to show."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from deal_registration.models import DealRegistration, DealStatus
from orders.models import Order
from partners.models import Partner, Region, Tier
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today

from .allocation import fund_activate
from .claims import InvoiceIn, claim_approve, claim_submit
from .evidence import evidence_add
from .models import AllocationMode, MdfActivityType, MdfFund, MdfRequest, SettledAs
from .requests import request_approve, request_return, request_save, request_submit
from .settlement import claim_settle

D = Decimal
ACTIVITY_TYPES = [
    ("exhibition", "展会", "Exhibition", ["photo", "invoice"]),
    ("seminar", "研讨会", "Seminar", ["photo", "attendees", "invoice"]),
    ("advertising", "广告投放", "Advertising", ["material", "invoice"]),
    ("store-display", "门店陈列", "Store display", ["photo", "invoice"]),
    ("online", "线上推广", "Online campaign", ["report", "invoice"]),
    ("training", "培训", "Training", ["attendees", "invoice"]),
]


def _png(text: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 320), (232, 238, 247))
    ImageDraw.Draw(image).text((24, 24), text, fill=(20, 40, 90))
    data = io.BytesIO()
    image.save(data, format="PNG")
    return SimpleUploadedFile(f"{text}.png", data.getvalue())


def _pdf(text: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (595, 842), (255, 255, 255))
    ImageDraw.Draw(image).text((40, 40), text, fill=(0, 0, 0))
    data = io.BytesIO()
    image.save(data, format="PDF")
    return SimpleUploadedFile(f"{text}.pdf", data.getvalue())


def _request(
    user: User,
    fund: MdfFund,
    kind: str,
    title: str,
    start: date,
    days: int,
    lines: list[tuple[str, str]],
    **fields: object,
) -> MdfRequest:
    request = MdfRequest(
        fund=fund,
        activity_type=MdfActivityType.objects.get(code=kind),
        title=title,
        starts_on=start,
        ends_on=start + timedelta(days=days - 1),
        location=str(fields.pop("location", "")),
        plan=str(fields.pop("plan", "邀请区域重点客户，演示新品并收集需求 / invite key accounts")),
        **fields,
    )
    return request_save(request, [(text, D(amount)) for text, amount in lines], user=user)


def _proof(request: MdfRequest, user: User) -> None:
    files = {
        "photo": _png("activity-photo"),
        "attendees": _pdf("attendees"),
        "invoice": _pdf("invoice"),
        "material": _png("ad-material"),
        "report": _pdf("campaign-report"),
    }
    for kind in request.activity_type.required_evidence:
        evidence_add(request, files[kind], kind=kind, user=user, note="演示资料 / demo")


def seed(*, partners: list[Partner], admin: User, staff: list[User]) -> None:
    today = tenant_today()
    manager = next(u for u in staff if u.role == Role.CHANNEL_MANAGER)
    marketing = next(u for u in staff if u.role == Role.MARKETING)
    finance = next(u for u in staff if u.role == Role.FINANCE)
    for code, name, name_en, evidence in ACTIVITY_TYPES:
        MdfActivityType.objects.create(
            code=code, name=name, name_en=name_en, required_evidence=evidence
        )
    annual = MdfFund.objects.create(
        code="mdf-annual",
        name="年度市场发展基金",
        name_en="Annual market development fund",
        starts_on=today - timedelta(days=180),
        ends_on=today + timedelta(days=180),
        expires_on=today + timedelta(days=210),
        budget=D("400000.00"),
        allocation_mode=AllocationMode.FIXED,
        fixed_amount=D("40000.00"),
        marketing_above=D("20000.00"),
        created_by=admin,
    )
    annual.tiers.set(Tier.objects.exclude(code="registered"))
    fund_activate(annual, actor=admin)
    coop = MdfFund.objects.create(
        code="coop-3pct",
        name="合作推广基金（订货额 3%）",
        name_en="Co-op fund (3% of purchases)",
        starts_on=today - timedelta(days=180),
        ends_on=today + timedelta(days=180),
        expires_on=today + timedelta(days=210),
        budget=D("100000.00"),
        allocation_mode=AllocationMode.ACCRUED,
        accrual_rate=D("3.000"),
        created_by=admin,
    )
    fund_activate(coop, actor=marketing)
    display = MdfFund.objects.create(
        code="east-display",
        name="华东门店陈列专项",
        name_en="East China store display fund",
        starts_on=today - timedelta(days=90),
        ends_on=today + timedelta(days=10),
        expires_on=today + timedelta(days=20),
        budget=D("50000.00"),
        allocation_mode=AllocationMode.FIXED,
        fixed_amount=D("8000.00"),
        created_by=admin,
    )
    display.regions.set(Region.objects.filter(name__in=["上海", "浙江", "江苏"], level="province"))
    fund_activate(display, actor=marketing)

    huadong, xihu = partners[0], partners[1]
    zhou = User.objects.get(email="partner@huadong.example.cn")
    wu = User.objects.get(email="buyer@xihu.example.cn")

    # 华东: a seminar held, proven, claimed, partly approved and settled to the wallet.
    seminar = _request(
        zhou,
        annual,
        "seminar",
        "上海智能安防新品研讨会",
        today - timedelta(days=45),
        1,
        [
            ("会场租赁 / venue", "6000.00"),
            ("餐饮 / catering", "2500.00"),
            ("物料 / print", "1500.00"),
        ],
        location="上海浦东",
        expected_leads=40,
        expected_revenue=D("300000.00"),
    )
    seminar = request_approve(request_submit(seminar, user=zhou), user=manager)
    _proof(seminar, zhou)
    won = DealRegistration.objects.filter(partner=huadong, status=DealStatus.WON).first()
    claim = claim_submit(
        seminar,
        [
            InvoiceIn("31002300001234", seminar.ends_on, D("6000.00"), "上海浦东会议中心"),
            InvoiceIn("31002300005678", seminar.ends_on, D("2800.00"), "上海某餐饮管理有限公司"),
            InvoiceIn("31002300009012", seminar.ends_on, D("1200.00"), "上海某印务有限公司"),
        ],
        user=zhou,
        leads=36,
        new_customers=4,
        revenue=D("260000.00"),
        deals=[won] if won else [],
        orders=list(Order.objects.filter(partner=huadong).order_by("-created_at")[:2]),
    )
    claim_approve(
        claim,
        user=finance,
        amount=D("9700.00"),
        reason="餐饮超出预算 300 元 / catering over budget",
    )
    claim_settle(claim, actor=finance, settled_as=SettledAs.WALLET)

    # 华东: an exhibition waiting for the channel manager; a big campaign waiting for marketing.
    request_submit(
        _request(
            zhou,
            annual,
            "exhibition",
            "中国国际安防博览会 展位",
            today + timedelta(days=30),
            3,
            [("展位费 / booth", "12000.00"), ("搭建 / build", "6000.00")],
            location="北京 国家会议中心",
            expected_leads=120,
            expected_revenue=D("800000.00"),
        ),
        user=zhou,
    )
    campaign = _request(
        zhou,
        annual,
        "advertising",
        "华东地铁灯箱广告",
        today + timedelta(days=10),
        30,
        [("灯箱 / light boxes", "18000.00"), ("设计 / design", "4000.00")],
        location="上海 2 号线",
        expected_revenue=D("500000.00"),
    )
    request_approve(request_submit(campaign, user=zhou), user=manager)

    # 西湖: a store display approved and proven, its claim waiting for finance; one sent back.
    shop = _request(
        wu,
        display,
        "store-display",
        "杭州旗舰店门店陈列升级",
        today - timedelta(days=20),
        7,
        [("陈列道具 / fixtures", "4200.00"), ("安装 / install", "800.00")],
        location="杭州 西湖区",
        expected_leads=15,
        expected_revenue=D("120000.00"),
    )
    shop = request_approve(request_submit(shop, user=wu), user=manager)
    _proof(shop, wu)
    claim_submit(
        shop,
        [InvoiceIn("33002300004321", shop.ends_on, D("4850.00"), "杭州某展示器材有限公司")],
        user=wu,
        leads=12,
        new_customers=2,
        revenue=D("86000.00"),
        orders=list(Order.objects.filter(partner=xihu).order_by("-created_at")[:1]),
    )
    training = _request(
        wu,
        annual,
        "training",
        "门店导购培训",
        today + timedelta(days=14),
        2,
        [("讲师 / trainer", "3000.00")],
        location="杭州",
    )
    request_return(
        request_submit(training, user=wu),
        user=manager,
        reason="请补充参训人数和课程大纲 / add attendees and agenda",
    )
    # 西湖 is drafting an online campaign.
    _request(
        wu,
        annual,
        "online",
        "双十二线上推广",
        today + timedelta(days=5),
        10,
        [("信息流广告 / feed ads", "5000.00")],
    )
