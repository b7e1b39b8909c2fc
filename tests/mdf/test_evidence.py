"""Proof of performance: only the partner's own approved request takes files; a file must be
what its name says, within the size limit, and of an accepted kind; required kinds are tracked."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from mdf.evidence import evidence_add, evidence_missing
from mdf.models import MdfEvidence
from mdf.requests import request_approve, request_submit
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user
from tests.trust.images import PNG

from .test_requests import draft

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + b"0" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


@pytest.fixture
def approved(world):
    request = request_submit(draft(world), user=world["dealer"])
    return request_approve(request, user=world["manager"])


def test_files_of_the_kinds_required_are_stored_and_counted(world, approved):
    photo = evidence_add(
        approved, SimpleUploadedFile("现场.png", PNG), kind="photo", user=world["dealer"]
    )
    evidence_add(
        approved, SimpleUploadedFile("签到表.pdf", PDF), kind="attendees", user=world["dealer"]
    )

    assert (photo.content_type, photo.size, photo.original_name) == (
        "image/png",
        len(PNG),
        "现场.png",
    )
    assert photo.file.name.startswith(f"mdf/{approved.pk}/")
    assert "现场" not in photo.file.name  # a random name, not the partner's
    assert photo.file.read() == PNG
    assert evidence_missing(approved) == ["invoice"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("发票.pdf", PNG, "发票.pdf is a PNG file but is named .pdf."),
        ("setup.exe", EXE, "setup.exe is not an allowed file type (PDF, PNG, JPEG, XLSX)."),
        ("photo.png", EXE, "photo.png is not an allowed file type (PDF, PNG, JPEG, XLSX)."),
        ("big.png", PNG + b"\x00" * (20 * 1024 * 1024), "big.png is larger than 20 MB."),
    ],
)
def test_a_file_that_is_not_what_it_says_too_big_or_executable_is_refused(
    world,
    approved,
    name,
    content,
    message,
):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        evidence_add(
            approved, SimpleUploadedFile(name, content), kind="invoice", user=world["dealer"]
        )

    assert refused.value.message_dict["file"] == [message]
    assert not MdfEvidence.objects.exists()


def test_only_the_partners_own_approved_request_takes_files(world):
    submitted = request_submit(draft(world), user=world["dealer"])
    other_dealer = make_user(Role.PARTNER_ADMIN, partner=make_partner())
    upload = SimpleUploadedFile("a.png", PNG)

    with translation.override("en"), pytest.raises(ValidationError) as not_yet:
        evidence_add(submitted, upload, kind="photo", user=world["dealer"])
    with pytest.raises(PermissionDenied):
        evidence_add(submitted, upload, kind="photo", user=other_dealer)
    with pytest.raises(PermissionDenied):
        evidence_add(submitted, upload, kind="photo", user=world["manager"])

    assert not_yet.value.messages == ["Proof is uploaded for approved requests."]
    assert MdfEvidence.objects.count() == 0


def _zip(*entries: tuple[str, bytes]) -> bytes:
    import io
    import zipfile

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return data.getvalue()


def test_a_spreadsheet_must_be_a_workbook_without_macros(approved, world):
    import io

    from openpyxl import Workbook

    book = io.BytesIO()
    Workbook().save(book)
    cases = {
        "jar.xlsx": _zip(("META-INF/MANIFEST.MF", b"Main-Class: x"), ("x.class", b"\xca\xfe")),
        "macro.xlsx": _zip(
            ("[Content_Types].xml", b"<x/>"),
            ("xl/workbook.xml", b"<x/>"),
            ("xl/vbaProject.bin", b"\x00"),
        ),
        "setup.xlsx": _zip(
            ("[Content_Types].xml", b"<x/>"), ("xl/workbook.xml", b"<x/>"), ("setup.exe", b"MZ")
        ),
    }

    refused = {}
    for name, content in cases.items():
        with translation.override("en"), pytest.raises(ValidationError) as error:
            evidence_add(
                approved, SimpleUploadedFile(name, content), kind="attendees", user=world["dealer"]
            )
        refused[name] = error.value.message_dict["file"]
    kept = evidence_add(
        approved,
        SimpleUploadedFile("签到表.xlsx", book.getvalue()),
        kind="attendees",
        user=world["dealer"],
    )

    assert refused == {name: [f"{name} is not an Excel workbook without macros."] for name in cases}
    assert (MdfEvidence.objects.count(), kept.original_name) == (1, "签到表.xlsx")


def test_the_upload_help_is_in_the_readers_language_whoever_imported_the_form_first():
    from mdf.portal_forms import EvidenceForm

    def shown(language: str) -> str:
        with translation.override(language):
            return str(EvidenceForm().fields["file"].help_text)

    assert shown("zh-hans") == "PDF、PNG、JPEG 或 XLSX，不超过 20 MB。"
    assert shown("en") == "PDF, PNG, JPEG or XLSX, at most 20 MB."
    assert shown("zh-hans") == "PDF、PNG、JPEG 或 XLSX，不超过 20 MB。"
