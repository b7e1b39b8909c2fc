"""Vendor review: start review, approve (→ active partner, licence, invited admin), reject."""

import re

import pytest
from django.core import mail

from partners.models import Partner, PartnerContact, ProgramSettings, Qualification
from partners.recruitment.models import PartnerApplication
from partners.recruitment.services import application_start_review
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user

from .conftest import PDF, make_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(regions, vendor_admin):
    application = make_application(
        regions,
        legal_name="上海华东智能科技有限公司",
        name_en="Shanghai Huadong Smart Tech Co., Ltd.",
        contact_name="周强",
        contact_email="Zhou.Qiang@huadong.example.cn",
    )
    application_start_review(application=application, actor=vendor_admin)
    application.refresh_from_db()
    return application


def _url(application, action=""):
    return f"/partners/applications/{application.pk}/{action + '/' if action else ''}"


def test_start_review(client_a, regions, vendor_admin):
    application = make_application(regions)
    login(client_a, vendor_admin)

    response = client_a.post(_url(application, "review"))

    application.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == _url(application)
    assert (application.status, application.reviewer) == ("in_review", vendor_admin)
    assert [(c.from_status, c.to_status, c.actor) for c in application.status_changes.all()] == [
        ("submitted", "in_review", vendor_admin),
        ("", "submitted", None),
    ]


