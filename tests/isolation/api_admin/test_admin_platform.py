"""The admin site's own pages on a vendor's host, and the platform's admin on the base domain.

The platform admin (vendors, their domains, provisioning) opens for platform superusers only:
not for a vendor admin's session, not for a platform user without admin rights, and a vendor
host's admin refuses those pages even to its own admin, though their table is reachable from
every schema. On the platform host, the vendors' ModelAdmins refuse even the superuser, and the
people and audit lists are the platform's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from partners.models import Partner
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.admin_base import PlatformModelAdmin, VendorModelAdmin
from prm.tenancy.models import Domain, Tenant
from tests.factories import make_partner, make_user

from .conftest import client_at, in_schema, session_cookie

pytestmark = pytest.mark.django_db

PLATFORM, BRAVO = "localhost", "bravo.localhost"
ROOT_EMAIL = "root@platform.test"


@dataclass
class Sessions:
    platform: dict[str, str]  # caller → session cookie at the platform host
    bravo: dict[str, str]  # caller → session cookie at bravo's host
    bravo_partner: Partner


@pytest.fixture(scope="module")
def sessions(module_transaction: None) -> Sessions:
    in_schema("alpha")
    alpha_admin = session_cookie(User.objects.get(email="admin@alpha.test"), "alpha")
    in_schema("bravo")
    partner = make_partner(name="布拉沃站点伙伴有限公司")
    bravo = {
        "anonymous": "",
        "alpha admin": alpha_admin,
        "partner user": session_cookie(make_user(Role.PARTNER_USER, partner=partner), "bravo"),
        "sales": session_cookie(make_user(Role.SALES), "bravo"),
        "bravo admin": session_cookie(User.objects.get(email="admin@bravo.test"), "bravo"),
    }
    connection.set_schema_to_public()
    root = make_user(Role.ADMIN, email=ROOT_EMAIL)
    staffer = make_user(Role.SALES, email="staffer@platform.test")
    platform = {
        "anonymous": "",
        "alpha admin": alpha_admin,
        "platform user without admin rights": session_cookie(staffer, "public"),
        "platform superuser": session_cookie(root, "public"),
    }
    connection.set_schema_to_public()
    return Sessions(platform, bravo, partner)


def _login(path: str) -> tuple[int, str]:
    return 302, f"/admin/login/?next={quote(path)}"


def _answer(host: str, session: str, path: str) -> tuple[int, str]:
    response = client_at(host, session=session).get(path)
    return response.status_code, response.get("Location", "")


def _matrix(host: str, sessions: dict[str, str], pages: dict[str, str]) -> dict[str, Any]:
    return {
        f"{page} / {caller}": _answer(host, session, path)
        for page, path in pages.items()
        for caller, session in sessions.items()
    }


# --- the site's own pages at a vendor's host ------------------------------------------------------


def test_the_sites_own_pages_at_bravo(sessions: Sessions) -> None:
    in_schema("bravo")
    partner_type = ContentType.objects.get_for_model(Partner).pk
    pages = {
        "index": "/admin/",
        "password change": "/admin/password_change/",
        "password changed": "/admin/password_change/done/",
        "jsi18n": "/admin/jsi18n/",
        "view on site": f"/admin/r/{partner_type}/{sessions.bravo_partner.pk}/",
        "app list": "/admin/partners/",
        "platform app list": "/admin/tenancy/",
        "no such page": "/admin/no-such-page/",
    }
    refused = {c: s for c, s in sessions.bravo.items() if c != "bravo admin"}
    admin_answers = {
        "index": (200, ""),
        "password change": (200, ""),
        "password changed": (200, ""),
        "jsi18n": (200, ""),
        "view on site": (404, ""),  # no model here has a public page of its own
        "app list": (200, ""),
        "platform app list": (404, ""),
        "no such page": (404, ""),
    }
    want = {
        **{f"{p} / {c}": _login(path) for p, path in pages.items() for c in refused},
        **{f"{p} / bravo admin": answer for p, answer in admin_answers.items()},
    }
    assert _matrix(BRAVO, sessions.bravo, pages) == want


def test_login_and_logout_at_bravo(sessions: Sessions) -> None:
    got = _matrix(BRAVO, sessions.bravo, {"login": "/admin/login/", "logout": "/admin/logout/"})
    assert got == {
        "login / anonymous": (200, ""),
        "login / alpha admin": (200, ""),  # a stranger here: asked to sign in
        "login / partner user": (200, ""),  # told it may not enter the admin
        "login / sales": (200, ""),
        "login / bravo admin": (302, "/admin/"),
        **{f"logout / {c}": (302, "/admin/") for c in sessions.bravo if c != "bravo admin"},
        "logout / bravo admin": (405, ""),  # signing out is a POST
    }


def test_bravos_index_lists_no_platform_model(sessions: Sessions) -> None:
    page = client_at(BRAVO, session=sessions.bravo["bravo admin"]).get("/admin/")
    listed = {m["admin_url"] for app in page.context["app_list"] for m in app["models"]}
    assert "/admin/partners/partner/" in listed
    assert sorted(u for u in listed if u.startswith("/admin/tenancy/")) == []
    assert "alpha" not in page.content.decode().lower()


# --- the platform's ModelAdmins -------------------------------------------------------------------


def _platform_pages(model: type[Any], obj: Any) -> dict[str, str]:
    base = f"/admin/tenancy/{model._meta.model_name}/"
    return {
        "changelist": base,
        "add": f"{base}add/",
        "change": f"{base}{obj.pk}/change/",
        "history": f"{base}{obj.pk}/history/",
        "delete": f"{base}{obj.pk}/delete/",
        "auditlog": f"{base}{obj.pk}/auditlog/",
        "object": f"{base}{obj.pk}/",
    }


def _alpha_rows() -> list[tuple[type[Any], Any]]:
    return [
        (Tenant, Tenant.objects.get(schema_name="alpha")),
        (Domain, Domain.objects.get(domain="alpha.localhost")),
    ]


def test_the_platform_admin_opens_for_platform_superusers_only(sessions: Sessions) -> None:
    got, want = {}, {}
    for model, obj in _alpha_rows():
        pages = _platform_pages(model, obj)
        for page, path in pages.items():
            key = f"{model.__name__} {page}"
            for caller, session in sessions.platform.items():
                got[f"{key} / {caller}"] = _answer(PLATFORM, session, path)
                want[f"{key} / {caller}"] = _login(path)
        superuser = {f"{model.__name__} {page}": (200, "") for page in pages}
        superuser[f"{model.__name__} object"] = (302, pages["change"])
        if model is Tenant:  # new vendors come from provisioning, not a bare row
            superuser["Tenant add"] = (403, "")
        want |= {f"{k} / platform superuser": v for k, v in superuser.items()}
    assert got == want


def test_bravos_admin_meets_none_of_the_platform_pages(sessions: Sessions) -> None:
    """Vendors and domains live in the public schema, which every vendor's search path reaches;
    the ModelAdmins refuse them on a vendor's host, at alpha's own rows too."""
    got, want = {}, {}
    session = sessions.bravo["bravo admin"]
    for model, obj in _alpha_rows():
        pages = _platform_pages(model, obj)
        for page, path in pages.items():
            response = client_at(BRAVO, session=session).get(path)
            got[f"{model.__name__} {page}"] = (
                response.status_code,
                response.get("Location", ""),
                "alpha" in response.content.decode().lower(),
            )
            redirect = page == "object"
            want[f"{model.__name__} {page}"] = (
                302 if redirect else 403,
                pages["change"] if redirect else "",
                False,
            )
    assert got == want


def test_provisioning_is_the_platforms(sessions: Sessions) -> None:
    path = "/admin/tenancy/tenant/provision/"
    got = {
        **_matrix(PLATFORM, sessions.platform, {"platform": path}),
        **_matrix(BRAVO, sessions.bravo, {"bravo": path}),
    }
    assert got == {
        **{f"platform / {c}": _login(path) for c in sessions.platform},
        "platform / platform superuser": (200, ""),
        **{f"bravo / {c}": _login(path) for c in sessions.bravo},
        "bravo / bravo admin": (302, "/admin/"),  # the provisioning page sends it home
    }


# --- the vendors' ModelAdmins, and the shared ones, on the platform host --------------------------


def test_vendor_model_admins_refuse_the_platform_superuser(sessions: Sessions) -> None:
    client = client_at(PLATFORM, session=sessions.platform["platform superuser"])
    vendor_only = [
        f"/admin/{m._meta.app_label}/{m._meta.model_name}/"
        for m, model_admin in admin.site._registry.items()
        if isinstance(model_admin, VendorModelAdmin)
    ]
    got = {path: client.get(path).status_code for path in vendor_only}
    assert got == dict.fromkeys(vendor_only, 403)


def test_the_shared_model_admins_show_each_hosts_own_rows(sessions: Sessions) -> None:
    """The ModelAdmins of both kinds of host (people, groups, audit log, lockouts) read the
    schema of the host they are opened at."""
    shared = [
        f"/admin/{m._meta.app_label}/{m._meta.model_name}/"
        for m, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, (VendorModelAdmin, PlatformModelAdmin))
    ]
    platform = client_at(PLATFORM, session=sessions.platform["platform superuser"])
    bravo = client_at(BRAVO, session=sessions.bravo["bravo admin"])
    got = {path: (platform.get(path).status_code, bravo.get(path).status_code) for path in shared}
    people_there = platform.get("/admin/accounts/user/").content.decode()
    people_here = bravo.get("/admin/accounts/user/").content.decode()

    assert got == dict.fromkeys(shared, (200, 200))
    assert "/admin/accounts/user/" in shared
    seen = {
        "platform lists": [
            e for e in (ROOT_EMAIL, "admin@alpha.test", "admin@bravo.test") if e in people_there
        ],
        "bravo lists": [
            e for e in (ROOT_EMAIL, "admin@alpha.test", "admin@bravo.test") if e in people_here
        ],
    }
    assert seen == {"platform lists": [ROOT_EMAIL], "bravo lists": ["admin@bravo.test"]}


def test_the_platform_index_lists_only_platform_and_shared_models(sessions: Sessions) -> None:
    page = client_at(PLATFORM, session=sessions.platform["platform superuser"])
    listed = {
        m["admin_url"] for app in page.get("/admin/").context["app_list"] for m in app["models"]
    }
    assert {"/admin/tenancy/tenant/", "/admin/tenancy/domain/"} <= listed
    assert sorted(u for u in listed if u.startswith("/admin/partners/")) == []
