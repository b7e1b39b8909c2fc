"""Rebate pages: the partner's live progress, explanations and statements; the vendor's accruals
and settlement. Every accrual comes from `accruals_visible_to` (another partner's is a 404)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import partner_required, signed_in_user, vendor_required
from prm.accounts.roles import Role
from prm.core.flash import flash_outcome
from prm.tenancy.selectors import tenant_today

from .explanation import explain
from .models import RebateAccrual, RebateProgram, SettlementMethod
from .programs import program_activate, program_can_manage
from .selectors import (
    AccrualFilter,
    accrual_get_visible,
    accruals_listed,
    accruals_visible_to,
    partner_progress,
    settlements_visible_to,
)
from .settlement import settle, settlement_due
from .simulation import simulate
from .statement import statement_filename, statement_pdf

PER_PAGE = 25
SIMULATION_ROLES = frozenset({Role.ADMIN, Role.FINANCE})


def _visible(request: HttpRequest, pk: int) -> RebateAccrual:
    found = accrual_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


def _explain(accrual: RebateAccrual) -> dict[str, object]:
    return {
        "accrual": accrual,
        "explanation": explain(accrual),
        "settlements": accrual.settlements.select_related("settled_by").order_by("settled_at"),
        "bands": accrual.program.bands.order_by("threshold_from"),
    }


# --- partner portal -----------------------------------------------------------------------------


@partner_required
def my_rebates(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    assert user.partner is not None
    accruals = accruals_listed(user).order_by("-period_start", "program__code")
    return render(
        request,
        "rebates/portal_progress.html",
        {
            "progress": partner_progress(user.partner),
            "page": Paginator(accruals, PER_PAGE).get_page(request.GET.get("page")),
            "settlements": settlements_visible_to(user)[:20],
        },
    )


@partner_required
def my_accrual(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "rebates/portal_accrual.html", _explain(_visible(request, pk)))


@partner_required
def my_statement(request: HttpRequest, period_start: str) -> HttpResponse:
    user = signed_in_user(request)
    assert user.partner is not None
    try:
        start = date.fromisoformat(period_start)
    except ValueError:
        raise Http404 from None
    if not accruals_visible_to(user).filter(period_start=start).exists():
        raise Http404
    response = HttpResponse(statement_pdf(user.partner, start), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{statement_filename(user.partner, start)}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- vendor portal ------------------------------------------------------------------------------


@vendor_required
def accrual_list(request: HttpRequest) -> HttpResponse:
    filterset = AccrualFilter(request.GET, queryset=accruals_listed(request.user))
    page = Paginator(
        filterset.qs.order_by("-period_start", "program__code", "partner__name"), PER_PAGE
    )
    return render(
        request,
        "rebates/list.html",
        {"filter": filterset, "page": page.get_page(request.GET.get("page"))},
    )


@vendor_required
def accrual_detail(request: HttpRequest, pk: int) -> HttpResponse:
    accrual = _visible(request, pk)
    return render(
        request,
        "rebates/detail.html",
        {
            **_explain(accrual),
            "due": settlement_due(accrual),
            "period_running": accrual.period_end >= tenant_today(),
        },
    )


@vendor_required
@require_POST
def accrual_settle(request: HttpRequest, pk: int) -> HttpResponse:
    accrual = _visible(request, pk)
    payout = request.POST.get("method") == SettlementMethod.PAYOUT
    flash_outcome(
        request,
        lambda: settle(
            accrual,
            actor=request.user,
            note=request.POST.get("note", "")[:200],
            method=request.POST.get("method", SettlementMethod.CREDIT),
            payout_reference=request.POST.get("payout_reference", "")[:64],
        ),
        (
            _("Settled: the payout to %(partner)s was recorded.")
            if payout
            else _("Settled: the rebate credit of %(partner)s was updated.")
        )
        % {"partner": accrual.partner.name},
    )
    return redirect("rebates:detail", pk=pk)


@vendor_required
def program_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "rebates/programs.html",
        {"programs": RebateProgram.objects.prefetch_related("bands").order_by("status", "code")},
    )


@vendor_required
def program_simulate(request: HttpRequest, pk: int) -> HttpResponse:
    """Money across every partner: for the people who decide programs and pay them."""
    if signed_in_user(request).role not in SIMULATION_ROLES:
        raise PermissionDenied
    program = RebateProgram.objects.filter(pk=pk).prefetch_related("bands").first()
    if program is None:
        raise Http404
    return render(
        request,
        "rebates/simulation.html",
        {
            "program": program,
            "simulation": simulate(program),
            "can_activate": program_can_manage(request.user),
        },
    )


@vendor_required
@require_POST
def program_activate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The last step after simulating a draft: partners see it and it accrues from tonight."""
    program = RebateProgram.objects.filter(pk=pk).first()
    if program is None:
        raise Http404
    flash_outcome(
        request,
        lambda: program_activate(program, actor=request.user),
        _("%(program)s is active: partners see their progress from now on.")
        % {"program": program.name},
    )
    return redirect("rebates:programs")
