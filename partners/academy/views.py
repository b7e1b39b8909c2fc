"""The academy in the vendor portal: courses with their uptake, the completion report, the
certificates issued, and the files and PDFs behind them. Numbers cover the partners the reader
sees (a channel manager: their own partners' people)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from partners.models import Partner
from prm.accounts.access import signed_in_user, vendor_required

from . import dates
from .certificate_pdf import certificate_response
from .completion import CompletionFilter, completion_report, course_stats
from .files import file_response
from .selectors import (
    CertificateFilter,
    certificate_get_visible,
    certificates_visible_to,
    lesson_file_get_visible,
)

PER_PAGE = 50


@vendor_required
def course_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "academy/vendor/courses.html",
        {"stats": course_stats(signed_in_user(request))},
    )


@vendor_required
def completion(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    filterset = CompletionFilter(request.GET, queryset=Partner.objects.none(), user=user)
    chosen = filterset.form.cleaned_data if filterset.is_valid() else {}
    report = completion_report(
        user=user,
        partner=chosen.get("partner"),
        region=chosen.get("region"),
        course=chosen.get("course"),
    )
    page = Paginator(report.lines, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "academy/vendor/completion.html",
        {"filter": filterset, "report": report, "page": page},
    )


@vendor_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    filterset = CertificateFilter(request.GET, queryset=certificates_visible_to(user))
    page = Paginator(filterset.qs.order_by("-issued_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "academy/vendor/certificates.html",
        {"filter": filterset, "page": page, "today": dates.today()},
    )


@vendor_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = certificate_get_visible(user=request.user, pk=pk)
    if certificate is None:
        raise Http404
    return certificate_response(certificate)


@vendor_required
def lesson_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = lesson_file_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return file_response(request, found)
