"""My report subscriptions, in both portals (vendor staff: vendor layout; partner users: portal
layout): the list, add (prefilled by a dashboard's Subscribe button), edit, pause, resume and
delete. Only the owner reaches a subscription; anyone else's is not found (404)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import signed_in_user
from prm.accounts.models import User
from prm.core.flash import flash_outcome
from prm.core.forms import attach_errors

from .models import ReportSubscription
from .subscription_forms import SubscriptionForm
from .subscriptions import (
    kinds_for,
    schedule_text,
    subscription_create,
    subscription_delete,
    subscription_get_own,
    subscription_pause,
    subscription_resume,
    subscription_update,
    subscriptions_of,
)

View = Callable[..., HttpResponse]


def subscriber_required(view: View) -> View:
    """Vendor staff and partner users: everyone who may receive some report."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not kinds_for(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _base(user: User) -> str:
    return "portal/base.html" if user.is_partner_user else "vendor/base.html"


def _own(user: User, pk: int) -> ReportSubscription:
    try:
        return subscription_get_own(user=user, pk=pk)
    except ReportSubscription.DoesNotExist as exc:
        raise Http404 from exc


def _preview(subscription: ReportSubscription) -> str:
    url = reverse("report_documents:download", args=[subscription.kind])
    return f"{url}?{subscription.query}" if subscription.query else url


@subscriber_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows = [(s, schedule_text(s), _preview(s)) for s in subscriptions_of(user)]
    return render(
        request,
        "reports/subscriptions/list.html",
        {"rows": rows, "base_template": _base(user)},
    )


def _form_page(
    request: HttpRequest, form: SubscriptionForm, subscription: ReportSubscription | None
) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "reports/subscriptions/form.html",
        {
            "form": form,
            "subscription": subscription,
            "preview_url": _preview(subscription) if subscription else "",
            "base_template": _base(user),
        },
    )


def _schedule(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "frequency": data["frequency"],
        "weekday": data.get("weekday"),
        "day_of_month": data.get("day_of_month"),
        "query": data.get("query", ""),
    }


@subscriber_required
def subscription_add(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method != "POST":
        return _form_page(request, SubscriptionForm.prefilled(user=user, params=request.GET), None)
    form = SubscriptionForm(request.POST, user=user)
    if form.is_valid():
        try:
            subscription_create(
                user=user, kind=form.cleaned_data["kind"], **_schedule(form.cleaned_data)
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Subscribed. The first report arrives on its next day."))
            return redirect("report_subscriptions:list")
    return _form_page(request, form, None)


@subscriber_required
def subscription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    subscription = _own(user, pk)
    if request.method != "POST":
        return _form_page(request, SubscriptionForm(user=user, instance=subscription), subscription)
    form = SubscriptionForm(request.POST, user=user, instance=subscription)
    if form.is_valid():
        try:
            subscription_update(
                user=user, subscription_id=subscription.pk, **_schedule(form.cleaned_data)
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Subscription saved."))
            return redirect("report_subscriptions:list")
    return _form_page(request, form, subscription)


def _act(request: HttpRequest, pk: int, action: Callable[..., Any], success: str) -> HttpResponse:
    user = signed_in_user(request)
    subscription = _own(user, pk)
    flash_outcome(request, lambda: action(user=user, subscription_id=subscription.pk), success)
    return redirect("report_subscriptions:list")


@subscriber_required
@require_POST
def subscription_pause_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, subscription_pause, _("Paused: no reports until you resume it."))


@subscriber_required
@require_POST
def subscription_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, subscription_resume, _("Resumed."))


@subscriber_required
@require_POST
def subscription_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, subscription_delete, _("Subscription deleted."))
