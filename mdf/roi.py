"""Market fund return on investment (市场费用投入产出): which activities pay back, and where.

Definitions
-----------
The report's rows are fund requests ("activities") the user may see (`requests_visible_to`),
filtered by fund, by activity type and by the activity's last day (`ends_on`, both ends
included). A request is in the report when it has a decided claim or is approved (funds
reserved); drafts, requests in review, rejected ones and those that lapsed or were cancelled
without a decided claim are not.

* **decided claim**: a claim in status approved or settled. A request has at most one (one live
  claim per request); rejected and submitted claims count for nothing below.
* **spend**: the approved amount of the request's decided claim.
* **committed**: the approved amount of an approved request with no decided claim yet (no claim,
  a claim in review, or only rejected claims): money reserved, not yet spent. Shown beside
  spend, never added to it.
* **results**: leads, new customers and revenue as the decided claim reports them.
* **attributed revenue** of a decided claim = the won amount (`estimated_amount` of a won
  registration) of the registered deals it links + the totals of the orders it links that the
  vendor accepted (`orders.metrics.COUNTED`), where:

  - an order that fulfils a won deal (`DealRegistration.orders`) linked by a decided claim is
    not counted as an order: the deal's won amount already stands for it. This covers the
    claim's own linked deals and, so that no sale is counted twice, another claim's;
  - each deal and each order is attributed once, to the earliest decided claim that links it
    (claim `created_at`, then pk). Attribution looks at every decided claim of the vendor,
    not only those the filters or the user's visibility leave in the report, so an
    activity's numbers do not change with the filters.
* **ROI** = (attributed revenue - spend) / spend, a Decimal fraction rounded half-up to 4
  places; None when spend is 0. **Revenue per 1 of spend** = attributed revenue / spend, same
  rounding. Totals are ratios of the summed amounts, never averages of the rows' ratios.
* Money is rounded once, by `prm.core.money.quantize` (sums of 2-place amounts are exact).
* Amounts are in the vendor's currency (orders are placed in it).

Breakdowns: by activity (request), activity type, region (`Partner.region`), partner, and
period: the month or quarter of the activity's `ends_on` (a calendar date, already in the
vendor's calendar).

`roi_report` runs one query for any number of activities: every sum, the attribution included,
is computed by PostgreSQL (correlated subqueries summed per group).

Worked example (tested in `tests/mdf/test_roi.py`): a claim approved at 8,000.00 linking a won
deal of 60,000.00, the order fulfilling that deal (20,000.00, not counted again) and an order of
12,000.00 that a later claim also links: attributed 72,000.00, ROI (72,000 - 8,000) / 8,000 =
8.0000, revenue per 1 = 9.0000; the later claim gets nothing for the shared order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from deal_registration.models import DealRegistration, DealStatus
from orders.metrics import COUNTED
from prm.accounts.access import active_user
from prm.accounts.roles import Role
from prm.core.bilingual import pick
from prm.core.money import DECIMAL_PLACES, MAX_DIGITS, quantize
from prm.tenancy.selectors import current_tenant

from .models import ClaimStatus, MdfActivityType, MdfClaim, MdfFund, MdfRequest, RequestStatus
from .selectors import requests_visible_to

ROI_ROLES = frozenset({Role.ADMIN, Role.MARKETING, Role.FINANCE, Role.CHANNEL_MANAGER})
DECIDED = (ClaimStatus.APPROVED, ClaimStatus.SETTLED)
RATIO_PLACES = Decimal("0.0001")
PERCENT_PLACES = Decimal("0.01")
ZERO = Decimal("0.00")


class Group(models.TextChoices):
    ACTIVITY_TYPE = "activity_type", _("Activity type")
    REGION = "region", _("Region")
    PARTNER = "partner", _("Partner")
    PERIOD = "period", _("Period")
    ACTIVITY = "activity", _("Activity")


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


def roi_can_view(user: Any) -> bool:
    """Admins, marketing and finance (every partner); channel managers (their partners)."""
    return bool(active_user(user) and user.is_vendor_staff and user.role in ROI_ROLES)


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator / denominator, half-up to 4 places; None when the denominator is 0."""
    if not denominator:
        return None
    return (numerator / denominator).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RoiLine:
    """One row of the report (or its total): sums over `activities` requests."""

    key: str
    label: str
    detail: str
    activities: int
    spend: Decimal
    committed: Decimal
    leads: int
    new_customers: int
    reported_revenue: Decimal
    attributed_revenue: Decimal

    @property
    def roi(self) -> Decimal | None:
        """(attributed revenue - spend) / spend."""
        return ratio(self.attributed_revenue - self.spend, self.spend)

    @property
    def roi_percent(self) -> Decimal | None:
        """ROI in %, to 2 places (exact: ROI has 4)."""
        roi = self.roi
        return None if roi is None else (roi * 100).quantize(PERCENT_PLACES)

    @property
    def revenue_per_unit(self) -> Decimal | None:
        """Attributed revenue per 1 of spend."""
        return ratio(self.attributed_revenue, self.spend)


