"""Knowledge base pages of the partner portal: search and browse what the partner's audience
may read, an article with its files, and "was this helpful?". Every row comes from
knowledge.selectors: an article outside the audience, or not published, is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import partner_required, signed_in_user
from prm.core.forms import form_errors

from .feedback import article_feedback
from .files import attachment_response
from .forms import FeedbackForm
from .models import Article, ArticleFeedback
from .selectors import (
    ArticleFilter,
    article_get_visible,
    articles_visible_to,
    attachment_get_visible,
    my_feedback,
)

PER_PAGE = 20


def _article(request: HttpRequest, pk: int) -> Article:
    found = article_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


@partner_required
def article_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    articles = articles_visible_to(user).prefetch_related("tags")
    filterset = ArticleFilter(request.GET, queryset=articles, request=request)
    return render(
        request,
        "knowledge/portal/list.html",
        {
            "filter": filterset,
            "page": Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page")),
            "searching": bool(request.GET.get("q", "").strip()),
        },
    )


def _feedback_context(
    article: Article, answer: ArticleFeedback | None, form: FeedbackForm | None = None
) -> dict[str, object]:
    return {
        "article": article,
        "answer": answer,
        "feedback_form": form
        or FeedbackForm(initial={"comment": answer.comment if answer else ""}),
    }


@partner_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    article = _article(request, pk)
    return render(
        request,
        "knowledge/portal/detail.html",
        {
            "tags": article.tags.all(),
            "attachments": article.attachments.all(),
            **_feedback_context(article, my_feedback(user=user, article=article)),
        },
    )


@partner_required
@require_POST
def article_feedback_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Plain POST answers with the page; htmx swaps just the feedback card."""
    user = signed_in_user(request)
    article = _article(request, pk)
    form = FeedbackForm(request.POST)
    htmx = getattr(request, "htmx", False)
    if form.is_valid():
        try:
            answer = article_feedback(
                article,
                user=user,
                helpful=form.cleaned_data["helpful"],
                comment=form.cleaned_data["comment"],
            )
        except PermissionDenied:
            raise Http404 from None
        article.refresh_from_db(fields=["helpful_count", "unhelpful_count"])
        if htmx:
            context = {**_feedback_context(article, answer), "thanked": True}
            return render(request, "knowledge/portal/_feedback.html", context)
        messages.success(request, _("Thank you for your feedback."))
    elif htmx:
        context = _feedback_context(article, my_feedback(user=user, article=article), form)
        return render(request, "knowledge/portal/_feedback.html", context)
    else:
        messages.error(request, form_errors(form))
    return redirect("portal_knowledge:detail", pk=pk)


@partner_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return attachment_response(attachment_get_visible(user=request.user, pk=pk))
