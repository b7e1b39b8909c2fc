"""What each user may see of market funds. Every MDF page, download and PDF takes its rows from
here: a partner's users see their own company's; channel managers their own partners'; other
vendor staff everything; anyone else nothing (prm.accounts.visibility)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from prm.accounts.visibility import scope_to_partner

from .models import (
    ClaimStatus,
    FundStatus,
    MdfAllocation,
    MdfClaim,
    MdfEvidence,
    MdfFund,
    MdfRequest,
    RequestStatus,
)


def allocations_visible_to(user: Any) -> QuerySet[MdfAllocation]:
    return scope_to_partner(MdfAllocation.objects.select_related("fund", "partner"), user)


def requests_visible_to(user: Any) -> QuerySet[MdfRequest]:
    """A dealer's own requests; vendor staff see those submitted at least once (not drafts, nor
    drafts the dealer cancelled), as a draft is the dealer's own plan until it asks."""
    qs = scope_to_partner(
        MdfRequest.objects.select_related("partner", "fund", "activity_type"), user
    )
    if getattr(user, "is_partner_user", False):
        return qs
    return qs.exclude(status=RequestStatus.DRAFT).exclude(
        status=RequestStatus.CANCELLED, submitted_at__isnull=True
    )


def request_get_visible(*, user: Any, pk: int) -> MdfRequest | None:
    return requests_visible_to(user).filter(pk=pk).first()


def claims_visible_to(user: Any) -> QuerySet[MdfClaim]:
    return scope_to_partner(
        MdfClaim.objects.select_related(
            "request__partner", "request__fund", "request__activity_type"
        ),
        user,
        partner_path="request__partner",
    )


def claim_get_visible(*, user: Any, pk: int) -> MdfClaim | None:
    return claims_visible_to(user).filter(pk=pk).first()


def evidence_get_visible(*, user: Any, pk: int) -> MdfEvidence | None:
    """A proof file, for its own partner and the vendor staff who see that partner."""
    return (
        scope_to_partner(
            MdfEvidence.objects.select_related("request"), user, partner_path="request__partner"
        )
        .filter(pk=pk)
        .first()
    )


def funds_open_to(partner_id: int) -> QuerySet[MdfFund]:
    """Active funds the partner has an allocation in: what a new request may draw on."""
    return MdfFund.objects.filter(
        status=FundStatus.ACTIVE, allocations__partner_id=partner_id
    ).order_by("-starts_on", "code")


class RequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    status = django_filters.ChoiceFilter(
        choices=RequestStatus.choices,
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All"),
    )
    fund = django_filters.ModelChoiceFilter(
        queryset=MdfFund.objects.order_by("-starts_on"),
        label=gettext_lazy("Fund"),
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = MdfRequest
        fields = ["q", "status", "fund"]

    def search(self, queryset: QuerySet[MdfRequest], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(partner__name__icontains=value)
        )


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    status = django_filters.ChoiceFilter(
        choices=ClaimStatus.choices,
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = MdfClaim
        fields = ["q", "status"]

    def search(self, queryset: QuerySet[MdfClaim], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(request__number__icontains=value)
            | Q(request__title__icontains=value)
            | Q(request__partner__name__icontains=value)
            | Q(invoices__number__icontains=value)
        ).distinct()