@dataclass(frozen=True)
class RoiReport:
    group: str
    period: str
    currency: str
    lines: list[RoiLine]
    total: RoiLine


# --- attribution ------------------------------------------------------------------------------

ClaimDeal: Any = MdfClaim.deals.through
ClaimOrder: Any = MdfClaim.orders.through
DealOrder: Any = DealRegistration.orders.through


def _linked_earlier(through: Any, target: str) -> QuerySet[Any]:
    """Links of the same deal / order from a decided claim before the outer link's claim."""
    return through.objects.filter(
        Q(mdfclaim__created_at__lt=OuterRef("mdfclaim__created_at"))
        | Q(
            mdfclaim__created_at=OuterRef("mdfclaim__created_at"),
            mdfclaim_id__lt=OuterRef("mdfclaim_id"),
        ),
        **{f"{target}_id": OuterRef(f"{target}_id")},
        mdfclaim__status__in=DECIDED,
    )


def attributed_deal_links() -> QuerySet[Any]:
    """(claim, deal) links that earn the claim the deal's won amount."""
    return ClaimDeal.objects.filter(
        mdfclaim__status__in=DECIDED, dealregistration__status=DealStatus.WON
    ).exclude(Exists(_linked_earlier(ClaimDeal, "dealregistration")))


def attributed_order_links() -> QuerySet[Any]:
    """(claim, order) links that earn the claim the order's total."""
    deal_in_a_decided_claim = ClaimDeal.objects.filter(
        dealregistration_id=OuterRef("dealregistration_id"), mdfclaim__status__in=DECIDED
    )
    fulfils_an_attributed_deal = DealOrder.objects.filter(
        Exists(deal_in_a_decided_claim),
        order_id=OuterRef("order_id"),
        dealregistration__status=DealStatus.WON,
    )
    return (
        ClaimOrder.objects.filter(mdfclaim__status__in=DECIDED)
        .filter(order__status__in=COUNTED)
        .exclude(Exists(fulfils_an_attributed_deal))
        .exclude(Exists(_linked_earlier(ClaimOrder, "order")))
    )


def _money(expression: Any) -> Any:
    return Coalesce(
        expression,
        Value(ZERO),
        output_field=models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES),
    )


def _per_request(links: QuerySet[Any], amount: str) -> Any:
    """The sum of `amount` over the links of the outer request's decided claim."""
    return _money(
        Subquery(
            links.filter(mdfclaim__request_id=OuterRef("pk"))
            .order_by()
            .values("mdfclaim__request_id")
            .annotate(total=Sum(amount))
            .values("total")
        )
    )


# --- the report -------------------------------------------------------------------------------


