"""The scorecard metric "certified_staff" (registered in AppConfig.ready).

For each partner: the number of distinct active people of the partner holding a certificate
issued before `until` and not expired at `until`. `until` is a midnight in the vendor's zone,
so its own date D is the first day after the window: the certificate was issued before D and
its `expires_on` (the first day it is no longer valid) is after D, or empty. Any course counts;
a person with several certificates counts once. `since` does not matter: a certificate earned
before the window still certifies the person. One aggregate query."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q

from .models import Certificate


def certified_staff(
    *, partner_ids: list[int] | None, since: datetime, until: datetime
) -> dict[int, Decimal]:
    day = until.date()
    rows = Certificate.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=day),
        issued_on__lt=day,
        user__is_active=True,
        user__partner__isnull=False,
    )
    if partner_ids is not None:
        rows = rows.filter(user__partner_id__in=partner_ids)
    counted = (
        rows.order_by()
        .values("user__partner_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("user__partner_id", "n")
    )
    return {partner_id: Decimal(n) for partner_id, n in counted}
