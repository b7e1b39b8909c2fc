from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.models import Partner
from partners.selectors import partner_can_manage, partner_get_visible
from prm.accounts.access import partner_required, signed_in_user, vendor_required

from .forms import StepResolveForm
from .selectors import (
    OnboardingFilter,
    onboarding_step_get_visible,
    onboarding_summary,
    partners_onboarding,
)
from .services import onboarding_set_step, onboarding_start


def _visible_partner(request: HttpRequest, pk: int) -> Partner:
    partner = partner_get_visible(user=request.user, pk=pk)
    if partner is None:
        raise Http404
    return partner


# --- vendor portal ------------------------------------------------------------------------------


@vendor_required
def onboarding_list(request: HttpRequest) -> HttpResponse:
    filterset = OnboardingFilter(request.GET, queryset=partners_onboarding(request.user))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    template = "_vendor_rows.html" if getattr(request, "htmx", False) else "list.html"
    return render(request, f"partners/onboarding/{template}", {"filter": filterset, "page": page})


def _steps_context(request: HttpRequest, partner: Partner, **extra: object) -> dict[str, object]:
    return {
        "partner": partner,
        "can_manage": partner_can_manage(request.user, partner),
        **onboarding_summary(partner),
        **extra,
    }


@vendor_required
def onboarding_partner(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _visible_partner(request, pk)
    return render(request, "partners/onboarding/partner.html", _steps_context(request, partner))


@vendor_required
@require_POST
def onboarding_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _visible_partner(request, pk)
    if not partner_can_manage(request.user, partner):
        raise PermissionDenied
    created = onboarding_start(partner=partner)
    messages.success(
        request, _("Onboarding started.") if created else _("The checklist is up to date.")
    )
    return redirect("onboarding:partner", pk=partner.pk)


@vendor_required
@require_POST
def step_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete or waive a step. htmx requests get the refreshed checklist card back."""
    step = onboarding_step_get_visible(user=request.user, pk=pk)
    if step is None:
        raise Http404
    partner = step.partner
    if not partner_can_manage(request.user, partner):
        raise PermissionDenied
    form = StepResolveForm(request.POST)
    refused = False
    if form.is_valid():
        try:
            onboarding_set_step(
                step=step,
                status=form.cleaned_data["status"],
                actor=signed_in_user(request),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            # A step already done or waived (a second click) has no field to show it at: the
            # page it returns to says so.
            if not hasattr(exc, "error_dict"):
                messages.warning(request, " ".join(exc.messages))
                refused = True
            else:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
    htmx = getattr(request, "htmx", False)
    if form.errors or htmx:
        # Errors show at the step's note field; htmx swaps just the checklist card.
        context = _steps_context(
            request, partner, error_step_id=step.pk if form.errors else None, form=form
        )
        template = "_vendor_steps.html" if htmx else "partner.html"
        return render(request, f"partners/onboarding/{template}", context)
    if not refused:
        messages.success(request, _("Step updated."))
    return redirect("onboarding:partner", pk=partner.pk)


# --- partner portal -----------------------------------------------------------------------------


@partner_required
def checklist(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    partner = partner_get_visible(user=user, pk=user.partner_id) if user.partner_id else None
    if partner is None:
        raise Http404
    return render(
        request,
        "partners/onboarding/checklist.html",
        {"partner": partner, **onboarding_summary(partner)},
    )
