"""The knowledge lists cost the same number of queries for 3 articles as for 15 (no N+1)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.knowledge.attachments import article_attachment_add
from tests.conftest import login
from tests.trust.images import PNG

from .conftest import write_article

pytestmark = pytest.mark.django_db


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx)


def _articles(kb, n):
    for i in range(n):
        article = write_article(
            kb["editor"],
            kb["faq"] if i % 2 else kb["category"],
            title=f"返利问答{i}",
            tags=[f"标签{i}", "返利"],
            tiers=[kb["gold"]],
            regions=[kb["zhejiang"]],
        )
        article_attachment_add(
            article,
            SimpleUploadedFile("a.png", PNG),
            actor=kb["editor"],
        )


@pytest.mark.parametrize(
    ("url", "params", "reader"),
    [
        ("/portal/knowledge/", {}, "gold_dealer_user"),
        ("/portal/knowledge/", {"q": "返利", "tag": "返利"}, "gold_dealer_user"),
        ("/knowledge/", {}, "sales"),
        ("/knowledge/", {"q": "返利", "status": "published"}, "sales"),
    ],
)
def test_knowledge_lists_have_a_bounded_query_count(client_a, kb, url, params, reader):
    login(client_a, kb[reader])
    _articles(kb, 3)
    few = _queries(client_a, url, params)
    _articles(kb, 12)
    many = _queries(client_a, url, params)

    assert many == few
    # The filter form's category and tag choices included, the partner's regions for the
    # audience, and a search's check that its query has words to look for.
    assert few <= 18
