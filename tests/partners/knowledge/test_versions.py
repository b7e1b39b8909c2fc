"""Every save is a version with what changed; an old version is restored as a new one; the
status moves by the transition table with history; only the editor roles write."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from partners.knowledge.models import Article, ArticleStatus, ArticleVersion
from partners.knowledge.publishing import article_archive, article_publish, article_unpublish
from partners.knowledge.services import article_create, article_update, article_version_restore
from partners.knowledge.text import plain_text
from partners.knowledge.versions import DiffLine, text_diff, version_changes
from prm.accounts.roles import Role
from prm.core.workflow import InvalidTransition
from tests.factories import make_partner, make_user

from .conftest import write_article

pytestmark = pytest.mark.django_db


def _versions(article):
    return list(
        ArticleVersion.objects.filter(article=article)
        .order_by("number")
        .values_list("number", "title", "note", "edited_by")
    )


def test_each_edit_is_the_next_version_with_its_note(kb):
    editor = kb["editor"]
    manager = make_user(Role.CHANNEL_MANAGER)
    article = write_article(editor, kb["faq"], title="退货流程", body="七天内申请。", note="初稿")

    article_update(article, actor=manager, note="期限改为十天", body="十天内申请。")
    saved = article_update(article, actor=editor, note=" 补充 英文 ", title_en="Returns")

    assert saved.version == 3
    assert Article.objects.get(pk=article.pk).version == 3
    assert _versions(article) == [
        (1, "退货流程", "初稿", editor.pk),
        (2, "退货流程", "期限改为十天", manager.pk),
        (3, "退货流程", "补充 英文", editor.pk),
    ]
    assert ArticleVersion.objects.get(article=article, number=2).body == "<p>十天内申请。</p>"
    assert saved.status == ArticleStatus.PUBLISHED  # an edit does not unpublish


def test_an_edit_without_a_note_or_with_an_empty_title_saves_nothing(kb):
    article = write_article(kb["editor"], kb["faq"], title="退货流程")

    with translation.override("en"), pytest.raises(ValidationError) as no_note:
        article_update(article, actor=kb["editor"], note=" ", title="新标题")
    with pytest.raises(ValidationError) as no_title:
        article_update(article, actor=kb["editor"], note="清空标题", title="  ")

    assert no_note.value.message_dict == {"note": ["Say what changed."]}
    assert list(no_title.value.message_dict) == ["title"]
    assert Article.objects.get(pk=article.pk).title == "退货流程"
    assert _versions(article) == [(1, "退货流程", "", kb["editor"].pk)]


def test_restoring_brings_the_old_text_back_as_a_new_version(kb):
    editor = kb["editor"]
    article = write_article(editor, kb["faq"], title="第一版", body="旧内容")
    article_update(article, actor=editor, note="重写", title="第二版", body="新内容")

    with translation.override("en"):
        restored = article_version_restore(article, number=1, actor=editor)

    assert (restored.version, restored.title, restored.body) == (3, "第一版", "<p>旧内容</p>")
    assert _versions(article)[-1] == (3, "第一版", "Restored version 1", editor.pk)
    with translation.override("en"), pytest.raises(ValidationError) as current:
        article_version_restore(article, number=3, actor=editor)
    with translation.override("en"), pytest.raises(ValidationError) as missing:
        article_version_restore(article, number=9, actor=editor)
    assert current.value.messages == ["Version 3 is the current text."]
    assert missing.value.messages == ["There is no version 9 of this article."]


def test_the_history_shows_what_each_version_changed(kb):
    editor = kb["editor"]
    article = write_article(
        editor, kb["faq"], title="保修", body="<p>一年保修。</p><p>需发票。</p>"
    )
    article_update(article, actor=editor, note="延长", body="<p>两年保修。</p><p>需发票。</p>")
    article_update(article, actor=editor, note="加标签", tags=["保修"])
    article.refresh_from_db()

    newest, middle, first = version_changes(article)

    assert (newest.version.number, newest.is_current, newest.unchanged) == (3, True, True)
    assert middle.body == [
        DiffLine("del", "一年保修。"),
        DiffLine("add", "两年保修。"),
        DiffLine("same", "需发票。"),
    ]
    assert middle.title is None
    assert first.title == ("", "保修")
    assert first.is_current is False


def test_text_diff_marks_skipped_paragraphs():
    old = "\n".join(["一", "二", "三", "四", "五", "六"])
    new = "\n".join(["一改", "二", "三", "四", "五", "六改"])

    assert text_diff(old, new) == [
        DiffLine("del", "一"),
        DiffLine("add", "一改"),
        DiffLine("same", "二"),
        DiffLine("gap", ""),
        DiffLine("same", "五"),
        DiffLine("del", "六"),
        DiffLine("add", "六改"),
    ]


def test_status_moves_by_the_table_and_leaves_history(kb):
    editor = kb["editor"]
    article = write_article(editor, kb["faq"], publish=False)
    first_published = article_publish(article, actor=editor).published_at

    article_unpublish(article, actor=editor, reason="价格待定")
    article_archive(article, actor=editor)
    republished = article_publish(article, actor=editor)

    assert republished.published_at == first_published
    assert list(
        article.status_changes.order_by("pk").values_list("from_status", "to_status", "reason")
    ) == [
        ("", "draft", ""),
        ("draft", "published", ""),
        ("published", "draft", "价格待定"),
        ("draft", "archived", ""),
        ("archived", "published", ""),
    ]
    with pytest.raises(InvalidTransition):
        article_publish(article, actor=editor)


def test_only_editor_roles_write_and_partners_cannot_start_drafts(kb):
    article = write_article(kb["editor"], kb["faq"], publish=False)
    dealer = make_user(Role.PARTNER_ADMIN, partner=make_partner())

    for outsider in (kb["sales"], make_user(Role.FINANCE), dealer):
        with pytest.raises(PermissionDenied):
            article_update(article, actor=outsider, note="x", title="改")
        with pytest.raises(PermissionDenied):
            article_publish(article, actor=outsider)
    with pytest.raises(PermissionDenied):
        article_create(category=kb["faq"], kind="faq", title="t", body="b", actor=dealer)
    # Support (any vendor role) may turn a solved ticket into a draft.
    draft = article_create(
        category=kb["faq"], kind="faq", title="工单转知识", body="第一行\n第二行", actor=kb["sales"]
    )
    assert (draft.status, draft.body) == ("draft", "<p>第一行<br>第二行</p>")


def test_bodies_are_sanitised_and_tags_checked(kb):
    article = write_article(
        kb["editor"],
        kb["faq"],
        body='<p onclick="x()">价格<script>alert(1)</script></p><a href="javascript:x">链接</a>',
        tags=["价格", " 价格 ", "新品"],
    )

    assert article.body == '<p>价格</p><a rel="noopener noreferrer">链接</a>'
    assert sorted(article.tags.values_list("name", flat=True)) == ["价格", "新品"]
    with translation.override("en"), pytest.raises(ValidationError) as long_tag:
        write_article(kb["editor"], kb["faq"], tags=["长" * 41])
    assert long_tag.value.message_dict == {"tags": [f"A tag is at most 40 characters: {'长' * 41}"]}


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        (
            "请发邮件至 <support@vendor.com>",
            "<p>请发邮件至 &lt;support@vendor.com&gt;</p>",
            "请发邮件至 <support@vendor.com>",
        ),
        ("按 <Enter> 键\n再按 <Esc>", "<p>按 &lt;Enter&gt; 键<br>再按 &lt;Esc&gt;</p>", None),
        ("价格 < 100 且 > 50", "<p>价格 &lt; 100 且 &gt; 50</p>", "价格 < 100 且 > 50"),
        ("<P>按 <Enter> 键</P>", "<p>按  键</p>", "按 键"),  # HTML: an unknown tag goes
    ],
)
def test_angle_brackets_in_plain_text_are_kept_as_typed(kb, typed, stored, shown):
    article = write_article(kb["editor"], kb["faq"], body=typed)

    assert article.body == stored
    assert plain_text(article.body) == (shown or typed)
