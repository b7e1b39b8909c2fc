"""Return pages of the partner portal (ask, follow) and of the vendor portal (decide, receive).

Thin callers of `orders.returns`: every row comes from its `*_visible_to` selectors (another
partner's or vendor's return is a 404), every write from its services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import partner_required, signed_in_user, vendor_required
from prm.core.flash import flash_outcome
from prm.core.forms import attach_errors

from .models import ReturnRequest, ReturnStatus
from .returns import (
    RETURNABLE_ORDER_STATUSES,
    ReturnFilter,
    return_approve,
    return_can_decide,
    return_get_visible,
    return_lines,
    return_receive,
    return_reject,
    return_request,
    returnable_lines,
    returns_visible_to,
)
from .returns_forms import ReturnReceiveForm, ReturnRejectForm, ReturnRequestForm
from .selectors import orders_visible_to

RETURNS_PER_PAGE = 25


def _visible(request: HttpRequest, pk: int) -> ReturnRequest:
    found = return_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


def _list(request: HttpRequest, template: str) -> HttpResponse:
    filterset = ReturnFilter(request.GET, queryset=returns_visible_to(request.user))
    page = Paginator(filterset.qs, RETURNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, template, {"filter": filterset, "page": page})


def _detail_context(rma: ReturnRequest) -> dict[str, Any]:
    return {
        "rma": rma,
        "order": rma.order,
        "lines": return_lines(rma),
        "status_changes": rma.status_changes.select_related("actor"),
    }


# --- partner portal -----------------------------------------------------------------------------


@partner_required
def my_return_list(request: HttpRequest) -> HttpResponse:
    return _list(request, "orders/returns/portal_list.html")


@partner_required
def my_return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rma = _visible(request, pk)
    return render(request, "orders/returns/portal_detail.html", _detail_context(rma))


@partner_required
def my_return_new(request: HttpRequest, order_pk: int) -> HttpResponse:
    """The order's lines with how many units of each may come back, a quantity each, a reason."""
    user = signed_in_user(request)
    order = orders_visible_to(user).filter(pk=order_pk).first()
    if order is None:
        raise Http404
    shipped = order.status in RETURNABLE_ORDER_STATUSES
    lines = returnable_lines(order) if shipped else []
    form = ReturnRequestForm(request.POST or None, lines=lines)
    if request.method == "POST" and shipped and form.is_valid():
        try:
            rma = return_request(
                order=order,
                user=user,
                quantities=form.quantities(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("Return %(number)s requested; the order desk will review it.")
                % {"number": rma.number},
            )
            return redirect("portal_returns:detail", pk=rma.pk)
    return render(
        request,
        "orders/returns/portal_new.html",
        {
            "order": order,
            "form": form,
            "shipped": shipped,
            "anything_returnable": any(item.returnable for item in lines),
        },
    )


# --- vendor portal ------------------------------------------------------------------------------


@vendor_required
def return_list(request: HttpRequest) -> HttpResponse:
    return _list(request, "orders/returns/list.html")


@vendor_required
def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rma = _visible(request, pk)
    can_decide = return_can_decide(request.user)
    return render(
        request,
        "orders/returns/detail.html",
        {
            **_detail_context(rma),
            "can_approve": can_decide and rma.status == ReturnStatus.REQUESTED,
            "can_receive": can_decide and rma.status == ReturnStatus.APPROVED,
            "reject_form": ReturnRejectForm(),
            "receive_form": ReturnReceiveForm(),
        },
    )


def _decided(request: HttpRequest, pk: int) -> ReturnRequest:
    rma = _visible(request, pk)
    if not return_can_decide(request.user):
        raise PermissionDenied
    return rma


@vendor_required
@require_POST
def return_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    rma = _decided(request, pk)
    flash_outcome(
        request,
        lambda: return_approve(request=rma, actor=request.user),
        _("%(number)s approved; the dealer may send the goods back.") % {"number": rma.number},
    )
    return redirect("returns:detail", pk=pk)


@vendor_required
@require_POST
def return_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    rma = _decided(request, pk)
    form = ReturnRejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the return is rejected."))
        return redirect("returns:detail", pk=pk)
    flash_outcome(
        request,
        lambda: return_reject(request=rma, actor=request.user, reason=form.cleaned_data["reason"]),
        _("%(number)s rejected.") % {"number": rma.number},
    )
    return redirect("returns:detail", pk=pk)


@vendor_required
@require_POST
def return_receive_view(request: HttpRequest, pk: int) -> HttpResponse:
    rma = _decided(request, pk)
    form = ReturnReceiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the warehouse the goods came back to."))
        return redirect("returns:detail", pk=pk)
    flash_outcome(
        request,
        lambda: return_receive(
            request=rma, actor=request.user, warehouse=form.cleaned_data["warehouse"]
        ),
        _("%(number)s received; the goods are back in stock and the wallet was credited.")
        % {"number": rma.number},
    )
    return redirect("returns:detail", pk=pk)
