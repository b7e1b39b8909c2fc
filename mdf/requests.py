"""A partner's fund request (费用申请): drafted with budget lines, submitted, approved by its
channel manager and, above the fund's threshold, by marketing; the final approval reserves the
approved amount in the partner's allocation (mdf.ledger), or is refused with what is left.
Returned requests are edited and submitted again; cancelling an approved one releases it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from deal_registration.registrations import clean_reason
from prm.accounts.access import active_user
from prm.accounts.roles import Role
from prm.core.numbering import next_number
from prm.core.templatetags.humanize_money import money
from prm.core.workflow import transition, transition_start

from .ledger import ZERO, amount_error, amount_within, fund_move, is_cents
from .models import (
    REQUEST_TRANSITIONS,
    FundEntryKind,
    FundStatus,
    MdfAllocation,
    MdfFund,
    MdfRequest,
    MdfRequestLine,
    MdfRequestStatusChange,
    RequestStatus,
)

NUMBER_PREFIX = "MDF"
MAX_REQUEST = Decimal("999999999999.99")  # what the amount columns hold
EDITABLE = frozenset({RequestStatus.DRAFT, RequestStatus.RETURNED})


def _move(request: MdfRequest, to: str, *, actor: Any, reason: str = "") -> MdfRequest:
    moved = transition(
        request,
        to,
        table=REQUEST_TRANSITIONS,
        history_model=MdfRequestStatusChange,
        history_fk="request",
        actor=actor,
        reason=reason,
    )
    assert isinstance(moved, MdfRequest)
    return moved


def _own(request: MdfRequest, user: Any) -> None:
    if not (active_user(user) and user.is_partner_user and user.partner_id == request.partner_id):
        raise PermissionDenied


def can_decide_as_manager(request: MdfRequest, user: Any) -> bool:
    """The partner's channel manager, or a vendor admin."""
    if not (active_user(user) and user.is_vendor_staff):
        return False
    if user.role == Role.ADMIN:
        return True
    return bool(user.role == Role.CHANNEL_MANAGER and request.partner.channel_manager_id == user.pk)


def can_decide_as_marketing(user: Any) -> bool:
    return active_user(user) and user.is_vendor_staff and user.role in {Role.MARKETING, Role.ADMIN}


def waiting_for(user: Any) -> Q:
    """Requests `user` can decide now, as a filter: the two checks above, for querysets."""
    waiting = Q(pk__in=[])
    if not (active_user(user) and user.is_vendor_staff):
        return waiting
    if user.role == Role.ADMIN:
        waiting |= Q(status=RequestStatus.SUBMITTED)
    elif user.role == Role.CHANNEL_MANAGER:
        waiting |= Q(status=RequestStatus.SUBMITTED, partner__channel_manager=user)
    if can_decide_as_marketing(user):
        waiting |= Q(status=RequestStatus.MANAGER_APPROVED)
    return waiting


def _fund_open(request: MdfRequest) -> None:
    if MdfFund.objects.filter(pk=request.fund_id, status=FundStatus.ACTIVE).exists():
        return
    raise ValidationError({"fund": _("This fund is not open for requests.")})


def _allocation(request: MdfRequest) -> MdfAllocation | None:
    return MdfAllocation.objects.filter(fund=request.fund, partner=request.partner).first()


