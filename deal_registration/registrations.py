"""Deal registrations: writes (create, submit, decide, close) and the permission checks they use.

Who holds a customer is decided inside PostgreSQL. Every submission and approval takes one
transaction-level advisory lock per vendor (`claim_lock`), re-runs the conflict engine against
what is committed, and stamps `submitted_at` with the database's `clock_timestamp()`: the lock's
queue order is the registration order, to the microsecond, whatever the web workers' clocks say.
A partial unique index (one claim per credit code) backs the rule up should anything bypass the
lock.

A registration that finds a *blocking* candidate (another claim on the same customer, or a vendor
account) is still submitted, so the channel manager sees the evidence, but does not hold the
customer and cannot be approved while the other claim stands.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.credit_code import normalize_credit_code
from partners.gates import DEAL_REGISTRATION, partner_blockers
from partners.models import Partner, PartnerStatus
from partners.selectors import partner_can_manage, partner_tier
from prm.accounts.access import active_user
from prm.core.numbering import next_number
from prm.core.workflow import transition, transition_start
from prm.tenancy.selectors import tenant_today

from .conflicts import Candidate, Probe, find_conflicts
from .events import registration_approved_emit
from .models import (
    DEAL_TRANSITIONS,
    DealConflict,
    DealRegistration,
    DealRegistrationStatusChange,
    DealRules,
    DealStatus,
    TierDealRules,
    Verdict,
)

NUMBER_PREFIX = "DR"
REASON_MAX = 2000
EDITABLE_STATUSES = (DealStatus.DRAFT, DealStatus.MORE_INFO)


# --- permissions --------------------------------------------------------------------------------


def deal_is_own(user: Any, registration: DealRegistration) -> bool:
    """A user of the registering partner."""
    return active_user(user) and user.is_partner_user and user.partner_id == registration.partner_id


def deal_can_decide(user: Any, registration: DealRegistration) -> bool:
    """Approve, reject, ask for information: vendor admins and the partner's channel manager."""
    return partner_can_manage(user, registration.partner)


def deal_can_cosell(user: Any, registration: DealRegistration) -> bool:
    """Add activities: the partner's users, the deciders, and vendor people on the deal team."""
    if deal_is_own(user, registration) or deal_can_decide(user, registration):
        return True
    return bool(
        active_user(user) and user.is_vendor_staff and registration.team.filter(user=user).exists()
    )


def deal_register_blockers(partner: Partner) -> list[str]:
    return partner_blockers(partner, DEAL_REGISTRATION)


def require_active_partner(partner: Partner) -> None:
    """Protection is granted or extended only to an active partner: a suspended or terminated
    one keeps at most what it had until its release day."""
    if partner.status != PartnerStatus.ACTIVE:
        raise ValidationError(
            _("%(partner)s is %(status)s: its registrations cannot be approved or extended.")
            % {"partner": partner.name, "status": partner.get_status_display()}
        )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": _("Say why.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason under 2000 characters.")})
    return reason


# --- drafts -------------------------------------------------------------------------------------


PAST_CLOSE_DATE = gettext_lazy("The expected close date cannot be in the past.")


def close_date_in_past(value: date | None) -> bool:
    return value is not None and value < tenant_today()


def check_close_date(value: date | None) -> None:
    if close_date_in_past(value):
        raise ValidationError({"expected_close_date": PAST_CLOSE_DATE})


# What the partner edits; the rest (status, claim, keys, times) belongs to the services.
EDITABLE_FIELDS = (
    "customer_name",
    "credit_code",
    "region",
    "industry",
    "address",
    "website",
    "phone",
    "contact_name",
    "contact_title",
    "contact_phone",
    "contact_email",
    "title",
    "product_line",
    "estimated_amount",
    "expected_close_date",
    "stage",
    "description",
)


def _same_customer(before: Probe, after: Probe) -> bool:
    """An edit keeps the customer when its name key or its (known) credit code stays."""
    if before.credit_code and before.credit_code == after.credit_code:
        return True
    return bool(before.name_key) and before.name_key == after.name_key


