from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.models import Domain, Tenant

pytestmark = pytest.mark.django_db


def _create(*args: str) -> str:
    out = StringIO()
    call_command("create_vendor", *args, stdout=out)
    return out.getvalue()


def test_create_vendor_provisions_schema_domain_and_one_time_admin():
    output = _create("charlie", "--name", "Charlie 电子", "--admin-email", "Boss@Charlie.CN")

    tenant = Tenant.objects.get(schema_name="charlie")
    assert (tenant.name, tenant.currency, tenant.time_zone, tenant.default_language) == (
        "Charlie 电子",
        "CNY",
        "Asia/Shanghai",
        "zh-hans",
    )
    assert Domain.objects.get(tenant=tenant).domain == "charlie.localhost"
    assert schema_exists("charlie")
    password = output.split("Password: ")[1].split()[0]
    with schema_context("charlie"):
        admin = User.objects.get()
        assert admin.email == "boss@charlie.cn"
        assert admin.role == Role.ADMIN
        assert admin.is_staff
        assert admin.must_change_password
        assert admin.check_password(password)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["alpha", "--name", "Dup", "--admin-email", "a@b.cn"], "slug: 'alpha' is already taken"),
        (
            ["delta", "--name", "D", "--admin-email", "not-an-email"],
            "admin_email: 'not-an-email' is not a valid email",
        ),
        (
            ["Delta_1", "--name", "D", "--admin-email", "a@b.cn"],
            "slug: 'Delta_1' must be 3-31 lowercase letters, digits or hyphens, "
            "starting with a letter",
        ),
        (["public", "--name", "P", "--admin-email", "a@b.cn"], "slug: 'public' is reserved"),
        (["delta", "--name", " ", "--admin-email", "a@b.cn"], "name: a display name is required"),
    ],
)
def test_create_vendor_rejects_bad_input_with_one_line_and_creates_nothing(args, reason):
    before = (Tenant.objects.count(), Domain.objects.count())

    with pytest.raises(CommandError) as exc:
        _create(*args)

    assert str(exc.value) == reason
    assert "\n" not in str(exc.value)
    connection.set_schema_to_public()
    assert (Tenant.objects.count(), Domain.objects.count()) == before
    assert not schema_exists("delta")
