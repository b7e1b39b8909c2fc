"""Knowledge base pages of the vendor portal: every article in every status with its feedback,
writing and editing (each save a version), version history with restore, publishing, and the
files. Any vendor role reads; the editor roles (knowledge.access) write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from prm.accounts.access import signed_in_user, vendor_required
from prm.core.audit import audit_events_for
from prm.core.flash import flash_outcome
from prm.core.forms import attach_errors, form_errors

from .access import can_edit_content, editor_required
from .attachments import article_attachment_add, article_attachment_remove
from .files import attachment_response
from .forms import ArticleForm, AttachmentForm
from .models import ARTICLE_TRANSITIONS, Article, ArticleFeedback, ArticleStatus
from .publishing import article_archive, article_publish, article_unpublish
from .selectors import (
    VendorArticleFilter,
    article_get_visible,
    articles_visible_to,
    attachment_get_visible,
)
from .services import article_create, article_update, article_version_restore
from .versions import version_changes

PER_PAGE = 25
RECENT_COMMENTS = 20


def _article(request: HttpRequest, pk: int) -> Article:
    found = article_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


@vendor_required
def article_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    articles = articles_visible_to(user).prefetch_related("tags").order_by("-updated_at", "-pk")
    filterset = VendorArticleFilter(request.GET, queryset=articles, request=request)
    return render(
        request,
        "knowledge/vendor/list.html",
        {
            "filter": filterset,
            "page": Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page")),
            "can_edit": can_edit_content(user),
        },
    )


def _save(request: HttpRequest, form: ArticleForm, article: Article | None) -> Article | None:
    """Create or edit with the optional file, all or nothing; None (errors on the form) if
    refused."""
    user = signed_in_user(request)
    fields = form.article_fields()
    note = form.cleaned_data["note"]
    upload = form.cleaned_data.get("attachment")
    try:
        with transaction.atomic():
            if article is None:
                saved = article_create(actor=user, note=note, **fields)
            else:
                saved = article_update(
                    article,
                    actor=user,
                    note=note,
                    expected_version=form.cleaned_data["version"],
                    **fields,
                )
            if upload:
                article_attachment_add(saved, upload, actor=user)
    except ValidationError as exc:
        attach_errors(form, exc)
        return None
    return saved


@editor_required
def article_new(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, None)
        if saved is not None:
            messages.success(request, _("Draft saved. Publish it when it is ready."))
            return redirect("knowledge:detail", pk=saved.pk)
    return render(request, "knowledge/vendor/form.html", {"form": form, "article": None})


@editor_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    form = ArticleForm(request.POST or None, request.FILES or None, article=article)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, article)
        if saved is not None:
            messages.success(request, _("Saved as version %(n)d.") % {"n": saved.version})
            return redirect("knowledge:detail", pk=pk)
    return render(request, "knowledge/vendor/form.html", {"form": form, "article": article})


@vendor_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    article = _article(request, pk)
    allowed = ARTICLE_TRANSITIONS.get(article.status, set())
    can_edit = can_edit_content(user)
    return render(
        request,
        "knowledge/vendor/detail.html",
        {
            "article": article,
            "tags": article.tags.all(),
            "tiers": article.tiers.all(),
            "regions": article.regions.all(),
            "attachments": article.attachments.all(),
            "comments": ArticleFeedback.objects.filter(article=article)
            .exclude(comment="")
            .select_related("user__partner")
            .order_by("-created_at")[:RECENT_COMMENTS],
            "status_changes": article.status_changes.select_related("actor"),
            "audit_events": audit_events_for(article),
            "can_edit": can_edit,
            "can_publish": can_edit and ArticleStatus.PUBLISHED in allowed,
            "can_unpublish": can_edit and article.status == ArticleStatus.PUBLISHED,
            "can_archive": can_edit and ArticleStatus.ARCHIVED in allowed,
            "attachment_form": AttachmentForm() if can_edit else None,
        },
    )


@vendor_required
def article_versions(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    return render(
        request,
        "knowledge/vendor/versions.html",
        {
            "article": article,
            "changes": version_changes(article),
            "can_edit": can_edit_content(request.user),
        },
    )


@editor_required
@require_POST
def article_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    article = _article(request, pk)
    if flash_outcome(
        request,
        lambda: article_version_restore(article, number=number, actor=request.user),
        _("Version %(n)d restored as the current text.") % {"n": number},
    ):
        return redirect("knowledge:detail", pk=pk)
    return redirect("knowledge:versions", pk=pk)


def _status_view(action: Any, done: str) -> Any:
    @editor_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        article = _article(request, pk)
        flash_outcome(
            request,
            lambda: action(article, actor=request.user, reason=request.POST.get("reason", "")),
            _(done),
        )
        return redirect("knowledge:detail", pk=pk)

    return view


# Marked for translation here, translated when the view runs (the reader's language).
article_publish_view = _status_view(
    article_publish, gettext_noop("Published: partners of its audience can read it now.")
)
article_unpublish_view = _status_view(
    article_unpublish, gettext_noop("Back to draft: partners no longer see it.")
)
article_archive_view = _status_view(article_archive, gettext_noop("Archived."))


@editor_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            row = article_attachment_add(
                article, form.cleaned_data["attachment"], actor=request.user
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("%(name)s attached.") % {"name": row.original_name})
            return redirect("knowledge:detail", pk=pk)
    messages.error(request, form_errors(form))
    return redirect("knowledge:detail", pk=pk)


@vendor_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return attachment_response(attachment_get_visible(user=request.user, pk=pk))


@editor_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = attachment_get_visible(user=request.user, pk=pk)
    if row is None:
        raise Http404
    article_attachment_remove(row, actor=request.user)
    messages.success(request, _("%(name)s removed.") % {"name": row.original_name})
    return redirect("knowledge:detail", pk=row.article_id)
