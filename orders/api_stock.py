"""Stock in the REST API (/api/v1/stock/), read-only: receipts and counts are the warehouse's pages.

Two views of the same numbers, for the two kinds of caller:

* `GET /stock/` and `/stock/{id}/`: one row per product and warehouse (on hand, reserved,
  available, safety stock), through `stocks_visible_to`. Stock is the vendor's own: every vendor
  role reads it, a partner's key gets an empty list (and 404 on a row).
* `GET /stock/availability/`: units free to order per product over the active warehouses, the
  number the mall shows a dealer beside each product ("12 in stock"). A partner's key gets it for
  the products of its own mall (`products_for_partner`), which is what a dealer's ERP needs to
  decide what to order, without learning where the vendor keeps its goods or how much is held
  for other dealers' orders; a vendor's key gets it for every active product.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from prm.integrations.api.views import ResourceViewSet

from .catalog import products_for_partner
from .inventory import StockFilter, stock_available, stocks_visible_to
from .models import Product, Stock


class StockSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    warehouse = serializers.SlugRelatedField(slug_field="code", read_only=True)
    warehouse_active = serializers.BooleanField(source="warehouse.is_active", read_only=True)
    available = serializers.IntegerField(read_only=True, help_text="On hand less reserved.")

    class Meta:
        model = Stock
        fields = [
            "id",
            "product",
            "sku",
            "warehouse",
            "warehouse_active",
            "on_hand",
            "reserved",
            "available",
            "safety_stock",
        ]
        read_only_fields = fields


class AvailabilitySerializer(serializers.Serializer):
    product = serializers.IntegerField(source="pk", read_only=True)
    sku = serializers.CharField(read_only=True)
    available = serializers.IntegerField(
        read_only=True, help_text="Units free to order over the active warehouses."
    )


class AvailabilityQuery(serializers.Serializer):
    sku = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="One product's SKU (any letter case).",
    )


class StockViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    api_resource = "stock"
    queryset = Stock.objects.none()
    serializer_class = StockSerializer
    filterset_class = StockFilter

    def get_queryset(self) -> QuerySet[Stock]:
        return stocks_visible_to(self.request.user)

    def _orderable(self) -> QuerySet[Product]:
        user = self.request.user
        if user.is_partner_user:
            return products_for_partner(user.partner)
        if user.is_vendor_staff:
            return Product.objects.filter(is_active=True).order_by("sku")
        return Product.objects.none()

    @extend_schema(parameters=[AvailabilityQuery], responses=AvailabilitySerializer(many=True))
    @action(detail=False, filter_backends=[], serializer_class=AvailabilitySerializer)
    def availability(self, request: Request) -> Response:
        query = AvailabilityQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        products = self._orderable()
        sku = query.validated_data.get("sku", "")
        if sku:
            products = products.filter(sku__iexact=sku)
        page = self.paginate_queryset(products)
        assert page is not None  # the API always paginates
        free = stock_available([p.pk for p in page])
        for product in page:
            product.available = free[product.pk]
        return self.get_paginated_response(AvailabilitySerializer(page, many=True).data)
