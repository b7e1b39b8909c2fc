"""Demo: this year's purchase targets per partner and quarter, set the way channel managers do,
last year's purchases in the quarter plus growth, rounded to thousands."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum

from partners.models import Partner, PartnerStatus
from prm.tenancy.selectors import tenant_today

from .models import PartnerMonth, SalesTarget
from .periods import add_months

THOUSAND = Decimal("1000")


def seed_targets(*, partners: list[Partner], admin: Any, rng: random.Random) -> int:
    year = tenant_today().year
    written = 0
    for partner in partners:
        for quarter in range(1, 5):
            start = add_months(
                tenant_today().replace(year=year - 1, month=1, day=1), (quarter - 1) * 3
            )
            last_year = PartnerMonth.objects.filter(
                partner=partner, month__gte=start, month__lt=add_months(start, 3)
            ).aggregate(total=Sum("ordered_amount"))["total"] or Decimal("20000")
            growth = Decimal(str(rng.choice([1.1, 1.15, 1.2, 1.3])))
            amount = (last_year * growth / THOUSAND).quantize(Decimal(1), ROUND_HALF_UP) * THOUSAND
            target = SalesTarget(partner=partner, year=year, quarter=quarter, amount=amount)
            target._audit_reason = "年度任务分解 / yearly targets by quarter"  # type: ignore[attr-defined]
            target.save()
            written += 1
    return written


def seed_forecasts(*, partners: list[Partner], admin: Any, rng: random.Random) -> int:
    """Four past cycles submitted and committed (so accuracy has months to judge), and this
    month's cycle: some partners have submitted, the others are still drafting."""
    from prm.accounts.models import User

    from .forecast_selectors import current_cycle
    from .forecast_services import (
        forecast_adjust,
        forecast_commit,
        forecast_open,
        forecast_save,
        forecast_submit,
    )
    from .models import SalesLineMonth

    now = current_cycle()
    written = 0
    active = Partner.objects.filter(pk__in=[p.pk for p in partners], status=PartnerStatus.ACTIVE)
    for index, partner in enumerate(active.order_by("pk")):
        author = User.objects.filter(partner=partner, is_active=True).order_by("pk").first()
        if author is None or not partner.product_lines.exists():
            continue
        decider = partner.channel_manager or admin
        actual = {
            (row["product_line_id"], row["month"]): row["amount"]
            for row in SalesLineMonth.objects.filter(partner=partner)
            .values("product_line_id", "month")
            .annotate(amount=Sum("ordered_amount"))
        }
        for back in (4, 3, 2, 1, 0):
            cycle = add_months(now, -back)
            forecast = forecast_open(partner=partner, cycle=cycle, any_cycle=True)
            if back == 0 and index % 2:
                continue  # still drafting this month's
            amounts = {}
            for line in forecast.lines.all():
                seen = actual.get((line.product_line_id, line.month))
                base = seen if seen else actual.get((line.product_line_id, add_months(cycle, -1)))
                base = base or Decimal(rng.choice([5000, 8000, 12000]))
                factor = Decimal(str(rng.choice([0.8, 0.9, 1.0, 1.1, 1.25])))
                amounts[(line.product_line_id, line.month)] = (base * factor / 100).quantize(
                    Decimal(1), ROUND_HALF_UP
                ) * 100
            forecast_save(forecast=forecast, amounts=amounts, actor=author, open_cycle=cycle)
            forecast_submit(forecast=forecast, actor=author, open_cycle=cycle)
            if back == 0:
                continue  # waiting for the channel manager
            first = forecast.lines.order_by("month", "pk").first()
            if first is not None and rng.random() < 0.5:
                forecast_adjust(
                    line=first,
                    amount=(first.amount * Decimal("0.9")).quantize(Decimal(1)),
                    note="按近三月出货节奏下调 / trimmed to the last three months' pace",
                    actor=decider,
                )
            forecast_commit(forecast=forecast, actor=decider)
            written += 1
    return written
