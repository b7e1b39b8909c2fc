"""Market development funds in the partner portal: the partner's allocations and their ledger,
fund requests with budget lines, proof of performance, claims with invoices, and the settlement
PDF. Views are thin callers of mdf.requests, mdf.evidence and mdf.claims; every row comes from
mdf.selectors (another partner's request, claim or file is a 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import partner_required, signed_in_user
from prm.accounts.models import User
from prm.core.flash import flash_outcome
from prm.core.forms import attach_errors

from .claims import claim_open, claim_submit
from .downloads import evidence_response, settlement_response
from .evidence import evidence_add, evidence_missing
from .models import (
    REQUEST_TRANSITIONS,
    ClaimStatus,
    EvidenceKind,
    MdfClaim,
    MdfLedgerEntry,
    MdfRequest,
    RequestStatus,
)
from .portal_forms import (
    INVOICE_ROWS,
    LINE_ROWS,
    BudgetLinesForm,
    ClaimForm,
    EvidenceForm,
    InvoiceRowsForm,
    PartnerRequestFilter,
    RequestForm,
    RowsForm,
)
from .requests import EDITABLE, request_cancel, request_save, request_submit
from .selectors import (
    allocations_visible_to,
    claim_get_visible,
    claims_visible_to,
    funds_open_to,
    request_get_visible,
    requests_visible_to,
)
from .settlement_pdf import settlement_printable

PER_PAGE = 25
RECENT_ENTRIES = 5
KIND_LABELS = dict(EvidenceKind.choices)


def _kinds(kinds: list[str]) -> list[str]:
    """Evidence kinds as the reader's words."""
    return [str(KIND_LABELS.get(kind, kind)) for kind in kinds]


def _visible_request(request: HttpRequest, pk: int) -> MdfRequest:
    found = request_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


def _visible_claim(request: HttpRequest, pk: int) -> MdfClaim:
    found = claim_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


def _claims_of(user: User, mdf_request: MdfRequest) -> list[MdfClaim]:
    return list(claims_visible_to(user).filter(request=mdf_request).order_by("-created_at", "-pk"))


def _live(claims: list[MdfClaim]) -> MdfClaim | None:
    """The request's one claim that is not rejected (mdf_claim_once_per_request), if any."""
    return next((c for c in claims if c.status != ClaimStatus.REJECTED), None)


def _attach(form: Any, rows: RowsForm, exc: ValidationError, *, rows_key: str) -> None:
    """A service's refusal: `<prefix>-<n>` at its row, `rows_key` above the rows, the rest at
    the form's fields (or above the form)."""
    if not hasattr(exc, "error_dict"):
        attach_errors(form, exc)
        return
    rest: dict[str, list[str]] = {}
    for key, errors in exc.message_dict.items():
        if key == rows_key:
            rows.rows_errors.extend(errors)
        elif not rows.add_row_error(key, errors):
            rest[key] = errors
    if rest:
        attach_errors(form, ValidationError(rest))


# --- home ---------------------------------------------------------------------------------------


@partner_required
def my_funds(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    recent = MdfLedgerEntry.objects.order_by("-created_at", "-pk")[:RECENT_ENTRIES]
    allocations = (
        allocations_visible_to(user)
        .prefetch_related(Prefetch("entries", queryset=recent, to_attr="recent_entries"))
        .order_by("-fund__starts_on", "fund__code")
    )
    claims = claims_visible_to(user).select_related(None).order_by("created_at", "pk")
    requests = requests_visible_to(user).prefetch_related(
        Prefetch("claims", queryset=claims, to_attr="claim_list")
    )
    filterset = PartnerRequestFilter(request.GET, queryset=requests, request=request)
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "mdf/portal/home.html",
        {
            "allocations": allocations,
            "filter": filterset,
            "page": page,
            "can_request": funds_open_to(user.partner_id or 0).exists(),
        },
    )


# --- requests -----------------------------------------------------------------------------------