def roi_requests(
    *,
    user: Any,
    fund: MdfFund | None = None,
    activity_type: MdfActivityType | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[MdfRequest]:
    """The activities in the report, each joined to its decided claim (`decided`) if any."""
    qs = requests_visible_to(user).annotate(
        decided=FilteredRelation("claims", condition=Q(claims__status__in=DECIDED))
    )
    if fund is not None:
        qs = qs.filter(fund=fund)
    if activity_type is not None:
        qs = qs.filter(activity_type=activity_type)
    if date_from is not None:
        qs = qs.filter(ends_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(ends_on__lte=date_to)
    return qs.filter(Q(status=RequestStatus.APPROVED) | Q(decided__isnull=False))


_GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    Group.ACTIVITY_TYPE: ("activity_type__code", "activity_type__name", "activity_type__name_en"),
    Group.REGION: ("partner__region",),
    Group.PARTNER: ("partner_id", "partner__name", "partner__name_en", "partner__region"),
    Group.PERIOD: ("period_start",),
    Group.ACTIVITY: (
        "number",
        "title",
        "ends_on",
        "partner__name",
        "partner__name_en",
        "activity_type__name",
        "activity_type__name_en",
    ),
}
_GROUP_ORDER: dict[str, tuple[str, ...]] = {
    Group.ACTIVITY_TYPE: ("activity_type__code",),
    Group.REGION: ("partner__region",),
    Group.PARTNER: ("partner__name", "partner_id"),
    Group.PERIOD: ("period_start",),
    Group.ACTIVITY: ("ends_on", "number"),
}


def period_label(start: date, period: str) -> str:
    if period == Period.QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return f"{start:%Y-%m}"


def _describe(row: dict[str, Any], group: str, period: str) -> tuple[str, str, str]:
    """(key, label, detail) of a grouped row."""
    if group == Group.ACTIVITY_TYPE:
        name = pick(row["activity_type__name"], row["activity_type__name_en"])
        return row["activity_type__code"], name, ""
    if group == Group.REGION:
        return row["partner__region"], row["partner__region"], ""
    if group == Group.PARTNER:
        name = pick(row["partner__name"], row["partner__name_en"])
        return str(row["partner_id"]), name, row["partner__region"]
    if group == Group.PERIOD:
        label = period_label(row["period_start"], period)
        return label, label, ""
    partner = pick(row["partner__name"], row["partner__name_en"])
    kind = pick(row["activity_type__name"], row["activity_type__name_en"])
    detail = f"{partner} · {kind} · {row['ends_on']:%Y-%m-%d}"
    return row["number"], f"{row['number']} {row['title']}", detail


def roi_report(
    *,
    user: Any,
    group: str = Group.ACTIVITY_TYPE,
    period: str = Period.MONTH,
    fund: MdfFund | None = None,
    activity_type: MdfActivityType | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> RoiReport:
    """The report grouped by `group` (months or quarters by `period`), with its total row.
    One query; the user's visibility applies (channel managers: their own partners)."""
    group, period = Group(group), Period(period)
    qs = roi_requests(
        user=user,
        fund=fund,
        activity_type=activity_type,
        date_from=date_from,
        date_to=date_to,
    )
    if group == Group.PERIOD:
        trunc = TruncQuarter if period == Period.QUARTER else TruncMonth
        qs = qs.annotate(period_start=trunc("ends_on", output_field=models.DateField()))
    not_decided = Q(decided__isnull=True)
    rows = (
        qs.order_by()
        .values(*_GROUP_FIELDS[group])
        .annotate(
            activities=Count("pk"),
            spend=_money(Sum("decided__approved_amount")),
            committed=_money(
                Sum(
                    Case(
                        When(
                            not_decided & Q(status=RequestStatus.APPROVED), then="approved_amount"
                        ),
                        default=Value(ZERO),
                    )
                )
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
        .order_by(*_GROUP_ORDER[group])
    )
    currency = current_tenant().currency
    lines = []
    for row in rows:
        key, label, detail = _describe(row, group, period)
        lines.append(
            RoiLine(
                key=key,
                label=label,
                detail=detail,
                activities=row["activities"],
                spend=quantize(row["spend"], currency),
                committed=quantize(row["committed"], currency),
                leads=row["leads"],
                new_customers=row["new_customers"],
                reported_revenue=quantize(row["reported_revenue"], currency),
                attributed_revenue=quantize(row["attributed_revenue"], currency),
            )
        )
    return RoiReport(
        group=group,
        period=period,
        currency=currency,
        lines=lines,
        total=_total(lines, currency),
    )


def _total(lines: list[RoiLine], currency: str) -> RoiLine:
    def money_sum(field: str) -> Decimal:
        return quantize(sum((getattr(line, field) for line in lines), ZERO), currency)

    return RoiLine(
        key="",
        label=str(pgettext_lazy("report row", "Total")),
        detail="",
        activities=sum(line.activities for line in lines),
        spend=money_sum("spend"),
        committed=money_sum("committed"),
        leads=sum(line.leads for line in lines),
        new_customers=sum(line.new_customers for line in lines),
        reported_revenue=money_sum("reported_revenue"),
        attributed_revenue=money_sum("attributed_revenue"),
    )
