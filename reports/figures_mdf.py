"""Market funds on the cockpit: spend, committed money, attributed revenue and ROI of the
partners' activities that ended in the period (docs/cockpit_figures.md, "MDF").

Every definition is mdf.roi's: the activities are the report's (approved requests and requests
with a decided claim), an activity belongs to the period of its last day (`ends_on`, as the ROI
report's date filter and period grouping do), spend is its decided claim's approved amount, and
attribution is the report's first-touch rule over every decided claim of the vendor. The totals
are the ROI report's total row for the partners and period, computed by the report's own
expressions; only the choice of rows (a partner queryset instead of a user) is made here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, FilteredRelation, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from mdf.models import MdfClaim, MdfRequest, RequestStatus
from mdf.roi import (
    DECIDED,
    ZERO,
    RoiLine,
    _money,
    _per_request,
    attributed_deal_links,
    attributed_order_links,
)
from partners.models import Partner

from .periods import Period


@dataclass(frozen=True)
class MdfSummary:
    activities: int
    spend: Decimal  # approved amounts of the activities' decided claims
    committed: Decimal  # approved requests without a decided claim; never part of spend
    leads: int
    new_customers: int
    reported_revenue: Decimal
    attributed_revenue: Decimal
    roi: Decimal | None  # (attributed revenue - spend) / spend
    revenue_per_unit: Decimal | None  # attributed revenue / spend


def _activities(*, partners: QuerySet[Partner], period: Period) -> QuerySet[MdfRequest]:
    """mdf.roi.roi_requests for a partner queryset: the period's activities, each joined to its
    decided claim (`decided`) if any."""
    return (
        MdfRequest.objects.filter(
            partner__in=partners, ends_on__gte=period.start, ends_on__lt=period.end
        )
        .annotate(decided=FilteredRelation("claims", condition=Q(claims__status__in=DECIDED)))
        .filter(Q(status=RequestStatus.APPROVED) | Q(decided__isnull=False))
    )


def mdf_summary(*, partners: QuerySet[Partner], period: Period) -> MdfSummary:
    """One query: the expressions of mdf.roi.roi_report, over all the rows at once."""
    undecided_approved = Q(decided__isnull=True) & Q(status=RequestStatus.APPROVED)
    totals = _activities(partners=partners, period=period).aggregate(
        activities=Count("pk"),
        spend=_money(Sum("decided__approved_amount")),
        committed=_money(
            Sum(Case(When(undecided_approved, then="approved_amount"), default=Value(ZERO)))
        ),
        leads=Coalesce(Sum("decided__leads"), 0),
        new_customers=Coalesce(Sum("decided__new_customers"), 0),
        reported_revenue=_money(Sum("decided__revenue")),
        attributed_revenue=_money(
            Sum(
                _per_request(attributed_deal_links(), "dealregistration__estimated_amount")
                + _per_request(attributed_order_links(), "order__total")
            )
        ),
    )
    line = RoiLine(key="", label="", detail="", **totals)
    return MdfSummary(
        activities=line.activities,
        spend=line.spend,
        committed=line.committed,
        leads=line.leads,
        new_customers=line.new_customers,
        reported_revenue=line.reported_revenue,
        attributed_revenue=line.attributed_revenue,
        roi=line.roi,
        revenue_per_unit=line.revenue_per_unit,
    )


def mdf_activities(*, partners: QuerySet[Partner], period: Period) -> QuerySet[MdfRequest]:
    """The activities behind the summary (spent or committed), by last day."""
    return (
        _activities(partners=partners, period=period)
        .select_related("partner", "activity_type", "fund")
        .order_by("ends_on", "number")
    )


def mdf_claims(*, partners: QuerySet[Partner], period: Period) -> QuerySet[MdfClaim]:
    """The decided claims behind `spend`, by their activity's last day."""
    return (
        MdfClaim.objects.filter(
            status__in=DECIDED,
            request__partner__in=partners,
            request__ends_on__gte=period.start,
            request__ends_on__lt=period.end,
        )
        .select_related("request__partner", "request__activity_type")
        .order_by("request__ends_on", "number")
    )
