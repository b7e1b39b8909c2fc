"""The two ticket lists cost the same number of queries for 3 tickets as for 15."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.support.replies import ticket_reply
from partners.support.tickets import ticket_resolve
from tests.conftest import login

from .conftest import submit

pytestmark = pytest.mark.django_db


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _tickets(world: dict[str, Any], n: int) -> None:
    for i in range(n):
        ticket = submit(world, user=world["dealer"] if i % 2 else world["colleague"])
        ticket_reply(ticket, user=world["manager"], body="收到")
        if i % 3 == 0:
            ticket_resolve(ticket, user=world["manager"], resolution="已处理")


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("/support/", "manager"),
        ("/support/?status=active&show=overdue", "manager"),
        ("/portal/support/", "dealer_admin"),
    ],
)
def test_ticket_lists_have_a_bounded_query_count(client_a, world, url, who):
    client = login(client_a, world[who])
    _tickets(world, 3)
    few = _queries(client, url)
    _tickets(world, 12)
    many = _queries(client, url)

    assert many == few
    assert few <= 14
