"""Lead pages of the vendor portal (enter, route, offer, close) and of the partner portal
(answer an offer, then register the deal).

Thin callers of `deal_registration.leads`: every row comes from `leads_visible_to` (a lead that
is not the partner's, or another vendor's, is a 404), every write from its services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import partner_required, signed_in_user, vendor_required
from prm.core.forms import attach_errors

from .lead_forms import LeadCloseForm, LeadDeclineForm, LeadForm, LeadOfferForm
from .lead_selectors import (
    LeadFilter,
    PortalLeadFilter,
    lead_conversion,
    lead_get_visible,
    lead_offer_of,
    lead_offers,
    leads_visible_to,
    visible_partner_ids,
)
from .leads import (
    OFFERABLE_STATUSES,
    OPEN_LEAD_STATUSES,
    ROUTABLE_STATUSES,
    lead_can_manage,
    lead_close,
    lead_create,
    lead_eligible_partners,
    lead_offer_to,
    lead_route,
    offer_accept,
    offer_can_answer,
    offer_decline,
)
from .models import DealRegistration, Lead, LeadStatus, OfferStatus

LEADS_PER_PAGE = 25


def _visible(request: HttpRequest, pk: int) -> Lead:
    found = lead_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


def _page(request: HttpRequest, filterset: Any) -> Any:
    return Paginator(filterset.qs, LEADS_PER_PAGE).get_page(request.GET.get("page"))


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# --- vendor portal ------------------------------------------------------------------------------


@vendor_required
def lead_list(request: HttpRequest) -> HttpResponse:
    filterset = LeadFilter(request.GET, queryset=leads_visible_to(request.user))
    return render(
        request,
        "deal_registration/leads/list.html",
        {
            "filter": filterset,
            "page": _page(request, filterset),
            "conversion": lead_conversion(request.user),
            "can_manage": lead_can_manage(request.user),
            "now": timezone.now(),
        },
    )


@vendor_required
def lead_new(request: HttpRequest) -> HttpResponse:
    if not lead_can_manage(request.user):
        raise PermissionDenied
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        route = data.pop("route_now")
        try:
            lead = lead_create(actor=request.user, route=route, **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            _report_routing(request, lead, routed=route)
            return redirect("leads:detail", pk=lead.pk)
    return render(request, "deal_registration/leads/new.html", {"form": form})


def _report_routing(request: HttpRequest, lead: Lead, *, routed: bool) -> None:
    if not routed:
        messages.success(request, _("Lead %(number)s saved.") % {"number": lead.number})
    elif lead.status == LeadStatus.OFFERED and lead.partner is not None:
        messages.success(
            request,
            _("Lead %(number)s offered to %(partner)s.")
            % {"number": lead.number, "partner": lead.partner.display_name},
        )
    else:
        messages.warning(
            request,
            _(
                "No partner qualifies for lead %(number)s: check territories, product lines and "
                "capacity, or offer it to a partner yourself."
            )
            % {"number": lead.number},
        )


@vendor_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible(request, pk)
    can_manage = lead_can_manage(request.user)
    can_offer = can_manage and lead.status in OFFERABLE_STATUSES
    visible = visible_partner_ids(request.user)
    offers = list(lead_offers(lead))
    hidden = {o.pk for o in offers if o.partner_id not in visible}
    for offer in offers:
        offer.hidden = offer.pk in hidden  # type: ignore[attr-defined]
    history = lead.status_changes.select_related("actor")
    return render(
        request,
        "deal_registration/leads/detail.html",
        {
            "lead": lead,
            "offers": offers,
            # Reasons name the partners that declined: not for a manager who may not see them.
            "status_changes": [] if hidden else history,
            "registration": DealRegistration.objects.filter(lead=lead).first(),
            "can_route": can_manage and lead.status in ROUTABLE_STATUSES,
            "can_offer": can_offer,
            "candidates": [c for c in lead_eligible_partners(lead) if c.partner.pk in visible]
            if can_offer
            else [],
            "can_close": can_manage and lead.status in OPEN_LEAD_STATUSES,
            "can_mark_outcome": can_manage and lead.status == LeadStatus.ACCEPTED,
            "close_form": LeadCloseForm(),
            "now": timezone.now(),
        },
    )


def _managed(request: HttpRequest, pk: int) -> Lead:
    lead = _visible(request, pk)
    if not lead_can_manage(request.user):
        raise PermissionDenied
    return lead


@vendor_required
@require_POST
def lead_route_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _managed(request, pk)
    try:
        lead_route(lead, request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        _report_routing(request, lead, routed=True)
    return redirect("leads:detail", pk=pk)


@vendor_required
@require_POST
def lead_offer_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _managed(request, pk)
    form = LeadOfferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the partner to offer the lead to."))
        return redirect("leads:detail", pk=pk)
    partner = form.cleaned_data["partner"]
    try:
        lead_offer_to(lead, partner, request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("Lead %(number)s offered to %(partner)s.")
            % {"number": lead.number, "partner": partner.display_name},
        )
    return redirect("leads:detail", pk=pk)


@vendor_required
@require_POST
def lead_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _managed(request, pk)
    form = LeadCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how the lead ended."))
        return redirect("leads:detail", pk=pk)
    try:
        lead_close(lead, won=form.won, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("Lead %(number)s: %(status)s.")
            % {"number": lead.number, "status": lead.get_status_display()},
        )
    return redirect("leads:detail", pk=pk)


# --- partner portal -----------------------------------------------------------------------------


@partner_required
def my_lead_list(request: HttpRequest) -> HttpResponse:
    filterset = PortalLeadFilter(request.GET, queryset=leads_visible_to(request.user))
    return render(
        request,
        "deal_registration/leads/portal_list.html",
        {"filter": filterset, "page": _page(request, filterset), "now": timezone.now()},
    )


@partner_required
def my_lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    lead = _visible(request, pk)
    offer = lead_offer_of(lead, user)
    if offer is None:
        raise Http404
    return render(
        request,
        "deal_registration/leads/portal_detail.html",
        {
            "lead": lead,
            "offer": offer,
            "can_answer": offer_can_answer(user, offer),
            "show_contact": offer.status == OfferStatus.ACCEPTED,
            "can_register": lead.status == LeadStatus.ACCEPTED
            and not DealRegistration.objects.filter(lead=lead).exists(),
            "decline_form": LeadDeclineForm(),
            "now": timezone.now(),
        },
    )


def _my_offer(request: HttpRequest, pk: int) -> tuple[Lead, Any]:
    lead = _visible(request, pk)
    offer = lead_offer_of(lead, request.user)
    if offer is None:
        raise Http404
    return lead, offer


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    """To the lead if the partner still sees it (e.g. a refused answer), else to the list."""
    if lead_get_visible(user=request.user, pk=pk) is not None:
        return redirect("portal_leads:detail", pk=pk)
    return redirect("portal_leads:list")


@partner_required
@require_POST
def my_lead_accept(request: HttpRequest, pk: int) -> HttpResponse:
    lead, offer = _my_offer(request, pk)
    try:
        offer_accept(offer, request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("You accepted lead %(number)s. Contact the customer and register the deal.")
            % {"number": lead.number},
        )
    return _back(request, pk)


@partner_required
@require_POST
def my_lead_decline(request: HttpRequest, pk: int) -> HttpResponse:
    lead, offer = _my_offer(request, pk)
    form = LeadDeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you decline the lead."))
        return redirect("portal_leads:detail", pk=pk)
    try:
        offer_decline(offer, request.user, form.cleaned_data["reason"])
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("You declined lead %(number)s; it goes to another partner.")
            % {"number": lead.number},
        )
    return _back(request, pk)
