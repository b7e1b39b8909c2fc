from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from prm.accounts.visibility import scope_to_partner

from .models import Order, OrderStatus


def orders_visible_to(user: Any) -> QuerySet[Order]:
    return scope_to_partner(Order.objects.select_related("partner"), user)


class OrderFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(lookup_expr="icontains", label=_("Order no."))
    status = django_filters.ChoiceFilter(
        choices=OrderStatus.choices, label=_("Status"), empty_label=_("All")
    )
    placed_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Placed on or after")
    )

    class Meta:
        model = Order
        fields = ["number", "status"]
