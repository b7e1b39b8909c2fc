"""Vendor-owned leads (线索) offered to partners one at a time, and each offer's answer."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.core.models import AuditReasonMixin, StatusChange
from prm.core.money import MoneyField

from .registrations import Industry


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    UNROUTED = "unrouted", _("No partner available")
    CONVERTED = "converted", _("Won")
    LOST = "lost", _("Lost")
    CLOSED = "closed", _("Closed")


LEAD_TRANSITIONS: dict[str, set[str]] = {
    LeadStatus.NEW: {LeadStatus.OFFERED, LeadStatus.UNROUTED, LeadStatus.CLOSED},
    LeadStatus.OFFERED: {
        LeadStatus.OFFERED,
        LeadStatus.ACCEPTED,
        LeadStatus.UNROUTED,
        LeadStatus.CLOSED,
    },
    LeadStatus.UNROUTED: {LeadStatus.OFFERED, LeadStatus.CLOSED},
    LeadStatus.ACCEPTED: {LeadStatus.CONVERTED, LeadStatus.LOST, LeadStatus.CLOSED},
    LeadStatus.CONVERTED: set(),
    LeadStatus.LOST: set(),
    LeadStatus.CLOSED: set(),
}


class Lead(AuditReasonMixin, models.Model):
    number = models.CharField(_("lead no."), max_length=32, unique=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=LeadStatus.choices,
        default=LeadStatus.NEW,
        editable=False,
        db_index=True,
    )
    company_name = models.CharField(_("company name"), max_length=200)
    region = models.ForeignKey(
        "partners.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    industry = models.CharField(_("industry"), max_length=16, choices=Industry.choices)
    product_line = models.ForeignKey(
        "partners.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact_name = models.CharField(_("contact"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    estimated_amount = MoneyField(
        _("estimated amount"), validators=[MinValueValidator(0)], default=0
    )
    need = models.TextField(_("what the customer asked for"))
    source = models.CharField(
        _("source"), max_length=100, blank=True, help_text=_("e.g. trade fair, website, hotline")
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        editable=False,
        help_text=_("The partner the lead is offered to or was accepted by."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.company_name}"


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Waiting for answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("No answer in time")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LeadOffer(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="offers")
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    offered_at = models.DateTimeField(_("offered at"), auto_now_add=True)
    respond_by = models.DateTimeField(_("answer due"))
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("lead offer")
        verbose_name_plural = _("lead offers")
        ordering = ["-offered_at", "-pk"]
        constraints = [
            # A lead waits on one partner at a time.
            models.UniqueConstraint(
                fields=["lead"],
                condition=models.Q(status="offered"),
                name="lead_one_open_offer",
            ),
            models.UniqueConstraint(fields=["lead", "partner"], name="lead_offered_once"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.partner_id} ({self.status})"


class LeadStatusChange(StatusChange):
    status_labels = dict(LeadStatus.choices)

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("lead status change")
        verbose_name_plural = _("lead status changes")
