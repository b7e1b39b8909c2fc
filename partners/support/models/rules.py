"""How tickets find their owner and their deadlines: routing rules and SLA policies, both kept by
the vendor admin in Django admin."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prm.accounts.roles import ALL_PARTNERS_ROLES, VENDOR_ROLES
from prm.core.models import AuditReasonMixin

from .choices import TicketCategory, TicketPriority

VENDOR_STAFF = {"role__in": sorted(VENDOR_ROLES), "is_active": True}
# An escalation contact must see every partner's tickets (a channel manager sees only his own).
SEES_ALL = {"role__in": sorted(ALL_PARTNERS_ROLES), "is_active": True}


class RoutingRule(AuditReasonMixin, models.Model):
    """Who owns a new ticket: the first active rule by position whose category and regions match
    the ticket (empty means any) wins."""

    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(
        _("position"), default=100, help_text=_("Rules are tried from the lowest position up.")
    )
    category = models.CharField(
        _("category"),
        max_length=16,
        choices=TicketCategory.choices,
        blank=True,
        help_text=_("Empty means every category."),
    )
    regions = models.ManyToManyField(
        "partners.Region",
        verbose_name=_("provinces"),
        blank=True,
        related_name="+",
        limit_choices_to={"level": "province"},
        help_text=_("Tickets of partners in these provinces. Empty means every region."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=VENDOR_STAFF,
    )
    is_active = models.BooleanField(pgettext_lazy("switch", "active"), default=True)

    class Meta:
        verbose_name = _("ticket routing rule")
        verbose_name_plural = _("ticket routing rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        owner = self.owner if self.owner_id else None
        if owner is not None and not owner.is_vendor_staff:
            raise ValidationError({"owner": _("Tickets are owned by vendor staff.")})


class SlaPolicy(AuditReasonMixin, models.Model):
    """Response and resolution targets, in wall-clock hours from submission. The most specific
    active policy wins: category and priority, then category, then priority, then the catch-all
    (both empty); without any, partners.support.routing's defaults apply."""

    category = models.CharField(
        _("category"),
        max_length=16,
        choices=TicketCategory.choices,
        blank=True,
        help_text=_("Empty means every category."),
    )
    priority = models.CharField(
        _("priority"),
        max_length=8,
        choices=TicketPriority.choices,
        blank=True,
        help_text=_("Empty means every priority."),
    )
    first_response_hours = models.PositiveIntegerField(
        _("first response within (hours)"), help_text=_("Wall-clock hours from submission.")
    )
    resolution_hours = models.PositiveIntegerField(
        _("resolved within (hours)"), help_text=_("Wall-clock hours from submission.")
    )
    escalate_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalate to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to=SEES_ALL,
        help_text=_(
            "Told when a target is missed, with the owner. Empty: the partner's channel "
            "manager, else the vendor admins."
        ),
    )
    auto_close_days = models.PositiveSmallIntegerField(
        _("close resolved tickets after (days)"),
        default=7,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A resolved ticket the partner neither confirms nor reopens closes by itself "
            "after this many days."
        ),
    )
    is_active = models.BooleanField(pgettext_lazy("switch", "active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["category", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["category", "priority"], name="support_sla_once"),
            models.CheckConstraint(
                condition=models.Q(first_response_hours__gt=0, resolution_hours__gt=0),
                name="support_sla_hours_positive",
            ),
            # Zero days would close a resolution before the partner could read it.
            models.CheckConstraint(
                condition=models.Q(auto_close_days__gte=1), name="support_sla_auto_close_days"
            ),
        ]

    def __str__(self) -> str:
        category = self.get_category_display() if self.category else _("Every category")
        priority = self.get_priority_display() if self.priority else _("every priority")
        return f"{category} · {priority}"

    def clean(self) -> None:
        errors = {}
        if self.first_response_hours == 0:
            errors["first_response_hours"] = _("Enter at least one hour.")
        if self.resolution_hours == 0:
            errors["resolution_hours"] = _("Enter at least one hour.")
        if (
            self.first_response_hours
            and self.resolution_hours
            and self.resolution_hours < self.first_response_hours
        ):
            errors["resolution_hours"] = _("Resolution cannot be due before the first response.")
        escalate_to = self.escalate_to if self.escalate_to_id else None
        if escalate_to is not None and escalate_to.role not in ALL_PARTNERS_ROLES:
            errors["escalate_to"] = _(
                "Escalations go to vendor staff who see every partner (not a channel manager "
                "or a partner user)."
            )
        if errors:
            raise ValidationError(errors)
