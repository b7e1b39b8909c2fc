"""Fixtures shared by the MDF tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mdf.ledger import fund_allocate
from mdf.models import MdfActivityType, MdfAllocation
from partners.models import Partner
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .test_ledger import make_fund

D = Decimal
TODAY = date(2026, 12, 6)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The fixtures' activities are dated: claims are checked against this day, not the
    machine's, so the tests keep passing after their claim deadlines. Set `today["day"]`."""
    clock = {"day": TODAY}
    monkeypatch.setattr("mdf.claims.tenant_today", lambda: clock["day"])
    return clock


@pytest.fixture
def world(in_a):
    manager = make_user(Role.CHANNEL_MANAGER)
    partner = make_partner()
    Partner.objects.filter(pk=partner.pk).update(channel_manager=manager)
    partner.refresh_from_db()
    fund = make_fund(marketing_above=D("5000.00"))
    fund_allocate(fund, partner, D("10000.00"))
    return {
        "fund": fund,
        "partner": partner,
        "dealer": make_user(Role.PARTNER_ADMIN, partner=partner),
        "manager": manager,
        "marketing": make_user(Role.MARKETING),
        "other_manager": make_user(Role.CHANNEL_MANAGER),
        "allocation": MdfAllocation.objects.get(fund=fund, partner=partner),
        "seminar": MdfActivityType.objects.create(
            code="seminar", name="研讨会", required_evidence=["photo", "attendees", "invoice"]
        ),
    }
