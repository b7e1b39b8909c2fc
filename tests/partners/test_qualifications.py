from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from partners.models import Qualification
from partners.services import qualification_add
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name="licence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def two_partners(in_a):
    mine, other = make_partner(name="资质伙伴"), make_partner(name="他人伙伴")
    return {
        "mine": mine,
        "admin": make_user(Role.PARTNER_ADMIN, partner=mine),
        "other_user": make_user(Role.PARTNER_ADMIN, partner=other),
        "doc": qualification_add(
            partner=mine, kind="business_license", number="L-1", document=_pdf()
        ),
    }


def test_partner_admin_uploads_and_downloads_own_documents(client_a, two_partners):
    login(client_a, two_partners["admin"])

    client_a.post(
        "/portal/company/qualifications/",
        {
            "kind": "industry",
            "number": "IND-9",
            "expires_on": (timezone.localdate() + timedelta(days=100)).isoformat(),
            "document": _pdf("cert.pdf"),
        },
    )
    added = Qualification.objects.get(number="IND-9")
    download = client_a.get(f"/portal/company/qualifications/{added.pk}/")

    assert added.partner == two_partners["mine"]
    assert b"".join(download.streaming_content) == PDF


def test_upload_must_really_be_a_pdf_or_image(client_a, two_partners):
    login(client_a, two_partners["admin"])
    fake = SimpleUploadedFile("cert.pdf", b"MZ\x90\x00 executable", content_type="application/pdf")

    client_a.post(
        "/portal/company/qualifications/", {"kind": "industry", "number": "BAD", "document": fake}
    )

    assert not Qualification.objects.filter(number="BAD").exists()


def test_documents_are_private(client_a, client_b, two_partners):
    doc = two_partners["doc"]
    login(client_a, two_partners["other_user"])
    assert client_a.get(f"/portal/company/qualifications/{doc.pk}/").status_code == 404
    assert client_a.get(f"/partners/qualifications/{doc.pk}/").status_code == 403
    client_a.logout()
    assert client_a.get(f"/portal/company/qualifications/{doc.pk}/").status_code == 302
    assert client_b.get(f"/partners/qualifications/{doc.pk}/").status_code == 302
    with schema_context("bravo"):
        bravo_admin = make_user(Role.ADMIN)
        client_b.force_login(bravo_admin)
    assert client_b.get(f"/partners/qualifications/{doc.pk}/").status_code == 404


def test_vendor_filter_finds_partners_with_documents_expiring(client_a, vendor_admin):
    soon, later = make_partner(name="快到期伙伴"), make_partner(name="远期伙伴")
    today = timezone.localdate()
    qualification_add(partner=soon, kind="industry", expires_on=today + timedelta(days=20))
    qualification_add(partner=later, kind="industry", expires_on=today + timedelta(days=200))
    expired = make_partner(name="已过期伙伴")
    qualification_add(partner=expired, kind="industry", expires_on=today - timedelta(days=1))
    login(client_a, vendor_admin)

    within_30 = client_a.get("/partners/", {"documents": "30"}).context["page"]
    past = client_a.get("/partners/", {"documents": "expired"}).context["page"]

    assert [p.name for p in within_30] == ["快到期伙伴"]
    assert [p.name for p in past] == ["已过期伙伴"]


def test_vendor_filter_by_channel_manager(client_a, vendor_admin):
    manager = make_user(Role.CHANNEL_MANAGER)
    make_partner(name="经理甲的伙伴", channel_manager=manager)
    make_partner(name="无经理伙伴")
    login(client_a, vendor_admin)

    page = client_a.get("/partners/", {"channel_manager": manager.pk}).context["page"]

    assert [p.name for p in page] == ["经理甲的伙伴"]


def test_expiry_reminders_go_once_to_partner_admins_and_manager(
    in_a, django_capture_on_commit_callbacks
):
    from django.core import mail

    from partners.tasks import remind_expiring_qualifications

    manager = make_user(Role.CHANNEL_MANAGER, email="cm@alpha.test")
    partner = make_partner(channel_manager=manager)
    make_user(Role.PARTNER_ADMIN, partner=partner, email="boss@p.cn")
    make_user(Role.PARTNER_USER, partner=partner, email="clerk@p.cn")
    today = timezone.localdate()
    due = qualification_add(partner=partner, kind="industry", expires_on=today + timedelta(days=10))
    qualification_add(partner=partner, kind="other", expires_on=today + timedelta(days=90))

    with django_capture_on_commit_callbacks(execute=True):
        first = remind_expiring_qualifications()
        second = remind_expiring_qualifications()

    assert (first, second) == (1, 0)
    assert [sorted(m.to) for m in mail.outbox] == [["boss@p.cn", "cm@alpha.test"]]
    due.refresh_from_db()
    assert due.reminded_on == today
