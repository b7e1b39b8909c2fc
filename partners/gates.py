"""Whether a partner may use a portal feature now, and if not, every reason why.

Ordering (the ordering mall) and deal registration ask here before they write; pages show the
same messages. Status comes first (suspended or terminated partners may do neither), then an
agreement that has lapsed without a signed renewal, then each pending onboarding step that gates
the feature (e.g. the agreement is not signed yet).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Partner, PartnerStatus

ORDERING = "ordering"
DEAL_REGISTRATION = "deal_registration"


def partner_blockers(partner: Partner, feature: str) -> list[str]:
    """Empty when `feature` is open to `partner`; otherwise one message per reason."""
    from .agreements.selectors import agreement_lapsed
    from .onboarding.selectors import feature_blockers

    reasons = []
    if partner.status != PartnerStatus.ACTIVE:
        message = (
            _("%(partner)s cannot order while its status is %(status)s.")
            if feature == ORDERING
            else _("%(partner)s cannot register deals while its status is %(status)s.")
        )
        reasons.append(message % {"partner": partner, "status": partner.get_status_display()})
    lapsed = agreement_lapsed(partner)
    if lapsed is not None:
        message = (
            _("Agreement %(number)s ended on %(date)s: sign its renewal before ordering.")
            if feature == ORDERING
            else _(
                "Agreement %(number)s ended on %(date)s: sign its renewal before registering deals."
            )
        )
        reasons.append(message % {"number": lapsed.number, "date": lapsed.term_end.isoformat()})
    return reasons + feature_blockers(partner, feature)
