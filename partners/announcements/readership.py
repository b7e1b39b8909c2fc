"""Who has read and acknowledged an announcement, against who it is for: counts per
announcement for the vendor's list, and the people still outstanding, per partner, for its page
and its CSV export. Counted within the partners the viewer sees (a channel manager: his own)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partners.models import Partner
from prm.accounts.models import User
from prm.core.spreadsheets import text_cell

from .models import Announcement, AnnouncementReceipt
from .recipients import recipient_ids


@dataclass(frozen=True)
class Readership:
    recipients: int = 0
    read: int = 0
    acknowledged: int = 0

    @property
    def unread(self) -> int:
        return self.recipients - self.read

    @property
    def read_percent(self) -> int:
        return round(100 * self.read / self.recipients) if self.recipients else 0


def readership(announcements: list[Announcement], *, viewer: Any) -> dict[int, Readership]:
    """Two queries for any number of announcements (prefetch their tiers and regions)."""
    ids = recipient_ids(announcements, viewer=viewer)
    read: dict[int, int] = defaultdict(int)
    acknowledged: dict[int, int] = defaultdict(int)
    receipts = AnnouncementReceipt.objects.filter(
        announcement__in=[a.pk for a in announcements]
    ).values_list("announcement_id", "user_id", "acknowledged_at")
    for announcement_id, user_id, acknowledged_at in receipts:
        if user_id in ids[announcement_id]:
            read[announcement_id] += 1
            acknowledged[announcement_id] += acknowledged_at is not None
    return {a.pk: Readership(len(ids[a.pk]), read[a.pk], acknowledged[a.pk]) for a in announcements}


@dataclass
class ReaderRow:
    user: User
    read_at: datetime | None
    acknowledged_at: datetime | None


@dataclass
class PartnerReaders:
    partner: Partner
    people: list[ReaderRow] = field(default_factory=list)


@dataclass
class Readers:
    """One announcement's readership and the people still outstanding."""

    stats: Readership
    outstanding: list[PartnerReaders]


def announcement_readers(announcement: Announcement, *, viewer: Any) -> Readers:
    """Recipients who have not read it or (if important) not acknowledged it, per partner, in
    partner and name order, with the counts. Three queries (prefetch tiers and regions)."""
    ids = recipient_ids([announcement], viewer=viewer)[announcement.pk]
    receipts = {
        r.user_id: r
        for r in AnnouncementReceipt.objects.filter(announcement=announcement, user_id__in=ids)
    }
    waiting = [
        pk
        for pk in ids
        if pk not in receipts
        or (announcement.is_important and receipts[pk].acknowledged_at is None)
    ]
    people = (
        User.objects.filter(pk__in=waiting)
        .select_related("partner")
        .order_by("partner__name", "full_name", "pk")
    )
    groups: dict[int, PartnerReaders] = {}
    for user in people:
        receipt = receipts.get(user.pk)
        assert user.partner is not None
        group = groups.setdefault(user.partner.pk, PartnerReaders(user.partner))
        group.people.append(
            ReaderRow(
                user,
                receipt.read_at if receipt else None,
                receipt.acknowledged_at if receipt else None,
            )
        )
    stats = Readership(
        recipients=len(ids),
        read=len(receipts),
        acknowledged=sum(1 for r in receipts.values() if r.acknowledged_at is not None),
    )
    return Readers(stats, list(groups.values()))


def outstanding(announcement: Announcement, *, viewer: Any) -> list[PartnerReaders]:
    return announcement_readers(announcement, viewer=viewer).outstanding


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def outstanding_csv(announcement: Announcement, *, viewer: Any) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(
        [
            _("Partner"),
            pgettext("people", "Person"),
            _("Email"),
            _("Phone"),
            _("Read at"),
            _("Acknowledged at"),
        ]
    )
    for group in outstanding(announcement, viewer=viewer):
        for row in group.people:
            writer.writerow(
                [
                    text_cell(group.partner.name),
                    text_cell(row.user.full_name),
                    text_cell(row.user.email),
                    text_cell(row.user.phone),
                    _when(row.read_at),
                    _when(row.acknowledged_at),
                ]
            )
    # BOM so Excel opens UTF-8 Chinese correctly.
    return ("\ufeff" + text.getvalue()).encode("utf-8")
