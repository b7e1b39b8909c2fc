"""Extra quiz attempts: when a person has used up the attempts of the current cycle, the vendor
may grant more — a vendor admin, marketing (who run the academy), or the channel manager of the
person's company. The grant counts for the current cycle only (a new cycle starts from the
course's limit again) and is recorded with who gave it and why (AttemptGrant)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from prm.accounts.access import active_user
from prm.accounts.roles import Role

from .models import AttemptGrant, Enrollment

MAX_GRANT = 10
GRANTING_ROLES = {Role.ADMIN, Role.MARKETING}


def may_grant(actor: Any, enrollment: Enrollment) -> bool:
    if not (active_user(actor) and getattr(actor, "is_vendor_staff", False)):
        return False
    if actor.role in GRANTING_ROLES:
        return True
    partner = enrollment.user.partner
    return (
        actor.role == Role.CHANNEL_MANAGER
        and partner is not None
        and partner.channel_manager_id == actor.pk
    )


@transaction.atomic
def attempts_grant(
    *, enrollment: Enrollment, extra: int, actor: Any, reason: str = ""
) -> AttemptGrant:
    """Give `extra` more quiz attempts to the enrollment's person for the current cycle."""
    from .progress import enrollment_renew_if_expired

    locked = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("user__partner", "course")
        .get(pk=enrollment.pk)
    )
    if not may_grant(actor, locked):
        raise PermissionDenied
    if not 1 <= extra <= MAX_GRANT:
        raise ValidationError(
            {"extra": _("Grant between 1 and %(max)d attempts.") % {"max": MAX_GRANT}}
        )
    if not locked.course.max_attempts:
        raise ValidationError(_("This course has no limit on attempts."))
    enrollment_renew_if_expired(locked)
    Enrollment.objects.filter(pk=locked.pk).update(extra_attempts=F("extra_attempts") + extra)
    enrollment.refresh_from_db()
    return AttemptGrant.objects.create(
        enrollment=locked,
        cycle=locked.cycle,
        extra=extra,
        reason=reason[:300],
        granted_by=actor,
    )
