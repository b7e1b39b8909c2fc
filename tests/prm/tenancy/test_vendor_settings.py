import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile

from prm.accounts.roles import Role
from prm.tenancy.models import Tenant
from tests.conftest import login
from tests.factories import make_partner, make_user
from tests.prm.tenancy.test_branding import PNG

pytestmark = pytest.mark.django_db


def _post(client, **overrides):
    data = {"name": "Alpha 新名字", "time_zone": "Asia/Shanghai", "default_language": "en"}
    data.update(overrides)
    return client.post("/settings/", data)


def test_vendor_admin_updates_own_settings_with_audit(client_a, vendor_admin, tenant_b):
    login(client_a, vendor_admin)

    response = _post(client_a)

    assert response.status_code == 302
    alpha = Tenant.objects.get(schema_name="alpha")
    assert (alpha.name, alpha.default_language) == ("Alpha 新名字", "en")
    assert Tenant.objects.get(schema_name="bravo").name == "Bravo Electronics"
    event = LogEntry.objects.get_for_object(alpha).latest("timestamp")
    assert event.changes_dict["name"] == ["Alpha Electronics", "Alpha 新名字"]
    assert event.actor == vendor_admin


def test_bad_time_zone_is_refused_at_the_field(client_a, vendor_admin):
    login(client_a, vendor_admin)

    response = _post(client_a, time_zone="Mars/Olympus")

    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert Tenant.objects.get(schema_name="alpha").name == "Alpha Electronics"


def test_logo_must_be_an_image(client_a, vendor_admin):
    login(client_a, vendor_admin)
    fake = SimpleUploadedFile("logo.png", b"<script>alert(1)</script>", content_type="image/png")

    response = client_a.post(
        "/settings/",
        {"name": "A", "time_zone": "Asia/Shanghai", "default_language": "en", "logo": fake},
    )

    assert response.status_code == 200
    assert "logo" in response.context["form"].errors
    assert not Tenant.objects.get(schema_name="alpha").logo


def test_logo_upload_is_served_back(client_a, vendor_admin):
    login(client_a, vendor_admin)
    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    try:
        client_a.post(
            "/settings/",
            {
                "name": "A",
                "time_zone": "Asia/Shanghai",
                "default_language": "zh-hans",
                "logo": logo,
            },
        )
        assert b"".join(client_a.get("/branding/logo").streaming_content) == PNG
    finally:
        Tenant.objects.get(schema_name="alpha").logo.delete(save=True)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.CHANNEL_MANAGER, Role.PARTNER_ADMIN])
def test_only_vendor_admins_reach_settings(client_a, in_a, role):
    partner = make_partner() if role == Role.PARTNER_ADMIN else None
    login(client_a, make_user(role, partner=partner))

    assert client_a.get("/settings/").status_code == 403
    assert _post(client_a).status_code == 403


def test_anonymous_is_sent_to_login(client_a):
    assert client_a.get("/settings/")["Location"].startswith("/accounts/login/")
