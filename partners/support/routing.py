"""Where a new ticket goes and by when it is due.

Owner: the first active routing rule, by position, whose category and provinces match (a rule
whose owner was deactivated is passed over); else the partner's channel manager; else the
first vendor admin. Due times: the most specific active SLA policy (category and priority, then
category, then priority, then the catch-all), else the defaults below by priority. Hours are
wall-clock hours from submission: nights and weekends count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from partners.models import Partner, Region
from prm.accounts.models import User
from prm.accounts.roles import VENDOR_ROLES, Role

from .models import RoutingRule, SlaPolicy, TicketPriority

DEFAULT_AUTO_CLOSE_DAYS = 7
# (first response, resolution) in hours, when no policy matches.
DEFAULT_HOURS: dict[str, tuple[int, int]] = {
    TicketPriority.URGENT: (2, 24),
    TicketPriority.HIGH: (4, 48),
    TicketPriority.NORMAL: (8, 120),
    TicketPriority.LOW: (24, 240),
}


def _vendor_staff() -> Q:
    return Q(is_active=True, role__in=sorted(VENDOR_ROLES))


def vendor_staff() -> QuerySet[User]:
    """Active vendor staff: who may own a ticket or hear of its escalation."""
    return User.objects.filter(_vendor_staff())


def _province_regions(partner: Partner) -> Q:
    """Regions naming the partner's province, in Chinese or English (as partners.audience)."""
    return Q(name=partner.region) | Q(name_en=partner.region)


def matching_rules(*, partner: Partner, category: str) -> list[RoutingRule]:
    through = RoutingRule.regions.through
    any_region = Exists(through.objects.filter(routingrule_id=OuterRef("pk")))
    own_region = Exists(
        through.objects.filter(
            routingrule_id=OuterRef("pk"),
            region__in=Region.objects.filter(_province_regions(partner)),
        )
    )
    return list(
        RoutingRule.objects.filter(is_active=True)
        .filter(Q(category="") | Q(category=category))
        .filter(~any_region | own_region)
        .select_related("owner")
        .order_by("position", "pk")
    )


def route_owner(*, partner: Partner, category: str) -> User | None:
    for rule in matching_rules(partner=partner, category=category):
        if rule.owner.is_active and rule.owner.is_vendor_staff:
            return rule.owner
    manager = partner.channel_manager
    if manager is not None and manager.is_active and manager.is_vendor_staff:
        return manager
    return User.objects.filter(_vendor_staff(), role=Role.ADMIN).order_by("pk").first()


@dataclass(frozen=True)
class SlaTerms:
    policy: SlaPolicy | None
    first_response_hours: int
    resolution_hours: int
    auto_close_days: int

    def first_response_due(self, start: datetime) -> datetime:
        return start + timedelta(hours=self.first_response_hours)

    def resolution_due(self, start: datetime) -> datetime:
        return start + timedelta(hours=self.resolution_hours)


def sla_policy_for(*, category: str, priority: str) -> SlaPolicy | None:
    candidates = SlaPolicy.objects.filter(
        Q(category="") | Q(category=category),
        Q(priority="") | Q(priority=priority),
        is_active=True,
    )
    # Category is the stronger match: a category's policy beats a priority's.
    return max(
        candidates,
        key=lambda p: (2 if p.category else 0) + (1 if p.priority else 0),
        default=None,
    )


def policy_terms(policy: SlaPolicy | None, *, priority: str) -> SlaTerms:
    """The terms a policy sets, or the defaults for the priority without one."""
    if policy is not None:
        return SlaTerms(
            policy, policy.first_response_hours, policy.resolution_hours, policy.auto_close_days
        )
    first, resolution = DEFAULT_HOURS.get(priority, DEFAULT_HOURS[TicketPriority.NORMAL])
    return SlaTerms(None, first, resolution, DEFAULT_AUTO_CLOSE_DAYS)


def sla_terms(*, category: str, priority: str) -> SlaTerms:
    return policy_terms(sla_policy_for(category=category, priority=priority), priority=priority)


def escalation_contacts(
    *, policy: SlaPolicy | None, partner: Partner, besides: Iterable[User]
) -> list[User]:
    """Who hears of a missed target besides the owner (`besides`: who is told as the owner):
    the policy's contact, else the partner's channel manager, else the vendor admins. When that
    is nobody but the owner (the channel manager usually owns his partners' tickets), the
    vendor admins: an escalation must reach someone new."""
    contacts = _contacts(policy=policy, partner=partner)
    told = {user.pk for user in besides}
    if all(contact.pk in told for contact in contacts):
        return vendor_admins()
    return contacts


def _contacts(*, policy: SlaPolicy | None, partner: Partner) -> list[User]:
    if policy is not None and policy.escalate_to_id:
        contact = policy.escalate_to
        if contact is not None and contact.is_active:
            return [contact]
    manager = partner.channel_manager
    if manager is not None and manager.is_active:
        return [manager]
    return vendor_admins()


def vendor_admins() -> list[User]:
    return list(User.objects.filter(_vendor_staff(), role=Role.ADMIN).order_by("pk"))
