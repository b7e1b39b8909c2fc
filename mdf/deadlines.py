"""The dates market funds live by, kept by a daily job (mdf.tasks): unused funds expire after the
fund's `expires_on`; requests not claimed within the fund's `claim_days` after the activity
lapse and give their reservation back; partners are told once each that proof is still missing
after the activity, that a claim deadline is near, and that funds expire soon.

Every step re-reads its row under a lock and checks again, so a run that is repeated, or that
races a partner's claim, changes nothing twice. Dates are the vendor's (tenant_today)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.templatetags.humanize_money import money
from prm.core.workflow import transition
from prm.tenancy.selectors import tenant_base_url

from .evidence import evidence_missing
from .ledger import SPENT, fund_move
from .models import (
    FUND_TRANSITIONS,
    EvidenceKind,
    FundEntryKind,
    FundStatus,
    MdfAllocation,
    MdfClaim,
    MdfFund,
    MdfFundStatusChange,
    MdfRequest,
    RequestStatus,
)
from .requests import request_lapse, requests_end_with_fund

log = logging.getLogger(__name__)


def _recipients(partner_id: int, *also: User | None) -> list[str]:
    emails = set(
        User.objects.filter(partner_id=partner_id, role=Role.PARTNER_ADMIN, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    emails |= {u.email for u in also if u is not None and u.is_active and u.email}
    return sorted(emails)


def _send(subject: str, body: str, recipients: list[str]) -> None:
    # The state change is committed; one bad address must not stop the rest of the night's run.
    try:
        send_mail(subject, body, None, recipients)
    except Exception:
        log.exception("MDF mail to %s failed: %s", recipients, subject)


def _mail_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        transaction.on_commit(partial(_send, subject, body, recipients))


def _request_url(request: MdfRequest) -> str:
    return f"{tenant_base_url()}/portal/mdf/requests/{request.pk}/"


def _unclaimed() -> QuerySet[MdfRequest]:
    """Approved requests with no claim in review or decided (a rejected one may be redone)."""
    live = MdfClaim.objects.filter(request=OuterRef("pk")).live()
    return MdfRequest.objects.filter(status=RequestStatus.APPROVED).exclude(Exists(live))


# --- expiry and lapse -----------------------------------------------------------------------------


def funds_expire(today: date) -> int:
    """Expire what is still available in funds whose date has passed (again later for money a
    cancelled request or a partial claim gave back), and close those funds. Returns how many
    allocations expired something."""
    moved = 0
    due = MdfAllocation.objects.filter(
        fund__expires_on__lt=today,
        fund__status__in=(FundStatus.ACTIVE, FundStatus.CLOSED),
        allocated__gt=SPENT,
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            allocation = MdfAllocation.objects.select_for_update().select_related("fund").get(pk=pk)
            if allocation.available <= 0:
                continue
            fund_move(
                allocation,
                FundEntryKind.EXPIRE,
                allocation.available,
                reference=allocation.fund.code,
                memo=_("Unused funds expired on %(date)s.")
                % {"date": allocation.fund.expires_on.isoformat()},
            )
            moved += 1
    for fund in MdfFund.objects.filter(status=FundStatus.ACTIVE, expires_on__lt=today):
        if MdfFund.objects.filter(pk=fund.pk, status=FundStatus.ACTIVE).count() == 0:
            continue  # another run closed it meanwhile
        transition(
            fund,
            FundStatus.CLOSED,
            table=FUND_TRANSITIONS,
            history_model=MdfFundStatusChange,
            history_fk="fund",
            reason=_("Funds expired."),
        )
        requests_end_with_fund(fund.pk, reason=_("The fund expired."))
    return moved


def requests_lapse(today: date) -> int:
    """Requests whose claim deadline has passed without a claim give their reservation back."""
    lapsed = 0
    for request in _unclaimed().select_related("fund"):
        if request.claim_deadline >= today:
            continue
        reason = _("Not claimed by %(date)s.") % {"date": request.claim_deadline.isoformat()}
        if request_lapse(request, reason=reason) is not None:
            _mail_on_commit(
                _("%(number)s lapsed: it was not claimed in time") % {"number": request.number},
                _(
                    "The %(amount)s reserved for “%(title)s” is back in your available balance. "
                    "%(url)s"
                )
                % {
                    "amount": money(request.approved_amount),
                    "title": request.title,
                    "url": _request_url(request),
                },
                _recipients(request.partner_id, request.created_by),
            )
            lapsed += 1
    return lapsed


# --- reminders ------------------------------------------------------------------------------------


def _remind_once(request_pk: int, marker: str, today: date) -> MdfRequest | None:
    """Lock the request and claim the reminder; None if it was sent or the request moved."""
    request = (
        MdfRequest.objects.select_for_update(of=("self",))
        .select_related("fund", "activity_type", "created_by")
        .get(pk=request_pk)
    )
    if request.status != RequestStatus.APPROVED or getattr(request, marker) is not None:
        return None
    if request.claims.live().exists():
        return None
    MdfRequest.objects.filter(pk=request_pk).update(**{marker: today})
    return request


def proof_remind(today: date) -> int:
    """The activity is over and proof the activity type requires is still missing."""
    sent = 0
    due = _unclaimed().filter(ends_on__lt=today, proof_reminded_on=None)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            request = _remind_once(pk, "proof_reminded_on", today)
            if request is None:
                continue
            missing = evidence_missing(request)
            if not missing:
                MdfRequest.objects.filter(pk=pk).update(proof_reminded_on=None)
                continue
            _mail_on_commit(
                _("%(number)s: upload the proof of your activity") % {"number": request.number},
                _(
                    "“%(title)s” ended on %(end)s. Still missing: %(kinds)s. Claims need it, "
                    "and the claim deadline is %(deadline)s. %(url)s"
                )
                % {
                    "title": request.title,
                    "end": request.ends_on.isoformat(),
                    "kinds": ", ".join(str(EvidenceKind(k).label) for k in missing),
                    "deadline": request.claim_deadline.isoformat(),
                    "url": _request_url(request),
                },
                _recipients(request.partner_id, request.created_by),
            )
            sent += 1
    return sent


def claim_deadline_remind(today: date) -> int:
    """The claim deadline is within the fund's reminder days and nothing is claimed yet."""
    sent = 0
    due = _unclaimed().filter(claim_reminded_on=None).select_related("fund")
    for candidate in due:
        deadline = candidate.claim_deadline
        if not (deadline - timedelta(days=candidate.fund.reminder_days) <= today <= deadline):
            continue
        with transaction.atomic():
            request = _remind_once(candidate.pk, "claim_reminded_on", today)
            if request is None:
                continue
            _mail_on_commit(
                _("%(number)s: claim by %(date)s")
                % {"number": request.number, "date": deadline.isoformat()},
                _(
                    "%(amount)s is reserved for “%(title)s”. Claim it with your invoices by "
                    "%(date)s; after that the reservation lapses. %(url)s"
                )
                % {
                    "amount": money(request.approved_amount),
                    "title": request.title,
                    "date": deadline.isoformat(),
                    "url": _request_url(request),
                },
                _recipients(request.partner_id, request.created_by),
            )
            sent += 1
    return sent


def expiry_remind(today: date) -> int:
    """Funds still available expire within the fund's reminder days: tell the partner once."""
    sent = 0
    candidates = MdfAllocation.objects.filter(
        fund__status=FundStatus.ACTIVE,
        fund__expires_on__gte=today,
        expiry_reminded_on=None,
        allocated__gt=SPENT,
    ).select_related("fund")
    for candidate in candidates:
        fund = candidate.fund
        if fund.expires_on - timedelta(days=fund.reminder_days) > today:
            continue
        with transaction.atomic():
            allocation = MdfAllocation.objects.select_for_update().get(pk=candidate.pk)
            if allocation.expiry_reminded_on is not None or allocation.available <= 0:
                continue
            MdfAllocation.objects.filter(pk=allocation.pk).update(expiry_reminded_on=today)
            _mail_on_commit(
                _("%(amount)s of %(fund)s expires on %(date)s")
                % {
                    "amount": money(allocation.available),
                    "fund": fund.name,
                    "date": fund.expires_on.isoformat(),
                },
                _("Request an activity before then, or the unused funds lapse. %(url)s/portal/mdf/")
                % {"url": tenant_base_url()},
                _recipients(allocation.partner_id),
            )
            sent += 1
    return sent
