"""The dealer's side of the mall: catalog, cart, checkout."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.gates import ORDERING, partner_blockers
from partners.models import Partner
from prm.accounts.access import partner_required, signed_in_user
from prm.core.files import CONTENT_TYPES, sniff

from .cart import (
    cart_add,
    cart_add_sku,
    cart_checkout,
    cart_for,
    cart_lines,
    cart_quote,
    cart_refresh_prices,
    cart_set,
    cart_upload,
)
from .catalog import CatalogFilter, products_for_partner
from .checkout import payment_split
from .inventory import stock_available
from .ledger import balances
from .mall_forms import CheckoutForm, QuickOrderForm, UploadForm
from .models import Product
from .pricing import prices_for

# A dealer's catalog page: a screen of products with their prices, as vendors' malls show.
CATALOG_PAGE_SIZE = 50


def _partner(request: HttpRequest) -> Partner:
    return cart_for(signed_in_user(request)).partner


@partner_required
def catalog(request: HttpRequest) -> HttpResponse:
    partner = _partner(request)
    filterset = CatalogFilter(request.GET, queryset=products_for_partner(partner), partner=partner)
    page = Paginator(filterset.qs, CATALOG_PAGE_SIZE).get_page(request.GET.get("page"))
    products = list(page.object_list)
    # One query each for every product on the page: prices, then stock.
    quotes = {
        q.product.pk: q for q in prices_for(partner=partner, items=[(p, 1) for p in products])
    }
    available = stock_available([p.pk for p in products])
    rows = [
        {"product": p, "quote": quotes[p.pk], "available": available.get(p.pk, 0)} for p in products
    ]
    return render(
        request,
        "orders/mall/catalog.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "blockers": partner_blockers(partner, ORDERING),
            "quick_form": QuickOrderForm(),
        },
    )


@login_required
def product_image(request: HttpRequest, pk: int) -> FileResponse:
    """Product pictures are a vendor's files too: shown to its staff and to dealers authorized
    for the product's line, never from a public URL."""
    user = signed_in_user(request)
    products = (
        products_for_partner(cart_for(user).partner)
        if user.is_partner_user
        else Product.objects.all()
    )
    product = products.filter(pk=pk).exclude(image="").first()
    if product is None:
        raise Http404
    handle = product.image.open("rb")
    # The type its bytes show, not the one its name suggests: "x.html" holding a PNG is sent as
    # image/png, and anything else as a download.
    kind = sniff(handle)
    image_type = CONTENT_TYPES[kind] if kind in ("png", "jpeg") else "application/octet-stream"
    response = FileResponse(handle, content_type=image_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@partner_required
@require_POST
def cart_add_view(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    product = get_object_or_404(
        products_for_partner(cart_for(user).partner), pk=request.POST.get("product")
    )
    try:
        cart_add(user=user, product=product, quantity=int(request.POST.get("quantity") or 1))
        messages.success(request, _("%(sku)s added to the cart.") % {"sku": product.sku})
    except (ValidationError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(request.POST.get("next") or "portal_orders:catalog")


@partner_required
@require_POST
def cart_quick_add(request: HttpRequest) -> HttpResponse:
    form = QuickOrderForm(request.POST)
    if form.is_valid():
        try:
            cart_add_sku(user=signed_in_user(request), **form.cleaned_data)
            messages.success(request, _("Added to the cart."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Give a SKU and a quantity of at least 1."))
    return redirect("portal_orders:cart")


@partner_required
def cart(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    current = cart_for(user)
    upload_result = None
    upload_form = UploadForm()
    if request.method == "POST" and "file" in request.FILES:
        upload_form = UploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            try:
                upload_result = cart_upload(user=user, upload=upload_form.cleaned_data["file"])
            except ValidationError as exc:
                upload_form.add_error("file", exc.messages)
    lines = cart_lines(current)
    quote = cart_quote(current) if lines else None
    return render(
        request,
        "orders/mall/cart.html",
        {
            "lines": lines,
            "quote": quote,
            "quick_form": QuickOrderForm(),
            "upload_form": upload_form,
            "upload_result": upload_result,
            "blockers": partner_blockers(current.partner, ORDERING),
        },
    )


@partner_required
@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    for line in cart_lines(cart_for(user)):
        raw = request.POST.get(f"qty-{line.pk}")
        if raw is None:
            continue
        try:
            cart_set(user=user, product=line.product, quantity=int(raw))
        except (ValidationError, ValueError) as exc:
            messages.error(
                request, f"{line.product.sku}: {' '.join(getattr(exc, 'messages', [str(exc)]))}"
            )
    if request.POST.get("refresh_prices"):
        cart_refresh_prices(cart_for(user))
        messages.info(request, _("The cart now shows today's prices."))
    return redirect("portal_orders:cart")


@partner_required
def checkout_view(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    current = cart_for(user)
    lines = cart_lines(current)
    if not lines:
        messages.info(request, _("Your cart is empty."))
        return redirect("portal_orders:catalog")
    partner = current.partner
    form = CheckoutForm(request.POST or None, initial={"ship_to": partner.address})
    if request.method == "POST" and form.is_valid():
        try:
            order = cart_checkout(user=user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Order %(number)s placed.") % {"number": order.number})
            return redirect("portal_orders:detail", pk=order.pk)
    quote = cart_quote(current)
    money = balances(partner)
    split = payment_split(
        total=quote.total,
        rebate_available=money["rebate"],
        prepaid_available=money["prepaid"],
        currency=quote.currency,
        use_rebate=bool(form["use_rebate"].value()),
        use_prepaid=bool(form["use_prepaid"].value()),
    )
    return render(
        request,
        "orders/mall/checkout.html",
        {
            "form": form,
            "quote": quote,
            "money": money,
            "split": split,
            "credit_short": max(split.credit - money["credit_available"], Decimal("0")),
            "blockers": partner_blockers(partner, ORDERING),
        },
    )
