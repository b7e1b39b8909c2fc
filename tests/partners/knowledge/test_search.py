"""Search in Chinese by two-character words (bigram phrases, no false friends), in English by
word stems, titles and tags ranked above bodies; filters by category, kind and tag."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from partners.knowledge.models import Article
from partners.knowledge.selectors import ArticleFilter, articles_search

from .conftest import write_article

pytestmark = pytest.mark.django_db


def _found(q):
    return list(articles_search(Article.objects.all(), q).values_list("title", flat=True))


@pytest.fixture
def library(kb):
    editor, policy, faq = kb["editor"], kb["category"], kb["faq"]
    write_article(
        editor,
        policy,
        kind="policy",
        title="阶梯返利政策说明",
        body="按季度采购额计算。",
        title_en="Tiered rebate policy",
        tags=["返利"],
    )
    write_article(
        editor,
        faq,
        title="账期与利息",
        body="逾期货款返还时按日计算利息。",
        title_en="Payment terms and interest",
    )
    write_article(
        editor,
        faq,
        title="发货时间",
        body="Orders are shipped within two working days from the Hangzhou warehouse.",
        title_en="Delivery times",
    )
    write_article(
        editor,
        faq,
        title="保修条款",
        body="<p>Each warranty covers <strong>parts and labour</strong>.</p>",
    )


def test_a_chinese_two_character_word_finds_the_article_that_contains_it(library):
    assert _found("返利") == ["阶梯返利政策说明"]
    assert _found("返利政策") == ["阶梯返利政策说明"]


def test_characters_that_are_not_next_to_each_other_do_not_match(library):
    # 账期与利息 has 返还 ... 利息: both characters, never the word 返利.
    assert "账期与利息" not in _found("返利")
    assert _found("利息") == ["账期与利息"]
    assert _found("政策返利") == []  # the words must come in this order


def test_english_words_match_by_stem(library):
    assert _found("rebates") == ["阶梯返利政策说明"]
    assert _found("shipping") == ["发货时间"]
    assert _found("warranties") == ["保修条款"]
    assert _found("labor") == []  # stems, not spelling variants


def test_every_word_must_match_in_chinese_and_english(library):
    assert _found("返利 rebate") == ["阶梯返利政策说明"]
    assert _found("返利 warranty") == []


def test_markup_is_not_indexed_as_words(library):
    assert _found("strong") == []


def test_an_empty_query_leaves_the_list_alone(library):
    assert len(_found("  ")) == 4


def test_a_match_in_the_title_ranks_above_one_in_the_body(kb):
    editor, faq = kb["editor"], kb["faq"]
    write_article(editor, faq, title="订货流程", body="下单后如何申请返利请见返利政策。")
    write_article(editor, faq, title="返利申请", body="登录门户后提交。")

    assert _found("返利") == ["返利申请", "订货流程"]


def test_tags_are_searchable_and_edits_are_reindexed(kb):
    from partners.knowledge.services import article_update

    article = write_article(kb["editor"], kb["faq"], title="新品介绍", tags=["摄像机"])
    assert _found("摄像机") == ["新品介绍"]

    article_update(article, actor=kb["editor"], note="换标签", tags=["录像机"])

    assert _found("摄像机") == []
    assert _found("录像机") == ["新品介绍"]


def test_filters_by_category_kind_and_tag(kb, library, rf):
    request = rf.get("/")
    request.user = kb["sales"]
    faq = kb["faq"]

    def titles(**params):
        data = QueryDict(mutable=True)
        data.update(params)
        qs = ArticleFilter(data, queryset=Article.objects.all(), request=request).qs
        return sorted(qs.values_list("title", flat=True))

    assert titles(category=str(faq.pk)) == sorted(["账期与利息", "发货时间", "保修条款"])
    assert titles(kind="policy") == ["阶梯返利政策说明"]
    assert titles(tag="返利") == ["阶梯返利政策说明"]
    assert titles(q="利息", category=str(faq.pk)) == ["账期与利息"]
