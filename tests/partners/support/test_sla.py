"""SLA due times from the most specific policy (or the defaults), and the ten-minute job:
each kind of breach escalated once, with exact notifications; a rerun tells nobody; resolved
tickets nobody confirmed close by themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from partners.models import Partner
from partners.support.models import SlaPolicy, Ticket, TicketMessage, TicketStatus
from partners.support.replies import ticket_reply
from partners.support.sla import sla_check
from partners.support.tasks import support_sla_check
from partners.support.tickets import ticket_reopen, ticket_resolve
from prm.accounts.roles import Role
from prm.core.models import Notification
from tests.factories import make_user

from .conftest import notes, submit

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
NOTHING = {"escalated_first_response": 0, "escalated_resolution": 0, "closed": 0}


def policy(category: str = "", priority: str = "", first: int = 4, resolution: int = 48, **kw):
    return SlaPolicy.objects.create(
        category=category,
        priority=priority,
        first_response_hours=first,
        resolution_hours=resolution,
        **kw,
    )


def test_due_times_follow_the_most_specific_policy(world):
    policy(first=24, resolution=240)  # the catch-all
    policy(priority="urgent", first=1, resolution=8)
    defect = policy(category="defect", first=4, resolution=72)
    urgent_defect = policy(category="defect", priority="urgent", first=2, resolution=24)

    cases = [
        ("defect", "urgent", urgent_defect, 2, 24),
        ("defect", "normal", defect, 4, 72),
        ("pricing", "urgent", SlaPolicy.objects.get(category="", priority="urgent"), 1, 8),
        ("pricing", "low", SlaPolicy.objects.get(category="", priority=""), 24, 240),
    ]
    for category, priority, expected, first, resolution in cases:
        ticket = submit(world, category=category, priority=priority)
        assert ticket.sla_policy == expected
        assert ticket.first_response_due == ticket.submitted_at + first * H
        assert ticket.resolution_due == ticket.submitted_at + resolution * H


def test_without_policies_the_defaults_by_priority_apply(world):
    SlaPolicy.objects.create(
        category="", priority="", first_response_hours=1, resolution_hours=2, is_active=False
    )
    urgent = submit(world, priority="urgent")
    low = submit(world, priority="low")

    assert urgent.sla_policy is None
    assert (urgent.first_response_due - urgent.submitted_at) == 2 * H
    assert (urgent.resolution_due - urgent.submitted_at) == 24 * H
    assert (low.first_response_due - low.submitted_at) == 24 * H
    assert (low.resolution_due - low.submitted_at) == 240 * H


def test_a_missed_first_response_is_escalated_once(world):
    boss = make_user(Role.ADMIN, full_name="客服总监", email="director@alpha.test", language="en")
    policy(category="defect", first=4, resolution=48, escalate_to=boss)
    ticket = submit(world)
    Notification.objects.all().delete()

    early = sla_check(now=ticket.first_response_due - timedelta(minutes=1))
    late = ticket.first_response_due + timedelta(minutes=5)
    first = support_sla_check(now=late.isoformat())  # as the broker passes it
    again = sla_check(now=late + 10 * timedelta(minutes=1))

    ticket.refresh_from_db()
    assert early == NOTHING
    assert first == {**NOTHING, "escalated_first_response": 1}
    assert again == NOTHING
    assert (ticket.first_response_breached, ticket.resolution_breached) == (True, False)
    assert (ticket.escalation_level, ticket.escalated_at) == (1, late)
    assert sorted(notes()) == sorted(
        [(world["manager"].email, "support.escalated"), (boss.email, "support.escalated")]
    )
    due = timezone.localtime(ticket.first_response_due).strftime("%Y-%m-%d %H:%M")
    told = Notification.objects.get(recipient=boss)
    assert told.title == f"SLA missed on {ticket.number}: no first response by {due}"
    assert (told.body, told.url, told.email) == (
        ticket.subject,
        f"/support/{ticket.pk}/",
        True,
    )
    note = TicketMessage.objects.get(ticket=ticket)
    assert (note.internal, note.author) == (True, None)
    assert "李经理, 客服总监" in note.body  # who was told, on the timeline


def test_a_missed_resolution_is_escalated_once_more_and_reaches_the_admins(world, vendor_admin):
    policy(category="defect", first=4, resolution=48)  # no contact: the channel manager
    ticket = submit(world)
    ticket_reply(ticket, user=world["manager"], body="收到，正在排查。")
    Notification.objects.all().delete()

    at_first_due = sla_check(now=ticket.first_response_due + H)
    late = ticket.resolution_due + timedelta(minutes=1)
    with translation.override("en"):
        at_resolution_due = sla_check(now=late)
    rerun = sla_check(now=late + H)

    ticket.refresh_from_db()
    assert at_first_due == NOTHING  # answered in time
    assert at_resolution_due == {**NOTHING, "escalated_resolution": 1}
    assert rerun == NOTHING
    assert (ticket.first_response_breached, ticket.resolution_breached) == (False, True)
    assert ticket.escalation_level == 1
    # The escalation contact (the channel manager) owns the ticket: it would tell nobody new,
    # so the vendor admins hear of it too.
    assert sorted(notes()) == sorted(
        [(world["manager"].email, "support.escalated"), (vendor_admin.email, "support.escalated")]
    )
    note = TicketMessage.objects.get(ticket=ticket, internal=True)
    assert note.author is None
    due = timezone.localtime(ticket.resolution_due).strftime("%Y-%m-%d %H:%M")
    assert note.body == (
        f"SLA missed on {ticket.number}: not resolved by {due}. Escalated to level 1; "
        f"told: 李经理, {vendor_admin.full_name}."
    )


def test_both_breaches_escalate_to_level_two_with_the_admins(world, vendor_admin):
    Partner.objects.filter(pk=world["partner"].pk).update(channel_manager=None)
    ticket = submit(world)  # default targets: 8 h and 120 h; owner: the vendor admin
    owner = make_user(Role.SALES, email="owner@alpha.test")
    Ticket.objects.filter(pk=ticket.pk).update(owner=owner)
    Notification.objects.all().delete()

    result = sla_check(now=ticket.resolution_due + H)

    ticket.refresh_from_db()
    assert result == {**NOTHING, "escalated_first_response": 1, "escalated_resolution": 1}
    assert ticket.escalation_level == 2
    assert sorted(notes()) == sorted(
        [
            (owner.email, "support.escalated"),
            (vendor_admin.email, "support.escalated"),
            (owner.email, "support.escalated"),
            (vendor_admin.email, "support.escalated"),
        ]
    )


def test_a_late_first_reply_is_marked_late_without_an_escalation(world):
    ticket = submit(world)
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due=ticket.submitted_at - timedelta(minutes=1)
    )

    ticket_reply(ticket, user=world["manager"], body="抱歉回复晚了。")
    result = sla_check()

    ticket.refresh_from_db()
    assert ticket.first_response_breached is True
    assert ticket.escalation_level == 0
    assert result["escalated_first_response"] == 0


def test_resolved_tickets_nobody_confirms_close_by_themselves(world):
    policy(category="defect", auto_close_days=3)
    ticket = ticket_resolve(submit(world), user=world["manager"], resolution="已寄送新机。")
    ticket.refresh_from_db()
    Notification.objects.all().delete()

    due = ticket.auto_close_at
    assert due is not None
    assert ticket.resolved_at is not None
    assert due == ticket.resolved_at + timedelta(days=3)
    before = sla_check(now=due - timedelta(minutes=1))
    with translation.override("en"):
        closed = sla_check(now=due + H)
    rerun = support_sla_check(now=(due + 2 * H).isoformat())

    ticket.refresh_from_db()
    assert before == NOTHING
    assert closed == {**NOTHING, "closed": 1}
    assert rerun == NOTHING
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.closed_at == due + H
    last = ticket.status_changes.first()
    assert (last.from_status, last.to_status, last.actor) == ("resolved", "closed", None)
    assert last.reason == (
        "Closed automatically: the resolution was neither confirmed nor reopened."
    )
    assert notes() == [(world["dealer"].email, "support.closed")]


def test_a_reopened_ticket_does_not_close_by_itself(world):
    ticket = ticket_resolve(submit(world), user=world["manager"], resolution="已寄送新机。")
    ticket.refresh_from_db()
    due = ticket.auto_close_at
    assert due is not None
    ticket_reopen(ticket, user=world["dealer"], reason="新机同样问题。")

    result = sla_check(now=due + H)

    ticket.refresh_from_db()
    assert result["closed"] == 0
    assert (ticket.status, ticket.auto_close_at, ticket.resolved_at) == ("in_progress", None, None)


def test_an_escalation_contact_sees_every_partner(world):
    refused = SlaPolicy(
        first_response_hours=4, resolution_hours=2, escalate_to=world["other_manager"]
    )

    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            refused.full_clean()
        errors = caught.value.message_dict  # lazy messages: read them in English too
    # The field's own check (limit_choices_to) speaks first; ours says why.
    assert errors["escalate_to"][-1] == (
        "Escalations go to vendor staff who see every partner (not a channel manager or a "
        "partner user)."
    )
    assert errors["resolution_hours"] == ["Resolution cannot be due before the first response."]


def test_a_breached_then_reopened_ticket_is_escalated_again_when_its_new_due_passes(
    world, vendor_admin
):
    boss = make_user(Role.SALES, full_name="客服总监")
    policy(category="defect", first=4, resolution=48, escalate_to=boss)
    ticket = submit(world)
    ticket_reply(ticket, user=world["manager"], body="收到。")  # answered in time
    late = ticket.resolution_due + H
    assert sla_check(now=late) == {**NOTHING, "escalated_resolution": 1}
    ticket_resolve(ticket, user=world["manager"], resolution="已更换。")
    Notification.objects.all().delete()

    before = timezone.now()
    ticket_reopen(ticket, user=world["dealer"], reason="还是不行。")
    after = timezone.now()
    ticket.refresh_from_db()
    new_due = ticket.resolution_due
    at_once = sla_check(now=after)
    just_before = sla_check(now=new_due - timedelta(minutes=1))
    passed = sla_check(now=new_due + timedelta(minutes=1))

    ticket.refresh_from_db()
    assert before + 48 * H <= new_due <= after + 48 * H
    assert (at_once, just_before) == (NOTHING, NOTHING)
    assert passed == {**NOTHING, "escalated_resolution": 1}
    assert (ticket.resolution_breached, ticket.escalation_level) == (True, 2)
    # The second escalation of one target is not "both targets missed": no admins.
    assert sorted(notes("support.escalated")) == sorted(
        [(world["manager"].email, "support.escalated"), (boss.email, "support.escalated")]
    )
    late_resolution = ticket.status_changes.get(to_status="resolved")
    assert late_resolution.reason == "已更换。"  # the late resolution stays on record


def test_a_ticket_resolved_in_time_and_reopened_later_is_not_escalated_at_once(world):
    ticket = submit(world)  # default targets: 8 h and 120 h
    ticket_resolve(ticket, user=world["manager"], resolution="已处理。")
    # The partner reopens it after the original resolution due time.
    Ticket.objects.filter(pk=ticket.pk).update(
        resolution_due=timezone.now() - H, submitted_at=timezone.now() - 200 * H
    )
    Notification.objects.all().delete()

    ticket_reopen(ticket, user=world["dealer"], reason="又坏了。")
    result = sla_check()

    ticket.refresh_from_db()
    assert result == NOTHING
    assert (ticket.resolution_breached, ticket.escalation_level) == (False, 0)
    assert ticket.resolution_due > timezone.now() + 119 * H
    assert notes("support.escalated") == []


def test_the_job_finds_overdue_tickets_through_the_partial_indexes(world):
    """Each breach kind's query is covered by its partial index: same terms as the filter."""
    from django.db import connection

    from partners.support.sla import FIRST_RESPONSE, RESOLUTION, _breached

    submit(world)
    plans = {}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for breach in (FIRST_RESPONSE, RESOLUTION):
            # As the job asks: due first (sla.py), not the list's newest-first ordering.
            query = (
                Ticket.objects.filter(_breached(breach, timezone.now()))
                .order_by(breach.due, "pk")
                .values("pk")
            )
            sql, params = query.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plans[breach.code] = " ".join(row[0] for row in cursor.fetchall())

    assert "support_awaiting_response" in plans["first_response"]
    assert "support_awaiting_resolution" in plans["resolution"]


def test_auto_close_days_are_at_least_one(world):
    refused = SlaPolicy(first_response_hours=4, resolution_hours=48, auto_close_days=0)

    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            refused.full_clean()
        errors = caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        SlaPolicy.objects.create(first_response_hours=4, resolution_hours=48, auto_close_days=0)

    assert errors == {"auto_close_days": ["Ensure this value is greater than or equal to 1."]}
