"""Market funds on the two landing pages: the vendor sees what waits for a decision (only its own
partners' for a channel manager); the partner sees what it can still spend in active funds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mdf.claims import InvoiceIn, claim_submit
from mdf.requests import request_submit
from tests.conftest import login

from .test_claims import DAY, proven
from .test_requests import draft

pytestmark = pytest.mark.django_db

D = Decimal


def test_the_vendor_dashboard_counts_requests_and_claims_waiting(client_a, world):
    request_submit(draft(world), user=world["dealer"])
    claim_submit(
        proven(world, ("场地", "2000.00")),
        [InvoiceIn("FP-1", DAY, D("2000.00"), "会场")],
        user=world["dealer"],
    )

    mine = login(client_a, world["manager"]).get("/").context
    theirs = login(client_a, world["other_manager"]).get("/").context

    assert (mine["mdf_requests_waiting"], mine["mdf_claims_waiting"]) == (1, 1)
    assert (theirs["mdf_requests_waiting"], theirs["mdf_claims_waiting"]) == (0, 0)


def test_the_partner_home_shows_the_funds_it_can_still_spend(client_a, world):
    proven(world, ("场地", "2500.00"))  # 2,500.00 of 10,000.00 reserved

    page = login(client_a, world["dealer"]).get("/portal/")

    assert page.context["mdf_available"] == D("7500.00")
    assert "¥7,500.00" in page.content.decode()
