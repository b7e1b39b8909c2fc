"""The notification centre: `notify()` is how any module tells people something happened.

Each recipient gets a row in their own language (their profile's, else the vendor's); rows asked
to go by email are mailed by a Celery job queued on commit, so a rolled-back change sends
nothing. Callers pass lazy strings (`gettext_lazy`, `format_lazy`) so each recipient's language
can be applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone, translation

from prm.accounts.models import User

from .jobs import enqueue_on_commit
from .models import Notification


def _language(user: User) -> str:
    return user.language or translation.get_language() or "zh-hans"


def notify(
    *,
    recipients: Iterable[User | None],
    kind: str,
    title: Any,
    body: Any = "",
    url: str = "",
    email: bool = True,
) -> list[Notification]:
    """Write one notification per distinct active recipient; queue their emails on commit."""
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    rows = []
    for user in people.values():
        with translation.override(_language(user)):
            rows.append(
                Notification(
                    recipient=user,
                    kind=kind,
                    title=str(title)[:200],
                    body=str(body),
                    url=url[:300],
                    email=email and bool(user.email),
                )
            )
    created = Notification.objects.bulk_create(rows)
    mail_ids = [n.pk for n in created if n.email]
    if mail_ids:
        from .tasks import notifications_email

        enqueue_on_commit(notifications_email, mail_ids)
    return created


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_open(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (someone else's is not found)."""
    notification = notifications_for(user).get(pk=notification_id)
    if notification.read_at is None:
        notifications_for(user).filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    return notification


def notifications_read_all(*, user: User) -> int:
    return notifications_for(user).filter(read_at__isnull=True).update(read_at=timezone.now())
