"""Row visibility: partner users see their own partner only; managers their assigned partners."""

from decimal import Decimal

import pytest

from orders.selectors import orders_visible_to
from partners.selectors import partners_visible_to
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_order, make_partner, make_product, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(in_a):
    manager = make_user(Role.CHANNEL_MANAGER)
    mine = make_partner(name="华东自有伙伴", channel_manager=manager)
    other = make_partner(name="华南他人伙伴")
    product = make_product("12.50")
    return {
        "manager": manager,
        "mine": mine,
        "other": other,
        "my_order": make_order(mine, (product, 2)),
        "other_order": make_order(other, (product, 3)),
        "partner_user": make_user(Role.PARTNER_USER, partner=mine),
        "admin": make_user(Role.ADMIN),
        "finance": make_user(Role.FINANCE),
    }


def test_selectors_scope_rows_by_role(world):
    mine, other = world["mine"], world["other"]

    assert list(partners_visible_to(world["partner_user"])) == [mine]
    assert list(partners_visible_to(world["manager"])) == [mine]
    assert set(partners_visible_to(world["admin"])) >= {mine, other}
    assert set(partners_visible_to(world["finance"])) >= {mine, other}
    assert list(orders_visible_to(world["partner_user"])) == [world["my_order"]]
    assert list(orders_visible_to(world["manager"])) == [world["my_order"]]


def test_inactive_and_anonymous_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    world["admin"].is_active = False
    assert not partners_visible_to(world["admin"]).exists()
    assert not orders_visible_to(AnonymousUser()).exists()


def test_partner_user_cannot_open_another_partners_order_page(world, client_a):
    login(client_a, world["partner_user"])

    own = client_a.get(f"/portal/orders/{world['my_order'].pk}/")
    foreign = client_a.get(f"/portal/orders/{world['other_order'].pk}/")
    listing = client_a.get("/portal/orders/").content.decode()

    assert own.status_code == 200
    assert own.context["order"].total == Decimal("25.00")
    assert foreign.status_code == 404
    assert world["my_order"].number in listing
    assert world["other_order"].number not in listing


def test_partner_user_is_kept_out_of_vendor_portal_and_admin(world, client_a):
    login(client_a, world["partner_user"])

    assert client_a.get("/").status_code == 302
    assert client_a.get("/")["Location"] == "/portal/"
    assert client_a.get("/partners/").status_code == 403
    assert client_a.get(f"/orders/{world['my_order'].pk}/").status_code == 403
    admin = client_a.get("/admin/partners/partner/")
    assert admin.status_code == 302
    assert "/admin/login/" in admin["Location"]


def test_channel_manager_list_shows_only_assigned_partners(world, client_a):
    login(client_a, world["manager"])

    page = client_a.get("/partners/").content.decode()

    assert "华东自有伙伴" in page
    assert "华南他人伙伴" not in page
    assert client_a.get(f"/partners/{world['other'].pk}/").status_code == 404


def test_vendor_staff_cannot_use_the_partner_portal(world, client_a):
    login(client_a, world["finance"])

    assert client_a.get("/portal/").status_code == 403
    assert client_a.get("/portal/orders/").status_code == 403


def test_anonymous_is_sent_to_login(client_a, world):
    for url in ("/", "/portal/", "/partners/", f"/orders/{world['my_order'].pk}/"):
        response = client_a.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_channel_manager_cannot_open_unassigned_partners_order(world, client_a):
    login(client_a, world["manager"])

    assert client_a.get(f"/orders/{world['my_order'].pk}/").status_code == 200
    assert client_a.get(f"/orders/{world['other_order'].pk}/").status_code == 404


def test_portal_order_page_hides_the_vendor_audit_trail(world, client_a):
    login(client_a, world["partner_user"])

    page = client_a.get(f"/portal/orders/{world['my_order'].pk}/")

    assert page.context["audit_events"] is None
    assert "Audit history" not in page.content.decode()
    assert "审计记录" not in page.content.decode()


def test_demoted_admin_loses_the_admin_site(client_a, in_a):
    admin = make_user(Role.ADMIN)
    admin.role = Role.FINANCE
    admin.save()
    login(client_a, admin)

    assert (admin.is_staff, admin.is_superuser) == (False, False)
    assert client_a.get("/admin/partners/partner/").status_code == 302
