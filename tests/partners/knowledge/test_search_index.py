"""Keeping the search index true: a tag renamed or deleted in the admin re-indexes its articles,
`reindex_articles` rebuilds a vendor's index, and a query with nothing to search in it (only
punctuation or English stop words) leaves the list as it is instead of finding nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from partners.knowledge.models import Article, Tag
from partners.knowledge.selectors import articles_search
from tests.conftest import login

from .conftest import write_article

pytestmark = pytest.mark.django_db


def _found(q):
    return sorted(articles_search(Article.objects.all(), q).values_list("title", flat=True))


def test_renaming_a_tag_in_the_admin_reindexes_its_articles(client_a, kb, vendor_admin):
    write_article(kb["editor"], kb["faq"], title="新品介绍", body="内容", tags=["摄像机"])
    write_article(kb["editor"], kb["faq"], title="其他", body="内容", tags=["硬盘"])
    tag = Tag.objects.get(name="摄像机")
    login(client_a, vendor_admin)

    renamed = client_a.post(f"/admin/knowledge/tag/{tag.pk}/change/", {"name": "录像机"})

    assert renamed.status_code == 302
    assert _found("录像机") == ["新品介绍"]
    assert _found("摄像机") == []


def test_deleting_tags_in_the_admin_reindexes_their_articles(client_a, kb, vendor_admin):
    write_article(kb["editor"], kb["faq"], title="产品介绍", body="内容", tags=["摄像机", "新品"])
    write_article(kb["editor"], kb["faq"], title="存储选型", body="内容", tags=["硬盘"])
    write_article(kb["editor"], kb["faq"], title="促销", body="内容", tags=["新品"])
    login(client_a, vendor_admin)
    camera = Tag.objects.get(name="摄像机")
    disk, new = Tag.objects.get(name="硬盘"), Tag.objects.get(name="新品")

    one = client_a.post(f"/admin/knowledge/tag/{camera.pk}/delete/", {"post": "yes"})
    several = client_a.post(
        "/admin/knowledge/tag/",
        {"action": "delete_selected", "_selected_action": [disk.pk, new.pk], "post": "yes"},
    )

    assert one.status_code == several.status_code == 302
    assert not Tag.objects.exists()
    assert _found("摄像机") == _found("硬盘") == _found("新品") == []
    assert _found("产品介绍") == ["产品介绍"]  # the rest of the index is intact


def test_reindex_articles_rebuilds_the_index_of_the_vendor_it_runs_in(kb):
    write_article(kb["editor"], kb["faq"], title="阶梯返利政策", body="Rebates are paid quarterly.")
    write_article(
        kb["editor"], kb["faq"], title="发货时间", body="Orders are shipped daily.", publish=False
    )
    Article.objects.update(search_vector=None)  # as if written around the services
    assert _found("返利") == _found("shipping") == []

    out = StringIO()
    call_command("tenant_command", "reindex_articles", schema_name="alpha", stdout=out)

    assert out.getvalue().splitlines()[-1] == "alpha: 2 articles re-indexed."
    assert _found("返利") == ["阶梯返利政策"]
    assert _found("shipping") == ["发货时间"]

    connection.set_schema_to_public()
    public = StringIO()
    call_command("reindex_articles", stdout=public)
    assert public.getvalue() == "public: no knowledge base here, skipped.\n"


@pytest.mark.parametrize("q", ["the", "how to", "The, of and!", "!!!", "'", "<->", " "])
def test_a_query_with_nothing_to_search_leaves_the_list_alone(client_a, kb, q):
    write_article(kb["editor"], kb["faq"], title="阶梯返利政策", body="How to claim the rebate.")
    write_article(kb["editor"], kb["faq"], title="发货时间", body="Orders are shipped daily.")
    client = login(client_a, kb["gold_dealer_user"])

    page = client.get("/portal/knowledge/", {"q": q})

    assert _found(q) == ["发货时间", "阶梯返利政策"]
    assert page.status_code == 200
    assert sorted(a.title for a in page.context["page"]) == ["发货时间", "阶梯返利政策"]


def test_stop_words_beside_real_words_still_narrow_the_search(kb):
    write_article(kb["editor"], kb["faq"], title="阶梯返利政策", body="How to claim the rebate.")
    write_article(kb["editor"], kb["faq"], title="发货时间", body="Orders are shipped daily.")

    assert _found("返利 the") == ["阶梯返利政策"]
    assert _found("how to ship") == ["发货时间"]
    assert _found("the nonexistent") == []
