"""A partner's registration (客户报备) of one end-customer opportunity, and its status history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.credit_code import validate_credit_code
from prm.core.models import AuditReasonMixin, StatusChange
from prm.core.money import MoneyField

from ..keys import domain_key, email_domain_key, normalize_name, phone_key


class DealStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    MORE_INFO = "more_info", _("More information needed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    EXPIRED = "expired", _("Expired")


DEAL_TRANSITIONS: dict[str, set[str]] = {
    DealStatus.DRAFT: {DealStatus.SUBMITTED},
    DealStatus.SUBMITTED: {
        DealStatus.APPROVED,
        DealStatus.REJECTED,
        DealStatus.MORE_INFO,
        DealStatus.EXPIRED,
    },
    DealStatus.MORE_INFO: {DealStatus.SUBMITTED, DealStatus.REJECTED, DealStatus.EXPIRED},
    DealStatus.APPROVED: {DealStatus.WON, DealStatus.LOST, DealStatus.EXPIRED},
    DealStatus.REJECTED: set(),
    DealStatus.WON: set(),
    DealStatus.LOST: set(),
    DealStatus.EXPIRED: set(),
}
# Statuses in which a registration may hold the customer (`holds_claim`).
CLAIM_STATUSES = (DealStatus.SUBMITTED, DealStatus.MORE_INFO, DealStatus.APPROVED, DealStatus.WON)
# Statuses still in the pipeline (forecast, queue).
OPEN_STATUSES = (DealStatus.SUBMITTED, DealStatus.MORE_INFO, DealStatus.APPROVED)


class DealStage(models.TextChoices):
    """Sales stage of an open opportunity; the number is its default win probability (%)."""

    QUALIFICATION = "qualification", pgettext_lazy("deal stage", "Qualification")
    NEEDS_ANALYSIS = "needs_analysis", _("Needs analysis")
    PROPOSAL = "proposal", _("Proposal / quote")
    NEGOTIATION = "negotiation", _("Negotiation")


STAGE_PROBABILITY = {
    DealStage.QUALIFICATION: 10,
    DealStage.NEEDS_ANALYSIS: 25,
    DealStage.PROPOSAL: 50,
    DealStage.NEGOTIATION: 75,
}


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    RETAIL = "retail", _("Retail and consumer")
    FINANCE = "finance", _("Finance and insurance")
    GOVERNMENT = "government", _("Government and public sector")
    EDUCATION = "education", _("Education")
    HEALTHCARE = "healthcare", _("Healthcare")
    ENERGY = "energy", _("Energy and utilities")
    TELECOM = "telecom", _("Telecom and internet")
    LOGISTICS = "logistics", _("Transport and logistics")
    REAL_ESTATE = "real_estate", _("Real estate and construction")
    OTHER = "other", _("Other")


class DealRegistration(AuditReasonMixin, models.Model):
    number = models.CharField(_("registration no."), max_length=32, unique=True, editable=False)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="deal_registrations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DealStatus.choices,
        default=DealStatus.DRAFT,
        editable=False,
        db_index=True,
    )

    # End customer.
    customer_name = models.CharField(_("customer company name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, if you know it: it identifies the company beyond doubt."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.ForeignKey(
        "partners.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    industry = models.CharField(_("industry"), max_length=16, choices=Industry.choices)
    website = models.CharField(_("website"), max_length=200, blank=True)
    phone = models.CharField(_("company phone"), max_length=32, blank=True)
    contact_name = models.CharField(_("contact"), max_length=100)
    contact_title = models.CharField(_("contact's title"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    # Opportunity.
    title = models.CharField(_("opportunity"), max_length=200)
    product_line = models.ForeignKey(
        "partners.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    products = models.ManyToManyField(
        "orders.Product", verbose_name=_("products"), blank=True, related_name="+"
    )
    estimated_amount = MoneyField(
        _("estimated amount"), validators=[MinValueValidator(0)], default=0
    )
    expected_close_date = models.DateField(_("expected close date"))
    stage = models.CharField(
        _("stage"), max_length=16, choices=DealStage.choices, default=DealStage.QUALIFICATION
    )
    description = models.TextField(_("what the customer needs"), blank=True)

    # Match keys, kept on save (see keys.py); indexed for the conflict engine.
    name_key = models.CharField(_("name key"), max_length=200, editable=False)
    website_domain = models.CharField(max_length=200, blank=True, editable=False)
    email_domain = models.CharField(max_length=200, blank=True, editable=False)
    phone_key = models.CharField(max_length=32, blank=True, editable=False)
    contact_phone_key = models.CharField(max_length=32, blank=True, editable=False)

    # Claim and protection.
    submitted_at = models.DateTimeField(
        _("registered at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The database clock at first submission, to the microsecond."),
    )
    holds_claim = models.BooleanField(
        _("holds the customer"),
        default=False,
        editable=False,
        help_text=_("The first registration of this customer; later ones are conflicts."),
    )
    has_conflict = models.BooleanField(_("conflict"), default=False, editable=False)
    approval_due_at = models.DateTimeField(_("decision due"), null=True, blank=True)
    approval_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    approval_escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    answer_due_on = models.DateField(
        _("partner answers by"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When more information was asked: it expires if not answered by then."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    protection_ends = models.DateField(_("protected until"), null=True, blank=True, db_index=True)
    protection_reminded_on = models.DateField(null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    lead = models.OneToOneField(
        "deal_registration.Lead",
        verbose_name=_("from lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registration",
    )
    orders = models.ManyToManyField(
        "orders.Order", verbose_name=_("fulfilling orders"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("deal registration")
        verbose_name_plural = _("deal registrations")
        ordering = ["-created_at", "-pk"]
        indexes = [
            GinIndex(OpClass("name_key", name="gin_trgm_ops"), name="deal_reg_name_trgm"),
            models.Index(fields=["credit_code"], name="deal_reg_credit_code"),
            models.Index(fields=["website_domain"], name="deal_reg_website"),
            models.Index(fields=["email_domain"], name="deal_reg_email_domain"),
            models.Index(fields=["phone_key"], name="deal_reg_phone"),
            models.Index(fields=["contact_phone_key"], name="deal_reg_contact_phone"),
        ]
        constraints = [
            # The database's last word on "exactly one holder": one claim per credit code.
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=Q(holds_claim=True) & ~Q(credit_code=""),
                name="deal_reg_one_claim_per_credit_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.customer_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = normalize_name(self.customer_name)[:200]
        self.website_domain = domain_key(self.website)
        self.email_domain = email_domain_key(self.contact_email)
        self.phone_key = phone_key(self.phone)
        self.contact_phone_key = phone_key(self.contact_phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                "name_key",
                "website_domain",
                "email_domain",
                "phone_key",
                "contact_phone_key",
            }
        super().save(*args, **kwargs)

    @property
    def probability(self) -> int:
        if self.status == DealStatus.WON:
            return 100
        if self.status not in OPEN_STATUSES:
            return 0
        return STAGE_PROBABILITY.get(DealStage(self.stage), 0)


class DealRegistrationStatusChange(StatusChange):
    status_labels = dict(DealStatus.choices)

    registration = models.ForeignKey(
        DealRegistration, on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("deal registration status change")
        verbose_name_plural = _("deal registration status changes")
