"""Deal registrations (报备) for benchmark data, loaded with COPY: realistic Chinese and English
customer names with their conflict keys computed by the same functions as the product, statuses
as in a live pipeline, vendor named accounts and sell-out rows whose customers overlap them."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from deal_registration.keys import domain_key, email_domain_key, normalize_name, phone_key
from deal_registration.models import DealRegistration, DealStatus, NamedAccount
from orders.models import SellOut
from partners.models import Region

from .names import PUBLIC_MAIL, Company, Names, credit_code
from .scales import END, Scale
from .sql import analyze, copy_rows

CLAIM_MIX = [  # (status, share in %, share of those holding the claim)
    (DealStatus.SUBMITTED, 10, 0.8),
    (DealStatus.MORE_INFO, 3, 0.8),
    (DealStatus.APPROVED, 35, 0.9),
    (DealStatus.WON, 15, 0.95),
    (DealStatus.DRAFT, 7, 0.0),
    (DealStatus.REJECTED, 10, 0.0),
    (DealStatus.LOST, 10, 0.0),
    (DealStatus.EXPIRED, 10, 0.0),
]
CITY_REGIONS = [("440300", "深圳市"), ("310115", "浦东新区"), ("320500", "苏州市"),
                ("330100", "杭州市"), ("510100", "成都市")]  # fmt: skip
STAGES = ["qualification", "proposal", "negotiation"]


def deals_generate(
    scale: Scale, rng: random.Random, partners: list[int], products: list[int], lines: list[int]
) -> dict[str, int]:
    names = Names(rng)
    regions = [
        Region.objects.get_or_create(code=code, defaults={"name": name, "level": "city"})[0].pk
        for code, name in CITY_REGIONS
    ]
    now = timezone.now()
    statuses = [s for s, share, _h in CLAIM_MIX for _ in range(share)]
    hold_share = {s: h for s, _share, h in CLAIM_MIX}
    companies: list[Company] = []

    def registrations() -> Iterator[tuple[Any, ...]]:
        for i in range(scale.registrations):
            company = names.company()
            companies.append(company)
            status = rng.choice(statuses)
            code = credit_code(i) if rng.random() < 0.5 else ""
            website = names.domain(company) if rng.random() < 0.35 else ""
            if rng.random() < 0.5:
                email = f"li{i}@{rng.choice(PUBLIC_MAIL)}"
            else:
                email = f"wang{i}@{website}" if website else ""
            phone = names.landline()[0] if rng.random() < 0.7 else ""
            contact = names.mobile()[0] if rng.random() < 0.8 else ""
            name = company.name()
            yield (
                f"DR-B{i:07d}", rng.choice(partners), status, name, code, rng.choice(regions),
                "manufacturing", website, phone, "王磊", contact, email,
                f"{name[:12]} 产线升级项目", rng.choice(lines),
                Decimal(rng.randrange(20, 2_000) * 1_000), END + timedelta(days=rng.randrange(180)),
                rng.choice(STAGES), "", normalize_name(name)[:200], domain_key(website),
                email_domain_key(email), phone_key(phone), phone_key(contact),
                rng.random() < hold_share[status], False, "", "", None, now, now,
            )  # fmt: skip

    counts = {
        "registrations": copy_rows(
            DealRegistration._meta.db_table,
            "number, partner_id, status, customer_name, credit_code, region_id, industry, "
            "website, phone, contact_name, contact_phone, contact_email, title, product_line_id, "
            "estimated_amount, expected_close_date, stage, description, name_key, "
            "website_domain, email_domain, phone_key, contact_phone_key, holds_claim, "
            "has_conflict, address, contact_title, created_by_id, created_at, updated_at",
            registrations(),
        )
    }

    def accounts() -> Iterator[tuple[Any, ...]]:
        for i in range(scale.named_accounts):
            # A third are customers partners also register (the vendor got there first).
            company = rng.choice(companies) if rng.random() < 0.3 else names.company()
            website = names.domain(company) if rng.random() < 0.5 else ""
            phone = names.landline()[0] if rng.random() < 0.6 else ""
            code = credit_code(scale.registrations + i, kind="92") if rng.random() < 0.6 else ""
            name = company.variant() if rng.random() < 0.5 else company.name()
            yield (
                rng.choice(["direct", "named"]), name, code, website, phone, rng.random() < 0.9,
                "", normalize_name(name)[:200], domain_key(website), phone_key(phone), now,
            )  # fmt: skip

    counts["named accounts"] = copy_rows(
        NamedAccount._meta.db_table,
        "kind, name, credit_code, website, phone, is_active, notes, name_key, domain, "
        "phone_key, created_at",
        accounts(),
    )
    customers = [
        (rng.choice(companies) if rng.random() < 0.3 else names.company()).name()
        for _ in range(max(1, scale.sell_out // 3))
    ]
    keys = {name: normalize_name(name)[:200] for name in customers}

    def sell_out() -> Iterator[tuple[Any, ...]]:
        first = END - timedelta(days=700)
        for _ in range(scale.sell_out):
            customer = rng.choice(customers)
            yield (
                rng.choice(partners), rng.choice(products), first + timedelta(rng.randrange(700)),
                rng.randint(1, 20), customer, keys[customer], "广东", "", False, now,
            )  # fmt: skip

    counts["sell-out rows"] = copy_rows(
        SellOut._meta.db_table,
        "partner_id, product_id, sold_on, quantity, end_customer, customer_key, province, "
        "city, outside_territory, created_at",
        sell_out(),
    )
    with connection.cursor() as cursor:
        # COPY leaves trigram entries in the GIN pending list; a live system's vacuum merges them.
        for index in ("deal_reg_name_trgm", "named_account_name_trgm", "sellout_customer_trgm"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
    analyze(DealRegistration._meta.db_table, NamedAccount._meta.db_table, SellOut._meta.db_table)
    return counts
