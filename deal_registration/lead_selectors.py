"""Lead distribution's reads: who sees which lead, a partner's offer, what a registration from a
lead starts with, conversion figures, and the list filters. The rules are in `leads`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import django_filters
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from partners.models import Partner, ProductLine
from prm.accounts.access import active_user
from prm.accounts.roles import Role
from prm.accounts.visibility import scope_to_partner

from .models import Lead, LeadOffer, LeadStatus, OfferStatus

PERCENT = Decimal("0.01")


def _answer_due() -> Subquery:
    waiting = LeadOffer.objects.filter(lead=OuterRef("pk"), status=OfferStatus.OFFERED)
    return Subquery(waiting.order_by().values("respond_by")[:1])


def leads_visible_to(user: Any) -> QuerySet[Lead]:
    """Vendor staff see every lead (a channel manager: those without a partner and those of its
    own partners); a partner's users see the leads offered to or accepted by their partner (and
    only while that offer is theirs). Annotated with `answer_due`, the
    waiting offer's deadline (None when nothing waits)."""
    qs = Lead.objects.select_related("region", "region__parent", "product_line", "partner")
    qs = qs.annotate(answer_due=_answer_due())
    if not active_user(user):
        return qs.none()
    if user.is_vendor_staff and user.role == Role.CHANNEL_MANAGER:
        # The pool (no partner yet) and the leads of the partners this manager owns.
        return qs.filter(Q(partner=None) | Q(partner__channel_manager=user))
    if user.is_vendor_staff:
        return qs
    if user.is_partner_user:
        theirs = LeadOffer.objects.filter(
            lead=OuterRef("pk"),
            partner_id=user.partner_id,
            status__in=[OfferStatus.OFFERED, OfferStatus.ACCEPTED],
        )
        return qs.filter(partner_id=user.partner_id).filter(Exists(theirs))
    return qs.none()


def lead_get_visible(*, user: Any, pk: int) -> Lead | None:
    return leads_visible_to(user).filter(pk=pk).first()


def lead_offers(lead: Lead) -> QuerySet[LeadOffer]:
    """Every offer of the lead, newest first, with partner and who answered."""
    return lead.offers.select_related("partner", "responded_by").order_by("-offered_at", "-pk")


def lead_offer_of(lead: Lead, user: Any) -> LeadOffer | None:
    """The offer of `lead` made to the user's partner (waiting or accepted), if any."""
    if not (active_user(user) and user.is_partner_user):
        return None
    return (
        lead.offers.filter(
            partner_id=user.partner_id, status__in=[OfferStatus.OFFERED, OfferStatus.ACCEPTED]
        )
        .select_related("responded_by")
        .first()
    )


def lead_for_registration(user: Any, pk: int) -> Lead | None:
    """An accepted lead of the user's partner that has no registration yet (else None)."""
    if not (active_user(user) and user.is_partner_user):
        return None
    return (
        leads_visible_to(user)
        .filter(pk=pk, status=LeadStatus.ACCEPTED, registration__isnull=True)
        .first()
    )


def lead_title(lead: Lead) -> str:
    """The opportunity's title a registration from this lead starts with."""
    return f"{lead.company_name} · {lead.product_line.display_name}"[:200]


def lead_prefill(lead: Lead) -> dict[str, Any]:
    """Initial values of a DealRegistration made from `lead` (field name → value)."""
    return {
        "customer_name": lead.company_name,
        "region": lead.region,
        "industry": lead.industry,
        "product_line": lead.product_line,
        "contact_name": lead.contact_name,
        "contact_phone": lead.contact_phone,
        "contact_email": lead.contact_email,
        "estimated_amount": lead.estimated_amount,
        "title": lead_title(lead),
        "description": lead.need,
    }


