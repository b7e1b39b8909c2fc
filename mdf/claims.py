"""Claims (费用核销): the partner claims against its approved request with invoices and results;
the vendor approves fully or in part (with a reason), or rejects. Approval turns the request's
reservation into the approved claim in the fund ledger (the rest of the reservation returns to
the partner's available balance); a rejection keeps the reservation for a new claim and frees
its invoice numbers.

Checks, each at the field or invoice row that fails: the invoices add up to at most the approved
amount; each is dated within the activity; no invoice number is claimed twice in the vendor
(normalised: full-width, case, spaces and dashes ignored; a unique index settles races); the
evidence the activity type requires is there."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from deal_registration.models import DealRegistration
from deal_registration.registrations import clean_reason
from orders.models import Order
from prm.accounts.access import active_user
from prm.accounts.roles import Role
from prm.core.numbering import next_number
from prm.core.templatetags.humanize_money import money
from prm.core.workflow import transition, transition_start
from prm.tenancy.selectors import tenant_today

from .evidence import evidence_missing
from .ledger import ZERO, amount_error, amount_within, fund_move, is_cents
from .models import (
    CLAIM_TRANSITIONS,
    ClaimStatus,
    EvidenceKind,
    FundEntryKind,
    MdfAllocation,
    MdfClaim,
    MdfClaimStatusChange,
    MdfInvoice,
    MdfRequest,
    RequestStatus,
)

NUMBER_PREFIX = "MDFC"
AUDIT_ROLES = frozenset({Role.ADMIN, Role.FINANCE, Role.MARKETING})


@dataclass(frozen=True)
class InvoiceIn:
    number: str
    issued_on: date | None
    amount: Decimal | None
    issuer: str


def invoice_key(number: str) -> str:
    """Full-width digits, case, spaces and dashes do not make another invoice: "No. 12-34" and
    "no1234" are one."""
    text = unicodedata.normalize("NFKC", number or "").upper()
    return re.sub(r"[\s\-_/.]", "", text)[:40]


def _invoice_errors(
    request: MdfRequest, invoices: list[InvoiceIn]
) -> tuple[dict[str, str], list[str]]:
    errors: dict[str, str] = {}
    keys: list[str] = []
    for n, invoice in enumerate(invoices, start=1):
        field = f"invoice-{n}"
        key = invoice_key(invoice.number)
        keys.append(key)
        amount = invoice.amount
        if not key:
            errors[field] = _("Enter the invoice number.")
        elif not invoice.issuer.strip():
            errors[field] = _("Enter who issued the invoice.")
        elif not is_cents(amount):
            errors[field] = amount_error()
        elif invoice.issued_on is None or not (
            request.starts_on <= invoice.issued_on <= request.ends_on
        ):
            errors[field] = _(
                "The invoice date must be within the activity (%(start)s – %(end)s)."
            ) % {"start": request.starts_on.isoformat(), "end": request.ends_on.isoformat()}
        elif key in keys[: n - 1]:
            errors[field] = _("Invoice %(number)s is listed twice.") % {"number": invoice.number}
        elif MdfInvoice.objects.filter(number_key=key, counts=True).exists():
            errors[field] = _("Invoice %(number)s has already been claimed.") % {
                "number": invoice.number
            }
    return errors, keys


def claim_open(request: MdfRequest) -> bool:
    """Claims are taken until the deadline, inclusive, in the vendor's calendar."""
    return tenant_today() <= request.claim_deadline


