"""Every CSV/XLSX export writes text people typed so that no spreadsheet runs it: a partner named
=HYPERLINK(...) or +cmd|' /C calc'!A0 is exported with a leading quote, and an XLSX cell holding
it is a text cell, never a formula."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client

from orders.ledger import ledger_post
from orders.models import AccountKind, EntryKind
from orders.statements import statement_generate
from partners.announcements.services import announcement_create, announcement_publish
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0"]
ESCAPED = ["'" + f for f in FORMULAS]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_cells(content: bytes) -> list[Any]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [cell for row in sheet.iter_rows() for cell in row]


def assert_escaped_in_xlsx(content: bytes) -> None:
    cells = xlsx_cells(content)
    found = [c for c in cells if isinstance(c.value, str) and c.value.lstrip("'") in FORMULAS]
    assert sorted(c.value for c in found) == sorted(ESCAPED)
    assert {c.data_type for c in found} == {"s"}  # text, not formula ("f")
    assert not [c for c in cells if c.data_type == "f"]


@pytest.fixture
def formula_partners(in_a: Any) -> list[Any]:
    return [make_partner(name=name, city=name, contact_name=name) for name in FORMULAS]


def test_the_partner_export(client_a: Client, vendor_admin: Any, formula_partners: Any) -> None:
    client = login(client_a, vendor_admin)

    rows = csv_rows(client.get("/partners/export/", {"format": "csv"}).content)
    xlsx = client.get("/partners/export/", {"format": "xlsx"}).content

    by_name = {r[0]: r for r in rows[1:]}
    assert sorted(n for n in by_name if n.lstrip("'") in FORMULAS) == sorted(ESCAPED)
    header = rows[0]
    for escaped in ESCAPED:
        row = dict(zip(header, by_name[escaped], strict=True))
        assert (row["city"], row["contact_name"]) == (escaped, escaped)
    cells = [
        c for c in xlsx_cells(xlsx) if isinstance(c.value, str) and c.value.lstrip("'") in FORMULAS
    ]
    assert sorted({c.value for c in cells}) == sorted(ESCAPED)
    assert {c.data_type for c in cells} == {"s"}


def test_a_cockpit_table_in_csv_and_xlsx(
    client_a: Client, vendor_admin: Any, formula_partners: Any
) -> None:
    client = login(client_a, vendor_admin)
    url = "/reports/cockpit/partners/?period=month&on=2026-11-15&which=idle"

    rows = csv_rows(client.get(url + "&export=csv").content)
    xlsx = client.get(url + "&export=xlsx").content

    assert sorted(r[0] for r in rows[1:] if r[0].lstrip("'") in FORMULAS) == sorted(ESCAPED)
    assert_escaped_in_xlsx(xlsx)


def test_a_statement_xlsx(client_a: Client, vendor_admin: Any, in_a: Any) -> None:
    partner = make_partner(name=FORMULAS[0], credit_limit=Decimal("100.00"))
    ledger_post(
        partner=partner,
        kind=AccountKind.PREPAID,
        amount=Decimal("10.00"),
        entry_kind=EntryKind.TOP_UP,
        reference="R-1",
    )
    statement = statement_generate(partner=partner, period=date(2026, 10, 1))
    client = login(client_a, make_user(Role.FINANCE))

    response = client.get(f"/statements/{statement.pk}/xlsx/")

    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    names = [c for c in xlsx_cells(content) if c.value == ESCAPED[0]]
    assert [(c.row, c.column, c.data_type) for c in names] == [(3, 2, "s")]
    assert not [c for c in xlsx_cells(content) if c.data_type == "f"]


def test_the_announcement_outstanding_csv(
    client_a: Client, vendor_admin: Any, formula_partners: Any
) -> None:
    for partner, name in zip(formula_partners, FORMULAS, strict=True):
        user = make_user(Role.PARTNER_USER, partner=partner, full_name=name)
        user.phone = "+8613800000000"
        user.save(update_fields=["phone"])
    announcement = announcement_publish(
        announcement_create(actor=vendor_admin, kind="policy", title="通知", body="内容"),
        actor=vendor_admin,
    )
    client = login(client_a, vendor_admin)

    rows = csv_rows(client.get(f"/announcements/{announcement.pk}/outstanding.csv").content)

    ours = [r for r in rows[1:] if r[0].lstrip("'") in FORMULAS]
    assert sorted((r[0], r[1], r[3]) for r in ours) == sorted(
        (e, e, "'+8613800000000") for e in ESCAPED
    )
