"""Partner agreements (合作协议): vendor templates with variables, issued to a partner as a PDF
whose SHA-256 is recorded, signed electronically in the partner portal, renewed as new versions.

The issued PDF is never rewritten: the hash recorded when it was issued is the hash the partner
signs, and `agreement_verify` recomputes it from the stored file at any time.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, PartnerType
from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin, StatusChange
from prm.core.money import MoneyField


class AgreementTemplate(AuditReasonMixin, models.Model):
    """The text vendors keep in the admin. Editing the title or body raises its version."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    partner_type = models.CharField(
        _("partner type"),
        max_length=16,
        choices=PartnerType.choices,
        blank=True,
        help_text=_("Empty means every partner type."),
    )
    title = models.CharField(
        _("document title"),
        max_length=200,
        help_text=_("Printed at the top of the PDF, e.g. 经销商合作协议."),
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Paragraphs separated by a blank line; a paragraph starting with '# ' is a heading. "
            "Variables: {{ vendor_name }}, {{ partner.name }}, {{ partner.credit_code }}, "
            "{{ partner.address }}, {{ partner_type }}, {{ tier }}, {{ territory }}, "
            "{{ product_lines }}, {{ term_start }}, {{ term_end }}, {{ purchase_target }}, "
            "{{ currency }}, {{ incentive_terms }}, {{ credit_limit }}, "
            "{{ payment_terms_days }}, {{ number }}, {{ version }}."
        ),
    )
    default_term_months = models.PositiveSmallIntegerField(_("default term (months)"), default=12)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("agreement template")
        verbose_name_plural = _("agreement templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.display_name} (v{self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Agreements already issued keep their own PDF; a changed text is a new version.
        if self.pk:
            before = type(self).objects.filter(pk=self.pk).values("title", "body").first()
            if before and (before["title"], before["body"]) != (self.title, self.body):
                self.version += 1
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from .rendering import body_check

        body_check(self.body)

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_en)


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Awaiting signature")
    SIGNED = "signed", _("Signed")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded by renewal")
    TERMINATED = "terminated", _("Terminated")
    VOIDED = "voided", _("Voided")


AGREEMENT_TRANSITIONS: dict[str, set[str]] = {
    AgreementStatus.DRAFT: {AgreementStatus.ISSUED, AgreementStatus.VOIDED},
    AgreementStatus.ISSUED: {
        AgreementStatus.SIGNED,
        AgreementStatus.VOIDED,
        AgreementStatus.EXPIRED,
    },
    AgreementStatus.SIGNED: {
        AgreementStatus.EXPIRED,
        AgreementStatus.SUPERSEDED,
        AgreementStatus.TERMINATED,
    },
    AgreementStatus.EXPIRED: set(),
    AgreementStatus.SUPERSEDED: set(),
    AgreementStatus.TERMINATED: set(),
    AgreementStatus.VOIDED: set(),
}
# What a partner user may see: drafts are the vendor's working copies.
PARTNER_VISIBLE_STATUSES = [s for s in AgreementStatus.values if s != AgreementStatus.DRAFT]
# An agreement that still binds (or is about to), so a second renewal of it is refused.
OPEN_STATUSES = [AgreementStatus.DRAFT, AgreementStatus.ISSUED, AgreementStatus.SIGNED]


def agreement_pdf_path(instance: Agreement, filename: str) -> str:
    return f"partners/{instance.partner_id}/agreements/{filename}"


class Agreement(AuditReasonMixin, models.Model):
    number = models.CharField(_("agreement no."), max_length=32, unique=True, editable=False)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("1 for a first agreement; +1 per renewal."),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("partner")
    )
    template = models.ForeignKey(
        AgreementTemplate,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("template"),
    )
    template_version = models.PositiveIntegerField(_("template version"), editable=False)
    renewal_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renews"),
        editable=False,
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AgreementStatus.choices,
        default=AgreementStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    # The variables the template is rendered with.
    territory = models.CharField(_("territory"), max_length=500, blank=True)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"), db_index=True)
    purchase_target = MoneyField(_("annual purchase target"), default=0)
    incentive_terms = models.TextField(_("incentive terms"), blank=True)
    # The issued document.
    pdf = models.FileField(_("PDF"), upload_to=agreement_pdf_path, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True, editable=False)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # The electronic signature.
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    signer_name = models.CharField(_("typed name"), max_length=100, blank=True, editable=False)
    signer_ip = models.GenericIPAddressField(_("signer IP"), null=True, blank=True, editable=False)
    signer_user_agent = models.CharField(
        _("signer user agent"), max_length=400, blank=True, editable=False
    )
    signed_sha256 = models.CharField(_("SHA-256 signed"), max_length=64, blank=True, editable=False)
    consent_text = models.TextField(_("consent given"), blank=True, editable=False)
    reminded_on = models.DateField(
        _("expiry reminder sent on"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gte=models.F("term_start")),
                name="agreement_term_end_after_start",
            ),
            # One renewal per agreement (a voided one does not count), even when two managers
            # click at once: versions form a chain, never a fork.
            models.UniqueConstraint(
                fields=["renewal_of"],
                condition=~Q(status="voided"),
                name="agreement_one_renewal",
                violation_error_message=_("This agreement has already been renewed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} v{self.version}"

    @property
    def is_signed(self) -> bool:
        return self.status == AgreementStatus.SIGNED


class AgreementStatusChange(StatusChange):
    status_labels = dict(AgreementStatus.choices)

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("agreement"),
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("agreement status change")
        verbose_name_plural = _("agreement status changes")