@transaction.atomic
def request_save(request: MdfRequest, lines: list[tuple[str, Decimal]], *, user: Any) -> MdfRequest:
    """Create or edit a draft (or a returned request) with its budget lines, all or nothing.
    Errors are keyed by field; a line's error by `line-<n>` (1-based)."""
    if request.pk is None:
        if not (active_user(user) and user.is_partner_user):
            raise PermissionDenied
        request.partner_id = user.partner_id
        request.created_by = user
    else:
        _own(request, user)
        if request.status not in EDITABLE:
            raise ValidationError(_("Only drafts and returned requests can be changed."))
    errors: dict[str, str] = {}
    fund = request.fund
    if request.starts_on and request.ends_on and request.ends_on < request.starts_on:
        errors["ends_on"] = _("The activity cannot end before it starts.")
    elif request.starts_on and request.starts_on < fund.starts_on:
        errors["starts_on"] = _("The fund covers activities from %(date)s.") % {
            "date": fund.starts_on.isoformat()
        }
    elif request.ends_on and request.ends_on > fund.ends_on:
        errors["ends_on"] = _("The fund covers activities until %(date)s.") % {
            "date": fund.ends_on.isoformat()
        }
    if request.fund.status != FundStatus.ACTIVE:
        errors["fund"] = _("This fund is not open for requests.")
    elif not MdfAllocation.objects.filter(
        fund=request.fund, partner_id=request.partner_id
    ).exists():
        errors["fund"] = _("Your company has no allocation in this fund.")
    if not request.activity_type.is_active:
        errors["activity_type"] = _("This activity type is no longer offered.")
    kept = [(text.strip(), amount) for text, amount in lines if text.strip() or amount]
    for n, (text, amount) in enumerate(kept, start=1):
        if not text:
            errors[f"line-{n}"] = _("Describe the budget item.")
        elif not is_cents(amount):
            errors[f"line-{n}"] = amount_error()
    if not kept:
        errors["lines"] = _("Add at least one budget line.")
    elif not errors and sum((a for _t, a in kept), ZERO) > MAX_REQUEST:
        errors["lines"] = _("A request is for at most %(max)s.") % {"max": money(MAX_REQUEST)}
    if errors:
        raise ValidationError(errors)
    request.requested_amount = sum((amount for _text, amount in kept), ZERO)
    new = request.pk is None
    if new:
        request.number = next_number(NUMBER_PREFIX)
    request.save()
    if new:
        transition_start(
            request, history_model=MdfRequestStatusChange, history_fk="request", actor=user
        )
    request.lines.all().delete()
    MdfRequestLine.objects.bulk_create(
        [MdfRequestLine(request=request, description=t, amount=a) for t, a in kept]
    )
    return request


@transaction.atomic
def request_submit(request: MdfRequest, *, user: Any) -> MdfRequest:
    """Send it for approval. Refused early when the allocation cannot cover it; the binding
    check is the reservation at the final approval."""
    _own(request, user)
    _fund_open(request)
    allocation = _allocation(request)
    available = allocation.available if allocation else ZERO
    if request.requested_amount > available:
        raise ValidationError(
            {
                "lines": _("%(asked)s is more than the %(available)s available in this fund.")
                % {"asked": money(request.requested_amount), "available": money(available)}
            }
        )
    moved = _move(request, RequestStatus.SUBMITTED, actor=user)
    MdfRequest.objects.filter(pk=moved.pk).update(submitted_at=timezone.now())
    return moved


@transaction.atomic
def request_approve(
    request: MdfRequest, *, user: Any, amount: Decimal | None = None, reason: str = ""
) -> MdfRequest:
    """The next approval step, possibly for less than asked (say why). The channel manager's
    approval is final up to the fund's marketing threshold; above it marketing decides, at
    most what the channel manager approved. The final step reserves the amount."""
    locked = (
        MdfRequest.objects.select_for_update().select_related("fund", "partner").get(pk=request.pk)
    )
    if locked.status == RequestStatus.SUBMITTED:
        if not can_decide_as_manager(locked, user):
            raise PermissionDenied
        ceiling = locked.requested_amount
        value = amount_within(amount, ceiling)
        threshold = locked.fund.marketing_above
        final = threshold is None or value <= threshold
    elif locked.status == RequestStatus.MANAGER_APPROVED:
        if not can_decide_as_marketing(user):
            raise PermissionDenied
        assert locked.manager_amount is not None
        ceiling = locked.manager_amount
        value = amount_within(amount, ceiling)
        final = True
    else:
        raise ValidationError(_("This request is not waiting for an approval."))
    _fund_open(locked)
    # Less than this step was asked for needs a reason (the manager's cut was explained then).
    reason = clean_reason(reason, required=value < ceiling)
    if not final:
        MdfRequest.objects.filter(pk=locked.pk).update(manager_amount=value)
        return _move(locked, RequestStatus.MANAGER_APPROVED, actor=user, reason=reason)
    allocation = _allocation(locked)
    if allocation is None:
        raise ValidationError({"amount": _("The partner has no allocation in this fund.")})
    fund_move(allocation, FundEntryKind.RESERVE, value, actor=user, reference=locked.number)
    MdfRequest.objects.filter(pk=locked.pk).update(approved_amount=value)
    return _move(locked, RequestStatus.APPROVED, actor=user, reason=reason)


