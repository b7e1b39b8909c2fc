"""Order lists and pages for both portals, and the moves people make on them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import partner_required, signed_in_user, vendor_required
from prm.core.audit import audit_events_for
from prm.core.flash import flash_outcome

from .cart import cart_reorder
from .models import Order, Warehouse
from .selectors import OrderFilter, orders_visible_to
from .workflow import (
    SHIPPING_ROLES,
    order_approve,
    order_can_cancel,
    order_can_review,
    order_cancel,
    order_confirm_receipt,
    order_reject,
    order_ship,
    review_next,
    review_steps,
)


def _order_list(request: HttpRequest, template: str) -> HttpResponse:
    filterset = OrderFilter(request.GET, queryset=orders_visible_to(request.user))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    return render(request, template, {"filter": filterset, "page": page})


def _visible(request: HttpRequest, pk: int) -> Order:
    order = orders_visible_to(request.user).filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


def _order_detail(
    request: HttpRequest, pk: int, template: str, *, vendor_view: bool
) -> HttpResponse:
    order = _visible(request, pk)
    user = signed_in_user(request)
    context: dict[str, Any] = {
        "order": order,
        "lines": order.lines.select_related("product").order_by("is_gift", "pk"),
        "status_changes": order.status_changes.select_related("actor"),
        "shipments": order.shipments.select_related("warehouse").prefetch_related(
            "lines__order_line__product"
        ),
        "approvals": order.approvals.select_related("approved_by"),
        "can_cancel": order_can_cancel(user, order),
        # The audit trail names vendor staff and every field change: vendor eyes only.
        "audit_events": audit_events_for(order) if vendor_view else None,
    }
    if vendor_view:
        context.update(
            {
                "steps": review_steps(order),
                "next_step": review_next(order),
                "can_review": order_can_review(user, order),
                "can_ship": user.role in SHIPPING_ROLES
                and order.status in ("approved", "partially_shipped"),
                "warehouses": Warehouse.objects.filter(is_active=True),
            }
        )
    return render(request, template, context)


def _done(request: HttpRequest, order: Order, action: Any, success: str, **kwargs: Any) -> None:
    flash_outcome(request, lambda: action(order=order, **kwargs), success)


# --- vendor portal ------------------------------------------------------------------------------


@vendor_required
def order_list(request: HttpRequest) -> HttpResponse:
    return _order_list(request, "orders/order_list.html")


@vendor_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_detail(request, pk, "orders/order_detail.html", vendor_view=True)


@vendor_required
@require_POST
def order_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible(request, pk)
    _done(
        request,
        order,
        order_approve,
        _("Approved."),
        actor=request.user,
        note=request.POST.get("note", ""),
    )
    return redirect("orders:detail", pk=pk)


@vendor_required
@require_POST
def order_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible(request, pk)
    _done(
        request,
        order,
        order_reject,
        _("Rejected; stock and payments were given back."),
        actor=request.user,
        reason=request.POST.get("reason", ""),
    )
    return redirect("orders:detail", pk=pk)


@vendor_required
@require_POST
def order_ship_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible(request, pk)
    warehouse = Warehouse.objects.filter(pk=request.POST.get("warehouse") or 0).first()
    if warehouse is None:
        messages.error(request, _("Choose the warehouse the goods leave from."))
        return redirect("orders:detail", pk=pk)
    quantities = {}
    for line in order.lines.all():
        raw = (request.POST.get(f"ship-{line.pk}") or "0").strip()
        if not raw.isdigit():
            messages.error(request, _("Quantities to ship are whole numbers."))
            return redirect("orders:detail", pk=pk)
        quantities[line.pk] = int(raw)
    _done(
        request,
        order,
        order_ship,
        _("Shipment recorded."),
        actor=request.user,
        warehouse=warehouse,
        carrier=request.POST.get("carrier", ""),
        tracking_number=request.POST.get("tracking_number", ""),
        quantities=quantities,
    )
    return redirect("orders:detail", pk=pk)


@vendor_required
@require_POST
def order_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible(request, pk)
    _done(
        request,
        order,
        order_cancel,
        _("Cancelled; stock and payments were given back."),
        actor=request.user,
        reason=request.POST.get("reason", ""),
    )
    return redirect("orders:detail", pk=pk)


# --- partner portal -----------------------------------------------------------------------------


@partner_required
def portal_order_list(request: HttpRequest) -> HttpResponse:
    return _order_list(request, "portal/order_list.html")


@partner_required
def portal_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_detail(request, pk, "portal/order_detail.html", vendor_view=False)


@partner_required
@require_POST
def portal_order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible(request, pk)
    if not order_can_cancel(request.user, order):
        raise PermissionDenied
    _done(
        request,
        order,
        order_cancel,
        _("Cancelled; your payment was given back."),
        actor=request.user,
        reason=request.POST.get("reason", ""),
    )
    return redirect("portal_orders:detail", pk=pk)


@partner_required
@require_POST
def portal_order_receive(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible(request, pk)
    _done(
        request, order, order_confirm_receipt, _("Thank you: receipt confirmed."), user=request.user
    )
    return redirect("portal_orders:detail", pk=pk)


@partner_required
@require_POST
def portal_order_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible(request, pk)
    skipped = cart_reorder(user=signed_in_user(request), order=order)
    for message in skipped:
        messages.warning(request, message)
    messages.success(request, _("The order's lines are in your cart."))
    return redirect("portal_orders:cart")
