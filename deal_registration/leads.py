"""Lead distribution (线索分配): the writes; the reads are in `lead_selectors`.

The vendor owns a lead (a customer that asked the vendor, not a partner) and offers it to one
partner at a time. The partner answers within the SLA (`DealRules.lead_response_hours`): it
accepts the lead, or declines it with a reason, and a lead that gets no answer in time is taken
back by `offers_expire` (an hourly job). Declined and expired leads are re-routed at once. An
accepted lead becomes the partner's deal registration (`lead_prefill`, `lead_for_registration`)
and is closed as won (converted) or lost; the vendor may close any open lead.

Routing (`lead_route`) offers the lead to the best partner that qualifies:

* the partner is active and may register deals now (`partners.gates.partner_blockers`);
* its territory covers the lead's region, decided as sell-through does
  (`orders.sellthrough.territory_from_regions`): a province covers its cities, a city only
  itself, and a partner without territories covers its own province (`Partner.region`);
* it is authorized for the lead's product line;
* it has room: its open leads (offers waiting for its answer, plus leads it accepted that are not
  yet won, lost or closed) are fewer than its capacity, from its tier's `TierDealRules` or else
  `DealRules.lead_capacity`;
* it was never offered this lead before (a partner that declined or let it expire is skipped).

Among those, a higher tier (`Tier.rank`, higher is better; no tier last) comes first, then fewer
open leads, then the older partner (primary key). When nobody qualifies the lead is *unrouted*
and waits for the vendor (route again later, or offer it to a partner by hand).

Every status change goes through `prm.core.workflow.transition` with a `LeadStatusChange` row.
Locks are taken in one order everywhere: the lead, then its offers, then partner rows (every
candidate at once, in primary-key order, to count open leads against capacity). So an accept and
the expiry of the same offer queue on the lead row, and the offer's conditional update lets
exactly one of them through.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orders.sellthrough import territory_from_regions
from partners.gates import DEAL_REGISTRATION, partner_blockers
from partners.models import Partner, PartnerStatus, ProductLine, Region
from prm.accounts.access import active_user
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.money import to_decimal
from prm.core.numbering import next_number
from prm.core.workflow import InvalidTransition, transition, transition_start
from prm.tenancy.selectors import current_tenant, tenant_base_url, tenant_zone

from .models import (
    LEAD_TRANSITIONS,
    DealRules,
    Lead,
    LeadOffer,
    LeadStatus,
    LeadStatusChange,
    OfferStatus,
    TierDealRules,
)

LEAD_PREFIX = "LD"
# Vendor roles that create, route, offer and close leads.
LEAD_ROLES = frozenset({Role.ADMIN, Role.CHANNEL_MANAGER, Role.SALES, Role.MARKETING})
# Leads that may still be closed (withdrawn) by the vendor.
OPEN_LEAD_STATUSES = (LeadStatus.NEW, LeadStatus.OFFERED, LeadStatus.UNROUTED, LeadStatus.ACCEPTED)
# Leads `lead_route` picks a partner for.
ROUTABLE_STATUSES = (LeadStatus.NEW, LeadStatus.UNROUTED)
# Leads the vendor may offer to a partner of its choice (an open offer is withdrawn first).
OFFERABLE_STATUSES = (LeadStatus.NEW, LeadStatus.UNROUTED, LeadStatus.OFFERED)
REASON_MAX = 500


# --- permissions --------------------------------------------------------------------------------


def lead_can_manage(user: Any) -> bool:
    """Create, route, offer and close leads: vendor admins, channel managers, sales, marketing."""
    return active_user(user) and user.is_vendor_staff and user.role in LEAD_ROLES


def offer_can_answer(user: Any, offer: LeadOffer) -> bool:
    """Accept or decline: any active user of the partner the offer is waiting on."""
    return (
        active_user(user)
        and user.is_partner_user
        and user.partner_id == offer.partner_id
        and offer.status == OfferStatus.OFFERED
    )


def _require_manager(actor: Any) -> None:
    if not lead_can_manage(actor):
        raise PermissionDenied


def _require_partner_of(user: Any, offer: LeadOffer) -> None:
    if not (active_user(user) and user.is_partner_user and user.partner_id == offer.partner_id):
        raise PermissionDenied


# --- eligibility --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A partner the lead may go to, with what its place in the ranking depends on."""

    partner: Partner
    open_leads: int
    capacity: int


