"""Reading forecasts: which a user may see, the cycles and who has (not) submitted in each.

Visibility is the partners' (`prm.accounts.visibility.scope_to_partner`): a partner user sees its
own partner's forecasts, a channel manager those of the partners he manages, other vendor roles
all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, PartnerStatus
from partners.selectors import partners_visible_to
from prm.accounts.visibility import scope_to_partner
from prm.core.money import MoneyField
from prm.tenancy.selectors import tenant_today

from .models import Forecast, ForecastLine, ForecastStatus
from .models.forecasts import HORIZON
from .periods import add_months

# What a roll-up and an accuracy figure count: a draft is not a forecast yet.
COUNTED = (ForecastStatus.SUBMITTED, ForecastStatus.COMMITTED)
NOT_STARTED = "none"  # a partner with no forecast in the cycle, in filters and tables
NOT_SUBMITTED = "not_submitted"  # not started, or still a draft


def current_cycle() -> date:
    """The month partners forecast in now (the vendor's month)."""
    return tenant_today().replace(day=1)


def cycle_months(cycle: date) -> list[date]:
    """The months a cycle's forecast covers: the HORIZON months after it."""
    return [add_months(cycle, n) for n in range(1, HORIZON + 1)]


def month_closed(month: date) -> bool:
    """A month whose actuals are final: it is over in the vendor's time zone."""
    return month < current_cycle()


def forecasts_visible_to(user: Any) -> QuerySet[Forecast]:
    return scope_to_partner(
        Forecast.objects.select_related("partner", "partner__channel_manager"), user
    )


def forecast_get_visible(*, user: Any, pk: int) -> Forecast | None:
    return forecasts_visible_to(user).filter(pk=pk).first()


def forecast_lines(forecast: Forecast) -> QuerySet[ForecastLine]:
    return forecast.lines.select_related("product_line", "adjusted_by").order_by(
        "product_line__code", "month"
    )


def cycles_known(user: Any) -> list[date]:
    """Cycles the user's partners forecast in, newest first, always with the current one."""
    found = set(forecasts_visible_to(user).order_by().values_list("cycle", flat=True).distinct())
    found.add(current_cycle())
    return sorted(found, reverse=True)


@dataclass(frozen=True)
class CycleCounts:
    cycle: date
    expected: int  # active partners the user sees
    not_started: int  # of those, with no forecast in the cycle
    draft: int
    submitted: int
    committed: int


def cycles_overview(user: Any) -> list[CycleCounts]:
    """Per cycle, how many forecasts are in each status; two queries for any number of cycles.

    "Not started" counts today's active partners without a forecast in the cycle: for old cycles
    it says who is missing from that cycle among the partners active now.
    """
    partners = partners_visible_to(user)
    expected = partners.filter(status=PartnerStatus.ACTIVE).count()
    active = Q(partner__status=PartnerStatus.ACTIVE)
    rows = {
        row["cycle"]: row
        for row in forecasts_visible_to(user)
        .order_by()
        .values("cycle")
        .annotate(
            active=Count("pk", filter=active),
            draft=Count("pk", filter=Q(status=ForecastStatus.DRAFT)),
            submitted=Count("pk", filter=Q(status=ForecastStatus.SUBMITTED)),
            committed=Count("pk", filter=Q(status=ForecastStatus.COMMITTED)),
        )
    }
    out = []
    for cycle in sorted({*rows, current_cycle()}, reverse=True):
        row = rows.get(cycle, {})
        out.append(
            CycleCounts(
                cycle=cycle,
                expected=expected,
                not_started=max(expected - row.get("active", 0), 0),
                draft=row.get("draft", 0),
                submitted=row.get("submitted", 0),
                committed=row.get("committed", 0),
            )
        )
    return out


def _line_total(cycle: date, expression: Any) -> Subquery:
    lines = (
        ForecastLine.objects.filter(forecast__partner=OuterRef("pk"), forecast__cycle=cycle)
        .order_by()
        .values("forecast")
        .annotate(total=Sum(expression))
        .values("total")
    )
    return Subquery(lines, output_field=MoneyField())


def cycle_partners(user: Any, cycle: date) -> QuerySet[Partner]:
    """The partners expected to forecast in `cycle` (active ones, and any that has a forecast
    in it), each with its forecast's id, status, submission time and totals, in one query."""
    mine = Forecast.objects.filter(partner=OuterRef("pk"), cycle=cycle)
    zero = Value(Decimal("0.00"), output_field=MoneyField())
    return (
        partners_visible_to(user)
        .filter(Q(status=PartnerStatus.ACTIVE) | Q(forecasts__cycle=cycle))
        .distinct()
        .annotate(
            forecast_id=Subquery(mine.values("pk")[:1]),
            forecast_status=Subquery(mine.values("status")[:1]),
            forecast_submitted_at=Subquery(mine.values("submitted_at")[:1]),
            forecast_total=Coalesce(_line_total(cycle, F("amount")), zero),
            final_total=Coalesce(
                _line_total(
                    cycle,
                    Coalesce(
                        "adjusted_amount",
                        "amount",
                        output_field=DecimalField(max_digits=18, decimal_places=2),
                    ),
                ),
                zero,
            ),
        )
        .order_by("name", "pk")
    )


CYCLE_STATUS_CHOICES = [
    (NOT_SUBMITTED, _("Not submitted yet")),
    (NOT_STARTED, _("Not started")),
    (ForecastStatus.DRAFT, _("Draft")),
    (ForecastStatus.SUBMITTED, _("Submitted")),
    (ForecastStatus.COMMITTED, _("Committed")),
]


class CyclePartnerFilter(django_filters.FilterSet):
    """The partners of one cycle by forecast status ("who has not submitted") and name."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    state = django_filters.ChoiceFilter(
        choices=CYCLE_STATUS_CHOICES, method="by_state", label=_("Status"), empty_label=_("All")
    )

    class Meta:
        model = Partner
        fields: list[str] = []

    def search(self, qs: QuerySet[Partner], name: str, value: str) -> QuerySet[Partner]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(name__icontains=value) | Q(name_en__icontains=value))

    def by_state(self, qs: QuerySet[Partner], name: str, value: str) -> QuerySet[Partner]:
        if value == NOT_STARTED:
            return qs.filter(Q(forecast_status__isnull=True))
        if value == NOT_SUBMITTED:
            return qs.filter(
                Q(forecast_status__isnull=True) | Q(forecast_status=ForecastStatus.DRAFT)
            )
        return qs.filter(Q(forecast_status=value))
