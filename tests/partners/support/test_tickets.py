"""A ticket's life through the services: submit (number, region, owner told, files, links to the
partner's own order or deal), replies from both sides moving the status and telling the other
side, reassignment, resolution, and only the submitter or their partner admin closing or
reopening it."""

from __future__ import annotations

import re
from pathlib import Path, PurePath

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from partners.support import replies as replies_module
from partners.support import tickets as tickets_module
from partners.support.models import (
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketStatus,
    TicketStatusChange,
)
from partners.support.replies import ticket_reply
from partners.support.tickets import (
    ticket_assign,
    ticket_confirm,
    ticket_reopen,
    ticket_resolve,
)
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.models import Notification
from tests.deal_registration.deals import register
from tests.factories import make_order, make_product, make_user
from tests.trust.images import JPEG, PNG

from .conftest import exe, notes, pdf, png, submit

pytestmark = pytest.mark.django_db


def history(ticket: Ticket) -> list[tuple[str, str]]:
    return list(
        TicketStatusChange.objects.filter(ticket=ticket)
        .order_by("pk")
        .values_list("from_status", "to_status")
    )


def test_a_submitted_ticket_is_numbered_routed_and_its_owner_told(world):
    User.objects.filter(pk=world["manager"].pk).update(language="en")
    ticket = submit(world, attachments=[png(), pdf()])

    assert re.fullmatch(r"TK-\d{4}-\d{6}", ticket.number)
    assert (ticket.partner, ticket.submitter, ticket.owner) == (
        world["partner"],
        world["dealer"],
        world["manager"],
    )
    assert (ticket.status, ticket.region, ticket.priority) == ("open", "上海", "normal")
    assert history(ticket) == [("", "open")]
    assert list(
        TicketAttachment.objects.filter(ticket=ticket).values_list(
            "original_name", "content_type", "size", "message"
        )
    ) == [
        ("现场照片.png", "image/png", len(PNG), None),
        ("检测报告.pdf", "application/pdf", 73, None),
    ]
    assert notes() == [(world["manager"].email, "support.assigned")]
    told = Notification.objects.get()
    assert told.title == (
        f"New ticket {ticket.number} from Shanghai Pujiang Electronics: 摄像头夜视模式失灵"
    )
    assert (told.url, told.email, told.body) == (
        f"/support/{ticket.pk}/",
        True,
        "客户反馈 IPC-200 夜间画面全黑，已重启无效。",
    )


def test_bad_input_is_refused_at_each_field_and_nothing_is_saved(world):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        submit(
            world,
            subject="  ",
            description="",
            category="weather",
            order_number="SO-2026-999999",
            attachments=[png(), exe("发票.pdf")],
        )

    assert caught.value.message_dict == {
        "subject": ["This field is required."],
        "description": ["This field is required."],
        "category": ["Choose what the problem is about."],
        "order": ["Your company has no order numbered SO-2026-999999."],
        "attachments": ["发票.pdf is not an allowed file type (PDF, PNG, JPEG)."],
    }
    assert Ticket.objects.count() == 0
    assert TicketAttachment.objects.count() == 0
    assert Notification.objects.count() == 0


def test_links_only_to_the_partners_own_order_and_deal(world):
    product = make_product()
    own = make_order(world["partner"], (product, 1))
    theirs = make_order(world["other_partner"], (product, 1))
    deal = register(world["dealer_admin"])
    their_deal = register(world["other_admin"])

    linked = submit(world, order_number=own.number.lower(), deal_number=deal.number)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        submit(world, order_number=theirs.number, deal_number=their_deal.number)

    assert (linked.order, linked.deal) == (own, deal)
    assert caught.value.message_dict == {
        "order": [f"Your company has no order numbered {theirs.number}."],
        "deal": [f"Your company has no deal registration numbered {their_deal.number}."],
    }


