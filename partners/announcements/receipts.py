"""A reader's receipt: opened (the first time is kept) and, for important announcements,
acknowledged ("I have read and understood"). Both are safe to repeat and to race: the row is
inserted once (the unique constraint), the times only ever set where still empty."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.accounts.access import active_user

from .models import Announcement, AnnouncementReceipt, Importance
from .selectors import announcements_visible_to


def _reader(announcement: Announcement, user: Any) -> None:
    if not (active_user(user) and user.is_partner_user):
        raise PermissionDenied
    if not announcements_visible_to(user).filter(pk=announcement.pk).exists():
        raise PermissionDenied


@transaction.atomic
def announcement_open(announcement: Announcement, *, user: Any) -> AnnouncementReceipt:
    """Mark it read for `user` (a partner user who may see it)."""
    _reader(announcement, user)
    AnnouncementReceipt.objects.bulk_create(
        [AnnouncementReceipt(announcement=announcement, user=user, read_at=timezone.now())],
        ignore_conflicts=True,
    )
    return AnnouncementReceipt.objects.get(announcement=announcement, user=user)


@transaction.atomic
def announcement_acknowledge(announcement: Announcement, *, user: Any) -> AnnouncementReceipt:
    """Record that `user` acknowledged an important announcement (reading it, if not yet)."""
    _reader(announcement, user)
    if announcement.importance != Importance.IMPORTANT:
        raise ValidationError(_("Only important announcements are acknowledged."))
    now = timezone.now()
    AnnouncementReceipt.objects.bulk_create(
        [AnnouncementReceipt(announcement=announcement, user=user, read_at=now)],
        ignore_conflicts=True,
    )
    AnnouncementReceipt.objects.filter(
        announcement=announcement, user=user, acknowledged_at__isnull=True
    ).update(acknowledged_at=now)
    return AnnouncementReceipt.objects.get(announcement=announcement, user=user)
