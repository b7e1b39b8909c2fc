"""Who sees which article: vendor staff everything, a partner's users the published articles of
their audience (tier, type, region; empty means everyone), nobody else anything."""

from __future__ import annotations

import pytest

from partners.knowledge.publishing import article_archive
from partners.knowledge.selectors import article_get_visible, articles_visible_to
from partners.models import PartnerType
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .conftest import write_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(kb):
    editor, category = kb["editor"], kb["category"]
    return {
        "everyone": write_article(editor, category, title="所有伙伴"),
        "gold": write_article(editor, category, title="金牌", tiers=[kb["gold"]]),
        "dealers": write_article(
            editor, category, title="经销商", partner_types=[PartnerType.DEALER]
        ),
        "guangdong": write_article(editor, category, title="广东", regions=[kb["guangdong"]]),
        "gold_dealers_in_zhejiang": write_article(
            editor,
            category,
            title="浙江金牌经销商",
            tiers=[kb["gold"]],
            partner_types=[PartnerType.DEALER],
            regions=[kb["zhejiang"]],
        ),
        "draft": write_article(editor, category, title="草稿", publish=False),
        "archived": article_archive(write_article(editor, category, title="已归档"), actor=editor),
    }


def _titles(user):
    return sorted(articles_visible_to(user).values_list("title", flat=True))


def test_each_partner_sees_exactly_the_published_articles_of_its_audience(kb, articles):
    assert _titles(kb["gold_dealer_user"]) == sorted(
        ["所有伙伴", "金牌", "经销商", "浙江金牌经销商"]
    )
    assert _titles(kb["silver_dealer_user"]) == sorted(["所有伙伴", "经销商", "广东"])
    # Its province is stored in English: a region matches by either name.
    assert _titles(kb["gold_distributor_user"]) == sorted(["所有伙伴", "金牌", "广东"])
    # No tier: not in any tier-limited audience.
    assert _titles(kb["agent_user"]) == ["所有伙伴"]


def test_vendor_staff_see_every_article_in_every_status(kb, articles):
    everything = sorted(a.title for a in articles.values())

    assert _titles(kb["sales"]) == everything
    assert _titles(make_user(Role.CHANNEL_MANAGER)) == everything


def test_outside_the_audience_or_unpublished_is_not_found(kb, articles):
    silver = kb["silver_dealer_user"]

    assert article_get_visible(user=silver, pk=articles["gold"].pk) is None
    assert article_get_visible(user=silver, pk=articles["draft"].pk) is None
    assert article_get_visible(user=silver, pk=articles["archived"].pk) is None
    assert article_get_visible(user=silver, pk=articles["dealers"].pk) == articles["dealers"]


def test_anonymous_and_deactivated_users_see_nothing(kb, articles):
    from django.contrib.auth.models import AnonymousUser

    gone = make_user(Role.PARTNER_USER, partner=make_partner())
    gone.is_active = False
    gone.save()

    assert _titles(AnonymousUser()) == []
    assert _titles(gone) == []
