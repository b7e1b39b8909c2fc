"""Co-selling (联合跟进): the vendor's people on a registered deal, and the shared timeline."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from prm.core.files import validate_upload

from .models import DealActivity, DealRegistration, DealStatus, DealTeamMember
from .registrations import deal_can_cosell, deal_can_decide

ACTIVE_STATUSES = (DealStatus.SUBMITTED, DealStatus.MORE_INFO, DealStatus.APPROVED, DealStatus.WON)
ATTACHMENT_KINDS = ("pdf", "png", "jpeg", "xlsx")


def team_add(registration: DealRegistration, *, actor: Any, user: Any, role: str) -> DealTeamMember:
    if not deal_can_decide(actor, registration):
        raise PermissionDenied
    if not (user.is_vendor_staff and user.is_active):
        raise ValidationError({"user": _("Only active vendor staff join a deal team.")})
    if registration.status not in ACTIVE_STATUSES:
        raise ValidationError(_("This registration is closed."))
    try:
        with transaction.atomic():
            return DealTeamMember.objects.create(registration=registration, user=user, role=role)
    except IntegrityError:
        raise ValidationError(
            {"user": _("%(user)s is already on this deal.") % {"user": user}}
        ) from None


def team_remove(member: DealTeamMember, *, actor: Any) -> None:
    if not deal_can_decide(actor, member.registration):
        raise PermissionDenied
    member.delete()


def activity_add(
    registration: DealRegistration,
    *,
    actor: Any,
    kind: str,
    occurred_on: Any,
    body: str,
    attachment: UploadedFile | None = None,
    next_step: str = "",
    next_step_due: Any = None,
) -> DealActivity:
    if not deal_can_cosell(actor, registration):
        raise PermissionDenied
    if registration.status not in ACTIVE_STATUSES:
        raise ValidationError(_("This registration is closed."))
    activity = DealActivity(
        registration=registration,
        author=actor,
        kind=kind,
        occurred_on=occurred_on,
        body=body,
        next_step=next_step,
        next_step_due=next_step_due,
    )
    if attachment is not None:
        try:
            validate_upload(attachment, allowed=ATTACHMENT_KINDS)
        except ValidationError as exc:
            raise ValidationError({"attachment": exc.messages}) from None
        activity.original_name = attachment.name[:200] if attachment.name else ""
        activity.attachment = attachment
    activity.full_clean(exclude=["registration", "author", "attachment"])
    activity.save()
    return activity


def activities(registration: DealRegistration) -> Any:
    return registration.activities.select_related("author")
