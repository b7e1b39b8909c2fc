"""Two-factor sign-in (django-otp): enrolment, codes, the vendor's requirement, recovery."""

from datetime import timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.accounts.two_factor import totp_device_pending, totp_secret, two_factor_enable
from prm.tenancy.models import Tenant
from tests.conftest import login
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/verify/"
MANAGE = "/accounts/two-factor/"
PASSWORD = "right-pass-12345"
NOT_VALID = "This code is not valid."


def _code(device, steps_ahead=0):
    """What the user's app shows now (or `steps_ahead` 30-second steps from now)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, drift=steps_ahead)
    return f"{value:06d}"


def _wrong(device):
    return f"{(int(_code(device)) + 500_000) % 1_000_000:06d}"


def _client(user=None, host="alpha.localhost"):
    client = Client(HTTP_HOST=host)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return login(client, user) if user is not None else client


def _enrolled(user):
    """Enrolled through the service with the app's current code; returns device and backup codes."""
    device = totp_device_pending(user=user)
    codes = two_factor_enable(device=device, code=_code(device))
    return device, codes


def _verified(user, codes):
    """A session that has passed both steps, using up one backup code."""
    client = _client(user)
    assert client.post(VERIFY, {"code": codes.pop()}).status_code == 302
    return client


def _require(slug="alpha", on=True):
    Tenant.objects.filter(schema_name=slug).update(require_two_factor=on)


def _code_errors(response):
    return response.context["form"].errors["code"]


def test_enrolment_with_the_apps_code_turns_it_on_and_shows_backup_codes_once(in_a):
    user = make_user(Role.SALES, email="rep@alpha.test")
    client = _client(user)

    page = client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    again = client.get(SETUP)
    done = client.post(SETUP, {"code": _code(device), "next": ""})

    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg width="' in html
    assert "<img" not in html.split('class="text-center my-3 two-factor-qr">')[1].split("</div>")[0]
    assert totp_secret(device) in html
    assert "issuer=Alpha%20Electronics" in device.config_url
    assert again.context["secret"] == totp_secret(device)  # a reload keeps the scanned secret
    assert done["Location"] == "/accounts/two-factor/backup-codes/"
    user.refresh_from_db()
    device.refresh_from_db()
    assert (user.two_factor_enabled, device.confirmed, device.digits, device.tolerance) == (
        True,
        True,
        6,
        1,
    )
    tokens = sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(tokens) == 10
    shown = client.get("/accounts/two-factor/backup-codes/")
    assert sorted(shown.context["codes"]) == tokens
    assert shown.context["done"] == "/"
    assert client.get("/accounts/two-factor/backup-codes/")["Location"] == MANAGE
    assert client.get("/").status_code == 200  # enrolling verified this session
    event = LogEntry.objects.get_for_object(user).latest("timestamp")
    assert event.changes_dict["two_factor_enabled"] == ["False", "True"]
    assert event.actor == user


def test_a_wrong_code_at_enrolment_is_refused_at_the_field(in_a):
    user = make_user(Role.SALES)
    client = _client(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)

    response = client.post(SETUP, {"code": _wrong(device)})

    assert response.status_code == 200
    assert _code_errors(response) == [NOT_VALID]
    user.refresh_from_db()
    device.refresh_from_db()
    assert (user.two_factor_enabled, device.confirmed) == (False, False)
    assert not StaticDevice.objects.filter(user=user).exists()


