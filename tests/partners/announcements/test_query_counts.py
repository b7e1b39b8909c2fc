"""Announcement lists, the outstanding table and the home summary cost the same number of
queries for a few rows as for many (no N+1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.announcements.models import Importance
from partners.announcements.receipts import announcement_open
from partners.announcements.selectors import announcements_pending_for
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user

from .conftest import announce

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _notices(kb, n):
    made = []
    for i in range(n):
        notice = announce(
            kb["editor"],
            title=f"通知{i}",
            importance=Importance.IMPORTANT if i % 2 else Importance.NORMAL,
            ack_due=timezone.localdate() + timedelta(days=5) if i % 2 else None,
            tiers=[kb["gold"]],
            regions=[kb["zhejiang"], kb["guangdong"]],
        )
        announcement_open(notice, user=kb["gold_dealer_user"])
        made.append(notice)
    return made


@pytest.mark.parametrize(
    ("url", "reader"),
    [("/portal/announcements/", "gold_dealer_user"), ("/announcements/", "sales")],
)
def test_announcement_lists_have_a_bounded_query_count(client_a, kb, url, reader):
    login(client_a, kb[reader])
    _notices(kb, 3)
    few = _queries(client_a, url)
    _notices(kb, 12)
    many = _queries(client_a, url)

    assert many == few
    assert few <= 14


def test_the_outstanding_table_is_bounded_by_queries_not_people(client_a, kb):
    (notice,) = _notices(kb, 1)
    login(client_a, kb["sales"])
    url = f"/announcements/{notice.pk}/"

    def add_readers(n):
        for _ in range(n):
            partner = make_partner(tier=kb["gold"], region="浙江")
            make_user(Role.PARTNER_USER, partner=partner)
            make_user(Role.PARTNER_ADMIN, partner=partner)

    add_readers(2)
    few = _queries(client_a, url)
    add_readers(10)
    many = _queries(client_a, url)

    assert many == few
    assert few <= 20


def test_the_home_summary_takes_three_queries(kb, django_assert_num_queries):
    _notices(kb, 4)
    reader = kb["gold_dealer_user"]
    reader.partner  # noqa: B018  (loaded as the request's user would have it)

    # The partner's regions (partners.audience), the two counts, the latest few.
    with django_assert_num_queries(3):
        pending = announcements_pending_for(reader)

    assert (pending.unread, pending.to_acknowledge, len(pending.latest)) == (0, 2, 3)
