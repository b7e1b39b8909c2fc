"""Pages and downloads: the signing journey over HTTP, and who can never reach what."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from partners.agreements.models import Agreement, AgreementStatus
from partners.agreements.services import agreement_create
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user
from tests.pdf import pdf_text

from .conftest import days

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_manager_drafts_previews_and_issues_from_the_partner_page(client_a, deal, template):
    login(client_a, deal["manager"])
    client_a.cookies["prm_language"] = "en"
    partner = deal["partner"]

    page = client_a.get(f"/partners/{partner.pk}/")
    created = client_a.post(
        f"/partners/agreements/new/{partner.pk}/",
        {
            "template": template.pk,
            "term_start": days(1).isoformat(),
            "term_end": "",
            "territory": "浙江省杭州市",
            "purchase_target": "800000.00",
            "incentive_terms": "",
        },
    )
    draft = Agreement.objects.filter(partner=partner, status=AgreementStatus.DRAFT).get()
    preview = client_a.get(f"/partners/agreements/{draft.pk}/pdf/")
    assert (draft.pdf.name, draft.pdf_sha256) == ("", "")  # a preview stores nothing
    issued = client_a.post(f"/partners/agreements/{draft.pk}/issue/")
    draft.refresh_from_db()

    assert b"agreements-panel" in page.content
    assert created.status_code == 302
    assert created["Location"] == f"/partners/agreements/{draft.pk}/"
    assert "浙江省杭州市" in pdf_text(_body(preview))
    assert issued.status_code == 302
    assert draft.status == AgreementStatus.ISSUED
    detail = client_a.get(f"/partners/agreements/{draft.pk}/")
    assert b"Document integrity verified" in detail.content
    assert draft.pdf_sha256.encode() in detail.content


def test_bad_terms_are_shown_at_the_field_and_nothing_is_saved(client_a, deal, template):
    login(client_a, deal["manager"])
    client_a.cookies["prm_language"] = "en"
    before = Agreement.objects.count()

    response = client_a.post(
        f"/partners/agreements/new/{deal['partner'].pk}/",
        {
            "template": template.pk,
            "term_start": days(10).isoformat(),
            "term_end": days(1).isoformat(),
            "purchase_target": "-5",
        },
    )

    form = response.context["form"]
    assert set(form.errors) == {"term_end", "purchase_target"}
    assert Agreement.objects.count() == before


def test_partner_admin_reads_and_signs_in_the_portal(client_a, deal):
    agreement = deal["agreement"]
    login(client_a, deal["signer"])
    client_a.cookies["prm_language"] = "en"

    home = client_a.get("/portal/")
    page = client_a.get(f"/portal/agreements/{agreement.pk}/")
    pdf = client_a.get(f"/portal/agreements/{agreement.pk}/pdf/")
    signed = client_a.post(
        f"/portal/agreements/{agreement.pk}/",
        {"typed_name": "张三", "consent": "on", "document_sha256": agreement.pdf_sha256},
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone)",
        REMOTE_ADDR="198.51.100.23",
    )
    agreement.refresh_from_db()
    record = client_a.get(f"/portal/agreements/{agreement.pk}/signing-record/")

    assert b"agreements-card" in home.content
    assert b"Sign the agreement" in page.content
    assert pdf["Content-Type"] == "application/pdf"
    assert _body(pdf) == agreement.pdf.open("rb").read()
    assert signed.status_code == 302
    assert agreement.status == AgreementStatus.SIGNED
    assert (agreement.signer_ip, agreement.signer_user_agent) == (
        "198.51.100.23",
        "Mozilla/5.0 (iPhone)",
    )
    text = pdf_text(record.content)
    assert agreement.signed_sha256 in text.replace("\n", "")
    assert "198.51.100.23" in text


def test_sign_form_errors_show_at_their_fields(client_a, deal):
    agreement = deal["agreement"]
    login(client_a, deal["signer"])
    client_a.cookies["prm_language"] = "en"

    response = client_a.post(
        f"/portal/agreements/{agreement.pk}/",
        {"typed_name": "Someone Else", "document_sha256": agreement.pdf_sha256},
    )

    assert set(response.context["form"].errors) == {"typed_name", "consent"}
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ISSUED


def test_partner_user_sees_but_cannot_sign(client_a, deal):
    agreement = deal["agreement"]
    login(client_a, deal["colleague"])

    page = client_a.get(f"/portal/agreements/{agreement.pk}/")
    post = client_a.post(
        f"/portal/agreements/{agreement.pk}/",
        {"typed_name": deal["colleague"].full_name, "consent": "on", "document_sha256": "x"},
    )

    assert page.status_code == 200
    assert page.context["form"] is None
    assert post.status_code == 403


def test_drafts_are_invisible_to_the_partner(client_a, deal, template):
    draft = agreement_create(
        partner=deal["partner"], template=template, actor=deal["manager"], term_start=days(0)
    )
    login(client_a, deal["signer"])

    listing = client_a.get("/portal/agreements/")

    assert draft not in listing.context["agreements"]
    assert deal["agreement"] in listing.context["agreements"]
    assert client_a.get(f"/portal/agreements/{draft.pk}/").status_code == 404


def test_another_partner_never_reaches_the_agreement_or_its_files(client_a, deal):
    agreement = deal["agreement"]
    stranger = make_user(Role.PARTNER_ADMIN, partner=make_partner(), full_name="路人")
    login(client_a, stranger)

    for url in ("", "pdf/", "signing-record/"):
        assert client_a.get(f"/portal/agreements/{agreement.pk}/{url}").status_code == 404
        assert client_a.get(f"/partners/agreements/{agreement.pk}/{url}").status_code == 403
    assert agreement not in client_a.get("/portal/agreements/").context["agreements"]
    assert (
        client_a.get(f"/admin/partner_agreements/agreement/{agreement.pk}/change/").status_code
        == 302
    )


def test_other_managers_and_anonymous_and_other_vendors_get_nothing(client_a, client_b, deal):
    agreement = deal["agreement"]
    other_manager = make_user(Role.CHANNEL_MANAGER)
    login(client_a, other_manager)
    for url in ("", "pdf/", "signing-record/"):
        assert client_a.get(f"/partners/agreements/{agreement.pk}/{url}").status_code == 404
    assert (
        client_a.post(f"/partners/agreements/{agreement.pk}/void/", {"reason": "x"}).status_code
        == 404
    )
    assert agreement not in client_a.get("/partners/agreements/").context["page"].object_list
    client_a.logout()

    for url in ("", "pdf/"):
        anonymous = client_a.get(f"/portal/agreements/{agreement.pk}/{url}")
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/accounts/login/")

    with schema_context("bravo"):
        client_b.force_login(make_user(Role.ADMIN))
    assert client_b.get(f"/partners/agreements/{agreement.pk}/").status_code == 404
    assert client_b.get(f"/partners/agreements/{agreement.pk}/pdf/").status_code == 404


def test_only_admins_and_the_own_manager_change_agreements(client_a, deal):
    agreement = deal["agreement"]
    finance = make_user(Role.FINANCE)
    login(client_a, finance)

    assert client_a.get(f"/partners/agreements/{agreement.pk}/").status_code == 200
    assert (
        client_a.post(f"/partners/agreements/{agreement.pk}/void/", {"reason": "x"}).status_code
        == 403
    )
    assert client_a.get(f"/partners/agreements/new/{deal['partner'].pk}/").status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ISSUED


def test_vendor_list_query_count_does_not_grow_with_rows(client_a, deal, template, vendor_admin):
    login(client_a, vendor_admin)
    client_a.get("/partners/agreements/")
    with CaptureQueriesContext(connection) as few:
        client_a.get("/partners/agreements/")
    for _ in range(5):
        agreement_create(
            partner=make_partner(), template=template, actor=vendor_admin, term_start=days(0)
        )
    with CaptureQueriesContext(connection) as many:
        response = client_a.get("/partners/agreements/")

    assert len(response.context["page"].object_list) == 6
    assert len(many) == len(few)
