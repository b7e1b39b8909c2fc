"""The demo vendor's deal registrations: protected, waiting, overdue, blocked by another partner
and by a vendor account, sent back, won with its order, expired, and a terminated partner's
claim running out; all made through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from orders.models import Order
from partners.models import Partner, ProductLine, Region
from partners.onboarding.services import onboarding_complete_all
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.accounts.services import user_create
from prm.tenancy.selectors import tenant_today

from .cosell import activity_add, team_add
from .leads import (
    lead_create,
    lead_offer_to,
    offer_accept,
    offer_decline,
)
from .models import (
    AccountKind,
    DealRegistration,
    Industry,
    LeadOffer,
    NamedAccount,
    OfferStatus,
    TierDealRules,
)
from .protection import extension_request, protection_expire
from .registrations import (
    registration_approve,
    registration_close,
    registration_request_info,
    registration_save,
    registration_submit,
)

PASSWORD = "demo12345"


def _seller(partner: Partner, email: str, name: str) -> User:
    found = User.objects.filter(partner=partner, is_active=True).order_by("pk").first()
    if found is not None:
        return found
    return user_create(
        email=email, full_name=name, role=Role.PARTNER_ADMIN, partner=partner, password=PASSWORD
    )


def _line(partner: Partner, preferred: str) -> ProductLine:
    lines = partner.product_lines.all()
    return lines.filter(code=preferred).first() or lines.first() or ProductLine.objects.first()  # type: ignore[return-value]


def _city(name: str) -> Region:
    """A city by name; a municipality's by its own name too (上海 → 上海市区, partners/demo.py)."""
    return Region.objects.get(level=Region.Level.CITY, name__in=[name, f"{name}市区"])


def _register(
    user: User, *, city: str, days_to_close: int, submit: bool = True, **fields: Any
) -> DealRegistration:
    assert user.partner is not None
    preferred = fields.pop("line", "networking")
    registration = DealRegistration(
        partner=user.partner,
        region=_city(city),
        product_line=_line(user.partner, preferred),
        expected_close_date=tenant_today() + timedelta(days=days_to_close),
        **fields,
    )
    registration_save(registration, user=user)
    if submit:
        registration_submit(registration, user=user)
    registration.refresh_from_db()
    return registration


def _backdate(registration: DealRegistration, days: int) -> None:
    moment = timezone.now() - timedelta(days=days)
    DealRegistration.objects.filter(pk=registration.pk).update(
        created_at=moment, submitted_at=moment, approval_due_at=moment + timedelta(hours=48)
    )
    registration.status_changes.update(created_at=moment)


