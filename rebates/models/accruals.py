"""What the engine computed: per program, partner and period, the basis, the tier reached, the
amount with its bonuses; and what finance settled of it. Which source rows made up a basis is
read from the sources when asked (rebates.explanation), not stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.core.money import MoneyField


class SourceKind(models.TextChoices):
    ORDER_LINE = "order_line", _("Order line")
    SHIPMENT_LINE = "shipment_line", _("Shipment line")
    PAYMENT = "payment", _("Payment")
    RETURN_LINE = "return_line", _("Return")
    SELL_OUT = "sell_out", _("Sell-out record")
    WON_DEAL = "won_deal", _("Deal won with a new customer")


class RebateRun(models.Model):
    """One recalculation; accruals point to the run that last wrote them."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    scope = models.CharField(_("scope"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rebate calculation run")
        verbose_name_plural = _("rebate calculation runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.scope}"


class RebateAccrual(models.Model):
    program = models.ForeignKey(
        "rebates.RebateProgram", on_delete=models.PROTECT, related_name="accruals"
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="rebate_accruals"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    basis = models.DecimalField(_("basis"), max_digits=16, decimal_places=2, default=0)
    tier = models.ForeignKey(
        "rebates.RebateTier",
        verbose_name=_("tier reached"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    bonus = MoneyField(_("bonuses"), default=0, help_text=_("Included in the amount before caps."))
    uncapped_amount = MoneyField(_("before caps"), default=0)
    capped_amount = MoneyField(
        _("after caps"),
        default=0,
        help_text=_("Before the exclusive group keeps only a partner's largest program."),
    )
    amount = MoneyField(_("accrued"), default=0)
    run = models.ForeignKey(RebateRun, null=True, on_delete=models.SET_NULL, related_name="+")
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("rebate accrual")
        verbose_name_plural = _("rebate accruals")
        ordering = ["-period_start", "program", "partner"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "partner", "period_start"], name="rebate_accrual_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program_id}/{self.partner_id} {self.period_start}: {self.amount}"


class SettlementKind(models.TextChoices):
    SETTLEMENT = "settlement", _("Settlement")
    ADJUSTMENT = "adjustment", _("Adjustment after recalculation")


class SettlementMethod(models.TextChoices):
    CREDIT = "credit", _("Rebate credit (usable at checkout)")
    PAYOUT = "payout", _("Payout (bank transfer)")


class RebateSettlement(models.Model):
    """What finance paid for an accrual: the first settlement, then adjustments (either sign)
    so that the settlements of a period always add up to its latest accrual."""

    accrual = models.ForeignKey(RebateAccrual, on_delete=models.PROTECT, related_name="settlements")
    kind = models.CharField(_("kind"), max_length=10, choices=SettlementKind.choices)
    amount = MoneyField(_("amount"))
    method = models.CharField(
        _("paid as"),
        max_length=6,
        choices=SettlementMethod.choices,
        default=SettlementMethod.CREDIT,
        help_text=_(
            "A payout records money sent outside the system; a negative one, money to "
            "recover from the partner."
        ),
    )
    payout_reference = models.CharField(_("payout reference"), max_length=64, blank=True)
    ledger_entry = models.ForeignKey(
        "orders.LedgerEntry",
        verbose_name=_("wallet entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    settled_at = models.DateTimeField(_("settled at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rebate settlement")
        verbose_name_plural = _("rebate settlements")
        ordering = ["-settled_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