def test_after_the_password_an_enrolled_user_gives_a_code(in_a):
    user = make_user(Role.SALES, email="rep@alpha.test", password=PASSWORD)
    device, _codes = _enrolled(user)
    client = _client()

    signed = client.post("/accounts/login/", {"username": "rep@alpha.test", "password": PASSWORD})
    held = client.get("/")
    verified = client.post(VERIFY, {"code": _code(device, 1), "next": "/"})

    assert signed["Location"] == "/"
    assert held["Location"] == "/accounts/two-factor/verify/?next=%2F"
    assert verified["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_code_is_accepted_only_once(in_a):
    user = make_user(Role.SALES)
    device, _codes = _enrolled(user)
    code = _code(device, 1)
    first, second = _client(user), _client(user)

    assert first.post(VERIFY, {"code": code})["Location"] == "/"
    reused = second.post(VERIFY, {"code": code})

    assert reused.status_code == 200
    assert _code_errors(reused) == [NOT_VALID]
    assert second.get("/")["Location"] == "/accounts/two-factor/verify/?next=%2F"


def test_wrong_codes_make_the_next_try_wait_longer_each_time(in_a):
    user = make_user(Role.SALES)
    device, _codes = _enrolled(user)
    client = _client(user)

    def waited(seconds):
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=timezone.now() - timedelta(seconds=seconds)
        )

    wrong = client.post(VERIFY, {"code": _wrong(device)})
    too_soon = client.post(VERIFY, {"code": _code(device, 1)})
    waited(1.5)
    wrong_again = client.post(VERIFY, {"code": _wrong(device)})
    still_too_soon = client.post(VERIFY, {"code": _code(device, 1)})
    waited(2.5)
    right = client.post(VERIFY, {"code": _code(device, 1)})

    assert _code_errors(wrong) == [NOT_VALID]
    assert _code_errors(too_soon) == ["Too many wrong codes. Try again in 1 second."]
    assert _code_errors(wrong_again) == [NOT_VALID]
    assert _code_errors(still_too_soon) == ["Too many wrong codes. Try again in 2 seconds."]
    assert right["Location"] == "/"
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


@pytest.mark.parametrize(
    ("role", "asked"),
    [
        (Role.ADMIN, True),
        (Role.FINANCE, True),
        (Role.CHANNEL_MANAGER, False),
        (Role.SALES, False),
        (Role.MARKETING, False),
        (Role.ORDER_DESK, False),
        (Role.PARTNER_ADMIN, False),
        (Role.PARTNER_USER, False),
    ],
)
def test_the_requirement_applies_when_the_vendor_turns_it_on_and_to_admin_and_finance(
    in_a, role, asked
):
    partner = make_partner() if role in (Role.PARTNER_ADMIN, Role.PARTNER_USER) else None
    user = make_user(role, partner=partner)
    client = _client(user)
    home = user.home_url

    before = client.get(home)
    _require()
    after = client.get(home)

    assert before.status_code == 200
    if asked:
        assert after["Location"] == f"{SETUP}?next=%2F"
    else:
        assert after.status_code == 200


def test_a_required_admin_enrols_before_the_admin_site(client_a, vendor_admin):
    _require()
    login(client_a, vendor_admin)

    assert client_a.get("/admin/")["Location"] == f"{SETUP}?next=%2Fadmin%2F"
    assert client_a.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=vendor_admin)
    client_a.post(SETUP, {"code": _code(device), "next": "/admin/"})
    assert client_a.get("/accounts/two-factor/backup-codes/").context["done"] == "/admin/"
    assert client_a.get("/admin/").status_code == 200


