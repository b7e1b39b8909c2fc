"""The Django admin's URL patterns, sorted into the rules that cover them.

One admin site serves both kinds of host: each vendor's (its own schema) and the platform's (the
public schema). Its patterns are of three kinds:

* the site's own pages (`SITE`): index, login, app lists, autocomplete...;
* the standard pages of each registered ModelAdmin (`MODEL_VIEWS`, plus the bare
  `<object_id>/` redirect): the matrix opens every one for every ModelAdmin in the registry, so a
  new ModelAdmin is covered without an entry here;
* the pages a ModelAdmin adds itself (`CUSTOM`): each needs its own entry and test.

`test_completeness` fails when a pattern fits none of these, or an entry names a pattern that
is gone.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model

from .routes import Route

# The site's own pages, by URL name; the catch-all (no name) answers every other admin/ path.
SITE = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "jsi18n",
    "autocomplete",
    "view_on_site",
    "app_list",
}
CATCH_ALL = "admin/(?P<url>.*)$"

# Each ModelAdmin's pages; "auditlog" is django-auditlog's history, on the ones with its mixin.
MODEL_VIEWS = ("changelist", "add", "change", "history", "delete", "auditlog")

# Pages a ModelAdmin adds itself: URL name → the test that covers it.
CUSTOM = {
    "tenancy_tenant_provision": "test_admin_platform.py::test_provisioning_is_the_platforms",
    "auth_user_password_change": "test_admin_vendor.py::test_setting_a_password_stays_in_the_host",
}


def model_route_names(model: type[Model]) -> set[str]:
    info = f"{model._meta.app_label}_{model._meta.model_name}"
    return {f"{info}_{view}" for view in MODEL_VIEWS}


def redirect_route(model: type[Model]) -> str:
    return f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"


def unclassified(routes: list[Route]) -> list[str]:
    """The admin patterns no rule covers."""
    named: set[str] = set(SITE) | set(CUSTOM)
    redirects = set()
    for model in admin.site._registry:
        named |= model_route_names(model)
        redirects.add(redirect_route(model))
    return sorted(
        r.route
        for r in routes
        if not (r.name in named or r.route == CATCH_ALL or r.route in redirects)
    )
