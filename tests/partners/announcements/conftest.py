"""The knowledge tests' small channel (tiers, provinces, partners of each kind and their users,
an editor) and a helper that writes and publishes an announcement."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from partners.announcements.models import Announcement
from partners.announcements.schedule import REMIND_HOUR
from partners.announcements.services import announcement_create, announcement_publish
from prm.tenancy.selectors import tenant_zone
from tests.partners.knowledge.conftest import kb  # noqa: F401  (the shared fixture)


def announce(editor: Any, *, publish: bool = True, **fields: Any) -> Announcement:
    fields.setdefault("kind", "policy")
    fields.setdefault("title", "通知")
    fields.setdefault("body", "内容")
    announcement = announcement_create(actor=editor, **fields)
    return announcement_publish(announcement, actor=editor) if publish else announcement


def at(day: date, hour: int = REMIND_HOUR, minute: int = 5) -> datetime:
    """That moment of the vendor's day (by default the 09:05 run, the one that reminds)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), tenant_zone())


def told_at(announcement: Announcement, moment: datetime) -> None:
    """As if its recipients had been told at `moment`."""
    Announcement.objects.filter(pk=announcement.pk).update(notified_at=moment)
