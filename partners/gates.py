"""Whether a partner may use a portal feature now, and if not, every reason why.

Ordering (the ordering mall) and deal registration ask here before they write; pages show the
same messages. Status comes first (suspended or terminated partners may do neither), then each
pending onboarding step that gates the feature (e.g. the agreement is not signed yet).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Partner, PartnerStatus

ORDERING = "ordering"
DEAL_REGISTRATION = "deal_registration"


def partner_blockers(partner: Partner, feature: str) -> list[str]:
    """Empty when `feature` is open to `partner`; otherwise one message per reason."""
    from .onboarding.selectors import feature_blockers

    reasons = []
    if partner.status != PartnerStatus.ACTIVE:
        message = (
            _("%(partner)s cannot order while its status is %(status)s.")
            if feature == ORDERING
            else _("%(partner)s cannot register deals while its status is %(status)s.")
        )
        reasons.append(message % {"partner": partner, "status": partner.get_status_display()})
    return reasons + feature_blockers(partner, feature)
