"""Every vendor model's admin list and add page opens for the vendor admin, and for nobody else."""

import pytest
from django.contrib import admin
from django.urls import reverse

from prm.accounts.roles import Role
from prm.tenancy.admin_base import VendorModelAdmin
from tests.conftest import login
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db


def _vendor_admin_urls() -> list[str]:
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, VendorModelAdmin)
    )


def test_every_vendor_admin_list_opens(client_a, vendor_admin):
    login(client_a, vendor_admin)
    urls = _vendor_admin_urls()

    failing = {url: client_a.get(url).status_code for url in urls}

    assert len(urls) >= 35
    assert {url: code for url, code in failing.items() if code != 200} == {}


def test_partner_users_and_other_staff_never_reach_the_admin(client_a, in_a):
    url = _vendor_admin_urls()[0]
    for user in (
        make_user(Role.PARTNER_ADMIN, partner=make_partner()),
        make_user(Role.CHANNEL_MANAGER),
    ):
        login(client_a, user)
        assert client_a.get(url).status_code == 302  # to the admin login
