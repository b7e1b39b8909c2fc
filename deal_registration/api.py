"""Deal registrations in the REST API (/api/v1/deals/).

Rows come from `deals_visible_to`, as on the pages. A partner's key registers: `POST /deals/`
runs the portal's form rules (`RegistrationForm`: authorized product line, products in it,
credit code, close date) and then the portal's services, `registration_save` and, unless
`submit` is false, `registration_submit`, in one transaction, so a refused submission leaves no
draft behind. `POST /deals/check/` is the portal's live duplicate check: it stores nothing and
tells a partner what the portal tells it (how serious, on which of its own fields, and its own
registrations of the customer), never whose registration or account it matched. Vendor keys get
the engine's candidates, naming only partners they may see. The decisions (approve, reject,
send back for information) call the services the vendor pages call, which decide who may.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from orders.models import Product
from partners.models import ProductLine, Region
from partners.selectors import partners_visible_to
from prm.core.rate_limit import rate_take
from prm.integrations.api.fields import CodeField
from prm.integrations.api.idempotency import idempotent
from prm.integrations.api.views import ResourceViewSet

from .conflicts import CREDIT_CODE, DOMAIN, NAME, PHONE, Candidate, Probe, find_conflicts
from .forms import RegistrationForm
from .models import ConflictSource, DealRegistration, DealStage, Industry, Verdict
from .portal_views import CHECKS_PER_MINUTE
from .registrations import (
    REASON_MAX,
    deal_register_blockers,
    registration_approve,
    registration_reject,
    registration_request_info,
    registration_save,
    registration_submit,
)
from .selectors import (
    DealFilter,
    deal_get_visible,
    deals_visible_to,
    own_duplicates,
    partner_notice,
)

MATCHES = [(m, m) for m in (CREDIT_CODE, NAME, DOMAIN, PHONE)]


class DealSerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    product_line = serializers.SlugRelatedField(slug_field="code", read_only=True)
    products = serializers.SlugRelatedField(slug_field="sku", many=True, read_only=True)

    class Meta:
        model = DealRegistration
        fields = [
            "id",
            "number",
            "partner",
            "status",
            *RegistrationForm.Meta.fields,  # what a partner fills in, as on the portal
            "submitted_at",
            "holds_claim",
            "has_conflict",
            "approval_due_at",
            "answer_due_on",
            "protection_ends",
            "closed_on",
            "created_at",
        ]
        read_only_fields = fields


class DealCreateSerializer(serializers.Serializer):
    customer_name = serializers.CharField(max_length=200)
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)
    region = CodeField(
        slug_field="code", queryset=Region.objects.all(), help_text="The region's code."
    )
    industry = serializers.ChoiceField(choices=Industry.choices)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    website = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=100)
    contact_title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    title = serializers.CharField(max_length=200)
    product_line = CodeField(
        slug_field="code", queryset=ProductLine.objects.all(), help_text="The product line's code."
    )
    products = CodeField(
        slug_field="sku",
        queryset=Product.objects.all(),
        many=True,
        required=False,
        help_text="SKUs in the product line.",
    )
    estimated_amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=Decimal("0")
    )
    expected_close_date = serializers.DateField()
    stage = serializers.ChoiceField(choices=DealStage.choices, default=DealStage.QUALIFICATION)
    description = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    submit = serializers.BooleanField(
        default=True, help_text="Submit to the vendor at once; false keeps a draft."
    )


class DealReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, required=False, allow_blank=True)


class DealCheckSerializer(serializers.Serializer):
    customer_name = serializers.CharField(max_length=200, default="", allow_blank=True)
    credit_code = serializers.CharField(max_length=18, default="", allow_blank=True)
    website = serializers.CharField(max_length=200, default="", allow_blank=True)
    contact_email = serializers.CharField(max_length=254, default="", allow_blank=True)
    phone = serializers.CharField(max_length=32, default="", allow_blank=True)
    contact_phone = serializers.CharField(max_length=32, default="", allow_blank=True)
    exclude = serializers.IntegerField(
        required=False,
        help_text="A registration of yours being edited: left out of its own check.",
    )


class DealOwnMatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = DealRegistration
        fields = ["id", "number", "customer_name", "status"]
        read_only_fields = fields


class DealCandidateSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=ConflictSource.choices)
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    score = serializers.DecimalField(max_digits=3, decimal_places=2)
    matched = serializers.ListField(child=serializers.ChoiceField(choices=MATCHES))
    registration = serializers.IntegerField(allow_null=True)
    registration_number = serializers.CharField(allow_null=True)
    partner = serializers.IntegerField(
        allow_null=True, help_text="Empty when the partner is not one this key may see."
    )
    account = serializers.CharField(allow_null=True, help_text="A vendor account's name.")


class DealCheckResultSerializer(serializers.Serializer):
    checked = serializers.BooleanField(help_text="False when no field gave a key to match on.")
    verdict = serializers.ChoiceField(
        choices=[(Verdict.BLOCK, Verdict.BLOCK), (Verdict.REVIEW, Verdict.REVIEW)],
        allow_null=True,
        help_text="The most serious match that is not the caller's own; empty for none.",
    )
    matched = serializers.ListField(child=serializers.ChoiceField(choices=MATCHES))
    message = serializers.CharField(allow_blank=True)
    own = DealOwnMatchSerializer(many=True, help_text="Partner keys: their own registrations.")
    candidates = DealCandidateSerializer(many=True, help_text="Vendor keys: everything found.")


def _form_errors(form: RegistrationForm) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
        for field, messages in form.errors.items()
    }


def _form_data(values: dict[str, Any]) -> dict[str, Any]:
    """The validated request as the portal's form receives it."""
    data: dict[str, Any] = {
        key: value
        for key, value in values.items()
        if key not in {"region", "product_line", "products", "submit"}
    }
    data.update(
        region=values["region"].pk,
        product_line=values["product_line"].pk,
        products=[p.pk for p in values.get("products", [])],
        estimated_amount=str(values["estimated_amount"]),
        expected_close_date=values["expected_close_date"].isoformat(),
    )
    return data