def _request_form(request: HttpRequest, existing: MdfRequest | None) -> HttpResponse:
    user = signed_in_user(request)
    data = request.POST if request.method == "POST" else None
    instance = existing or MdfRequest()
    form = RequestForm(data, instance=instance, partner_id=user.partner_id or 0)
    rows = LINE_ROWS
    initial = None
    if existing is not None:
        initial = BudgetLinesForm.initial_for(existing)
        rows = max(LINE_ROWS, len(initial) // 2 + 2)
    lines_form = BudgetLinesForm(data, rows=rows, initial=initial)
    if data is not None and all([form.is_valid(), lines_form.is_valid()]):
        submit = "submit" in data
        saved = form.save(commit=False)
        try:
            # One unit: a submit that is refused leaves no draft (or edit) behind either.
            with transaction.atomic():
                request_save(saved, lines_form.lines(), user=user)
                if submit:
                    request_submit(saved, user=user)
        except ValidationError as exc:
            if existing is None:  # rolled back: this is still a new request
                saved.pk = None
                saved._state.adding = True
            _attach(form, lines_form, exc, rows_key="lines")
        else:
            if submit:
                message = _("%(number)s submitted for approval.")
            else:
                message = _("%(number)s saved as a draft.")
            messages.success(request, message % {"number": saved.number})
            return redirect("portal_mdf:request_detail", pk=saved.pk)
    return render(
        request,
        "mdf/portal/request_form.html",
        {"form": form, "lines_form": lines_form, "mdf_request": existing},
    )


@partner_required
def my_request_new(request: HttpRequest) -> HttpResponse:
    return _request_form(request, None)


@partner_required
def my_request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mdf_request = _visible_request(request, pk)
    if mdf_request.status not in EDITABLE:
        messages.info(request, _("Only drafts and returned requests can be changed."))
        return redirect("portal_mdf:request_detail", pk=pk)
    return _request_form(request, mdf_request)


def _detail(
    request: HttpRequest, mdf_request: MdfRequest, *, evidence_form: EvidenceForm | None = None
) -> HttpResponse:
    user = signed_in_user(request)
    claims = _claims_of(user, mdf_request)
    live = _live(claims)
    status = mdf_request.status
    approved = status == RequestStatus.APPROVED
    if evidence_form is None and approved and live is None:
        evidence_form = EvidenceForm()
    return render(
        request,
        "mdf/portal/request_detail.html",
        {
            "mdf_request": mdf_request,
            "lines": mdf_request.lines.all(),
            "status_changes": mdf_request.status_changes.select_related("actor"),
            "evidence": mdf_request.evidence.select_related("uploaded_by"),
            "required": _kinds(mdf_request.activity_type.required_evidence),
            "missing": _kinds(evidence_missing(mdf_request)),
            "evidence_form": evidence_form,
            "claims": claims,
            "live_claim": live,
            "can_claim": approved and live is None and claim_open(mdf_request),
            "editable": status in EDITABLE,
            "can_cancel": RequestStatus.CANCELLED in REQUEST_TRANSITIONS[status] and live is None,
        },
    )


@partner_required
def my_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible_request(request, pk))


@partner_required
@require_POST
def my_request_submit(request: HttpRequest, pk: int) -> HttpResponse:
    mdf_request = _visible_request(request, pk)
    flash_outcome(
        request,
        lambda: request_submit(mdf_request, user=request.user),
        _("%(number)s submitted for approval.") % {"number": mdf_request.number},
    )
    return redirect("portal_mdf:request_detail", pk=pk)


@partner_required
@require_POST
def my_request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    mdf_request = _visible_request(request, pk)
    flash_outcome(
        request,
        lambda: request_cancel(mdf_request, user=user, reason=request.POST.get("reason", "")),
        _("%(number)s cancelled.") % {"number": mdf_request.number},
    )
    return redirect("portal_mdf:request_detail", pk=pk)


# --- proof of performance -----------------------------------------------------------------------


@partner_required
@require_POST
def my_evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    mdf_request = _visible_request(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            evidence = evidence_add(
                mdf_request, data["file"], kind=data["kind"], user=user, note=data["note"]
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("%(name)s uploaded.") % {"name": evidence.original_name})
            return redirect("portal_mdf:request_detail", pk=pk)
    return _detail(request, mdf_request, evidence_form=form)


@partner_required
def my_evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    return evidence_response(user=request.user, pk=pk)


# --- claims -------------------------------------------------------------------------------------


@partner_required
def my_claim_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    mdf_request = _visible_request(request, pk)
    live = _live(_claims_of(user, mdf_request))
    if request.method != "POST" and (mdf_request.status != RequestStatus.APPROVED or live):
        messages.info(request, _("Only an approved request without a claim can be claimed."))
        return redirect("portal_mdf:request_detail", pk=pk)
    data = request.POST if request.method == "POST" else None
    form = ClaimForm(data, user=user)
    invoices_form = InvoiceRowsForm(data, rows=INVOICE_ROWS)
    if data is not None and all([form.is_valid(), invoices_form.is_valid()]):
        cleaned = form.cleaned_data
        try:
            claim = claim_submit(
                mdf_request,
                invoices_form.invoices(),
                user=user,
                leads=cleaned["leads"],
                new_customers=cleaned["new_customers"],
                revenue=cleaned["revenue"],
                deals=cleaned["deals"],
                orders=cleaned["orders"],
            )
        except ValidationError as exc:
            _attach(form, invoices_form, exc, rows_key="invoices")
        else:
            messages.success(
                request,
                _("%(number)s submitted; the vendor will review it.") % {"number": claim.number},
            )
            return redirect("portal_mdf:claim_detail", pk=claim.pk)
    return render(
        request,
        "mdf/portal/claim_form.html",
        {
            "mdf_request": mdf_request,
            "form": form,
            "invoices_form": invoices_form,
            "missing": _kinds(evidence_missing(mdf_request)),
        },
    )


@partner_required
def my_claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _visible_claim(request, pk)
    return render(
        request,
        "mdf/portal/claim_detail.html",
        {
            "claim": claim,
            "mdf_request": claim.request,
            "invoices": claim.invoices.all(),
            "status_changes": claim.status_changes.select_related("actor"),
            "deals": claim.deals.order_by("number"),
            "orders": claim.orders.order_by("number"),
            "printable": settlement_printable(claim),
        },
    )


@partner_required
def my_claim_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return settlement_response(_visible_claim(request, pk))
