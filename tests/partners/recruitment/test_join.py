"""The public /join/ page: anyone may apply; bad input is shown at its field and nothing is kept."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from partners.recruitment.models import ApplicationDocument, PartnerApplication
from partners.recruitment.throttle import JOIN_LIMIT, join_throttle_reset
from tests.factories import make_credit_code

from .conftest import PDF, PNG, pdf

pytestmark = pytest.mark.django_db


def _form(regions, **over):
    data = {
        "legal_name": "上海华东智能科技有限公司",
        "name_en": "Shanghai Huadong Smart Tech Co., Ltd.",
        "credit_code": make_credit_code(42).lower(),
        "partner_type": "distributor",
        "province": regions["上海"].pk,
        "city": regions["上海市"].pk,
        "business_scope": "智能门锁、安防设备的批发与安装",
        "address": "上海市浦东新区张江路88号",
        "contact_name": "周强",
        "contact_phone": "13912345678",
        "contact_email": "zhou.qiang@huadong.example.cn",
        "business_license": pdf("营业执照.pdf"),
    }
    data.update(over)
    return data


def test_form_lists_provinces_and_cities_from_regions(client_a, regions):
    page = client_a.get("/join/")

    assert page.status_code == 200
    assert list(page.context["form"].fields["province"].queryset) == [
        regions["上海"],
        regions["江苏"],
    ]
    assert [(p, cs) for p, cs in page.context["form"].city_groups()] == [
        (regions["上海"], [regions["上海市"]]),
        (regions["江苏"], [regions["南京"]]),
    ]
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()


def test_anyone_can_apply_with_documents(client_a, regions, ip):
    response = client_a.post(
        "/join/",
        _form(regions, qualifications=[SimpleUploadedFile("iso.png", PNG, "image/png")]),
        REMOTE_ADDR=ip,
    )

    application = PartnerApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/join/thanks/"
    assert (application.legal_name, application.credit_code, application.status) == (
        "上海华东智能科技有限公司",
        make_credit_code(42),
        "submitted",
    )
    assert (application.province, application.city) == (regions["上海"], regions["上海市"])
    assert application.name_key == "华东智能"
    assert application.submitted_ip == ip
    assert application.number.startswith("JA-")
    assert application.number.endswith("-000001")
    docs = list(application.documents.order_by("kind"))
    assert [(d.kind, d.original_name, d.content_type, d.size) for d in docs] == [
        ("business_license", "营业执照.pdf", "application/pdf", len(PDF)),
        ("qualification", "iso.png", "image/png", len(PNG)),
    ]
    with docs[0].file.open("rb") as handle:
        assert handle.read() == PDF
    assert "营业执照" not in docs[0].file.name  # stored under a random name
    assert [c.to_status for c in application.status_changes.all()] == ["submitted"]
    thanks = client_a.get("/join/thanks/")
    assert application.number in thanks.content.decode()


def test_invalid_credit_code_is_shown_at_the_field_and_nothing_saved(client_a, regions, ip):
    response = client_a.post(
        "/join/", _form(regions, credit_code="91310115MA0000001A"), REMOTE_ADDR=ip
    )

    assert response.status_code == 200
    assert response.context["form"].has_error("credit_code", "checksum")
    assert list(response.context["form"].errors) == ["credit_code"]
    assert PartnerApplication.objects.count() == 0
    assert ApplicationDocument.objects.count() == 0


def test_city_must_be_in_the_province(client_a, regions, ip):
    response = client_a.post("/join/", _form(regions, city=regions["南京"].pk), REMOTE_ADDR=ip)

    assert list(response.context["form"].errors) == ["city"]
    assert PartnerApplication.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "upload"),
    [
        (
            "business_license",
            SimpleUploadedFile("licence.pdf", b"MZ\x90\x00exe", "application/pdf"),
        ),
        ("other_documents", SimpleUploadedFile("photo.gif", b"GIF89a....", "image/gif")),
    ],
)
def test_files_that_are_not_pdf_jpeg_or_png_are_refused(client_a, regions, ip, field, upload):
    response = client_a.post("/join/", _form(regions, **{field: upload}), REMOTE_ADDR=ip)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert PartnerApplication.objects.count() == 0
    assert ApplicationDocument.objects.count() == 0


def test_files_over_10_mb_are_refused(client_a, regions, ip):
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")

    response = client_a.post("/join/", _form(regions, business_license=big), REMOTE_ADDR=ip)

    assert list(response.context["form"].errors) == ["business_license"]
    assert PartnerApplication.objects.count() == 0


def test_at_most_five_files(client_a, regions, ip):
    others = [pdf(f"doc{i}.pdf") for i in range(5)]

    response = client_a.post("/join/", _form(regions, other_documents=others), REMOTE_ADDR=ip)

    assert list(response.context["form"].errors) == ["other_documents"]
    assert PartnerApplication.objects.count() == 0


def test_licence_is_required(client_a, regions, ip):
    data = _form(regions)
    del data["business_license"]

    response = client_a.post("/join/", data, REMOTE_ADDR=ip)

    assert response.context["form"].has_error("business_license", "required")
    assert PartnerApplication.objects.count() == 0


def test_five_applications_per_address_per_hour(client_a, regions, ip):
    codes = [make_credit_code(100 + i) for i in range(JOIN_LIMIT + 1)]
    statuses = [
        client_a.post("/join/", _form(regions, credit_code=code), REMOTE_ADDR=ip).status_code
        for code in codes
    ]
    with schema_context("alpha"):
        join_throttle_reset("10.78.0.1")
    other_address = client_a.post(
        "/join/", _form(regions, credit_code=make_credit_code(99)), REMOTE_ADDR="10.78.0.1"
    )

    assert statuses == [302] * JOIN_LIMIT + [429]
    assert PartnerApplication.objects.count() == JOIN_LIMIT + 1
    assert other_address.status_code == 302


def test_throttle_message_is_clear(client_a, regions, ip):
    client_a.cookies["prm_language"] = "en"
    for i in range(JOIN_LIMIT):
        client_a.post(
            "/join/", _form(regions, credit_code=make_credit_code(200 + i)), REMOTE_ADDR=ip
        )

    refused = client_a.post(
        "/join/",
        _form(regions, credit_code=make_credit_code(300)),
        REMOTE_ADDR=ip,
    )

    assert refused.status_code == 429
    assert refused.context["form"].non_field_errors() == [
        "Too many applications from your network in the last hour. Please try again later."
    ]


def test_csrf_is_enforced(regions, ip):
    from django.test import Client

    strict = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)

    response = strict.post("/join/", _form(regions), REMOTE_ADDR=ip)

    assert response.status_code == 403
    assert PartnerApplication.objects.count() == 0
