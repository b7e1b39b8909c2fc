"""Uploads refused or neutralised: content that is not what its name says, oversized files,
decompression bombs, executables, workbooks that are not workbooks, and names that try to climb
out of the vendor's media folder or hide what a file is."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from PIL import Image, ImageFile

from partners.models import Qualification
from prm.accounts.roles import Role
from prm.core.files import (
    MAX_IMAGE_PIXELS,
    download_name,
    private_file_response,
    safe_filename,
    validate_upload,
    workbook_check,
)
from tests.conftest import login
from tests.factories import make_partner, make_user
from tests.orders.mall import build_mall

from .images import image_bytes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def declared_png(width: int, height: int) -> bytes:
    """A few dozen bytes whose header claims width x height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def workbook_bytes(rows: list[list[Any]] | None = None) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows or [["a", "b"], [1, 2]]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb(unpacked_mb: int) -> bytes:
    """A workbook's two required parts and one member of `unpacked_mb` MB of zeros, which
    deflate to a few hundred KB (written in chunks: the test never holds it unpacked)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            for _ in range(unpacked_mb):
                member.write(b"\x00" * (1024 * 1024))
    return out.getvalue()


def refusal(name: str, content: bytes, **kwargs: Any) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        validate_upload(SimpleUploadedFile(name, content), **kwargs)
    return refused.value.messages


# --- what the content is ------------------------------------------------------------------------


def test_real_pdf_png_jpeg_and_xlsx_pass_and_keep_their_name() -> None:
    files = {
        "营业执照.pdf": (PDF, ("pdf", "png", "jpeg")),
        "photo.png": (image_bytes("PNG"), ("pdf", "png", "jpeg")),
        "photo.JPG": (image_bytes("JPEG"), ("pdf", "png", "jpeg")),
        "sheet.xlsx": (workbook_bytes(), ("xlsx",)),
    }
    kinds = {}
    for name, (content, allowed) in files.items():
        upload = SimpleUploadedFile(name, content)
        kinds[name] = validate_upload(upload, allowed=allowed)
        assert upload.name == name
        assert upload.tell() == 0  # the caller reads the whole file after the checks

    assert kinds == {
        "营业执照.pdf": "pdf",
        "photo.png": "png",
        "photo.JPG": "jpeg",
        "sheet.xlsx": "xlsx",
    }


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", image_bytes("PNG"), "scan.pdf is a PNG file but is named .pdf."),
        ("scan", PDF, "scan is a PDF file but is named —."),
        (
            "page.png",
            b"<!doctype html><html><script>alert(document.cookie)</script></html>",
            "page.png is not an allowed file type (PDF, PNG, JPEG).",
        ),
        (
            "logo.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.png is not an allowed file type (PDF, PNG, JPEG).",
        ),
        (
            "invoice.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
            "invoice.pdf is not an allowed file type (PDF, PNG, JPEG).",
        ),
        (
            "invoice.pdf",
            b"\x7fELF\x02\x01\x01" + b"\x00" * 64,
            "invoice.pdf is not an allowed file type (PDF, PNG, JPEG).",
        ),
    ],
)
def test_content_that_is_not_what_the_name_says_is_refused(
    name: str, content: bytes, message: str
) -> None:
    assert refusal(name, content) == [message]


def test_a_file_over_the_limit_is_refused_before_it_is_read() -> None:
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))

    with pytest.raises(ValidationError) as refused:
        validate_upload(big)

    assert refused.value.messages == ["big.pdf is larger than 10 MB."]


def test_an_image_declaring_30000_by_30000_pixels_is_refused_undecoded() -> None:
    bomb = declared_png(30000, 30000)
    assert len(bomb) < 200
    with pytest.raises(Image.DecompressionBombError):  # Pillow's own guard would raise
        Image.open(io.BytesIO(bomb))

    assert refusal("bomb.png", bomb) == ["bomb.png has too many pixels (at most 40 million)."]


def test_our_pixel_limit_is_lower_than_pillows_on_purpose() -> None:
    # 7000 x 6000 = 42 MP: past our limit, within Pillow's (which would decode it).
    width, height = 7000, 6000
    assert MAX_IMAGE_PIXELS < width * height < Image.MAX_IMAGE_PIXELS  # type: ignore[operator]

    assert refusal("big.png", declared_png(width, height)) == [
        "big.png has too many pixels (at most 40 million)."
    ]


def test_damaged_images_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in any process that has rendered a PDF: weasyprint sets this for the whole process.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    png = bytearray(image_bytes("PNG", (64, 64)))
    png[-20] ^= 0xFF  # a byte of the last chunk: its checksum no longer matches
    jpeg = image_bytes("JPEG", (256, 256))

    assert refusal("a.png", bytes(png)) == ["a.png is damaged or not a complete image."]
    assert refusal("b.jpg", jpeg[: len(jpeg) // 2]) == ["b.jpg is damaged or not a complete image."]
    assert refusal("c.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64) == [
        "c.png is damaged or not a complete image."
    ]


@pytest.mark.parametrize(
    "content",
    [
        zip_bytes({"setup.exe": b"MZ\x90\x00"}),
        zip_bytes(
            {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>", "xl/run.exe": b"MZ"}
        ),
        zip_bytes(
            {
                "[Content_Types].xml": b"<Types/>",
                "xl/workbook.xml": b"<w/>",
                "xl/vbaProject.bin": b"macro",
            }
        ),
        zip_bytes(
            {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>", "../../evil.xml": b""}
        ),
        b"PK\x03\x04 not a zip at all",
    ],
    ids=["zip-with-exe", "workbook-with-exe", "macros", "climbing-path", "broken-zip"],
)
def test_an_xlsx_must_be_a_workbook_without_macros_or_programs(content: bytes) -> None:
    assert refusal("prices.xlsx", content, allowed=("xlsx",)) == [
        "prices.xlsx is not an Excel workbook without macros."
    ]


def test_a_zip_bomb_named_xlsx_is_refused_from_its_directory() -> None:
    bomb = zip_bomb(201)
    assert len(bomb) < 2 * 1024 * 1024

    assert refusal("prices.xlsx", bomb, allowed=("xlsx",), max_bytes=20 * 1024 * 1024) == [
        "prices.xlsx unpacks to more than 200 MB."
    ]
    with pytest.raises(ValidationError) as smaller:
        workbook_check(io.BytesIO(bomb), name="p.xlsx", max_unpacked=25 * 1024 * 1024)
    assert smaller.value.code == "too_big"


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("/etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\win.pdf", "win.pdf"),
        ("C:\\Users\\a\\报价.pdf", "报价.pdf"),
        ("a\x00b.pdf", "ab.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # shown as "invoiceexe.pdf"
        ("zero\u200bwidth.pdf", "zerowidth.pdf"),
        ('a<b>:c"d|e?f*.pdf', "a_b__c_d_e_f_.pdf"),
        ("...", "file"),
        ("", "file"),
        (".pdf", "pdf"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
        ("营业执照 2024.jpeg", "营业执照 2024.jpeg"),
    ],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe
    assert len(safe) <= 100


def test_a_right_to_left_override_cannot_disguise_an_executable_as_a_pdf() -> None:
    # With the override, "report\u202efdp.exe" reads "reportexe.pdf"; without, it is an .exe.
    assert refusal("report\u202efdp.exe", PDF) == ["reportfdp.exe is a PDF file but is named .exe."]


def test_validate_upload_gives_the_upload_its_safe_name() -> None:
    upload = SimpleUploadedFile("x.pdf", PDF)
    upload.name = "a\x00\u202e" + "y" * 200 + ".pdf"  # set after Django's own basename step

    validate_upload(upload)

    assert upload.name == "a" + "y" * 95 + ".pdf"


@pytest.mark.parametrize(
    ("name", "content_type", "download"),
    [
        ("现场照片.html", "image/png", "现场照片.png"),
        ("检测报告", "application/pdf", "检测报告.pdf"),
        ("a.jpeg", "image/jpeg", "a.jpeg"),
        ("../../x\u202e.pdf", "application/pdf", "x.pdf"),
    ],
)
def test_a_download_is_named_for_what_it_holds(name: str, content_type: str, download: str) -> None:
    assert download_name(name, content_type) == download


# --- through the portal: stored inside the vendor's folder, downloaded safely ------------------


def _multipart(
    field: str, filename: str, content: bytes, fields: dict[str, str]
) -> tuple[bytes, str]:
    """A multipart body written by hand: the test client would tidy `filename` itself."""
    boundary = "----trust-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    return b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "stored"),
    [
        ("../../../../etc/passwd.pdf", "passwd.pdf"),
        ("/etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\..\\boot.pdf", "boot.pdf"),
        ("report\u202efdp.pdf", "reportfdp.pdf"),
        ("a\tb.pdf", "ab.pdf"),
        ("长" * 40 + ".pdf", "长" * 40 + ".pdf"),
    ],
)
def test_a_portal_upload_stays_in_the_vendors_folder_and_downloads_safely(
    client_a: Client, in_a: Any, filename: str, stored: str
) -> None:
    partner = make_partner()
    login(client_a, make_user(Role.PARTNER_ADMIN, partner=partner))
    body, content_type = _multipart(
        "document", filename, PDF, {"kind": "industry", "number": "N-1"}
    )

    client_a.post("/portal/company/qualifications/", body, content_type=content_type)

    qualification = Qualification.objects.get(partner=partner)
    assert qualification.document.name == f"partners/{partner.pk}/qualifications/{stored}"
    tenant_folder = (Path(settings.MEDIA_ROOT) / "alpha").resolve()
    assert Path(qualification.document.path).resolve().is_relative_to(tenant_folder)
    download = client_a.get(f"/portal/company/qualifications/{qualification.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment; filename")
    assert b"".join(download.streaming_content) == PDF
    qualification.document.delete(save=False)


@pytest.mark.django_db
def test_a_portal_upload_with_a_very_long_name_is_refused_at_the_field(
    client_a: Client, in_a: Any
) -> None:
    partner = make_partner()
    login(client_a, make_user(Role.PARTNER_ADMIN, partner=partner))
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body, content_type = _multipart("document", "长" * 240 + ".pdf", PDF, {"kind": "industry"})

    page = client_a.post(
        "/portal/company/qualifications/", body, content_type=content_type, follow=True
    )

    assert not Qualification.objects.filter(partner=partner).exists()
    assert "Ensure this filename has at most 100 characters (it has 244)." in page.content.decode()


@pytest.mark.django_db
def test_a_portal_upload_of_the_wrong_kind_saves_nothing(client_a: Client, in_a: Any) -> None:
    partner = make_partner()
    login(client_a, make_user(Role.PARTNER_ADMIN, partner=partner))
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client_a.post(
        "/portal/company/qualifications/",
        {"kind": "industry", "number": "N-2", "document": SimpleUploadedFile("x.pdf", b"MZ\x90")},
        follow=True,
    )

    assert not Qualification.objects.filter(partner=partner).exists()
    assert "x.pdf is not an allowed file type (PDF, PNG, JPEG)." in page.content.decode()


def test_a_private_download_names_the_file_for_its_type_and_is_never_sniffed() -> None:
    class Row:
        original_name = "现场照片.html"
        content_type = "image/png"
        file = SimpleUploadedFile("stored.png", image_bytes())

    response = private_file_response(Row())

    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.png"
    )


@pytest.mark.django_db
def test_a_product_picture_is_served_as_what_its_bytes_are(client_a: Client, in_a: Any) -> None:
    mall = build_mall()
    mall.lock.image = SimpleUploadedFile("lock.html", image_bytes())
    mall.lock.save()
    mall.camera.image = SimpleUploadedFile("camera.png", b"<html><script>alert(1)</script>")
    mall.camera.save()
    login(client_a, mall.buyer)

    picture = client_a.get(f"/portal/orders/catalog/{mall.lock.pk}/image/")
    page = client_a.get(f"/portal/orders/catalog/{mall.camera.pk}/image/")

    assert picture["Content-Type"] == "image/png"
    assert page["Content-Type"] == "application/octet-stream"
    assert page["X-Content-Type-Options"] == "nosniff"
    for product in (mall.lock, mall.camera):
        product.image.delete(save=False)