def _region(lead: Lead) -> Region:
    return Region.objects.select_related("parent").get(pk=lead.region_id)


def _covers(partner: Partner, region: Region) -> bool:
    """Whether `partner` (with `territories__parent` loaded) may sell in `region`."""
    territory = territory_from_regions(partner.territories.all(), fallback_region=partner.region)
    if region.level == Region.Level.PROVINCE:
        return territory.covers(region.name)
    return territory.covers(region.parent.name if region.parent else "", region.name)


def _with_territories(qs: QuerySet[Partner]) -> QuerySet[Partner]:
    return qs.select_related("tier").prefetch_related(
        Prefetch("territories", queryset=Region.objects.select_related("parent").order_by("code"))
    )


def _matching(lead: Lead, region: Region, *, skip: Collection[int]) -> list[Partner]:
    """Active partners authorized for the lead's line whose territory covers its region."""
    partners = _with_territories(
        Partner.objects.filter(status=PartnerStatus.ACTIVE, product_lines=lead.product_line_id)
        .exclude(pk__in=list(skip))
        .order_by("pk")
    )
    return [p for p in partners if _covers(p, region)]


def open_leads_of(partner_ids: Iterable[int]) -> dict[int, int]:
    """Per partner: offers waiting for its answer plus leads it accepted and has not closed."""
    ids = list(partner_ids)
    counts = dict.fromkeys(ids, 0)
    waiting = (
        LeadOffer.objects.filter(partner_id__in=ids, status=OfferStatus.OFFERED)
        .order_by()
        .values("partner_id")
        .annotate(n=Count("pk"))
    )
    accepted = (
        Lead.objects.filter(partner_id__in=ids, status=LeadStatus.ACCEPTED)
        .order_by()
        .values("partner_id")
        .annotate(n=Count("pk"))
    )
    for row in [*waiting, *accepted]:
        counts[row["partner_id"]] += row["n"]
    return counts


def lead_capacities(partners: Iterable[Partner]) -> dict[int, int]:
    """Per partner: how many open leads it may hold (its tier's rule, else the vendor's)."""
    partners = list(partners)
    default = DealRules.current().lead_capacity
    by_tier = dict(
        TierDealRules.objects.filter(
            tier_id__in={p.tier_id for p in partners if p.tier_id}, lead_capacity__isnull=False
        ).values_list("tier_id", "lead_capacity")
    )
    capacities: dict[int, int] = {}
    for partner in partners:
        capacity = by_tier.get(partner.tier_id) if partner.tier_id is not None else None
        capacities[partner.pk] = default if capacity is None else capacity
    return capacities


def _rank_key(candidate: Candidate) -> tuple[int, int, int, int]:
    tier = candidate.partner.tier
    return (
        0 if tier else 1,
        -tier.rank if tier else 0,
        candidate.open_leads,
        candidate.partner.pk,
    )


def _ranked(partners: list[Partner], open_leads: dict[int, int]) -> list[Candidate]:
    capacities = lead_capacities(partners)
    candidates = [Candidate(p, open_leads.get(p.pk, 0), capacities[p.pk]) for p in partners]
    return sorted((c for c in candidates if c.open_leads < c.capacity), key=_rank_key)


def _offered_before(lead: Lead) -> set[int]:
    return set(LeadOffer.objects.filter(lead_id=lead.pk).values_list("partner_id", flat=True))


