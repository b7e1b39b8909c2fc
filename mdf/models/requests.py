"""What a partner proposes to spend market funds on (费用申请), and its approval trail."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin, StatusChange
from prm.core.money import MoneyField


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photos")
    ATTENDEES = "attendees", _("Attendee list")
    INVOICE = "invoice", _("Invoice")
    MATERIAL = "material", _("Printed or online material")
    REPORT = "report", _("Activity report")


class MdfActivityType(AuditReasonMixin, models.Model):
    """Exhibition, seminar, advertising…: what evidence its claims need."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    required_evidence = ArrayField(
        models.CharField(max_length=12, choices=EvidenceKind.choices),
        verbose_name=_("required evidence"),
        default=list,
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("market activity type")
        verbose_name_plural = _("market activity types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_en)


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for the channel manager")
    MANAGER_APPROVED = "manager_ok", _("Waiting for marketing")
    RETURNED = "returned", _("Sent back for changes")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    LAPSED = "lapsed", _("Lapsed: not claimed in time")


REQUEST_TRANSITIONS: dict[str, set[str]] = {
    RequestStatus.DRAFT: {RequestStatus.SUBMITTED, RequestStatus.CANCELLED},
    RequestStatus.RETURNED: {RequestStatus.SUBMITTED, RequestStatus.CANCELLED},
    RequestStatus.SUBMITTED: {
        RequestStatus.MANAGER_APPROVED,
        RequestStatus.APPROVED,
        RequestStatus.RETURNED,
        RequestStatus.REJECTED,
    },
    RequestStatus.MANAGER_APPROVED: {
        RequestStatus.APPROVED,
        RequestStatus.RETURNED,
        RequestStatus.REJECTED,
    },
    RequestStatus.APPROVED: {RequestStatus.CANCELLED, RequestStatus.LAPSED},
    RequestStatus.REJECTED: set(),
    RequestStatus.CANCELLED: set(),
    RequestStatus.LAPSED: set(),
}


class MdfRequest(AuditReasonMixin, models.Model):
    number = models.CharField(_("request no."), max_length=32, unique=True, editable=False)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="mdf_requests",
    )
    fund = models.ForeignKey(
        "mdf.MdfFund", verbose_name=_("fund"), on_delete=models.PROTECT, related_name="requests"
    )
    activity_type = models.ForeignKey(
        MdfActivityType,
        verbose_name=_("activity type"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RequestStatus.choices,
        default=RequestStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    title = models.CharField(_("activity"), max_length=200)
    starts_on = models.DateField(pgettext_lazy("date range", "from"))
    ends_on = models.DateField(pgettext_lazy("date range", "to"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    plan = models.TextField(_("plan"))
    expected_leads = models.PositiveIntegerField(_("expected leads"), default=0)
    expected_revenue = MoneyField(
        _("expected revenue"), default=0, validators=[MinValueValidator(0)]
    )
    requested_amount = MoneyField(_("requested"), default=0, editable=False)
    approved_amount = MoneyField(_("approved"), null=True, blank=True, editable=False)
    manager_amount = MoneyField(
        _("approved by the channel manager"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Reminders go out once each: proof still missing after the activity, claim deadline near.
    proof_reminded_on = models.DateField(null=True, blank=True, editable=False)
    claim_reminded_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("market fund request")
        verbose_name_plural = _("market fund requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def claim_deadline(self) -> date:
        """The last day a claim is accepted (in the vendor's calendar)."""
        return self.ends_on + timedelta(days=self.fund.claim_days)


class MdfRequestLine(models.Model):
    request = models.ForeignKey(MdfRequest, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("budget item"), max_length=200)
    amount = MoneyField(_("amount"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class MdfRequestStatusChange(StatusChange):
    status_labels = dict(RequestStatus.choices)

    request = models.ForeignKey(MdfRequest, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("market fund request status change")
        verbose_name_plural = _("market fund request status changes")
