"""The vendor admin's outbox pages: webhook endpoints, messaging channels, the deliveries with
their attempts and errors, each event's payload, replay and test sends. Vendor admins only:
other staff get 403, partner users 403, anonymous visitors the login page."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import signed_in_user
from prm.core.flash import flash_outcome
from prm.core.forms import attach_errors

from .access import integrations_admin_required
from .events import event_label
from .models import Delivery, MessagingChannel, OutboxEvent, WebhookEndpoint
from .outbox import delivery_replay, outbox_test_event
from .outbox_forms import ChannelForm, WebhookForm
from .outbox_selectors import (
    DeliveryFilter,
    channels_list,
    deliveries_list,
    event_deliveries,
    webhooks_list,
)
from .receivers import (
    channel_create,
    channel_update,
    receiver_set_active,
    webhook_create,
    webhook_update,
)

SHOW_SECRET = "outbox_show_secret"  # session key: the endpoint whose new secret is shown once


def _set_active(
    request: HttpRequest,
    receiver: WebhookEndpoint | MessagingChannel,
    active: bool,
    done: str,
    listing: str,
) -> HttpResponse:
    user = signed_in_user(request)
    flash_outcome(
        request, lambda: receiver_set_active(actor=user, receiver=receiver, active=active), done
    )
    return redirect(_back(request, reverse(listing)))


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- webhook endpoints --------------------------------------------------------------------------


@integrations_admin_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "integrations/outbox/webhooks.html",
        {"webhooks": webhooks_list(), "section": "integrations", "tab": "webhooks"},
    )


def _webhook_page(
    request: HttpRequest, form: WebhookForm, webhook: WebhookEndpoint | None
) -> HttpResponse:
    shown = None
    if webhook is not None and request.session.get(SHOW_SECRET) == webhook.pk:
        del request.session[SHOW_SECRET]
        shown = webhook.secret
    return render(
        request,
        "integrations/outbox/webhook_form.html",
        {
            "form": form,
            "webhook": webhook,
            "new_secret": shown,
            "section": "integrations",
            "tab": "webhooks",
        },
        status=400 if form.is_bound else 200,
    )


@integrations_admin_required
def webhook_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _webhook_page(request, WebhookForm(), None)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            webhook = webhook_create(actor=signed_in_user(request), **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            request.session[SHOW_SECRET] = webhook.pk
            messages.success(request, _("Webhook endpoint added."))
            return redirect("outbox:webhook_edit", webhook.pk)
    return _webhook_page(request, form, None)


@integrations_admin_required
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(WebhookEndpoint, pk=pk)
    if request.method != "POST":
        return _webhook_page(request, WebhookForm(instance=webhook), webhook)
    form = WebhookForm(request.POST, instance=webhook)
    if form.is_valid():
        data = form.cleaned_data
        try:
            webhook_update(
                actor=signed_in_user(request),
                webhook=webhook,
                name=data["name"],
                url=data["url"],
                event_types=data["event_types"],
                is_active=data["is_active"],
                new_secret=data["secret"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if data["secret"]:
                request.session[SHOW_SECRET] = webhook.pk
            messages.success(request, _("Webhook endpoint saved."))
            return redirect("outbox:webhook_edit", webhook.pk)
    return _webhook_page(request, form, webhook)


@integrations_admin_required
@require_POST
def webhook_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(
        request,
        get_object_or_404(WebhookEndpoint, pk=pk),
        False,
        _("Deactivated: the endpoint receives no new events."),
        "outbox:webhooks",
    )


@integrations_admin_required
@require_POST
def webhook_activate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(
        request, get_object_or_404(WebhookEndpoint, pk=pk), True, _("Activated."), "outbox:webhooks"
    )


@integrations_admin_required
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(WebhookEndpoint, pk=pk)
    event = outbox_test_event(webhook=webhook)
    messages.success(request, _("Test event queued; its delivery shows below in a moment."))
    return redirect("outbox:event", event.pk)


# --- messaging channels -------------------------------------------------------------------------


@integrations_admin_required
def channel_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "integrations/outbox/channels.html",
        {"channels": channels_list(), "section": "integrations", "tab": "channels"},
    )


def _channel_page(
    request: HttpRequest, form: ChannelForm, channel: MessagingChannel | None
) -> HttpResponse:
    return render(
        request,
        "integrations/outbox/channel_form.html",
        {"form": form, "channel": channel, "section": "integrations", "tab": "channels"},
        status=400 if form.is_bound else 200,
    )


@integrations_admin_required
def channel_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _channel_page(request, ChannelForm(), None)
    form = ChannelForm(request.POST)
    if form.is_valid():
        try:
            channel = channel_create(actor=signed_in_user(request), **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Messaging channel added."))
            return redirect("outbox:channel_edit", channel.pk)
    return _channel_page(request, form, None)


@integrations_admin_required
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(MessagingChannel, pk=pk)
    if request.method != "POST":
        return _channel_page(request, ChannelForm(instance=channel), channel)
    form = ChannelForm(request.POST, instance=channel)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            channel_update(
                actor=signed_in_user(request),
                channel=channel,
                new_secret=data.pop("secret"),
                **data,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Messaging channel saved."))
            return redirect("outbox:channel_edit", channel.pk)
    return _channel_page(request, form, channel)


@integrations_admin_required
@require_POST
def channel_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(
        request,
        get_object_or_404(MessagingChannel, pk=pk),
        False,
        _("Deactivated: the channel receives no new events."),
        "outbox:channels",
    )


@integrations_admin_required
@require_POST
def channel_activate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(
        request,
        get_object_or_404(MessagingChannel, pk=pk),
        True,
        _("Activated."),
        "outbox:channels",
    )


@integrations_admin_required
@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(MessagingChannel, pk=pk)
    event = outbox_test_event(channel=channel)
    messages.success(request, _("Test event queued; its delivery shows below in a moment."))
    return redirect("outbox:event", event.pk)


# --- deliveries and events ----------------------------------------------------------------------


@integrations_admin_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    filterset = DeliveryFilter(request.GET, queryset=deliveries_list())
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/outbox/deliveries.html",
        {"filter": filterset, "page": page, "section": "integrations", "tab": "deliveries"},
    )


@integrations_admin_required
def event_detail(request: HttpRequest, pk: str) -> HttpResponse:
    event = get_object_or_404(OutboxEvent, pk=pk)
    return render(
        request,
        "integrations/outbox/event.html",
        {
            "event": event,
            "label": event_label(event.event_type),
            "payload": json.dumps(event.payload, ensure_ascii=False, indent=2),
            "deliveries": event_deliveries(event),
            "section": "integrations",
            "tab": "deliveries",
        },
    )


@integrations_admin_required
@require_POST
def delivery_replay_view(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery, pk=pk)
    user = signed_in_user(request)
    again = request.POST.get("again") == "1"
    flash_outcome(
        request,
        lambda: delivery_replay(delivery=delivery, actor=user, again=again),
        _("Queued to be sent again."),
    )
    return redirect(_back(request, reverse("outbox:deliveries")))
