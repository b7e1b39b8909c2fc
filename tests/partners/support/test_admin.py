"""The vendor admin keeps routing rules and SLA policies in Django admin; tickets and files are
there to look up, with their timeline, history and audit trail."""

from __future__ import annotations

import pytest

from partners.support.models import RoutingRule, SlaPolicy
from partners.support.replies import ticket_reply
from tests.conftest import login

from .conftest import png, submit

pytestmark = pytest.mark.django_db


def test_rules_and_policies_are_added_in_admin(client_a, world, vendor_admin):
    client = login(client_a, vendor_admin)

    rule = client.post(
        "/admin/support/routingrule/add/",
        {
            "name": "窜货",
            "position": "5",
            "category": "diversion",
            "owner": world["manager"].pk,
            "is_active": "on",
        },
    )
    policy = client.post(
        "/admin/support/slapolicy/add/",
        {
            "category": "",
            "priority": "urgent",
            "first_response_hours": "2",
            "resolution_hours": "1",
            "auto_close_days": "7",
            "is_active": "on",
        },
    )
    dealer_owner = client.post(
        "/admin/support/routingrule/add/",
        {"name": "x", "position": "6", "owner": world["dealer"].pk, "is_active": "on"},
    )

    assert rule.status_code == 302
    assert RoutingRule.objects.get().owner == world["manager"]
    assert policy.status_code == 200  # resolution before the first response: refused
    assert SlaPolicy.objects.count() == 0
    assert dealer_owner.status_code == 200  # a partner user cannot own tickets
    assert RoutingRule.objects.count() == 1


def test_tickets_and_files_open_read_only_with_their_history(client_a, world, vendor_admin):
    ticket = submit(world, attachments=[png()])
    ticket_reply(ticket, user=world["manager"], body="收到", internal=True)
    client = login(client_a, vendor_admin)

    pages = [
        "/admin/support/ticket/",
        "/admin/support/ticket/?breached=yes&status=open",
        f"/admin/support/ticket/?q={ticket.number}",
        f"/admin/support/ticket/{ticket.pk}/change/",
        f"/admin/support/ticket/{ticket.pk}/history/",
        f"/admin/support/ticketattachment/{ticket.attachments.get().pk}/change/",
    ]
    codes = [client.get(url).status_code for url in pages]
    listing = client.get(f"/admin/support/ticket/?q={ticket.number}")

    assert codes == [200] * 6
    assert list(listing.context["cl"].result_list) == [ticket]
    assert client.get("/admin/support/ticket/add/").status_code == 403
