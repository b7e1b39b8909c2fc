"""A solved ticket becomes a draft knowledge-base article in one step: question, public replies
and resolution, no internal notes, nothing that names the partner; asking twice returns the same
draft."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from partners.knowledge.models import Article, ArticleKind, ArticleStatus, Category
from partners.knowledge.text import plain_text
from partners.support import articles
from partners.support.articles import ticket_to_article
from partners.support.replies import ticket_reply
from partners.support.tickets import ticket_confirm, ticket_resolve
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def solved(world):
    ticket = submit(
        world,
        subject="上海浦江电子有限公司的摄像头夜视失灵",
        description="我是吴芳（wufang@pujiang.example.cn，13912345678），IPC-200 夜间全黑。",
    )
    ticket_reply(ticket, user=world["manager"], body="请提供固件版本。", wait_for_partner=True)
    ticket_reply(ticket, user=world["dealer"], body="固件 2.1.0，联系人钱多多。")
    ticket_reply(ticket, user=world["manager"], body="内部：该批次传感器有缺陷", internal=True)
    ticket_resolve(ticket, user=world["manager"], resolution="升级固件到 2.1.3 即可恢复夜视。")
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def english_vendor(in_a):
    """Articles are written in the vendor's default language."""
    in_a.default_language = "en"
    return in_a


def test_a_resolved_ticket_becomes_a_draft_without_notes_or_the_partner(
    world, solved, english_vendor
):
    article = ticket_to_article(solved, user=world["manager"])

    solved.refresh_from_db()
    assert solved.article == article
    assert (article.status, article.kind, article.category.code) == (
        ArticleStatus.DRAFT,
        ArticleKind.FAQ,
        "faq",
    )
    assert article.title == "[the partner]的摄像头夜视失灵"
    assert article.summary == "升级固件到 2.1.3 即可恢复夜视。"
    body = article.body
    for kept in ("IPC-200 夜间全黑", "请提供固件版本。", "固件 2.1.0", "升级固件到 2.1.3"):
        assert kept in body
    for hidden in ("内部", "传感器", "浦江", "吴芳", "钱多多", "wufang@", "13912345678"):
        assert hidden not in body
    assert "<p>Partner: 固件 2.1.0，联系人***。</p>" in body
    assert "<p>Vendor: 请提供固件版本。</p>" in body
    assert article.created_by == world["manager"]


def test_asking_twice_returns_the_same_article(world, solved):
    ticket_confirm(solved, user=world["dealer"])
    faq = Category.objects.create(code="camera-faq", name="摄像头常见问题")

    first = ticket_to_article(solved, user=world["manager"], category=faq)
    second = ticket_to_article(solved, user=world["sales"])

    assert first == second
    assert first.category == faq
    assert Article.objects.count() == 1


def test_only_solved_tickets_by_vendor_staff_who_see_them(world):
    ticket = submit(world)

    with translation.override("en"), pytest.raises(ValidationError) as active:
        ticket_to_article(ticket, user=world["manager"])
    ticket_resolve(ticket, user=world["manager"], resolution="已处理。")
    for user in (world["dealer"], world["other_manager"]):
        with pytest.raises(PermissionDenied):
            ticket_to_article(ticket, user=user)

    assert active.value.messages == ["Only a resolved or closed ticket becomes an article."]
    assert Article.objects.count() == 0


def test_other_partners_and_their_people_named_in_the_ticket_are_removed(world, english_vendor):
    accused = make_partner(name="苏州金鸡湖贸易有限公司", name_en="Suzhou Jinji Trading")
    make_user(Role.PARTNER_USER, partner=accused, full_name="陈大勇")
    bystander = make_partner(name="南京紫金科技有限公司")  # not named: stays out of it
    ticket = submit(
        world,
        category="diversion",
        subject="苏州金鸡湖贸易有限公司在上海低价销售",
        description="Suzhou Jinji Trading 的销售陈大勇在本区报价 IPC-200。",
    )
    ticket_reply(ticket, user=world["manager"], body="已联系苏州金鸡湖贸易有限公司核实。")
    ticket_reply(ticket, user=world["dealer"], body="suzhou jinji trading 还在卖。")
    ticket_resolve(ticket, user=world["manager"], resolution="已对窜货方发出警告。")

    article = ticket_to_article(ticket, user=world["manager"])

    assert article.title == "[another partner]在上海低价销售"
    assert "<p>[another partner] 的销售***在本区报价 IPC-200。</p>" in article.body
    assert "<p>Vendor: 已联系[another partner]核实。</p>" in article.body
    assert "<p>Partner: [another partner] 还在卖。</p>" in article.body
    for hidden in ("金鸡湖", "Jinji", "jinji", "陈大勇"):
        assert hidden not in article.body
    assert bystander.name not in article.body


def test_the_body_is_html_that_keeps_model_numbers_and_line_breaks(world, english_vendor):
    ticket = submit(
        world,
        subject="<IPC-200> 夜视失灵",
        description="型号 <IPC-200> & <NVR-8>\n第二行\n\n第二段",
    )
    ticket_resolve(ticket, user=world["manager"], resolution="升级 <FW-2.1.3>。")

    article = ticket_to_article(ticket, user=world["manager"])

    assert article.title == "<IPC-200> 夜视失灵"
    assert article.body == (
        "<h3>Question</h3><p>&lt;IPC-200&gt; 夜视失灵</p>"
        "<p>型号 &lt;IPC-200&gt; &amp; &lt;NVR-8&gt;<br>第二行</p>\n\n<p>第二段</p>"
        "<h3>Resolution</h3><p>升级 &lt;FW-2.1.3&gt;。</p>"
    )
    assert plain_text(article.body).splitlines() == [
        "Question",
        "<IPC-200> 夜视失灵",
        "型号 <IPC-200> & <NVR-8>",
        "第二行",
        "第二段",
        "Resolution",
        "升级 <FW-2.1.3>。",
    ]


def test_the_article_is_written_in_the_vendors_language_not_the_clickers(
    world, solved, in_a, monkeypatch
):
    in_a.default_language = "zh-hans"
    seen = []
    real = articles.article_create

    def spy(**kwargs):
        seen.append(translation.get_language())
        return real(**kwargs)

    monkeypatch.setattr(articles, "article_create", spy)

    with translation.override("en"):
        article = ticket_to_article(solved, user=world["manager"])

    assert seen == ["zh-hans"]
    assert "Vendor: " not in article.body
    assert "Partner: " not in article.body
