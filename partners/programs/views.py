from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.models import ProgramSettings
from partners.selectors import partner_get_visible
from prm.accounts.access import partner_required, signed_in_user, vendor_required
from prm.accounts.roles import Role

from .forms import DecisionForm
from .models import CustomKpi, TierProposal
from .selectors import (
    ProposalFilter,
    criteria_overview,
    partner_scorecard,
    proposal_can_decide,
    proposal_get_visible,
    proposals_visible_to,
    runs_list,
    tier_history,
    tiers_by_rank,
)
from .services import tier_evaluate, tier_proposal_decide

# --- vendor portal ------------------------------------------------------------------------------


@vendor_required
def criteria(request: HttpRequest) -> HttpResponse:
    """Read-only: the vendor configures criteria, KPIs and tier minimums in the admin."""
    return render(
        request,
        "partners/programs/criteria.html",
        {
            "lines": criteria_overview(),
            "tiers": tiers_by_rank(),
            "kpis": CustomKpi.objects.all(),
            "auto_apply": ProgramSettings.current().tier_auto_apply,
        },
    )


@vendor_required
def proposals(request: HttpRequest) -> HttpResponse:
    filterset = ProposalFilter(request.GET, queryset=proposals_visible_to(request.user))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    return render(
        request, "partners/programs/proposal_list.html", {"filter": filterset, "page": page}
    )


def _visible_proposal(request: HttpRequest, pk: int) -> TierProposal:
    proposal = proposal_get_visible(user=request.user, pk=pk)
    if proposal is None:
        raise Http404
    return proposal


@vendor_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    can_decide = proposal_can_decide(request.user, proposal)
    return render(
        request,
        "partners/programs/proposal_detail.html",
        {
            "proposal": proposal,
            "scorecard": proposal.explanation,
            "can_decide": can_decide,
            "form": DecisionForm() if can_decide else None,
            "status_changes": proposal.status_changes.select_related("actor"),
        },
    )


@vendor_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    if not proposal_can_decide(request.user, proposal):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == DecisionForm.APPROVE
        try:
            tier_proposal_decide(
                proposal=proposal,
                approve=approve,
                actor=signed_in_user(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Tier change applied.") if approve else _("Rejected."))
            return redirect("programs:proposal", pk=proposal.pk)
    status_changes = proposal.status_changes.select_related("actor")
    return render(
        request,
        "partners/programs/proposal_detail.html",
        {
            "proposal": proposal,
            "scorecard": proposal.explanation,
            "can_decide": True,
            "form": form,
            "status_changes": status_changes,
        },
        status=200 if form.is_valid() else 400,
    )


@vendor_required
def runs(request: HttpRequest) -> HttpResponse:
    page = Paginator(runs_list(), 25).get_page(request.GET.get("page"))
    return render(request, "partners/programs/run_list.html", {"page": page})


@vendor_required
@require_POST
def run_now(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if user.role != Role.ADMIN:
        raise PermissionDenied
    run = tier_evaluate(actor=user)
    messages.success(
        request,
        _("Evaluated %(partners)d partners; %(proposals)d tier changes proposed.")
        % {"partners": run.partners_evaluated, "proposals": run.proposals_created},
    )
    return redirect("programs:runs")


# --- partner portal -----------------------------------------------------------------------------


@partner_required
def my_scorecard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    partner = partner_get_visible(user=user, pk=user.partner_id) if user.partner_id else None
    if partner is None:
        raise Http404
    return render(
        request,
        "partners/programs/my_scorecard.html",
        {
            "partner": partner,
            "scorecard": partner_scorecard(partner),
            "tier_changes": tier_history(partner),
        },
    )
