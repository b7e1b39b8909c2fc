"""Fixtures shared by the academy tests: a clock, and a dealer whose people are assigned a
course by a learning path, beside another partner with its own person."""

from __future__ import annotations

from datetime import date

import pytest

from partners.models import PartnerType
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .builders import make_course, make_path

TODAY = date(2026, 12, 6)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Certificates are dated: every academy module asks partners.academy.dates, pinned here.
    Set `today["day"]` to move it."""
    clock = {"day": TODAY}
    monkeypatch.setattr("partners.academy.dates.tenant_today", lambda: clock["day"])
    return clock


@pytest.fixture
def world(in_a):
    manager = make_user(Role.CHANNEL_MANAGER)
    partner = make_partner(channel_manager=manager, partner_type=PartnerType.DEALER)
    other = make_partner(partner_type=PartnerType.DEALER)
    course = make_course(validity_months=12, pass_mark=60, max_attempts=2)
    path = make_path(course, partner_types=[PartnerType.DEALER])
    return {
        "manager": manager,
        "partner": partner,
        "admin": make_user(Role.PARTNER_ADMIN, partner=partner, full_name="周强"),
        "learner": make_user(Role.PARTNER_USER, partner=partner, full_name="吴芳"),
        "other_partner": other,
        "outsider": make_user(Role.PARTNER_USER, partner=other, full_name="外人"),
        "course": course,
        "path": path,
    }
