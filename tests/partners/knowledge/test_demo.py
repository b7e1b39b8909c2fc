import random

import pytest

from partners.knowledge.demo import seed
from partners.knowledge.models import Article, ArticleFeedback, ArticleStatus
from partners.knowledge.selectors import articles_search, articles_visible_to

pytestmark = pytest.mark.django_db


def test_the_demo_fills_every_status_and_the_gold_policy_stays_with_gold(kb, vendor_admin):
    partners = [kb[k] for k in ("gold_dealer", "silver_dealer", "gold_distributor")]

    seed(partners=partners, admin=vendor_admin, rng=random.Random(1))

    statuses = sorted(Article.objects.values_list("status", flat=True))
    assert statuses.count(ArticleStatus.PUBLISHED) == 7
    assert (statuses.count(ArticleStatus.DRAFT), statuses.count(ArticleStatus.ARCHIVED)) == (1, 1)
    rebate = Article.objects.get(title_en="Tiered rebate policy (2027)")
    assert (rebate.version, rebate.versions.count()) == (2, 2)
    gold_policy = Article.objects.get(title_en="Price policy for gold partners")
    assert list(gold_policy.tiers.all()) == [kb["gold"]]
    assert gold_policy.attachments.count() == 1
    assert gold_policy not in articles_visible_to(kb["silver_dealer_user"])
    assert gold_policy in articles_visible_to(kb["gold_dealer_user"])
    assert articles_search(Article.objects.all(), "返利").first() == rebate
    for article in Article.objects.all():
        feedback = ArticleFeedback.objects.filter(article=article)
        assert (article.helpful_count, article.unhelpful_count) == (
            feedback.filter(helpful=True).count(),
            feedback.filter(helpful=False).count(),
        )
    assert ArticleFeedback.objects.exists()
