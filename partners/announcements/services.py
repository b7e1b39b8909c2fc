"""Writing, publishing and withdrawing announcements, and telling their recipients.

A draft is edited freely. Publishing fixes it: from then on partners may have read it, so a
correction is a new announcement (the old one is withdrawn with a reason). Publishing tells every
recipient in the notification centre (by email too when it is important) — at once, or, for one
scheduled with a later `publish_at`, when the daily job finds it due.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.knowledge.access import require_editor
from partners.knowledge.text import plain_text, rich_text
from partners.models import Region, Tier
from prm.core.bilingual import pick
from prm.core.notifications import notify
from prm.core.workflow import transition, transition_start
from prm.tenancy.selectors import tenant_zone

from .models import (
    ANNOUNCEMENT_TRANSITIONS,
    Announcement,
    AnnouncementStatus,
    AnnouncementStatusChange,
    Importance,
)
from .recipients import recipients

REASON_MAX = 500
EXCERPT = 200
# The notification's title and body are written in each recipient's language (notify applies
# it); `pick` has to run then too, not now.
lazy_pick = lazy(pick, str)


def _move(announcement: Announcement, to: str, *, actor: Any, reason: str = "") -> Announcement:
    moved = transition(
        announcement,
        to,
        table=ANNOUNCEMENT_TRANSITIONS,
        history_model=AnnouncementStatusChange,
        history_fk="announcement",
        actor=actor,
        reason=reason,
    )
    assert isinstance(moved, Announcement)
    return moved


def _check_dates(announcement: Announcement, *, now: datetime) -> None:
    """`ack_due` belongs to important announcements and cannot come before they appear."""
    due = announcement.ack_due
    if due is None:
        return
    if announcement.importance != Importance.IMPORTANT:
        raise ValidationError(
            {"ack_due": _("Only important announcements are acknowledged; leave this empty.")}
        )
    start = max(announcement.publish_at or now, now)
    if due < timezone.localtime(start, tenant_zone()).date():
        raise ValidationError(
            {"ack_due": _("The acknowledgement date cannot be before the announcement appears.")}
        )


def _fill(
    announcement: Announcement,
    *,
    kind: str,
    importance: str,
    title: str,
    body: str,
    title_en: str,
    body_en: str,
    summary: str,
    publish_at: datetime | None,
    ack_due: date | None,
    partner_types: Iterable[str],
) -> None:
    announcement.kind = kind
    announcement.importance = importance
    announcement.title = (title or "").strip()
    announcement.title_en = (title_en or "").strip()
    announcement.body = rich_text(body)
    announcement.body_en = rich_text(body_en)
    announcement.summary = (summary or "").strip()
    announcement.publish_at = publish_at
    announcement.ack_due = ack_due
    announcement.partner_types = list(dict.fromkeys(partner_types))
    announcement.full_clean()
    _check_dates(announcement, now=timezone.now())


@transaction.atomic
def announcement_create(
    *,
    actor: Any,
    kind: str,
    title: str,
    body: str,
    importance: str = Importance.NORMAL,
    title_en: str = "",
    body_en: str = "",
    summary: str = "",
    publish_at: datetime | None = None,
    ack_due: date | None = None,
    tiers: Iterable[Tier] = (),
    partner_types: Iterable[str] = (),
    regions: Iterable[Region] = (),
) -> Announcement:
    """A draft. Raises ValidationError (keyed by field, nothing saved) on bad input."""
    require_editor(actor)
    announcement = Announcement(created_by=actor)
    _fill(
        announcement,
        kind=kind,
        importance=importance,
        title=title,
        body=body,
        title_en=title_en,
        body_en=body_en,
        summary=summary,
        publish_at=publish_at,
        ack_due=ack_due,
        partner_types=partner_types,
    )
    announcement.save()
    announcement.tiers.set(list(tiers))
    announcement.regions.set(list(regions))
    transition_start(
        announcement,
        history_model=AnnouncementStatusChange,
        history_fk="announcement",
        actor=actor,
    )
    return announcement


@transaction.atomic
def announcement_update(
    announcement: Announcement,
    *,
    actor: Any,
    kind: str,
    title: str,
    body: str,
    importance: str,
    title_en: str,
    body_en: str,
    summary: str,
    publish_at: datetime | None,
    ack_due: date | None,
    tiers: Iterable[Tier],
    partner_types: Iterable[str],
    regions: Iterable[Region],
) -> Announcement:
    """Replace a draft's fields, all of them (as the form sends them): nothing is kept by
    leaving it out, so an audience is never widened by accident."""
    require_editor(actor)
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if locked.status != AnnouncementStatus.DRAFT:
        raise ValidationError(
            _("Only drafts can be changed; withdraw it and publish a corrected announcement.")
        )
    _fill(
        locked,
        kind=kind,
        importance=importance,
        title=title,
        body=body,
        title_en=title_en,
        body_en=body_en,
        summary=summary,
        publish_at=publish_at,
        ack_due=ack_due,
        partner_types=partner_types,
    )
    locked.save()
    locked.tiers.set(list(tiers))
    locked.regions.set(list(regions))
    return locked


def _tell(announcement: Announcement) -> int:
    """Notify the recipients of a live announcement; the caller holds the notified_at guard."""
    title = lazy_pick(announcement.title, announcement.title_en)
    if announcement.importance == Importance.IMPORTANT:
        heading = format_lazy(gettext_lazy("Important announcement: {title}"), title=title)
    else:
        heading = format_lazy(gettext_lazy("New announcement: {title}"), title=title)
    excerpt = announcement.summary or plain_text(announcement.body)[:EXCERPT]
    body: Any = excerpt
    if announcement.importance == Importance.IMPORTANT and announcement.ack_due:
        body = format_lazy(
            gettext_lazy("{excerpt}\n\nPlease read it and acknowledge it by {date}."),
            excerpt=excerpt,
            date=announcement.ack_due.isoformat(),
        )
    elif announcement.importance == Importance.IMPORTANT:
        body = format_lazy(
            gettext_lazy("{excerpt}\n\nPlease read it and acknowledge it."), excerpt=excerpt
        )
    sent = notify(
        recipients=recipients(announcement),
        kind="announcements.published",
        title=heading,
        body=body,
        url=reverse("portal_announcements:detail", args=[announcement.pk]),
        email=announcement.importance == Importance.IMPORTANT,
    )
    return len(sent)


@transaction.atomic
def announcement_release(announcement_id: int, *, now: datetime | None = None) -> bool:
    """Tell the recipients of a published announcement that is live by `now`, once: the
    conditional update on `notified_at` lets exactly one caller through (True for it)."""
    now = now or timezone.now()
    live = Announcement.objects.filter(
        pk=announcement_id, status=AnnouncementStatus.PUBLISHED, notified_at__isnull=True
    ).exclude(publish_at__gt=now)
    if not live.update(notified_at=now):
        return False
    _tell(Announcement.objects.get(pk=announcement_id))
    return True


@transaction.atomic
def announcement_publish(announcement: Announcement, *, actor: Any) -> Announcement:
    """Partners of the audience see it from `publish_at` (or now) and are told then. A
    `publish_at` in the past becomes now."""
    require_editor(actor)
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    now = timezone.now()
    _check_dates(locked, now=now)
    moved = _move(locked, AnnouncementStatus.PUBLISHED, actor=actor)
    # From here `publish_at` is when partners see it: now, unless scheduled for later.
    moved.publish_at = locked.publish_at if locked.publish_at and locked.publish_at > now else now
    moved.published_at = now
    # Saved through the model, not a queryset update, so the audit trail shows both times.
    moved.save(update_fields=["published_at", "publish_at", "updated_at"])
    announcement_release(moved.pk, now=now)
    moved.refresh_from_db()
    announcement.status = moved.status
    return moved


@transaction.atomic
def announcement_withdraw(announcement: Announcement, *, actor: Any, reason: str) -> Announcement:
    """Partners no longer see it; the reason stays in its history."""
    require_editor(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why it is withdrawn.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": REASON_MAX}})
    return _move(announcement, AnnouncementStatus.WITHDRAWN, actor=actor, reason=reason)