def seed(*, partners: list[Partner], admin: User, staff: list[User]) -> None:
    """`partners` in reports.demo.PARTNERS order (华东, 西湖, 金陵, ... 海岸)."""
    huadong, xihu, jinling, tianhe, hengtong, tianfu, haian = (
        partners[0],
        partners[1],
        partners[2],
        partners[5],
        partners[7],
        partners[8],
        partners[10],
    )
    sales = next(u for u in staff if u.role == Role.SALES)
    manager_east = huadong.channel_manager or admin
    platinum = huadong.tier
    if platinum is not None:
        TierDealRules.objects.create(tier=platinum, protection_days=120, lead_capacity=8)
    for partner in (huadong, xihu, jinling, tianhe, hengtong, tianfu, haian):
        onboarding_complete_all(partner=partner)
    NamedAccount.objects.create(
        kind=AccountKind.DIRECT,
        name="中国移动通信集团广东有限公司",
        website="www.gd.10086.cn",
        phone="020-8888 1000",
        region=_city("广州"),
        owner=sales,
        notes="总部直签，伙伴只做实施 / signed directly by HQ; partners deliver only",
    )
    NamedAccount.objects.create(
        kind=AccountKind.NAMED,
        name="上海申通地铁集团有限公司",
        credit_code="",
        website="shmetro.com",
        region=_city("上海"),
        owner=sales,
    )

    zhou = _seller(huadong, "partner@huadong.example.cn", "周强")
    wu = _seller(xihu, "buyer@xihu.example.cn", "吴芳")
    jin = _seller(jinling, "sales@jinling.example.cn", "金晓")
    tian = _seller(tianhe, "sales@tianhe.example.cn", "田野")
    heng = _seller(hengtong, "sales@hengtong.example.cn", "何通")
    fu = _seller(tianfu, "sales@tianfu.example.cn", "傅云")
    hai = _seller(haian, "owner@haian.example.cn", "孙海")

    # 华东: a protected deal worked together with the vendor's sales rep, an extension asked.
    minghui = _register(
        zhou,
        city="上海",
        days_to_close=75,
        customer_name="上海明辉精密制造有限公司",
        credit_code="91310115MA1K4C9L0G",
        industry=Industry.MANUFACTURING,
        address="上海市浦东新区金桥路1288号",
        website="https://www.minghui-precision.cn",
        phone="021-5899 6600",
        contact_name="陈建国",
        contact_title="IT 总监",
        contact_phone="13916668888",
        contact_email="chen.jg@minghui-precision.cn",
        title="工厂园区网络与安防改造 / campus network and security upgrade",
        estimated_amount=Decimal("680000.00"),
        stage="proposal",
        description="三栋厂房的无线覆盖、门禁与视频监控一体化",
    )
    _backdate(minghui, 20)
    minghui = registration_approve(minghui, actor=manager_east)
    team_add(minghui, actor=manager_east, user=sales, role="sales")
    for days, kind, body, step in (
        (18, "visit", "现场勘察三栋厂房，确认 AP 点位 120 个", "提交方案初稿"),
        (9, "demo", "在客户会议室演示门禁与视频联动", "客户内部评审"),
        (2, "call", "客户 IT 总监确认预算已批复", "准备报价单"),
    ):
        activity_add(
            minghui,
            actor=zhou,
            kind=kind,
            occurred_on=tenant_today() - timedelta(days=days),
            body=body,
            next_step=step,
            next_step_due=tenant_today() + timedelta(days=7),
        )
    extension_request(minghui, user=zhou, days=30, reason="客户招标推迟到下季度 / tender moved")

    # 金陵 registers the same company under its subsidiary-style name: blocked, with evidence.
    _register(
        jin,
        city="上海",
        days_to_close=40,
        customer_name="明辉精密制造（上海）有限公司",
        industry=Industry.MANUFACTURING,
        phone="+86 21 5899 6600",
        contact_name="王磊",
        title="厂区监控扩容",
        estimated_amount=Decimal("210000.00"),
        line="security",
    )

    # 西湖: waiting for a decision, one of them already overdue.
    lvcheng = _register(
        wu,
        city="杭州",
        days_to_close=50,
        customer_name="杭州绿城物业服务集团有限公司",
        industry=Industry.REAL_ESTATE,
        website="lvchengwuye.com",
        contact_name="沈丽",
        contact_email="shenli@lvchengwuye.com",
        title="小区智能门锁集采 / smart locks for 12 residential estates",
        estimated_amount=Decimal("1260000.00"),
        stage="needs_analysis",
        line="locks",
    )
    _backdate(lvcheng, 3)
    _register(
        wu,
        city="宁波",
        days_to_close=30,
        customer_name="宁波港集装箱码头有限公司",
        industry=Industry.LOGISTICS,
        contact_name="郑海",
        contact_phone="13705741234",
        title="码头闸口视频监控",
        estimated_amount=Decimal("350000.00"),
        line="security",
    )

    # 天河智联 runs into the vendor's own direct account.
    _register(
        tian,
        city="广州",
        days_to_close=90,
        customer_name="广东移动通信有限公司",
        industry=Industry.TELECOM,
        website="http://gd.10086.cn/",
        contact_name="黄伟",
        title="营业厅智能门锁",
        estimated_amount=Decimal("90000.00"),
        line="locks",
    )

    # 恒通: sent back for more information.
    school = _register(
        heng,
        city="北京",
        days_to_close=120,
        customer_name="北京朝阳国际学校",
        industry=Industry.EDUCATION,
        contact_name="Emily Zhang",
        contact_email="emily.zhang@gmail.com",
        title="校园无线网络 / campus Wi-Fi",
        estimated_amount=Decimal("420000.00"),
    )
    registration_request_info(
        school,
        actor=admin,
        reason="请补充学校统一社会信用代码和采购负责人电话 / credit code and buyer phone, please",
    )

    # 华东 won a deal; its order is linked.
    logistics = _register(
        zhou,
        city="上海",
        days_to_close=10,
        customer_name="上海东方航运物流有限公司",
        industry=Industry.LOGISTICS,
        contact_name="刘船",
        contact_phone="13817770000",
        title="仓库智能门锁 / warehouse locks",
        estimated_amount=Decimal("88000.00"),
        stage="negotiation",
        line="locks",
    )
    _backdate(logistics, 45)
    logistics = registration_approve(logistics, actor=manager_east)
    order = Order.objects.filter(partner=huadong).order_by("-pk").first()
    registration_close(
        logistics,
        actor=zhou,
        won=True,
        reason="客户签约 / signed",
        orders=[order] if order else [],
    )

    # 天府: a protection that ran out.
    park = _register(
        fu,
        city="成都",
        days_to_close=20,
        customer_name="成都高新区软件园运营有限公司",
        industry=Industry.REAL_ESTATE,
        contact_name="杨帆",
        title="园区访客系统",
        estimated_amount=Decimal("150000.00"),
    )
    _backdate(park, 100)
    registration_approve(park, actor=admin)
    DealRegistration.objects.filter(pk=park.pk).update(
        protection_ends=tenant_today() - timedelta(days=3)
    )
    protection_expire()

    # 海岸 (terminated by the demo right after): its claim ends with the grace period.
    _register(
        hai,
        city="青岛",
        days_to_close=60,
        customer_name="青岛啤酒城酒店管理有限公司",
        industry=Industry.RETAIL,
        contact_name="孙经理",
        title="酒店客房门锁",
        estimated_amount=Decimal("240000.00"),
        line="locks",
    )
    # Decided quickly by the admin so the terminated partner's claim is a protected one.
    registration_approve(
        DealRegistration.objects.filter(partner=haian).get(~Q(status="draft")), actor=admin
    )


