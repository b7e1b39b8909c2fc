"""The partner record and what hangs directly on it: tiers, territories, product lines,
contacts, qualifications, program settings. Recruitment, agreements, scorecards and onboarding
live in their own sub-apps under `partners/`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin, StatusChange
from prm.core.money import MoneyField

from .credit_code import validate_credit_code


class PartnerType(models.TextChoices):
    DISTRIBUTOR = "distributor", _("Distributor")
    DEALER = "dealer", _("Dealer")
    AGENT = "agent", _("Agent")
    RESELLER = "reseller", _("Reseller")
    SERVICE = "service", _("Service partner")


class PartnerStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


PARTNER_TRANSITIONS: dict[str, set[str]] = {
    PartnerStatus.APPLIED: {PartnerStatus.ACTIVE, PartnerStatus.TERMINATED},
    PartnerStatus.ACTIVE: {PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED},
    PartnerStatus.SUSPENDED: {PartnerStatus.ACTIVE, PartnerStatus.TERMINATED},
    PartnerStatus.TERMINATED: set(),
}


class Tier(AuditReasonMixin, models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64)
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("Higher rank is a better tier.")
    )
    min_score = models.DecimalField(
        _("minimum score"),
        max_digits=6,
        decimal_places=2,
        default=0,
        help_text=_("Scorecard points (0-100) a partner needs for this tier."),
    )

    class Meta:
        verbose_name = _("program tier")
        verbose_name_plural = _("program tiers")
        ordering = ["-rank"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_en)


class Region(models.Model):
    """Province / city hierarchy for territories (GB/T 2260 codes where known)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_en)


class ProductLine(models.Model):
    """What a partner is authorized to sell; the ordering mall maps products onto lines."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_en)


class Partner(AuditReasonMixin, models.Model):
    name = models.CharField(_("legal name"), max_length=200, db_index=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
    )
    partner_type = models.CharField(
        _("type"), max_length=16, choices=PartnerType.choices, default=PartnerType.DEALER
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PartnerStatus.choices,
        default=PartnerStatus.APPLIED,
        editable=False,
        db_index=True,
    )
    tier = models.ForeignKey(
        Tier,
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partners",
    )
    region = models.CharField(_("province / region"), max_length=64, db_index=True)
    city = models.CharField(_("city"), max_length=64, blank=True)
    channel_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("channel manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_partners",
        limit_choices_to={"role": "channel_manager"},
    )
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    business_scope = models.TextField(_("business scope"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    territories = models.ManyToManyField(
        Region, verbose_name=_("territories"), blank=True, related_name="partners"
    )
    product_lines = models.ManyToManyField(
        ProductLine,
        verbose_name=_("authorized product lines"),
        blank=True,
        related_name="partners",
    )
    credit_limit = MoneyField(_("credit limit"), default=0)
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=0, help_text=_("0 means payment before delivery.")
    )
    # Set on termination: wallet, credit and rebate balances wait for the final settlement.
    balances_frozen = models.BooleanField(_("balances frozen"), default=False, editable=False)
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True, editable=False)
    protection_release_at = models.DateTimeField(
        _("deal protection released at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Open deal registrations lose protection at this moment after termination."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_en)


class PartnerStatusChange(StatusChange):
    status_labels = dict(PartnerStatus.choices)

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("partner")
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("partner status change")
        verbose_name_plural = _("partner status changes")


class PartnerContact(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name


def qualification_path(instance: Qualification, filename: str) -> str:
    return f"partners/{instance.partner_id}/qualifications/{filename}"


class Qualification(AuditReasonMixin, models.Model):
    """A licence or certificate the vendor requires (营业执照, 行业资质...), with its expiry."""

    class Kind(models.TextChoices):
        BUSINESS_LICENSE = "business_license", _("Business licence")
        INDUSTRY = "industry", _("Industry qualification")
        AUTHORIZATION = "authorization", _("Brand authorization")
        OTHER = "other", _("Other")

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("partner")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("certificate no."), max_length=64, blank=True)
    document = models.FileField(_("document"), upload_to=qualification_path, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    reminded_on = models.DateField(_("expiry reminder sent on"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["expires_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()


class ProgramSettings(models.Model):
    """One row per vendor: how its partner program behaves."""

    tier_auto_apply = models.BooleanField(
        _("apply tier changes automatically"),
        default=False,
        help_text=_("Otherwise the nightly evaluation proposes changes for approval."),
    )
    termination_grace_days = models.PositiveSmallIntegerField(
        _("protection grace after termination (days)"), default=30
    )
    expiry_reminder_days = models.PositiveSmallIntegerField(
        _("remind this many days before documents expire"), default=30
    )
    application_approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("application approvers"),
        blank=True,
        related_name="+",
        help_text=_("Empty means every vendor admin and channel manager."),
    )

    class Meta:
        verbose_name = _("program settings")
        verbose_name_plural = _("program settings")

    def __str__(self) -> str:
        return str(_("Program settings"))

    @classmethod
    def current(cls) -> ProgramSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row
