"""What each reader may see of announcements, and the lists' filters.

Vendor staff see every announcement in every status. A partner's users see the published ones
whose audience includes their company, from their `publish_at` on, while their company is
active (the recipients rule, announcements.recipients: whoever sees one is counted, and the
other way round); a withdrawn, draft or not yet due announcement is "not found" to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.audience import audience_filter
from partners.models import PartnerStatus
from prm.accounts.access import active_user

from .models import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementKind,
    AnnouncementReceipt,
    AnnouncementStatus,
    Importance,
)

LATEST = 3
UNREAD = "unread"
TO_ACKNOWLEDGE = "acknowledge"


def live(announcements: QuerySet[Announcement]) -> QuerySet[Announcement]:
    """Published and due: what partners of the audience see now."""
    return announcements.filter(status=AnnouncementStatus.PUBLISHED).filter(
        Q(publish_at__isnull=True) | Q(publish_at__lte=timezone.now())
    )


def with_my_receipt(announcements: QuerySet[Announcement], user: Any) -> QuerySet[Announcement]:
    """Each row with `my_read_at` and `my_acknowledged_at` of `user` (None when not yet)."""
    mine = AnnouncementReceipt.objects.filter(announcement=OuterRef("pk"), user=user)
    return announcements.annotate(
        my_read_at=Subquery(mine.values("read_at")[:1]),
        my_acknowledged_at=Subquery(mine.values("acknowledged_at")[:1]),
    )


def announcements_visible_to(user: Any) -> QuerySet[Announcement]:
    announcements = Announcement.objects.all()
    if not active_user(user):
        return announcements.none()
    if user.is_vendor_staff:
        return announcements
    partner = user.partner if user.is_partner_user else None
    if partner is not None and partner.status == PartnerStatus.ACTIVE:
        return audience_filter(live(announcements), partner)
    return announcements.none()


def announcements_for_reader(user: Any) -> QuerySet[Announcement]:
    """A partner user's list, with their own receipt: the latest to appear first (a
    scheduled one by when it appeared, not when it was approved)."""
    return with_my_receipt(announcements_visible_to(user), user).order_by("-publish_at", "-pk")


def announcement_get_visible(*, user: Any, pk: int) -> Announcement | None:
    return announcements_visible_to(user).filter(pk=pk).first()


def attachment_get_visible(*, user: Any, pk: int) -> AnnouncementAttachment | None:
    return AnnouncementAttachment.objects.filter(
        pk=pk, announcement__in=announcements_visible_to(user)
    ).first()


def needs_acknowledgement() -> Q:
    """On rows annotated by `with_my_receipt`."""
    return Q(importance=Importance.IMPORTANT, my_acknowledged_at__isnull=True)


@dataclass(frozen=True)
class PendingAnnouncements:
    """For the partner's home page: what is unread, what waits for an acknowledgement."""

    unread: int = 0
    to_acknowledge: int = 0
    latest: list[Announcement] = field(default_factory=list)


def announcements_pending_for(user: Any, *, latest: int = LATEST) -> PendingAnnouncements:
    """Two counts and the newest few (annotated like `announcements_for_reader`): three
    queries (the partner's regions, the counts, the latest; and the user's partner, if not
    loaded), whatever the number of announcements."""
    if not (active_user(user) and user.is_partner_user):
        return PendingAnnouncements()
    mine = announcements_for_reader(user)
    counts = mine.aggregate(
        unread=Count("pk", filter=Q(my_read_at__isnull=True)),
        to_acknowledge=Count("pk", filter=needs_acknowledgement()),
    )
    return PendingAnnouncements(
        unread=counts["unread"],
        to_acknowledge=counts["to_acknowledge"],
        latest=list(mine[:latest]),
    )


class ReaderAnnouncementFilter(django_filters.FilterSet):
    show = django_filters.ChoiceFilter(
        choices=[(UNREAD, _("Unread")), (TO_ACKNOWLEDGE, _("Needs my acknowledgement"))],
        method="only",
        label=_("Show"),
        empty_label=_("All"),
    )
    kind = django_filters.ChoiceFilter(
        choices=AnnouncementKind.choices, label=_("Kind"), empty_label=_("All")
    )

    class Meta:
        model = Announcement
        fields = ["show", "kind"]

    def only(self, queryset: QuerySet[Announcement], name: str, value: str) -> Any:
        if value == UNREAD:
            return queryset.filter(Q(my_read_at__isnull=True))
        if value == TO_ACKNOWLEDGE:
            return queryset.filter(needs_acknowledgement())
        return queryset


class VendorAnnouncementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=AnnouncementStatus.choices, label=_("Status"), empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        choices=AnnouncementKind.choices, label=_("Kind"), empty_label=_("All")
    )
    importance = django_filters.ChoiceFilter(
        choices=Importance.choices, label=_("Importance"), empty_label=_("All")
    )

    class Meta:
        model = Announcement
        fields = ["q", "status", "kind", "importance"]

    def search(self, queryset: QuerySet[Announcement], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(title_en__icontains=value) | Q(summary__icontains=value)
        )
