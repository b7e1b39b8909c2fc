"""Who a piece of content is for: some partner tiers, types and regions, or (left empty) all.

Learning paths, knowledge-base articles and announcements share these fields and the one query
below, so "visible to a gold dealer in 浙江" means the same thing everywhere.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Partner, PartnerType, Region

M = TypeVar("M", bound=models.Model)


class Audience(models.Model):
    tiers = models.ManyToManyField(
        "partners.Tier",
        verbose_name=_("partner tiers"),
        blank=True,
        related_name="+",
        help_text=_("Empty means every tier."),
    )
    partner_types = ArrayField(
        models.CharField(max_length=16, choices=PartnerType.choices),
        verbose_name=_("partner types"),
        blank=True,
        default=list,
        help_text=_("Empty means every partner type."),
    )
    regions = models.ManyToManyField(
        "partners.Region",
        verbose_name=_("regions"),
        blank=True,
        related_name="+",
        help_text=_("Empty means every region."),
    )

    class Meta:
        abstract = True


def _member(model: type[models.Model], field: str, **match: object) -> tuple[Exists, Exists]:
    """(rows that chose any value, rows that chose the partner's value) for an M2M `field`."""
    descriptor = getattr(model, field)
    through = descriptor.through
    own = descriptor.field.m2m_field_name()
    any_chosen = Exists(through.objects.filter(**{own: OuterRef("pk")}))
    chosen = Exists(through.objects.filter(**{own: OuterRef("pk")}, **match))
    return any_chosen, chosen


def audience_filter(qs: QuerySet[M], partner: Partner) -> QuerySet[M]:
    """Rows of `qs` (an Audience model) whose tiers, types and regions all include `partner`."""
    model = qs.model
    any_tier, tier = _member(model, "tiers", tier_id=partner.tier_id)
    any_region, region = _member(
        model,
        "regions",
        region__in=Region.objects.filter(Q(name=partner.region) | Q(name_en=partner.region)),
    )
    return qs.filter(
        Q(partner_types=[]) | Q(partner_types__contains=[partner.partner_type]),
        ~any_tier | tier,
        ~any_region | region,
    )