def registration_save(
    registration: DealRegistration, *, user: Any, products: Iterable[Any] | None = None
) -> DealRegistration:
    """Create a draft, or update a draft or a registration sent back for more information.

    An edit of a registration that holds its customer is checked again under the claim lock: if
    it now names another customer it gives up the claim and its place in line (the next
    registered takes over), and if another claim now blocks it, it gives up the claim too; it
    is checked like any other at resubmission."""
    new = registration.pk is None
    if new:
        _require(user.is_partner_user and user.partner_id == registration.partner_id)
        blockers = deal_register_blockers(registration.partner)
        if blockers:
            raise ValidationError(blockers)
        if registration.lead_id is not None:
            _check_lead(registration, user)
        registration.created_by = user
    else:
        _require(deal_is_own(user, registration))
    registration.credit_code = normalize_credit_code(registration.credit_code)
    check_close_date(registration.expected_close_date)
    registration.full_clean(exclude=["number", "name_key", "partner", "created_by", "lead"])
    with transaction.atomic():
        if new:
            registration.number = next_number(NUMBER_PREFIX)
            registration.save()
            transition_start(
                registration,
                history_model=DealRegistrationStatusChange,
                history_fk="registration",
                actor=user,
            )
        else:
            _save_edit(registration)
        if products is not None:
            registration.products.set(products)
    return registration


def _check_lead(registration: DealRegistration, user: Any) -> None:
    from .lead_selectors import lead_for_registration

    if lead_for_registration(user, registration.lead_id or 0) is None:
        raise ValidationError(_("This lead is not yours to register, or is registered already."))


def _save_edit(registration: DealRegistration) -> None:
    claim_lock()
    current = DealRegistration.objects.select_for_update().get(pk=registration.pk)
    if current.status not in EDITABLE_STATUSES:
        raise ValidationError(_("Only drafts and registrations sent back can be edited."))
    before = Probe.of_registration(current)
    registration.save(update_fields=EDITABLE_FIELDS)
    if not current.holds_claim:
        return
    after = Probe.of_registration(registration)
    moved = not _same_customer(before, after)
    if moved or _blocking(find_conflicts(after)):
        registration.holds_claim = False
        registration.has_conflict = not moved
        if moved:
            registration.submitted_at = None  # a new customer queues from its own submission
        registration.save(update_fields=["holds_claim", "has_conflict", "submitted_at"])
        promote_next(registration)


# --- the claim ----------------------------------------------------------------------------------