def test_approval_creates_active_partner_licence_and_invited_admin(
    client_a, in_review, vendor_admin, django_capture_on_commit_callbacks
):
    login(client_a, vendor_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(_url(in_review, "approve"))

    in_review.refresh_from_db()
    partner = Partner.objects.get(credit_code=in_review.credit_code)
    assert response.status_code == 302
    assert (in_review.status, in_review.partner, in_review.reviewer) == (
        "approved",
        partner,
        vendor_admin,
    )
    assert in_review.reviewed_at is not None
    assert (partner.name, partner.name_en, partner.status) == (
        "上海华东智能科技有限公司",
        "Shanghai Huadong Smart Tech Co., Ltd.",
        "active",
    )
    assert (partner.region, partner.city, partner.partner_type) == ("上海", "上海", "dealer")
    assert [(c.to_status, c.reason) for c in partner.status_changes.all()] == [
        ("active", "入驻申请已批准 / application approved"),
        ("applied", ""),
    ]
    licence = Qualification.objects.get(partner=partner)
    assert (licence.kind, licence.number) == ("business_license", in_review.credit_code)
    with licence.document.open("rb") as handle:
        assert handle.read() == PDF
    contact = PartnerContact.objects.get(partner=partner)
    assert (contact.name, contact.email, contact.is_primary) == (
        "周强",
        "Zhou.Qiang@huadong.example.cn",
        True,
    )
    admin = User.objects.get(partner=partner)
    assert (admin.email, admin.full_name, admin.role) == (
        "zhou.qiang@huadong.example.cn",
        "周强",
        Role.PARTNER_ADMIN,
    )
    assert not admin.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["zhou.qiang@huadong.example.cn"]
    link = re.search(r"http://alpha\.localhost(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link is not None

    client_a.logout()
    form_page = client_a.get(link.group(1), follow=True)

    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    assert "new_password1" in form_page.context["form"].fields


def test_approval_refused_when_credit_code_now_belongs_to_a_partner(
    client_a, in_review, vendor_admin, django_capture_on_commit_callbacks
):
    existing = make_partner(name="抢先入驻的公司", credit_code=in_review.credit_code)
    login(client_a, vendor_admin)
    client_a.cookies["prm_language"] = "en"

    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(_url(in_review, "approve"))

    in_review.refresh_from_db()
    assert response.status_code == 200
    assert response.context["action_error"] == (
        f"Credit code {in_review.credit_code} already belongs to partner 抢先入驻的公司."
    )
    assert in_review.status == "in_review"
    assert list(Partner.objects.filter(credit_code=in_review.credit_code)) == [existing]
    assert not User.objects.filter(email__iexact=in_review.contact_email).exists()
    assert mail.outbox == []


def test_htmx_approval_redirects_the_page(client_a, in_review, vendor_admin):
    login(client_a, vendor_admin)

    response = client_a.post(_url(in_review, "approve"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"] == _url(in_review)


def test_reject_needs_a_reason(client_a, in_review, vendor_admin):
    login(client_a, vendor_admin)

    response = client_a.post(_url(in_review, "reject"), {"reason": "  "})
    partial = client_a.post(_url(in_review, "reject"), {}, headers={"HX-Request": "true"})

    in_review.refresh_from_db()
    assert response.status_code == 200
    assert response.context["reject_form"].has_error("reason", "required")
    assert partial.templates[0].name == "partners/recruitment/_actions.html"
    assert partial.context["reject_form"].has_error("reason", "required")
    assert (in_review.status, in_review.reject_reason) == ("in_review", "")


def test_rejection_stores_reason_and_emails_the_contact(
    client_a, in_review, vendor_admin, django_capture_on_commit_callbacks
):
    login(client_a, vendor_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            _url(in_review, "reject"), {"reason": "经营范围与我司产品不符 & 无安装资质"}
        )

    in_review.refresh_from_db()
    assert response.status_code == 302
    assert (in_review.status, in_review.reject_reason, in_review.reviewer) == (
        "rejected",
        "经营范围与我司产品不符 & 无安装资质",
        vendor_admin,
    )
    assert in_review.status_changes.first().reason == "经营范围与我司产品不符 & 无安装资质"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["Zhou.Qiang@huadong.example.cn"]
    assert in_review.number in email.subject
    assert "原因\uff1a经营范围与我司产品不符 & 无安装资质" in email.body
    assert "Reason: 经营范围与我司产品不符 & 无安装资质" in email.body
    assert Partner.objects.filter(credit_code=in_review.credit_code).exists() is False


def test_cannot_approve_twice_or_skip_review(client_a, regions, vendor_admin):
    submitted = make_application(regions)
    login(client_a, vendor_admin)

    response = client_a.post(_url(submitted, "approve"))

    submitted.refresh_from_db()
    assert response.status_code == 200
    assert response.context["action_error"]
    assert submitted.status == "submitted"
    assert Partner.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SALES, Role.FINANCE, Role.MARKETING, Role.ORDER_DESK])
def test_other_vendor_roles_can_view_but_not_act(client_a, in_review, role):
    login(client_a, make_user(role))

    page = client_a.get(_url(in_review))
    approve = client_a.post(_url(in_review, "approve"))
    reject = client_a.post(_url(in_review, "reject"), {"reason": "不行"})

    in_review.refresh_from_db()
    assert page.status_code == 200
    assert page.context["can_review"] is False
    assert (approve.status_code, reject.status_code) == (403, 403)
    assert in_review.status == "in_review"


def test_channel_managers_review_when_no_approvers_are_named(client_a, regions):
    application = make_application(regions)
    login(client_a, make_user(Role.CHANNEL_MANAGER))

    response = client_a.post(_url(application, "review"))

    application.refresh_from_db()
    assert response.status_code == 302
    assert application.status == "in_review"


def test_named_approvers_replace_the_default(client_a, regions, vendor_admin):
    finance = make_user(Role.FINANCE)
    ProgramSettings.current().application_approvers.set([finance])
    application = make_application(regions)

    login(client_a, vendor_admin)
    refused = client_a.post(_url(application, "review"))
    login(client_a, finance)
    allowed = client_a.post(_url(application, "review"))

    application.refresh_from_db()
    assert (refused.status_code, allowed.status_code) == (403, 302)
    assert (application.status, application.reviewer) == ("in_review", finance)


def test_list_filters_and_search(client_a, regions, vendor_admin, django_assert_max_num_queries):
    a = make_application(regions, legal_name="上海华东智能科技有限公司")
    b = make_application(
        regions,
        legal_name="南京金陵数码贸易有限公司",
        province=regions["江苏"],
        city=regions["南京"],
        partner_type="agent",
    )
    application_start_review(application=b, actor=vendor_admin)
    for _ in range(5):
        make_application(regions)
    login(client_a, vendor_admin)

    def names(**params):
        return [
            x.legal_name for x in client_a.get("/partners/applications/", params).context["page"]
        ]

    with django_assert_max_num_queries(12):
        everything = client_a.get("/partners/applications/")
    assert everything.context["page"].paginator.count == 7
    assert names(status="in_review") == ["南京金陵数码贸易有限公司"]
    assert names(province=regions["江苏"].pk) == ["南京金陵数码贸易有限公司"]
    assert names(partner_type="agent") == ["南京金陵数码贸易有限公司"]
    assert names(q="华东") == ["上海华东智能科技有限公司"]
    assert names(q=a.credit_code.lower()) == ["上海华东智能科技有限公司"]
    assert names(q=b.number) == ["南京金陵数码贸易有限公司"]


def test_vendor_staff_download_documents(client_a, in_review):
    document = in_review.documents.get()
    login(client_a, make_user(Role.MARKETING))

    response = client_a.get(f"/partners/applications/documents/{document.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="licence.pdf"'


def test_application_changes_are_audited(client_a, in_review, vendor_admin):
    login(client_a, vendor_admin)
    client_a.post(_url(in_review, "reject"), {"reason": "资料不全"})

    page = client_a.get(_url(in_review))

    events = list(page.context["audit_events"])
    assert [e.changes_dict.get("status") for e in events[:2]] == [
        None,  # reason, reviewer, reviewed_at
        ["in_review", "rejected"],
    ]
    assert events[1].additional_data == {"reason": "资料不全"}
    assert PartnerApplication.objects.get(pk=in_review.pk).status == "rejected"
