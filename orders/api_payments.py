"""Collected payments (回款) in the REST API (/api/v1/payments/).

Recording goes through `orders.ledger.payment_record`: it pays off credit first, then tops up
the wallet, and with an `external_id` a repeat of the same (source, external_id) returns the
first payment instead of posting twice, on top of the Idempotency-Key every create honours.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from partners.selectors import partners_visible_to
from prm.integrations.api.idempotency import idempotent
from prm.integrations.api.views import ResourceViewSet

from .ledger import payment_record, payments_visible_to
from .models import Payment, PaymentMethod


class PaymentSerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "number",
            "partner",
            "amount",
            "method",
            "received_on",
            "reference",
            "source",
            "external_id",
            "created_at",
        ]
        read_only_fields = fields


class PaymentCreateSerializer(serializers.Serializer):
    partner = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    received_on = serializers.DateField()
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True)
    source = serializers.CharField(max_length=16, default="api")
    external_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    api_resource = "payments"
    queryset = Payment.objects.none()
    serializer_class = PaymentSerializer
    filterset_fields = ["partner", "source", "external_id", "received_on"]

    def get_queryset(self) -> QuerySet[Payment]:
        return payments_visible_to(self.request.user).order_by("pk")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return PaymentCreateSerializer if self.action == "create" else PaymentSerializer

    @extend_schema(request=PaymentCreateSerializer, responses={201: PaymentSerializer})
    def create(self, request: Request) -> Response:
        return idempotent(request, lambda: self._record(request))

    def _record(self, request: Request) -> Response:
        data = PaymentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = dict(data.validated_data)
        partner = partners_visible_to(request.user).filter(pk=values.pop("partner")).first()
        if partner is None:
            raise serializers.ValidationError({"partner": [_("No such partner here.")]})
        payment = payment_record(partner=partner, actor=request.user, **values)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)
