"""Onboarding (入驻) checklists: what a new partner must do, and which features each step gates.

The vendor keeps step templates; every partner gets one step per matching active template when
onboarding starts. Pending required steps gate ordering and deal registration (see selectors).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, PartnerType
from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin, StatusChange


class StepKind(models.TextChoices):
    SIGN_AGREEMENT = "sign_agreement", _("Sign an agreement")
    UPLOAD_QUALIFICATION = "upload_qualification", _("Upload a qualification")
    COMPLETE_COURSE = "complete_course", _("Complete a course")
    INVITE_USERS = "invite_users", _("Invite users")
    CUSTOM = "custom", _("Custom")


class StepStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    WAIVED = "waived", _("Waived")


# Done and waived are final: a waived step stays waived even if the partner does it later.
STEP_TRANSITIONS: dict[str, set[str]] = {
    StepStatus.PENDING: {StepStatus.DONE, StepStatus.WAIVED},
    StepStatus.DONE: set(),
    StepStatus.WAIVED: set(),
}


class OnboardingStepTemplate(AuditReasonMixin, models.Model):
    partner_type = models.CharField(
        _("partner type"),
        max_length=16,
        choices=PartnerType.choices,
        blank=True,
        help_text=_("Empty means every partner type."),
    )
    code = models.SlugField(_("code"), max_length=48, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=StepKind.choices)
    title = models.CharField(_("title (Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    description = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    gates_ordering = models.BooleanField(
        _("gates ordering"), default=False, help_text=_("Partners cannot order until it is done.")
    )
    gates_deal_registration = models.BooleanField(
        _("gates deal registration"),
        default=False,
        help_text=_("Partners cannot register deals until it is done."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive templates are not added to new partners.")
    )

    class Meta:
        verbose_name = _("onboarding step template")
        verbose_name_plural = _("onboarding step templates")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return pick(self.title, self.title_en)

    @property
    def display_description(self) -> str:
        return pick(self.description, self.description_en)


class OnboardingStep(AuditReasonMixin, models.Model):
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="onboarding_steps",
        verbose_name=_("partner"),
    )
    template = models.ForeignKey(
        OnboardingStepTemplate,
        on_delete=models.PROTECT,
        related_name="steps",
        verbose_name=_("step"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=StepStatus.choices,
        default=StepStatus.PENDING,
        editable=False,
        db_index=True,
    )
    done_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("onboarding step")
        verbose_name_plural = _("onboarding steps")
        ordering = ["template__position", "template_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "template"], name="onboarding_step_once_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == StepStatus.PENDING


class OnboardingStepChange(StatusChange):
    status_labels = dict(StepStatus.choices)

    step = models.ForeignKey(
        OnboardingStep,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("onboarding step"),
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("onboarding step change")
        verbose_name_plural = _("onboarding step changes")
