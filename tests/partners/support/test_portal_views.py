"""Tickets in the partner portal over HTTP: the list (a partner admin sees the company's, a
partner user their own), a new ticket with files (errors at the field, nothing saved), the
timeline without internal notes or their files, replies, confirm and reopen."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from partners.support.models import Ticket, TicketAttachment, TicketMessage, TicketStatus
from partners.support.replies import ticket_reply
from partners.support.tickets import ticket_resolve
from tests.conftest import login

from .conftest import exe, pdf, png, submit

pytestmark = pytest.mark.django_db

NEW = "/portal/support/new/"


def english(client: Client, user: Any) -> Client:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


def feedback(response: Any, name: str) -> list[str]:
    """The `invalid-feedback` lines shown under the form field `name`."""
    blocks = response.content.decode().split('<div class="mb-3">')
    block = next(b for b in blocks if f'for="id_{name}"' in b)
    return [unescape(e) for e in re.findall(r'<div class="invalid-feedback">(.*?)</div>', block)]


def form(**overrides: Any) -> dict[str, Any]:
    data = {
        "category": "defect",
        "priority": "high",
        "subject": "交换机端口频繁掉线",
        "description": "SW-48 的 1-8 口每小时掉线一次。",
        "order": "",
        "deal": "",
    }
    data.update(overrides)
    return data


def test_urls_are_mounted_where_the_pages_expect(in_a):
    assert reverse("portal_support:list") == "/portal/support/"
    assert reverse("portal_support:new") == "/portal/support/new/"
    assert reverse("portal_support:detail", args=[7]) == "/portal/support/7/"
    assert reverse("portal_support:attachment", args=[7]) == "/portal/support/files/7/"


def test_a_partner_submits_a_ticket_with_files(client_a, world):
    client = english(client_a, world["dealer"])

    response = client.post(NEW, {**form(), "attachments": [png(), pdf()]}, follow=True)

    ticket = Ticket.objects.get()
    assert response.redirect_chain == [(f"/portal/support/{ticket.pk}/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"{ticket.number} submitted; the vendor will answer here."
    ]
    assert (ticket.subject, ticket.priority, ticket.owner) == (
        "交换机端口频繁掉线",
        "high",
        world["manager"],
    )
    assert ticket.attachments.count() == 2
    page = response.content.decode()
    assert "现场照片.png" in page
    assert "检测报告.pdf" in page


def test_bad_input_shows_at_the_field_and_saves_nothing(client_a, world):
    client = english(client_a, world["dealer"])

    empty = client.post(NEW, {**form(subject="", description=""), "attachments": [png()]})
    wrong = client.post(NEW, {**form(), "attachments": [png(), exe("发票.pdf")]})
    stranger = client.post(NEW, form(order="SO-2026-000001"))

    assert empty.status_code == wrong.status_code == stranger.status_code == 200
    assert feedback(empty, "subject") == ["This field is required."]
    assert feedback(empty, "description") == ["This field is required."]
    assert feedback(wrong, "attachments") == [
        "发票.pdf is not an allowed file type (PDF, PNG, JPEG)."
    ]
    assert feedback(stranger, "order") == ["Your company has no order numbered SO-2026-000001."]
    assert Ticket.objects.count() == 0
    assert TicketAttachment.objects.count() == 0
    assert TicketMessage.objects.count() == 0


def test_a_bad_file_is_named_together_with_the_other_field_errors(client_a, world):
    client = english(client_a, world["dealer"])

    response = client.post(NEW, {**form(subject=""), "attachments": [exe("发票.pdf")]})
    reply = client.post(
        f"/portal/support/{submit(world).pk}/reply/", {"body": "", "attachments": [exe("a.png")]}
    )

    assert feedback(response, "subject") == ["This field is required."]
    assert feedback(response, "attachments") == [
        "发票.pdf is not an allowed file type (PDF, PNG, JPEG)."
    ]
    assert feedback(reply, "body") == ["This field is required."]
    assert feedback(reply, "attachments") == ["a.png is not an allowed file type (PDF, PNG, JPEG)."]
    assert Ticket.objects.count() == 1
    assert TicketMessage.objects.count() == 0


def test_the_list_shows_a_partner_admin_everything_and_a_user_their_own(client_a, world):
    mine = submit(world)
    colleagues = submit(world, user=world["colleague"], subject="价格疑问")
    submit(world, user=world["other_admin"], subject="别家的工单")

    as_admin = login(client_a, world["dealer_admin"]).get("/portal/support/")
    admin_rows = list(as_admin.context["page"].object_list)
    as_user = login(client_a, world["dealer"]).get("/portal/support/")

    assert sorted(t.pk for t in admin_rows) == sorted([mine.pk, colleagues.pk])
    assert list(as_user.context["page"].object_list) == [mine]
    assert login(client_a, world["colleague"]).get(f"/portal/support/{mine.pk}/").status_code == 404


def test_the_timeline_never_shows_internal_notes_or_their_files(client_a, world):
    ticket = submit(world)
    ticket_reply(ticket, user=world["manager"], body="公开答复：请升级固件。", attachments=[pdf()])
    note = ticket_reply(
        ticket,
        user=world["manager"],
        body="内部：疑似批次问题",
        internal=True,
        attachments=[png("内部分析.png")],
    )
    public_file = TicketAttachment.objects.get(message__internal=False)
    secret_file = TicketAttachment.objects.get(message=note)
    client = login(client_a, world["dealer"])

    page = client.get(f"/portal/support/{ticket.pk}/").content.decode()
    public = client.get(f"/portal/support/files/{public_file.pk}/")
    secret = client.get(f"/portal/support/files/{secret_file.pk}/")

    assert "公开答复：请升级固件。" in page
    assert "疑似批次问题" not in page
    assert "内部分析.png" not in page
    assert public.status_code == 200
    assert public["Cache-Control"] == "private, no-store"
    assert b"".join(public.streaming_content).startswith(b"%PDF")
    assert secret.status_code == 404


def test_a_reply_with_a_bad_file_is_refused_at_the_field(client_a, world):
    ticket = submit(world)
    client = english(client_a, world["dealer"])

    bad = client.post(
        f"/portal/support/{ticket.pk}/reply/", {"body": "补充", "attachments": [exe("a.png")]}
    )
    good = client.post(
        f"/portal/support/{ticket.pk}/reply/", {"body": "补充照片", "attachments": [png()]}
    )

    assert feedback(bad, "attachments") == ["a.png is not an allowed file type (PDF, PNG, JPEG)."]
    assert good.status_code == 302
    assert list(TicketMessage.objects.values_list("body", "from_partner")) == [("补充照片", True)]
    assert TicketAttachment.objects.get().message.body == "补充照片"


def test_the_submitter_confirms_or_reopens_from_the_page(client_a, world):
    ticket = submit(world)
    ticket_resolve(ticket, user=world["manager"], resolution="已寄送替换件。")
    colleague = login(Client(HTTP_HOST="alpha.localhost"), world["dealer_admin"])
    client = english(client_a, world["dealer"])

    page = client.get(f"/portal/support/{ticket.pk}/").content.decode()
    no_reason = client.post(f"/portal/support/{ticket.pk}/reopen/", {"reason": ""})
    reopened = client.post(f"/portal/support/{ticket.pk}/reopen/", {"reason": "替换件也坏了"})
    ticket_resolve(ticket, user=world["manager"], resolution="再次寄送。")
    confirmed = colleague.post(f"/portal/support/{ticket.pk}/confirm/")

    ticket.refresh_from_db()
    assert f'action="/portal/support/{ticket.pk}/confirm/"' in page
    assert feedback(no_reason, "reason") == ["This field is required."]
    assert reopened.status_code == confirmed.status_code == 302
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.status_changes.first().actor == world["dealer_admin"]


def test_a_colleague_who_did_not_submit_cannot_confirm(client_a, world):
    ticket = submit(world, user=world["dealer"])
    ticket_resolve(ticket, user=world["manager"], resolution="已处理。")

    # The colleague does not even see it: a 404, and nothing changes.
    response = login(client_a, world["colleague"]).post(f"/portal/support/{ticket.pk}/confirm/")

    ticket.refresh_from_db()
    assert response.status_code == 404
    assert ticket.status == TicketStatus.RESOLVED
