"""List pages cost the same number of queries for 3 rows as for 15 (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_order, make_partner, make_product, make_user

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    ("url", "as_partner"),
    [
        ("/partners/", False),
        ("/orders/", False),
        ("/", False),
        ("/portal/orders/", True),
        ("/portal/", True),
    ],
)
def test_list_pages_have_a_bounded_query_count(client_a, vendor_admin, url, as_partner):
    manager = make_user(Role.CHANNEL_MANAGER)
    product = make_product()
    first = make_partner(channel_manager=manager)
    user = make_user(Role.PARTNER_USER, partner=first) if as_partner else vendor_admin
    login(client_a, user)
    for _ in range(3):
        make_order(make_partner(channel_manager=manager), (product, 1))
        make_order(first, (product, 1))
    few = _queries(client_a, url)
    for _ in range(12):
        make_order(make_partner(channel_manager=manager), (product, 1))
        make_order(first, (product, 1))
    many = _queries(client_a, url)

    assert many == few
    # The vendor dashboard: one count per card and the unread bell; the partner home also reads
    # its announcements and learning.
    assert few <= 17
