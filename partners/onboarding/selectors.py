"""Reads for onboarding: progress, the feature gates, and the vendor's list of partners to chase."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import Partner, PartnerStatus
from partners.selectors import partners_visible_to
from prm.core.bilingual import pick

from .models import OnboardingStep, OnboardingStepTemplate, StepKind, StepStatus

FEATURES = ("ordering", "deal_registration")
_GATE_FIELD = {"ordering": "gates_ordering", "deal_registration": "gates_deal_registration"}


@dataclass(frozen=True)
class OnboardingProgress:
    """`done` counts resolved steps (done or waived); so does `required_done`."""

    done: int
    total: int
    required_done: int
    required_total: int
    steps: list[OnboardingStep] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def started(self) -> bool:
        return self.total > 0

    @property
    def required_complete(self) -> bool:
        return self.required_done == self.required_total

    @property
    def complete(self) -> bool:
        return self.done == self.total


def onboarding_steps(partner: Partner | int) -> QuerySet[OnboardingStep]:
    partner_id = partner if isinstance(partner, int) else partner.pk
    return (
        OnboardingStep.objects.filter(partner_id=partner_id)
        .select_related("template", "done_by")
        .order_by("template__position", "template_id")
    )


def onboarding_progress(partner: Partner | int) -> OnboardingProgress:
    """One query: the checklist and its counts."""
    steps = list(onboarding_steps(partner))
    required = [s for s in steps if s.template.required]
    return OnboardingProgress(
        done=sum(1 for s in steps if not s.is_pending),
        total=len(steps),
        required_done=sum(1 for s in required if not s.is_pending),
        required_total=len(required),
        steps=steps,
    )


def _blocker_message(feature: str, title: str) -> str:
    if feature == "ordering":
        return _("%(step)s before ordering.") % {"step": title}
    return _("%(step)s before registering deals.") % {"step": title}


def feature_blockers(partner: Partner | int, feature: str) -> list[str]:
    """One message per pending required step gating `feature`, in the reader's language.

    `feature` is "ordering" or "deal_registration"; an empty list means the feature is open (as
    far as onboarding goes: partner status is checked by the partner services). One query.
    """
    if feature not in _GATE_FIELD:
        raise ValueError(f"unknown feature {feature!r}; expected one of {FEATURES}")
    partner_id = partner if isinstance(partner, int) else partner.pk
    titles = (
        OnboardingStep.objects.filter(
            partner_id=partner_id,
            status=StepStatus.PENDING,
            template__required=True,
            **{f"template__{_GATE_FIELD[feature]}": True},
        )
        .order_by("template__position", "template_id")
        .values_list("template__title", "template__title_en")
    )
    return [_blocker_message(feature, pick(zh, en)) for zh, en in titles]


def blockers_from_steps(steps: list[OnboardingStep]) -> dict[str, list[str]]:
    """Both gates from an already loaded checklist (`onboarding_progress(...).steps`): no query."""
    return {
        feature: [
            _blocker_message(feature, s.template.display_title)
            for s in steps
            if s.is_pending and s.template.required and getattr(s.template, _GATE_FIELD[feature])
        ]
        for feature in FEATURES
    }


def onboarding_summary(partner: Partner | int) -> dict[str, Any]:
    """What the portal card and the vendor panel show, in one query:
    {"progress": OnboardingProgress, "blockers": {"ordering": [...], "deal_registration": [...]}}.
    """
    progress = onboarding_progress(partner)
    return {"progress": progress, "blockers": blockers_from_steps(progress.steps)}


# --- what the partner should do next -------------------------------------------------------------

# Where in the portal each kind of step is done. Names not wired yet (agreements, academy) are
# looked up at run time, so the link appears as soon as that page exists.
_ACTION_URLS = {
    StepKind.SIGN_AGREEMENT: "portal_agreements:list",
    StepKind.UPLOAD_QUALIFICATION: "portal_partners:company",
    StepKind.COMPLETE_COURSE: "portal_academy:list",
    StepKind.INVITE_USERS: "portal_partners:users",
}
_HINTS = {
    StepKind.SIGN_AGREEMENT: gettext_lazy(
        "Read and sign the partner agreement under Agreements in the portal."
    ),
    StepKind.UPLOAD_QUALIFICATION: gettext_lazy(
        "Upload a scan of your business licence on the My company page."
    ),
    StepKind.COMPLETE_COURSE: gettext_lazy(
        "Finish the required courses in the academy; "
        "the step completes itself once they are passed."
    ),
    StepKind.INVITE_USERS: gettext_lazy(
        "Invite the colleagues who will order and register deals on the Team page."
    ),
    StepKind.CUSTOM: gettext_lazy("Your channel manager will confirm this step."),
}


def step_action_url(kind: str) -> str:
    name = _ACTION_URLS.get(kind)  # type: ignore[call-overload]
    if not name:
        return ""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def step_hint(step: OnboardingStep) -> str:
    return step.template.display_description or str(_HINTS.get(step.template.kind, ""))  # type: ignore[call-overload]


# --- the vendor's list of partners still onboarding ----------------------------------------------


def onboarding_step_get_visible(*, user: Any, pk: int) -> OnboardingStep | None:
    return (
        OnboardingStep.objects.filter(pk=pk, partner__in=partners_visible_to(user))
        .select_related("template", "partner", "partner__channel_manager", "done_by")
        .first()
    )


def partners_onboarding(user: Any) -> QuerySet[Partner]:
    """Visible, not terminated partners with a pending required step, pending steps prefetched."""
    pending_required = Q(
        onboarding_steps__status=StepStatus.PENDING, onboarding_steps__template__required=True
    )
    pending = (
        OnboardingStep.objects.filter(status=StepStatus.PENDING)
        .select_related("template")
        .order_by("template__position", "template_id")
    )
    return (
        partners_visible_to(user)
        .exclude(status=PartnerStatus.TERMINATED)
        .annotate(
            pending_required=Count("onboarding_steps", filter=pending_required),
            steps_total=Count("onboarding_steps", distinct=True),
        )
        .filter(pending_required__gt=0)
        .prefetch_related(Prefetch("onboarding_steps", queryset=pending, to_attr="pending_steps"))
        .order_by("-created_at", "pk")
    )


class OnboardingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    status = django_filters.ChoiceFilter(
        choices=[c for c in PartnerStatus.choices if c[0] != PartnerStatus.TERMINATED],
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All"),
    )
    step = django_filters.ModelChoiceFilter(
        queryset=OnboardingStepTemplate.objects.all(),
        method="pending_step",
        label=gettext_lazy("Pending step"),
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = Partner
        fields = ["status"]

    def pending_step(
        self, qs: QuerySet[Partner], name: str, value: OnboardingStepTemplate
    ) -> QuerySet[Partner]:
        steps = OnboardingStep.objects.filter(template=value, status=StepStatus.PENDING)
        return qs.filter(pk__in=steps.values("partner_id"))

    def search(self, qs: QuerySet[Partner], name: str, value: str) -> QuerySet[Partner]:
        return qs.filter(Q(name__icontains=value) | Q(name_en__icontains=value))
