"""Who may open which ticket page or file: another partner, a channel manager of other
partners, a user of another vendor (tenant B's host) and an anonymous visitor get nothing, and
what they tried changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from partners.support.models import Ticket, TicketAttachment, TicketMessage
from partners.support.replies import ticket_reply
from partners.support.tickets import ticket_resolve
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user

from .conftest import PNG, pdf, png, submit

pytestmark = pytest.mark.django_db

Call = tuple[str, str, Callable[[], dict[str, Any]]]


def _file() -> dict[str, Any]:
    return {"body": "x", "attachments": [SimpleUploadedFile("x.png", PNG)]}


def portal_calls(ticket: Ticket, attachment: TicketAttachment) -> list[Call]:
    pk = ticket.pk
    return [
        ("get", f"/portal/support/{pk}/", dict),
        ("post", f"/portal/support/{pk}/reply/", _file),
        ("post", f"/portal/support/{pk}/confirm/", dict),
        ("post", f"/portal/support/{pk}/reopen/", lambda: {"reason": "x"}),
        ("get", f"/portal/support/files/{attachment.pk}/", dict),
    ]


def vendor_calls(ticket: Ticket, attachment: TicketAttachment, owner_pk: int) -> list[Call]:
    pk = ticket.pk
    return [
        ("get", f"/support/{pk}/", dict),
        ("post", f"/support/{pk}/reply/", lambda: {"kind": "note", "body": "x"}),
        ("post", f"/support/{pk}/assign/", lambda: {"owner": owner_pk}),
        ("post", f"/support/{pk}/resolve/", lambda: {"resolution": "x"}),
        ("post", f"/support/{pk}/triage/", lambda: {"category": "pricing", "priority": "urgent"}),
        ("post", f"/support/{pk}/article/", dict),
        ("get", f"/support/files/{attachment.pk}/", dict),
    ]


def send(client: Client, method: str, url: str, data: Callable[[], dict[str, Any]]) -> Any:
    return client.get(url, data()) if method == "get" else client.post(url, data())


def statuses(client: Client, calls: list[Call]) -> list[int]:
    return [send(client, *call).status_code for call in calls]


def fresh(user: Any = None) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    return login(client, user) if user is not None else client


def snapshot(ticket: Ticket) -> tuple[Any, ...]:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.category,
        ticket.priority,
        ticket.owner_id,
        ticket.resolution,
        TicketMessage.objects.filter(ticket=ticket).count(),
        TicketAttachment.objects.filter(ticket=ticket).count(),
    )


def test_nobody_else_reaches_a_partners_ticket(client_b, world, vendor_admin):
    ticket = submit(world, attachments=[pdf()])
    ticket_resolve(ticket, user=world["manager"], resolution="已处理。")  # confirm is open
    attachment = ticket.attachments.get()
    portal = portal_calls(ticket, attachment)
    vendor = vendor_calls(ticket, attachment, world["other_manager"].pk)
    before = snapshot(ticket)

    anonymous = [send(fresh(), *call) for call in portal + vendor]
    other_partner = statuses(fresh(world["other_admin"]), portal)
    other_partner_list = fresh(world["other_admin"]).get("/portal/support/")
    partner_on_vendor_pages = statuses(fresh(world["dealer_admin"]), vendor)
    vendor_on_portal_pages = statuses(fresh(vendor_admin), portal)
    other_manager = statuses(fresh(world["other_manager"]), vendor)
    other_manager_queue = fresh(world["other_manager"]).get("/support/")

    assert [r.status_code for r in anonymous] == [302] * 12
    assert all(r["Location"].startswith("/accounts/login/?next=/") for r in anonymous)
    assert other_partner == [404] * 5
    assert list(other_partner_list.context["page"].object_list) == []
    assert partner_on_vendor_pages == [403] * 7
    assert vendor_on_portal_pages == [403] * 5
    assert other_manager == [404] * 7
    assert list(other_manager_queue.context["page"].object_list) == []
    assert snapshot(ticket) == before

    # Last: after a request on bravo's host the connection stays in bravo's schema.
    with schema_context("bravo"):
        login(client_b, make_user(Role.PARTNER_ADMIN, partner=make_partner()))
    bravo_portal = statuses(client_b, portal)
    bravo_list = client_b.get("/portal/support/")
    with schema_context("bravo"):
        login(client_b, make_user(Role.ADMIN))
    bravo_vendor = statuses(client_b, vendor)
    bravo_queue = client_b.get("/support/")

    assert bravo_portal == [404] * 5
    assert list(bravo_list.context["page"].object_list) == []
    assert bravo_vendor == [404] * 7
    assert list(bravo_queue.context["page"].object_list) == []


def test_an_internal_notes_file_is_the_vendors_alone(client_a, world):
    ticket = submit(world)
    note = ticket_reply(
        ticket, user=world["manager"], body="内部", internal=True, attachments=[png()]
    )
    attachment = TicketAttachment.objects.get(message=note)

    as_submitter = fresh(world["dealer"]).get(f"/portal/support/files/{attachment.pk}/")
    as_partner_admin = fresh(world["dealer_admin"]).get(f"/portal/support/files/{attachment.pk}/")
    as_manager = fresh(world["manager"]).get(f"/support/files/{attachment.pk}/")
    as_sales = fresh(world["sales"]).get(f"/support/files/{attachment.pk}/")

    assert (as_submitter.status_code, as_partner_admin.status_code) == (404, 404)
    assert (as_manager.status_code, as_sales.status_code) == (200, 200)
    assert as_manager["Content-Type"] == "image/png"
