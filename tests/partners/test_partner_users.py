import re

import pytest
from django.core import mail

from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(in_a):
    partner = make_partner(name="团队伙伴")
    return {
        "partner": partner,
        "admin": make_user(Role.PARTNER_ADMIN, partner=partner),
        "member": make_user(Role.PARTNER_USER, partner=partner),
        "stranger": make_user(Role.PARTNER_USER, partner=make_partner(name="外人伙伴")),
    }


def test_partner_admin_invites_a_colleague_who_sets_a_password(
    client_a, company, django_capture_on_commit_callbacks
):
    login(client_a, company["admin"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            "/portal/users/",
            {"full_name": "新同事", "email": "new@team.cn", "role": "partner_user"},
        )

    assert response.status_code == 302
    invited = User.objects.get(email="new@team.cn")
    assert (invited.partner, invited.role, invited.has_usable_password()) == (
        company["partner"],
        Role.PARTNER_USER,
        False,
    )
    assert len(mail.outbox) == 1
    link = re.search(r"http://alpha\.localhost(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    client_a.logout()
    assert client_a.get(link.group(1), follow=True).context["validlink"] is True


def test_duplicate_email_is_refused_at_the_field(client_a, company):
    login(client_a, company["admin"])

    response = client_a.post(
        "/portal/users/",
        {"full_name": "x", "role": "partner_user", "email": company["member"].email},
    )

    assert response.status_code == 200
    assert "email" in response.context["form"].errors


def test_partner_admin_deactivates_and_promotes_own_users_only(client_a, company):
    login(client_a, company["admin"])

    client_a.post(f"/portal/users/{company['member'].pk}/", {"role": "partner_admin"})
    foreign = client_a.post(f"/portal/users/{company['stranger'].pk}/", {"role": "partner_admin"})

    company["member"].refresh_from_db()
    assert (company["member"].role, company["member"].is_active) == (Role.PARTNER_ADMIN, False)
    assert foreign.status_code == 404
    company["stranger"].refresh_from_db()
    assert company["stranger"].role == Role.PARTNER_USER


def test_partner_user_cannot_invite_or_change_users(client_a, company):
    login(client_a, company["member"])

    assert (
        client_a.post(
            "/portal/users/", {"full_name": "x", "email": "x@x.cn", "role": "partner_admin"}
        ).status_code
        == 403
    )
    assert (
        client_a.post(f"/portal/users/{company['admin'].pk}/", {"role": "partner_user"}).status_code
        == 403
    )
    page = client_a.get("/portal/users/").content.decode()
    assert company["admin"].email in page
    assert company["stranger"].email not in page


def test_admin_cannot_lock_themselves_out(client_a, company):
    login(client_a, company["admin"])

    client_a.post(f"/portal/users/{company['admin'].pk}/", {"role": "partner_user"})

    company["admin"].refresh_from_db()
    assert (company["admin"].role, company["admin"].is_active) == (Role.PARTNER_ADMIN, True)
