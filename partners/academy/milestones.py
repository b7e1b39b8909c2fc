"""What certificates mean for the partner's company: its onboarding step "complete a course",
and the scorecard metric "certified_staff" (partners.academy.metrics).

Onboarding rule: the step is done once, for every course the partner's learning paths REQUIRE
(any role), at least one of its people has been certified under that company (the certificate
may have expired since) and is still an active user of it. A partner whose paths require
nothing completes the step with its first such certificate of any course."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from partners.models import Partner
from partners.onboarding.models import StepKind
from partners.onboarding.services import onboarding_complete

from .assignments import required_course_ids
from .models import Certificate


def partner_courses_done(partner: Partner) -> bool:
    certified = set(
        Certificate.objects.filter(
            partner=partner, user__partner=partner, user__is_active=True
        ).values_list("course_id", flat=True)
    )
    required = required_course_ids(partner)
    return required <= certified if required else bool(certified)


def onboarding_check(partner: Partner, *, actor: Any = None) -> bool:
    """Complete the partner's course step when its required courses are done (idempotent)."""
    if not partner_courses_done(partner):
        return False
    onboarding_complete(
        partner=partner,
        kind=StepKind.COMPLETE_COURSE,
        actor=actor,
        note=_("Required academy courses completed."),
    )
    return True
