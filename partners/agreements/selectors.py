"""Reads for agreements. Every page and download gets its rows from `agreements_visible_to`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from prm.accounts.visibility import scope_to_partner
from prm.tenancy.selectors import tenant_today

from .models import PARTNER_VISIBLE_STATUSES, Agreement, AgreementStatus, AgreementTemplate


def agreements_visible_to(user: Any) -> QuerySet[Agreement]:
    qs = scope_to_partner(
        Agreement.objects.select_related("partner", "template", "signed_by", "issued_by"), user
    )
    if getattr(user, "is_partner_user", False):
        qs = qs.filter(status__in=PARTNER_VISIBLE_STATUSES)
    return qs


def agreement_get_visible(*, user: Any, pk: int) -> Agreement | None:
    return agreements_visible_to(user).filter(pk=pk).first()


def agreement_current(partner: Partner | int) -> Agreement | None:
    """The signed agreement in force today, if any (the latest version wins)."""
    partner_id = partner if isinstance(partner, int) else partner.pk
    today = tenant_today()
    return (
        Agreement.objects.filter(
            partner_id=partner_id,
            status=AgreementStatus.SIGNED,
            term_start__lte=today,
            term_end__gte=today,
        )
        .order_by("-version", "-pk")
        .first()
    )


def agreement_lapsed(partner: Partner | int) -> Agreement | None:
    """The last agreement that bound the partner, when one did and none does today."""
    partner_id = partner if isinstance(partner, int) else partner.pk
    if agreement_current(partner_id) is not None:
        return None
    return (
        Agreement.objects.filter(
            partner_id=partner_id,
            status__in=[AgreementStatus.SIGNED, AgreementStatus.EXPIRED],
            term_end__lt=tenant_today(),
        )
        .order_by("-term_end", "-pk")
        .first()
    )


def agreements_awaiting_signature(partner: Partner | int) -> QuerySet[Agreement]:
    partner_id = partner if isinstance(partner, int) else partner.pk
    return Agreement.objects.filter(partner_id=partner_id, status=AgreementStatus.ISSUED)


def templates_for(partner: Partner) -> QuerySet[AgreementTemplate]:
    return AgreementTemplate.objects.filter(is_active=True).filter(
        Q(partner_type="") | Q(partner_type=partner.partner_type)
    )


EXPIRING_CHOICES = [
    ("30", _("within 30 days")),
    ("60", _("within 60 days")),
    ("90", _("within 90 days")),
]


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices, label=_("Status"))
    template = django_filters.ModelChoiceFilter(
        queryset=AgreementTemplate.objects.all(), label=_("Template")
    )
    expiring = django_filters.ChoiceFilter(
        choices=EXPIRING_CHOICES, method="expiring_within", label=_("Expiring")
    )

    class Meta:
        model = Agreement
        fields = ["status", "template"]

    def search(self, qs: QuerySet[Agreement], name: str, value: str) -> QuerySet[Agreement]:
        return qs.filter(
            Q(number__icontains=value)
            | Q(partner__name__icontains=value)
            | Q(partner__name_en__icontains=value)
        )

    def expiring_within(
        self, qs: QuerySet[Agreement], name: str, value: str
    ) -> QuerySet[Agreement]:
        today = tenant_today()
        return qs.filter(
            status=AgreementStatus.SIGNED,
            term_end__gte=today,
            term_end__lte=today + timedelta(days=int(value)),
        )