def _percent(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage, half-up to 2 places; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PERCENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PartnerLeadStats:
    partner: Partner
    offered: int  # offers made to it
    accepted: int
    declined: int
    expired: int
    converted: int  # leads it accepted and won

    @property
    def acceptance_rate(self) -> Decimal | None:
        return _percent(self.accepted, self.offered)


@dataclass(frozen=True)
class LeadConversion:
    total: int  # leads
    offered: int  # leads offered to at least one partner
    accepted: int  # leads a partner accepted
    converted: int  # leads won
    lost: int
    unrouted: int  # leads waiting for the vendor because nobody qualified
    partners: list[PartnerLeadStats]

    @property
    def acceptance_rate(self) -> Decimal | None:
        """Accepted / offered, in %."""
        return _percent(self.accepted, self.offered)

    @property
    def conversion_rate(self) -> Decimal | None:
        """Won / offered, in %: how many leads handed to the channel became deals."""
        return _percent(self.converted, self.offered)

    @property
    def win_rate(self) -> Decimal | None:
        """Won / accepted, in %."""
        return _percent(self.converted, self.accepted)


def visible_partner_ids(user: Any) -> set[int]:
    return set(
        scope_to_partner(Partner.objects.all(), user, partner_path="").values_list("pk", flat=True)
    )


def lead_conversion(user: Any) -> LeadConversion:
    """How leads fare, overall and per partner `user` may see (most offers first); six
    queries."""
    leads = Lead.objects.order_by().aggregate(
        total=Count("pk"),
        converted=Count("pk", filter=Q(status=LeadStatus.CONVERTED)),
        lost=Count("pk", filter=Q(status=LeadStatus.LOST)),
        unrouted=Count("pk", filter=Q(status=LeadStatus.UNROUTED)),
    )
    offers = LeadOffer.objects.order_by().aggregate(
        offered=Count("lead", distinct=True),
        accepted=Count("lead", distinct=True, filter=Q(status=OfferStatus.ACCEPTED)),
    )
    rows = list(
        LeadOffer.objects.order_by()
        .values("partner_id")
        .annotate(
            offered=Count("pk"),
            accepted=Count("pk", filter=Q(status=OfferStatus.ACCEPTED)),
            declined=Count("pk", filter=Q(status=OfferStatus.DECLINED)),
            expired=Count("pk", filter=Q(status=OfferStatus.EXPIRED)),
        )
    )
    won = dict(
        Lead.objects.filter(status=LeadStatus.CONVERTED)
        .order_by()
        .values("partner_id")
        .annotate(n=Count("pk"))
        .values_list("partner_id", "n")
    )
    visible = visible_partner_ids(user)
    rows = [row for row in rows if row["partner_id"] in visible]
    partners = Partner.objects.in_bulk([row["partner_id"] for row in rows])
    stats = [
        PartnerLeadStats(
            partner=partners[row["partner_id"]],
            offered=row["offered"],
            accepted=row["accepted"],
            declined=row["declined"],
            expired=row["expired"],
            converted=won.get(row["partner_id"], 0),
        )
        for row in rows
    ]
    stats.sort(key=lambda s: (-s.offered, s.partner.name, s.partner.pk))
    return LeadConversion(
        total=leads["total"],
        offered=offers["offered"],
        accepted=offers["accepted"],
        converted=leads["converted"],
        lost=leads["lost"],
        unrouted=leads["unrouted"],
        partners=stats,
    )


SLA_CHOICES = [("overdue", gettext_lazy("Answer overdue")), ("waiting", gettext_lazy("Waiting"))]


class PortalLeadFilter(django_filters.FilterSet):
    """The partner's own leads."""

    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    status = django_filters.ChoiceFilter(
        choices=LeadStatus.choices,
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All"),
    )
    sla = django_filters.ChoiceFilter(
        choices=SLA_CHOICES,
        method="by_answer",
        label=gettext_lazy("Answer"),
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = Lead
        fields = ["status"]

    def search(self, qs: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(number__icontains=value) | Q(company_name__icontains=value))

    def by_answer(self, qs: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        # `answer_due` is the annotation of `leads_visible_to`.
        if value == "overdue":
            return qs.filter(Q(answer_due__lt=timezone.now()))
        if value == "waiting":
            return qs.filter(Q(answer_due__isnull=False))
        return qs


class LeadFilter(PortalLeadFilter):
    """The vendor's list: every lead, also by product line and partner name."""

    product_line = django_filters.ModelChoiceFilter(
        queryset=ProductLine.objects.all(),
        label=gettext_lazy("Product line"),
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = Lead
        fields = ["status", "product_line"]

    def search(self, qs: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(number__icontains=value)
            | Q(company_name__icontains=value)
            | Q(contact_name__icontains=value)
            | Q(partner__name__icontains=value)
            | Q(partner__name_en__icontains=value)
        )
