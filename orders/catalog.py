"""What a dealer may see in the mall: active products of its authorized product lines."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, ProductLine

from .models import Category, Product


def products_for_partner(partner: Partner) -> QuerySet[Product]:
    return (
        Product.objects.filter(is_active=True, product_line__partners=partner)
        .select_related("product_line", "category")
        .order_by("sku")
    )


def product_get_for_partner(*, partner: Partner, sku: str) -> Product | None:
    return products_for_partner(partner).filter(sku__iexact=sku.strip()).first()


class CatalogFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), label=_("Category"), empty_label=_("All")
    )
    product_line = django_filters.ModelChoiceFilter(
        queryset=ProductLine.objects.none(), label=_("Product line"), empty_label=_("All")
    )

    class Meta:
        model = Product
        fields = ["category", "product_line"]

    def __init__(self, *args: Any, partner: Partner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["product_line"].queryset = partner.product_lines.all()

    def search(self, qs: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return qs.filter(
            Q(sku__icontains=value) | Q(name__icontains=value) | Q(name_en__icontains=value)
        )