def lead_eligible_partners(lead: Lead) -> list[Candidate]:
    """The partners `lead` may be offered to now, best first (what routing would choose)."""
    partners = _matching(lead, _region(lead), skip=_offered_before(lead))
    ranked = _ranked(partners, open_leads_of(p.pk for p in partners))
    return [c for c in ranked if not partner_blockers(c.partner, DEAL_REGISTRATION)]


def lead_partner_problems(lead: Lead, partner: Partner) -> list[str]:
    """Why `partner` cannot be offered `lead` now; empty when it can."""
    name = partner.display_name
    if LeadOffer.objects.filter(lead_id=lead.pk, partner_id=partner.pk).exists():
        return [
            _("%(partner)s has already been offered this lead; a lead goes to each partner once.")
            % {"partner": name}
        ]
    problems = list(partner_blockers(partner, DEAL_REGISTRATION))
    if not partner.product_lines.filter(pk=lead.product_line_id).exists():
        problems.append(
            _("%(partner)s is not authorized for %(line)s.")
            % {"partner": name, "line": lead.product_line.display_name}
        )
    region = _region(lead)
    loaded = _with_territories(Partner.objects.filter(pk=partner.pk)).get()
    if not _covers(loaded, region):
        problems.append(
            _("%(region)s is outside the territory of %(partner)s.")
            % {"region": region.display_name, "partner": name}
        )
    held = open_leads_of([partner.pk])[partner.pk]
    capacity = lead_capacities([loaded])[partner.pk]
    if held >= capacity:
        problems.append(
            _("%(partner)s already holds %(open)d open leads, its limit is %(capacity)d.")
            % {"partner": name, "open": held, "capacity": capacity}
        )
    return problems


# --- services -----------------------------------------------------------------------------------


def _locked_lead(lead: Lead) -> Lead:
    return Lead.objects.select_for_update().get(pk=lead.pk)


def _lock_partners(partner_ids: Iterable[int]) -> set[int]:
    """Lock the partners (primary-key order) and return those still active."""
    rows = (
        Partner.objects.select_for_update(no_key=True)
        .filter(pk__in=list(partner_ids))
        .order_by("pk")
        .values_list("pk", "status")
    )
    return {pk for pk, status in rows if status == PartnerStatus.ACTIVE}


def _wrong_status(lead: Lead) -> str:
    messages = {
        LeadStatus.NEW: _("This lead has not been offered to a partner yet."),
        LeadStatus.OFFERED: _("This lead is waiting for a partner's answer."),
        LeadStatus.ACCEPTED: _("This lead has already been accepted by a partner."),
        LeadStatus.UNROUTED: _("No partner has this lead."),
        LeadStatus.CONVERTED: _("This lead has already been won."),
        LeadStatus.LOST: _("This lead has already been lost."),
        LeadStatus.CLOSED: _("This lead is closed."),
    }
    return str(messages[LeadStatus(lead.status)])


def _move(lead: Lead, status: str, *, actor: Any, reason: str = "") -> Lead:
    try:
        moved = transition(
            lead,
            status,
            table=LEAD_TRANSITIONS,
            history_model=LeadStatusChange,
            history_fk="lead",
            actor=actor,
            reason=reason[:2000],
        )
    except InvalidTransition as exc:
        raise ValidationError(_wrong_status(lead), code="status") from exc
    assert isinstance(moved, Lead)
    return moved


def _set_partner(lead: Lead, partner: Partner | None) -> None:
    if lead.partner_id != (partner.pk if partner else None):
        lead.partner = partner
        lead.save(update_fields=["partner"])


