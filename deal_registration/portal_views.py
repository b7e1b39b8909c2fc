"""Deal registration in the partner portal: register, check live, submit, follow, close.

Every row comes from `deals_visible_to` (another partner's registration is a 404); what the
page says about a conflict comes from `partner_notice`, which never names the other side.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from prm.accounts.access import partner_required, signed_in_user
from prm.core.flash import flash_outcome
from prm.core.forms import attach_errors, form_errors
from prm.core.rate_limit import rate_take

from .conflicts import Probe, find_conflicts
from .cosell import activities
from .cosell_views import (
    post_activity,
    post_close,
    post_link_orders,
    post_stage,
    serve_activity_file,
    stage_form,
)
from .forms import (
    ActivityForm,
    CloseForm,
    ExtensionForm,
    LinkOrdersForm,
    RegistrationForm,
)
from .models import DealRegistration, DealStatus, ExtensionStatus
from .protection import extension_request
from .registrations import (
    EDITABLE_STATUSES,
    deal_register_blockers,
    registration_save,
    registration_submit,
)
from .selectors import (
    PartnerDealFilter,
    deal_get_visible,
    deals_visible_to,
    own_duplicates,
    partner_notice,
    stored_conflicts,
)

PER_PAGE = 25
CHECKS_PER_MINUTE = 60


def _mine(request: HttpRequest, pk: int) -> DealRegistration:
    found = deal_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


@partner_required
def my_deal_list(request: HttpRequest) -> HttpResponse:
    filterset = PartnerDealFilter(request.GET, queryset=deals_visible_to(request.user))
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "deal_registration/portal_list.html", {"filter": filterset, "page": page}
    )


def _edit(request: HttpRequest, registration: DealRegistration, *, initial: Any = None) -> Any:
    user = signed_in_user(request)
    form = RegistrationForm(
        request.POST or None, instance=registration, partner=registration.partner, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        try:
            registration_save(instance, user=user, products=form.cleaned_data["products"])
            if "submit" in request.POST:
                registration_submit(instance, user=user)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if "submit" in request.POST:
                messages.success(
                    request,
                    _("%(number)s submitted; the channel manager will decide.")
                    % {"number": instance.number},
                )
            else:
                messages.success(
                    request, _("%(number)s saved as a draft.") % {"number": instance.number}
                )
            return redirect("portal_deals:detail", pk=instance.pk)
    return form


@partner_required
def my_deal_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    partner = user.partner
    assert partner is not None
    blockers = deal_register_blockers(partner)
    from . import lead_selectors  # lead distribution builds on registration, not the other way

    lead = None
    if request.GET.get("lead") or request.POST.get("lead"):
        lead = lead_selectors.lead_for_registration(
            user, _int(request.GET.get("lead") or request.POST.get("lead"))
        )
        if lead is None:
            raise Http404
    registration = DealRegistration(partner=partner, lead=lead)
    outcome = _edit(
        request, registration, initial=lead_selectors.lead_prefill(lead) if lead else None
    )
    if isinstance(outcome, HttpResponse):
        return outcome
    return render(
        request,
        "deal_registration/portal_form.html",
        {"form": outcome, "blockers": blockers, "lead": lead, "registration": None},
    )


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise Http404 from None


@partner_required
def my_deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _mine(request, pk)
    if registration.status not in EDITABLE_STATUSES:
        return redirect("portal_deals:detail", pk=pk)
    outcome = _edit(request, registration)
    if isinstance(outcome, HttpResponse):
        return outcome
    return render(
        request,
        "deal_registration/portal_form.html",
        {
            "form": outcome,
            "blockers": deal_register_blockers(registration.partner),
            "registration": registration,
            "lead": registration.lead,
        },
    )


@partner_required
@require_GET
def my_deal_check(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The live duplicate check, answered as the partner types (htmx partial)."""
    user = signed_in_user(request)
    if pk is not None:
        # The id only leaves the partner's own registration out: never a way to probe another's.
        _mine(request, pk)
    assert user.partner is not None
    blockers = deal_register_blockers(user.partner)
    # Each answer tells whether a typed code or phone is someone's customer: only partners that
    # may register ask, and at a person's typing speed.
    allowed = not blockers and rate_take(
        f"deals:check:{user.pk}", limit=CHECKS_PER_MINUTE, window_seconds=60
    )
    if not allowed:
        return render(
            request,
            "deal_registration/_conflict_check.html",
            {"checked": False, "refused": blockers or [_("Too many checks; wait a minute.")]},
        )
    probe = Probe.of(
        customer_name=request.GET.get("customer_name", "")[:200],
        credit_code=request.GET.get("credit_code", "")[:18],
        website=request.GET.get("website", "")[:200],
        contact_email=request.GET.get("contact_email", "")[:254],
        phone=request.GET.get("phone", "")[:32],
        contact_phone=request.GET.get("contact_phone", "")[:32],
        exclude_pk=pk,
    )
    candidates = find_conflicts(probe)
    partner_id = user.partner_id or 0
    return render(
        request,
        "deal_registration/_conflict_check.html",
        {
            "checked": not probe.empty,
            "notice": partner_notice(candidates, partner_id=partner_id),
            "own": own_duplicates(candidates, partner_id=partner_id),
        },
    )


