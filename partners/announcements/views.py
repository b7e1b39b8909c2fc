"""Announcement pages of the vendor portal: the list with read and acknowledged counts against
recipients, an announcement with the people still outstanding per partner (and as CSV),
writing drafts, publishing and withdrawing. Any vendor role reads; the editor roles
(knowledge.access) write. Counts and people are within the partners the reader sees."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.knowledge.access import can_edit_content, editor_required
from partners.knowledge.files import attachment_response
from prm.accounts.access import signed_in_user, vendor_required
from prm.core.audit import audit_events_for
from prm.core.flash import flash_outcome
from prm.core.forms import attach_errors, form_errors

from .attachments import announcement_attachment_add, announcement_attachment_remove
from .forms import AnnouncementForm, WithdrawForm
from .models import Announcement, AnnouncementStatus
from .readership import announcement_readers, outstanding_csv, readership
from .recipients import recipient_ids
from .selectors import (
    VendorAnnouncementFilter,
    announcement_get_visible,
    announcements_visible_to,
    attachment_get_visible,
)
from .services import (
    announcement_create,
    announcement_publish,
    announcement_update,
    announcement_withdraw,
)

PER_PAGE = 25


def _announcement(request: HttpRequest, pk: int) -> Announcement:
    found = announcement_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


@vendor_required
def announcement_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    announcements = (
        announcements_visible_to(user)
        .prefetch_related("tiers", "regions")
        .order_by("-created_at", "-pk")
    )
    filterset = VendorAnnouncementFilter(request.GET, queryset=announcements, request=request)
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    stats = readership(list(page), viewer=user)
    return render(
        request,
        "announcements/vendor/list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": [(a, stats[a.pk]) for a in page],
            "can_edit": can_edit_content(user),
        },
    )


def _form_page(request: HttpRequest, announcement: Announcement | None) -> HttpResponse:
    user = signed_in_user(request)
    form = AnnouncementForm(request.POST or None, request.FILES or None, announcement=announcement)
    if request.method == "POST" and form.is_valid():
        fields = form.announcement_fields()
        upload = form.cleaned_data.get("attachment")
        try:
            with transaction.atomic():
                if announcement is None:
                    saved = announcement_create(actor=user, **fields)
                else:
                    saved = announcement_update(announcement, actor=user, **fields)
                if upload:
                    announcement_attachment_add(saved, upload, actor=user)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Publish it when it is ready."))
            return redirect("announcements:detail", pk=saved.pk)
    return render(
        request,
        "announcements/vendor/form.html",
        {"form": form, "announcement": announcement},
    )


@editor_required
def announcement_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@editor_required
def announcement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = _announcement(request, pk)
    if announcement.status != AnnouncementStatus.DRAFT:
        messages.info(request, _("Only drafts can be changed."))
        return redirect("announcements:detail", pk=pk)
    return _form_page(request, announcement)


@vendor_required
def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    announcement = _announcement(request, pk)
    can_edit = can_edit_content(user)
    draft = announcement.status == AnnouncementStatus.DRAFT
    prefetch_related_objects([announcement], "tiers", "regions")
    readers = announcement_readers(announcement, viewer=user)
    return render(
        request,
        "announcements/vendor/detail.html",
        {
            "announcement": announcement,
            "stats": readers.stats,
            "outstanding": [] if draft else readers.outstanding,
            # Before publishing: how many people it would reach now.
            "would_reach": len(recipient_ids([announcement])[announcement.pk]) if draft else 0,
            "tiers": announcement.tiers.all(),
            "regions": announcement.regions.all(),
            "attachments": announcement.attachments.all(),
            "status_changes": announcement.status_changes.select_related("actor"),
            "audit_events": audit_events_for(announcement),
            "can_edit": can_edit and draft,
            "can_publish": can_edit and draft,
            "can_withdraw": can_edit and announcement.status == AnnouncementStatus.PUBLISHED,
            "withdraw_form": WithdrawForm(),
        },
    )


@editor_required
@require_POST
def announcement_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = _announcement(request, pk)
    flash_outcome(
        request,
        lambda: announcement_publish(announcement, actor=request.user),
        _("Published. Partners of its audience see it from its publishing time and are told."),
    )
    return redirect("announcements:detail", pk=pk)


@editor_required
@require_POST
def announcement_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = _announcement(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("announcements:detail", pk=pk)
    flash_outcome(
        request,
        lambda: announcement_withdraw(
            announcement, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        _("Withdrawn: partners no longer see it."),
    )
    return redirect("announcements:detail", pk=pk)


@vendor_required
def outstanding_export(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = _announcement(request, pk)
    response = HttpResponse(
        outstanding_csv(announcement, viewer=request.user),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="announcement-{announcement.pk}-outstanding.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@vendor_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return attachment_response(attachment_get_visible(user=request.user, pk=pk))


@editor_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = attachment_get_visible(user=request.user, pk=pk)
    if row is None:
        raise Http404
    flash_outcome(
        request,
        lambda: announcement_attachment_remove(row, actor=request.user),
        _("%(name)s removed.") % {"name": row.original_name},
    )
    return redirect("announcements:detail", pk=row.announcement_id)
