"""Training completion on the cockpit: the academy's completion report totalled over the
cockpit's partners (docs/cockpit_figures.md, "Training completion").

Assigned, passed, expired and in progress are counted by partners.academy.completion itself
(`partners_completion`), so the cockpit and the academy's report never disagree. Completion is
the report's passed / assigned, given here as a fraction to 4 places like every cockpit rate
(the report shows the same ratio as a percentage to 1 place). The figure is "as of today":
certificates are valid or expired today, whatever period the cockpit shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from partners.academy.completion import partners_completion
from partners.models import Partner, PartnerStatus
from prm.accounts.models import User
from prm.accounts.roles import PARTNER_ROLES

from .figures_numbers import rate


@dataclass(frozen=True)
class Training:
    assigned: int  # (person, course) pairs assigned by the active learning paths
    passed: int  # holding a certificate of the course valid today
    expired: int  # their certificate expired (must take it again)
    in_progress: int  # started, not certified
    not_started: int
    completion: Decimal | None  # passed / assigned


def training_completion(*, partners: QuerySet[Partner]) -> Training:
    """Eight queries (partners, people, the four of the learning paths, certificates,
    enrolments), whatever the number of partners and people."""
    total = partners_completion(partners=partners).total
    if total is None:
        return Training(0, 0, 0, 0, 0, None)
    return Training(
        assigned=total.assigned,
        passed=total.passed,
        expired=total.expired,
        in_progress=total.in_progress,
        not_started=total.not_started,
        completion=rate(total.passed, total.assigned),
    )


def training_people(*, partners: QuerySet[Partner]) -> QuerySet[User]:
    """The people the figure counts: active partner users of the partners that are not
    terminated (each is assigned what their partner's learning paths give their role)."""
    return (
        User.objects.filter(
            partner__in=partners.exclude(status=PartnerStatus.TERMINATED),
            is_active=True,
            role__in=sorted(PARTNER_ROLES),
        )
        .select_related("partner")
        .order_by("partner__name", "full_name", "pk")
    )
