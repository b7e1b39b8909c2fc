"""The scoreboard's cards, each read through the module that owns the figure: rebate progress
(rebates.selectors), the market funds balance (as the portal home reads it), certification
(partners.academy: the team page's progress table and the certificates) and the tier
(partners.programs.selectors.partner_scorecard)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, Sum

from mdf.ledger import AVAILABLE
from mdf.models import FundStatus, MdfAllocation
from partners.academy.assignments import active_paths, assignments_by_user
from partners.academy.models import Certificate, CourseStatus
from partners.academy.standing import Standing, progress_table
from partners.models import Partner
from partners.programs.selectors import partner_scorecard
from prm.accounts.models import User
from prm.accounts.roles import PARTNER_ROLES
from prm.core.bilingual import pick
from rebates.selectors import Progress, partner_progress

ZERO = Decimal("0.00")
EXPIRY_NOTICE_DAYS = 30  # as the academy's first reminder


@dataclass(frozen=True)
class RebateLine:
    """One active program's current period, as last computed by the rebate engine."""

    code: str
    name: str  # in the reader's language
    period: tuple[date, date]
    basis: Decimal  # so far in the period
    band: str  # the band reached; "" below the first
    accrued: Decimal
    next_band: str  # "" at the top band
    missing: Decimal | None  # basis still needed for the next band
    at_next: Decimal | None  # what the period would pay on reaching it


def _rebate_line(progress: Progress) -> RebateLine:
    program = progress.program
    return RebateLine(
        code=program.code,
        name=pick(program.name, program.name_en),
        period=progress.period,
        basis=progress.basis,
        band=str(progress.tier) if progress.tier else "",
        accrued=progress.accrued,
        next_band=str(progress.next_tier) if progress.next_tier else "",
        missing=progress.to_next,
        at_next=progress.at_next,
    )


def rebates_of(partner: Partner, today: date) -> list[RebateLine]:
    """Each active program's current period: basis so far, band reached, next band, missing."""
    return [_rebate_line(p) for p in partner_progress(partner, today=today)]


def mdf_available(partner: Partner) -> Decimal:
    """What the partner may still request from the funds that are open (one query)."""
    found = MdfAllocation.objects.filter(partner=partner).aggregate(
        available=Sum(AVAILABLE, filter=Q(fund__status=FundStatus.ACTIVE))
    )["available"]
    return found if found is not None else ZERO


@dataclass(frozen=True)
class Certification:
    people: int  # the company's active partner users
    required: int  # of them, those whose learning paths require a course
    certified: int  # of those, holding a valid certificate of every required course
    expiring: list[Certificate] = field(default_factory=list)  # valid, ending within 30 days

    @property
    def to_certify(self) -> int:
        return self.required - self.certified


def certification_of(partner: Partner, today: date) -> Certification:
    """Who at the company holds what its paths require, read as the partner admin's team page
    reads it (certificates issued under this company), plus the certificates about to expire."""
    people = list(
        User.objects.filter(partner=partner, is_active=True, role__in=sorted(PARTNER_ROLES))
    )
    assigned = assignments_by_user(people, {partner.pk: partner}, active_paths())
    table = progress_table(people, assigned, company_id=partner.pk)
    required = certified = 0
    for person in people:
        owed = [p for p in table[person.pk] if p.required]
        if not owed:
            continue
        required += 1
        certified += all(p.standing == Standing.CERTIFIED for p in owed)
    return Certification(
        people=len(people),
        required=required,
        certified=certified,
        expiring=_expiring(partner, today),
    )


def _expiring(partner: Partner, today: date) -> list[Certificate]:
    """The company's people's latest certificates of published courses that are valid today and
    end within 30 days (an older certificate already renewed is no concern)."""
    renewed = Certificate.objects.filter(
        user_id=OuterRef("user_id"), course_id=OuterRef("course_id"), cycle__gt=OuterRef("cycle")
    )
    return list(
        Certificate.objects.filter(
            partner=partner,
            user__partner=partner,
            user__is_active=True,
            course__status=CourseStatus.PUBLISHED,
            expires_on__gt=today,
            expires_on__lte=today + timedelta(days=EXPIRY_NOTICE_DAYS),
        )
        .exclude(Exists(renewed))
        .order_by("expires_on", "holder_name", "pk")
    )


def tier_of(partner: Partner, today: date) -> dict[str, Any] | None:
    """Current tier, score, the tier the score qualifies for and the gap to the next one."""
    return partner_scorecard(partner, as_of=today)
