"""Sell-out and channel stock pages of the partner portal; sell-through and diversion pages of
the vendor portal.

Thin callers of `orders.sellthrough`: rows come from its `*_visible_to` selectors and
`sellthrough_rows`, writes from its services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.models import Partner
from partners.recruitment.selectors import provinces
from partners.selectors import partner_get_visible, partners_visible_to
from prm.accounts.access import partner_required, signed_in_user, vendor_required
from prm.core.forms import attach_errors
from prm.tenancy.selectors import tenant_today

from .models import Product
from .sellthrough import (
    DiversionFilter,
    ImportResult,
    channel_stock_products,
    channel_stock_report,
    channel_stock_reports_of,
    channel_stock_submit,
    diversions_visible_to,
    month_start,
    previous_month,
    sellout_import,
    sellout_record,
    sellouts_visible_to,
    territory_label,
)
from .sellthrough_forms import (
    ChannelMetricsForm,
    ChannelStockForm,
    SellOutForm,
    SellOutImportForm,
    month_value,
)
from .sellthrough_metrics import DEFAULT_WINDOW, sellthrough_rows, sellthrough_window

SALES_PER_PAGE = 25
ROWS_PER_PAGE = 50
DIVERSIONS_PER_PAGE = 25


# --- partner portal -----------------------------------------------------------------------------


def _own_partner(request: HttpRequest) -> Partner:
    user = signed_in_user(request)
    partner = partner_get_visible(user=user, pk=user.partner_id) if user.partner_id else None
    if partner is None:
        raise Http404
    return partner


def _sellable(partner: Partner) -> QuerySet[Product]:
    return Product.objects.filter(product_line__partners=partner).order_by("sku")


def _sales_page(
    request: HttpRequest,
    *,
    form: SellOutForm,
    import_form: SellOutImportForm,
    result: ImportResult | None,
) -> HttpResponse:
    user = signed_in_user(request)
    page = Paginator(sellouts_visible_to(user), SALES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/sellthrough/portal_sales.html",
        {
            "page": page,
            "form": form,
            "import_form": import_form,
            "result": result,
            "province_names": list(provinces().values_list("name", flat=True)),
        },
    )


@partner_required
def my_sales(request: HttpRequest) -> HttpResponse:
    """The partner's sell-out records, a form to add one and the spreadsheet upload."""
    user = signed_in_user(request)
    partner = _own_partner(request)
    form = SellOutForm(request.POST or None, products=_sellable(partner))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sale = sellout_record(
                partner=partner,
                product=data["product"],
                sold_on=data["sold_on"],
                quantity=data["quantity"],
                end_customer=data["end_customer"],
                province=data["province"],
                city=data["city"],
                user=user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if sale.outside_territory:
                messages.warning(
                    request,
                    _(
                        "Sale recorded. %(province)s %(city)s is outside your territory; "
                        "your channel manager will see it flagged."
                    )
                    % {"province": sale.province, "city": sale.city},
                )
            else:
                messages.success(request, _("Sale recorded."))
            return redirect("portal_sellthrough:sales")
    return _sales_page(request, form=form, import_form=SellOutImportForm(), result=None)


@partner_required
@require_POST
def my_sales_import(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    partner = _own_partner(request)
    import_form = SellOutImportForm(request.POST, request.FILES)
    result = None
    if import_form.is_valid():
        result = sellout_import(partner=partner, upload=import_form.cleaned_data["file"], user=user)
    return _sales_page(
        request,
        form=SellOutForm(products=_sellable(partner)),
        import_form=import_form,
        result=result,
    )


def _month(value: str | None, default: dt.date) -> dt.date:
    try:
        return month_start(dt.datetime.strptime(value or "", "%Y-%m").date())
    except ValueError:
        return default


@partner_required
def my_stock(request: HttpRequest) -> HttpResponse:
    """The monthly stock report: one quantity per authorized product, prefilled if reported."""
    user = signed_in_user(request)
    partner = _own_partner(request)
    today = tenant_today()
    month = _month(
        request.POST.get("month") if request.method == "POST" else request.GET.get("month"),
        previous_month(today),
    )
    report = channel_stock_report(partner=partner, period=month)
    current = {line.product_id: line.quantity for line in report.lines.all()} if report else {}
    form = ChannelStockForm(
        request.POST or None,
        products=channel_stock_products(partner=partner, period=month),
        current=current,
        initial={"month": month},
    )
    if request.method == "POST" and form.is_valid():
        try:
            channel_stock_submit(
                partner=partner,
                period=form.cleaned_data["month"],
                quantities=form.quantities(),
                user=user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("Stock report for %(month)s saved.") % {"month": month_value(month)},
            )
            url = reverse("portal_sellthrough:stock")
            return redirect(f"{url}?month={month_value(month)}")
    return render(
        request,
        "orders/sellthrough/portal_stock.html",
        {
            "form": form,
            "month": month,
            "report": report,
            "is_future": month > month_start(today),
            "reports": channel_stock_reports_of(partner)[:12],
        },
    )


# --- vendor portal ------------------------------------------------------------------------------


@vendor_required
def channel_overview(request: HttpRequest) -> HttpResponse:
    """Sell-in, sell-out, channel stock and the rates per partner and SKU."""
    partners = partners_visible_to(request.user).order_by("name")
    query = request.GET.copy()
    query.setdefault("days", str(DEFAULT_WINDOW))
    form = ChannelMetricsForm(query, partners=partners)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    partner, days = data.get("partner"), data.get("days") or DEFAULT_WINDOW
    partner_ids = [partner.pk] if partner else list(partners.values_list("pk", flat=True))
    as_of = tenant_today()
    rows = sellthrough_rows(
        partner_ids=partner_ids,
        product_line=data.get("product_line"),
        as_of=as_of,
        days=days,
    )
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/sellthrough/overview.html",
        {
            "filter": {"form": form},
            "page": page,
            "window": sellthrough_window(as_of=as_of, days=days),
            "days": days,
            "totals": {
                "sell_in": sum(row.sell_in for row in rows),
                "sell_out": sum(row.sell_out for row in rows),
                "diversions": sum(row.diversions for row in rows),
            },
        },
    )


@vendor_required
def diversion_list(request: HttpRequest) -> HttpResponse:
    """Sell-out reported outside the partner's territory (窜货), newest sale first."""
    filterset = DiversionFilter(
        request.GET, queryset=diversions_visible_to(request.user), request=request
    )
    page = Paginator(filterset.qs, DIVERSIONS_PER_PAGE).get_page(request.GET.get("page"))
    for sale in page:
        sale.territory = territory_label(sale.partner)
    return render(
        request, "orders/sellthrough/diversions.html", {"filter": filterset, "page": page}
    )
