"""Purchase targets in the vendor's admin: listed with their filters, searched by partner name,
added and changed with the audit history kept; bad values refused at their field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.utils import translation

from partners.models import Tier
from prm.accounts.models import User
from reports.models import SalesTarget
from tests.conftest import login
from tests.factories import make_partner

pytestmark = pytest.mark.django_db

D = Decimal
LIST = "/admin/reports/salestarget/"


@pytest.fixture
def admin_client(client_a: Client, vendor_admin: User) -> Client:
    login(client_a, vendor_admin)
    client_a.cookies["prm_language"] = "en"
    return client_a


def test_targets_are_listed_filtered_and_searched_by_partner(admin_client):
    Tier.objects.create(code="t-gold", name="金牌", name_en="Gold", rank=30, min_score=D("65"))
    east = make_partner(name="华东智能科技有限公司", name_en="East China Smart")
    west = make_partner(name="西湖安防设备有限公司")
    mine = SalesTarget.objects.create(partner=east, year=2026, quarter=2, amount=D("9000.00"))
    SalesTarget.objects.create(partner=east, year=2025, quarter=2, amount=D("1.00"))
    theirs = SalesTarget.objects.create(partner=west, year=2026, quarter=2, amount=D("2.00"))

    every = admin_client.get(LIST)
    by_name = admin_client.get(LIST, {"q": "East China"})
    by_year = admin_client.get(LIST, {"year": "2026", "quarter": "2"})

    assert every.status_code == 200
    with translation.override("en"):
        filters = [str(spec.title) for spec in every.context["cl"].filter_specs]
    assert filters == ["year", "quarter", "tier"]
    assert [t.pk for t in by_name.context["cl"].result_list] == [
        mine.pk,
        *SalesTarget.objects.filter(partner=east, year=2025).values_list("pk", flat=True),
    ]
    assert {t.pk for t in by_year.context["cl"].result_list} == {mine.pk, theirs.pk}


def test_adding_and_changing_a_target_keeps_its_audit_history(admin_client):
    partner = make_partner()

    added = admin_client.post(
        LIST + "add/",
        {"partner": partner.pk, "year": "2026", "quarter": "3", "amount": "8000.00"},
    )
    target = SalesTarget.objects.get(partner=partner)
    changed = admin_client.post(
        f"{LIST}{target.pk}/change/",
        {"partner": partner.pk, "year": "2026", "quarter": "3", "amount": "8500.00"},
    )
    history = admin_client.get(f"{LIST}{target.pk}/auditlog/")
    listed = admin_client.get(LIST)

    assert (added.status_code, changed.status_code) == (302, 302)
    target.refresh_from_db()
    assert target.amount == D("8500.00")
    entries = LogEntry.objects.get_for_object(target).order_by("pk")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entries[1].changes_dict["amount"] == ["8000.00", "8500.00"]
    assert history.status_code == 200
    assert "8500.00" in history.content.decode()
    assert f"{LIST}{target.pk}/auditlog/" in listed.content.decode()


def test_bad_targets_are_refused_at_their_field(admin_client):
    partner = make_partner()
    SalesTarget.objects.create(partner=partner, year=2026, quarter=1, amount=D("1.00"))

    response = admin_client.post(
        LIST + "add/",
        {"partner": partner.pk, "year": "2026", "quarter": "5", "amount": "-1"},
    )
    twice = admin_client.post(
        LIST + "add/",
        {"partner": partner.pk, "year": "2026", "quarter": "1", "amount": "2.00"},
    )

    errors = response.context["adminform"].form.errors
    assert set(errors) == {"quarter", "amount"}
    assert twice.context["adminform"].form.errors
    assert SalesTarget.objects.filter(partner=partner).count() == 1
