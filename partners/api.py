"""Partners in the REST API (/api/v1/partners/), read-only: the vendor portal edits them."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, serializers

from prm.integrations.api.views import ResourceViewSet

from .models import Partner
from .selectors import PartnerFilter, partners_visible_to


class PartnerSerializer(serializers.ModelSerializer):
    tier = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    channel_manager = serializers.EmailField(
        source="channel_manager.email", read_only=True, allow_null=True
    )
    product_lines = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "name_en",
            "credit_code",
            "partner_type",
            "status",
            "tier",
            "region",
            "city",
            "channel_manager",
            "contact_name",
            "contact_phone",
            "address",
            "credit_limit",
            "payment_terms_days",
            "product_lines",
        ]
        read_only_fields = fields


class PartnerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    api_resource = "partners"
    queryset = Partner.objects.none()
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter

    def get_queryset(self) -> QuerySet[Partner]:
        return (
            partners_visible_to(self.request.user).prefetch_related("product_lines").order_by("pk")
        )
