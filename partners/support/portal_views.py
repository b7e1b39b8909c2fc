"""Support tickets in the partner portal: the company's tickets (a partner admin sees all of
them, a partner user those they submitted), a new ticket with files, the shared timeline without
internal notes, replies, and the submitter's confirm or reopen. Every row comes from
partners.support.selectors: another partner's ticket or file is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import partner_required, signed_in_user
from prm.accounts.roles import Role
from prm.core.flash import flash_outcome
from prm.core.forms import attach_errors

from .downloads import attachment_response
from .forms import ReasonForm, ReplyForm, TicketForm
from .models import ACTIVE_STATUSES, Ticket, TicketStatus
from .replies import ticket_reply
from .selectors import (
    PortalTicketFilter,
    opening_files,
    ticket_or_404,
    tickets_visible_to,
    timeline,
)
from .tickets import can_close, ticket_confirm, ticket_reopen, ticket_submit

PER_PAGE = 25


@partner_required
def my_tickets(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    tickets = tickets_visible_to(user).order_by("-last_activity_at", "-pk")
    filterset = PortalTicketFilter(request.GET, queryset=tickets)
    return render(
        request,
        "support/portal/list.html",
        {
            "filter": filterset,
            "page": Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page")),
            "whole_company": user.role == Role.PARTNER_ADMIN,
        },
    )


@partner_required
def my_ticket_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = TicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = ticket_submit(
                user=user,
                category=data["category"],
                priority=data["priority"],
                subject=data["subject"],
                description=data["description"],
                order_number=data["order"],
                deal_number=data["deal"],
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(number)s submitted; the vendor will answer here.") % {"number": ticket.number},
            )
            return redirect("portal_support:detail", pk=ticket.pk)
    return render(request, "support/portal/new.html", {"form": form})


def _detail(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: ReplyForm | None = None,
    reason_form: ReasonForm | None = None,
) -> HttpResponse:
    user = signed_in_user(request)
    active = ticket.status in ACTIVE_STATUSES
    closable = ticket.status == TicketStatus.RESOLVED and can_close(ticket, user)
    return render(
        request,
        "support/portal/detail.html",
        {
            "ticket": ticket,
            "timeline": timeline(user, ticket),
            "opening_files": opening_files(ticket),
            "reply_form": (reply_form or ReplyForm()) if active else None,
            "reason_form": (reason_form or ReasonForm()) if closable else None,
            "can_close": closable,
        },
    )


@partner_required
def my_ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, ticket_or_404(request.user, pk))


@partner_required
@require_POST
def my_ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_or_404(request.user, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            ticket_reply(
                ticket,
                user=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Reply sent."))
            return redirect("portal_support:detail", pk=pk)
    return _detail(request, ticket, reply_form=form)


@partner_required
@require_POST
def my_ticket_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_or_404(request.user, pk)
    flash_outcome(
        request,
        lambda: ticket_confirm(ticket, user=request.user),
        _("%(number)s is closed. Thank you for confirming.") % {"number": ticket.number},
    )
    return redirect("portal_support:detail", pk=pk)


@partner_required
@require_POST
def my_ticket_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_or_404(request.user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            ticket_reopen(ticket, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(number)s is reopened; the vendor is told.") % {"number": ticket.number},
            )
            return redirect("portal_support:detail", pk=pk)
    return _detail(request, ticket, reason_form=form)


@partner_required
def my_attachment(request: HttpRequest, pk: int) -> FileResponse:
    return attachment_response(user=request.user, pk=pk)
