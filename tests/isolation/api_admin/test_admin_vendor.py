"""Every ModelAdmin's pages on vendor bravo's host, for every kind of caller.

Only a vendor admin has admin-site rights (`is_staff` follows the role). Everyone else, and
vendor alpha's admin whose session means nothing at bravo's address, is sent to the admin login
with the page as `next`. Bravo's admin gets each page, or 403 where the ModelAdmin refuses
(its has_*_permission), and never a row of alpha: the lists, the change pages at alpha's ids,
the autocomplete and the audit log show bravo's rows only. The platform's own ModelAdmins
(vendors, domains) refuse even bravo's admin, at every page.

To keep the run short, each page is opened by one refused caller in turn (the gate is the same
`admin_view` for every page), alpha's admin besides at every list and change page; every refused
caller still meets every kind of page across the ModelAdmins. The app list each page carries in
its sidebar is built once per caller (test_admin_site.py checks it on the index).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from prm.accounts.models import User
from prm.accounts.roles import PARTNER_ROLES, Role
from prm.tenancy.admin_base import PlatformModelAdmin
from prm.tenancy.models import Domain, Tenant
from tests.factories import make_partner, make_user

from .admin_table import MODEL_VIEWS
from .conftest import client_at, in_schema, session_cookie
from .rows import NoRow, row_any, row_new

pytestmark = pytest.mark.django_db

BRAVO = "bravo.localhost"
ALPHA_MARK, BRAVO_MARK = "ISO-ALPHA", "ISO-BRAVO"
# Everyone bravo's admin site refuses.
REFUSED = [
    "alpha admin",
    "anonymous",
    Role.PARTNER_ADMIN.value,
    Role.PARTNER_USER.value,
    Role.CHANNEL_MANAGER.value,
    Role.SALES.value,
    Role.FINANCE.value,
    Role.MARKETING.value,
    Role.ORDER_DESK.value,
]
ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@dataclass
class Site:
    sessions: dict[str, str]  # caller → session cookie at bravo's host ("" for none)
    rows: dict[str, Model]  # model label → a row at bravo (alpha's vendor row for platform ones)
    alpha_rows: dict[str, Model]  # model label → a row made at alpha, marked ALPHA_MARK
    bravo_partner: Any
    alpha_partner: Any


def _platform_row(model: type[Model]) -> Model:
    """Vendor alpha itself: the row a bravo page must never show."""
    if model is Tenant:
        return Tenant.objects.get(schema_name="alpha")
    assert model is Domain, model
    return Domain.objects.get(domain="alpha.localhost")


@pytest.fixture(scope="module")
def site(module_transaction: None) -> Site:
    in_schema("alpha")
    alpha_partner = make_partner(name=f"{ALPHA_MARK}伙伴有限公司")
    alpha_rows = {}
    for model, model_admin in ADMINS:
        if not isinstance(model_admin, PlatformModelAdmin):
            # A one-row settings model has its row at alpha already, unmarked.
            with contextlib.suppress(NoRow):
                alpha_rows[model._meta.label] = row_new(model, ALPHA_MARK)
    sessions = {"alpha admin": session_cookie(User.objects.get(email="admin@alpha.test"), "alpha")}

    in_schema("bravo")
    bravo_partner = make_partner(name=f"{BRAVO_MARK}伙伴有限公司")
    users = {
        role: make_user(Role(role), partner=_partner_for(role, bravo_partner))
        for role in REFUSED[2:]
    }
    users["bravo admin"] = User.objects.get(email="admin@bravo.test")
    sessions |= {caller: session_cookie(user, "bravo") for caller, user in users.items()}
    sessions["anonymous"] = ""
    rows = {
        model._meta.label: _platform_row(model)
        if isinstance(model_admin, PlatformModelAdmin)
        else row_any(model, BRAVO_MARK)
        for model, model_admin in ADMINS
    }
    connection.set_schema_to_public()
    return Site(sessions, rows, alpha_rows, bravo_partner, alpha_partner)


@pytest.fixture(scope="module", autouse=True)
def _app_list_once() -> Iterator[None]:
    """Every admin page builds the whole app list for its sidebar (the slowest part of most
    pages here); it is the same for one caller on one host, so it is built once."""
    build = admin.site.get_app_list
    built: dict[tuple[str, int, str | None], Any] = {}

    def get_app_list(request: Any, app_label: str | None = None) -> Any:
        key = (connection.schema_name, request.user.pk, app_label)
        if key not in built:
            built[key] = build(request, app_label)
        return built[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(admin.site, "get_app_list", get_app_list)
        yield


def _partner_for(role: str, partner: Any) -> Any:
    return partner if role in PARTNER_ROLES else None


def _login(path: str) -> str:
    return f"/admin/login/?next={quote(path)}"


def _answer(response: HttpResponse) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


def _allowed(model_admin: Any, view: str, obj: Model) -> bool:
    """What the ModelAdmin itself says bravo's admin may do, on bravo's host."""
    request = RequestFactory().get("/")
    request.user = User.objects.get(email="admin@bravo.test")
    if view == "changelist":
        return bool(model_admin.has_view_or_change_permission(request))
    if view == "add":
        return bool(model_admin.has_add_permission(request))
    if view == "delete":
        return bool(model_admin.has_delete_permission(request, obj))
    if view == "auditlog":
        return bool(model_admin.has_view_permission(request, obj))
    return bool(model_admin.has_view_or_change_permission(request, obj))  # change, history


def _pages(model: type[Model], obj: Model) -> dict[str, str]:
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    pages = {}
    for view in MODEL_VIEWS:
        args = [] if view in ("changelist", "add") else [obj.pk]
        try:
            pages[view] = reverse(f"{info}_{view}", args=args)
        except NoReverseMatch:
            assert view == "auditlog", view  # only ModelAdmins with auditlog's mixin have it
    pages["object"] = f"{pages['changelist']}{obj.pk}/"  # redirects to the change page
    return pages


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _a in ADMINS])
def test_each_page_opens_for_bravos_admin_only(
    model: type[Model], model_admin: Any, site: Site
) -> None:
    label = model._meta.label
    obj = site.rows[label]
    pages = _pages(model, obj)
    in_schema("bravo")
    allowed = {view: _allowed(model_admin, view, obj) for view in pages if view != "object"}
    offset = [m for m, _a in ADMINS].index(model)
    got: dict[tuple[str, str], tuple[int, str]] = {}
    want: dict[tuple[str, str], tuple[int, str]] = {}
    for n, (view, path) in enumerate(pages.items()):
        callers = {REFUSED[(offset + n) % len(REFUSED)]}
        if view in ("changelist", "change"):
            callers.add("alpha admin")
        for caller in sorted(callers):
            got[view, caller] = _answer(client_at(BRAVO, session=site.sessions[caller]).get(path))
            want[view, caller] = (302, _login(path))
        response = client_at(BRAVO, session=site.sessions["bravo admin"]).get(path)
        got[view, "bravo admin"] = _answer(response)
        if view == "object":
            want[view, "bravo admin"] = (302, pages["change"])
        else:
            want[view, "bravo admin"] = (200 if allowed[view] else 403, "")
        if response.status_code == 200:
            got[view, "alpha's mark shown"] = (int(ALPHA_MARK in response.content.decode()), "")
            want[view, "alpha's mark shown"] = (0, "")
    if (theirs := site.alpha_rows.get(label)) is not None:
        got["alpha's id", "bravo admin"], want["alpha's id", "bravo admin"] = _at_alphas_id(
            model, theirs, site
        )
    assert got == want


def _at_alphas_id(model: type[Model], theirs: Model, site: Site) -> tuple[Any, Any]:
    """The change page at the id of alpha's row: "no such object" when bravo has no row with that
    id, else bravo's own row; alpha's never."""
    in_schema("bravo")
    own = model._base_manager.filter(pk=theirs.pk).exists()
    path = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[theirs.pk]
    )
    response = client_at(BRAVO, session=site.sessions["bravo admin"]).get(path)
    shown = ALPHA_MARK in response.content.decode()
    if own:
        return (response.status_code in (200, 403), shown), (True, False)
    return (*_answer(response), shown), (302, "/admin/", False)


def test_admin_rights_follow_the_role_alone(site: Site) -> None:
    in_schema("bravo")
    staff = {
        role.value: (user.is_staff, user.is_superuser)
        for role in Role
        for user in [make_user(role, partner=_partner_for(role, site.bravo_partner))]
    }
    assert staff == {role.value: (role == Role.ADMIN,) * 2 for role in Role}


def test_setting_a_password_stays_in_the_host(site: Site) -> None:
    """UserAdmin's own page: bravo's users only; at the id of alpha's user, not found."""
    in_schema("bravo")
    bravo_user = User.objects.get(email="admin@bravo.test")
    theirs = site.alpha_rows["accounts.User"]
    assert not User.objects.filter(pk=theirs.pk).exists()
    own, other = (
        reverse("admin:auth_user_password_change", args=[u.pk]) for u in (bravo_user, theirs)
    )
    got = {
        caller: _answer(client_at(BRAVO, session=site.sessions[caller]).get(own))
        for caller in REFUSED
    }
    admin_client = client_at(BRAVO, session=site.sessions["bravo admin"])
    got["bravo admin"] = _answer(admin_client.get(own))
    got["bravo admin at alpha's id"] = _answer(admin_client.get(other))
    assert got == {
        **{caller: (302, _login(own)) for caller in REFUSED},
        "bravo admin": (200, ""),
        "bravo admin at alpha's id": (404, ""),
    }


def test_autocomplete_offers_bravos_rows_only(site: Site) -> None:
    path = "/admin/autocomplete/?app_label=accounts&model_name=user&field_name=partner&term=ISO"
    got = {
        caller: _answer(client_at(BRAVO, session=site.sessions[caller]).get(path))
        for caller in ("alpha admin", "anonymous", Role.PARTNER_ADMIN.value, Role.SALES.value)
    }
    found = client_at(BRAVO, session=site.sessions["bravo admin"]).get(path)
    got["bravo admin"] = (found.status_code, str([r["id"] for r in found.json()["results"]]))
    assert got == {
        **{c: (302, _login(path)) for c in ("alpha admin", "anonymous", "partner_admin", "sales")},
        "bravo admin": (200, str([str(site.bravo_partner.pk)])),
    }
