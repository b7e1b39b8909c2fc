"""The cockpit page, its drill-down lists and exports: content, access and isolation."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from openpyxl import load_workbook

from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_user

from .cockpit_fixture import Channel, build_channel

NOVEMBER = "period=month&on=2026-11-15"
COCKPIT = "/reports/cockpit/"


@pytest.fixture
def channel(in_a: Any, vendor_admin: Any) -> Channel:
    return build_channel(vendor_admin)


def _admin(client: Client, user: Any) -> Client:
    user.language = "en"
    user.save(update_fields=["language"])
    return login(client, user)


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_page_shows_the_figures(
    channel: Channel, client_a: Client, vendor_admin: Any, django_assert_max_num_queries: Any
) -> None:
    client = _admin(client_a, vendor_admin)
    with django_assert_max_num_queries(60):
        response = client.get(f"{COCKPIT}?{NOVEMBER}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "¥3.00K" in body  # the card: 2,997.00 for an English reader
    assert "¥1,798.00" in body  # tables carry exact amounts
    assert "+499.4%" in body  # ordered vs October
    assert "66.7%" in body  # active partners that ordered
    assert "271.3 h" in body
    assert 'data-chart="chart-data-trend"' in body


def test_table_exports_csv_and_xlsx(channel: Channel, client_a: Client, vendor_admin: Any) -> None:
    client = _admin(client_a, vendor_admin)
    rows = _csv(client.get(f"{COCKPIT}?{NOVEMBER}&export=csv&table=areas"))
    assert rows[0] == ["Area", "Partners", "Ordered", "Shipped", "Collected", "Share of ordered"]
    assert rows[1:] == [
        ["East China", "2", "1798.00", "899.00", "1000.00", "0.5999"],
        ["Central and South China", "1", "1199.00", "300.00", "0.00", "0.4001"],
    ]
    response = client.get(f"{COCKPIT}?{NOVEMBER}&export=xlsx&table=top")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(v[0], v[1]) for v in values] == [
        (channel.east.display_name, 1798),
        (channel.south.display_name, 1199),
        (channel.idle.display_name, 0),
    ]
    assert client.get(f"{COCKPIT}?export=csv&table=nope").status_code == 404


def test_drill_down_lists_the_orders_behind_the_figure(
    channel: Channel, client_a: Client, vendor_admin: Any
) -> None:
    client = _admin(client_a, vendor_admin)
    response = client.get(f"{COCKPIT}orders/?{NOVEMBER}&area=east")
    assert response.status_code == 200
    rows = _csv(client.get(f"{COCKPIT}orders/?{NOVEMBER}&export=csv"))
    assert sorted(r[0] for r in rows[1:]) == sorted(
        [channel.orders["O1"].number, channel.orders["O3"].number]
    )
    cable = _csv(
        client.get(f"{COCKPIT}orders/?{NOVEMBER}&product_line={channel.cables.pk}&export=csv")
    )
    assert [r[0] for r in cable[1:]] == [channel.orders["O3"].number]
    idle = _csv(client.get(f"{COCKPIT}partners/?{NOVEMBER}&which=idle&export=csv"))
    assert [r[0] for r in idle[1:]] == [channel.idle.display_name]
    payments = _csv(client.get(f"{COCKPIT}payments/?{NOVEMBER}&export=csv"))
    assert [(r[1], r[4]) for r in payments[1:]] == [(channel.east.display_name, "1000.00")]
    assert client.get(f"{COCKPIT}nothing/").status_code == 404


def test_channel_manager_exports_only_his_partners(channel: Channel, client_a: Client) -> None:
    manager = make_user(Role.CHANNEL_MANAGER)
    channel.south.channel_manager = manager
    channel.south.save(update_fields=["channel_manager"])
    client = _admin(client_a, manager)
    rows = _csv(client.get(f"{COCKPIT}orders/?{NOVEMBER}&export=csv"))
    assert [r[0] for r in rows[1:]] == [channel.orders["O3"].number]
    # Naming another manager's partner does not widen the scope: the filter rejects it.
    rows = _csv(client.get(f"{COCKPIT}orders/?{NOVEMBER}&partner={channel.east.pk}&export=csv"))
    assert [r[0] for r in rows[1:]] == [channel.orders["O3"].number]


def test_partner_users_and_anonymous_cannot_reach_it(channel: Channel, client_a: Client) -> None:
    urls = [f"{COCKPIT}?{NOVEMBER}", f"{COCKPIT}?export=csv&table=top", f"{COCKPIT}orders/"]
    buyer = make_user(Role.PARTNER_ADMIN, partner=channel.east)
    client = login(client_a, buyer)
    assert [client.get(u).status_code for u in urls] == [403, 403, 403]
    client.logout()
    anonymous = [client_a.get(u) for u in urls]
    assert [r.status_code for r in anonymous] == [302, 302, 302]
    assert all(r["Location"].startswith("/accounts/login/") for r in anonymous)


def test_another_vendor_sees_none_of_it(channel: Channel, client_b: Client, tenant_b: Any) -> None:
    connection.set_tenant(tenant_b)
    from prm.accounts.models import User

    admin_b = User.objects.get(email="admin@bravo.test")
    client = _admin(client_b, admin_b)
    rows = _csv(client.get(f"/reports/cockpit/orders/?{NOVEMBER}&export=csv"))
    assert rows[1:] == []
    areas = _csv(client.get(f"/reports/cockpit/?{NOVEMBER}&export=csv&table=areas"))
    assert areas[1:] == []


def test_every_drill_down_list_renders_and_is_closed_to_others(
    channel: Channel, client_a: Client, vendor_admin: Any
) -> None:
    from reports import figure_drills  # noqa: F401  (registers the channel lists)
    from reports.drill import DRILLS

    urls = [f"{COCKPIT}{what}/?{NOVEMBER}" for what in sorted(DRILLS)]
    assert len(urls) == 11
    client = _admin(client_a, vendor_admin)
    assert {u: client.get(u).status_code for u in urls} == dict.fromkeys(urls, 200)
    assert {u: client.get(f"{u}&export=xlsx").status_code for u in urls} == dict.fromkeys(urls, 200)
    client.logout()
    buyer = login(client_a, make_user(Role.PARTNER_USER, partner=channel.east))
    assert {u: buyer.get(u).status_code for u in urls} == dict.fromkeys(urls, 403)
    buyer.logout()
    assert {u: client_a.get(u).status_code for u in urls} == dict.fromkeys(urls, 302)


def test_the_partner_filter_is_a_search_box_holding_only_the_chosen_partner(
    channel: Channel, client_a: Client, vendor_admin: Any
) -> None:
    client = _admin(client_a, vendor_admin)
    body = client.get(f"{COCKPIT}?{NOVEMBER}&partner={channel.east.pk}").content.decode()
    assert 'data-search-select="/partners/search/"' in body
    assert f'value="{channel.east.display_name}"' in body
    assert f'name="partner" id="id_partner-value" value="{channel.east.pk}"' in body
    # Only the chosen partner is in the page: the others come from the search as one types.
    assert f">{channel.south.display_name}</option>" not in body
    assert f'value="{channel.south.display_name}"' not in body
    unfiltered = client.get(f"{COCKPIT}?{NOVEMBER}").content.decode()
    assert 'name="partner" id="id_partner-value" value=""' in unfiltered


def test_a_partner_the_user_may_not_see_is_refused_at_the_field(
    channel: Channel, client_a: Client
) -> None:
    manager = make_user(Role.CHANNEL_MANAGER)
    channel.south.channel_manager = manager
    channel.south.save(update_fields=["channel_manager"])
    client = _admin(client_a, manager)
    body = client.get(f"{COCKPIT}?{NOVEMBER}&partner={channel.east.pk}").content.decode()
    assert "Select a valid choice." in body
    assert channel.east.display_name not in body
    assert 'name="partner" id="id_partner-value" value=""' in body
