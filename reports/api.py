"""Forecasts in the REST API (/api/v1/forecasts/), read-only: partners fill them in and channel
managers adjust and commit them in the pages.

Rows come from `forecasts_visible_to` (a partner's key its own, a channel manager's his
partners'). A partner's key sees a line as the portal shows it: its own figure, and the final one
only once the forecast is committed; the manager's adjusted figure and note are the vendor's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from rest_framework import mixins, serializers

from prm.integrations.api.views import ResourceViewSet

from .forecast_selectors import forecasts_visible_to
from .models import Forecast, ForecastLine, ForecastStatus


class ForecastLineSerializer(serializers.ModelSerializer):
    product_line = serializers.SlugRelatedField(slug_field="code", read_only=True)
    final_amount = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="The figure that counts; partner keys: empty until committed.",
    )
    adjusted_amount = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="The channel manager's figure; empty for none (and for partner keys).",
    )

    class Meta:
        model = ForecastLine
        fields = [
            "id",
            "product_line",
            "month",
            "amount",
            "adjusted_amount",
            "final_amount",
            "note",
        ]
        read_only_fields = fields

    def to_representation(self, line: ForecastLine) -> dict[str, Any]:
        shown = super().to_representation(line)
        user = self.context["request"].user
        if user.is_partner_user:
            shown.update(adjusted_amount=None, note="")
            if line.forecast.status != ForecastStatus.COMMITTED:
                shown["final_amount"] = None
        return shown


class ForecastSerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(read_only=True)
    lines = ForecastLineSerializer(many=True, read_only=True)

    class Meta:
        model = Forecast
        fields = [
            "id",
            "partner",
            "cycle",
            "status",
            "submitted_at",
            "committed_at",
            "created_at",
            "lines",
        ]
        read_only_fields = fields


class ForecastViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    api_resource = "forecasts"
    queryset = Forecast.objects.none()
    serializer_class = ForecastSerializer
    filterset_fields = ["cycle", "status", "partner"]

    def get_queryset(self) -> QuerySet[Forecast]:
        lines = ForecastLine.objects.select_related("product_line").order_by(
            "product_line__code", "month"
        )
        return (
            forecasts_visible_to(self.request.user)
            .prefetch_related(Prefetch("lines", queryset=lines))
            .order_by("-cycle", "pk")
        )
