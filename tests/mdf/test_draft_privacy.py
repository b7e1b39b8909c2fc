"""A dealer's draft fund request is its own until submitted: vendor staff (admin, the dealer's
channel manager, marketing) neither list it nor open it, in pages or the API; nor one it
cancelled before asking. Submitted, it is in their queues."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from mdf.models import RequestStatus
from mdf.requests import request_cancel, request_submit
from tests.conftest import login
from tests.prm.integrations.api_helpers import bearer, key_for

from .test_requests import draft

pytestmark = pytest.mark.django_db

HIDDEN = {"listed": False, "detail": 404, "api list": [], "api detail": 404}


def seen(user: Any, pk: int, number: str) -> dict[str, Any]:
    client = login(Client(HTTP_HOST="alpha.localhost"), user)
    listing, detail = (
        ("/portal/mdf/", f"/portal/mdf/requests/{pk}/")
        if user.is_partner_user
        else ("/mdf/?status=", f"/mdf/requests/{pk}/")
    )
    api = bearer(Client(HTTP_HOST="alpha.localhost"), key_for(user, "mdf:read"))
    return {
        "listed": number in client.get(listing).content.decode(),
        "detail": client.get(detail).status_code,
        "api list": [r["id"] for r in api.get("/api/v1/mdf-requests/").json()["results"]],
        "api detail": api.get(f"/api/v1/mdf-requests/{pk}/").status_code,
    }


def test_a_draft_request_is_the_dealers_alone_until_it_is_submitted(world, vendor_admin):
    asked = draft(world)
    staff = {"admin": vendor_admin, "manager": world["manager"], "marketing": world["marketing"]}

    assert seen(world["dealer"], asked.pk, asked.number) == {
        "listed": True,
        "detail": 200,
        "api list": [asked.pk],
        "api detail": 200,
    }
    for role, user in staff.items():
        assert seen(user, asked.pk, asked.number) == HIDDEN, role

    request_submit(asked, user=world["dealer"])

    for role, user in staff.items():
        assert seen(user, asked.pk, asked.number) == {
            "listed": True,
            "detail": 200,
            "api list": [asked.pk],
            "api detail": 200,
        }, role


def test_a_draft_cancelled_before_asking_stays_hidden(world, vendor_admin):
    dropped = request_cancel(draft(world), user=world["dealer"])

    assert seen(vendor_admin, dropped.pk, dropped.number) == HIDDEN


def test_the_vendor_queue_does_not_offer_draft_as_a_status(world, vendor_admin):
    client = login(Client(HTTP_HOST="alpha.localhost"), vendor_admin)
    form = client.get("/mdf/").context["filter"].form

    offered = [value for value, _label in form.fields["status"].choices]

    assert offered == ["", *(s for s in RequestStatus.values if s != RequestStatus.DRAFT)]