def claim_lock() -> None:
    """Serialise claims within this vendor (advisory locks are database-wide: key by schema)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            [f"{connection.schema_name}:deal_registration.claim"],  # type: ignore[attr-defined]
        )


def _db_now() -> datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        now: datetime = cursor.fetchone()[0]
    return now


def _record(registration: DealRegistration, candidates: list[Candidate]) -> None:
    registration.conflicts.all().delete()
    DealConflict.objects.bulk_create(
        DealConflict(
            registration=registration,
            source=c.source,
            other_registration=c.registration,
            account=c.account,
            sell_out=c.sell_out,
            score=c.score,
            matched=list(c.matched),
            verdict=c.verdict,
        )
        for c in candidates
    )


def _blocking(candidates: list[Candidate]) -> list[Candidate]:
    return [c for c in candidates if c.verdict == Verdict.BLOCK]


def registration_submit(registration: DealRegistration, *, user: Any) -> DealRegistration:
    """Send a draft (or an answered request for information) to the vendor; claim the customer
    if nobody holds it yet."""
    _require(deal_is_own(user, registration))
    blockers = deal_register_blockers(registration.partner)
    if blockers:
        raise ValidationError(blockers)
    check_close_date(registration.expected_close_date)
    with transaction.atomic():
        claim_lock()
        locked = DealRegistration.objects.select_for_update().get(pk=registration.pk)
        if locked.status not in EDITABLE_STATUSES:
            raise ValidationError(_("This registration was already submitted."))
        candidates = find_conflicts(Probe.of_registration(locked))
        _record(locked, candidates)
        locked.holds_claim = not _blocking(candidates)
        locked.has_conflict = any(c.verdict != Verdict.INFO for c in candidates)
        now = _db_now()
        if locked.submitted_at is None:
            locked.submitted_at = now
        hours = DealRules.current().approval_sla_hours
        locked.approval_due_at = now + timedelta(hours=hours)
        locked.approval_reminded_at = None
        locked.save(
            update_fields=[
                "holds_claim",
                "has_conflict",
                "submitted_at",
                "approval_due_at",
                "approval_reminded_at",
            ]
        )
        transition(
            locked,
            DealStatus.SUBMITTED,
            table=DEAL_TRANSITIONS,
            history_model=DealRegistrationStatusChange,
            history_fk="registration",
            actor=user,
        )
    return locked


# --- decisions ----------------------------------------------------------------------------------


def protection_days(partner: Partner) -> int:
    tier = partner_tier(partner)
    if tier is not None:
        rules = TierDealRules.objects.filter(tier=tier).first()
        if rules is not None:
            return rules.protection_days
    return DealRules.current().protection_days


def registration_approve(
    registration: DealRegistration, *, actor: Any, reason: str = ""
) -> DealRegistration:
    """Approve and protect. Refused while another claim on the customer blocks this one; a
    possible conflict ("needs review") must be approved with a reason."""
    _require(deal_can_decide(actor, registration))
    require_active_partner(registration.partner)
    with transaction.atomic():
        claim_lock()
        locked = DealRegistration.objects.select_for_update().get(pk=registration.pk)
        if locked.status != DealStatus.SUBMITTED:
            raise ValidationError(_("Only submitted registrations can be approved."))
        candidates = find_conflicts(Probe.of_registration(locked))
        _record(locked, candidates)
        blocking = _blocking(candidates)
        if blocking:
            raise ValidationError(
                _(
                    "Another registration or a vendor account holds this customer: reject this "
                    "registration, or settle the other one first."
                )
            )
        reviews = [c for c in candidates if c.verdict == Verdict.REVIEW]
        reason = clean_reason(reason, required=bool(reviews))
        today = tenant_today()
        locked.holds_claim = True
        locked.has_conflict = bool(reviews)
        locked.decided_by = actor
        locked.approved_at = timezone.now()
        # Protected for N days counting today: the last day is included (see protection.py).
        locked.protection_ends = today + timedelta(days=protection_days(locked.partner) - 1)
        locked.save(
            update_fields=[
                "holds_claim",
                "has_conflict",
                "decided_by",
                "approved_at",
                "protection_ends",
            ]
        )
        transition(
            locked,
            DealStatus.APPROVED,
            table=DEAL_TRANSITIONS,
            history_model=DealRegistrationStatusChange,
            history_fk="registration",
            actor=actor,
            reason=reason,
        )
        registration_approved_emit(locked)
    return locked


def promote_next(freed: DealRegistration) -> list[DealRegistration]:
    """After `freed` stopped holding its customer, the waiting registrations that matched it
    (any verdict: a later one may have matched it only weakly, being blocked by another) are
    checked again in registration order, and each one nothing blocks any more takes its
    customer: whoever registered first is next in line, not whoever submits next. Call under
    `claim_lock`."""
    waiting = (
        DealRegistration.objects.filter(
            conflicts__other_registration=freed,
            status__in=(DealStatus.SUBMITTED, DealStatus.MORE_INFO),
            holds_claim=False,
        )
        .order_by("submitted_at", "pk")
        .distinct()
    )
    promoted = []
    for candidate in waiting:
        found = find_conflicts(Probe.of_registration(candidate))
        if _blocking(found):
            continue
        _record(candidate, found)
        candidate.holds_claim = True
        candidate.has_conflict = any(c.verdict != Verdict.INFO for c in found)
        candidate._audit_reason = _("Next in line after %(number)s") % {"number": freed.number}  # type: ignore[attr-defined]
        candidate.save(update_fields=["holds_claim", "has_conflict"])
        promoted.append(candidate)
    return promoted


def end_registration(
    registration: DealRegistration,
    to_status: str,
    *,
    actor: Any,
    reason: str,
    keep_claim: bool = False,
) -> DealRegistration:
    """Close a registration; unless it keeps the customer (won), the next in line takes it and
    the lead it came from ends with it."""
    with transaction.atomic():
        claim_lock()
        locked = transition(
            registration,
            to_status,
            table=DEAL_TRANSITIONS,
            history_model=DealRegistrationStatusChange,
            history_fk="registration",
            actor=actor,
            reason=reason,
        )
        assert isinstance(locked, DealRegistration)
        locked.closed_on = tenant_today()
        if not keep_claim:
            locked.holds_claim = False
        locked.save(update_fields=["closed_on", "holds_claim"])
        registration.closed_on, registration.holds_claim = locked.closed_on, locked.holds_claim
        if not keep_claim:
            promote_next(locked)
        close_lead(locked, won=to_status == DealStatus.WON, actor=actor, reason=reason)
    return locked


def close_lead(registration: DealRegistration, *, won: bool, actor: Any, reason: str) -> None:
    """The partner's outcome is the lead's: won converts it, any other end loses it. A lead the
    vendor already closed stays closed."""
    from .leads import lead_close
    from .models import LeadStatus

    lead = registration.lead
    if lead is not None and lead.status == LeadStatus.ACCEPTED:
        lead_close(lead, won=won, actor=actor, reason=reason, as_system=True)


def registration_reject(
    registration: DealRegistration, *, actor: Any, reason: str
) -> DealRegistration:
    _require(deal_can_decide(actor, registration))
    reason = clean_reason(reason, required=True)
    with transaction.atomic():
        locked = end_registration(registration, DealStatus.REJECTED, actor=actor, reason=reason)
        DealRegistration.objects.filter(pk=registration.pk).update(decided_by=actor)
    return locked


def registration_request_info(
    registration: DealRegistration, *, actor: Any, reason: str
) -> DealRegistration:
    _require(deal_can_decide(actor, registration))
    reason = clean_reason(reason, required=True)
    days = DealRules.current().more_info_days
    with transaction.atomic():
        locked = transition(
            registration,
            DealStatus.MORE_INFO,
            table=DEAL_TRANSITIONS,
            history_model=DealRegistrationStatusChange,
            history_fk="registration",
            actor=actor,
            reason=reason,
        )
        assert isinstance(locked, DealRegistration)
        # The last day to answer is included; the daily job expires it the day after.
        locked.answer_due_on = tenant_today() + timedelta(days=days - 1)
        locked.save(update_fields=["answer_due_on"])
        registration.answer_due_on = locked.answer_due_on
    return locked


def _own_orders(registration: DealRegistration, orders: Iterable[Any]) -> list[Any]:
    found = list(orders)
    if any(order.partner_id != registration.partner_id for order in found):
        raise ValidationError({"orders": _("Link only orders of the registering partner.")})
    return found


def registration_close(
    registration: DealRegistration,
    *,
    actor: Any,
    won: bool,
    reason: str = "",
    orders: Iterable[Any] = (),
) -> DealRegistration:
    """Won or lost, by the partner or a decider. A won deal keeps the customer until its
    protection ends and links the orders that fulfil it (the partner's own orders only)."""
    _require(deal_is_own(actor, registration) or deal_can_decide(actor, registration))
    orders = _own_orders(registration, orders)
    reason = clean_reason(reason, required=not won)
    if registration.status != DealStatus.APPROVED:
        raise ValidationError(_("Only approved registrations are closed as won or lost."))
    with transaction.atomic():
        locked = end_registration(
            registration,
            DealStatus.WON if won else DealStatus.LOST,
            actor=actor,
            reason=reason,
            keep_claim=won,
        )
        if orders:
            locked.orders.add(*orders)
    return locked


def registration_link_orders(
    registration: DealRegistration, *, actor: Any, orders: Iterable[Any]
) -> None:
    _require(deal_is_own(actor, registration) or deal_can_decide(actor, registration))
    if registration.status != DealStatus.WON:
        raise ValidationError(_("Orders are linked to won deals."))
    orders = _own_orders(registration, orders)
    registration.orders.add(*orders)


def registration_update_stage(
    registration: DealRegistration, *, actor: Any, stage: str, estimated_amount: Any, close: date
) -> DealRegistration:
    """The partner (or the deal's vendor people) moves an open deal along; the forecast reads it."""
    _require(deal_can_cosell(actor, registration))
    if registration.status not in (DealStatus.SUBMITTED, DealStatus.APPROVED):
        raise ValidationError(_("Only open registrations move between stages."))
    check_close_date(close)
    registration.stage = stage
    registration.estimated_amount = estimated_amount
    registration.expected_close_date = close
    registration.full_clean(exclude=["number", "name_key", "partner", "created_by", "lead"])
    registration.save(update_fields=["stage", "estimated_amount", "expected_close_date"])
    return registration
