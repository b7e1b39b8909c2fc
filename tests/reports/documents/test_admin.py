"""Report subscriptions in Django admin: looked up by email, filtered by report, frequency and
state; a vendor admin may pause one but not add one or change its filters, and each change is
in the audit history."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from reports.models import ReportSubscription
from tests.conftest import login

pytestmark = pytest.mark.django_db

ADMIN = "/admin/reports/reportsubscription/"


def test_subscriptions_are_looked_up_and_paused_in_admin(
    client_a: Client, vendor_admin: Any, people: dict[str, Any]
):
    mine = ReportSubscription.objects.create(
        user=people["finance"], kind="cockpit", frequency="weekly", query="area=east"
    )
    theirs = ReportSubscription.objects.create(
        user=people["east_admin"], kind="scoreboard", frequency="monthly", day_of_month=3
    )
    client = login(client_a, vendor_admin)

    found = client.get(ADMIN, {"q": "wang@alpha"})
    monthly = client.get(ADMIN, {"frequency__exact": "monthly", "kind__exact": "scoreboard"})
    add = client.get(f"{ADMIN}add/")
    paused = client.post(
        f"{ADMIN}{mine.pk}/change/", {"is_active": "", "query": "area=west", "kind": "forecast"}
    )
    history = client.get(f"{ADMIN}{mine.pk}/history/")

    assert list(found.context["cl"].result_list) == [mine]
    assert list(monthly.context["cl"].result_list) == [theirs]
    assert add.status_code == 403
    assert paused.status_code == 302
    mine.refresh_from_db()
    assert (mine.is_active, mine.query, mine.kind) == (False, "area=east", "cockpit")
    assert history.status_code == 200
