"""The announcement pages in both portals: reading marks read, acknowledging, the vendor's
counts and outstanding table and its CSV, forms that refuse bad input without saving, and that
no other partner, vendor, role or anonymous visitor reaches a page, a file or an action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from partners.announcements.attachments import announcement_attachment_add
from partners.announcements.models import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementReceipt,
    AnnouncementStatus,
    Importance,
)
from partners.announcements.readership import Readership
from partners.announcements.services import announcement_create, announcement_publish
from prm.accounts.roles import Role
from prm.core.models import Notification
from tests.conftest import login
from tests.factories import make_partner, make_user
from tests.trust.images import PNG

from .conftest import announce

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + b"0" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64
Call = tuple[str, str, Callable[[], dict[str, Any]]]


def _send(client: Client, method: str, url: str, data: Callable[[], dict[str, Any]]) -> Any:
    return client.get(url, data()) if method == "get" else client.post(url, data())


def _statuses(client: Client, calls: list[Call]) -> list[int]:
    return [_send(client, *call).status_code for call in calls]


def _alpha(user: Any = None) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    return login(client, user) if user is not None else client


@pytest.fixture
def gold_notice(kb):
    """Important, for gold partners (the gold dealer's and the gold distributor's users), with
    a price list attached."""
    draft = announcement_create(
        actor=kb["editor"],
        kind="price_change",
        title="金牌伙伴调价通知",
        body="<p>自下月起价格上调3%。</p>",
        importance=Importance.IMPORTANT,
        ack_due=timezone.localdate() + timedelta(days=14),
        tiers=[kb["gold"]],
    )
    announcement_attachment_add(draft, SimpleUploadedFile("价格表.pdf", PDF), actor=kb["editor"])
    return announcement_publish(draft, actor=kb["editor"])


def _form(**overrides):
    data = {
        "kind": "promotion",
        "importance": "normal",
        "title": "年中促销",
        "title_en": "Mid-year promotion",
        "summary": "",
        "body": "六月全线九五折。",
        "body_en": "",
        "publish_at": "",
        "ack_due": "",
    }
    data.update(overrides)
    return data


def test_urls_are_mounted_where_the_pages_expect(in_a):
    assert reverse("portal_announcements:list") == "/portal/announcements/"
    assert reverse("portal_announcements:acknowledge", args=[3]) == (
        "/portal/announcements/3/acknowledge/"
    )
    assert reverse("announcements:outstanding_csv", args=[3]) == (
        "/announcements/3/outstanding.csv"
    )


def test_a_partner_reads_and_acknowledges(kb, gold_notice):
    client = _alpha(kb["gold_dealer_user"])
    normal = announce(kb["editor"], title="普通通知")

    before = client.get("/portal/announcements/")
    page = client.get(f"/portal/announcements/{gold_notice.pk}/")
    receipt = AnnouncementReceipt.objects.get(user=kb["gold_dealer_user"])
    acknowledged = client.post(f"/portal/announcements/{gold_notice.pk}/acknowledge/")
    after = client.get("/portal/announcements/")
    to_acknowledge = client.get("/portal/announcements/", {"show": "acknowledge"})
    unread = client.get("/portal/announcements/", {"show": "unread"})
    download = client.get(f"/portal/announcements/files/{gold_notice.attachments.get().pk}/")

    rows = {a.title: a for a in before.context["page"]}
    assert set(rows) == {"金牌伙伴调价通知", "普通通知"}
    assert rows["金牌伙伴调价通知"].my_read_at is None
    assert "<p>自下月起价格上调3%。</p>" in page.content.decode()
    assert receipt.acknowledged_at is None
    assert acknowledged["Location"] == f"/portal/announcements/{gold_notice.pk}/"
    receipt.refresh_from_db()
    assert receipt.acknowledged_at is not None
    assert {a.title: a.my_acknowledged_at is not None for a in after.context["page"]} == {
        "金牌伙伴调价通知": True,
        "普通通知": False,
    }
    assert list(to_acknowledge.context["page"]) == []
    assert [a.pk for a in unread.context["page"]] == [normal.pk]
    assert (download.status_code, b"".join(download.streaming_content)) == (200, PDF)


def _portal_calls(announcement: Announcement, attachment: AnnouncementAttachment) -> list[Call]:
    return [
        ("get", "/portal/announcements/", dict),
        ("get", f"/portal/announcements/{announcement.pk}/", dict),
        ("post", f"/portal/announcements/{announcement.pk}/acknowledge/", dict),
        ("get", f"/portal/announcements/files/{attachment.pk}/", dict),
    ]


def test_nobody_outside_the_audience_reaches_an_announcement_or_its_file(client_b, kb, gold_notice):
    attachment = gold_notice.attachments.get()
    calls = _portal_calls(gold_notice, attachment)
    by_id = calls[1:]
    scheduled = announce(kb["editor"], title="预告", publish_at=timezone.now() + timedelta(days=1))
    draft = announce(kb["editor"], title="草稿", publish=False)

    silver = _statuses(_alpha(kb["silver_dealer_user"]), by_id)
    not_yet = [
        _alpha(kb["gold_dealer_user"]).get(f"/portal/announcements/{a.pk}/").status_code
        for a in (scheduled, draft)
    ]
    anonymous = [_send(_alpha(), *call) for call in calls]
    vendor = _statuses(_alpha(kb["sales"]), calls)
    foreign_session = _statuses(login(client_b, kb["gold_dealer_user"]), calls)
    with schema_context("bravo"):
        bravo_user = make_user(Role.PARTNER_ADMIN, partner=make_partner())
    bravo = _statuses(login(Client(HTTP_HOST="bravo.localhost"), bravo_user), by_id)

    assert silver == [404, 404, 404]
    assert not_yet == [404, 404]
    assert all(r.status_code == 302 for r in anonymous)
    assert all(r["Location"].startswith("/accounts/login/") for r in anonymous)
    assert vendor == [403] * 4
    assert foreign_session == [302] * 4
    assert bravo == [404] * 3
    with schema_context("alpha"):
        assert not AnnouncementReceipt.objects.exists()


def test_the_vendor_sees_counts_and_who_is_outstanding(kb, gold_notice):
    announce(kb["editor"], title="全体通知")
    reader = _alpha(kb["gold_dealer_user"])
    reader.get(f"/portal/announcements/{gold_notice.pk}/")
    reader.post(f"/portal/announcements/{gold_notice.pk}/acknowledge/")
    client = _alpha(kb["sales"])

    listing = client.get("/announcements/")
    detail = client.get(f"/announcements/{gold_notice.pk}/")
    export = client.get(f"/announcements/{gold_notice.pk}/outstanding.csv")

    stats = {a.title: s for a, s in listing.context["rows"]}
    assert stats == {
        "金牌伙伴调价通知": Readership(recipients=2, read=1, acknowledged=1),
        "全体通知": Readership(recipients=4, read=0, acknowledged=0),
    }
    assert [(g.partner, [r.user for r in g.people]) for g in detail.context["outstanding"]] == [
        (kb["gold_distributor"], [kb["gold_distributor_user"]])
    ]
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    lines = export.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(
        f"{kb['gold_distributor'].name},{kb['gold_distributor_user'].full_name},"
    )


def test_an_editor_writes_publishes_and_withdraws(kb):
    client = _alpha(kb["editor"])
    client.cookies["prm_language"] = "en"

    created = client.post(
        "/announcements/new/",
        {
            **_form(),
            "regions": [kb["guangdong"].pk],
            "attachment": SimpleUploadedFile("海报.png", PNG),
        },
    )
    announcement = Announcement.objects.get(title="年中促销")
    edited = client.post(f"/announcements/{announcement.pk}/edit/", _form(title="年中大促"))
    published = client.post(f"/announcements/{announcement.pk}/publish/")
    frozen = client.get(f"/announcements/{announcement.pk}/edit/")
    no_reason = client.post(f"/announcements/{announcement.pk}/withdraw/", {"reason": ""})
    withdrawn = client.post(f"/announcements/{announcement.pk}/withdraw/", {"reason": "活动取消"})
    announcement.refresh_from_db()

    assert created["Location"] == f"/announcements/{announcement.pk}/"
    assert edited["Location"] == published["Location"] == frozen["Location"]
    assert no_reason.status_code == withdrawn.status_code == 302
    assert (announcement.title, announcement.status) == ("年中大促", AnnouncementStatus.WITHDRAWN)
    assert announcement.attachments.get().original_name == "海报.png"
    # Edited to everyone before publishing: all four partner users were told.
    assert Notification.objects.filter(kind="announcements.published").count() == 4
    assert announcement.status_changes.get(to_status="withdrawn").reason == "活动取消"


def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(kb):
    client = _alpha(kb["editor"])
    client.cookies["prm_language"] = "en"
    later = (timezone.localdate() + timedelta(days=3)).isoformat()

    empty_title = client.post("/announcements/new/", _form(title=""))
    ack_on_normal = client.post("/announcements/new/", _form(ack_due=later))
    wrong_file = client.post(
        "/announcements/new/", {**_form(), "attachment": SimpleUploadedFile("价格.pdf", EXE)}
    )

    with translation.override("en"):
        assert empty_title.context["form"].errors["title"] == ["This field is required."]
        assert ack_on_normal.context["form"].errors["ack_due"] == [
            "Only important announcements are acknowledged; leave this empty."
        ]
        assert wrong_file.context["form"].errors["attachment"] == [
            "价格.pdf is not an allowed file type (PDF, PNG, JPEG)."
        ]
    assert not Announcement.objects.exists()
    assert not AnnouncementAttachment.objects.exists()


def test_a_bad_file_on_an_edit_saves_nothing_of_the_edit(kb):
    draft = announcement_create(
        actor=kb["editor"], kind="policy", title="原标题", body="b", tiers=[kb["gold"]]
    )
    client = _alpha(kb["editor"])
    client.cookies["prm_language"] = "en"

    refused = client.post(
        f"/announcements/{draft.pk}/edit/",
        {**_form(title="新标题"), "attachment": SimpleUploadedFile("a.pdf", EXE)},
    )

    with translation.override("en"):
        assert refused.context["form"].errors["attachment"] == [
            "a.pdf is not an allowed file type (PDF, PNG, JPEG)."
        ]
    draft.refresh_from_db()
    assert (draft.title, draft.kind, draft.body) == ("原标题", "policy", "<p>b</p>")
    assert list(draft.tiers.all()) == [kb["gold"]]
    assert not AnnouncementAttachment.objects.exists()


def _page(client: Client, announcement: Announcement) -> str:
    return client.get(f"/announcements/{announcement.pk}/").content.decode()


def test_the_publish_button_and_notice_say_what_publishing_will_do(kb):
    client = _alpha(kb["editor"])
    client.cookies["prm_language"] = "en"
    soon = timezone.now() + timedelta(days=2)
    scheduled = announce(kb["editor"], publish=False, publish_at=soon, tiers=[kb["gold"]])
    overdue = announce(kb["editor"], publish=False, tiers=[kb["gold"]])
    Announcement.objects.filter(pk=overdue.pk).update(
        publish_at=timezone.now() - timedelta(hours=1)
    )
    at_once = announce(kb["editor"], publish=False, tiers=[kb["gold"]])

    when = timezone.localtime(soon).strftime("%Y-%m-%d %H:%M")
    scheduled_page = _page(client, scheduled)
    assert ">Schedule</button>" in scheduled_page
    assert (
        f"Scheduled for {when}: partners see it from then on, and the 2 people now in its "
        "audience are told then."
    ) in scheduled_page
    assert "Publishing tells" not in scheduled_page
    for page in (_page(client, overdue), _page(client, at_once)):
        assert ">Publish now</button>" in page
        assert ">Schedule</button>" not in page
        assert "Publishing tells 2 people now in its audience." in page


def test_the_outstanding_table_says_when_nobody_is_a_recipient(kb):
    client = _alpha(kb["sales"])
    client.cookies["prm_language"] = "en"
    nobody = announce(kb["editor"], title="空", partner_types=["service"])
    read = announce(kb["editor"], title="已读", tiers=[kb["silver"]])
    acknowledged = announce(
        kb["editor"], title="已确认", tiers=[kb["silver"]], importance=Importance.IMPORTANT
    )
    silver = _alpha(kb["silver_dealer_user"])
    silver.get(f"/portal/announcements/{read.pk}/")
    silver.post(f"/portal/announcements/{acknowledged.pk}/acknowledge/")

    empty = _page(client, nobody)
    assert "No recipients: nobody active in the partners you see is in its audience." in empty
    assert "Everyone has read it." not in empty
    assert "Everyone has read it." in _page(client, read)
    assert "Everyone has read and acknowledged it." in _page(client, acknowledged)


def _vendor_calls(announcement: Announcement, attachment: AnnouncementAttachment) -> list[Call]:
    pk = announcement.pk
    return [
        ("get", "/announcements/", dict),
        ("get", "/announcements/new/", dict),
        ("post", "/announcements/new/", _form),
        ("get", f"/announcements/{pk}/", dict),
        ("get", f"/announcements/{pk}/outstanding.csv", dict),
        ("get", f"/announcements/files/{attachment.pk}/", dict),
        ("get", f"/announcements/{pk}/edit/", dict),
        ("post", f"/announcements/{pk}/edit/", _form),
        ("post", f"/announcements/{pk}/publish/", dict),
        ("post", f"/announcements/{pk}/withdraw/", lambda: {"reason": "x"}),
        ("post", f"/announcements/files/{attachment.pk}/delete/", dict),
    ]


def test_other_vendor_roles_read_but_do_not_write(client_b, kb):
    draft = announcement_create(actor=kb["editor"], kind="policy", title="草稿", body="b")
    attachment = announcement_attachment_add(
        draft, SimpleUploadedFile("a.png", PNG), actor=kb["editor"]
    )
    calls = _vendor_calls(draft, attachment)

    sales = _statuses(_alpha(kb["sales"]), calls)
    partner = _statuses(_alpha(kb["gold_dealer_user"]), calls)
    anonymous = _statuses(_alpha(), calls)
    foreign = _statuses(login(client_b, kb["editor"]), calls)
    with schema_context("bravo"):
        bravo_admin = make_user(Role.ADMIN)
    bravo = _statuses(login(Client(HTTP_HOST="bravo.localhost"), bravo_admin), calls[3:])

    assert sales == [200, 403, 403, 200, 200, 200, 403, 403, 403, 403, 403]
    assert partner == [403] * len(calls)
    assert anonymous == [302] * len(calls)
    assert foreign == [302] * len(calls)
    assert bravo == [404] * len(calls[3:])
    with schema_context("alpha"):
        draft.refresh_from_db()
        assert (draft.status, draft.title, draft.attachments.count()) == ("draft", "草稿", 1)
        assert Announcement.objects.count() == 1