@partner_required
def my_deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _mine(request, pk)
    conflicts = list(stored_conflicts(registration))
    is_open = registration.status in (DealStatus.SUBMITTED, DealStatus.APPROVED)
    return render(
        request,
        "deal_registration/portal_detail.html",
        {
            "registration": registration,
            "notice": partner_notice(conflicts, partner_id=registration.partner_id),
            "own": own_duplicates(conflicts, partner_id=registration.partner_id),
            "status_changes": registration.status_changes.select_related("actor"),
            "activities": activities(registration),
            "activity_form": ActivityForm() if is_open else None,
            "stage_form": stage_form(registration) if is_open else None,
            "close_form": CloseForm(registration=registration)
            if registration.status == DealStatus.APPROVED
            else None,
            "extension_form": ExtensionForm()
            if registration.status == DealStatus.APPROVED
            and not registration.extensions.filter(status=ExtensionStatus.PENDING).exists()
            else None,
            "extensions": registration.extensions.all(),
            "team": registration.team.select_related("user"),
            "orders": registration.orders.all(),
            "link_form": LinkOrdersForm(registration=registration)
            if registration.status == DealStatus.WON
            else None,
            "editable": registration.status in EDITABLE_STATUSES,
        },
    )


@partner_required
@require_POST
def my_deal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _mine(request, pk)
    flash_outcome(
        request,
        lambda: registration_submit(registration, user=request.user),
        _("%(number)s submitted; the channel manager will decide.")
        % {"number": registration.number},
    )
    return redirect("portal_deals:detail", pk=pk)


@partner_required
@require_POST
def my_deal_close(request: HttpRequest, pk: int) -> HttpResponse:
    post_close(request, _mine(request, pk))
    return redirect("portal_deals:detail", pk=pk)


@partner_required
@require_POST
def my_deal_orders(request: HttpRequest, pk: int) -> HttpResponse:
    post_link_orders(request, _mine(request, pk))
    return redirect("portal_deals:detail", pk=pk)


@partner_required
@require_POST
def my_deal_extension(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _mine(request, pk)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("portal_deals:detail", pk=pk)
    flash_outcome(
        request,
        lambda: extension_request(
            registration,
            user=request.user,
            days=form.cleaned_data["days"],
            reason=form.cleaned_data["reason"],
        ),
        _("Extension requested; the channel manager will decide."),
    )
    return redirect("portal_deals:detail", pk=pk)


@partner_required
@require_POST
def my_deal_activity(request: HttpRequest, pk: int) -> HttpResponse:
    post_activity(request, _mine(request, pk))
    return redirect("portal_deals:detail", pk=pk)


@partner_required
@require_POST
def my_deal_stage(request: HttpRequest, pk: int) -> HttpResponse:
    post_stage(request, _mine(request, pk))
    return redirect("portal_deals:detail", pk=pk)


@partner_required
def my_deal_activity_file(request: HttpRequest, pk: int, activity_pk: int) -> FileResponse:
    return serve_activity_file(_mine(request, pk), activity_pk)
