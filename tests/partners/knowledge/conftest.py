"""A small channel for the knowledge tests: two tiers, two provinces, partners of each kind,
their users, an editor, and a helper that writes (and publishes) an article."""

from __future__ import annotations

from typing import Any

import pytest

from partners.knowledge.models import Article, Category
from partners.knowledge.publishing import article_publish
from partners.knowledge.services import article_create
from partners.models import PartnerType, Region, Tier
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user


def write_article(
    editor: Any, category: Category, *, publish: bool = True, **fields: Any
) -> Article:
    fields.setdefault("kind", "faq")
    fields.setdefault("title", "常见问题")
    fields.setdefault("body", "内容")
    article = article_create(category=category, actor=editor, **fields)
    return article_publish(article, actor=editor) if publish else article


@pytest.fixture
def kb(in_a: Any) -> dict[str, Any]:
    gold = Tier.objects.create(code="kb-gold", name="金牌", name_en="Gold", rank=93)
    silver = Tier.objects.create(code="kb-silver", name="银牌", name_en="Silver", rank=92)
    zhejiang = Region.objects.create(
        code="kb-33", name="浙江", name_en="Zhejiang", level=Region.Level.PROVINCE
    )
    guangdong = Region.objects.create(
        code="kb-44", name="广东", name_en="Guangdong", level=Region.Level.PROVINCE
    )
    gold_dealer = make_partner(tier=gold, partner_type=PartnerType.DEALER, region="浙江")
    silver_dealer = make_partner(tier=silver, partner_type=PartnerType.DEALER, region="广东")
    gold_distributor = make_partner(
        tier=gold, partner_type=PartnerType.DISTRIBUTOR, region="Guangdong"
    )
    untiered_agent = make_partner(partner_type=PartnerType.AGENT, region="浙江")
    return {
        "gold": gold,
        "silver": silver,
        "zhejiang": zhejiang,
        "guangdong": guangdong,
        "gold_dealer": gold_dealer,
        "silver_dealer": silver_dealer,
        "gold_distributor": gold_distributor,
        "untiered_agent": untiered_agent,
        "gold_dealer_user": make_user(Role.PARTNER_USER, partner=gold_dealer),
        "silver_dealer_user": make_user(Role.PARTNER_ADMIN, partner=silver_dealer),
        "gold_distributor_user": make_user(Role.PARTNER_USER, partner=gold_distributor),
        "agent_user": make_user(Role.PARTNER_USER, partner=untiered_agent),
        "editor": make_user(Role.MARKETING),
        "sales": make_user(Role.SALES),
        "category": Category.objects.create(code="policy", name="政策", name_en="Policies"),
        "faq": Category.objects.create(code="faq", name="常见问题", name_en="FAQ", position=2),
    }