def _decider(request: MdfRequest, user: Any) -> None:
    if request.status == RequestStatus.MANAGER_APPROVED:
        allowed = can_decide_as_marketing(user)
    else:
        allowed = can_decide_as_manager(request, user)
    if not allowed:
        raise PermissionDenied


@transaction.atomic
def request_return(request: MdfRequest, *, user: Any, reason: str) -> MdfRequest:
    """Send it back to the partner to change; the reason is required."""
    request = MdfRequest.objects.select_for_update().select_related("partner").get(pk=request.pk)
    _decider(request, user)
    return _move(
        request, RequestStatus.RETURNED, actor=user, reason=clean_reason(reason, required=True)
    )


@transaction.atomic
def request_reject(request: MdfRequest, *, user: Any, reason: str) -> MdfRequest:
    request = MdfRequest.objects.select_for_update().select_related("partner").get(pk=request.pk)
    _decider(request, user)
    return _move(
        request, RequestStatus.REJECTED, actor=user, reason=clean_reason(reason, required=True)
    )


@transaction.atomic
def request_cancel(request: MdfRequest, *, user: Any, reason: str = "") -> MdfRequest:
    """The partner withdraws it; an approved one gives its reservation back."""
    _own(request, user)
    locked = MdfRequest.objects.select_for_update().get(pk=request.pk)
    if locked.claims.live().exists():
        # The claim holds the money now (its approval released the reservation).
        raise ValidationError(_("This request has been claimed; it can no longer be cancelled."))
    if locked.status == RequestStatus.APPROVED and locked.approved_amount:
        allocation = _allocation(locked)
        assert allocation is not None
        fund_move(
            allocation,
            FundEntryKind.RELEASE,
            locked.approved_amount,
            actor=user,
            reference=locked.number,
        )
    return _move(
        locked, RequestStatus.CANCELLED, actor=user, reason=clean_reason(reason, required=False)
    )


@transaction.atomic
def request_lapse(request: MdfRequest, *, reason: str) -> MdfRequest | None:
    """The claim deadline passed with no claim in review or decided: the reservation returns
    to the partner's balance. None when the request moved meanwhile (claimed, cancelled)."""
    locked = MdfRequest.objects.select_for_update().get(pk=request.pk)
    live = locked.claims.live().exists()
    if locked.status != RequestStatus.APPROVED or live:
        return None
    if locked.approved_amount:
        allocation = _allocation(locked)
        assert allocation is not None
        fund_move(
            allocation,
            FundEntryKind.RELEASE,
            locked.approved_amount,
            reference=locked.number,
            memo=reason,
        )
    return _move(locked, RequestStatus.LAPSED, actor=None, reason=reason)


def requests_end_with_fund(fund_id: int, *, reason: str) -> int:
    """A fund closed: requests still waiting are rejected, drafts and returned ones cancelled,
    so no queue keeps what can no longer be approved. Approved ones keep their reservation
    until claimed or lapsed."""
    ends: dict[str, str] = {
        RequestStatus.SUBMITTED: RequestStatus.REJECTED,
        RequestStatus.MANAGER_APPROVED: RequestStatus.REJECTED,
        RequestStatus.DRAFT: RequestStatus.CANCELLED,
        RequestStatus.RETURNED: RequestStatus.CANCELLED,
    }
    ended = 0
    for request in MdfRequest.objects.filter(fund_id=fund_id, status__in=list(ends)):
        with transaction.atomic():
            locked = MdfRequest.objects.select_for_update().get(pk=request.pk)
            if locked.status in ends:
                _move(locked, ends[locked.status], actor=None, reason=reason)
                ended += 1
    return ended
