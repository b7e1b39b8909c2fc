import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_unknown_host_gets_the_404_page_not_a_trace(tenant_a):
    response = Client(HTTP_HOST="nobody.localhost").get("/accounts/login/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "There is no vendor at <strong>nobody.localhost</strong>" in body
    assert "Traceback" not in body


@pytest.mark.parametrize(
    ("host", "home"),
    [("nobody.localhost:8000", "//localhost:8000/"), ("nobody.localhost", "//localhost/")],
)
def test_unknown_host_links_home_to_the_base_domain_not_itself(tenant_a, host, home):
    body = Client(HTTP_HOST=host).get("/").content.decode()

    assert f'<a href="{home}">' in body
    assert '<a href="/">' not in body


def test_unknown_host_post_is_a_404_too(tenant_a):
    assert Client(HTTP_HOST="nobody.localhost").post("/admin/login/").status_code == 404


def test_base_domain_is_the_platform_site(tenant_a):
    response = Client(HTTP_HOST="localhost").get("/")

    assert response.status_code == 200
    assert b"Platform admin" in response.content or "平台".encode() in response.content


def test_vendor_host_serves_its_login_page_with_its_name(client_a):
    response = client_a.get("/accounts/login/")

    assert response.status_code == 200
    assert "Alpha Electronics" in response.content.decode()


def test_unknown_path_on_vendor_host_is_the_404_page(client_a):
    response = client_a.get("/no/such/page/")

    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


def test_platform_operator_uses_the_base_domain_admin(tenant_a):
    from prm.accounts.models import User

    operator = User.objects.create_superuser("ops@platform.test", "ops-pass-12345", full_name="Ops")
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator)

    tenants = client.get("/admin/tenancy/tenant/")

    assert tenants.status_code == 200
    assert "alpha" in tenants.content.decode()
    assert "bravo" in tenants.content.decode()
    vendor_host = Client(HTTP_HOST="alpha.localhost")
    vendor_host.post(
        "/accounts/login/", {"username": "ops@platform.test", "password": "ops-pass-12345"}
    )
    assert "_auth_user_id" not in vendor_host.session
