"""Vendor pages for stock: the list, one row's movements, receiving goods and stock counts.

Every vendor role may look; receiving and counting are for the order desk and admins.
Partner users never reach these pages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm.accounts.access import signed_in_user, vendor_required
from prm.core.audit import audit_events_for
from prm.core.forms import attach_errors

from .inventory import (
    MEMO_MAX,
    StockFilter,
    inventory_can_manage,
    stock_adjust,
    stock_get_visible,
    stock_movements,
    stock_receive,
    stocks_visible_to,
)
from .models import Product, Stock, Warehouse

MAX_UNITS = 1_000_000  # per receipt or count; far below the integer column's limit
LIST_PAGE = 50
MOVEMENTS_PAGE = 50


class SkuField(forms.ModelChoiceField):
    """A product typed (or scanned) by its SKU."""

    def to_python(self, value: Any) -> Any:
        return super().to_python(value.strip() if isinstance(value, str) else value)


class ReceiveForm(forms.Form):
    product = SkuField(
        label=gettext_lazy("SKU"),
        queryset=Product.objects.all(),
        to_field_name="sku",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid_choice": gettext_lazy("No product has this SKU.")},
    )
    warehouse = forms.ModelChoiceField(
        label=gettext_lazy("Warehouse"), queryset=Warehouse.objects.filter(is_active=True)
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity received"), min_value=1, max_value=MAX_UNITS
    )
    memo = forms.CharField(
        label=gettext_lazy("Memo"),
        required=False,
        max_length=MEMO_MAX,
        help_text=gettext_lazy("e.g. the delivery note or purchase order no."),
    )


class StockCountForm(forms.Form):
    counted = forms.IntegerField(
        label=gettext_lazy("Counted on hand"), min_value=0, max_value=MAX_UNITS
    )
    memo = forms.CharField(
        label=gettext_lazy("Memo"),
        max_length=MEMO_MAX,
        help_text=gettext_lazy("Who counted, or why the count differs."),
    )


def _visible(request: HttpRequest, pk: int) -> Stock:
    stock = stock_get_visible(user=request.user, pk=pk)
    if stock is None:
        raise Http404
    return stock


def _require_manager(request: HttpRequest) -> Any:
    user = signed_in_user(request)
    if not inventory_can_manage(user):
        raise PermissionDenied
    return user


@vendor_required
def stock_list(request: HttpRequest) -> HttpResponse:
    filterset = StockFilter(request.GET, queryset=stocks_visible_to(request.user))
    page = Paginator(filterset.qs, LIST_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/inventory/list.html",
        {"filter": filterset, "page": page, "can_manage": inventory_can_manage(request.user)},
    )


@vendor_required
def stock_detail(request: HttpRequest, pk: int) -> HttpResponse:
    stock = _visible(request, pk)
    can_manage = inventory_can_manage(request.user)
    page = Paginator(stock_movements(stock), MOVEMENTS_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/inventory/detail.html",
        {
            "stock": stock,
            "page": page,
            "can_manage": can_manage,
            "count_form": StockCountForm(initial={"counted": stock.on_hand})
            if can_manage
            else None,
            "audit_events": audit_events_for(stock),
        },
    )


@vendor_required
def stock_receive_view(request: HttpRequest) -> HttpResponse:
    user = _require_manager(request)
    initial: dict[str, Any] = {}
    if (stock_pk := request.GET.get("stock", "")).isdigit():
        stock = stock_get_visible(user=user, pk=int(stock_pk))
        if stock is not None:
            initial = {"product": stock.product, "warehouse": stock.warehouse_id}
    form = ReceiveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stock = stock_receive(
                product=data["product"],
                warehouse=data["warehouse"],
                quantity=data["quantity"],
                memo=data["memo"],
                actor=user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("Received %(quantity)d of %(product)s; %(on_hand)d now on hand.")
                % {
                    "quantity": data["quantity"],
                    "product": stock.product.display_name,
                    "on_hand": stock.on_hand,
                },
            )
            return redirect("inventory:detail", pk=stock.pk)
    return render(request, "orders/inventory/receive.html", {"form": form})


@vendor_required
def stock_count_view(request: HttpRequest, pk: int) -> HttpResponse:
    stock = _visible(request, pk)
    user = _require_manager(request)
    form = StockCountForm(request.POST or None, initial={"counted": stock.on_hand})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            counted = stock_adjust(
                stock=stock, counted=data["counted"], memo=data["memo"], actor=user
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("Count recorded: %(on_hand)d on hand.") % {"on_hand": counted.on_hand},
            )
            return redirect("inventory:detail", pk=stock.pk)
    return render(request, "orders/inventory/count.html", {"stock": stock, "form": form})
