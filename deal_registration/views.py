"""Deal registration in the vendor portal: the decision queue, a registration with its evidence,
co-selling, extensions, the side-by-side evidence of a dispute, and the pipeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import vendor_required
from prm.core.flash import flash_outcome

from .cosell import activities, team_add, team_remove
from .cosell_views import (
    post_activity,
    post_close,
    post_link_orders,
    post_stage,
    serve_activity_file,
    stage_form,
)
from .forms import ActivityForm, CloseForm, LinkOrdersForm, ReasonForm, TeamForm
from .models import DealConflict, DealRegistration, DealStatus, DealTeamMember, ExtensionStatus
from .protection import extension_decide
from .registrations import (
    deal_can_cosell,
    deal_can_decide,
    registration_approve,
    registration_reject,
    registration_request_info,
)
from .selectors import (
    VendorDealFilter,
    claims_against,
    deal_get_visible,
    evidence_timeline,
    mark_hidden,
    pipeline,
    queue,
    stored_conflicts,
)

PER_PAGE = 25


def _visible(request: HttpRequest, pk: int) -> DealRegistration:
    found = deal_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


@vendor_required
def deal_list(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    if "status" not in data:
        # The queue shows what waits for a decision until a status (or "All") is chosen; the
        # pagination links carry the choice, so page 2 is the same list.
        data["status"] = DealStatus.SUBMITTED
    filterset = VendorDealFilter(data, queryset=queue(request.user))
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "deal_registration/list.html",
        {"filter": filterset, "page": page, "now": timezone.now()},
    )


@vendor_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _visible(request, pk)
    can_decide = deal_can_decide(request.user, registration)
    is_open = registration.status in (DealStatus.SUBMITTED, DealStatus.APPROVED)
    return render(
        request,
        "deal_registration/detail.html",
        {
            "registration": registration,
            "conflicts": mark_hidden(
                request.user, stored_conflicts(registration), side="other_registration"
            ),
            "flagged_later": mark_hidden(
                request.user, claims_against(registration), side="registration"
            ),
            "status_changes": registration.status_changes.select_related("actor"),
            "activities": activities(registration),
            "team": registration.team.select_related("user"),
            "extensions": registration.extensions.select_related("requested_by", "decided_by"),
            "orders": registration.orders.all(),
            "can_decide": can_decide,
            "can_cosell": deal_can_cosell(request.user, registration),
            "decision_open": can_decide and registration.status == DealStatus.SUBMITTED,
            "reason_form": ReasonForm(),
            "close_form": CloseForm(registration=registration)
            if can_decide and registration.status == DealStatus.APPROVED
            else None,
            "link_form": LinkOrdersForm(registration=registration)
            if can_decide and registration.status == DealStatus.WON
            else None,
            "team_form": TeamForm() if can_decide and is_open else None,
            "activity_form": ActivityForm() if is_open else None,
            "stage_form": stage_form(registration) if is_open else None,
            "now": timezone.now(),
        },
    )


def _decide(
    request: HttpRequest, pk: int, action: Callable[[DealRegistration, str], Any], done: str
) -> HttpResponse:
    registration = _decider(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    flash_outcome(
        request, lambda: action(registration, reason), done % {"number": registration.number}
    )
    return redirect("deals:detail", pk=pk)


@vendor_required
@require_POST
def deal_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda reg, reason: registration_approve(reg, actor=request.user, reason=reason),
        _("%(number)s approved and protected."),
    )


@vendor_required
@require_POST
def deal_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda reg, reason: registration_reject(reg, actor=request.user, reason=reason),
        _("%(number)s rejected."),
    )


@vendor_required
@require_POST
def deal_request_info(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda reg, reason: registration_request_info(reg, actor=request.user, reason=reason),
        _("%(number)s sent back to the partner for more information."),
    )


def _decider(request: HttpRequest, pk: int) -> DealRegistration:
    registration = _visible(request, pk)
    if not deal_can_decide(request.user, registration):
        raise PermissionDenied
    return registration


@vendor_required
@require_POST
def deal_close(request: HttpRequest, pk: int) -> HttpResponse:
    post_close(request, _decider(request, pk))
    return redirect("deals:detail", pk=pk)


@vendor_required
@require_POST
def deal_orders(request: HttpRequest, pk: int) -> HttpResponse:
    post_link_orders(request, _decider(request, pk))
    return redirect("deals:detail", pk=pk)


@vendor_required
@require_POST
def deal_team_add(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _visible(request, pk)
    form = TeamForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a person and a role."))
        return redirect("deals:detail", pk=pk)
    flash_outcome(
        request,
        lambda: team_add(
            registration,
            actor=request.user,
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
        ),
        _("%(user)s joined the deal.") % {"user": form.cleaned_data["user"]},
    )
    return redirect("deals:detail", pk=pk)


@vendor_required
@require_POST
def deal_team_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    registration = _visible(request, pk)
    member = DealTeamMember.objects.filter(registration=registration, pk=member_pk).first()
    if member is None:
        raise Http404
    team_remove(member, actor=request.user)
    messages.success(request, _("%(user)s left the deal.") % {"user": member.user})
    return redirect("deals:detail", pk=pk)


@vendor_required
@require_POST
def deal_activity(request: HttpRequest, pk: int) -> HttpResponse:
    post_activity(request, _visible(request, pk))
    return redirect("deals:detail", pk=pk)


@vendor_required
@require_POST
def deal_stage(request: HttpRequest, pk: int) -> HttpResponse:
    post_stage(request, _visible(request, pk))
    return redirect("deals:detail", pk=pk)


@vendor_required
def deal_activity_file(request: HttpRequest, pk: int, activity_pk: int) -> FileResponse:
    return serve_activity_file(_visible(request, pk), activity_pk)


@vendor_required
@require_POST
def deal_extension_decide(request: HttpRequest, pk: int, extension_pk: int) -> HttpResponse:
    registration = _visible(request, pk)
    extension = registration.extensions.filter(
        pk=extension_pk, status=ExtensionStatus.PENDING
    ).first()
    if extension is None:
        raise Http404
    approve = request.POST.get("decision") == "approve"
    form = ReasonForm(request.POST)
    note = form.cleaned_data["reason"] if form.is_valid() else ""
    flash_outcome(
        request,
        lambda: extension_decide(extension, actor=request.user, approve=approve, note=note),
        _("Extension approved.") if approve else _("Extension rejected."),
    )
    return redirect("deals:detail", pk=pk)


@vendor_required
def deal_evidence(request: HttpRequest, pk: int, conflict_pk: int) -> HttpResponse:
    """Both sides of one stored conflict, in time order: the facts a dispute is settled on."""
    registration = _visible(request, pk)
    conflict = (
        DealConflict.objects.filter(pk=conflict_pk)
        .filter(registration=registration)
        .select_related("other_registration__partner")
        .first()
    ) or (
        DealConflict.objects.filter(pk=conflict_pk, other_registration=registration)
        .select_related("registration__partner")
        .first()
    )
    if conflict is None or conflict.other_registration is None:
        raise Http404
    first, second = conflict.other_registration, conflict.registration
    # The other side must be visible to this user too (a channel manager sees own partners).
    if deal_get_visible(user=request.user, pk=first.pk if first.pk != pk else second.pk) is None:
        raise Http404
    if (first.submitted_at or first.created_at) > (second.submitted_at or second.created_at):
        first, second = second, first
    return render(
        request,
        "deal_registration/evidence.html",
        {
            "registration": registration,
            "conflict": conflict,
            "a": first,
            "b": second,
            "events": evidence_timeline(first, second),
        },
    )


@vendor_required
def deal_pipeline(request: HttpRequest) -> HttpResponse:
    return render(request, "deal_registration/pipeline.html", pipeline(request.user))
