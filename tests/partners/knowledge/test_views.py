"""The knowledge pages in both portals: what each reader gets, forms that refuse bad input at
the field without saving anything, and that no other partner, vendor, role or anonymous
visitor reaches a page, a file or an action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tenants.utils import schema_context

from partners.knowledge.attachments import article_attachment_add
from partners.knowledge.models import Article, ArticleAttachment, ArticleFeedback, ArticleVersion
from partners.knowledge.services import article_update
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user
from tests.trust.images import PNG

from .conftest import write_article

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + b"0" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64
Call = tuple[str, str, Callable[[], dict[str, Any]]]


def _english(client: Client, user: Any) -> Client:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


def _send(client: Client, method: str, url: str, data: Callable[[], dict[str, Any]]) -> Any:
    return client.get(url, data()) if method == "get" else client.post(url, data())


def _statuses(client: Client, calls: list[Call]) -> list[int]:
    return [_send(client, *call).status_code for call in calls]


@pytest.fixture
def gold_only(kb):
    article = write_article(
        kb["editor"],
        kb["category"],
        kind="policy",
        title="金牌价格政策",
        body="<p>金牌伙伴享受九折。</p>",
        tiers=[kb["gold"]],
        tags=["价格"],
    )
    article_attachment_add(article, SimpleUploadedFile("价格表.pdf", PDF), actor=kb["editor"])
    return article


def _form(category, **overrides):
    data = {
        "category": category.pk,
        "kind": "faq",
        "title": "如何下单",
        "title_en": "How to order",
        "summary": "",
        "body": "登录门户，加入购物车。",
        "body_en": "",
        "tags": "订单, 入门，新手",
        "note": "",
    }
    data.update(overrides)
    return data


# --- partner portal -----------------------------------------------------------------------------


def test_urls_are_mounted_where_the_pages_expect(in_a):
    assert reverse("portal_knowledge:list") == "/portal/knowledge/"
    assert reverse("portal_knowledge:detail", args=[3]) == "/portal/knowledge/3/"
    assert reverse("knowledge:list") == "/knowledge/"
    assert reverse("knowledge:restore", args=[3, 2]) == "/knowledge/3/versions/2/restore/"


def test_a_partner_searches_and_reads_its_articles(client_a, kb, gold_only):
    write_article(kb["editor"], kb["faq"], title="银牌专享", tiers=[kb["silver"]])
    client = login(client_a, kb["gold_dealer_user"])

    listing = client.get("/portal/knowledge/", {"q": "价格"})
    page = client.get(f"/portal/knowledge/{gold_only.pk}/")
    body = page.content.decode()
    download = client.get(f"/portal/knowledge/files/{gold_only.attachments.get().pk}/")

    assert [a.title for a in listing.context["page"]] == ["金牌价格政策"]
    assert [a.title for a in client.get("/portal/knowledge/").context["page"]] == ["金牌价格政策"]
    assert "<p>金牌伙伴享受九折。</p>" in body
    assert "价格表.pdf" in body
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    assert b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"


def test_feedback_by_plain_post_and_by_htmx(client_a, kb, gold_only):
    client = login(client_a, kb["gold_dealer_user"])
    url = f"/portal/knowledge/{gold_only.pk}/feedback/"

    plain = client.post(url, {"helpful": "yes"})
    swapped = client.post(url, {"helpful": "no", "comment": "缺少型号"}, HTTP_HX_REQUEST="true")
    bad = client.post(url, {"helpful": "maybe"}, HTTP_HX_REQUEST="true")

    assert (plain.status_code, plain["Location"]) == (302, f"/portal/knowledge/{gold_only.pk}/")
    assert swapped.status_code == 200
    assert swapped.templates[0].name == "knowledge/portal/_feedback.html"
    assert bad.context["feedback_form"].errors["helpful"]
    gold_only.refresh_from_db()
    assert (gold_only.helpful_count, gold_only.unhelpful_count) == (0, 1)
    assert list(ArticleFeedback.objects.values_list("helpful", "comment")) == [(False, "缺少型号")]


def _portal_calls(article: Article, attachment: ArticleAttachment) -> list[Call]:
    return [
        ("get", "/portal/knowledge/", dict),
        ("get", f"/portal/knowledge/{article.pk}/", dict),
        ("post", f"/portal/knowledge/{article.pk}/feedback/", lambda: {"helpful": "yes"}),
        ("get", f"/portal/knowledge/files/{attachment.pk}/", dict),
    ]


def _vendor_calls(article: Article, attachment: ArticleAttachment, category: Any) -> list[Call]:
    pk = article.pk
    return [
        ("get", "/knowledge/", dict),
        ("get", "/knowledge/new/", dict),
        ("post", "/knowledge/new/", lambda: _form(category)),
        ("get", f"/knowledge/{pk}/", dict),
        ("get", f"/knowledge/{pk}/edit/", dict),
        ("post", f"/knowledge/{pk}/edit/", lambda: _form(category, note="改", version=1)),
        ("get", f"/knowledge/{pk}/versions/", dict),
        ("post", f"/knowledge/{pk}/versions/1/restore/", dict),
        ("post", f"/knowledge/{pk}/unpublish/", dict),
        ("post", f"/knowledge/{pk}/archive/", dict),
        ("post", f"/knowledge/{pk}/publish/", dict),
        (
            "post",
            f"/knowledge/{pk}/files/",
            lambda: {"attachment": SimpleUploadedFile("a.png", PNG)},
        ),
        ("get", f"/knowledge/files/{attachment.pk}/", dict),
        ("post", f"/knowledge/files/{attachment.pk}/delete/", dict),
    ]


def test_nobody_outside_the_audience_reaches_an_article_or_its_file(
    client_a, client_b, kb, gold_only
):
    draft = write_article(kb["editor"], kb["faq"], title="草稿", publish=False)
    attachment = gold_only.attachments.get()
    calls = _portal_calls(gold_only, attachment)
    by_id = calls[1:]

    owner = _statuses(login(Client(HTTP_HOST="alpha.localhost"), kb["gold_dealer_user"]), calls)
    silver = _statuses(login(Client(HTTP_HOST="alpha.localhost"), kb["silver_dealer_user"]), by_id)
    on_draft = login(Client(HTTP_HOST="alpha.localhost"), kb["gold_dealer_user"]).get(
        f"/portal/knowledge/{draft.pk}/"
    )
    anonymous = [_send(Client(HTTP_HOST="alpha.localhost"), *call) for call in calls]
    vendor = _statuses(login(Client(HTTP_HOST="alpha.localhost"), kb["sales"]), calls)
    # A vendor A session means nothing on vendor B's host; a vendor B partner finds nothing.
    foreign_session = _statuses(login(client_b, kb["gold_dealer_user"]), calls)
    with schema_context("bravo"):
        bravo_user = make_user(Role.PARTNER_ADMIN, partner=make_partner())
    bravo = _statuses(login(Client(HTTP_HOST="bravo.localhost"), bravo_user), by_id)

    assert owner == [200, 200, 302, 200]
    assert silver == [404, 404, 404]
    assert on_draft.status_code == 404
    assert all(r.status_code == 302 for r in anonymous)
    assert all(r["Location"].startswith("/accounts/login/") for r in anonymous)
    assert vendor == [403] * 4
    assert foreign_session == [302] * 4
    assert bravo == [404] * 3
    with schema_context("alpha"):  # requests on bravo's host left the connection there
        assert ArticleFeedback.objects.filter(article=gold_only).count() == 1  # the owner's


# --- vendor portal ------------------------------------------------------------------------------


def test_an_editor_writes_an_article_with_a_file_then_edits_it(client_a, kb):
    client = _english(client_a, kb["editor"])
    upload = SimpleUploadedFile("流程.png", PNG)

    created = client.post(
        "/knowledge/new/",
        {
            **_form(kb["faq"]),
            "attachment": upload,
            "tiers": [kb["gold"].pk],
            "partner_types": ["dealer"],
            "regions": [kb["zhejiang"].pk],
        },
    )
    article = Article.objects.get(title="如何下单")
    edited = client.post(
        f"/knowledge/{article.pk}/edit/",
        _form(kb["faq"], body="登录门户后下单。", note="简化", tags="订单", version=1),
    )
    article.refresh_from_db()

    assert created["Location"] == f"/knowledge/{article.pk}/"
    assert edited["Location"] == f"/knowledge/{article.pk}/"
    assert (article.version, article.status, article.body) == (
        2,
        "draft",
        "<p>登录门户后下单。</p>",
    )
    assert sorted(article.tags.values_list("name", flat=True)) == ["订单"]
    assert list(article.tiers.all()) == []  # the edit cleared the audience
    assert list(article.attachments.values_list("original_name", flat=True)) == ["流程.png"]
    page = client.get(f"/knowledge/{article.pk}/versions/").content.decode()
    assert "简化" in page
    assert "登录门户，加入购物车。" in page


def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(client_a, kb):
    client = _english(client_a, kb["editor"])

    empty_title = client.post("/knowledge/new/", _form(kb["faq"], title=" "))
    wrong_file = client.post(
        "/knowledge/new/", {**_form(kb["faq"]), "attachment": SimpleUploadedFile("a.pdf", EXE)}
    )
    misnamed = client.post(
        "/knowledge/new/", {**_form(kb["faq"]), "attachment": SimpleUploadedFile("a.pdf", PNG)}
    )

    with translation.override("en"):  # form errors are translated as they are read
        assert empty_title.context["form"].errors["title"] == ["This field is required."]
        assert wrong_file.context["form"].errors["attachment"] == [
            "a.pdf is not an allowed file type (PDF, PNG, JPEG)."
        ]
        assert misnamed.context["form"].errors["attachment"] == [
            "a.pdf is a PNG file but is named .pdf."
        ]
    assert not Article.objects.exists()
    assert not ArticleVersion.objects.exists()
    assert not ArticleAttachment.objects.exists()


def test_an_edit_needs_a_note_and_keeps_the_article_as_it_was(client_a, kb, gold_only):
    client = _english(client_a, kb["editor"])

    refused = client.post(
        f"/knowledge/{gold_only.pk}/edit/", _form(kb["faq"], title="改了", version=1)
    )

    with translation.override("en"):
        assert refused.context["form"].errors["note"] == ["This field is required."]
    gold_only.refresh_from_db()
    assert (gold_only.title, gold_only.version) == ("金牌价格政策", 1)


def test_a_bad_file_on_an_edit_saves_nothing_of_the_edit(client_a, kb, gold_only):
    client = _english(client_a, kb["editor"])

    refused = client.post(
        f"/knowledge/{gold_only.pk}/edit/",
        {
            **_form(kb["faq"], title="改了标题", note="换文件", version=1),
            "attachment": SimpleUploadedFile("new.pdf", EXE),
        },
    )

    with translation.override("en"):
        assert refused.context["form"].errors["attachment"] == [
            "new.pdf is not an allowed file type (PDF, PNG, JPEG)."
        ]
    gold_only.refresh_from_db()
    assert (gold_only.title, gold_only.version) == ("金牌价格政策", 1)
    assert list(gold_only.tags.values_list("name", flat=True)) == ["价格"]
    assert list(gold_only.tiers.all()) == [kb["gold"]]
    assert ArticleVersion.objects.filter(article=gold_only).count() == 1
    assert list(gold_only.attachments.values_list("original_name", flat=True)) == ["价格表.pdf"]


def test_an_edit_on_top_of_someone_elses_newer_version_is_refused(client_a, kb, gold_only):
    client = _english(client_a, kb["editor"])
    opened = client.get(f"/knowledge/{gold_only.pk}/edit/")
    other = make_user(Role.CHANNEL_MANAGER)
    article_update(gold_only, actor=other, note="同事先改", title="同事的标题")

    stale = client.post(
        f"/knowledge/{gold_only.pk}/edit/",
        _form(kb["faq"], title="我的标题", note="我改", version=1),
    )
    unversioned = client.post(
        f"/knowledge/{gold_only.pk}/edit/", _form(kb["faq"], title="我的标题", note="我改")
    )

    assert '<input type="hidden" name="version" value="1"' in opened.content.decode()
    assert stale.status_code == unversioned.status_code == 200
    with translation.override("en"):
        assert stale.context["form"].non_field_errors() == [
            "This article was edited by someone else since you opened it (it is now version 2)."
            " Reload the page to see their changes, then make yours again."
        ]
        assert unversioned.context["form"].errors["version"] == [
            "Reload the page: this form does not say which version you edited."
        ]
    assert "edited by someone else since you opened it" in stale.content.decode()
    gold_only.refresh_from_db()
    assert (gold_only.title, gold_only.version) == ("同事的标题", 2)
    assert ArticleVersion.objects.filter(article=gold_only).count() == 2


def test_publishing_restoring_and_removing_a_file_from_the_pages(client_a, kb):
    client = _english(client_a, kb["editor"])
    article = write_article(kb["editor"], kb["faq"], title="第一版", publish=False)
    client.post(
        f"/knowledge/{article.pk}/edit/", _form(kb["faq"], title="第二版", note="改名", version=1)
    )
    client.post(f"/knowledge/{article.pk}/files/", {"attachment": SimpleUploadedFile("a.png", PNG)})
    attachment = article.attachments.get()

    published = client.post(f"/knowledge/{article.pk}/publish/")
    restored = client.post(f"/knowledge/{article.pk}/versions/1/restore/")
    removed = client.post(f"/knowledge/files/{attachment.pk}/delete/")
    bad_file = client.post(
        f"/knowledge/{article.pk}/files/", {"attachment": SimpleUploadedFile("x.png", EXE)}
    )
    article.refresh_from_db()

    assert published.status_code == restored.status_code == removed.status_code == 302
    assert (article.status, article.title, article.version) == ("published", "第一版", 3)
    assert not article.attachments.exists()
    assert [str(m) for m in bad_file.wsgi_request._messages if m.level == messages.ERROR] == [
        "x.png is not an allowed file type (PDF, PNG, JPEG)."
    ]


def test_other_vendor_roles_read_but_do_not_write(client_a, client_b, kb, gold_only):
    attachment = gold_only.attachments.get()
    calls = _vendor_calls(gold_only, attachment, kb["faq"])
    reads = [0, 3, 6, 12]
    writes = [i for i in range(len(calls)) if i not in reads]

    sales = _statuses(login(Client(HTTP_HOST="alpha.localhost"), kb["sales"]), calls)
    partner = _statuses(login(Client(HTTP_HOST="alpha.localhost"), kb["gold_dealer_user"]), calls)
    anonymous = _statuses(Client(HTTP_HOST="alpha.localhost"), calls)
    foreign = _statuses(login(client_b, kb["editor"]), calls)
    with schema_context("bravo"):
        bravo_admin = make_user(Role.ADMIN)
    bravo = _statuses(login(Client(HTTP_HOST="bravo.localhost"), bravo_admin), calls[3:])

    assert [sales[i] for i in reads] == [200] * 4
    assert [sales[i] for i in writes] == [403] * len(writes)
    assert partner == [403] * len(calls)
    assert anonymous == [302] * len(calls)
    assert foreign == [302] * len(calls)
    assert bravo == [404] * len(calls[3:])
    with schema_context("alpha"):
        gold_only.refresh_from_db()
        assert (gold_only.version, gold_only.status, gold_only.attachments.count()) == (
            1,
            "published",
            1,
        )
        assert Article.objects.count() == 1


def test_the_vendor_list_filters_by_status_and_shows_counts(client_a, kb, gold_only):
    write_article(kb["editor"], kb["faq"], title="草稿", publish=False)
    client = login(client_a, kb["sales"])

    drafts = client.get("/knowledge/", {"status": "draft"})
    everything = client.get("/knowledge/")

    assert [a.title for a in drafts.context["page"]] == ["草稿"]
    assert sorted(a.title for a in everything.context["page"]) == ["草稿", "金牌价格政策"]
    assert everything.context["can_edit"] is False
