"""Audiences (tiers, types, regions) shared by learning paths, articles and announcements."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import transaction
from django.db.models import ProtectedError

from partners.admin import RegionAdmin, TierAdmin
from partners.audience import audience_filter, province_key
from partners.knowledge.models import Article, Category
from partners.knowledge.services import article_create
from partners.models import Region, Tier
from tests.factories import make_partner

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("浙江省", "浙江"),
        ("浙江", "浙江"),
        (" Zhejiang  Province ", "zhejiang"),
        ("上海市", "上海"),
        ("广西壮族自治区", "广西"),
        ("香港特别行政区", "香港"),
        ("市", "市"),
    ],
)
def test_province_key_drops_administrative_suffixes(typed, key):
    assert province_key(typed) == key


@pytest.fixture
def zhejiang_article(in_a, vendor_admin):
    region = Region.objects.create(code="aud-33", name="浙江", name_en="Zhejiang", level="province")
    category = Category.objects.create(code="aud", name="政策")
    article = article_create(category=category, kind="faq", title="标题", body="正文", actor=None)
    article.regions.add(region)
    return article, region


def test_a_partner_whose_region_is_typed_with_its_suffix_is_in_the_province(zhejiang_article):
    article, _region = zhejiang_article
    inside = [make_partner(region=r) for r in ("浙江省", "Zhejiang Province", "浙江")]
    outside = make_partner(region="江苏省")

    for partner in inside:
        assert list(audience_filter(Article.objects.all(), partner)) == [article]
    assert list(audience_filter(Article.objects.all(), outside)) == []


def test_a_region_or_tier_chosen_in_an_audience_cannot_be_deleted(zhejiang_article, rf):
    article, region = zhejiang_article
    tier = Tier.objects.create(code="aud-gold", name="金牌", rank=71)
    article.tiers.add(tier)
    spare = Tier.objects.create(code="aud-spare", name="备用", rank=72)

    with pytest.raises(ProtectedError), transaction.atomic():
        region.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        tier.delete()
    spare.delete()  # a tier no audience chose goes as before

    assert article.regions.get() == region
    assert article.tiers.get() == tier


def test_the_admin_offers_no_delete_for_a_tier_in_an_audience(zhejiang_article, vendor_admin, rf):
    article, region = zhejiang_article
    tier = Tier.objects.create(code="aud-gold2", name="金牌", rank=73)
    article.tiers.add(tier)
    request = rf.get("/")
    request.user = vendor_admin
    assert TierAdmin(Tier, admin.site).has_delete_permission(request, tier) is False
    assert RegionAdmin(Region, admin.site).has_delete_permission(request, region) is False
    free = Tier.objects.create(code="aud-free", name="空", rank=74)
    assert TierAdmin(Tier, admin.site).has_delete_permission(request, free) is True
