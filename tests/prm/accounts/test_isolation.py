"""Tenant isolation: nothing of vendor B is reachable from vendor A, by login, page, admin or id."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.factories import make_order, make_partner, make_product, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_records(tenant_b):
    with schema_context("bravo"):
        partner = make_partner(name="布拉沃独有伙伴")
        order = make_order(partner, (make_product("10.00"), 1))
        return partner, order


def test_a_user_of_a_cannot_log_in_to_b(client_b, tenant_a):
    with schema_context("alpha"):
        make_user(Role.ADMIN, email="only-in-a@example.test", password="a-secret-pass-1")

    response = client_b.post(
        "/accounts/login/", {"username": "only-in-a@example.test", "password": "a-secret-pass-1"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client_b.session
    assert response.context["form"].errors


def test_a_session_of_a_is_worthless_on_bs_host(client_a, client_b, tenant_a):
    with schema_context("alpha"):
        admin = User.objects.get(email="admin@alpha.test")
        client_a.force_login(admin)
    cookie = client_a.cookies["sessionid"].value
    client_b.cookies["sessionid"] = cookie

    response = client_b.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_admin_cannot_read_bs_records_by_id(client_a, b_records, tenant_a):
    partner_b, order_b = b_records
    with schema_context("alpha"):
        client_a.force_login(User.objects.get(email="admin@alpha.test"))
    connection.set_schema_to_public()

    for url in (f"/partners/{partner_b.pk}/", f"/orders/{order_b.pk}/"):
        response = client_a.get(url)
        assert response.status_code == 404, url
    for url in ("/partners/", "/orders/", "/"):
        assert "布拉沃独有伙伴" not in client_a.get(url).content.decode(), url


def test_a_admin_site_never_shows_bs_rows_or_the_tenant_list(client_a, b_records, tenant_a):
    partner_b, _order_b = b_records
    with schema_context("alpha"):
        client_a.force_login(User.objects.get(email="admin@alpha.test"))

    changelist = client_a.get("/admin/partners/partner/")
    change = client_a.get(f"/admin/partners/partner/{partner_b.pk}/change/", follow=True)
    tenants = client_a.get("/admin/tenancy/tenant/")

    assert changelist.status_code == 200
    assert "布拉沃独有伙伴" not in changelist.content.decode()
    assert "布拉沃独有伙伴" not in change.content.decode()
    assert tenants.status_code in (403, 404)
    assert "bravo" not in client_a.get("/admin/").content.decode().lower()


def test_cache_keys_carry_the_schema(tenant_a, tenant_b):
    from django.core.cache import cache

    with schema_context("alpha"):
        cache.set("dashboard", "alpha-value", 30)
    with schema_context("bravo"):
        assert cache.get("dashboard") is None
        cache.set("dashboard", "bravo-value", 30)
    with schema_context("alpha"):
        assert cache.get("dashboard") == "alpha-value"
        cache.delete("dashboard")
    with schema_context("bravo"):
        cache.delete("dashboard")


def test_same_id_in_two_vendors_shows_only_the_hosts_own_record(client_a, tenant_a):
    from django.db import connection

    connection.set_tenant(tenant_a)
    a_partner = make_partner(name="阿尔法自有伙伴")
    with schema_context("bravo"):
        # The same id on purpose: it must still resolve inside the host's own schema.
        type(a_partner).objects.create(id=a_partner.pk, name="布拉沃同号伙伴", region="上海")
    client_a.force_login(User.objects.get(email="admin@alpha.test"))

    page = client_a.get(f"/partners/{a_partner.pk}/").content.decode()

    assert "阿尔法自有伙伴" in page
    assert "布拉沃同号伙伴" not in page