def test_the_admin_site_waits_for_the_code_after_the_admin_login(vendor_admin):
    device, _codes = _enrolled(vendor_admin)
    client = _client()

    signed = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin@alpha.test", "password": "first-admin-pass", "next": "/admin/"},
    )
    held = [client.get(url)["Location"] for url in ("/admin/", "/admin/accounts/user/")]
    client.post(VERIFY, {"code": _code(device, 1)})

    assert signed["Location"] == "/admin/"
    assert held == [
        f"{VERIFY}?next=%2Fadmin%2F",
        f"{VERIFY}?next=%2Fadmin%2Faccounts%2Fuser%2F",
    ]
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_the_ways_out_work_before_the_code_and_nothing_else_does(in_a):
    user = make_user(Role.SALES)
    _enrolled(user)
    client = _client(user)

    blocked = {
        url: client.get(url)["Location"]
        for url in ("/accounts/password/change/", MANAGE, "/notifications/")
    }
    renew = client.post("/accounts/two-factor/backup-codes/new/")
    setup_again = client.get(SETUP)
    language = client.post("/accounts/language/", {"language": "en", "next": "/"})
    logout = client.post("/accounts/logout/")

    assert set(blocked.values()) == {
        f"{VERIFY}?next=%2Faccounts%2Fpassword%2Fchange%2F",
        f"{VERIFY}?next=%2Faccounts%2Ftwo-factor%2F",
        f"{VERIFY}?next=%2Fnotifications%2F",
    }
    assert renew["Location"] == VERIFY
    assert setup_again["Location"] == MANAGE  # no second device from a password-only session
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert language["Location"] == "/"
    assert logout["Location"] == "/accounts/login/"


def test_htmx_requests_are_sent_to_the_code_page_whole(in_a):
    user = make_user(Role.SALES)
    _enrolled(user)

    response = _client(user).get("/notifications/", HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{VERIFY}?next=%2Fnotifications%2F"


def test_a_backup_code_works_once(in_a):
    user = make_user(Role.SALES)
    _device, codes = _enrolled(user)
    code = codes[0]
    typed = f"{code[:4].upper()} {code[4:].upper()}"  # as read aloud from paper

    first = _client(user).post(VERIFY, {"code": typed, "next": "/"})
    again = _client(user).post(VERIFY, {"code": code})

    assert first["Location"] == "/"
    assert _code_errors(again) == [NOT_VALID]
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_vendor_admin_resets_a_lost_device_with_an_audit_entry(client_a, vendor_admin):
    finance = make_user(Role.FINANCE, email="cfo@alpha.test")
    _device, codes = _enrolled(finance)
    finance_session = _verified(finance, codes)
    assert finance_session.get("/").status_code == 200
    login(client_a, vendor_admin)

    response = client_a.post(
        "/admin/accounts/user/", {"action": "reset_two_factor", "_selected_action": [finance.pk]}
    )

    assert response.status_code == 302
    finance.refresh_from_db()
    assert finance.two_factor_enabled is False
    assert not TOTPDevice.objects.filter(user=finance).exists()
    assert not StaticDevice.objects.filter(user=finance).exists()
    event = LogEntry.objects.get_for_object(finance).latest("timestamp")
    assert event.changes_dict["two_factor_enabled"] == ["True", "False"]
    assert event.actor == vendor_admin
    # The old session no longer counts as verified; where required, the user enrols again.
    assert finance_session.get("/").status_code == 200
    _require()
    assert finance_session.get("/")["Location"] == f"{SETUP}?next=%2F"


def test_the_platform_resets_a_sole_admins_device_from_the_command_line(vendor_admin):
    _enrolled(vendor_admin)
    out = StringIO()

    call_command("reset_two_factor", tenant="alpha", email=" ADMIN@alpha.test", stdout=out)

    assert out.getvalue() == "Two-factor sign-in reset for admin@alpha.test at 'alpha'.\n"
    with schema_context("alpha"):
        vendor_admin.refresh_from_db()
        assert vendor_admin.two_factor_enabled is False
        assert not TOTPDevice.objects.filter(user=vendor_admin).exists()
    with pytest.raises(CommandError, match=r"^no user 'nobody@alpha\.test' at 'alpha'$"):
        call_command("reset_two_factor", tenant="alpha", email="nobody@alpha.test")


def test_another_vendors_requirement_does_not_apply(client_b, tenant_a):
    _require("alpha")
    with schema_context("bravo"):
        login(client_b, User.objects.get(email="admin@bravo.test"))
    with schema_context("alpha"):
        alpha_client = _client(User.objects.get(email="admin@alpha.test"))

    assert client_b.get("/").status_code == 200
    assert alpha_client.get("/")["Location"] == f"{SETUP}?next=%2F"
    _require("bravo")
    assert client_b.get("/")["Location"] == f"{SETUP}?next=%2F"


def test_a_partner_user_may_enrol_and_is_then_asked(in_a):
    partner = make_partner()
    user = make_user(Role.PARTNER_USER, partner=partner, email="buyer@p.test", password=PASSWORD)
    client = _client(user)

    off = client.get(MANAGE)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    client.post(SETUP, {"code": _code(device)})
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "buyer@p.test", "password": PASSWORD})

    assert off.context["enabled"] is False
    assert client.get("/portal/")["Location"] == f"{VERIFY}?next=%2Fportal%2F"


