"""Who an announcement is for: the active users of the active partners in its audience.

partners.audience answers "which announcements does this partner see?" in SQL. Here the question
is the other way round, for many announcements at once (the vendor's list shows read counts
against recipients per row), so the same rule is applied in Python to one query's worth of
readers: a partner is in the audience when each choice made (tiers, types, regions) includes
it, a region matching the partner's province by its Chinese or English name, compared as
partners.audience.province_key does ("浙江省" is 浙江). A test holds the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from partners.audience import province_key
from partners.models import PartnerStatus
from prm.accounts.models import User
from prm.accounts.roles import PARTNER_ROLES
from prm.accounts.visibility import scope_to_partner

from .models import Announcement


@dataclass(frozen=True)
class AudienceRule:
    types: frozenset[str]
    tier_ids: frozenset[int]
    region_keys: frozenset[str]

    def includes(self, *, partner_type: str, tier_id: int | None, region: str) -> bool:
        return (
            (not self.types or partner_type in self.types)
            and (not self.tier_ids or tier_id in self.tier_ids)
            and (not self.region_keys or province_key(region) in self.region_keys)
        )


def audience_rule(announcement: Announcement) -> AudienceRule:
    """Reads `tiers` and `regions` through .all(), so a prefetch serves a whole page."""
    regions = list(announcement.regions.all())
    return AudienceRule(
        types=frozenset(announcement.partner_types),
        tier_ids=frozenset(t.pk for t in announcement.tiers.all()),
        region_keys=frozenset(
            key for r in regions for name in (r.name, r.name_en) if (key := province_key(name))
        ),
    )


@dataclass(frozen=True)
class Reader:
    user_id: int
    partner_id: int
    partner_type: str
    tier_id: int | None
    region: str


def partner_readers(*, viewer: Any = None) -> QuerySet[User]:
    """Everyone who can be told: active users of active partners (within what `viewer` sees of
    partners, when given: a channel manager counts his own partners' people)."""
    users = User.objects.filter(
        is_active=True, role__in=sorted(PARTNER_ROLES), partner__status=PartnerStatus.ACTIVE
    )
    return scope_to_partner(users, viewer) if viewer is not None else users


def _readers(*, viewer: Any = None) -> list[Reader]:
    rows = partner_readers(viewer=viewer).values_list(
        "pk", "partner_id", "partner__partner_type", "partner__tier_id", "partner__region"
    )
    return [Reader(*row) for row in rows]


def recipient_ids(
    announcements: Iterable[Announcement], *, viewer: Any = None
) -> dict[int, set[int]]:
    """For each announcement, the user ids of its recipients (one query, plus the audience
    choices unless prefetched)."""
    readers = _readers(viewer=viewer)
    found = {}
    for announcement in announcements:
        rule = audience_rule(announcement)
        found[announcement.pk] = {
            r.user_id
            for r in readers
            if rule.includes(partner_type=r.partner_type, tier_id=r.tier_id, region=r.region)
        }
    return found


def recipients(announcement: Announcement, *, viewer: Any = None) -> QuerySet[User]:
    ids = recipient_ids([announcement], viewer=viewer)[announcement.pk]
    return User.objects.filter(pk__in=ids).select_related("partner")