def _owner(candidate: Candidate) -> int | None:
    """The partner behind a candidate: the registering one, or the one that sold to the
    customer; None for a vendor account."""
    if candidate.registration is not None:
        return candidate.registration.partner_id
    if candidate.sell_out is not None:
        return candidate.sell_out.partner_id
    return None


class DealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    api_resource = "deals"
    queryset = DealRegistration.objects.none()
    serializer_class = DealSerializer
    filterset_class = DealFilter

    def get_queryset(self) -> QuerySet[DealRegistration]:
        return deals_visible_to(self.request.user).prefetch_related("products").order_by("pk")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return DealCreateSerializer if self.action == "create" else DealSerializer

    def _fresh(self, registration: DealRegistration) -> dict[str, Any]:
        return DealSerializer(self.get_queryset().get(pk=registration.pk)).data

    @extend_schema(request=DealCreateSerializer, responses={201: DealSerializer})
    def create(self, request: Request) -> Response:
        return idempotent(request, lambda: self._register(request))

    def _register(self, request: Request) -> Response:
        data = DealCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        if not user.is_partner_user:
            raise PermissionDenied  # the partner registers; the vendor decides
        partner = user.partner
        form = RegistrationForm(
            _form_data(values), instance=DealRegistration(partner=partner), partner=partner
        )
        if not form.is_valid():
            raise serializers.ValidationError(_form_errors(form))
        with transaction.atomic():
            registration = form.save(commit=False)
            registration_save(registration, user=user, products=form.cleaned_data["products"])
            if values["submit"]:
                registration = registration_submit(registration, user=user)
        return Response(self._fresh(registration), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        registration = registration_submit(self.get_object(), user=request.user)
        return Response(self._fresh(registration))

    def _decide(self, request: Request, decide: Any) -> Response:
        data = DealReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = decide(
            self.get_object(), actor=request.user, reason=data.validated_data.get("reason", "")
        )
        return Response(self._fresh(registration))

    @extend_schema(request=DealReasonSerializer, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve and protect; a possible conflict needs a reason."""
        return self._decide(request, registration_approve)

    @extend_schema(request=DealReasonSerializer, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Reject, with a reason; the next registration in line takes the customer."""
        return self._decide(request, registration_reject)

    @extend_schema(request=DealReasonSerializer, responses=DealSerializer)
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request: Request, pk: str) -> Response:
        """Send back to the partner for more information, saying what is missing."""
        return self._decide(request, registration_request_info)

    @extend_schema(request=DealCheckSerializer, responses=DealCheckResultSerializer)
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def check(self, request: Request) -> Response:
        """The duplicate check on a customer, before registering it; nothing is stored."""
        data = DealCheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = request.user
        exclude = values.pop("exclude", None)
        if exclude is not None and deal_get_visible(user=user, pk=exclude) is None:
            raise serializers.ValidationError(
                {"exclude": [_("No registration %(id)s here.") % {"id": exclude}]}
            )
        if user.is_partner_user:
            self._may_check(user)
        probe = Probe.of(**values, exclude_pk=exclude)
        candidates = find_conflicts(probe)
        partner_id = user.partner_id if user.is_partner_user else 0
        notice = partner_notice(candidates, partner_id=partner_id)
        return Response(
            DealCheckResultSerializer(
                {
                    "checked": not probe.empty,
                    "verdict": notice.verdict if notice else None,
                    "matched": list(notice.matched) if notice else [],
                    "message": notice.message if notice else "",
                    "own": own_duplicates(candidates, partner_id=partner_id) if partner_id else [],
                    "candidates": [] if partner_id else self._named(candidates),
                }
            ).data
        )

    def _may_check(self, user: Any) -> None:
        """As in the portal: only a partner that may register asks, and at a person's pace (each
        answer tells whether a code or phone is someone's customer); the budget is the portal's,
        per user, so the API adds nothing to it."""
        blockers = deal_register_blockers(user.partner)
        if blockers:
            raise serializers.ValidationError(blockers)
        if not rate_take(f"deals:check:{user.pk}", limit=CHECKS_PER_MINUTE, window_seconds=60):
            raise exceptions.Throttled(detail=_("Too many checks; wait a minute."))

    def _named(self, candidates: list[Candidate]) -> list[dict[str, Any]]:
        """The engine's candidates for vendor staff; a partner the key may not see is not named
        (a channel manager sees his own partners only), as on the vendor's pages."""
        owners = [_owner(c) for c in candidates]
        seen = set(
            partners_visible_to(self.request.user)
            .filter(pk__in={pk for pk in owners if pk is not None})
            .values_list("pk", flat=True)
        )
        rows = []
        for c, owner in zip(candidates, owners, strict=True):
            shown = owner in seen
            rows.append(
                {
                    "source": c.source,
                    "verdict": c.verdict,
                    "score": c.score,
                    "matched": list(c.matched),
                    "registration": c.registration.pk if c.registration and shown else None,
                    "registration_number": c.registration.number
                    if c.registration and shown
                    else None,
                    "partner": owner if shown else None,
                    "account": c.account.name if c.account else None,
                }
            )
        return rows
