"""Partners for benchmark data: tiers, provinces weighted as channel networks are (coastal
provinces dense), channel managers, product-line authorisations, wallets and credit, and a
partner-admin login for the dealers the page scenarios act as."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from orders.models import Account, AccountKind, LedgerEntry
from partners.models import Partner, PartnerStatus, PartnerType, ProductLine, Tier
from prm.accounts.models import User
from prm.accounts.roles import Role
from reports.geography import PROVINCES as ALL_PROVINCES

from .names import Names
from .scales import Scale
from .sql import copy_rows

T = TypeVar("T")

PASSWORD = "bench-pass-2026"  # every generated login; the data is for load, not for people
TIERS = [  # code, Chinese, English, rank, share of partners in %
    ("bench-platinum", "白金", "Platinum", 400, 5),
    ("bench-gold", "金牌", "Gold", 300, 15),
    ("bench-silver", "银牌", "Silver", 200, 30),
    ("bench-standard", "普通", "Standard", 100, 50),
]
# The 30 provinces of the mainland a vendor's dealers cover (not Tibet, Hong Kong, Macao, Taiwan).
PROVINCES = [zh for zh, _en, area in ALL_PROVINCES if area != "hmt" and zh != "西藏"][:30]
DENSE = {"广东": 9, "江苏": 8, "浙江": 8, "山东": 6, "上海": 5, "北京": 5, "四川": 4, "湖北": 4}
TYPES = [(PartnerType.DEALER, 60), (PartnerType.DISTRIBUTOR, 15), (PartnerType.AGENT, 25)]


@dataclass
class PartnerSet:
    ids: list[int]  # active partners, in creation order
    tiers: list[Tier]
    lines: list[int] = field(default_factory=list)
    dealer_logins: list[str] = field(default_factory=list)  # e-mails, partner-admin role
    managers: list[int] = field(default_factory=list)


def _weighted(rng: random.Random, pairs: Sequence[tuple[T, int]]) -> T:
    return rng.choices([v for v, _w in pairs], weights=[w for _v, w in pairs])[0]


def tiers_ensure() -> list[Tier]:
    return [
        Tier.objects.get_or_create(code=code, defaults={"name": zh, "name_en": en, "rank": rank})[0]
        for code, zh, en, rank, _share in TIERS
    ]


def partners_generate(scale: Scale, rng: random.Random, lines: list[ProductLine]) -> PartnerSet:
    tiers = tiers_ensure()
    hashed = make_password(PASSWORD)
    managers = User.objects.bulk_create(
        [
            User(
                email=f"manager{i:02d}@bench.test",
                full_name=f"渠道经理{i:02d}",
                role=Role.CHANNEL_MANAGER,
                password=hashed,
            )
            for i in range(max(2, scale.partners // 250))
        ]
    )
    names, seen = Names(rng), set()
    province_weights = [(p, DENSE.get(p, 2)) for p in PROVINCES]
    tier_weights = [(tier, share) for tier, (*_x, share) in zip(tiers, TIERS, strict=True)]
    rows = []
    for i in range(scale.partners):
        name = names.company().name()
        while name in seen:
            name = names.company().name()
        seen.add(name)
        # One in 40 is still applying or suspended: never eligible, never orders.
        status = PartnerStatus.ACTIVE
        if i % 40 == 39:
            status = PartnerStatus.APPLIED if i % 80 == 79 else PartnerStatus.SUSPENDED
        rows.append(
            Partner(
                name=name,
                partner_type=_weighted(rng, TYPES),
                status=status,
                tier=_weighted(rng, tier_weights),
                region=_weighted(rng, province_weights),
                city="",
                channel_manager=managers[i % len(managers)],
                credit_limit=Decimal(rng.choice((100_000, 200_000, 500_000, 1_000_000))),
                payment_terms_days=rng.choice((30, 45, 60)),
            )
        )
    partners = Partner.objects.bulk_create(rows, batch_size=2_000)
    # Dealers the page scenarios act as: active, every product line, a login each.
    actors = [p for p in partners if p.status == PartnerStatus.ACTIVE][: scale.dealers_with_users]
    through = Partner.product_lines.through
    links = []
    for partner in partners:
        chosen = lines if partner in actors else rng.sample(lines, max(1, len(lines) * 6 // 10))
        links += [through(partner_id=partner.pk, productline_id=line.pk) for line in chosen]
    through.objects.bulk_create(links, batch_size=5_000)
    logins = [f"dealer{i:02d}@bench.test" for i in range(len(actors))]
    User.objects.bulk_create(
        [
            User(
                email=email,
                full_name=f"{partner.name[:20]} 管理员",
                role=Role.PARTNER_ADMIN,
                partner=partner,
                password=hashed,
            )
            for email, partner in zip(logins, actors, strict=True)
        ]
    )
    _money(partners, rng)
    return PartnerSet(
        ids=[p.pk for p in partners if p.status == PartnerStatus.ACTIVE],
        tiers=tiers,
        lines=[line.pk for line in lines],
        dealer_logins=logins,
        managers=[m.pk for m in managers],
    )


def _money(partners: list[Partner], rng: random.Random) -> None:
    """A prepaid wallet and rebate credit for each partner, each with the top-up that made it."""
    accounts = []
    opening = []
    for partner in partners:
        prepaid = Decimal(rng.randrange(50_000, 2_000_000))
        rebate = Decimal(rng.randrange(0, 50_000))
        for kind, balance in (
            (AccountKind.PREPAID, prepaid),
            (AccountKind.REBATE, rebate),
            (AccountKind.CREDIT, Decimal(0)),
        ):
            accounts.append(Account(partner=partner, kind=kind, balance=balance))
            opening.append(balance)
    created = Account.objects.bulk_create(accounts, batch_size=5_000)
    now = timezone.now()
    copy_rows(
        LedgerEntry._meta.db_table,
        "account_id, kind, amount, balance_after, memo, reference, created_at",
        (
            (account.pk, "top_up", amount, amount, "开户余额", "bench", now)
            for account, amount in zip(created, opening, strict=True)
            if amount
        ),
    )
