"""Market funds in the REST API: fund requests (/api/v1/mdf-requests/) and claims
(/api/v1/mdf-claims/), read through `requests_visible_to` / `claims_visible_to` like the pages.

A partner's key asks for funds as the portal does: the portal's form rules (`RequestForm`: a fund
open to the partner, an offered activity type), then `request_save` with the budget lines and,
unless `submit` is false, `request_submit`, in one transaction. A refusal keyed `line-<n>` is
about the n-th budget line that is not empty. Decisions, proof and claims stay in the pages.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from prm.integrations.api.fields import CodeField
from prm.integrations.api.idempotency import idempotent
from prm.integrations.api.views import ResourceViewSet

from .models import MdfActivityType, MdfClaim, MdfFund, MdfInvoice, MdfRequest, MdfRequestLine
from .portal_forms import MAX_COUNT, RequestForm
from .requests import request_save, request_submit
from .selectors import ClaimFilter, RequestFilter, claims_visible_to, requests_visible_to


class RequestLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = MdfRequestLine
        fields = ["id", "description", "amount"]
        read_only_fields = fields


class MdfRequestSerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(read_only=True)
    fund = serializers.SlugRelatedField(slug_field="code", read_only=True)
    activity_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    claim_deadline = serializers.DateField(
        read_only=True, help_text="The last day a claim is accepted."
    )
    lines = RequestLineSerializer(many=True, read_only=True)

    class Meta:
        model = MdfRequest
        fields = [
            "id",
            "number",
            "partner",
            *RequestForm.Meta.fields,  # what a partner fills in, as on the portal
            "status",
            "requested_amount",
            "manager_amount",
            "approved_amount",
            "claim_deadline",
            "submitted_at",
            "created_at",
            "lines",
        ]
        read_only_fields = fields


class MdfLineInput(serializers.Serializer):
    description = serializers.CharField(max_length=200, allow_blank=True)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0"))


class MdfRequestCreateSerializer(serializers.Serializer):
    fund = CodeField(
        slug_field="code", queryset=MdfFund.objects.all(), help_text="The fund's code."
    )
    activity_type = CodeField(
        slug_field="code",
        queryset=MdfActivityType.objects.all(),
        help_text="The activity type's code.",
    )
    title = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    plan = serializers.CharField(max_length=10000)
    expected_leads = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, default=0)
    expected_revenue = serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=Decimal("0"), default=Decimal("0.00")
    )
    lines = MdfLineInput(many=True, max_length=100, help_text="The budget, line by line.")
    submit = serializers.BooleanField(
        default=True, help_text="Submit for approval at once; false keeps a draft."
    )


class InvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = MdfInvoice
        fields = ["number", "issued_on", "amount", "issuer"]
        read_only_fields = fields


class MdfClaimSerializer(serializers.ModelSerializer):
    request = serializers.PrimaryKeyRelatedField(read_only=True)
    request_number = serializers.CharField(source="request.number", read_only=True)
    partner = serializers.IntegerField(source="request.partner_id", read_only=True)
    invoices = InvoiceSerializer(many=True, read_only=True)

    class Meta:
        model = MdfClaim
        fields = [
            "id",
            "number",
            "request",
            "request_number",
            "partner",
            "status",
            "claimed_amount",
            "approved_amount",
            "leads",
            "new_customers",
            "revenue",
            "settled_as",
            "settled_at",
            "created_at",
            "invoices",
        ]
        read_only_fields = fields


def _form_data(values: dict[str, Any]) -> dict[str, Any]:
    """The validated request as the portal's form receives it."""
    return {
        "fund": values["fund"].pk,
        "activity_type": values["activity_type"].pk,
        "title": values["title"],
        "starts_on": values["starts_on"].isoformat(),
        "ends_on": values["ends_on"].isoformat(),
        "location": values.get("location", ""),
        "plan": values["plan"],
        "expected_leads": values["expected_leads"],
        "expected_revenue": str(values["expected_revenue"]),
    }


class MdfRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    api_resource = "mdf"
    queryset = MdfRequest.objects.none()
    serializer_class = MdfRequestSerializer
    filterset_class = RequestFilter

    def get_queryset(self) -> QuerySet[MdfRequest]:
        return requests_visible_to(self.request.user).prefetch_related("lines").order_by("pk")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return MdfRequestCreateSerializer if self.action == "create" else MdfRequestSerializer

    def _fresh(self, mdf_request: MdfRequest) -> dict[str, Any]:
        return MdfRequestSerializer(self.get_queryset().get(pk=mdf_request.pk)).data

    @extend_schema(request=MdfRequestCreateSerializer, responses={201: MdfRequestSerializer})
    def create(self, request: Request) -> Response:
        return idempotent(request, lambda: self._ask(request))

    def _ask(self, request: Request) -> Response:
        data = MdfRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        if not user.is_partner_user:
            raise PermissionDenied  # partners ask for funds; the vendor decides
        form = RequestForm(_form_data(values), instance=MdfRequest(), partner_id=user.partner_id)
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    ("non_field_errors" if field == "__all__" else field): [
                        str(m) for m in messages
                    ]
                    for field, messages in form.errors.items()
                }
            )
        lines = [(line["description"], line["amount"]) for line in values["lines"]]
        with transaction.atomic():
            mdf_request = form.save(commit=False)
            request_save(mdf_request, lines, user=user)
            if values["submit"]:
                request_submit(mdf_request, user=user)
        return Response(self._fresh(mdf_request), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MdfRequestSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        mdf_request = request_submit(self.get_object(), user=request.user)
        return Response(self._fresh(mdf_request))


class MdfClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    api_resource = "mdf"
    queryset = MdfClaim.objects.none()
    serializer_class = MdfClaimSerializer
    filterset_class = ClaimFilter

    def get_queryset(self) -> QuerySet[MdfClaim]:
        return claims_visible_to(self.request.user).prefetch_related("invoices").order_by("pk")
