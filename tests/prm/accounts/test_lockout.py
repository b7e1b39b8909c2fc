"""Login lockout (django-axes): 5 failures per (email, address) lock that pair for 15 minutes,
per vendor schema, at the portal login and the Django admin login alike."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.accounts.tasks import prune_access_logs
from tests.conftest import login
from tests.factories import make_user

pytestmark = pytest.mark.django_db

EMAIL = "locked@alpha.test"
PASSWORD = "right-pass-12345"
LOCKED_TEXT = "Too many failed sign-in attempts for this account from your network."


def _sign_in(client, password, email=EMAIL):
    return client.post("/accounts/login/", {"username": email, "password": password})


def _admin_sign_in(client, password, email=EMAIL):
    return client.post(
        "/admin/login/?next=/admin/", {"username": email, "password": password, "next": "/admin/"}
    )


def _fail(client, times, email=EMAIL):
    return [_sign_in(client, "wrong-password", email).status_code for _ in range(times)]


def _signed_in(client):
    return "_auth_user_id" in client.session


def _showed_lockout_page(response):
    # The login page is rendered first; django-axes' middleware then puts ours in its place.
    return "accounts/locked_out.html" in [t.name for t in response.templates]


def _failures(schema):
    with schema_context(schema):
        return sorted(AccessAttempt.objects.values_list("username", "failures_since_start"))


def _last_failure_ago(delta):
    with schema_context("alpha"):
        AccessAttempt.objects.update(attempt_time=timezone.now() - delta)


@pytest.fixture
def person(in_a):
    return make_user(Role.SALES, email=EMAIL, password=PASSWORD)


def test_four_failures_are_allowed_and_the_fifth_locks(client_a, person):
    assert _fail(client_a, 4) == [200, 200, 200, 200]
    assert _failures("alpha") == [(EMAIL, 4)]

    fifth = _sign_in(client_a, "wrong-password")

    assert fifth.status_code == 429
    assert _showed_lockout_page(fifth)
    assert _failures("alpha") == [(EMAIL, 5)]


def test_the_right_password_is_refused_while_locked(client_a, person):
    _fail(client_a, 5)

    response = _sign_in(client_a, PASSWORD)

    assert response.status_code == 429
    assert not _signed_in(client_a)
    # Tries while locked are not counted: the lock still ends 15 minutes after the fifth failure.
    assert _failures("alpha") == [(EMAIL, 5)]


def test_the_lockout_page_says_what_happened_and_for_how_long(client_a, person):
    client_a.post("/accounts/language/", {"language": "en", "next": "/accounts/login/"})

    _fail(client_a, 4)
    page = _sign_in(client_a, "wrong-password").content.decode()

    assert "Sign-in locked" in page
    assert LOCKED_TEXT in page
    assert "Please wait 15 minutes and try again." in page
    assert 'href="/accounts/password/reset/"' in page


def test_success_resets_the_count(client_a, person):
    _fail(client_a, 4)

    assert _sign_in(client_a, PASSWORD).status_code == 302
    assert _failures("alpha") == []
    client_a.post("/accounts/logout/")
    assert _fail(client_a, 4) == [200, 200, 200, 200]
    assert _sign_in(client_a, PASSWORD).status_code == 302


def test_another_address_is_not_locked(client_a, person):
    _fail(client_a, 5)
    elsewhere = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR="10.20.30.40")

    assert _sign_in(elsewhere, PASSWORD).status_code == 302
    assert _signed_in(elsewhere)
    assert _sign_in(client_a, PASSWORD).status_code == 429


def test_another_user_from_the_same_address_is_not_locked(client_a, person):
    make_user(Role.SALES, email="colleague@alpha.test", password=PASSWORD)
    _fail(client_a, 5)

    assert _sign_in(client_a, PASSWORD, email="colleague@alpha.test").status_code == 302


def test_another_vendor_is_not_locked(client_a, client_b, person):
    with schema_context("bravo"):
        make_user(Role.SALES, email=EMAIL, password=PASSWORD)
    _fail(client_a, 5)

    assert _sign_in(client_b, PASSWORD).status_code == 302
    assert _failures("bravo") == []
    assert _failures("alpha") == [(EMAIL, 5)]


def test_case_and_spaces_do_not_dodge_the_count(client_a, person):
    # The admin form passes the email as typed; the portal form lower-cases it.
    _admin_sign_in(client_a, "wrong-password", email=" LOCKED@Alpha.test")
    _admin_sign_in(client_a, "wrong-password", email="Locked@alpha.test")
    _fail(client_a, 2, email="LOCKED@ALPHA.TEST")

    assert _failures("alpha") == [(EMAIL, 4)]
    assert _sign_in(client_a, "wrong-password", email="locked@alpha.TEST").status_code == 429


def test_admin_login_is_locked_like_the_portal_login(client_a, in_a):
    make_user(Role.ADMIN, email=EMAIL, password=PASSWORD)

    statuses = [_admin_sign_in(client_a, "wrong-password").status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    locked = _admin_sign_in(client_a, PASSWORD)
    assert locked.status_code == 429
    assert _showed_lockout_page(locked)
    # One lock for the person, whichever door was knocked on.
    assert _sign_in(client_a, PASSWORD).status_code == 429
    assert not _signed_in(client_a)


def test_vendor_admin_sees_and_lifts_the_lockout_in_admin(client_a, person, vendor_admin):
    _fail(client_a, 5)
    admin = login(Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR="10.0.0.9"), vendor_admin)
    with schema_context("alpha"):
        attempt = AccessAttempt.objects.get(username=EMAIL)

    listing = admin.get("/admin/axes/accessattempt/?locked_out=yes")
    deleted = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )

    assert listing.status_code == 200
    assert EMAIL in listing.content.decode()
    assert deleted.status_code == 302
    assert _failures("alpha") == []
    assert _sign_in(client_a, PASSWORD).status_code == 302
    assert _signed_in(client_a)


def test_the_lock_ends_after_fifteen_minutes(client_a, person):
    _fail(client_a, 5)

    _last_failure_ago(timedelta(minutes=14))
    assert _sign_in(client_a, PASSWORD).status_code == 429
    _last_failure_ago(timedelta(minutes=15, seconds=1))
    response = _sign_in(client_a, PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client_a)
    assert _failures("alpha") == []


def test_platform_admin_login_is_locked_in_the_public_schema(tenant_a):
    User.objects.create_superuser("ops@platform.test", "ops-pass-12345", full_name="Ops")
    platform = Client(HTTP_HOST="localhost")

    statuses = [
        _admin_sign_in(platform, "wrong-password", email="ops@platform.test").status_code
        for _ in range(5)
    ]

    assert statuses == [200, 200, 200, 200, 429]
    assert _admin_sign_in(platform, "ops-pass-12345", "ops@platform.test").status_code == 429
    assert _failures("public") == [("ops@platform.test", 5)]
    assert _failures("alpha") == []


def test_sign_in_records_are_kept_a_year(client_a, person):
    assert _sign_in(client_a, PASSWORD).status_code == 302
    with schema_context("alpha"):
        AccessLog.objects.create(
            username="gone@alpha.test",
            ip_address="10.0.0.1",
            user_agent="x",
            http_accept="*/*",
            path_info="/accounts/login/",
        )
        AccessLog.objects.filter(username="gone@alpha.test").update(
            attempt_time=timezone.now() - timedelta(days=366)
        )

        assert prune_access_logs() == 1
        # Other tests' committed sign-ins (session-wide fixtures) may share the table.
        mine = AccessLog.objects.filter(username__in=[EMAIL, "gone@alpha.test"])
        assert list(mine.values_list("username", "ip_address")) == [(EMAIL, "127.0.0.1")]


def test_resetting_the_password_by_email_lifts_the_lock(client_a, person):
    _fail(client_a, 5)
    client_a.post("/accounts/password/reset/", {"email": EMAIL})
    link = re.search(r"http://alpha\.localhost(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_url = client_a.get(link.group(1), follow=True).redirect_chain[-1][0]

    done = client_a.post(
        form_url, {"new_password1": "Brand-new-7788", "new_password2": "Brand-new-7788"}
    )

    assert done["Location"] == "/accounts/password/reset/complete/"
    assert _failures("alpha") == []
    assert _sign_in(client_a, "Brand-new-7788").status_code == 302
