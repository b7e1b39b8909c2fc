"""How long a registration is protected, and partners' requests to extend it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.core.models import AuditReasonMixin


class DealRules(AuditReasonMixin, models.Model):
    """The vendor's deal-registration rules: one row per tenant (`DealRules.current()`)."""

    protection_days = models.PositiveSmallIntegerField(
        _("protection period (days)"), default=90, validators=[MinValueValidator(1)]
    )
    approval_sla_hours = models.PositiveSmallIntegerField(
        _("decision due within (hours)"), default=48, validators=[MinValueValidator(1)]
    )
    expiry_reminder_days = models.PositiveSmallIntegerField(
        _("remind partners before protection ends (days)"), default=14
    )
    more_info_days = models.PositiveSmallIntegerField(
        _("partners answer a request for information within (days)"),
        default=14,
        validators=[MinValueValidator(1)],
        help_text=_("A registration not answered by then expires and frees its customer."),
    )
    max_extension_days = models.PositiveSmallIntegerField(
        _("longest extension (days)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    lead_response_hours = models.PositiveSmallIntegerField(
        _("partners answer a lead within (hours)"), default=48, validators=[MinValueValidator(1)]
    )
    lead_capacity = models.PositiveSmallIntegerField(
        _("open leads per partner"),
        default=5,
        help_text=_("Leads offered or accepted but not yet registered; tiers may differ."),
    )

    class Meta:
        verbose_name = _("deal registration rules")
        verbose_name_plural = _("deal registration rules")

    def __str__(self) -> str:
        return str(_("Deal registration rules"))

    @classmethod
    def current(cls) -> DealRules:
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules


class TierDealRules(AuditReasonMixin, models.Model):
    """A tier's own protection period and lead capacity (e.g. gold partners: 120 days)."""

    tier = models.OneToOneField(
        "partners.Tier", verbose_name=_("tier"), on_delete=models.CASCADE, related_name="+"
    )
    protection_days = models.PositiveSmallIntegerField(
        _("protection period (days)"), validators=[MinValueValidator(1)]
    )
    lead_capacity = models.PositiveSmallIntegerField(
        _("open leads per partner"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("tier deal rules")
        verbose_name_plural = _("tier deal rules")
        ordering = ["tier__rank"]

    def __str__(self) -> str:
        return str(self.tier)


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ProtectionExtension(AuditReasonMixin, models.Model):
    registration = models.ForeignKey(
        "deal_registration.DealRegistration",
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    days = models.PositiveSmallIntegerField(
        _("extra days"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    reason = models.TextField(_("why"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
        editable=False,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("protection extension")
        verbose_name_plural = _("protection extensions")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=models.Q(status="pending"),
                name="one_pending_extension",
            )
        ]

    def __str__(self) -> str:
        return f"+{self.days}d ({self.get_status_display()})"
