from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.accounts.visibility import scope_to_partner

from .models import Partner, PartnerStatus, PartnerType, Qualification, Tier


def partners_visible_to(user: Any) -> QuerySet[Partner]:
    return scope_to_partner(
        Partner.objects.select_related("tier", "channel_manager"), user, partner_path=""
    )


def partner_get_visible(*, user: Any, pk: int) -> Partner | None:
    return partners_visible_to(user).filter(pk=pk).first()


def partner_can_manage(user: Any, partner: Partner) -> bool:
    """Status moves and profile changes: vendor admins, and the partner's own channel manager."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    return bool(user.role == Role.CHANNEL_MANAGER and partner.channel_manager_id == user.pk)


EXPIRING_CHOICES = [
    ("30", _("within 30 days")),
    ("60", _("within 60 days")),
    ("90", _("within 90 days")),
    ("expired", _("already expired")),
]


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=PartnerStatus.choices, label=_("Status"), empty_label=_("All")
    )
    partner_type = django_filters.ChoiceFilter(
        choices=PartnerType.choices, label=_("Type"), empty_label=_("All")
    )
    tier = django_filters.ModelChoiceFilter(
        queryset=Tier.objects.all(), label=_("Tier"), empty_label=_("All")
    )
    region = django_filters.CharFilter(lookup_expr="exact", label=_("Region"))
    channel_manager = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(role=Role.CHANNEL_MANAGER),
        label=_("Channel manager"),
        empty_label=_("All"),
    )
    documents = django_filters.ChoiceFilter(
        choices=EXPIRING_CHOICES,
        method="documents_expiring",
        label=_("Documents expiring"),
        empty_label=_("All"),
    )

    class Meta:
        model = Partner
        fields = ["status", "partner_type", "tier", "region", "channel_manager"]

    def documents_expiring(self, qs: QuerySet[Partner], name: str, value: str) -> QuerySet[Partner]:
        today = timezone.localdate()
        if value == "expired":
            matching = Qualification.objects.filter(expires_on__lt=today)
        else:
            matching = Qualification.objects.filter(
                expires_on__gte=today, expires_on__lte=today + timedelta(days=int(value))
            )
        return qs.filter(pk__in=matching.values("partner_id"))

    def search(self, qs: QuerySet[Partner], name: str, value: str) -> QuerySet[Partner]:
        from django.db.models import Q

        return qs.filter(
            Q(name__icontains=value) | Q(name_en__icontains=value) | Q(credit_code=value)
        )


def partner_regions(user: Any) -> list[str]:
    return list(
        partners_visible_to(user).order_by("region").values_list("region", flat=True).distinct()
    )


def qualifications_expiring(*, within_days: int) -> QuerySet[Qualification]:
    today = timezone.localdate()
    return Qualification.objects.filter(
        expires_on__gte=today,
        expires_on__lte=today + timedelta(days=within_days),
        partner__status__in=[PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED],
    ).select_related("partner", "partner__channel_manager")


def partner_tier(partner: Partner | int) -> Tier | None:
    """The tier ordering, rebates and MDF price and pay by (None before the first rating)."""
    partner_id = partner if isinstance(partner, int) else partner.pk
    return Tier.objects.filter(partners__pk=partner_id).first()


def partner_tiers(partner_ids: list[int]) -> dict[int, Tier | None]:
    """Many partners at once, in two queries."""
    rows = dict(Partner.objects.filter(pk__in=partner_ids).values_list("pk", "tier_id"))
    tiers = Tier.objects.in_bulk({t for t in rows.values() if t is not None})
    return {pk: tiers.get(tier_id) if tier_id else None for pk, tier_id in rows.items()}
