from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from prm.accounts.access import partner_required, vendor_required
from prm.core.audit import audit_events_for

from .selectors import OrderFilter, orders_visible_to


def _order_list(request: HttpRequest, template: str) -> HttpResponse:
    filterset = OrderFilter(request.GET, queryset=orders_visible_to(request.user))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    return render(request, template, {"filter": filterset, "page": page})


def _order_detail(
    request: HttpRequest, pk: int, template: str, *, vendor_view: bool
) -> HttpResponse:
    order = orders_visible_to(request.user).filter(pk=pk).first()
    if order is None:
        raise Http404
    return render(
        request,
        template,
        {
            "order": order,
            "lines": order.lines.select_related("product"),
            "status_changes": order.status_changes.select_related("actor"),
            # The audit trail names vendor staff and every field change: vendor eyes only.
            "audit_events": audit_events_for(order) if vendor_view else None,
        },
    )


@vendor_required
def order_list(request: HttpRequest) -> HttpResponse:
    return _order_list(request, "orders/order_list.html")


@vendor_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_detail(request, pk, "orders/order_detail.html", vendor_view=True)


@partner_required
def portal_order_list(request: HttpRequest) -> HttpResponse:
    return _order_list(request, "portal/order_list.html")


@partner_required
def portal_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_detail(request, pk, "portal/order_detail.html", vendor_view=False)
