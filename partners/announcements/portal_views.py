"""Announcement pages of the partner portal: my announcements (unread in bold, those waiting
for my acknowledgement marked), one announcement (opening it marks it read) with its
Acknowledge button, and its files. Rows come from announcements.selectors: one outside the
audience, withdrawn or not yet due is a 404."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.knowledge.files import attachment_response
from prm.accounts.access import partner_required, signed_in_user
from prm.core.flash import flash_outcome

from .models import Announcement
from .receipts import announcement_acknowledge, announcement_open
from .selectors import (
    ReaderAnnouncementFilter,
    announcement_get_visible,
    announcements_for_reader,
    attachment_get_visible,
)

PER_PAGE = 20


def _announcement(request: HttpRequest, pk: int) -> Announcement:
    found = announcement_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


@partner_required
def announcement_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    filterset = ReaderAnnouncementFilter(
        request.GET, queryset=announcements_for_reader(user), request=request
    )
    return render(
        request,
        "announcements/portal/list.html",
        {
            "filter": filterset,
            "page": Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page")),
        },
    )


@partner_required
def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    announcement = _announcement(request, pk)
    receipt = announcement_open(announcement, user=user)
    return render(
        request,
        "announcements/portal/detail.html",
        {
            "announcement": announcement,
            "receipt": receipt,
            "attachments": announcement.attachments.all(),
        },
    )


@partner_required
@require_POST
def announcement_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = _announcement(request, pk)
    flash_outcome(
        request,
        lambda: announcement_acknowledge(announcement, user=request.user),
        _("Thank you: your acknowledgement is recorded."),
    )
    return redirect("portal_announcements:detail", pk=pk)


@partner_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return attachment_response(attachment_get_visible(user=request.user, pk=pk))