def seed_leads(*, partners: list[Partner], admin: User) -> None:
    """Leads from the vendor's hotline, trade fair and website: one accepted by 华东 and waiting
    to be registered, one waiting for 西湖's answer, one 西湖 declined, passed on."""
    huadong, xihu = partners[0], partners[1]
    zhou = User.objects.get(email="partner@huadong.example.cn")
    wu = User.objects.get(email="buyer@xihu.example.cn")

    def lead(city: str, partner: Partner, **fields: Any) -> Any:
        return lead_create(
            actor=admin,
            region=_city(city),
            product_line=_line(partner, "networking"),
            **fields,
        )

    hotel = lead(
        "上海",
        huadong,
        company_name="上海外滩华尔道夫酒店管理有限公司",
        industry=Industry.RETAIL,
        contact_name="Grace Lin",
        contact_phone="021-6322 9988",
        need="客房与会议区 Wi-Fi 6 改造，约 260 间客房",
        estimated_amount=Decimal("520000.00"),
        source="400 热线 / hotline",
    )
    offer_accept(lead_offer_to(hotel, huadong, admin), zhou)
    clinic = lead(
        "杭州",
        xihu,
        company_name="杭州和睦口腔连锁有限公司",
        industry=Industry.HEALTHCARE,
        contact_name="许医生",
        need="18 家门诊的智能门锁与访客登记",
        estimated_amount=Decimal("96000.00"),
        source="展会 / trade fair",
    )
    offer = lead_offer_to(clinic, xihu, admin)
    # 西湖 had a warehouse lead before and turned it down: the history shows why.
    depot = lead(
        "宁波",
        xihu,
        company_name="宁波北仑冷链仓储有限公司",
        industry=Industry.LOGISTICS,
        contact_name="钱经理",
        need="冷库周界视频监控",
        estimated_amount=Decimal("180000.00"),
        source="官网表单 / website",
    )
    declined = lead_offer_to(depot, xihu, admin)
    offer_decline(declined, wu, "冷链项目不是我们的强项 / cold chain is not our field")
    assert LeadOffer.objects.filter(pk=offer.pk, status=OfferStatus.OFFERED).exists()