def _joined(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def _due_text(moment: datetime) -> str:
    return timezone.localtime(moment, tenant_zone()).strftime("%Y-%m-%d %H:%M")


def _notify_offered(offer: LeadOffer, lead: Lead, partner: Partner) -> None:
    """Email the partner's admins once the offer is committed."""
    recipients = list(
        User.objects.filter(partner_id=partner.pk, role=Role.PARTNER_ADMIN, is_active=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    context = {
        "lead": lead,
        "partner": partner,
        "due": _due_text(offer.respond_by),
        "vendor_name": current_tenant().name,
        "portal_url": tenant_base_url() + reverse("portal_leads:detail", args=[lead.pk]),
    }
    # Both languages in one mail, like the agreement mails: the reader's setting is not known.
    with translation.override("zh-hans"):
        subject = render_to_string("deal_registration/leads/email/offered_subject.txt", context)
        body = render_to_string("deal_registration/leads/email/offered.txt", context)
    transaction.on_commit(partial(send_mail, " ".join(subject.split()), body, None, recipients))


def _offer(lead: Lead, partner: Partner, *, actor: Any, cause: str = "") -> LeadOffer:
    """Offer the (locked) lead to `partner`; any earlier offer must be closed already."""
    hours = DealRules.current().lead_response_hours
    offer = LeadOffer.objects.create(
        lead=lead, partner=partner, respond_by=timezone.now() + timedelta(hours=hours)
    )
    _set_partner(lead, partner)
    offered = _("Offered to %(partner)s, answer due %(due)s") % {
        "partner": partner.display_name,
        "due": _due_text(offer.respond_by),
    }
    _move(lead, LeadStatus.OFFERED, actor=actor, reason=_joined(cause, offered))
    _notify_offered(offer, lead, partner)
    return offer


def _route_locked(lead: Lead, *, actor: Any, cause: str = "") -> LeadOffer | None:
    """Offer the locked lead to the best partner that qualifies, or mark it unrouted."""
    partners = _matching(lead, _region(lead), skip=_offered_before(lead))
    still_active = _lock_partners(p.pk for p in partners)
    partners = [p for p in partners if p.pk in still_active]
    # Counted under the partner locks: a concurrent routing waits, then sees this offer.
    for candidate in _ranked(partners, open_leads_of(still_active)):
        if not partner_blockers(candidate.partner, DEAL_REGISTRATION):
            return _offer(lead, candidate.partner, actor=actor, cause=cause)
    _set_partner(lead, None)
    if lead.status != LeadStatus.UNROUTED:
        _move(
            lead,
            LeadStatus.UNROUTED,
            actor=actor,
            reason=_joined(cause, _("No partner qualifies for this lead.")),
        )
    return None


def _refresh(lead: Lead) -> None:
    lead.refresh_from_db(fields=["status", "partner"])


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


@transaction.atomic
def lead_create(
    *,
    actor: Any,
    company_name: str,
    region: Region,
    industry: str,
    product_line: ProductLine,
    contact_name: str,
    need: str,
    contact_phone: str = "",
    contact_email: str = "",
    estimated_amount: Decimal | str = Decimal("0"),
    source: str = "",
    route: bool = False,
) -> Lead:
    """A new lead (numbered LD-<year>-…); with `route`, offered at once to the best partner."""
    _require_manager(actor)
    lead = Lead(
        company_name=_clean_text(company_name),
        region=region,
        industry=industry,
        product_line=product_line,
        contact_name=_clean_text(contact_name),
        contact_phone=_clean_text(contact_phone),
        contact_email=_clean_text(contact_email),
        estimated_amount=to_decimal(estimated_amount),
        need=_clean_text(need),
        source=_clean_text(source),
        created_by=actor,
    )
    lead.full_clean(exclude=["number"])
    # The sequence step rolls back with everything else if anything below fails.
    lead.number = next_number(LEAD_PREFIX)
    lead.save()
    transition_start(lead, history_model=LeadStatusChange, history_fk="lead", actor=actor)
    if route:
        _route_locked(lead, actor=actor)
        _refresh(lead)
    return lead


@transaction.atomic
def lead_route(lead: Lead, actor: Any) -> LeadOffer | None:
    """Offer a new or unrouted lead to the best partner that qualifies (see the module doc).

    Returns the offer, or None when nobody qualifies (the lead is then unrouted)."""
    _require_manager(actor)
    locked = _locked_lead(lead)
    if locked.status not in ROUTABLE_STATUSES:
        raise ValidationError(_wrong_status(locked), code="status")
    offer = _route_locked(locked, actor=actor)
    _refresh(lead)
    return offer


@transaction.atomic
def lead_offer_to(lead: Lead, partner: Partner, actor: Any) -> LeadOffer:
    """The vendor's own choice of partner: the same rules as routing, checked for this partner.

    An offer still waiting on another partner is withdrawn first. A partner that was already
    offered the lead is refused (each partner sees a lead once)."""
    _require_manager(actor)
    if actor.role == Role.CHANNEL_MANAGER and partner.channel_manager_id != actor.pk:
        raise ValidationError(
            {"partner": _("A channel manager offers leads to its own partners only.")}
        )
    locked = _locked_lead(lead)
    if locked.status not in OFFERABLE_STATUSES:
        raise ValidationError(_wrong_status(locked), code="status")
    open_offer = (
        LeadOffer.objects.select_for_update()
        .filter(lead=locked, status=OfferStatus.OFFERED)
        .first()
    )
    if open_offer is not None and open_offer.partner_id == partner.pk:
        raise ValidationError(
            {
                "partner": _("The lead is already waiting for an answer from %(partner)s.")
                % {"partner": partner.display_name}
            }
        )
    # Locked before counting its open leads, as routing does; then re-read under the lock.
    _lock_partners([partner.pk])
    partner.refresh_from_db(fields=["status"])
    problems = lead_partner_problems(locked, partner)
    if problems:
        raise ValidationError({"partner": problems})
    cause = ""
    if open_offer is not None:
        _withdraw(open_offer)
        cause = _("Withdrawn from %(partner)s") % {"partner": open_offer.partner.display_name}
    offer = _offer(locked, partner, actor=actor, cause=cause)
    _refresh(lead)
    return offer


def _withdraw(offer: LeadOffer) -> None:
    LeadOffer.objects.filter(pk=offer.pk, status=OfferStatus.OFFERED).update(
        status=OfferStatus.WITHDRAWN
    )
    offer.status = OfferStatus.WITHDRAWN


def _closed_offer_message(offer: LeadOffer) -> str:
    messages = {
        OfferStatus.ACCEPTED: _("This lead has already been accepted."),
        OfferStatus.DECLINED: _("This lead has already been declined."),
        OfferStatus.EXPIRED: _("The time to answer this lead has run out."),
        OfferStatus.WITHDRAWN: _("The vendor has withdrawn this lead."),
    }
    return str(messages.get(OfferStatus(offer.status), _("This offer is no longer open.")))


def _locked_offer(offer: LeadOffer) -> tuple[Lead, LeadOffer]:
    """The offer's lead, then the offer itself, locked in that order."""
    lead = Lead.objects.select_for_update().get(pk=offer.lead_id)
    locked = LeadOffer.objects.select_for_update().get(pk=offer.pk)
    return lead, locked


def _answer(offer: LeadOffer, status: str, *, user: Any, reason: str = "") -> bool:
    """The conditional update that lets exactly one answer (or the expiry) through."""
    answered = status != OfferStatus.EXPIRED
    changed = LeadOffer.objects.filter(pk=offer.pk, status=OfferStatus.OFFERED).update(
        status=status,
        responded_at=timezone.now() if answered else None,
        responded_by=user if answered and active_user(user) else None,
        reason=reason,
    )
    offer.refresh_from_db(fields=["status", "responded_at", "responded_by", "reason"])
    return changed == 1


@transaction.atomic
def offer_accept(offer: LeadOffer, user: Any) -> LeadOffer:
    """The offered partner takes the lead; an overdue offer may still be accepted until the
    expiry job has taken it back."""
    _require_partner_of(user, offer)
    lead, locked = _locked_offer(offer)
    if locked.status != OfferStatus.OFFERED:
        raise ValidationError(_closed_offer_message(locked), code="status")
    blockers = partner_blockers(Partner.objects.get(pk=locked.partner_id), DEAL_REGISTRATION)
    if blockers:
        raise ValidationError(blockers, code="blocked")
    if not _answer(locked, OfferStatus.ACCEPTED, user=user):
        raise ValidationError(_closed_offer_message(locked), code="status")
    _move(
        lead,
        LeadStatus.ACCEPTED,
        actor=user,
        reason=_("Accepted by %(partner)s") % {"partner": user.partner.display_name},
    )
    offer.refresh_from_db()
    return offer


@transaction.atomic
def offer_decline(offer: LeadOffer, user: Any, reason: str) -> LeadOffer:
    """The offered partner turns the lead down (saying why); it is re-routed at once."""
    _require_partner_of(user, offer)
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why you decline the lead.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": REASON_MAX}})
    lead, locked = _locked_offer(offer)
    if locked.status != OfferStatus.OFFERED or not _answer(
        locked, OfferStatus.DECLINED, user=user, reason=reason
    ):
        raise ValidationError(_closed_offer_message(locked), code="status")
    cause = _("%(partner)s declined: %(reason)s") % {
        "partner": user.partner.display_name,
        "reason": reason,
    }
    _route_locked(lead, actor=user, cause=cause)
    offer.refresh_from_db()
    return offer


def offers_expire(*, now: datetime | None = None) -> int:
    """Take back every offer past its answer time and re-route its lead; returns how many.

    Each offer is its own transaction under the lead's and the offer's locks, re-checked after
    the wait, so running twice (or beside an accept) changes each offer once."""
    now = now or timezone.now()
    due = list(
        LeadOffer.objects.filter(status=OfferStatus.OFFERED, respond_by__lte=now)
        .order_by("respond_by", "pk")
        .values_list("pk", "lead_id")
    )
    expired = 0
    for offer_pk, lead_pk in due:
        with transaction.atomic():
            lead = Lead.objects.select_for_update().filter(pk=lead_pk).first()
            offer = LeadOffer.objects.select_for_update().filter(pk=offer_pk).first()
            if lead is None or offer is None:
                continue
            if offer.status != OfferStatus.OFFERED or offer.respond_by > now:
                continue
            if not _answer(offer, OfferStatus.EXPIRED, user=None):
                continue
            partner = Partner.objects.get(pk=offer.partner_id)
            cause = _("%(partner)s did not answer in time") % {"partner": partner.display_name}
            _route_locked(lead, actor=None, cause=cause)
            expired += 1
    return expired


@transaction.atomic
def lead_close(
    lead: Lead,
    *,
    won: bool | None,
    actor: Any,
    reason: str = "",
    as_system: bool = False,
) -> Lead:
    """Close a lead: an accepted lead is won (converted) or lost; `won=None` closes any open
    lead without an outcome, withdrawing an offer that is still waiting.

    `as_system=True` is for other services (e.g. a registration marked won) acting without a
    vendor user that may manage leads."""
    if not as_system:
        _require_manager(actor)
    reason = _clean_text(reason)
    locked = _locked_lead(lead)
    if won is not None and locked.status != LeadStatus.ACCEPTED:
        if locked.status in OPEN_LEAD_STATUSES:
            raise ValidationError(
                _("Only a lead a partner has accepted can be marked won or lost."), code="status"
            )
        raise ValidationError(_wrong_status(locked), code="status")
    if won is None and locked.status not in OPEN_LEAD_STATUSES:
        raise ValidationError(_wrong_status(locked), code="status")
    target = LeadStatus.CLOSED if won is None else LeadStatus.CONVERTED if won else LeadStatus.LOST
    open_offer = (
        LeadOffer.objects.select_for_update()
        .filter(lead=locked, status=OfferStatus.OFFERED)
        .first()
    )
    if open_offer is not None:
        _withdraw(open_offer)
        _set_partner(locked, None)
    _move(locked, target, actor=actor, reason=reason)
    _refresh(lead)
    return lead
