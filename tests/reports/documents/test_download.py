"""The PDF download: who may print which report, with which filters. Anonymous visitors go
to the login page, a partner user never prints the cockpit or another partner's scoreboard, a
channel manager only his partners' scoreboards, and another vendor's people never see this
vendor's figures."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_user
from tests.pdf import pdf_text
from tests.reports.cockpit_fixture import Channel

from .conftest import NOVEMBER

pytestmark = pytest.mark.django_db


def fresh(user: Any = None, host: str = "alpha.localhost") -> Client:
    client = Client(HTTP_HOST=host)
    return login(client, user) if user is not None else client


def text_of(response: Any) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response.content).replace("\n", " ")


def test_vendor_staff_download_the_cockpit_with_the_pages_filters(
    channel: Channel, vendor_admin: Any
):
    response = fresh(vendor_admin).get(
        f"/reports/documents/cockpit.pdf?{NOVEMBER}&province=广东&export=csv&table=trend&page=2"
    )

    text = text_of(response)
    assert re.fullmatch(
        r'attachment; filename="cockpit-\d{8}\.pdf"', response["Content-Disposition"]
    )
    assert response["Cache-Control"] == "private, no-store"
    assert "¥1,199.00" in text  # south, the only partner in 广东
    assert "¥2,997.00" not in text


def test_a_partner_user_prints_only_its_own_scoreboard(
    channel: Channel, people: dict[str, Any], scoreboard: None
):
    client = fresh(people["east_admin"])

    own = text_of(client.get("/reports/documents/scoreboard.pdf"))
    asked_for_south = text_of(
        client.get(f"/reports/documents/scoreboard.pdf?partner={channel.south.pk}")
    )
    cockpit = client.get(f"/reports/documents/cockpit.pdf?{NOVEMBER}")
    forecast = client.get("/reports/documents/forecast.pdf")

    for text in (own, asked_for_south):
        assert channel.east.name in text.replace(" ", "")
        assert channel.south.name not in text.replace(" ", "")
        assert "¥2,298.00" in text  # east's purchases in 2026 to date
        assert "¥1,199.00" not in text  # south's
    assert (cockpit.status_code, forecast.status_code) == (403, 403)


def test_staff_print_a_scoreboard_only_among_the_partners_they_see(
    channel: Channel, people: dict[str, Any], scoreboard: None
):
    manager = fresh(people["manager"])  # manages south only

    south = text_of(manager.get(f"/reports/documents/scoreboard.pdf?partner={channel.south.pk}"))
    east = manager.get(f"/reports/documents/scoreboard.pdf?partner={channel.east.pk}")
    unnamed = manager.get("/reports/documents/scoreboard.pdf")
    finance_east = text_of(
        fresh(people["finance"]).get(f"/reports/documents/scoreboard.pdf?partner={channel.east.pk}")
    )

    assert channel.south.name in south.replace(" ", "")
    assert "¥1,199.00" in south
    assert (east.status_code, unnamed.status_code) == (404, 404)
    assert "¥2,298.00" in finance_east


def test_anonymous_visitors_go_to_the_login_page(channel: Channel, scoreboard: None):
    for kind in ("cockpit", "scoreboard", "forecast"):
        response = fresh().get(f"/reports/documents/{kind}.pdf?{NOVEMBER}")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/reports/documents/")


def test_unknown_reports_and_bad_filters(channel: Channel, vendor_admin: Any):
    vendor_admin.language = "en"
    vendor_admin.save(update_fields=["language"])
    client = fresh(vendor_admin)

    unknown = client.get("/reports/documents/payroll.pdf")
    bad = client.get("/reports/documents/cockpit.pdf?province=火星&period=decade")

    assert unknown.status_code == 404
    assert bad.status_code == 400
    message = bad.content.decode()
    assert message.startswith("This report cannot be printed with these filters:")
    assert "Period: Select a valid choice. decade is not one of the available choices." in message
    assert "Province: Select a valid choice. 火星 is not one of the available choices." in message


def test_another_vendors_people_never_see_this_vendors_figures(
    channel: Channel, vendor_admin: Any, scoreboard: None, client_b: Client
):
    # Vendor A's session means nothing on vendor B's host.
    alpha_on_bravo = fresh(vendor_admin, "bravo.localhost").get(
        f"/reports/documents/cockpit.pdf?{NOVEMBER}"
    )
    with schema_context("bravo"):
        login(client_b, make_user(Role.ADMIN))
    bravo_cockpit = text_of(client_b.get(f"/reports/documents/cockpit.pdf?{NOVEMBER}"))
    bravo_scoreboard = client_b.get(f"/reports/documents/scoreboard.pdf?partner={channel.east.pk}")

    assert alpha_on_bravo.status_code == 302
    assert "¥2,997.00" not in bravo_cockpit
    assert "¥0.00" in bravo_cockpit
    assert bravo_scoreboard.status_code == 404
