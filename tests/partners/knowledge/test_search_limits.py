"""Chinese phrases do not bridge punctuation, and long articles stay searchable and savable."""

from __future__ import annotations

import pytest

from partners.knowledge.models import Article
from partners.knowledge.selectors import articles_search

from .conftest import write_article

pytestmark = pytest.mark.django_db


def _found(q):
    return sorted(articles_search(Article.objects.all(), q).values_list("title", flat=True))


def test_a_phrase_does_not_bridge_two_sentences(kb):
    write_article(kb["editor"], kb["faq"], title="费用说明", body="我们提供返利。利息另计。")

    assert _found("返利") == ["费用说明"]
    assert _found("利息") == ["费用说明"]
    assert _found("返利息") == []


def test_a_phrase_does_not_bridge_title_and_body(kb):
    write_article(kb["editor"], kb["faq"], title="返利", body="息差说明")

    assert _found("返利息") == []


def test_a_long_article_is_found_by_phrases_on_its_first_pages_and_saves(kb):
    filler = "本公司产品质量可靠，售后服务完善，欢迎各位经销商伙伴咨询合作事宜。" * 300  # 9,900 Han
    write_article(
        kb["editor"], kb["faq"], title="长文", body=filler + "阶梯返利政策在此。" + filler * 12
    )

    assert _found("阶梯返利政策") == ["长文"]
    assert _found("经销商伙伴") == ["长文"]
