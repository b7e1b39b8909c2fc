"""The matrices cover every URL pattern under api/ and admin/, and name no pattern that is gone.

Read from the URL resolvers, so a new endpoint, action or ModelAdmin page fails here until the
API table or the admin rules say what each caller gets from it.
"""

from __future__ import annotations

from django.contrib import admin

from prm.integrations.api.views import ResourceViewSet

from .admin_table import CUSTOM, SITE, unclassified
from .api_table import CASES
from .routes import PUBLIC_URLS, TENANT_URLS, Route, routes_under


def _methods(route: Route) -> set[str]:
    actions = getattr(route.callback, "actions", None)
    if actions is not None:  # a viewset's route: the methods it maps (HEAD is GET's twin)
        return {method.upper() for method in actions} - {"HEAD"}
    return {"GET"}  # the schema and its docs page


def _api_routes() -> dict[str, Route]:
    return {r.name or r.route: r for r in routes_under("api/")}


def test_every_api_operation_has_a_row_and_every_row_an_operation() -> None:
    served = {(name, m) for name, route in _api_routes().items() for m in _methods(route)}
    tabled = {(case.name, case.method) for case in CASES}
    tabled |= {("api-schema", "GET"), ("api-docs", "GET")}  # test_api_schema_docs.py

    assert (sorted(served - tabled), sorted(tabled - served)) == ([], [])
    assert len(CASES) == len(tabled) - 2  # no operation twice


def test_each_row_names_the_scope_its_view_checks() -> None:
    routes = _api_routes()
    named = {case.name: case.resource for case in CASES}
    checked = {}
    for name in named:
        view = routes[name].callback.cls
        assert issubclass(view, ResourceViewSet), name
        checked[name] = view.api_resource
    assert checked == named


def test_no_api_route_has_a_format_suffix_twin() -> None:
    # `/orders/1/approve.json` answered 500: the actions take no `format` argument.
    assert [r.route for r in routes_under("api/") if "(?P<format>" in r.route] == []


def test_every_admin_pattern_is_covered_on_both_hosts() -> None:
    for urlconf in (TENANT_URLS, PUBLIC_URLS):
        assert unclassified(routes_under("admin/", urlconf)) == [], urlconf


def test_every_admin_entry_names_a_pattern_that_exists() -> None:
    for urlconf in (TENANT_URLS, PUBLIC_URLS):
        names = {r.name for r in routes_under("admin/", urlconf)}
        assert sorted((SITE | set(CUSTOM)) - names) == [], urlconf


def test_every_registered_model_admin_serves_its_pages() -> None:
    names = {r.name for r in routes_under("admin/")}
    missing = {}
    for model in admin.site._registry:
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        wanted = {f"{info}_{v}" for v in ("changelist", "add", "change", "history", "delete")}
        if wanted - names:
            missing[info] = sorted(wanted - names)
    assert missing == {}
