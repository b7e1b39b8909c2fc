"""Reads for partner applications: who may review, the review list, and likely duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import django_filters
from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from partners.models import Partner, PartnerType, ProgramSettings, Region
from prm.accounts.roles import Role

from .models import ApplicationDocument, ApplicationStatus, PartnerApplication
from .names import name_key_sql

SIMILARITY_THRESHOLD = 0.5
DUPLICATE_LIMIT = 10


def application_can_review(user: Any) -> bool:
    """The approvers named in the program settings; if none are named, vendor admins and
    channel managers. Every other vendor role may look but not act."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not user.is_vendor_staff:
        return False
    approvers = ProgramSettings.current().application_approvers
    if approvers.exists():
        return bool(approvers.filter(pk=user.pk).exists())
    return user.role in (Role.ADMIN, Role.CHANNEL_MANAGER)


def applications_visible_to(user: Any) -> QuerySet[PartnerApplication]:
    """Applications are not yet anybody's partner: all vendor staff see all, nobody else any."""
    if not getattr(user, "is_authenticated", False) or not user.is_vendor_staff:
        return PartnerApplication.objects.none()
    return PartnerApplication.objects.select_related("province", "city", "reviewer", "partner")


def application_get_visible(*, user: Any, pk: int) -> PartnerApplication | None:
    return applications_visible_to(user).filter(pk=pk).first()


def application_document_get_visible(*, user: Any, pk: int) -> ApplicationDocument | None:
    return (
        ApplicationDocument.objects.filter(
            pk=pk, application__in=applications_visible_to(user).values("pk")
        )
        .select_related("application")
        .first()
    )


def provinces() -> QuerySet[Region]:
    return Region.objects.filter(level=Region.Level.PROVINCE).order_by("code")


def cities() -> QuerySet[Region]:
    return Region.objects.filter(level=Region.Level.CITY).select_related("parent").order_by("code")


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_lazy("Search"))
    status = django_filters.ChoiceFilter(
        choices=ApplicationStatus.choices, label=_lazy("Status"), empty_label=_lazy("All")
    )
    partner_type = django_filters.ChoiceFilter(
        choices=PartnerType.choices, label=_lazy("Type"), empty_label=_lazy("All")
    )
    province = django_filters.ModelChoiceFilter(
        queryset=provinces(), label=_lazy("Province"), empty_label=_lazy("All")
    )

    class Meta:
        model = PartnerApplication
        fields = ["status", "partner_type", "province"]

    def search(
        self, qs: QuerySet[PartnerApplication], name: str, value: str
    ) -> QuerySet[PartnerApplication]:
        value = value.strip()
        return qs.filter(
            Q(legal_name__icontains=value)
            | Q(name_en__icontains=value)
            | Q(credit_code=value.upper())
            | Q(number__iexact=value)
            | Q(contact_name__icontains=value)
            | Q(contact_email__icontains=value)
        )


@dataclass(frozen=True)
class Duplicate:
    """A partner or another application that may be the same company, and why."""

    partner: Partner | None
    application: PartnerApplication | None
    same_credit_code: bool
    score: float | None  # name similarity, when it was the name that matched

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.same_credit_code:
            reasons.append(_("same credit code"))
        if self.score is not None:
            reasons.append(_("similar name (score %(score).2f)") % {"score": self.score})
        return reasons


def _similar(qs: QuerySet[Any], key_field: str, key: str) -> QuerySet[Any]:
    """Rows whose name key equals `key` or is trigram-similar to it (pg_trgm, in public)."""
    return (
        qs.annotate(score=TrigramSimilarity(key_field, key))
        .filter(Q(score__gte=SIMILARITY_THRESHOLD) | Q(**{key_field: key}))
        .order_by("-score", "pk")
    )


def application_duplicates(application: PartnerApplication) -> list[Duplicate]:
    """Existing partners first, then other applications; each at most once, with all reasons."""
    code, key = application.credit_code, application.name_key
    partners = Partner.objects.annotate(key=name_key_sql("name"))
    by_code = {p.pk: p for p in Partner.objects.filter(credit_code=code)}
    by_name = {p.pk: p for p in _similar(partners, "key", key)[:DUPLICATE_LIMIT]}
    found = [
        Duplicate(
            partner=partner,
            application=None,
            same_credit_code=pk in by_code,
            score=getattr(by_name.get(pk), "score", None),
        )
        for pk, partner in {**by_name, **by_code}.items()
    ]
    others = PartnerApplication.objects.exclude(pk=application.pk).select_related("partner")
    apps_by_code = {a.pk: a for a in others.filter(credit_code=code)[:DUPLICATE_LIMIT]}
    apps_by_name = {a.pk: a for a in _similar(others, "name_key", key)[:DUPLICATE_LIMIT]}
    found += [
        Duplicate(
            partner=None,
            application=other,
            same_credit_code=pk in apps_by_code,
            score=getattr(apps_by_name.get(pk), "score", None),
        )
        for pk, other in {**apps_by_name, **apps_by_code}.items()
    ]
    return found


def application_history(application: PartnerApplication) -> QuerySet[Any]:
    return application.status_changes.select_related("actor")
