"""The scorecard metric "certified_staff" (registered in AppConfig.ready).

For each partner: the number of distinct people holding a certificate issued under that
partner (the certificate's company) before `until` and not expired at `until`, of a course
that is published now, who are still active users of that partner (someone who left, or moved
to another partner, no longer counts for the old one and not yet for the new one).

`until` is a midnight in the vendor's zone, so its own date D is the first day after the
window: the certificate was issued before D and its `expires_on` (the first day it is no longer
valid) is after D, or empty. Archived or draft courses do not count; a person with several
certificates counts once. `since` does not matter: a certificate earned before the window still
certifies the person. One aggregate query."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Q

from .models import Certificate, CourseStatus


def certified_staff(
    *, partner_ids: list[int] | None, since: datetime, until: datetime
) -> dict[int, Decimal]:
    day = until.date()
    rows = Certificate.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=day),
        issued_on__lt=day,
        course__status=CourseStatus.PUBLISHED,
        partner__isnull=False,
        user__is_active=True,
        user__partner_id=F("partner_id"),
    )
    if partner_ids is not None:
        rows = rows.filter(partner_id__in=partner_ids)
    counted = (
        rows.order_by()
        .values("partner_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("partner_id", "n")
    )
    return {partner_id: Decimal(n) for partner_id, n in counted}