def test_a_voluntary_user_turns_it_off_with_a_code(in_a):
    user = make_user(Role.SALES)
    _device, codes = _enrolled(user)
    client = _verified(user, codes)

    refused = client.post("/accounts/two-factor/disable/", {"code": "zzzzzzzz"})
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    done = client.post("/accounts/two-factor/disable/", {"code": codes.pop()})

    assert _code_errors(refused) == [NOT_VALID]
    assert done["Location"] == MANAGE
    user.refresh_from_db()
    assert user.two_factor_enabled is False
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_where_required_it_cannot_be_turned_off(in_a):
    finance = make_user(Role.FINANCE)
    _device, codes = _enrolled(finance)
    _require()
    client = _verified(finance, codes)

    page = client.get(MANAGE)
    refused = client.post("/accounts/two-factor/disable/", {"code": codes.pop()})

    assert page.context["required"] is True
    assert "Turn off" not in page.content.decode()
    assert refused["Location"] == MANAGE
    finance.refresh_from_db()
    assert finance.two_factor_enabled is True


def test_new_backup_codes_replace_the_old_ones(in_a):
    user = make_user(Role.SALES)
    _device, codes = _enrolled(user)
    client = _verified(user, codes)

    renewed = client.post("/accounts/two-factor/backup-codes/new/")
    # Still verified, though the session was verified with a backup code of the old set.
    fresh = client.get(renewed["Location"]).context["codes"]
    new_code = _client(user).post(VERIFY, {"code": fresh[0]})
    old_code = _client(user).post(VERIFY, {"code": codes.pop()})

    assert renewed["Location"] == "/accounts/two-factor/backup-codes/"
    assert len(fresh) == 10
    assert not set(fresh) & set(codes)
    assert new_code["Location"] == "/"
    assert _code_errors(old_code) == [NOT_VALID]


def test_vendor_admin_turns_the_requirement_on_in_settings(client_a, vendor_admin):
    login(client_a, vendor_admin)

    response = client_a.post(
        "/settings/",
        {
            "name": "Alpha Electronics",
            "time_zone": "Asia/Shanghai",
            "default_language": "zh-hans",
            "require_two_factor": "on",
        },
    )

    assert response.status_code == 302
    alpha = Tenant.objects.get(schema_name="alpha")
    assert alpha.require_two_factor is True
    event = LogEntry.objects.get_for_object(alpha).latest("timestamp")
    assert event.changes_dict["require_two_factor"] == ["False", "True"]
    assert event.actor == vendor_admin
    # The admin who turned it on is the first to be asked to enrol.
    assert client_a.get("/settings/")["Location"] == f"{SETUP}?next=%2Fsettings%2F"


def test_the_platform_operator_sets_the_requirement_in_the_platform_admin(tenant_a):
    operator = User.objects.create_superuser("ops@platform.test", "ops-pass-12345", full_name="O")

    page = _client(operator, host="localhost").get(f"/admin/tenancy/tenant/{tenant_a.pk}/change/")

    assert page.status_code == 200
    assert 'name="require_two_factor"' in page.content.decode()


def test_device_secrets_are_not_in_the_generic_admin():
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)
