"""Support tickets in the vendor portal: the queue (filters by status, category, priority, owner,
"mine", overdue and breached; unresolved first, the nearest due time first), and a ticket's page
with the whole timeline including internal notes, replies, triage, reassignment, resolution,
SLA due times and breaches, and "turn into a knowledge-base article". Links to the partner, order
and deal show only to who may open them. Rows come from
partners.support.selectors; the services check who may do what."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.knowledge.access import can_edit_content
from partners.selectors import partner_get_visible
from prm.accounts.access import signed_in_user, vendor_required
from prm.core.flash import flash_outcome
from prm.core.forms import attach_errors, form_errors

from .articles import ticket_to_article
from .downloads import attachment_response
from .forms import ASK, NOTE, ArticleForm, AssignForm, ResolveForm, TriageForm, VendorReplyForm
from .models import ACTIVE_STATUSES, Ticket, TicketStatus, overdue
from .replies import ticket_reply
from .selectors import (
    MINE,
    OVERDUE,
    TicketFilter,
    opening_files,
    ticket_get_visible,
    ticket_or_404,
    tickets_visible_to,
    timeline,
)
from .tickets import can_handle, ticket_assign, ticket_resolve
from .triage import ticket_triage

PER_PAGE = 25


def queue_order(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Unresolved first, by the due time that comes next (first response until answered, then
    resolution); then resolved and closed ones, the latest first."""
    active = [When(status=s, then=Value(0)) for s in ACTIVE_STATUSES]
    return tickets.annotate(
        queue_rank=Case(
            *active,
            When(status=TicketStatus.RESOLVED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        next_due=Case(
            When(
                status__in=ACTIVE_STATUSES,
                first_responded_at__isnull=True,
                then=F("first_response_due"),
            ),
            When(status__in=ACTIVE_STATUSES, then=F("resolution_due")),
            default=None,
        ),
    ).order_by("queue_rank", F("next_due").asc(nulls_last=True), "-submitted_at", "-pk")


@vendor_required
def ticket_queue(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    visible = tickets_visible_to(user)
    filterset = TicketFilter(request.GET, queryset=queue_order(visible), request=request)
    now = timezone.now()
    return render(
        request,
        "support/vendor/queue.html",
        {
            "filter": filterset,
            "page": Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page")),
            "now": now,
            "mine_count": visible.filter(status__in=ACTIVE_STATUSES, owner=user).count(),
            "overdue_count": visible.filter(overdue(now)).count(),
            "mine_param": MINE,
            "overdue_param": OVERDUE,
        },
    )


def _detail(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: VendorReplyForm | None = None,
    assign_form: AssignForm | None = None,
    resolve_form: ResolveForm | None = None,
    triage_form: TriageForm | None = None,
) -> HttpResponse:
    user = signed_in_user(request)
    active = ticket.status in ACTIVE_STATUSES
    handles = can_handle(ticket, user)
    done = ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
    return render(
        request,
        "support/vendor/detail.html",
        {
            "ticket": ticket,
            "partner": ticket.partner,
            "timeline": timeline(user, ticket),
            "opening_files": opening_files(ticket),
            "now": timezone.now(),
            "reply_form": (reply_form or VendorReplyForm()) if active else None,
            "assign_form": (assign_form or AssignForm())
            if handles and ticket.status != TicketStatus.CLOSED
            else None,
            "resolve_form": (resolve_form or ResolveForm()) if handles and active else None,
            "triage_form": (
                triage_form
                or TriageForm(initial={"category": ticket.category, "priority": ticket.priority})
            )
            if handles and active
            else None,
            # Orders and deal registrations are seen by the same partner rule as the partner.
            "partner_visible": partner_get_visible(user=user, pk=ticket.partner_id) is not None,
            "article_form": ArticleForm() if done and ticket.article_id is None else None,
            "article_url": _article_url(ticket.article_id, user) if ticket.article_id else "",
        },
    )


@vendor_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, ticket_or_404(request.user, pk))


@vendor_required
@require_POST
def ticket_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_or_404(request.user, pk)
    form = VendorReplyForm(request.POST, request.FILES)
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        try:
            ticket_reply(
                ticket,
                user=request.user,
                body=form.cleaned_data["body"],
                internal=kind == NOTE,
                wait_for_partner=kind == ASK,
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Note saved.") if kind == NOTE else _("Reply sent."))
            return redirect("support:detail", pk=pk)
    return _detail(request, ticket, reply_form=form)


@vendor_required
@require_POST
def ticket_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_or_404(request.user, pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        owner = form.cleaned_data["owner"]
        try:
            ticket_assign(
                ticket, user=request.user, owner=owner, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(number)s is now owned by %(name)s.")
                % {"number": ticket.number, "name": owner.full_name},
            )
            if ticket_get_visible(user=request.user, pk=pk) is None:
                # It was theirs only as its owner: the ticket page is no longer theirs to see.
                return redirect("support:queue")
            return redirect("support:detail", pk=pk)
    return _detail(request, ticket, assign_form=form)


@vendor_required
@require_POST
def ticket_triage_view(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_or_404(request.user, pk)
    form = TriageForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ticket_triage(
                ticket,
                user=request.user,
                category=data["category"],
                priority=data["priority"],
                reroute=data["reroute"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, _("%(number)s triaged; its due times follow.") % {"number": ticket.number}
            )
            if ticket_get_visible(user=request.user, pk=pk) is None:
                return redirect("support:queue")
            return redirect("support:detail", pk=pk)
    return _detail(request, ticket, triage_form=form)


@vendor_required
@require_POST
def ticket_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_or_404(request.user, pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            ticket_resolve(ticket, user=request.user, resolution=form.cleaned_data["resolution"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(number)s resolved; the partner is asked to confirm.")
                % {"number": ticket.number},
            )
            return redirect("support:detail", pk=pk)
    return _detail(request, ticket, resolve_form=form)


def _article_url(article_id: int, user: Any) -> str:
    """The draft's edit page for those who edit the knowledge base, else its page."""
    name = "knowledge:edit" if can_edit_content(user) else "knowledge:detail"
    return reverse(name, args=[article_id])


@vendor_required
@require_POST
def ticket_article_view(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_or_404(request.user, pk)
    form = ArticleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("support:detail", pk=pk)
    made: dict[str, Any] = {}

    def make() -> None:
        made["article"] = ticket_to_article(
            ticket, user=request.user, category=form.cleaned_data["category"]
        )

    if not flash_outcome(
        request, make, _("A draft article was made from %(number)s.") % {"number": ticket.number}
    ):
        return redirect("support:detail", pk=pk)
    return redirect(_article_url(made["article"].pk, request.user))


@vendor_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return attachment_response(user=request.user, pk=pk)
