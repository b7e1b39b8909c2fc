"""Password rules (AUTH_PASSWORD_VALIDATORS): every page where a password is chosen refuses a weak
one with the validator's message at the field."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core import mail
from django.test import Client
from django.utils import translation

from prm.accounts.invitations import set_password_url
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_user

pytestmark = pytest.mark.django_db

EMAIL = "zhang.wei@alpha.test"
PASSWORD = "old-pass-12345"
GOOD = "Quiet-river-42"

# Each candidate breaks exactly one rule.
WEAK = [
    ("Xy7#kLm2q", "This password is too short. It must contain at least 10 characters."),
    ("qwertyuiop", "This password is too common."),
    ("4817392065", "This password is entirely numeric."),
    ("zhangwei2024!", "The password is too similar to the full name."),
    ("zhang.wei@alpha", "The password is too similar to the email."),
]


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def person(in_a):
    return make_user(Role.FINANCE, email=EMAIL, full_name="Zhang Wei", password=PASSWORD)


def _reset_link(client, email=EMAIL):
    client.post("/accounts/password/reset/", {"email": email})
    link = re.search(
        r"http://alpha\.localhost(/accounts/password/reset/\S+/)", mail.outbox[-1].body
    )
    assert link is not None
    return client.get(link.group(1), follow=True).redirect_chain[-1][0]


def test_the_minimum_length_is_ten():
    with translation.override("en"):
        texts = [str(text) for text in password_validators_help_texts()]

    assert "Your password must contain at least 10 characters." in texts


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_password_change_refuses_a_weak_password_at_the_field(client_a, person, password, message):
    client = _english(login(client_a, person))

    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"new_password2": [message]}
    assert message in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_password_reset_refuses_a_weak_password_at_the_field(client_a, person, password, message):
    url = _reset_link(_english(client_a))

    response = client_a.post(url, {"new_password1": password, "new_password2": password})

    assert response.status_code == 200
    assert response.context["form"].errors == {"new_password2": [message]}
    assert User.objects.get(email=EMAIL).check_password(PASSWORD)


def test_password_reset_accepts_a_good_password(client_a, person):
    url = _reset_link(client_a)

    response = client_a.post(url, {"new_password1": GOOD, "new_password2": GOOD})

    assert response["Location"] == "/accounts/password/reset/complete/"
    assert User.objects.get(email=EMAIL).check_password(GOOD)


def test_the_message_is_in_the_readers_language(client_a, person):
    url = _reset_link(client_a)  # the vendor's default language: Simplified Chinese

    response = client_a.post(url, {"new_password1": "4817392065", "new_password2": "4817392065"})

    assert response.context["form"].errors == {"new_password2": ["密码只包含数字。"]}


def test_an_invited_user_chooses_a_first_password_under_the_same_rules(in_a):
    invited = make_user(Role.SALES, email="new.hire@alpha.test", full_name="Li Na", password=None)
    link = set_password_url(user=invited, base_url="http://alpha.localhost")  # what the mail holds
    client = _english(Client(HTTP_HOST="alpha.localhost"))
    url = client.get(link.removeprefix("http://alpha.localhost"), follow=True).redirect_chain[-1][0]

    short = client.post(url, {"new_password1": "Li-Na-1", "new_password2": "Li-Na-1"})
    chosen = client.post(url, {"new_password1": GOOD, "new_password2": GOOD})

    assert short.context["form"].errors == {
        "new_password2": ["This password is too short. It must contain at least 10 characters."]
    }
    assert chosen["Location"] == "/accounts/password/reset/complete/"
    invited.refresh_from_db()
    assert invited.check_password(GOOD)


def test_admin_user_creation_applies_the_rules(client_a, vendor_admin):
    client = _english(login(client_a, vendor_admin))

    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "temp@alpha.test",
            "full_name": "Temp",
            "role": Role.SALES,
            "usable_password": "true",
            "password1": "qwertyuiop",
            "password2": "qwertyuiop",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["password2"] == [
        "This password is too common."
    ]
    assert not User.objects.filter(email="temp@alpha.test").exists()
