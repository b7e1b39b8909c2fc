import re

import pytest
from django.core import mail

from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db


def _sign_in(client, email, password):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_vendor_admin_lands_on_vendor_portal(client_a, in_a):
    make_user(Role.ADMIN, email="boss@alpha.test", password="pass-12345-word")

    response = _sign_in(client_a, "BOSS@alpha.test", "pass-12345-word")
    home = client_a.get(response["Location"])

    assert response["Location"] == "/"
    assert home.status_code == 200
    assert home.templates[0].name == "vendor/home.html"


def test_partner_user_lands_on_partner_portal(client_a, in_a):
    partner = make_partner(name="华东伙伴")
    make_user(Role.PARTNER_USER, partner=partner, email="buyer@p.test", password="pass-12345-word")

    first = _sign_in(client_a, "buyer@p.test", "pass-12345-word")
    second = client_a.get(first["Location"])
    portal = client_a.get(second["Location"])

    assert second["Location"] == "/portal/"
    assert portal.status_code == 200
    assert "华东伙伴" in portal.content.decode()


def test_wrong_password_is_refused_at_the_form(client_a, in_a):
    make_user(Role.ADMIN, email="boss@alpha.test", password="pass-12345-word")

    response = _sign_in(client_a, "boss@alpha.test", "wrong")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_one_time_password_forces_a_change_first(client_a, in_a):
    user = User.objects.get(email="admin@alpha.test")
    user.must_change_password = True
    user.save()
    login(client_a, user)

    assert client_a.get("/partners/")["Location"] == "/accounts/password/change/"
    response = client_a.post(
        "/accounts/password/change/",
        {
            "old_password": "first-admin-pass",
            "new_password1": "Brand-new-pass-42",
            "new_password2": "Brand-new-pass-42",
        },
    )

    assert response.status_code == 302
    assert client_a.get("/partners/").status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password("Brand-new-pass-42")


def test_password_reset_sends_a_working_link(client_a, in_a):
    make_user(Role.FINANCE, email="cfo@alpha.test", password="old-pass-12345")

    client_a.post("/accounts/password/reset/", {"email": "cfo@alpha.test"})

    assert len(mail.outbox) == 1
    link = re.search(r"http://alpha\.localhost(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client_a.get(link.group(1), follow=True)
    done = client_a.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Fresh-pass-777", "new_password2": "Fresh-pass-777"},
    )
    assert done["Location"] == "/accounts/password/reset/complete/"
    assert User.objects.get(email="cfo@alpha.test").check_password("Fresh-pass-777")


def test_logout_ends_the_session(client_a, vendor_admin):
    login(client_a, vendor_admin)

    client_a.post("/accounts/logout/")

    assert client_a.get("/partners/").status_code == 302


def test_language_switch_changes_the_ui_and_is_remembered(client_a, vendor_admin):
    login(client_a, vendor_admin)

    client_a.post("/accounts/language/", {"language": "en", "next": "/partners/"})
    english = client_a.get("/partners/").content.decode()
    client_a.post("/accounts/language/", {"language": "zh-hans", "next": "/partners/"})
    chinese = client_a.get("/partners/").content.decode()

    assert '<html lang="en">' in english
    assert ">Partners</a>" in english
    assert '<html lang="zh-hans">' in chinese
    assert ">伙伴</a>" in chinese
    vendor_admin.refresh_from_db()
    assert vendor_admin.language == "zh-hans"


def test_anonymous_visitor_gets_the_vendors_default_language(client_a):
    assert '<html lang="zh-hans">' in client_a.get("/accounts/login/").content.decode()
    client_a.post("/accounts/language/", {"language": "en", "next": "/accounts/login/"})
    assert "Sign in" in client_a.get("/accounts/login/").content.decode()


def test_language_switch_refuses_offsite_redirects(client_a):
    response = client_a.post(
        "/accounts/language/", {"language": "en", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_partner_roles_require_a_partner(in_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        make_user(Role.PARTNER_USER, partner=None)
    assert "partner" in exc.value.message_dict
