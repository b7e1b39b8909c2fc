"""Triage: the owner, the partner's channel manager or a vendor admin corrects a ticket's
category and priority; due times follow the new policy from the submission, breach flags are
cleared only when the new due time is still ahead, the owner changes only when asked, and the
change is audited and noted on the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from partners.support.models import RoutingRule, SlaPolicy, Ticket, TicketMessage
from partners.support.replies import ticket_reply
from partners.support.sla import sla_check
from partners.support.tickets import ticket_reopen, ticket_resolve
from partners.support.triage import ticket_triage
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_user

from .conftest import notes, submit

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def test_a_new_priority_recomputes_the_due_times_from_the_submission(world):
    urgent = SlaPolicy.objects.create(priority="urgent", first_response_hours=2, resolution_hours=8)
    ticket = submit(world)  # defaults for normal: 8 h and 120 h
    ticket_reply(ticket, user=world["manager"], body="收到。")
    ticket.refresh_from_db()
    answered_at = ticket.first_responded_at

    triaged = ticket_triage(
        ticket, user=world["manager"], category="defect", priority="urgent", reason="影响产线"
    )

    ticket.refresh_from_db()
    assert (ticket.category, ticket.priority, ticket.sla_policy) == ("defect", "urgent", urgent)
    assert triaged.priority == "urgent"
    assert ticket.first_response_due == ticket.submitted_at + 2 * H
    assert ticket.resolution_due == ticket.submitted_at + 8 * H
    assert ticket.first_responded_at == answered_at
    assert ticket.owner == world["manager"]  # not routed again unless asked
    event = LogEntry.objects.get_for_object(ticket).order_by("-pk").first()
    assert event.changes_dict["priority"] == ["normal", "urgent"]
    assert event.additional_data == {"reason": "影响产线"}
    note = TicketMessage.objects.filter(ticket=ticket, internal=True).get()
    assert note.author == world["manager"]
    assert "影响产线" in note.body


def test_breach_flags_are_cleared_only_when_the_new_due_time_is_ahead(world):
    SlaPolicy.objects.create(priority="low", first_response_hours=24, resolution_hours=240)
    SlaPolicy.objects.create(priority="high", first_response_hours=4, resolution_hours=10)
    ticket = submit(world)  # normal: 8 h and 120 h
    earlier = timezone.now() - 12 * H
    Ticket.objects.filter(pk=ticket.pk).update(
        submitted_at=earlier,
        first_response_due=earlier + 8 * H,
        resolution_due=earlier + 120 * H,
    )
    assert sla_check()["escalated_first_response"] == 1

    ticket_triage(ticket, user=world["manager"], category="defect", priority="high")
    ticket.refresh_from_db()
    high = (ticket.first_response_breached, ticket.resolution_breached)
    ticket_triage(ticket, user=world["manager"], category="defect", priority="low")
    ticket.refresh_from_db()
    low = (ticket.first_response_breached, ticket.resolution_breached)

    # High: first response due 4 h after submission, long past: still late.
    assert high == (True, False)
    # Low: due 24 h after submission, 12 h from now: not late after all.
    assert low == (False, False)
    assert ticket.first_response_due == earlier + 24 * H
    assert ticket.escalation_level == 1  # what happened stays counted


def test_a_tighter_target_already_past_is_left_to_the_job(world, vendor_admin):
    SlaPolicy.objects.create(priority="urgent", first_response_hours=1, resolution_hours=4)
    ticket = submit(world)
    Ticket.objects.filter(pk=ticket.pk).update(submitted_at=timezone.now() - 2 * H)

    ticket_triage(ticket, user=world["manager"], category="defect", priority="urgent")
    result = sla_check()

    ticket.refresh_from_db()
    assert result["escalated_first_response"] == 1
    assert (ticket.first_response_breached, ticket.escalation_level) == (True, 1)


def test_a_reopened_tickets_resolution_is_counted_from_the_reopen(world):
    ticket = submit(world)
    ticket_resolve(ticket, user=world["manager"], resolution="已处理。")
    ticket_reopen(ticket, user=world["dealer"], reason="没好。")
    reopened_at = ticket.status_changes.get(from_status="resolved").created_at

    ticket_triage(ticket, user=world["manager"], category="defect", priority="urgent")

    ticket.refresh_from_db()
    assert ticket.resolution_due == reopened_at + 24 * H  # urgent default: 24 h


def test_routing_again_only_when_asked(world):
    desk = make_user(Role.SALES, full_name="价格专员")
    RoutingRule.objects.create(name="价格", position=1, category="pricing", owner=desk)
    ticket = submit(world, category="other")

    ticket_triage(ticket, user=world["manager"], category="pricing", priority="normal")
    ticket.refresh_from_db()
    kept = ticket.owner
    ticket_triage(
        ticket, user=world["manager"], category="pricing", priority="normal", reroute=True
    )

    ticket.refresh_from_db()
    assert (kept, ticket.owner) == (world["manager"], desk)
    assert notes("support.assigned")[-1] == (desk.email, "support.assigned")


def test_only_handlers_triage_active_tickets_with_valid_choices(world, vendor_admin):
    ticket = submit(world)

    with pytest.raises(PermissionDenied):
        ticket_triage(ticket, user=world["sales"], category="pricing", priority="low")
    with pytest.raises(PermissionDenied):
        ticket_triage(ticket, user=world["dealer"], category="pricing", priority="low")
    with translation.override("en"):
        with pytest.raises(ValidationError) as bad:
            ticket_triage(ticket, user=vendor_admin, category="weather", priority="soon")
        with pytest.raises(ValidationError) as same:
            ticket_triage(ticket, user=vendor_admin, category="defect", priority="normal")
        ticket_resolve(ticket, user=world["manager"], resolution="好了。")
        with pytest.raises(ValidationError) as done:
            ticket_triage(ticket, user=vendor_admin, category="pricing", priority="low")
        messages = (bad.value.message_dict, same.value.messages, done.value.messages)

    ticket.refresh_from_db()
    assert messages == (
        {
            "category": ["Choose what the problem is about."],
            "priority": ["Choose a priority."],
        },
        ["Nothing to change: the category, priority and owner are the same."],
        ["Only a ticket being worked on can be triaged."],
    )
    assert (ticket.category, ticket.priority) == ("defect", "normal")


def test_triage_from_the_vendor_page(client_a, world):
    ticket = submit(world)
    client = login(client_a, world["manager"])

    page = client.get(f"/support/{ticket.pk}/").content.decode()
    response = client.post(
        f"/support/{ticket.pk}/triage/", {"category": "pricing", "priority": "high"}
    )
    refused = login(client_a, world["sales"]).post(
        f"/support/{ticket.pk}/triage/", {"category": "other", "priority": "low"}
    )

    ticket.refresh_from_db()
    assert f'action="/support/{ticket.pk}/triage/"' in page
    assert response.status_code == 302
    assert refused.status_code == 403
    assert (ticket.category, ticket.priority) == ("pricing", "high")
    assert ticket.first_response_due == ticket.submitted_at + 4 * H  # high default
