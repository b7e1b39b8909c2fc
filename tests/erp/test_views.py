"""The ERP sync log page and its "Synchronise now" button: for the vendor admin only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection as db
from django.test import Client

from orders.erp.models import ErpConnection, ErpInvoice, RunStatus, SyncRun
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db

LOG = "/integrations/erp/"
INVOICES = "/portal/invoices/"


@pytest.fixture
def erp_connection(in_a: Any) -> ErpConnection:
    connection = ErpConnection.objects.create(name="金蝶云星空", kind="files", url="/srv/erp")
    run = SyncRun.objects.create(
        connection=connection,
        direction="pull_payments",
        status=RunStatus.PARTIAL,
        created=3,
        rejected=1,
    )
    run.rejections.create(record="payments.csv:4", reason="No partner with the code X.")
    SyncRun.objects.create(
        connection=connection, direction="pull_stock", status=RunStatus.SUCCEEDED
    )
    return connection


def test_the_admin_sees_runs_and_their_rejections(
    erp_connection: ErpConnection, client_a: Client, vendor_admin: Any
) -> None:
    vendor_admin.language = "en"
    vendor_admin.save(update_fields=["language"])
    client = login(client_a, vendor_admin)
    body = client.get(LOG).content.decode()
    assert "金蝶云星空" in body
    assert "Payments from the ERP" in body
    assert "Succeeded with rejected records" in body
    assert "<code>payments.csv:4</code> No partner with the code X." in body
    # A run that found nothing to do is left out unless asked for.
    assert "Stock from the ERP" not in body
    assert "Stock from the ERP" in client.get(f"{LOG}?all=1").content.decode()
    started = client.post(f"{LOG}{erp_connection.pk}/run/", follow=True)
    assert "Synchronisation with 金蝶云星空 has started" in started.content.decode()


def test_closed_to_everyone_else(
    erp_connection: ErpConnection, client_a: Client, client_b: Client, tenant_b: Any
) -> None:
    run_url = f"{LOG}{erp_connection.pk}/run/"
    client = login(client_a, make_user(Role.FINANCE))
    assert (client.get(LOG).status_code, client.post(run_url).status_code) == (403, 403)
    client = login(client_a, make_user(Role.PARTNER_ADMIN, partner=make_partner()))
    assert client.get(LOG).status_code == 403
    client.logout()
    assert client_a.get(LOG)["Location"].startswith("/accounts/login/")
    assert client_a.post(run_url)["Location"].startswith("/accounts/login/")
    db.set_tenant(tenant_b)
    from prm.accounts.models import User

    other = login(client_b, User.objects.get(email="admin@bravo.test"))
    assert "金蝶云星空" not in other.get(LOG).content.decode()
    assert other.post(run_url).status_code == 404


def test_a_partner_sees_only_its_own_erp_invoices(
    erp_connection: ErpConnection, client_a: Client, client_b: Client, tenant_b: Any
) -> None:
    mine, theirs = make_partner(name="甲渠道有限公司"), make_partner(name="乙渠道有限公司")
    for partner, number in ((mine, "INV-0001"), (theirs, "INV-0002")):
        ErpInvoice.objects.create(
            connection=erp_connection,
            external_id=number,
            number=number,
            partner=partner,
            invoice_date=date(2026, 12, 1),
            total=Decimal("1798.00"),
            amount_due=Decimal("598.00"),
            state="posted",
            order_numbers=["SO-2026-00001"],
        )
    client = login(client_a, make_user(Role.PARTNER_USER, partner=mine))
    body = client.get(INVOICES).content.decode()
    assert "INV-0001" in body
    assert "¥598.00" in body
    assert "INV-0002" not in body
    assert login(client_a, make_user(Role.FINANCE)).get(INVOICES).status_code == 403
    client_a.logout()
    assert client_a.get(INVOICES)["Location"].startswith("/accounts/login/")
    db.set_tenant(tenant_b)
    from prm.accounts.models import User

    other = login(client_b, User.objects.get(email="admin@bravo.test"))
    assert other.get(INVOICES).status_code == 403
