"""Demo: this year's purchase targets per partner and quarter, set the way channel managers do,
last year's purchases in the quarter plus growth, rounded to thousands."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum

from partners.models import Partner
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