def test_replies_move_the_status_and_tell_the_other_side(world):
    ticket = submit(world)
    Notification.objects.all().delete()

    ticket_reply(ticket, user=world["manager"], body="请提供设备序列号。", wait_for_partner=True)
    ticket.refresh_from_db()
    asked = ticket.status
    first_response = ticket.first_responded_at
    ticket_reply(ticket, user=world["dealer"], body="序列号 SN123。", attachments=[png()])
    ticket.refresh_from_db()
    answered = ticket.status
    ticket_reply(ticket, user=world["manager"], body="已转研发。")
    ticket_reply(ticket, user=world["sales"], body="同型号上周也有类似反馈。", internal=True)

    ticket.refresh_from_db()
    assert (asked, answered, ticket.status) == ("waiting", "in_progress", "in_progress")
    assert history(ticket) == [("", "open"), ("open", "waiting"), ("waiting", "in_progress")]
    first_vendor_message = TicketMessage.objects.filter(ticket=ticket).order_by("pk").first()
    assert ticket.first_responded_at == first_response == first_vendor_message.created_at
    assert list(
        TicketMessage.objects.filter(ticket=ticket)
        .order_by("pk")
        .values_list("from_partner", "internal")
    ) == [(False, False), (True, False), (False, False), (False, True)]
    assert notes() == [
        (world["dealer"].email, "support.reply"),
        (world["manager"].email, "support.reply"),
        (world["dealer"].email, "support.reply"),
        (world["manager"].email, "support.note"),
    ]
    assert Notification.objects.filter(kind="support.reply").first().url == (
        f"/portal/support/{ticket.pk}/"
    )


def test_partners_cannot_write_internal_notes_and_strangers_cannot_write_at_all(world):
    ticket = submit(world)

    with pytest.raises(PermissionDenied):
        ticket_reply(ticket, user=world["dealer"], body="x", internal=True)
    for stranger in (world["other_admin"], world["other_manager"], world["colleague"]):
        with pytest.raises(PermissionDenied):
            ticket_reply(ticket, user=stranger, body="x")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        ticket_reply(ticket, user=world["manager"], body=" ", attachments=[exe("a.png")])

    assert caught.value.message_dict == {
        "body": ["This field is required."],
        "attachments": ["a.png is not an allowed file type (PDF, PNG, JPEG)."],
    }
    assert TicketMessage.objects.count() == 0
    assert TicketAttachment.objects.count() == 0


def test_reassigning_tells_the_new_owner_and_notes_it_internally(world, vendor_admin):
    ticket = submit(world)
    helper = make_user(Role.SALES, full_name="技术支持王工")
    Notification.objects.all().delete()

    with pytest.raises(PermissionDenied):
        ticket_assign(ticket, user=world["sales"], owner=helper)  # sees it, does not handle it
    ticket_assign(ticket, user=world["manager"], owner=helper, reason="需要技术支持")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        ticket_assign(ticket, user=vendor_admin, owner=world["dealer"])

    ticket.refresh_from_db()
    assert ticket.owner == helper
    assert caught.value.message_dict == {"owner": ["Tickets are owned by active vendor staff."]}
    note = TicketMessage.objects.get(ticket=ticket)
    assert (note.internal, note.author) == (True, world["manager"])
    assert "技术支持王工" in note.body
    assert "需要技术支持" in note.body
    assert notes() == [(helper.email, "support.assigned")]


def test_resolve_then_only_the_submitter_or_partner_admin_closes_it(world, vendor_admin):
    ticket = submit(world)
    Notification.objects.all().delete()

    ticket_resolve(ticket, user=world["manager"], resolution="固件 2.1.3 已修复夜视。")
    refused = []
    for user in (world["colleague"], world["manager"], vendor_admin, world["other_admin"]):
        try:
            ticket_confirm(ticket, user=user)
        except PermissionDenied:
            refused.append(user)
    ticket_confirm(ticket, user=world["dealer"])

    ticket.refresh_from_db()
    assert refused == [world["colleague"], world["manager"], vendor_admin, world["other_admin"]]
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.resolution == "固件 2.1.3 已修复夜视。"
    assert ticket.first_responded_at == ticket.resolved_at  # the resolution answered it
    assert ticket.closed_at is not None
    assert ticket.auto_close_at is None
    assert history(ticket) == [("", "open"), ("open", "resolved"), ("resolved", "closed")]
    assert ticket.status_changes.get(to_status="resolved").reason == "固件 2.1.3 已修复夜视。"
    assert notes() == [
        (world["dealer"].email, "support.resolved"),
        (world["manager"].email, "support.closed"),
    ]


def test_the_partner_admin_confirms_for_a_submitter_who_left(world):
    ticket = submit(world)
    ticket_resolve(ticket, user=world["manager"], resolution="已更换。")
    User.objects.filter(pk=world["dealer"].pk).update(is_active=False)

    ticket_confirm(ticket, user=world["dealer_admin"])

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED


