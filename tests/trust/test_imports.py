"""Imports of malformed files: each gives a clear message and saves nothing; a formula in a cell
is stored as its text, never evaluated."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from orders.models import CartLine, SellOut
from orders.sellthrough import sellout_import
from partners.importing import COLUMNS, partners_import
from partners.models import Partner
from prm.core.spreadsheets import table_read
from reports.models import SalesTarget
from reports.target_import import targets_import
from tests.conftest import login
from tests.factories import make_partner
from tests.orders.mall import build_mall

from .images import PNG
from .test_uploads import zip_bomb

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)
UNREADABLE = "The file could not be read. Save it as CSV (UTF-8 or GB18030) or XLSX."
FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


def csv_file(rows: list[list[str]], *, name: str = "partners.csv", encoding: str = "utf-8") -> Any:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), "text/csv")


def xlsx_file(rows: list[list[Any]], *, name: str = "partners.xlsx") -> Any:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def partner_row(name: str, **values: str) -> list[str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(name=name, partner_type="dealer", region="上海", **values)
    return [row[c] for c in COLUMNS]


@pytest.fixture
def importer(client_a: Client, vendor_admin: Any) -> Client:
    login(client_a, vendor_admin)
    client_a.cookies["prm_language"] = "en"
    return client_a


def post_import(client: Client, upload: Any) -> Any:
    response = client.post("/partners/import/", {"file": upload})
    assert response.status_code == 200
    return response.context


# --- encodings ----------------------------------------------------------------------------------


def test_gbk_and_utf8_with_bom_are_both_read(importer: Client) -> None:
    gbk = csv_file([COLUMNS, partner_row("国标编码贸易有限公司")], encoding="gbk")
    bom = SimpleUploadedFile(
        "bom.csv",
        ("\ufeff" + HEADER + "\n" + ",".join(partner_row("带签名公司")) + "\n").encode("utf-8"),
    )

    first = post_import(importer, gbk)["result"]
    second = post_import(importer, bom)["result"]

    assert (first.file_errors, [p.name for p in first.imported]) == ([], ["国标编码贸易有限公司"])
    assert (second.file_errors, [p.name for p in second.imported]) == ([], ["带签名公司"])


# --- files refused whole ------------------------------------------------------------------------


def _malformed() -> list[tuple[str, Any, list[str]]]:
    good = partner_row("本该导入公司")
    utf16 = "\n".join([HEADER, ",".join(good)]).encode("utf-16")
    return [
        ("utf-16", SimpleUploadedFile("p.csv", utf16), [UNREADABLE]),
        (
            "missing-columns",
            csv_file([["name", "city"], ["甲公司", "南京"]]),
            ["Missing columns: partner_type, region."],
        ),
        (
            "extra-column",
            csv_file([[*COLUMNS, "notes"], [*good, "备注"]]),
            ["Unknown columns: notes. The columns are: " + ", ".join(COLUMNS) + "."],
        ),
        (
            "repeated-column",
            csv_file([[*COLUMNS, "city"], [*good, "苏州"]]),
            ["Columns named more than once: city."],
        ),
        (
            "value-under-no-heading",
            csv_file([COLUMNS, good, [*partner_row("多一格公司"), "多余"]]),
            [f"Row 3 has a value in column {len(COLUMNS) + 1}, which has no heading."],
        ),
        ("header-only", csv_file([COLUMNS]), ["The file has no data rows."]),
        ("png-renamed-csv", SimpleUploadedFile("p.csv", PNG), [UNREADABLE]),
        (
            "elf-renamed-csv",
            SimpleUploadedFile("p.csv", b"\x7fELF\x02\x01" + b"a,b\n" * 9),
            [UNREADABLE],
        ),
        ("zip-renamed-csv", SimpleUploadedFile("p.csv", zip_bomb(1)), [UNREADABLE]),
        (
            "zip-bomb-xlsx",
            SimpleUploadedFile("p.xlsx", zip_bomb(30)),
            ["p.xlsx unpacks to more than 25 MB."],
        ),
        (
            "too-many-rows",
            csv_file([COLUMNS] + [partner_row(f"公司{i}") for i in range(5001)]),
            ["At most 5000 rows per file."],
        ),
    ]


@pytest.mark.parametrize(
    ("case", "upload", "errors"), _malformed(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_malformed_file_is_refused_whole_with_a_clear_message(
    importer: Client, case: str, upload: Any, errors: list[str]
) -> None:
    before = Partner.objects.count()

    context = post_import(importer, upload)

    assert context["form"].errors == {}
    assert (context["result"].file_errors, context["result"].imported) == (errors, [])
    assert Partner.objects.count() == before


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("p.csv", b"", "The submitted file is empty."),
        ("p.xlsx", b"PK\x03\x04 corrupt", "p.xlsx is not an Excel workbook without macros."),
        ("p.xlsx", zip_bomb(201), "p.xlsx unpacks to more than 200 MB."),
        ("p.xlsx", PNG, "p.xlsx is not an allowed file type (XLSX)."),
    ],
    ids=["empty", "corrupt", "bomb", "png"],
)
def test_a_broken_file_is_refused_at_the_field(
    importer: Client, name: str, content: bytes, error: str
) -> None:
    before = Partner.objects.count()

    context = post_import(importer, SimpleUploadedFile(name, content))

    with translation.override("en"):  # Django's own messages are lazy
        assert context["form"].errors == {"file": [error]}
    assert context["result"] is None
    assert Partner.objects.count() == before


def test_a_corrupt_xlsx_reaching_the_importer_is_refused_whole(vendor_admin: Any) -> None:
    with translation.override("en"):
        result = partners_import(
            upload=SimpleUploadedFile("p.xlsx", b"PK\x03\x04 corrupt"), actor=vendor_admin
        )

    assert (result.file_errors, result.imported) == ([UNREADABLE], [])


def test_the_other_importers_refuse_the_same_files(vendor_admin: Any) -> None:
    mall = build_mall()
    bad = [
        SimpleUploadedFile("x.csv", PNG),
        SimpleUploadedFile("x.csv", "a,b\n1,2\n".encode("utf-16")),
        SimpleUploadedFile("x.xlsx", b"PK\x03\x04 corrupt"),
    ]
    with translation.override("en"):
        targets = [targets_import(upload=f, actor=vendor_admin).file_errors for f in bad]
        sales = [
            sellout_import(partner=mall.partner, upload=f, user=mall.buyer).file_errors for f in bad
        ]
        bomb = sellout_import(
            partner=mall.partner, upload=SimpleUploadedFile("x.xlsx", zip_bomb(30)), user=mall.buyer
        )

    assert targets == [[UNREADABLE]] * 3
    assert sales == [[UNREADABLE]] * 3
    assert bomb.file_errors == ["x.xlsx unpacks to more than 25 MB."]
    assert not SalesTarget.objects.exists()
    assert not SellOut.objects.exists()


def test_a_cart_upload_is_bounded_and_refuses_binary_files(client_a: Client, in_a: Any) -> None:
    mall = build_mall()
    login(client_a, mall.buyer)
    client_a.cookies["prm_language"] = "en"
    many = csv_file([["sku", "quantity"]] + [["T-LK-100", "1"]] * 1001, name="lines.csv")

    binary = client_a.post("/portal/orders/cart/", {"file": SimpleUploadedFile("lines.csv", PNG)})
    too_many = client_a.post("/portal/orders/cart/", {"file": many})

    assert binary.context["upload_form"].errors == {"file": [UNREADABLE]}
    assert too_many.context["upload_form"].errors == {"file": ["At most 1000 rows per file."]}
    assert not CartLine.objects.exists()


# --- formulas are text --------------------------------------------------------------------------


def test_formulas_in_a_csv_are_stored_as_typed(importer: Client) -> None:
    upload = csv_file([COLUMNS] + [partner_row(f, city=f) for f in FORMULAS])

    result = post_import(importer, upload)["result"]

    assert result.file_errors == []
    assert sorted(p.name for p in result.imported) == sorted(FORMULAS)
    assert sorted(
        Partner.objects.filter(name__in=FORMULAS).values_list("city", flat=True)
    ) == sorted(FORMULAS)


def test_formulas_in_an_xlsx_are_stored_as_their_text_not_their_result(importer: Client) -> None:
    rows: list[list[Any]] = [list(COLUMNS)]
    rows += [partner_row('=HYPERLINK("http://x","y")'), partner_row("=1+1")]
    upload = xlsx_file(rows)
    sheet = openpyxl.load_workbook(io.BytesIO(upload.read())).active
    assert sheet is not None
    assert sheet["A2"].data_type == "f"  # a real formula cell
    upload.seek(0)

    result = post_import(importer, upload)["result"]

    assert result.file_errors == []
    assert sorted(p.name for p in result.imported) == ["=1+1", '=HYPERLINK("http://x","y")']


def test_the_quote_an_export_put_before_a_formula_comes_off_on_import(importer: Client) -> None:
    upload = csv_file(
        [COLUMNS, partner_row('\'=HYPERLINK("http://x","y")'), partner_row("'引号公司")]
    )

    result = post_import(importer, upload)["result"]

    assert sorted(p.name for p in result.imported) == ["'引号公司", '=HYPERLINK("http://x","y")']


def test_a_partner_export_reads_back_as_it_was(importer: Client) -> None:
    for name in FORMULAS:
        make_partner(name=name)

    for fmt in ("csv", "xlsx"):
        exported = importer.get("/partners/export/", {"format": fmt})
        upload = SimpleUploadedFile(f"partners.{fmt}", exported.content)
        rows = table_read(
            upload, columns=COLUMNS, required={"name"}, max_rows=10, ignored=("status", "tier")
        )
        names = [values["name"] for _number, values in rows]
        assert sorted(n for n in names if n.lstrip("'") in FORMULAS) == sorted(FORMULAS), fmt


def test_a_reader_error_lists_every_problem_of_the_file() -> None:
    upload = csv_file([["name", "notes", "name"], ["甲", "x", "y"]])

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        table_read(upload, columns=COLUMNS, required={"name", "region"}, max_rows=10)

    assert refused.value.messages == [
        "Missing columns: region.",
        "Unknown columns: notes. The columns are: " + ", ".join(COLUMNS) + ".",
        "Columns named more than once: name.",
    ]
