"""Who a piece of content is for: some partner tiers, types and regions, or (left empty) all.

Learning paths, knowledge-base articles and announcements share these fields and the one query
below, so "visible to a gold dealer in 浙江" means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.apps import apps
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


# A partner's region is typed text ("浙江省", "Zhejiang Province", "浙江"); a Region row is the
# province's short name. Both sides are compared without these administrative suffixes.
_SUFFIXES = (
    "壮族自治区",
    "回族自治区",
    "维吾尔自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
    " special administrative region",
    " autonomous region",
    " province",
    " city",
    " sar",
)


def province_key(name: str) -> str:
    key = " ".join(name.split()).lower()
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)].strip()
    return key


def region_includes(regions: Iterable[Region], partner_region: str) -> bool:
    """The same rule as `regions_of`, for regions already loaded (prefetched audiences)."""
    key = province_key(partner_region)
    return bool(key) and any(
        key in (province_key(r.name), province_key(r.name_en)) for r in regions
    )


def regions_of(partner_region: str) -> list[int]:
    """Ids of the Region rows a partner's typed region names (one small query)."""
    key = province_key(partner_region)
    if not key:
        return []
    return [
        pk
        for pk, name, name_en in Region.objects.values_list("pk", "name", "name_en")
        if key in (province_key(name), province_key(name_en))
    ]


def audience_models() -> list[type[Audience]]:
    return [m for m in apps.get_models() if issubclass(m, Audience)]


def audience_users_of(instance: models.Model) -> list[type[Audience]]:
    """The audience models that chose this Tier or Region."""
    field = "tiers" if instance._meta.model_name == "tier" else "regions"
    found = []
    for model in audience_models():
        descriptor = getattr(model, field)
        target = descriptor.field.m2m_reverse_field_name()
        if descriptor.through.objects.filter(**{target: instance.pk}).exists():
            found.append(model)
    return found


def refuse_delete_in_use(
    sender: type[models.Model], instance: models.Model, **kwargs: object
) -> None:
    """A tier or region chosen by some audience cannot be deleted: its link rows would vanish
    with it, and "nothing chosen" means everyone, so the content would widen to all partners."""
    used_by = audience_users_of(instance)
    if used_by:
        raise models.ProtectedError(
            _("%(item)s is still chosen in the audience of %(what)s; remove it there first.")
            % {
                "item": instance,
                "what": ", ".join(str(m._meta.verbose_name_plural) for m in used_by),
            },
            set(),
        )


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
        region_id__in=regions_of(partner.region),
    )
    return qs.filter(
        Q(partner_types=[]) | Q(partner_types__contains=[partner.partner_type]),
        ~any_tier | tier,
        ~any_region | region,
    )
