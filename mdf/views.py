"""Market fund pages of the vendor portal: the request queue and its approval steps, the claim
queue with review and settlement, proof and settlement downloads, and the funds with their
allocations. Every row comes from mdf.selectors (a channel manager sees his own partners'; an id
he may not see is a 404); every decision is a call to the services, which check who may."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orders.ledger import ledger_can_manage
from prm.accounts.access import active_user, signed_in_user, vendor_required
from prm.accounts.roles import Role
from prm.core.flash import flash_outcome
from prm.core.forms import form_errors
from prm.core.money import MoneyField
from prm.core.templatetags.humanize_money import money

from .claims import AUDIT_ROLES, claim_approve, claim_reject
from .downloads import evidence_response, settlement_response
from .evidence import evidence_missing
from .models import (
    ClaimStatus,
    EvidenceKind,
    MdfAllocation,
    MdfClaim,
    MdfFund,
    MdfRequest,
    RequestStatus,
    SettledAs,
)
from .requests import (
    can_decide_as_manager,
    can_decide_as_marketing,
    request_approve,
    request_reject,
    request_return,
    waiting_for,
)
from .selectors import (
    ClaimFilter,
    allocations_visible_to,
    claim_get_visible,
    claims_visible_to,
    request_get_visible,
    requests_visible_to,
)
from .settlement import claim_settle
from .settlement_pdf import settlement_printable
from .vendor_forms import (
    WAITING_FOR_ME,
    ApproveForm,
    ReasonForm,
    SettleForm,
    VendorRequestFilter,
)

PER_PAGE = 25
TOTALS = ("allocated", "reserved", "claimed", "paid", "expired")
WAITING_REQUESTS = (RequestStatus.SUBMITTED, RequestStatus.MANAGER_APPROVED)
_ZERO = Value(Decimal("0.00"), output_field=MoneyField())


def _request_visible(request: HttpRequest, pk: int) -> MdfRequest:
    found = request_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


def _claim_visible(request: HttpRequest, pk: int) -> MdfClaim:
    found = claim_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


def _allocation(user: Any, fund_request: MdfRequest) -> MdfAllocation | None:
    return (
        allocations_visible_to(user)
        .filter(fund_id=fund_request.fund_id, partner_id=fund_request.partner_id)
        .first()
    )


def _proof(fund_request: MdfRequest) -> dict[str, Any]:
    """The request's files and, per kind its activity type requires, whether one is there."""
    missing = evidence_missing(fund_request)
    return {
        "evidence": fund_request.evidence.select_related("uploaded_by"),
        "required_proof": [
            (EvidenceKind(kind).label, kind not in missing)
            for kind in fund_request.activity_type.required_evidence
        ],
        "missing_proof": [EvidenceKind(kind).label for kind in missing],
        # Proof is uploaded to approved requests; before that, missing kinds are no fault.
        "proof_due": fund_request.status == RequestStatus.APPROVED,
    }


def _totals(prefix: str = "", *, only: Q | None = None) -> dict[str, Any]:
    """Sums of the allocation totals (under `prefix`, within `only`), zero when none."""
    return {
        f"total_{name}": Coalesce(Sum(f"{prefix}{name}", filter=only), _ZERO) for name in TOTALS
    }


def _available(totals: dict[str, Decimal]) -> Decimal:
    return totals["total_allocated"] - sum(
        (totals[f"total_{name}"] for name in TOTALS[1:]), Decimal("0.00")
    )


# --- requests -----------------------------------------------------------------------------------


