"""Purchase targets imported from a spreadsheet: rows set or replace a quarter's target with an
audit entry; every bad row is rejected with its reasons; a channel manager reaches only his own
partners; only vendor admins and channel managers may import."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context
from openpyxl import Workbook

from prm.accounts.models import User
from prm.accounts.roles import Role
from reports.models import SalesTarget
from reports.target_import import TargetImport, target_set, targets_import
from tests.conftest import login
from tests.factories import make_credit_code, make_partner, make_user

pytestmark = pytest.mark.django_db

D = Decimal
URL = "/reports/scoreboard/targets/import/"


def _csv(text: str, name: str = "targets.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\ufeff" + text).encode("utf-8"), content_type="text/csv")


def _xlsx(rows: list[list[object]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("targets.xlsx", out.getvalue())


@pytest.fixture
def partners(in_a):
    manager = make_user(Role.CHANNEL_MANAGER)
    return {
        "east": make_partner(
            name="华东智能科技有限公司", credit_code=make_credit_code(901), channel_manager=manager
        ),
        "west": make_partner(name="西湖安防设备有限公司", name_en="West Lake Security"),
        "manager": manager,
    }


def _import(text: str, actor: User) -> TargetImport:
    with translation.override("en"):
        return targets_import(upload=_csv(text), actor=actor)


def _targets() -> set[tuple[str, int, int, Decimal]]:
    return {
        (t.partner.name, t.year, t.quarter, t.amount)
        for t in SalesTarget.objects.select_related("partner")
    }


def test_rows_set_or_replace_targets_and_bad_rows_say_why(partners, vendor_admin):
    east, west = partners["east"], partners["west"]
    SalesTarget.objects.create(partner=west, year=2026, quarter=1, amount=D("100.00"))
    upload = _csv(
        "partner,year,quarter,amount\n"
        f"{east.credit_code},2026,1,5500\n"
        f"{east.credit_code.lower()},2026,Q2,9000.00\n"
        "West Lake Security,2026,1,200.50\n"
        "无名公司,2026,3,1\n"
        "华东智能科技有限公司,2026,5,-1\n"
        "华东智能科技有限公司,2026,1,1\n"
        "华东智能科技有限公司,1999,2,1.001\n"
    )

    with translation.override("en"):
        result = targets_import(upload=upload, actor=vendor_admin)

    assert result.file_errors == []
    assert len(result.saved) == 3
    assert [(r.row, r.reasons) for r in result.rejected] == [
        (5, ["partner: no partner you manage is called 无名公司."]),
        (
            6,
            [
                "quarter: A quarter is 1, 2, 3 or 4.",
                "amount: Ensure this value is greater than or equal to 0.",
            ],
        ),
        (7, ["Same partner and quarter as row 2."]),
        (
            8,
            [
                "year: Ensure this value is greater than or equal to 2000.",
                "amount: Ensure that there are no more than 2 decimal places.",
            ],
        ),
    ]
    assert _targets() == {
        ("华东智能科技有限公司", 2026, 1, D("5500.00")),
        ("华东智能科技有限公司", 2026, 2, D("9000.00")),
        ("西湖安防设备有限公司", 2026, 1, D("200.50")),
    }
    replaced = SalesTarget.objects.get(partner=west)
    entry = LogEntry.objects.get_for_object(replaced).order_by("-pk").first()
    assert entry is not None
    assert entry.changes_dict["amount"] == ["100.00", "200.50"]
    assert entry.additional_data == {"reason": "Imported from targets.csv"}


def test_an_xlsx_file_and_file_level_errors(partners, vendor_admin):
    rows: list[list[object]] = [["partner", "year", "quarter", "amount"]]
    with translation.override("en"):
        good = targets_import(
            upload=_xlsx([*rows, ["西湖安防设备有限公司", 2027, 4, 12]]), actor=vendor_admin
        )
        empty = targets_import(upload=_xlsx(rows), actor=vendor_admin)
        short = targets_import(upload=_csv("partner,amount\nX,1\n"), actor=vendor_admin)

    assert _targets() == {("西湖安防设备有限公司", 2027, 4, D("12.00"))}
    assert good.rejected == []
    assert empty.file_errors == ["The file has no data rows."]
    assert short.file_errors == ["Missing columns: quarter, year."]


def test_a_channel_manager_reaches_only_his_partners(partners):
    result = _import(
        "partner,year,quarter,amount\n华东智能科技有限公司,2026,1,1\n西湖安防设备有限公司,2026,1,1\n",
        partners["manager"],
    )

    assert [(r.row, r.reasons) for r in result.rejected] == [
        (3, ["partner: no partner you manage is called 西湖安防设备有限公司."])
    ]
    assert _targets() == {("华东智能科技有限公司", 2026, 1, D("1.00"))}


def test_the_same_amount_again_writes_nothing(partners):
    first = target_set(partner=partners["west"], year=2026, quarter=2, amount=D("10.00"))
    again = target_set(partner=partners["west"], year=2026, quarter=2, amount=D("10.00"))

    assert first.pk == again.pk
    assert LogEntry.objects.get_for_object(first).count() == 1


def test_the_import_page_for_admins_and_managers_only(client_a, partners, vendor_admin):
    admin = login(client_a, vendor_admin)
    admin.cookies["prm_language"] = "en"
    page = admin.get(URL)
    text = "partner,year,quarter,amount\n无名,2026,1,1\n西湖安防设备有限公司,2026,2,3\n"
    posted = admin.post(URL, {"file": _csv(text)})
    wrong_kind = admin.post(URL, {"file": SimpleUploadedFile("t.txt", b"partner")})
    with translation.override("en"):
        wrong_kind_errors = {
            k: [str(e) for e in v] for k, v in wrong_kind.context["form"].errors.items()
        }

    def alpha() -> Client:
        return Client(HTTP_HOST="alpha.localhost")

    others = [
        login(alpha(), make_user(Role.FINANCE)).get(URL).status_code,
        login(alpha(), make_user(Role.PARTNER_ADMIN, partner=partners["east"]))
        .get(URL)
        .status_code,
        alpha().get(URL).status_code,
    ]
    manager = login(alpha(), partners["manager"]).get(URL).status_code

    assert page.status_code == 200
    html = posted.content.decode()
    assert '<div class="alert alert-warning" data-testid="summary">' in html
    assert "1 saved, 1 rejected." in html
    assert 'id="row-2"' in html
    assert _targets() == {("西湖安防设备有限公司", 2026, 2, D("3.00"))}
    assert wrong_kind_errors == {"file": ["Upload a .csv or .xlsx file."]}
    assert others == [403, 403, 302]
    assert manager == 200


def test_another_vendors_admin_imports_into_his_own_partners_only(partners):
    with schema_context("bravo"):
        admin = User.objects.get(email="admin@bravo.test")
        result = _import("partner,year,quarter,amount\n西湖安防设备有限公司,2026,1,1\n", admin)
        in_bravo = SalesTarget.objects.count()

    assert in_bravo == 0
    assert [r.reasons for r in result.rejected] == [
        ["partner: no partner you manage is called 西湖安防设备有限公司."]
    ]
    assert _targets() == set()
