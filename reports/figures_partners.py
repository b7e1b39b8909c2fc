"""New partners on the cockpit: partners whose first move to active happened in the period
(docs/cockpit_figures.md, "New partners").

"First" because a partner suspended and reactivated is not new again; the move is read from the
status history (`PartnerStatusChange`), which every status change writes.
"""

from __future__ import annotations

from django.db.models import Min, Q, QuerySet

from partners.models import Partner, PartnerStatus

from .periods import Period


def _activated(partners: QuerySet[Partner], period: Period) -> QuerySet[Partner]:
    since, until = period.bounds()
    return (
        Partner.objects.filter(pk__in=partners.values("pk"))
        .annotate(
            activated_at=Min(
                "status_changes__created_at",
                filter=Q(status_changes__to_status=PartnerStatus.ACTIVE),
            )
        )
        .filter(activated_at__gte=since, activated_at__lt=until)
    )


def new_partners(*, partners: QuerySet[Partner], period: Period) -> int:
    """One query."""
    return _activated(partners, period).count()


def new_partner_list(*, partners: QuerySet[Partner], period: Period) -> QuerySet[Partner]:
    """The new partners, each with `activated_at`, first activated first."""
    return _activated(partners, period).order_by("activated_at", "pk")