@vendor_required
def request_list(request: HttpRequest) -> HttpResponse:
    """The queue: requests waiting for an approval first, then the newest."""
    user = signed_in_user(request)
    visible = requests_visible_to(user)
    queue = visible.annotate(
        queue_rank=Case(
            When(status__in=WAITING_REQUESTS, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("queue_rank", "-created_at", "-pk")
    filterset = VendorRequestFilter(request.GET, queryset=queue, request=request)
    return render(
        request,
        "mdf/vendor/requests.html",
        {
            "filter": filterset,
            "page": Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page")),
            "waiting_count": visible.filter(waiting_for(user)).count(),
            "waiting_param": WAITING_FOR_ME,
            "waiting_on": request.GET.get("waiting") == WAITING_FOR_ME,
        },
    )


def _can_decide(fund_request: MdfRequest, user: Any) -> bool:
    if fund_request.status == RequestStatus.SUBMITTED:
        return can_decide_as_manager(fund_request, user)
    if fund_request.status == RequestStatus.MANAGER_APPROVED:
        return can_decide_as_marketing(user)
    return False


@vendor_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    fund_request = _request_visible(request, pk)
    can_decide = _can_decide(fund_request, user)
    at_manager = fund_request.status == RequestStatus.SUBMITTED
    return render(
        request,
        "mdf/vendor/request_detail.html",
        {
            "fund_request": fund_request,
            "fund": fund_request.fund,
            "partner": fund_request.partner,
            "lines": fund_request.lines.all(),
            "allocation": _allocation(user, fund_request),
            "claims": fund_request.claims.all(),
            "status_changes": fund_request.status_changes.select_related("actor"),
            **_proof(fund_request),
            "can_decide": can_decide,
            # What this step may approve at most: the request, or the channel manager's amount.
            "ceiling": fund_request.requested_amount if at_manager else fund_request.manager_amount,
            "marketing_step": at_manager and fund_request.fund.marketing_above is not None,
            "approve_form": ApproveForm() if can_decide else None,
            "reason_form": ReasonForm() if can_decide else None,
        },
    )


@vendor_required
@require_POST
def request_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    fund_request = _request_visible(request, pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("mdf:request_detail", pk=pk)
    try:
        moved = request_approve(
            fund_request,
            user=request.user,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("mdf:request_detail", pk=pk)
    saved = MdfRequest.objects.get(pk=pk)
    if moved.status == RequestStatus.MANAGER_APPROVED:
        messages.success(
            request,
            _(
                "%(number)s approved for %(amount)s; above the fund's threshold it now waits "
                "for marketing."
            )
            % {"number": saved.number, "amount": money(saved.manager_amount)},
        )
    else:
        messages.success(
            request,
            _("%(number)s approved: %(amount)s is reserved in the partner's fund.")
            % {"number": saved.number, "amount": money(saved.approved_amount)},
        )
    return redirect("mdf:request_detail", pk=pk)


def _reasoned(request: HttpRequest) -> str:
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


def _send_back_or_reject(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    fund_request = _request_visible(request, pk)
    reason = _reasoned(request)
    flash_outcome(
        request,
        lambda: action(fund_request, user=request.user, reason=reason),
        done % {"number": fund_request.number},
    )
    return redirect("mdf:request_detail", pk=pk)


@vendor_required
@require_POST
def request_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _send_back_or_reject(
        request, pk, request_return, _("%(number)s sent back to the partner for changes.")
    )


@vendor_required
@require_POST
def request_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _send_back_or_reject(request, pk, request_reject, _("%(number)s rejected."))


# --- claims -------------------------------------------------------------------------------------


@vendor_required
def claim_list(request: HttpRequest) -> HttpResponse:
    """The queue: claims waiting for review first, then those waiting to be paid, then the rest;
    newest first within each."""
    queue = claims_visible_to(request.user).annotate(
        queue_rank=Case(
            When(status=ClaimStatus.SUBMITTED, then=Value(0)),
            When(status=ClaimStatus.APPROVED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    filterset = ClaimFilter(request.GET, queryset=queue)
    claims = filterset.qs.order_by("queue_rank", "-created_at", "-pk")
    return render(
        request,
        "mdf/vendor/claims.html",
        {
            "filter": filterset,
            "page": Paginator(claims, PER_PAGE).get_page(request.GET.get("page")),
        },
    )


def _is_auditor(user: Any) -> bool:
    """Who mdf.claims lets approve or reject a claim."""
    return active_user(user) and user.is_vendor_staff and user.role in AUDIT_ROLES


@vendor_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    claim = _claim_visible(request, pk)
    fund_request = claim.request
    can_audit = claim.status == ClaimStatus.SUBMITTED and _is_auditor(user)
    can_settle = claim.status == ClaimStatus.APPROVED and ledger_can_manage(user)
    return render(
        request,
        "mdf/vendor/claim_detail.html",
        {
            "claim": claim,
            "fund_request": fund_request,
            "fund": fund_request.fund,
            "partner": fund_request.partner,
            "invoices": claim.invoices.all(),
            "deals": claim.deals.order_by("number"),
            "orders": claim.orders.order_by("number"),
            "allocation": _allocation(user, fund_request),
            "status_changes": claim.status_changes.select_related("actor"),
            **_proof(fund_request),
            "can_audit": can_audit,
            "approve_form": ApproveForm() if can_audit else None,
            "reason_form": ReasonForm() if can_audit else None,
            "settle_form": SettleForm() if can_settle else None,
            "printable": settlement_printable(claim),
        },
    )


@vendor_required
@require_POST
def claim_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_visible(request, pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("mdf:claim_detail", pk=pk)
    amount = form.cleaned_data["amount"]
    flash_outcome(
        request,
        lambda: claim_approve(
            claim, user=request.user, amount=amount, reason=form.cleaned_data["reason"]
        ),
        _("%(number)s approved for %(amount)s.")
        % {"number": claim.number, "amount": money(amount or claim.claimed_amount)},
    )
    return redirect("mdf:claim_detail", pk=pk)


@vendor_required
@require_POST
def claim_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_visible(request, pk)
    reason = _reasoned(request)
    flash_outcome(
        request,
        lambda: claim_reject(claim, user=request.user, reason=reason),
        _("%(number)s rejected; the request's reservation stays for a new claim.")
        % {"number": claim.number},
    )
    return redirect("mdf:claim_detail", pk=pk)


@vendor_required
@require_POST
def claim_settle_view(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_visible(request, pk)
    form = SettleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("mdf:claim_detail", pk=pk)
    settled_as = form.cleaned_data["settled_as"]
    reference = form.cleaned_data["payout_reference"]
    values = {
        "number": claim.number,
        "amount": money(claim.approved_amount),
        "partner": claim.request.partner.display_name,
        "reference": reference.strip(),
    }
    flash_outcome(
        request,
        lambda: claim_settle(
            claim, actor=request.user, settled_as=settled_as, payout_reference=reference
        ),
        (
            _("%(number)s settled: the payout of %(amount)s (%(reference)s) was recorded.")
            if settled_as == SettledAs.PAYOUT
            else _("%(number)s settled: %(amount)s was credited to the wallet of %(partner)s.")
        )
        % values,
    )
    return redirect("mdf:claim_detail", pk=pk)


@vendor_required
def claim_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return settlement_response(_claim_visible(request, pk))


@vendor_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    return evidence_response(user=request.user, pk=pk)


# --- funds --------------------------------------------------------------------------------------


def _funds_with_totals(user: Any) -> QuerySet[MdfFund]:
    """Every fund with the totals of the allocations `user` may see, in one query."""
    visible = Q(allocations__in=allocations_visible_to(user).values("pk"))
    return (
        MdfFund.objects.annotate(**_totals("allocations__", only=visible))
        .annotate(
            total_available=F("total_allocated")
            - F("total_reserved")
            - F("total_claimed")
            - F("total_paid")
            - F("total_expired")
        )
        .order_by("-starts_on", "code")
    )


@vendor_required
def fund_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "mdf/vendor/funds.html",
        {"funds": _funds_with_totals(user), "partial_view": user.role == Role.CHANNEL_MANAGER},
    )


@vendor_required
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    fund = MdfFund.objects.filter(pk=pk).prefetch_related("tiers", "regions").first()
    if fund is None:
        raise Http404
    allocations = allocations_visible_to(user).filter(fund=fund)
    totals = allocations.aggregate(**_totals())
    return render(
        request,
        "mdf/vendor/fund_detail.html",
        {
            "fund": fund,
            "page": Paginator(allocations.order_by("partner__name", "pk"), PER_PAGE).get_page(
                request.GET.get("page")
            ),
            "totals": totals,
            "total_available": _available(totals),
            "partial_view": user.role == Role.CHANNEL_MANAGER,
        },
    )
