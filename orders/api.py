"""Products and orders in the REST API (/api/v1/products/, /api/v1/orders/).

Orders are placed through `orders.checkout.checkout`, the mall's own transaction (prices,
promotions, stock reservation, payment), and moved through `orders.workflow`: the API refuses
what the pages refuse, with the same messages.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from partners.models import Partner
from partners.selectors import partners_visible_to
from prm.integrations.api.idempotency import idempotent
from prm.integrations.api.views import ResourceViewSet

from .catalog import products_for_partner
from .checkout import CheckoutLine, checkout
from .models import Order, OrderLine, Product, Shipment, Warehouse
from .selectors import OrderFilter, orders_visible_to
from .workflow import order_approve, order_cancel, order_reject, order_ship


class ProductSerializer(serializers.ModelSerializer):
    product_line = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "name_en",
            "product_line",
            "category",
            "unit",
            "pack_size",
            "min_order_quantity",
            "list_price",
            "is_active",
        ]
        read_only_fields = fields


class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    """Vendor keys see the whole catalog; a partner's key sees what its mall shows."""

    api_resource = "products"
    queryset = Product.objects.none()
    serializer_class = ProductSerializer
    filterset_fields = ["sku", "is_active"]

    def get_queryset(self) -> QuerySet[Product]:
        user = self.request.user
        if user.is_partner_user:
            return products_for_partner(user.partner)
        return Product.objects.select_related("product_line", "category").order_by("sku")


class OrderLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "sku",
            "quantity",
            "list_price",
            "unit_price",
            "discount",
            "order_discount",
            "line_total",
            "is_gift",
            "shipped_quantity",
            "returned_quantity",
        ]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "partner",
            "status",
            "currency",
            "subtotal",
            "discount_total",
            "total",
            "paid_prepaid",
            "paid_rebate",
            "paid_credit",
            "ship_to",
            "note",
            "created_at",
            "received_at",
            "lines",
        ]
        read_only_fields = fields


class OrderLineInput(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)


class OrderCreateSerializer(serializers.Serializer):
    partner = serializers.IntegerField(
        required=False, help_text="Vendor keys: the partner ordering. Partner keys: omit."
    )
    lines = OrderLineInput(many=True, allow_empty=False, max_length=500)
    ship_to = serializers.CharField(max_length=300, required=False, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    use_rebate = serializers.BooleanField(default=True)
    use_prepaid = serializers.BooleanField(default=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ShipSerializer(serializers.Serializer):
    warehouse = serializers.SlugField(max_length=32, help_text="The warehouse's code.")
    carrier = serializers.CharField(max_length=60)
    tracking_number = serializers.CharField(max_length=64)
    quantities = serializers.DictField(
        child=serializers.IntegerField(min_value=0), help_text="Order line id → units to ship."
    )


class ShipmentSerializer(serializers.ModelSerializer):
    warehouse = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Shipment
        fields = ["id", "number", "warehouse", "carrier", "tracking_number", "shipped_at"]
        read_only_fields = fields


def _ordering_partner(user: Any, given: int | None) -> Partner:
    if user.is_partner_user:
        return user.partner
    if given is None:
        raise serializers.ValidationError({"partner": [_("Name the partner that orders.")]})
    partner = partners_visible_to(user).filter(pk=given).first()
    if partner is None:
        raise serializers.ValidationError(
            {"partner": [_("No partner %(id)s here.") % {"id": given}]}
        )
    return partner


def _checkout_lines(partner: Partner, lines: list[dict[str, Any]]) -> list[CheckoutLine]:
    found = {
        p.sku.upper(): p
        for p in products_for_partner(partner).filter(sku__in=[line["sku"] for line in lines])
    }
    missing = [line["sku"] for line in lines if line["sku"].upper() not in found]
    if missing:
        raise serializers.ValidationError(
            {
                "lines": [
                    _("Not in this partner's catalog: %(skus)s.") % {"skus": ", ".join(missing)}
                ]
            }
        )
    return [CheckoutLine(found[line["sku"].upper()], line["quantity"]) for line in lines]


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    api_resource = "orders"
    queryset = Order.objects.none()
    serializer_class = OrderSerializer
    filterset_class = OrderFilter

    def get_queryset(self) -> QuerySet[Order]:
        return (
            orders_visible_to(self.request.user).prefetch_related("lines__product").order_by("pk")
        )

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer})
    def create(self, request: Request) -> Response:
        return idempotent(request, lambda: self._place(request))

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return OrderCreateSerializer if self.action == "create" else OrderSerializer

    def _place(self, request: Request) -> Response:
        data = OrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        partner = _ordering_partner(request.user, values.get("partner"))
        order = checkout(
            partner=partner,
            lines=_checkout_lines(partner, values["lines"]),
            actor=request.user,
            use_rebate=values["use_rebate"],
            use_prepaid=values["use_prepaid"],
            ship_to=values.get("ship_to", ""),
            note=values.get("note", ""),
        )
        return Response(OrderSerializer(self._fresh(order)).data, status=status.HTTP_201_CREATED)

    def _fresh(self, order: Order) -> Order:
        return self.get_queryset().get(pk=order.pk)

    @extend_schema(request=NoteSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_approve(
            order=self.get_object(), actor=request.user, note=data.validated_data.get("note", "")
        )
        return Response(OrderSerializer(self._fresh(order)).data)

    @extend_schema(request=ReasonSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_reject(
            order=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(OrderSerializer(self._fresh(order)).data)

    @extend_schema(request=ReasonSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_cancel(
            order=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(OrderSerializer(self._fresh(order)).data)

    @extend_schema(request=ShipSerializer, responses={201: ShipmentSerializer})
    @action(detail=True, methods=["post"])
    def ship(self, request: Request, pk: str) -> Response:
        data = ShipSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        order = self.get_object()
        warehouse = get_object_or_404(Warehouse, code=values["warehouse"])
        try:
            quantities = {int(k): v for k, v in values["quantities"].items()}
        except ValueError:
            raise serializers.ValidationError(
                {"quantities": [_("Keys are order line ids.")]}
            ) from None
        shipment = order_ship(
            order=order,
            actor=request.user,
            warehouse=warehouse,
            carrier=values["carrier"],
            tracking_number=values["tracking_number"],
            quantities=quantities,
        )
        return Response(ShipmentSerializer(shipment).data, status=status.HTTP_201_CREATED)