def test_reopen_needs_a_reason_and_goes_back_to_the_owner(world):
    ticket = submit(world)
    ticket_resolve(ticket, user=world["manager"], resolution="已寄送新机。")
    Notification.objects.all().delete()

    with translation.override("en"), pytest.raises(ValidationError) as no_reason:
        ticket_reopen(ticket, user=world["dealer"], reason="  ")
    with pytest.raises(PermissionDenied):
        ticket_reopen(ticket, user=world["colleague"], reason="不行")
    ticket_reopen(ticket, user=world["dealer"], reason="新机同样黑屏。")
    with translation.override("en"), pytest.raises(ValidationError) as twice:
        ticket_confirm(ticket, user=world["dealer"])

    ticket.refresh_from_db()
    assert no_reason.value.message_dict == {"reason": ["This field is required."]}
    assert twice.value.messages == ["This ticket is not waiting for your confirmation."]
    assert (ticket.status, ticket.resolved_at) == (TicketStatus.IN_PROGRESS, None)
    assert history(ticket)[-1] == ("resolved", "in_progress")
    assert ticket.status_changes.first().reason == "新机同样黑屏。"
    assert notes() == [(world["manager"].email, "support.reopened")]


def test_a_resolved_or_closed_ticket_takes_no_messages(world):
    ticket = submit(world)
    ticket_resolve(ticket, user=world["manager"], resolution="已处理。")

    with translation.override("en"), pytest.raises(ValidationError) as partner:
        ticket_reply(ticket, user=world["dealer"], body="还有问题")
    ticket_confirm(ticket, user=world["dealer"])
    with translation.override("en"), pytest.raises(ValidationError) as vendor:
        ticket_reply(ticket, user=world["manager"], body="补充")

    assert partner.value.messages == ["This ticket is resolved; confirm it or reopen it instead."]
    assert vendor.value.messages == ["This ticket no longer takes messages."]


def test_a_departed_owner_is_replaced_by_the_channel_manager_then_the_admins(world, vendor_admin):
    ticket = submit(world)
    helper = make_user(Role.SALES, full_name="离职的王工")
    Ticket.objects.filter(pk=ticket.pk).update(owner=helper)
    User.objects.filter(pk=helper.pk).update(is_active=False)
    Notification.objects.all().delete()

    ticket_reply(ticket, user=world["dealer"], body="补充说明。")
    ticket_reply(ticket, user=world["sales"], body="内部备注", internal=True)
    User.objects.filter(pk=world["manager"].pk).update(is_active=False)
    ticket_resolve(ticket, user=vendor_admin, resolution="已处理。")
    ticket_reopen(ticket, user=world["dealer"], reason="没有好。")
    ticket_resolve(ticket, user=vendor_admin, resolution="再次处理。")
    ticket_confirm(ticket, user=world["dealer"])

    assert notes() == [
        (world["manager"].email, "support.reply"),
        (world["manager"].email, "support.note"),
        (world["dealer"].email, "support.resolved"),
        (vendor_admin.email, "support.reopened"),
        (world["dealer"].email, "support.resolved"),
        (vendor_admin.email, "support.closed"),
    ]


def _stored_files() -> set[str]:
    root = Path(default_storage.path("support"))
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.mark.parametrize("service", ["submit", "reply"])
def test_files_of_a_failed_submit_or_reply_are_deleted_again(world, monkeypatch, service):
    ticket = submit(world) if service == "reply" else None
    before = _stored_files()
    during: list[set[str]] = []

    def mail_server_down(*args, **kwargs):
        during.append(_stored_files() - before)
        raise RuntimeError("mail server down")

    monkeypatch.setattr(tickets_module, "tell", mail_server_down)
    monkeypatch.setattr(replies_module, "tell", mail_server_down)

    def run() -> object:
        if ticket is None:
            return submit(world, attachments=[png(), pdf()])
        return ticket_reply(ticket, user=world["dealer"], body="照片", attachments=[png(), pdf()])

    with pytest.raises(RuntimeError):
        run()

    assert [len(files) for files in during] == [2]  # stored, then the service failed
    assert _stored_files() == before
    assert TicketAttachment.objects.count() == 0


def test_a_stored_file_takes_the_extension_of_its_recognised_type(world):
    ticket = submit(
        world,
        attachments=[png("现场照片.html"), pdf("检测报告"), SimpleUploadedFile("a.png", JPEG)],
    )

    names = [a.file.name for a in TicketAttachment.objects.filter(ticket=ticket).order_by("pk")]
    assert [PurePath(name).suffix for name in names] == [".png", ".pdf", ".jpg"]
    assert [a.original_name for a in ticket.attachments.order_by("pk")] == [
        "现场照片.html",
        "检测报告",
        "a.png",
    ]
    assert all(re.fullmatch(rf"support/{ticket.pk}/[0-9a-f]{{32}}\.\w+", n) for n in names)
