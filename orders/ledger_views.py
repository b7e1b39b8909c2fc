"""Wallet pages of the partner portal and finance pages of the vendor portal.

Thin callers of `orders.ledger`: every row comes from its `*_visible_to` selectors, every write
from its services, and proofs of transfer are served only through the checks here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.models import Partner
from partners.selectors import partner_get_visible, partners_visible_to
from prm.accounts.access import partner_required, signed_in_user, vendor_required
from prm.core.flash import flash_outcome
from prm.core.forms import attach_errors

from .ledger import (
    LedgerEntryFilter,
    TopUpFilter,
    balances,
    ledger_can_manage,
    ledger_can_view,
    ledger_entries_visible_to,
    payment_record,
    top_up_approve,
    top_up_get_visible,
    top_up_reject,
    top_up_submit,
    top_ups_visible_to,
)
from .ledger_forms import PaymentForm, TopUpForm, TopUpRejectForm
from .models import LedgerEntry, TopUpRequest, TopUpStatus, TopUpStatusChange

ENTRIES_PER_PAGE = 25
TOP_UPS_PER_PAGE = 10


def _proof_response(top_up: TopUpRequest) -> FileResponse:
    if not top_up.proof:
        raise Http404
    response = FileResponse(
        top_up.proof.open("rb"),
        as_attachment=True,
        filename=top_up.proof.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _entries_page(
    request: HttpRequest, entries: QuerySet[LedgerEntry]
) -> tuple[LedgerEntryFilter, Any]:
    filterset = LedgerEntryFilter(request.GET, queryset=entries)
    page = Paginator(filterset.qs, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return filterset, page


# --- partner portal -----------------------------------------------------------------------------


def _own_partner(request: HttpRequest) -> Partner:
    user = signed_in_user(request)
    partner = partner_get_visible(user=user, pk=user.partner_id) if user.partner_id else None
    if partner is None:
        raise Http404
    return partner


@partner_required
def my_wallet(request: HttpRequest) -> HttpResponse:
    """Balances, the latest entries, the top-up form and the partner's own top-up requests."""
    user = signed_in_user(request)
    partner = _own_partner(request)
    form = TopUpForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            top_up = top_up_submit(
                partner=partner,
                user=user,
                amount=data["amount"],
                transferred_on=data["transferred_on"],
                bank_reference=data["bank_reference"],
                proof=data["proof"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("Top-up %(number)s submitted; finance will check the transfer.")
                % {"number": top_up.number},
            )
            return redirect("portal_ledger:wallet")
    filterset, page = _entries_page(request, ledger_entries_visible_to(user))
    # The partner sees why finance rejected a request (one query for the whole page).
    rejections = Prefetch(
        "status_changes",
        queryset=TopUpStatusChange.objects.filter(to_status=TopUpStatus.REJECTED),
        to_attr="rejections",
    )
    top_ups = Paginator(
        top_ups_visible_to(user).prefetch_related(rejections), TOP_UPS_PER_PAGE
    ).get_page(request.GET.get("top_ups_page"))
    return render(
        request,
        "orders/ledger/portal_wallet.html",
        {
            "partner": partner,
            "balances": balances(partner),
            "filter": filterset,
            "page": page,
            "top_ups": top_ups,
            "form": form,
        },
    )


@partner_required
def my_top_up_proof(request: HttpRequest, pk: int) -> FileResponse:
    top_up = top_up_get_visible(user=request.user, pk=pk)
    if top_up is None:
        raise Http404
    return _proof_response(top_up)


# --- vendor portal ------------------------------------------------------------------------------


def _require_viewer(request: HttpRequest) -> None:
    if not ledger_can_view(request.user):
        raise PermissionDenied


def _visible_top_up(request: HttpRequest, pk: int) -> TopUpRequest:
    _require_viewer(request)
    top_up = top_up_get_visible(user=request.user, pk=pk)
    if top_up is None:
        raise Http404
    return top_up


@vendor_required
def top_up_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    data = request.GET.copy()
    # Finance's work queue first; "All" in the status filter (status=) shows every request.
    data.setdefault("status", TopUpStatus.SUBMITTED)
    filterset = TopUpFilter(data, queryset=top_ups_visible_to(request.user), request=request)
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/ledger/top_up_list.html",
        {"filter": filterset, "page": page, "can_manage": ledger_can_manage(request.user)},
    )


@vendor_required
def top_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    top_up = _visible_top_up(request, pk)
    can_decide = ledger_can_manage(request.user) and top_up.status == TopUpStatus.SUBMITTED
    return render(
        request,
        "orders/ledger/top_up_detail.html",
        {
            "top_up": top_up,
            "balances": balances(top_up.partner),
            "status_changes": top_up.status_changes.select_related("actor"),
            "can_decide": can_decide,
            "reject_form": TopUpRejectForm() if can_decide else None,
        },
    )


@vendor_required
def top_up_proof(request: HttpRequest, pk: int) -> FileResponse:
    return _proof_response(_visible_top_up(request, pk))


def _managed_top_up(request: HttpRequest, pk: int) -> TopUpRequest:
    top_up = _visible_top_up(request, pk)
    if not ledger_can_manage(request.user):
        raise PermissionDenied
    return top_up


@vendor_required
@require_POST
def top_up_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    top_up = _managed_top_up(request, pk)
    flash_outcome(
        request,
        lambda: top_up_approve(request=top_up, actor=request.user),
        _("%(number)s approved; the partner's prepaid wallet was credited.")
        % {"number": top_up.number},
    )
    return redirect("ledger:top_up", pk=pk)


@vendor_required
@require_POST
def top_up_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    top_up = _managed_top_up(request, pk)
    form = TopUpRejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the top-up is rejected."))
        return redirect("ledger:top_up", pk=pk)
    flash_outcome(
        request,
        lambda: top_up_reject(
            request=top_up, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        _("%(number)s rejected.") % {"number": top_up.number},
    )
    return redirect("ledger:top_up", pk=pk)


@vendor_required
def payment_new(request: HttpRequest) -> HttpResponse:
    if not ledger_can_manage(request.user):
        raise PermissionDenied
    partners = partners_visible_to(request.user).order_by("name")
    initial = {"partner": request.GET.get("partner")} if request.GET.get("partner") else None
    form = PaymentForm(request.POST or None, partners=partners, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = payment_record(
                partner=data["partner"],
                amount=data["amount"],
                received_on=data["received_on"],
                method=data["method"],
                reference=data["reference"],
                actor=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, _("Payment %(number)s recorded.") % {"number": payment.number}
            )
            return redirect("ledger:partner_ledger", partner_pk=payment.partner_id)
    return render(request, "orders/ledger/payment_new.html", {"form": form})


@vendor_required
def partner_ledger(request: HttpRequest, partner_pk: int) -> HttpResponse:
    _require_viewer(request)
    partner = partner_get_visible(user=request.user, pk=partner_pk)
    if partner is None:
        raise Http404
    entries = ledger_entries_visible_to(request.user).filter(account__partner=partner)
    filterset, page = _entries_page(request, entries)
    return render(
        request,
        "orders/ledger/partner_ledger.html",
        {
            "partner": partner,
            "balances": balances(partner),
            "filter": filterset,
            "page": page,
            "can_manage": ledger_can_manage(request.user),
        },
    )
