"""Demo vendor `demo`: bilingual partners in several regions and tiers, products and orders.

Lives in `reports` because it is the one app allowed to reach every other module.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from auditlog.context import set_actor
from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context

from deal_registration import demo as deals_demo
from mdf import demo as mdf_demo
from orders import demo as orders_demo
from orders.erp import demo as erp_demo
from partners import demo as partner_demo
from partners.academy import demo as academy_demo
from partners.agreements import demo as agreements_demo
from partners.announcements import demo as announcements_demo
from partners.knowledge import demo as knowledge_demo
from partners.models import PartnerStatus, PartnerType, Tier
from partners.onboarding import demo as onboarding_demo
from partners.programs import demo as programs_demo
from partners.recruitment import demo as recruitment_demo
from partners.services import partner_create, partner_set_status
from partners.support import demo as support_demo
from prm.accounts.roles import Role
from prm.accounts.services import user_create
from prm.tenancy.models import Tenant
from prm.tenancy.services import vendor_create
from rebates import demo as rebates_demo

from . import demo_history as history_demo
from . import demo_plans as plans_demo
from .rollups import rollups_rebuild

SLUG = "demo"
PASSWORD = "demo12345"


@dataclass(frozen=True)
class Login:
    role: str
    email: str
    password: str
    portal: str


TIERS = [
    ("platinum", "铂金", "Platinum", 4),
    ("gold", "金牌", "Gold", 3),
    ("silver", "银牌", "Silver", 2),
    ("registered", "注册", "Registered", 1),
]
STAFF = [
    ("li.na@demo.localhost", "李娜", Role.CHANNEL_MANAGER),
    ("zhang.wei@demo.localhost", "张伟", Role.CHANNEL_MANAGER),
    ("chen.jing@demo.localhost", "陈静", Role.FINANCE),
    ("liu.yang@demo.localhost", "刘洋", Role.ORDER_DESK),
    ("zhao.min@demo.localhost", "赵敏", Role.MARKETING),
    ("sun.hao@demo.localhost", "孙浩", Role.SALES),
]
# name, English name, credit code, type, tier, province, city, manager index, status
PARTNERS = [
    (
        "上海华东智能科技有限公司",
        "Shanghai Huadong Smart Tech Co., Ltd.",
        "91310115MA1H7GXK26",
        PartnerType.DISTRIBUTOR,
        "platinum",
        "上海",
        "上海",
        0,
        PartnerStatus.ACTIVE,
    ),
    (
        "杭州西湖安防设备有限公司",
        "Hangzhou Xihu Security Equipment Co., Ltd.",
        None,
        PartnerType.DEALER,
        "gold",
        "浙江",
        "杭州",
        0,
        PartnerStatus.ACTIVE,
    ),
    (
        "南京金陵数码贸易有限公司",
        "Nanjing Jinling Digital Trading Co., Ltd.",
        None,
        PartnerType.DEALER,
        "silver",
        "江苏",
        "南京",
        0,
        PartnerStatus.ACTIVE,
    ),
    (
        "苏州工业园区信达电子有限公司",
        "Suzhou Xinda Electronics Co., Ltd.",
        None,
        PartnerType.RESELLER,
        "registered",
        "江苏",
        "苏州",
        0,
        PartnerStatus.APPLIED,
    ),
    (
        "深圳南山创联科技有限公司",
        "Shenzhen Nanshan Chuanglian Technology Co., Ltd.",
        None,
        PartnerType.DISTRIBUTOR,
        "platinum",
        "广东",
        "深圳",
        1,
        PartnerStatus.ACTIVE,
    ),
    (
        "广州天河智联电子有限公司",
        "Guangzhou Tianhe Zhilian Electronics Co., Ltd.",
        None,
        PartnerType.DEALER,
        "gold",
        "广东",
        "广州",
        1,
        PartnerStatus.ACTIVE,
    ),
    (
        "东莞松湖安装服务有限公司",
        "Dongguan Songhu Installation Services Co., Ltd.",
        None,
        PartnerType.SERVICE,
        "silver",
        "广东",
        "东莞",
        1,
        PartnerStatus.SUSPENDED,
    ),
    (
        "北京中关村恒通科技有限公司",
        "Beijing Zhongguancun Hengtong Technology Co., Ltd.",
        None,
        PartnerType.AGENT,
        "gold",
        "北京",
        "北京",
        None,
        PartnerStatus.ACTIVE,
    ),
    (
        "成都天府云网络科技有限公司",
        "Chengdu Tianfu Cloud Network Technology Co., Ltd.",
        None,
        PartnerType.DEALER,
        "silver",
        "四川",
        "成都",
        None,
        PartnerStatus.ACTIVE,
    ),
    (
        "武汉光谷智能家居有限公司",
        "Wuhan Optics Valley Smart Home Co., Ltd.",
        None,
        PartnerType.DEALER,
        "registered",
        "湖北",
        "武汉",
        None,
        PartnerStatus.ACTIVE,
    ),
    (
        "青岛海岸电子商贸有限公司",
        "Qingdao Haian Electronics Commerce Co., Ltd.",
        None,
        PartnerType.RESELLER,
        "registered",
        "山东",
        "青岛",
        None,
        PartnerStatus.TERMINATED,
    ),
]


def demo_logins() -> list[Login]:
    return [
        Login("Vendor admin / 厂商管理员", f"admin@{SLUG}.localhost", PASSWORD, "/"),
        Login("Channel manager / 渠道经理", STAFF[0][0], PASSWORD, "/"),
        Login("Partner admin / 伙伴管理员", "partner@huadong.example.cn", PASSWORD, "/portal/"),
        Login("Partner user / 伙伴用户", "buyer@xihu.example.cn", PASSWORD, "/portal/"),
        Login(
            "Partner admin, agreement to sign / 待签协议",
            "admin@chuanglian.example.cn",
            PASSWORD,
            "/portal/",
        ),
    ]


def demo_exists() -> bool:
    """Seeded completely: the vendor exists and its data transaction committed."""
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        if not Tenant.objects.filter(schema_name=SLUG).exists():
            return False
    with schema_context(SLUG):
        return Tier.objects.exists()


def seed_demo() -> None:
    """Idempotent: an interrupted first run (vendor created, data not) is completed next time."""
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        exists = Tenant.objects.filter(schema_name=SLUG).exists()
    if not exists:
        vendor_create(
            slug=SLUG,
            name="示例电子 Demo Electronics",
            admin_email=f"admin@{SLUG}.localhost",
            admin_password=PASSWORD,
            admin_name="王建国",
        )
    with schema_context(SLUG):
        _seed_tenant()


@transaction.atomic
def _seed_tenant() -> None:
    from prm.accounts.models import User

    rng = random.Random(20261122)  # same demo every time
    admin = User.objects.get(role=Role.ADMIN)
    with set_actor(admin):
        partner_demo.seed_reference()
        tiers = {
            code: Tier.objects.create(code=code, name=zh, name_en=en, rank=rank)
            for code, zh, en, rank in TIERS
        }
        staff = [
            user_create(email=email, full_name=name, role=role, password=PASSWORD)
            for email, name, role in STAFF
        ]
        managers = [u for u in staff if u.role == Role.CHANNEL_MANAGER]
        partners = []
        for index, row in enumerate(PARTNERS):
            name, name_en, code, ptype, tier, province, city, mgr, status = row
            partner = partner_create(
                name=name,
                name_en=name_en,
                credit_code=code or partner_demo.credit_code(index),
                partner_type=ptype,
                tier=tiers[tier],
                region=province,
                city=city,
                channel_manager=managers[mgr] if mgr is not None else None,
                actor=admin,
                contact_name="联系人",
                contact_phone=f"138{rng.randrange(10**7, 10**8)}",
            )
            partners.append((partner, status))
        partner_demo.seed_profiles(partners=[p for p, _s in partners], rng=rng)
        # Orders are placed while partners are active; later moves (suspension...) follow.
        for partner, _status in partners:
            if _status != PartnerStatus.APPLIED:
                partner_set_status(
                    partner=partner,
                    status=PartnerStatus.ACTIVE,
                    actor=admin,
                    reason="资料审核通过 / documents approved",
                )
        user_create(
            email="partner@huadong.example.cn",
            full_name="周强",
            role=Role.PARTNER_ADMIN,
            partner=partners[0][0],
            password=PASSWORD,
        )
        user_create(
            email="buyer@xihu.example.cn",
            full_name="吴芳",
            role=Role.PARTNER_USER,
            partner=partners[1][0],
            password=PASSWORD,
        )
        user_create(
            email="admin@chuanglian.example.cn",
            full_name="郑磊",
            role=Role.PARTNER_ADMIN,
            partner=partners[4][0],
            password=PASSWORD,
        )
        user_create(
            email="owner@haian.example.cn",
            full_name="孙海",
            role=Role.PARTNER_ADMIN,
            partner=partners[10][0],
            password=PASSWORD,
        )
        seeded = [p for p, _s in partners]
        recruitment_demo.seed(partners=seeded, admin=admin, rng=rng)
        # 华东 renews; 创联 has yet to sign (onboarding still gates it); 海岸 is terminated below.
        agreements_demo.seed(
            renewing=seeded[0], awaiting=seeded[4], terminating=seeded[10], admin=admin
        )
        onboarding_demo.seed(partners=seeded, admin=admin, rng=rng, pending=seeded[4])
        orders_demo.seed(
            partners=[p for p, s in partners if s != PartnerStatus.APPLIED], admin=admin, rng=rng
        )
        history_demo.seed(partners=[p for p, s in partners if s != PartnerStatus.APPLIED], rng=rng)
        plans_demo.seed_targets(
            partners=[p for p, s in partners if s != PartnerStatus.APPLIED], admin=admin, rng=rng
        )
        plans_demo.seed_forecasts(partners=seeded, admin=admin, rng=rng)
        programs_demo.seed(partners=seeded, admin=admin, rng=rng)
        deals_demo.seed(partners=seeded, admin=admin, staff=staff)
        deals_demo.seed_leads(partners=seeded, admin=admin)
        rebates_demo.seed(admin=admin, finance=next(u for u in staff if u.role == Role.FINANCE))
        mdf_demo.seed(partners=seeded, admin=admin, staff=staff)
        academy_demo.seed(partners=seeded, admin=admin, rng=rng)
        knowledge_demo.seed(partners=seeded, admin=admin, rng=rng)
        announcements_demo.seed(partners=seeded, admin=admin, rng=rng)
        support_demo.seed(partners=seeded, admin=admin, rng=rng)
        erp_demo.seed(partners=seeded)
        for partner, status in partners:
            if status in (PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED):
                partner_set_status(
                    partner=partner,
                    status=status,
                    actor=admin,
                    reason="逾期未回款 / overdue payments",
                )
        # Seeding wrote rows that bypass the on-commit refresh (history, back-dated orders).
        rollups_rebuild()
