"""The platform host: vendor provisioning, vendor deactivation, and nothing vendor-only."""

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_exists

from prm.accounts.models import User
from prm.tenancy import services
from prm.tenancy.models import Domain, Tenant
from tests.concurrency import in_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(tenant_a):
    operator = User.objects.create_superuser("ops@platform.test", "ops-pass-12345", full_name="Ops")
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator)
    return client


def test_platform_admin_hides_vendor_only_models(operator_client):
    index = operator_client.get("/admin/").content.decode()

    assert "/admin/tenancy/tenant/" in index
    assert "/admin/partners/partner/" not in index
    assert operator_client.get("/admin/orders/order/").status_code == 403


def test_platform_login_page_redirects_home_without_error(tenant_a):
    User.objects.create_superuser("ops2@platform.test", "ops-pass-12345", full_name="Ops")

    response = Client(HTTP_HOST="localhost").post(
        "/accounts/login/", {"username": "ops2@platform.test", "password": "ops-pass-12345"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_provision_form_refuses_a_taken_slug_at_the_field(operator_client):
    response = operator_client.post(
        "/admin/tenancy/tenant/provision/",
        {
            "slug": "alpha",
            "name": "X",
            "admin_email": "a@b.cn",
            "currency": "CNY",
            "default_language": "zh-hans",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == ["'alpha' is already taken"]


def test_a_deactivated_vendor_is_not_served(tenant_a, client_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=False)

    response = client_a.get("/accounts/login/")

    assert response.status_code == 404
    assert "alpha.localhost" in response.content.decode()


def test_failed_provisioning_leaves_nothing_behind(tenant_a, monkeypatch):
    """Runs committed, in its own connection, so the cleanup itself is what is tested."""

    def explode(**kwargs):
        raise RuntimeError("mail server down")

    monkeypatch.setattr(services, "user_create", explode)

    def provision():
        connection.set_schema_to_public()
        with pytest.raises(RuntimeError):
            services.vendor_create(slug="echo", name="Echo", admin_email="boss@echo.cn")
        return (
            Tenant.objects.filter(schema_name="echo").exists(),
            Domain.objects.filter(domain="echo.localhost").exists(),
            schema_exists("echo"),
        )

    assert in_thread("alpha", provision) == (False, False, False)
