"""What the conflict engine found when a registration was submitted: the evidence, kept.

Rows are written at submission (and again at each resubmission and approval check), so a later
dispute is settled on what was known at the time.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    BLOCK = "block", _("Blocked")
    REVIEW = "review", _("Needs review")
    INFO = "info", _("For information")


VERDICT_RANK = {Verdict.BLOCK: 3, Verdict.REVIEW: 2, Verdict.INFO: 1}
# What a candidate matched on, in the order shown.
MATCH_LABELS = {
    "credit_code": _("credit code"),
    "name": _("company name"),
    "domain": _("website / email domain"),
    "phone": _("phone number"),
}


class ConflictSource(models.TextChoices):
    REGISTRATION = "registration", _("Deal registration")
    ACCOUNT = "account", _("Vendor account")
    CUSTOMER = "customer", _("Existing customer (sell-out)")


class DealConflict(models.Model):
    registration = models.ForeignKey(
        "deal_registration.DealRegistration",
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    source = models.CharField(_("found in"), max_length=12, choices=ConflictSource.choices)
    other_registration = models.ForeignKey(
        "deal_registration.DealRegistration",
        verbose_name=_("other registration"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    account = models.ForeignKey(
        "deal_registration.NamedAccount",
        verbose_name=_("vendor account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    sell_out = models.ForeignKey(
        "orders.SellOut",
        verbose_name=_("sell-out record"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=2)
    matched = ArrayField(models.CharField(max_length=16), verbose_name=_("matched on"))
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices)
    detected_at = models.DateTimeField(_("detected at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        ordering = ["-score", "pk"]

    def __str__(self) -> str:
        return f"{self.registration_id} ~ {self.get_source_display()} ({self.score})"

    @property
    def matched_labels(self) -> list[str]:
        return [str(MATCH_LABELS.get(m, m)) for m in self.matched]
