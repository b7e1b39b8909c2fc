"""The vendor cockpit, its drill-down lists and their exports."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from orders.ledger import ledger_can_view
from prm.accounts.access import signed_in_user, vendor_required

from . import figure_drills  # noqa: F401  (registers the channel figures' lists)
from .cockpit import sales_picture
from .cockpit_channel import channel_kpis, channel_picture, funnel_chart
from .cockpit_tables import sales_charts, sales_kpis, sales_tables
from .drill import DRILLS, PAGE_LIMIT, ROW_LIMIT
from .filters import CockpitFilter, cockpit_scope
from .tables import table_response

MONEY_DRILLS = frozenset({"payments"})

NOT_FILTERS = ("export", "table", "page")
EXPORTS = ("csv", "xlsx")


def filters_only(params: QueryDict) -> QueryDict:
    kept = params.copy()
    for name in NOT_FILTERS:
        kept.pop(name, None)
    return kept


def drill_link(params: QueryDict) -> Any:
    """link(what, **overrides): the drill-down list `what` under the page's filters."""

    def link(what: str, **overrides: str) -> str:
        query = filters_only(params)
        for name, value in overrides.items():
            query[name] = value
        return f"{reverse('reports:drill', args=[what])}?{query.urlencode()}"

    return link


@vendor_required
def cockpit(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    filterset = CockpitFilter(request.GET or None, user=user)
    scope = cockpit_scope(filterset)
    picture = sales_picture(scope)
    link = drill_link(request.GET)
    tables = {t.key: t for t in sales_tables(picture, link)}
    fmt = request.GET.get("export")
    if fmt in EXPORTS:
        table = tables.get(request.GET.get("table", ""))
        if table is None:
            raise Http404
        return table_response(table, fmt, stamp=scope.today)
    channel = channel_picture(scope)
    charts = sales_charts(picture, tables)
    charts["funnel"] = funnel_chart(channel.funnel, link)
    return render(
        request,
        "reports/cockpit.html",
        {
            "filter": filterset,
            "scope": scope,
            "sales": picture,
            "tables": tables,
            "channel": channel,
            "charts": charts,
            "kpis": sales_kpis(picture, link) + channel_kpis(channel, link),
            "link": {
                "orders": link("orders"),
                "shipments": link("shipments"),
                "payments": link("payments"),
                "partners": link("partners"),
                "ordering": link("partners", which="ordering"),
                "idle": link("partners", which="idle"),
            },
            "query": filters_only(request.GET).urlencode(),
        },
    )


@vendor_required
def drill(request: HttpRequest, what: str) -> HttpResponse:
    found = DRILLS.get(what)
    if found is None:
        raise Http404
    user = signed_in_user(request)
    if what in MONEY_DRILLS and not ledger_can_view(user):
        # The rows behind the total are partners' money: the ledger's rule, not the cockpit's.
        raise PermissionDenied
    filterset = CockpitFilter(request.GET or None, user=user)
    scope = cockpit_scope(filterset)
    fmt = request.GET.get("export")
    if fmt in EXPORTS:
        return table_response(found.build(scope, request.GET, ROW_LIMIT), fmt, stamp=scope.today)
    table = found.build(scope, request.GET, PAGE_LIMIT)
    page = Paginator(list(zip(table.rows, table.links, strict=True)), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/drill.html",
        {
            "filter": filterset,
            "scope": scope,
            "table": table,
            "page": page,
            "truncated": len(table.rows) >= PAGE_LIMIT,
            "query": filters_only(request.GET).urlencode(),
            "cockpit_url": f"{reverse('reports:cockpit')}?{filters_only(request.GET).urlencode()}",
        },
    )
