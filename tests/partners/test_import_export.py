import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partners.models import Partner
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_credit_code, make_partner, make_user

pytestmark = pytest.mark.django_db

HEADER = (
    "name,name_en,credit_code,partner_type,region,city,contact_name,contact_phone,"
    "channel_manager_email,credit_limit,payment_terms_days\n"
)


def _csv(body: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("partners.csv", (HEADER + body).encode(encoding), "text/csv")


def test_import_takes_valid_rows_and_reports_each_rejected_one(client_a, vendor_admin):
    manager = make_user(Role.CHANNEL_MANAGER, email="cm@alpha.test")
    existing = make_partner(credit_code=make_credit_code(1))
    good, dup = make_credit_code(2), make_credit_code(3)
    body = (
        f"南京新伙伴有限公司,Nanjing New,{good},经销商,江苏,南京,王五,139,"
        "cm@alpha.test,50000.50,30\n"
        f"坏代码公司,,91310115MA1H7GXK2C,dealer,上海,,,,,,\n"
        f"重复公司,,{existing.credit_code},dealer,上海,,,,,,\n"
        f"文件内第一,,{dup},agent,北京,,,,,,\n"
        f"文件内第二,,{dup},agent,北京,,,,,,\n"
        f"没有类型公司,,,,上海,,,,,,\n"
        f"未知经理公司,,,dealer,上海,,,,nobody@alpha.test,,\n"
        f"负额度公司,,,dealer,上海,,,,,-1,\n"
    )
    login(client_a, vendor_admin)
    client_a.cookies["prm_language"] = "en"

    response = client_a.post("/partners/import/", {"file": _csv(body)})

    result = response.context["result"]
    assert [p.name for p in result.imported] == ["南京新伙伴有限公司", "文件内第一"]
    assert [r.row for r in result.rejected] == [3, 4, 6, 7, 8, 9]
    reasons = {r.row: " ".join(r.reasons) for r in result.rejected}
    assert "check character" in reasons[3]
    assert "credit_code" in reasons[4]
    assert "row 5" in reasons[6]
    assert "partner_type" in reasons[7]
    assert "nobody@alpha.test" in reasons[8]
    assert "credit_limit" in reasons[9]
    imported = Partner.objects.get(credit_code=good)
    assert (
        imported.partner_type,
        imported.region,
        imported.channel_manager,
        imported.credit_limit,
        imported.payment_terms_days,
    ) == ("dealer", "江苏", manager, Decimal("50000.50"), 30)
    assert Partner.objects.filter(name__in=["坏代码公司", "重复公司", "文件内第二"]).count() == 0


def test_import_reads_gb18030_csv_and_xlsx(client_a, vendor_admin):
    login(client_a, vendor_admin)
    gbk = _csv("国标编码公司,,,分销商,广东,深圳,,,,,\n", encoding="gb18030")
    book = openpyxl.Workbook()
    book.active.append(HEADER.strip().split(","))
    book.active.append(["表格公司", "Sheet Co", None, "reseller", "浙江", "杭州"])
    data = io.BytesIO()
    book.save(data)
    xlsx = SimpleUploadedFile("p.xlsx", data.getvalue())

    first = client_a.post("/partners/import/", {"file": gbk}).context["result"]
    second = client_a.post("/partners/import/", {"file": xlsx}).context["result"]

    assert [p.name for p in first.imported] == ["国标编码公司"]
    assert [p.name for p in second.imported] == ["表格公司"]


def test_import_refuses_files_without_required_columns_or_of_other_types(client_a, vendor_admin):
    login(client_a, vendor_admin)
    client_a.cookies["prm_language"] = "en"

    missing = client_a.post(
        "/partners/import/", {"file": SimpleUploadedFile("p.csv", "name,city\n甲,乙\n".encode())}
    ).context["result"]
    exe = client_a.post(
        "/partners/import/", {"file": SimpleUploadedFile("p.xlsx", b"MZ\x90\x00not a zip")}
    )

    assert missing.file_errors == ["Missing columns: partner_type, region."]
    assert "file" in exe.context["form"].errors


def test_export_round_trips_the_filtered_list(client_a, vendor_admin):
    make_partner(name="导出甲", region="上海", credit_code=make_credit_code(7))
    make_partner(name="导出乙", region="广东")
    login(client_a, vendor_admin)

    response = client_a.get("/partners/export/", {"region": "上海", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    xlsx = client_a.get("/partners/export/", {"region": "广东", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active

    assert response["Content-Disposition"] == 'attachment; filename="partners.csv"'
    assert rows[0][:3] == ["name", "name_en", "credit_code"]
    assert [r[0] for r in rows[1:]] == ["导出甲"]
    assert rows[1][2] == make_credit_code(7)
    assert [c.value for c in sheet["A"]][1:] == ["导出乙"]


def test_export_and_import_respect_roles(client_a, in_a):
    manager = make_user(Role.CHANNEL_MANAGER)
    make_partner(name="经理的伙伴", channel_manager=manager)
    make_partner(name="别人的伙伴")
    partner_user = make_user(Role.PARTNER_ADMIN, partner=make_partner())

    login(client_a, manager)
    exported = client_a.get("/partners/export/").content.decode("utf-8-sig")
    login(client_a, make_user(Role.FINANCE))
    finance_import = client_a.get("/partners/import/")
    login(client_a, partner_user)

    assert "经理的伙伴" in exported
    assert "别人的伙伴" not in exported
    assert finance_import.status_code == 403
    assert client_a.get("/partners/export/").status_code == 403
    client_a.logout()
    assert client_a.get("/partners/export/").status_code == 302
