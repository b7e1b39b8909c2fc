"""The cockpit's filters, shared by its figures, charts, tables, drill-down lists and exports.

`CockpitFilter` filters the partners the user may see (area, province, tier, type, partner);
its period and product-line fields do not filter partners but are read by `cockpit_scope`.
Invalid values are left out with the form's error shown; they never widen what the user sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.models import Partner, PartnerType, ProductLine, Tier
from partners.selectors import partners_visible_to
from prm.core.widgets import DateInput, SearchSelect
from prm.tenancy.selectors import tenant_today

from .geography import Area, area_of, province_label
from .periods import Period, PeriodKind


class CockpitFilter(django_filters.FilterSet):
    period = django_filters.ChoiceFilter(
        choices=PeriodKind.choices,
        label=pgettext_lazy("report", "Period"),
        empty_label=None,
        method="keep",
    )
    on = django_filters.DateFilter(
        label=_("Any day of the period"),
        method="keep",
        widget=DateInput(),
    )
    area = django_filters.ChoiceFilter(
        choices=Area.choices, label=_("Area"), empty_label=_("All"), method="in_area"
    )
    province = django_filters.ChoiceFilter(
        choices=[], label=_("Province"), empty_label=_("All"), field_name="region"
    )
    tier = django_filters.ModelChoiceFilter(
        queryset=Tier.objects.order_by("rank"), label=_("Tier"), empty_label=_("All")
    )
    partner_type = django_filters.ChoiceFilter(
        choices=PartnerType.choices, label=_("Type"), empty_label=_("All")
    )
    partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.none(),
        label=_("Partner"),
        empty_label=_("All"),
        method="one",
        widget=SearchSelect("partners:search"),
    )
    product_line = django_filters.ModelChoiceFilter(
        queryset=ProductLine.objects.order_by("code"),
        label=_("Product line"),
        empty_label=_("All"),
        method="keep",
    )

    class Meta:
        model = Partner
        fields: list[str] = []

    def __init__(self, data: Any = None, *args: Any, user: Any, **kwargs: Any) -> None:
        visible = partners_visible_to(user)
        super().__init__(data, *args, queryset=visible, **kwargs)
        regions = sorted(set(visible.order_by().values_list("region", flat=True).distinct()))
        self.filters["province"].extra["choices"] = [(r, province_label(r)) for r in regions if r]
        self.filters["partner"].queryset = visible.order_by("name")
        self._regions = regions

    def keep(self, queryset: QuerySet[Partner], name: str, value: Any) -> QuerySet[Partner]:
        return queryset

    def one(self, queryset: QuerySet[Partner], name: str, value: Partner) -> QuerySet[Partner]:
        return queryset.filter(pk=value.pk)

    def in_area(self, queryset: QuerySet[Partner], name: str, value: str) -> QuerySet[Partner]:
        return queryset.filter(region__in=[r for r in self._regions if area_of(r) == value])


@dataclass(frozen=True)
class CockpitScope:
    partners: QuerySet[Partner]  # visible to the user and matching the filters
    period: Period
    product_line: ProductLine | None
    today: date

    @property
    def product_line_id(self) -> int | None:
        return self.product_line.pk if self.product_line else None


def cockpit_scope(filterset: CockpitFilter) -> CockpitScope:
    """What the figures read: the filtered partners, the period and the product line.

    A filter value that does not validate (a partner the user may not see, a bad date) is left
    out, the others still apply; the form shows the error at its field.
    """
    filterset.is_valid()
    data = getattr(filterset.form, "cleaned_data", {})
    today = tenant_today()
    kind = data.get("period") or PeriodKind.MONTH
    return CockpitScope(
        partners=filterset.qs.order_by(),
        period=Period.containing(kind, data.get("on") or today),
        product_line=data.get("product_line"),
        today=today,
    )
