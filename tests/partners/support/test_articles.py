"""A solved ticket becomes a draft knowledge-base article in one step: question, public replies
and resolution, no internal notes, nothing that names the partner; asking twice returns the same
draft."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from partners.knowledge.models import Article, ArticleKind, ArticleStatus, Category
from partners.support.articles import ticket_to_article
from partners.support.replies import ticket_reply
from partners.support.tickets import ticket_confirm, ticket_resolve

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


def test_a_resolved_ticket_becomes_a_draft_without_notes_or_the_partner(world, solved):
    with translation.override("en"):
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
    assert "Partner: 固件 2.1.0，联系人***。" in body
    assert "Vendor: 请提供固件版本。" in body
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
