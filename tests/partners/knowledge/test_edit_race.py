"""Two editors who opened the same version save at the same moment, in separate committed
transactions: the version check under the row lock lets exactly one of them through."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from partners.knowledge.models import Article, ArticleVersion, Category
from partners.knowledge.services import article_create, article_update
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_of_two_editors_saving_the_same_version_at_once_one_is_refused(tenant_a: Any) -> None:
    def setup() -> dict[str, Any]:
        editors = [make_user(Role.MARKETING), make_user(Role.ADMIN)]
        category = Category.objects.create(code="edit-race", name="并发编辑")
        article = article_create(
            category=category, kind="faq", title="原文", body="b", actor=editors[0]
        )
        return {"article": article.pk, "category": category.pk, "editors": [e.pk for e in editors]}

    ids = in_thread("alpha", setup)

    def save(editor_id: int, title: str) -> Any:
        def run() -> str:
            try:
                article_update(
                    Article.objects.get(pk=ids["article"]),
                    actor=User.objects.get(pk=editor_id),
                    note=f"{title}的修改",
                    title=title,
                    expected_version=1,
                )
            except ValidationError as exc:
                return exc.code or "refused"
            return "saved"

        return run

    def stored() -> tuple[tuple[str, int], list[int]]:
        article = Article.objects.get(pk=ids["article"])
        numbers = ArticleVersion.objects.filter(article=article).values_list("number", flat=True)
        return (article.title, article.version), sorted(numbers)

    try:
        results = run_concurrently(
            "alpha", [save(ids["editors"][0], "甲"), save(ids["editors"][1], "乙")]
        )
        (title, version), numbers = in_thread("alpha", stored)

        assert sorted(results) == ["saved", "stale"]
        winner = "甲" if results[0] == "saved" else "乙"
        assert (title, version) == (winner, 2)
        assert numbers == [1, 2]
    finally:

        def cleanup() -> None:
            with connection.cursor() as cursor:
                for sql in (
                    "DELETE FROM knowledge_articleversion WHERE article_id = %(a)s",
                    "DELETE FROM knowledge_articlestatuschange WHERE article_id = %(a)s",
                    "DELETE FROM knowledge_article_tags WHERE article_id = %(a)s",
                    "DELETE FROM knowledge_article WHERE id = %(a)s",
                    "DELETE FROM knowledge_category WHERE id = %(c)s",
                    "DELETE FROM auditlog_logentry WHERE content_type_id IN "
                    "(SELECT id FROM django_content_type WHERE app_label = 'knowledge')",
                    "UPDATE auditlog_logentry SET actor_id = NULL WHERE actor_id = ANY(%(u)s)",
                    "DELETE FROM auditlog_logentry WHERE object_pk = ANY(%(t)s) AND "
                    "content_type_id = (SELECT id FROM django_content_type "
                    "WHERE app_label = 'accounts' AND model = 'user')",
                    "DELETE FROM accounts_user WHERE id = ANY(%(u)s)",
                ):
                    cursor.execute(
                        sql,
                        {
                            "a": ids["article"],
                            "c": ids["category"],
                            "u": ids["editors"],
                            "t": [str(pk) for pk in ids["editors"]],
                        },
                    )

        in_thread("alpha", cleanup)
