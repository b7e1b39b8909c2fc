""" "Was this helpful?": one answer per person, changeable; the counters stay exact, also when
answers arrive at the same moment in separate transactions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from partners.knowledge.feedback import article_feedback
from partners.knowledge.models import Article, ArticleFeedback, Category
from partners.knowledge.publishing import article_publish
from partners.knowledge.services import article_create
from partners.models import PartnerStatus
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_user
from tests.orders.test_ledger_concurrency import _remove

from .conftest import write_article

pytestmark = pytest.mark.django_db


def _counts(article):
    article.refresh_from_db()
    return article.helpful_count, article.unhelpful_count


def test_answers_count_once_per_person_and_a_changed_answer_moves_the_count(kb):
    article = write_article(kb["editor"], kb["faq"])
    first, second = kb["gold_dealer_user"], kb["silver_dealer_user"]

    article_feedback(article, user=first, helpful=True)
    article_feedback(article, user=first, helpful=True)  # the same again: no change
    article_feedback(article, user=second, helpful=True)
    assert _counts(article) == (2, 0)

    answer = article_feedback(article, user=second, helpful=False, comment="缺少 价格表")
    assert _counts(article) == (1, 1)
    assert (answer.helpful, answer.comment) == (False, "缺少 价格表")

    article_feedback(article, user=second, helpful=False, comment="还缺少型号")
    article_feedback(article, user=first, helpful=False)
    article_feedback(article, user=first, helpful=True)
    assert _counts(article) == (1, 1)
    assert ArticleFeedback.objects.get(article=article, user=second).comment == "还缺少型号"
    assert ArticleFeedback.objects.filter(article=article).count() == 2


def test_the_comment_sent_is_the_comment_kept_so_it_can_be_removed(kb):
    article = write_article(kb["editor"], kb["faq"])
    reader = kb["gold_dealer_user"]

    article_feedback(article, user=reader, helpful=False, comment="写错了 电话号码 13800000000")
    cleared = article_feedback(article, user=reader, helpful=False, comment="")
    article_feedback(article, user=reader, helpful=False, comment="还是缺少型号")
    switched = article_feedback(article, user=reader, helpful=True, comment="")

    assert cleared.comment == ""
    assert (switched.helpful, switched.comment) == (True, "")
    assert _counts(article) == (1, 0)
    assert list(ArticleFeedback.objects.values_list("comment", flat=True)) == [""]


def test_only_partner_users_who_may_read_it_answer(kb):
    gold_only = write_article(kb["editor"], kb["faq"], tiers=[kb["gold"]])
    draft = write_article(kb["editor"], kb["faq"], publish=False)

    for user, article in (
        (kb["silver_dealer_user"], gold_only),
        (kb["gold_dealer_user"], draft),
        (kb["sales"], gold_only),
    ):
        with pytest.raises(PermissionDenied):
            article_feedback(article, user=user, helpful=True)
    assert _counts(gold_only) == (0, 0)


def test_concurrent_answers_keep_the_counts_exact(tenant_a):
    def setup():
        editor = make_user(Role.MARKETING)
        partner = make_partner(status=PartnerStatus.APPLIED)  # no onboarding rows to clean up
        category = Category.objects.create(code="race", name="并发")
        article = article_publish(
            article_create(category=category, kind="faq", title="并发", body="b", actor=editor),
            actor=editor,
        )
        users = [make_user(Role.PARTNER_USER, partner=partner) for _ in range(6)]
        return {
            "article": article.pk,
            "category": category.pk,
            "partner": partner.pk,
            "users": [u.pk for u in users],
            "editor": editor.pk,
        }

    ids = in_thread("alpha", setup)

    def answer(user_id, helpful):
        def run():
            article_feedback(
                Article.objects.get(pk=ids["article"]),
                user=User.objects.get(pk=user_id),
                helpful=helpful,
            )

        return run

    def read():
        article = Article.objects.get(pk=ids["article"])
        rows = ArticleFeedback.objects.filter(article=article)
        return (
            (article.helpful_count, article.unhelpful_count),
            (rows.filter(helpful=True).count(), rows.filter(helpful=False).count()),
        )

    users = ids["users"]
    try:
        # Four people at once, one of them changing her mind twice in the same instant.
        run_concurrently(
            "alpha",
            [
                answer(users[0], True),
                answer(users[1], True),
                answer(users[2], False),
                answer(users[3], True),
                answer(users[3], False),
                answer(users[3], True),
            ],
        )
        counts, rows = in_thread("alpha", read)
        assert counts == rows
        assert sum(counts) == 4
        assert rows[1] in (1, 2)  # users[3] last said either yes or no

        run_concurrently("alpha", [answer(u, False) for u in users])
        assert in_thread("alpha", read) == ((0, 6), (0, 6))
    finally:

        def cleanup():
            with connection.cursor() as cursor:
                for sql in (
                    "DELETE FROM knowledge_articlefeedback WHERE article_id = %(a)s",
                    "DELETE FROM knowledge_articleversion WHERE article_id = %(a)s",
                    "DELETE FROM knowledge_articlestatuschange WHERE article_id = %(a)s",
                    "DELETE FROM knowledge_article_tags WHERE article_id = %(a)s",
                    "DELETE FROM knowledge_article WHERE id = %(a)s",
                    "DELETE FROM knowledge_category WHERE id = %(c)s",
                    "DELETE FROM auditlog_logentry WHERE content_type_id IN "
                    "(SELECT id FROM django_content_type WHERE app_label = 'knowledge')",
                ):
                    cursor.execute(sql, {"a": ids["article"], "c": ids["category"]})
            _remove(ids["partner"], users=users)
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE auditlog_logentry SET actor_id = NULL WHERE actor_id = %s",
                    [ids["editor"]],
                )
                cursor.execute("DELETE FROM accounts_user WHERE id = %s", [ids["editor"]])

        in_thread("alpha", cleanup)
