"""Rebates in the REST API, read-only: programs (/api/v1/rebate-programs/) and what accrued under
them (/api/v1/rebate-accruals/). The vendor states programs and settles accruals in its pages.

Accruals come from `accruals_visible_to` (a partner's key its own, a channel manager's his
partners'); the list leaves out the empty periods the pages leave out (`accruals_listed`).
Vendor keys see every program; a partner's key the programs it takes part in: those past draft
whose eligibility takes it in (`program_partners`, the engine's own rule), and any it has
accrued under.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers

from prm.accounts.access import active_user
from prm.integrations.api.views import ResourceViewSet

from .engine import program_partners
from .models import ProgramStatus, RebateAccrual, RebateProgram, RebateTier
from .selectors import AccrualFilter, accruals_listed, accruals_visible_to


def programs_visible_to(user: Any) -> QuerySet[RebateProgram]:
    programs = RebateProgram.objects.order_by("pk")
    if not active_user(user):
        return programs.none()
    if user.is_vendor_staff:
        return programs
    if not user.is_partner_user:
        return programs.none()
    taking_part = [
        program.pk
        for program in programs.exclude(status=ProgramStatus.DRAFT)
        if program_partners(program).filter(pk=user.partner_id).exists()
    ]
    accrued = accruals_visible_to(user).order_by().values("program_id")
    return programs.filter(Q(pk__in=taking_part) | Q(pk__in=accrued))


class RebateTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = RebateTier
        fields = ["id", "threshold_from", "threshold_to", "rate", "fixed_amount"]
        read_only_fields = fields


class RebateProgramSerializer(serializers.ModelSerializer):
    bands = RebateTierSerializer(many=True, read_only=True)

    class Meta:
        model = RebateProgram
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "status",
            "period_type",
            "starts_on",
            "ends_on",
            "basis",
            "tier_mode",
            "partner_cap",
            "program_cap",
            "new_customer_bonus",
            "exclusive_group",
            "bands",
        ]
        read_only_fields = fields


class RebateAccrualSerializer(serializers.ModelSerializer):
    program = serializers.PrimaryKeyRelatedField(read_only=True)
    program_code = serializers.CharField(source="program.code", read_only=True)
    partner = serializers.PrimaryKeyRelatedField(read_only=True)
    tier = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The band reached (a program's band id)."
    )
    settled = serializers.SerializerMethodField(help_text="Settled so far, adjustments included.")

    class Meta:
        model = RebateAccrual
        fields = [
            "id",
            "program",
            "program_code",
            "partner",
            "period_start",
            "period_end",
            "basis",
            "tier",
            "bonus",
            "uncapped_amount",
            "capped_amount",
            "amount",
            "settled",
            "computed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=18, decimal_places=2))
    def get_settled(self, accrual: RebateAccrual) -> str:
        # A method field is rendered as it is returned: the string, as every amount here.
        settled = getattr(accrual, "settled", None) or Decimal("0.00")
        return f"{settled:.2f}"


class RebateProgramViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    api_resource = "rebates"
    queryset = RebateProgram.objects.none()
    serializer_class = RebateProgramSerializer
    filterset_fields = ["status", "basis"]

    def get_queryset(self) -> QuerySet[RebateProgram]:
        return programs_visible_to(self.request.user).prefetch_related("bands")


class RebateAccrualViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    api_resource = "rebates"
    queryset = RebateAccrual.objects.none()
    serializer_class = RebateAccrualSerializer
    filterset_class = AccrualFilter

    def get_queryset(self) -> QuerySet[RebateAccrual]:
        user = self.request.user
        found = accruals_listed(user) if self.action == "list" else accruals_visible_to(user)
        return found.order_by("-period_start", "program__code", "partner__name", "pk")
