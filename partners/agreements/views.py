from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.selectors import partner_can_manage, partner_get_visible
from prm.accounts.access import partner_required, signed_in_user, vendor_required
from prm.core.audit import audit_events_for
from prm.core.flash import flash_outcome
from prm.core.forms import attach_errors

from .forms import AgreementCreateForm, AgreementSignForm, AgreementTermsForm, AgreementVoidForm
from .models import Agreement, AgreementStatus
from .rendering import agreement_pdf, signature_certificate_pdf
from .selectors import AgreementFilter, agreement_get_visible, agreements_visible_to
from .services import (
    agreement_can_sign,
    agreement_create,
    agreement_issue,
    agreement_renew,
    agreement_sign,
    agreement_signable,
    agreement_verify,
    agreement_void,
    default_term,
)


def _visible(request: HttpRequest, pk: int) -> Agreement:
    agreement = agreement_get_visible(user=request.user, pk=pk)
    if agreement is None:
        raise Http404
    return agreement


def _pdf_response(data: bytes | None, agreement: Agreement, suffix: str = "") -> HttpResponseBase:
    name = f"{agreement.number}-v{agreement.version}{suffix}.pdf"
    response: HttpResponseBase
    if data is None:
        response = FileResponse(
            agreement.pdf.open("rb"), content_type="application/pdf", filename=name
        )
    else:
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- vendor portal ------------------------------------------------------------------------------


@vendor_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    filterset = AgreementFilter(request.GET, queryset=agreements_visible_to(request.user))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    return render(request, "partners/agreements/list.html", {"filter": filterset, "page": page})


@vendor_required
def agreement_new(request: HttpRequest, partner_pk: int) -> HttpResponse:
    partner = partner_get_visible(user=request.user, pk=partner_pk)
    if partner is None:
        raise Http404
    if not partner_can_manage(request.user, partner):
        raise PermissionDenied
    form = AgreementCreateForm(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = agreement_create(
                partner=partner,
                actor=request.user,
                template=data["template"],
                term_start=data["term_start"],
                term_end=data["term_end"],
                territory=data["territory"] or None,
                purchase_target=data["purchase_target"],
                incentive_terms=data["incentive_terms"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Draft created. Check the PDF preview, then issue it."))
            return redirect("agreements:detail", pk=agreement.pk)
    return render(request, "partners/agreements/new.html", {"form": form, "partner": partner})


@vendor_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _visible(request, pk)
    can_manage = partner_can_manage(request.user, agreement.partner)
    renew_form = None
    renewing = agreement.renewals.exclude(status=AgreementStatus.VOIDED).first()
    if (
        can_manage
        and renewing is None
        and agreement.status in (AgreementStatus.SIGNED, AgreementStatus.EXPIRED)
    ):
        start = agreement.term_end + timedelta(days=1)
        renew_form = AgreementTermsForm(
            initial={
                "term_start": start,
                "term_end": default_term(agreement.template, start),
                "purchase_target": agreement.purchase_target,
                "incentive_terms": agreement.incentive_terms,
            }
        )
    return render(
        request,
        "partners/agreements/detail.html",
        {
            "agreement": agreement,
            "can_manage": can_manage,
            "verified": agreement_verify(agreement) if agreement.pdf else None,
            "status_changes": agreement.status_changes.select_related("actor"),
            "audit_events": audit_events_for(agreement),
            "versions": Agreement.objects.filter(
                partner=agreement.partner, template=agreement.template
            )
            .order_by("-version", "-pk")
            .only("pk", "number", "version", "status", "term_start", "term_end"),
            "void_form": AgreementVoidForm() if can_manage else None,
            "renew_form": renew_form,
            "renewing": renewing,
        },
    )


def _managed(request: HttpRequest, pk: int) -> Agreement:
    agreement = _visible(request, pk)
    if not partner_can_manage(request.user, agreement.partner):
        raise PermissionDenied
    return agreement


@vendor_required
@require_POST
def agreement_issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _managed(request, pk)
    flash_outcome(
        request,
        lambda: agreement_issue(agreement=agreement, actor=request.user),
        _("Agreement issued; the partner's admins were asked to sign."),
    )
    return redirect("agreements:detail", pk=pk)


@vendor_required
@require_POST
def agreement_void_view(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _managed(request, pk)
    form = AgreementVoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the agreement is voided."))
        return redirect("agreements:detail", pk=pk)
    flash_outcome(
        request,
        lambda: agreement_void(
            agreement=agreement, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        _("Agreement voided."),
    )
    return redirect("agreements:detail", pk=pk)


@vendor_required
@require_POST
def agreement_renew_view(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _managed(request, pk)
    form = AgreementTermsForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "; ".join(
                f"{form.fields[k].label if k in form.fields else ''} {' '.join(str(m) for m in v)}"
                for k, v in form.errors.items()
            ),
        )
        return redirect("agreements:detail", pk=pk)
    try:
        with transaction.atomic():
            renewal = agreement_renew(agreement=agreement, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("agreements:detail", pk=pk)
    messages.success(request, _("Renewal drafted as version %(v)s.") % {"v": renewal.version})
    return redirect("agreements:detail", pk=renewal.pk)


@vendor_required
def agreement_pdf_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    agreement = _visible(request, pk)
    if agreement.status == AgreementStatus.DRAFT:
        # A preview of what issuing would store; nothing is saved.
        return _pdf_response(agreement_pdf(agreement), agreement, "-draft")
    if not agreement.pdf:
        raise Http404
    return _pdf_response(None, agreement)


def _certificate(agreement: Agreement) -> HttpResponseBase:
    if agreement.signed_at is None:
        raise Http404
    data = signature_certificate_pdf(agreement, verified=agreement_verify(agreement))
    return _pdf_response(data, agreement, "-signing-record")


@vendor_required
def agreement_certificate_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _certificate(_visible(request, pk))


# --- partner portal -----------------------------------------------------------------------------


@partner_required
def my_agreements(request: HttpRequest) -> HttpResponse:
    agreements = agreements_visible_to(request.user).order_by("-created_at", "-pk")
    return render(request, "partners/agreements/portal_list.html", {"agreements": agreements})


@partner_required
def my_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _visible(request, pk)
    user = signed_in_user(request)
    can_sign = agreement_signable(agreement) and agreement_can_sign(user, agreement)
    form = AgreementSignForm(
        request.POST or None, initial={"document_sha256": agreement.pdf_sha256}
    )
    if request.method == "POST":
        if not can_sign:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                agreement_sign(
                    agreement=agreement,
                    user=user,
                    typed_name=data["typed_name"],
                    consent=data["consent"],
                    document_sha256=data["document_sha256"],
                    ip=request.META.get("REMOTE_ADDR"),
                    user_agent=request.headers.get("User-Agent", ""),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, _("Signed. Thank you."))
                return redirect("portal_agreements:detail", pk=pk)
    return render(
        request,
        "partners/agreements/portal_detail.html",
        {"agreement": agreement, "form": form if can_sign else None},
    )


@partner_required
def my_agreement_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    agreement = _visible(request, pk)
    if not agreement.pdf:
        raise Http404
    return _pdf_response(None, agreement)


@partner_required
def my_agreement_certificate(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _certificate(_visible(request, pk))
