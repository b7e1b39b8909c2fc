from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import signed_in_user, vendor_required
from prm.core.audit import audit_events_for

from .forms import JoinForm, RejectForm
from .models import PartnerApplication
from .selectors import (
    ApplicationFilter,
    application_can_review,
    application_document_get_visible,
    application_duplicates,
    application_get_visible,
    application_history,
    applications_visible_to,
)
from .services import (
    application_approve,
    application_reject,
    application_start_review,
    application_submit,
)
from .throttle import client_ip, join_throttle_take, join_throttled

# --- public: /join/ -----------------------------------------------------------------------------


def join_apply(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        ip = client_ip(request)
        too_many = _(
            "Too many applications from your network in the last hour. Please try again later."
        )
        if join_throttled(ip):
            form.is_valid()
            form.add_error(None, too_many)
            status = 429
        elif form.is_valid():
            if not join_throttle_take(ip):
                form.add_error(None, too_many)
                status = 429
            else:
                try:
                    application = application_submit(
                        data=form.application_data(), uploads=form.uploads(), ip=ip
                    )
                except ValidationError as exc:
                    _add_errors(form, exc)
                else:
                    request.session["join_number"] = application.number
                    return redirect("join:thanks")
    return render(request, "partners/recruitment/join.html", {"form": form}, status=status)


def join_thanks(request: HttpRequest) -> HttpResponse:
    number = request.session.get("join_number", "")
    return render(request, "partners/recruitment/thanks.html", {"number": number})


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- vendor portal ------------------------------------------------------------------------------


def _visible(request: HttpRequest, pk: int) -> PartnerApplication:
    application = application_get_visible(user=request.user, pk=pk)
    if application is None:
        raise Http404
    return application


def _reviewable(request: HttpRequest, pk: int) -> PartnerApplication:
    application = _visible(request, pk)
    if not application_can_review(request.user):
        raise PermissionDenied
    return application


def _base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@vendor_required
def application_list(request: HttpRequest) -> HttpResponse:
    filterset = ApplicationFilter(request.GET, queryset=applications_visible_to(request.user))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    partial = getattr(request, "htmx", False)
    template = (
        "partners/recruitment/_application_rows.html"
        if partial
        else "partners/recruitment/application_list.html"
    )
    return render(request, template, {"filter": filterset, "page": page})


def _detail_context(
    request: HttpRequest, application: PartnerApplication, **extra: Any
) -> dict[str, Any]:
    return {
        "application": application,
        "can_review": application_can_review(request.user),
        "reject_form": RejectForm(),
        "documents": application.documents.all(),
        "duplicates": application_duplicates(application),
        "status_changes": application_history(application),
        "audit_events": audit_events_for(application),
        **extra,
    }


@vendor_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    return render(
        request,
        "partners/recruitment/application_detail.html",
        _detail_context(request, application),
    )


@vendor_required
def application_document(request: HttpRequest, pk: int) -> FileResponse:
    document = application_document_get_visible(user=request.user, pk=pk)
    if document is None or not document.file:
        raise Http404
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


def _done(request: HttpRequest, application: PartnerApplication) -> HttpResponse:
    url = reverse("recruitment:detail", args=[application.pk])
    if getattr(request, "htmx", False):
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _failed(request: HttpRequest, application: PartnerApplication, **extra: Any) -> HttpResponse:
    """Show the actions panel again with the error (htmx swaps it; without htmx, the page)."""
    application.refresh_from_db()
    context = _detail_context(request, application, **extra)
    if getattr(request, "htmx", False):
        return render(request, "partners/recruitment/_actions.html", context)
    return render(request, "partners/recruitment/application_detail.html", context)


@vendor_required
@require_POST
def application_start_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = _reviewable(request, pk)
    try:
        application_start_review(application=application, actor=signed_in_user(request))
    except ValidationError as exc:
        return _failed(request, application, action_error=" ".join(exc.messages))
    return _done(request, application)


@vendor_required
@require_POST
def application_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = _reviewable(request, pk)
    try:
        application_approve(
            application=application, actor=signed_in_user(request), base_url=_base_url(request)
        )
    except ValidationError as exc:
        return _failed(request, application, action_error=" ".join(exc.messages))
    return _done(request, application)


@vendor_required
@require_POST
def application_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = _reviewable(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _failed(request, application, reject_form=form)
    try:
        application_reject(
            application=application,
            actor=signed_in_user(request),
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            _add_errors(form, exc)
            return _failed(request, application, reject_form=form)
        return _failed(request, application, reject_form=form, action_error=" ".join(exc.messages))
    return _done(request, application)
