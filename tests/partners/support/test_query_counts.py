"""The two ticket lists cost the same number of queries for 3 tickets as for 15 (the overdue
filter with overdue tickets among them); a ticket's page in either portal costs the same with 3
messages as with 15, files and status changes included."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.support.models import Ticket
from partners.support.replies import ticket_reply
from partners.support.tickets import ticket_resolve
from tests.conftest import login

from .conftest import pdf, png, submit

pytestmark = pytest.mark.django_db


def _queries(client: Any, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx), response


def _tickets(world: dict[str, Any], n: int) -> None:
    for i in range(n):
        ticket = submit(world, user=world["dealer"] if i % 2 else world["colleague"])
        ticket_reply(ticket, user=world["manager"], body="收到")
        if i % 3 == 0:
            ticket_resolve(ticket, user=world["manager"], resolution="已处理")
        elif i % 3 == 1:  # past its resolution due time: overdue
            Ticket.objects.filter(pk=ticket.pk).update(
                resolution_due=timezone.now() - timedelta(hours=1)
            )


@pytest.mark.parametrize(
    ("url", "who", "shown"),
    [
        ("/support/", "manager", (3, 15)),
        ("/support/?status=active&show=overdue", "manager", (1, 5)),
        ("/portal/support/", "dealer_admin", (3, 15)),
    ],
)
def test_ticket_lists_have_a_bounded_query_count(client_a, world, url, who, shown):
    client = login(client_a, world[who])
    _tickets(world, 3)
    few, few_page = _queries(client, url)
    _tickets(world, 12)
    many, many_page = _queries(client, url)

    rows = (len(few_page.context["page"].object_list), len(many_page.context["page"].object_list))
    assert rows == shown
    assert many == few
    assert few <= 14


def _conversation(world: dict[str, Any], ticket: Ticket, rounds: int) -> None:
    for _i in range(rounds):
        ticket_reply(ticket, user=world["manager"], body="请补充", wait_for_partner=True)
        ticket_reply(ticket, user=world["dealer"], body="补充如下", attachments=[png(), pdf()])
        ticket_reply(ticket, user=world["sales"], body="内部", internal=True, attachments=[png()])


@pytest.mark.parametrize(
    ("url", "who"), [("/support/{pk}/", "manager"), ("/portal/support/{pk}/", "dealer")]
)
def test_a_tickets_page_has_a_bounded_query_count(client_a, world, url, who):
    ticket = submit(world, attachments=[pdf()])
    client = login(client_a, world[who])
    _conversation(world, ticket, 1)
    few, few_page = _queries(client, url.format(pk=ticket.pk))
    _conversation(world, ticket, 4)
    many, many_page = _queries(client, url.format(pk=ticket.pk))

    entries = (len(few_page.context["timeline"]), len(many_page.context["timeline"]))
    # Vendor: 3 messages and 2 status changes a round; partner: no internal notes.
    assert entries == ((5, 25) if who == "manager" else (4, 20))
    assert many == few
    assert few <= 16
