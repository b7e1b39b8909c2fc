"""Partner applications (招募): a company applies on the public /join/ page, vendor staff review it,
and approval turns it into an active Partner."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.credit_code import normalize_credit_code, validate_credit_code
from partners.models import Partner, PartnerType, Region
from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin, StatusChange

from .names import normalize_name


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    ApplicationStatus.SUBMITTED: {ApplicationStatus.IN_REVIEW},
    ApplicationStatus.IN_REVIEW: {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED},
    ApplicationStatus.APPROVED: set(),
    ApplicationStatus.REJECTED: set(),
}


class PartnerApplication(AuditReasonMixin, models.Model):
    number = models.CharField(_("application no."), max_length=32, unique=True, editable=False)
    legal_name = models.CharField(_("legal name (Chinese)"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        db_index=True,
        validators=[validate_credit_code],
    )
    partner_type = models.CharField(_("partner type"), max_length=16, choices=PartnerType.choices)
    province = models.ForeignKey(
        Region,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Region.Level.PROVINCE},
    )
    city = models.ForeignKey(
        Region,
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Region.Level.CITY},
    )
    business_scope = models.TextField(_("business scope"), max_length=2000)
    address = models.CharField(_("address"), max_length=300)
    contact_name = models.CharField(_("contact name"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=32)
    contact_email = models.EmailField(_("contact email"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        editable=False,
        db_index=True,
    )
    reject_reason = models.TextField(_("rejection reason"), blank=True, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        editable=False,
    )
    # Kept on save so similar names are found with one trigram query (see names.py).
    name_key = models.CharField(_("name key"), max_length=200, db_index=True, editable=False)
    submitted_ip = models.GenericIPAddressField(_("submitted from IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("partner application")
        verbose_name_plural = _("partner applications")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.display_name}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.credit_code = normalize_credit_code(self.credit_code or "")
        self.name_key = normalize_name(self.legal_name)[:200]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "legal_name" in update_fields:  # type: ignore[operator]
            kwargs["update_fields"] = {*update_fields, "name_key"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def display_name(self) -> str:
        return pick(self.legal_name, self.name_en)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.credit_code = normalize_credit_code(self.credit_code or "")
        city = self.city if self.city_id else None
        if city is not None and self.province_id and city.parent_id != self.province_id:
            raise ValidationError({"city": _("This city is not in the chosen province.")})


class ApplicationStatusChange(StatusChange):
    status_labels = dict(ApplicationStatus.choices)

    application = models.ForeignKey(
        PartnerApplication,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("application"),
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("application status change")
        verbose_name_plural = _("application status changes")


def document_path(instance: ApplicationDocument, filename: str) -> str:
    # A random name: the applicant's own file name is kept in `original_name`, never in paths.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"recruitment/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


class ApplicationDocument(models.Model):
    class Kind(models.TextChoices):
        BUSINESS_LICENSE = "business_license", _("Business licence")
        QUALIFICATION = "qualification", _("Qualification")
        OTHER = "other", _("Other")

    application = models.ForeignKey(
        PartnerApplication,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"
