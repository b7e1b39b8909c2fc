"""Program scorecards and tier evaluation (评级).

The vendor configures program-wide scorecard lines (`ScorecardCriterion`); each line reads one
metric for every partner over a rolling window. An evaluation run scores every active partner,
picks the best tier whose `Tier.min_score` the score reaches and, where that differs from the
partner's tier, writes a `TierProposal` that is applied at once or waits for approval.
`TierChange` rows are the partner's tier history.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.models import Partner, Tier
from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin, StatusChange

POSITIVE = MinValueValidator(Decimal("0.01"))


class Metric(models.TextChoices):
    ROLLING_PURCHASES = "rolling_purchases", _("Rolling purchases")
    COLLECTED_PAYMENTS = "collected_payments", _("Collected payments")
    CERTIFIED_STAFF = "certified_staff", _("Certified staff")
    DEALS_WON = "deals_won", _("Deals won")
    CUSTOM = "custom", _("Custom KPI")


class CustomKpi(AuditReasonMixin, models.Model):
    """A KPI the vendor records by hand (客户满意度, 培训场次...), valued per partner and date."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True, help_text=_("e.g. 分, %, 次"))

    class Meta:
        verbose_name = _("custom KPI")
        verbose_name_plural = _("custom KPIs")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_en)


class ScorecardCriterion(AuditReasonMixin, models.Model):
    """One scorecard line: points = weight / sum(weights) * 100 * min(value / target, 1)."""

    metric = models.CharField(_("metric"), max_length=24, choices=Metric.choices)
    kpi = models.ForeignKey(
        CustomKpi,
        verbose_name=_("custom KPI"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="criteria",
        help_text=_("Required when the metric is a custom KPI."),
    )
    target = models.DecimalField(
        _("target"), max_digits=18, decimal_places=2, validators=[POSITIVE]
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=7,
        decimal_places=2,
        validators=[POSITIVE],
        help_text=_("Relative: weights need not add up to 100."),
    )
    window_days = models.PositiveSmallIntegerField(
        _("window (days)"), default=365, validators=[MinValueValidator(1)]
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("scorecard criterion")
        verbose_name_plural = _("scorecard criteria")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(target__gt=0), name="criterion_target_positive"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(
                condition=(Q(metric="custom") & Q(kpi__isnull=False))
                | (~Q(metric="custom") & Q(kpi__isnull=True)),
                name="criterion_kpi_iff_custom",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.metric == Metric.CUSTOM and self.kpi_id is None:
            raise ValidationError({"kpi": _("Choose the custom KPI this line measures.")})
        if self.metric != Metric.CUSTOM and self.kpi_id is not None:
            raise ValidationError({"kpi": _("Only custom-KPI lines name a KPI.")})

    @property
    def label(self) -> str:
        if self.metric == Metric.CUSTOM and self.kpi is not None:
            return self.kpi.display_name
        return str(self.get_metric_display())


class PartnerKpiValue(AuditReasonMixin, models.Model):
    """A recorded custom-KPI value; the latest one inside a criterion's window counts."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="kpi_values"
    )
    kpi = models.ForeignKey(
        CustomKpi, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="values"
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    recorded_on = models.DateField(_("recorded on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner KPI value")
        verbose_name_plural = _("partner KPI values")
        ordering = ["-recorded_on", "-pk"]
        indexes = [models.Index(fields=["kpi", "partner", "-recorded_on"])]

    def __str__(self) -> str:
        return f"{self.kpi} {self.value} ({self.recorded_on})"


class TierEvaluationRun(models.Model):
    as_of = models.DateField(_("as of"), db_index=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    partners_evaluated = models.PositiveIntegerField(_("partners evaluated"), default=0)
    proposals_created = models.PositiveIntegerField(_("proposals created"), default=0)
    auto_applied = models.BooleanField(
        _("applied automatically"),
        default=False,
        help_text=_("The program applied this run's proposals without approval."),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty for the nightly run."),
    )

    class Meta:
        verbose_name = _("tier evaluation run")
        verbose_name_plural = _("tier evaluation runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.as_of:%Y-%m-%d} #{self.pk}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPLIED = "applied", pgettext_lazy("tier proposal", "Applied")
    REJECTED = "rejected", _("Rejected")
    # A newer run re-scored the partner: this proposal's numbers are out of date.
    SUPERSEDED = "superseded", _("Superseded")


PROPOSAL_TRANSITIONS: dict[str, set[str]] = {
    ProposalStatus.PROPOSED: {
        ProposalStatus.APPLIED,
        ProposalStatus.REJECTED,
        ProposalStatus.SUPERSEDED,
    },
    ProposalStatus.APPLIED: set(),
    ProposalStatus.REJECTED: set(),
    ProposalStatus.SUPERSEDED: set(),
}


class TierProposal(AuditReasonMixin, models.Model):
    run = models.ForeignKey(
        TierEvaluationRun,
        verbose_name=_("evaluation run"),
        on_delete=models.CASCADE,
        related_name="proposals",
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="tier_proposals"
    )
    from_tier = models.ForeignKey(
        Tier,
        verbose_name=_("current tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_tier = models.ForeignKey(
        Tier, verbose_name=_("proposed tier"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    explanation = models.JSONField(_("explanation"), encoder=DjangoJSONEncoder, default=dict)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PROPOSED,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tier proposal")
        verbose_name_plural = _("tier proposals")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one open proposal per partner: a new run supersedes the old one first.
            models.UniqueConstraint(
                fields=["partner"],
                condition=Q(status="proposed"),
                name="one_open_tier_proposal_per_partner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.from_tier or '—'} → {self.to_tier}"

    @property
    def is_upgrade(self) -> bool:
        return self.from_tier is None or self.to_tier.rank > self.from_tier.rank


class TierProposalStatusChange(StatusChange):
    status_labels = dict(ProposalStatus.choices)

    proposal = models.ForeignKey(
        TierProposal,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("tier proposal"),
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("tier proposal status change")
        verbose_name_plural = _("tier proposal status changes")


class TierChange(models.Model):
    """The partner's tier history: one row each time Partner.tier changes through the program."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="tier_changes"
    )
    from_tier = models.ForeignKey(
        Tier,
        verbose_name=pgettext_lazy("tier", "from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_tier = models.ForeignKey(
        Tier, verbose_name=pgettext_lazy("tier", "to"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposal = models.ForeignKey(
        TierProposal,
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tier_changes",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.partner}: {self.from_tier or '—'} → {self.to_tier}"
