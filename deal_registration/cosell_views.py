"""The co-selling actions both portals share: an activity, a stage move, an activity's file.
Each takes a registration the caller already found through its own visibility rules."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _

from prm.core.flash import flash_outcome
from prm.core.forms import form_errors

from .cosell import activity_add
from .forms import ActivityForm, CloseForm, LinkOrdersForm, StageForm
from .models import DealActivity, DealRegistration
from .registrations import (
    registration_close,
    registration_link_orders,
    registration_update_stage,
)


def post_activity(request: HttpRequest, registration: DealRegistration) -> None:
    """Shared by both portals: one activity from the posted form, or its errors as messages."""
    form = ActivityForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return
    data = form.cleaned_data
    flash_outcome(
        request,
        lambda: activity_add(
            registration,
            actor=request.user,
            kind=data["kind"],
            occurred_on=data["occurred_on"],
            body=data["body"],
            attachment=data.get("attachment") or None,
            next_step=data["next_step"],
            next_step_due=data["next_step_due"],
        ),
        _("Activity recorded."),
    )


def stage_form(registration: DealRegistration) -> StageForm:
    """The stage form of an open registration, filled with what it says now."""
    return StageForm(
        initial={
            "stage": registration.stage,
            "estimated_amount": registration.estimated_amount,
            "expected_close_date": registration.expected_close_date,
        }
    )


def post_stage(request: HttpRequest, registration: DealRegistration) -> None:
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return
    data = form.cleaned_data
    flash_outcome(
        request,
        lambda: registration_update_stage(
            registration,
            actor=request.user,
            stage=data["stage"],
            estimated_amount=data["estimated_amount"],
            close=data["expected_close_date"],
        ),
        _("Stage updated."),
    )


def serve_activity_file(registration: DealRegistration, activity_pk: int) -> FileResponse:
    activity = DealActivity.objects.filter(registration=registration, pk=activity_pk).first()
    if activity is None or not activity.attachment:
        raise Http404
    return FileResponse(
        activity.attachment.open("rb"),
        as_attachment=True,
        filename=activity.original_name or activity.attachment.name.rsplit("/", 1)[-1],
    )


def post_close(request: HttpRequest, registration: DealRegistration) -> None:
    """Won (with the orders that fulfil it) or lost (with why)."""
    form = CloseForm(request.POST, registration=registration)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return
    data = form.cleaned_data
    flash_outcome(
        request,
        lambda: registration_close(
            registration,
            actor=request.user,
            won=data["outcome"] == "won",
            reason=data["reason"],
            orders=data["orders"],
        ),
        _("%(number)s closed.") % {"number": registration.number},
    )


def post_link_orders(request: HttpRequest, registration: DealRegistration) -> None:
    """Orders placed after the win, linked to the deal they fulfil."""
    form = LinkOrdersForm(request.POST, registration=registration)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return
    flash_outcome(
        request,
        lambda: registration_link_orders(
            registration, actor=request.user, orders=form.cleaned_data["orders"]
        ),
        _("Orders linked to %(number)s.") % {"number": registration.number},
    )