@transaction.atomic
def claim_submit(
    request: MdfRequest,
    invoices: list[InvoiceIn],
    *,
    user: Any,
    leads: int = 0,
    new_customers: int = 0,
    revenue: Decimal = ZERO,
    deals: Iterable[DealRegistration] = (),
    orders: Iterable[Order] = (),
) -> MdfClaim:
    if not (active_user(user) and user.is_partner_user and user.partner_id == request.partner_id):
        raise PermissionDenied
    locked = (
        MdfRequest.objects.select_for_update().select_related("activity_type").get(pk=request.pk)
    )
    if locked.status != RequestStatus.APPROVED:
        raise ValidationError(_("Only approved requests can be claimed."))
    if not claim_open(locked):
        # The nightly job lapses it; until then the deadline still holds here.
        raise ValidationError(
            _("The claim deadline (%(date)s) has passed.")
            % {"date": locked.claim_deadline.isoformat()}
        )
    if locked.claims.live().exists():
        raise ValidationError(_("This request has already been claimed."))
    errors, keys = _invoice_errors(locked, invoices)
    if not invoices:
        errors["invoices"] = _("Add at least one invoice.")
    total = sum((i.amount or ZERO for i in invoices), ZERO)
    assert locked.approved_amount is not None
    if not errors and total > locked.approved_amount:
        errors["invoices"] = _(
            "The invoices add up to %(total)s, more than the %(approved)s approved."
        ) % {"total": money(total), "approved": money(locked.approved_amount)}
    missing = evidence_missing(locked)
    if missing:
        labels = ", ".join(str(EvidenceKind(kind).label) for kind in missing)
        errors["evidence"] = _("Upload the proof this activity needs first: %(kinds)s.") % {
            "kinds": labels
        }
    deals, orders = list(deals), list(orders)
    if any(d.partner_id != locked.partner_id for d in deals):
        errors["deals"] = _("Link only your own registered deals.")
    if any(o.partner_id != locked.partner_id for o in orders):
        errors["orders"] = _("Link only your own orders.")
    if errors:
        raise ValidationError(errors)
    claim = MdfClaim.objects.create(
        number=next_number(NUMBER_PREFIX),
        request=locked,
        claimed_amount=total,
        leads=leads,
        new_customers=new_customers,
        revenue=revenue,
        created_by=user,
    )
    try:
        with transaction.atomic():
            MdfInvoice.objects.bulk_create(
                [
                    MdfInvoice(
                        claim=claim,
                        number=i.number.strip()[:40],
                        number_key=key,
                        issued_on=i.issued_on,  # type: ignore[misc]  # checked above
                        amount=i.amount,
                        issuer=i.issuer.strip()[:200],
                    )
                    for i, key in zip(invoices, keys, strict=True)
                ]
            )
    except IntegrityError as exc:  # another claim took one of these numbers meanwhile
        raise ValidationError(
            {"invoices": _("One of these invoices has just been claimed by someone else.")}
        ) from exc
    claim.deals.set(deals)
    claim.orders.set(orders)
    transition_start(claim, history_model=MdfClaimStatusChange, history_fk="claim", actor=user)
    return claim


def _auditor(user: Any) -> None:
    if not (active_user(user) and user.is_vendor_staff and user.role in AUDIT_ROLES):
        raise PermissionDenied


def move(claim: MdfClaim, to: str, *, actor: Any, reason: str) -> MdfClaim:
    moved = transition(
        claim,
        to,
        table=CLAIM_TRANSITIONS,
        history_model=MdfClaimStatusChange,
        history_fk="claim",
        actor=actor,
        reason=reason,
    )
    assert isinstance(moved, MdfClaim)
    return moved


@transaction.atomic
def claim_approve(
    claim: MdfClaim, *, user: Any, amount: Decimal | None = None, reason: str = ""
) -> MdfClaim:
    """Approve all or part of what was claimed (part: say why). In the fund ledger the
    request's reservation is released and the approved amount is claimed, together."""
    _auditor(user)
    locked = MdfClaim.objects.select_for_update().select_related("request").get(pk=claim.pk)
    if locked.status != ClaimStatus.SUBMITTED:
        raise ValidationError(_("This claim has already been decided."))
    value = amount_within(amount, locked.claimed_amount)
    reason = clean_reason(reason, required=value < locked.claimed_amount)
    request = locked.request
    allocation = MdfAllocation.objects.get(fund=request.fund_id, partner=request.partner_id)
    assert request.approved_amount is not None
    fund_move(
        allocation,
        FundEntryKind.RELEASE,
        request.approved_amount,
        actor=user,
        reference=request.number,
    )
    fund_move(allocation, FundEntryKind.CLAIM, value, actor=user, reference=locked.number)
    MdfClaim.objects.filter(pk=locked.pk).update(approved_amount=value)
    return move(locked, ClaimStatus.APPROVED, actor=user, reason=reason)


@transaction.atomic
def claim_reject(claim: MdfClaim, *, user: Any, reason: str) -> MdfClaim:
    """The reservation stays for a new claim; the invoices may be claimed again."""
    _auditor(user)
    reason = clean_reason(reason, required=True)
    moved = move(claim, ClaimStatus.REJECTED, actor=user, reason=reason)
    MdfInvoice.objects.filter(claim=moved).update(counts=False)
    return moved
