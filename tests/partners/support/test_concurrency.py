"""Real concurrent transactions: two first replies at the same moment record the first response
once and move the ticket once; two SLA runs at the same moment escalate (and notify) once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection

from partners.models import PartnerStatus
from partners.support.models import Ticket, TicketMessage
from partners.support.replies import ticket_reply
from partners.support.routing import vendor_admins
from partners.support.sla import sla_check
from partners.support.tickets import ticket_submit
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.models import Notification
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_user
from tests.orders.test_ledger_concurrency import _remove


def _setup() -> dict[str, int]:
    manager = make_user(Role.CHANNEL_MANAGER)
    helper = make_user(Role.SALES)
    # Applied, not active: no onboarding rows to clean up.
    partner = make_partner(status=PartnerStatus.APPLIED, channel_manager=manager)
    dealer = make_user(Role.PARTNER_USER, partner=partner)
    ticket = ticket_submit(user=dealer, category="defect", subject="并发", description="并发测试")
    return {
        "manager": manager.pk,
        "helper": helper.pk,
        "partner": partner.pk,
        "dealer": dealer.pk,
        "ticket": ticket.pk,
    }


def _cleanup(ids: dict[str, int]) -> None:
    with connection.cursor() as cursor:
        for sql in (
            "DELETE FROM support_ticketattachment WHERE ticket_id = %(t)s",
            "DELETE FROM support_ticketmessage WHERE ticket_id = %(t)s",
            "DELETE FROM support_ticketstatuschange WHERE ticket_id = %(t)s",
            "DELETE FROM support_ticket WHERE id = %(t)s",
            # The vendor admins are told of escalations too: their rows go by the ticket's link.
            "DELETE FROM core_notification WHERE recipient_id = ANY(%(u)s) OR url = ANY(%(urls)s)",
            "DELETE FROM auditlog_logentry WHERE content_type_id IN "
            "(SELECT id FROM django_content_type WHERE app_label = 'support')",
            "UPDATE partners_partner SET channel_manager_id = NULL WHERE id = %(p)s",
        ):
            cursor.execute(
                sql,
                {
                    "t": ids["ticket"],
                    "p": ids["partner"],
                    "u": [ids["manager"], ids["helper"], ids["dealer"]],
                    "urls": [f"/support/{ids['ticket']}/", f"/portal/support/{ids['ticket']}/"],
                },
            )
    _remove(ids["partner"], users=[ids["dealer"], ids["manager"], ids["helper"]])


def test_two_first_replies_at_once_record_the_first_response_once(tenant_a):
    ids = in_thread("alpha", _setup)

    def reply(user_key: str, text: str) -> Callable[[], int]:
        def attempt() -> int:
            ticket = Ticket.objects.get(pk=ids["ticket"])
            return ticket_reply(ticket, user=User.objects.get(pk=ids[user_key]), body=text).pk

        return attempt

    def read() -> dict[str, Any]:
        ticket = Ticket.objects.get(pk=ids["ticket"])
        replies = TicketMessage.objects.filter(ticket=ticket).order_by("created_at", "pk")
        return {
            "first_responded_at": ticket.first_responded_at,
            "first_message_at": replies.first().created_at,
            "replies": replies.count(),
            "history": list(
                ticket.status_changes.order_by("pk").values_list("from_status", "to_status")
            ),
            "status": ticket.status,
        }

    try:
        run_concurrently("alpha", [reply("manager", "经理答复"), reply("helper", "支持答复")])
        after = in_thread("alpha", read)

        assert after["replies"] == 2
        assert after["first_responded_at"] == after["first_message_at"]
        assert after["history"] == [("", "open"), ("open", "in_progress")]
        assert after["status"] == "in_progress"
    finally:
        in_thread("alpha", lambda: _cleanup(ids))


def test_two_sla_runs_at_once_escalate_and_notify_once(tenant_a):
    ids = in_thread("alpha", _setup)
    due = in_thread("alpha", lambda: Ticket.objects.get(pk=ids["ticket"]).first_response_due)
    late = due + timedelta(minutes=5)

    def read() -> tuple[int, bool, list[int], int]:
        ticket = Ticket.objects.get(pk=ids["ticket"])
        return (
            ticket.escalation_level,
            ticket.first_response_breached,
            sorted(
                Notification.objects.filter(kind="support.escalated").values_list(
                    "recipient_id", flat=True
                )
            ),
            TicketMessage.objects.filter(ticket=ticket, internal=True).count(),
        )

    admins = in_thread("alpha", lambda: [u.pk for u in vendor_admins()])

    try:
        results = run_concurrently("alpha", [lambda: sla_check(now=late)] * 4)
        after = in_thread("alpha", read)

        assert sorted(r["escalated_first_response"] for r in results) == [0, 0, 0, 1]
        # Level 1, breached, told once each: the channel manager (owner and contact in one) and
        # so the vendor admins, who are someone new.
        assert after == (1, True, sorted([ids["manager"], *admins]), 1)
        assert admins != []
    finally:
        in_thread("alpha", lambda: _cleanup(ids))
