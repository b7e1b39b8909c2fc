"""Channel prices in the REST API, read-only (scope "products"): the vendor keeps its price lists
in its own pages.

* `GET /price-lists/` and `/price-lists/{id}/`: the lists with their items, for vendor keys. A
  channel manager's key sees the tier and region lists and the partner lists of his own partners.
  A partner's key sees none: what other tiers, regions or partners pay is not a dealer's business.
* `GET /prices/` and `/prices/{id}/` (`id`: the product's): what one partner pays for the products
  of its mall at `quantity` units on a day, with the rule that chose the price, resolved by
  `orders.pricing.prices_for` like the mall and checkout do. A partner's key gets its own prices;
  a vendor's key names the partner with `?partner=ID` (one it may see).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from partners.models import Partner
from partners.selectors import partners_visible_to
from prm.accounts.access import active_user
from prm.integrations.api.views import ResourceViewSet

from .catalog import products_for_partner
from .models import PriceList, PriceListItem, PriceListKind, Product
from .pricing import PriceQuote, prices_for


def price_lists_visible_to(user: Any) -> QuerySet[PriceList]:
    """Vendor staff: the lists aimed at tiers and regions, and at the partners they see."""
    if not (active_user(user) and user.is_vendor_staff):
        return PriceList.objects.none()
    return (
        PriceList.objects.filter(Q(partner__isnull=True) | Q(partner__in=partners_visible_to(user)))
        .select_related("tier")
        .order_by("pk")
    )


class PriceListItemSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = PriceListItem
        fields = ["id", "product", "sku", "min_quantity", "price"]
        read_only_fields = fields


class PriceListSerializer(serializers.ModelSerializer):
    tier = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    partner = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    items = PriceListItemSerializer(many=True, read_only=True)

    class Meta:
        model = PriceList
        fields = [
            "id",
            "name",
            "kind",
            "tier",
            "region",
            "partner",
            "valid_from",
            "valid_to",
            "is_active",
            "items",
        ]
        read_only_fields = fields
        extra_kwargs = {"valid_from": {"allow_null": True}, "valid_to": {"allow_null": True}}


class PriceListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    api_resource = "products"
    queryset = PriceList.objects.none()
    serializer_class = PriceListSerializer
    filterset_fields = ["kind", "is_active", "partner"]

    def get_queryset(self) -> QuerySet[PriceList]:
        return price_lists_visible_to(self.request.user).prefetch_related("items__product")


class PriceQuery(serializers.Serializer):
    partner = serializers.IntegerField(
        required=False, help_text="Vendor keys: the partner whose prices. Partner keys: omit."
    )
    quantity = serializers.IntegerField(
        min_value=1, max_value=1_000_000, default=1, help_text="Units ordered at once."
    )
    on = serializers.DateField(required=False, help_text="The day priced; default today.")


class PricesQuery(PriceQuery):
    sku = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="One product's SKU."
    )


class PriceSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product.pk")
    sku = serializers.CharField(source="product.sku")
    quantity = serializers.IntegerField()
    list_price = serializers.DecimalField(max_digits=18, decimal_places=2)
    unit_price = serializers.DecimalField(max_digits=18, decimal_places=2)
    source = serializers.ChoiceField(
        source="source.kind",
        choices=[("list", "list"), *PriceListKind.choices],
        help_text="What set the price: the list price, or a tier, region or partner price list.",
    )
    price_list = serializers.IntegerField(source="source.price_list_id", allow_null=True)
    price_list_name = serializers.CharField(source="source.price_list_name")
    min_quantity = serializers.IntegerField(
        source="source.min_quantity", help_text="The quantity break applied."
    )
    rule = serializers.CharField(source="rule_text", help_text="Why this price, in words.")


class PriceViewSet(ResourceViewSet):
    api_resource = "products"
    queryset = Product.objects.none()
    serializer_class = PriceSerializer
    filter_backends: list[Any] = []

    def _query(self, request: Request, shape: type[PriceQuery] = PriceQuery) -> dict[str, Any]:
        query = shape(data=request.query_params)
        query.is_valid(raise_exception=True)
        return dict(query.validated_data)

    def _partner(self, given: int | None) -> Partner:
        user = self.request.user
        if user.is_partner_user:
            return user.partner
        if given is None:
            raise serializers.ValidationError(
                {"partner": [_("Name the partner whose prices you want.")]}
            )
        partner = partners_visible_to(user).filter(pk=given).first()
        if partner is None:
            raise serializers.ValidationError(
                {"partner": [_("No partner %(id)s here.") % {"id": given}]}
            )
        return partner

    def _quotes(self, partner: Partner, products: list[Product], query: dict) -> list[PriceQuote]:
        items = [(product, query["quantity"]) for product in products]
        return prices_for(partner=partner, items=items, on=query.get("on"))

    @extend_schema(parameters=[PricesQuery], responses=PriceSerializer(many=True))
    def list(self, request: Request) -> Response:
        query = self._query(request, PricesQuery)
        partner = self._partner(query.get("partner"))
        products = products_for_partner(partner)
        if query.get("sku"):
            products = products.filter(sku__iexact=query["sku"])
        page = self.paginate_queryset(products)
        assert page is not None  # the API always paginates
        quotes = self._quotes(partner, list(page), query)
        return self.get_paginated_response(PriceSerializer(quotes, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="The product's id."),
            PriceQuery,
        ],
        responses=PriceSerializer,
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        query = self._query(request)
        partner = self._partner(query.get("partner"))
        try:
            product = products_for_partner(partner).get(pk=int(pk))
        except (ValueError, Product.DoesNotExist):
            raise Http404 from None
        (quote,) = self._quotes(partner, [product], query)
        return Response(PriceSerializer(quote).data)
