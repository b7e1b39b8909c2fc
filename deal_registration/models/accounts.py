"""Customers the vendor keeps for itself: direct accounts and protected named accounts (名单客户).

A partner registration that matches one is a conflict like a match with another partner's
registration; the vendor's sales owner settles it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.credit_code import validate_credit_code
from prm.core.models import AuditReasonMixin

from ..keys import domain_key, normalize_name, phone_key


class AccountKind(models.TextChoices):
    DIRECT = "direct", _("Direct account (vendor sells itself)")
    NAMED = "named", _("Named account (protected, vendor decides)")


class NamedAccount(AuditReasonMixin, models.Model):
    kind = models.CharField(_("kind"), max_length=8, choices=AccountKind.choices)
    name = models.CharField(_("company name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    website = models.CharField(_("website or email domain"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    region = models.ForeignKey(
        "partners.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vendor owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"partner": None},
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    name_key = models.CharField(_("name key"), max_length=200, editable=False)
    domain = models.CharField(max_length=200, blank=True, editable=False)
    phone_key = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vendor account")
        verbose_name_plural = _("vendor accounts")
        ordering = ["name", "pk"]
        indexes = [
            GinIndex(OpClass("name_key", name="gin_trgm_ops"), name="named_account_name_trgm"),
            models.Index(fields=["credit_code"], name="named_account_credit_code"),
            models.Index(fields=["domain"], name="named_account_domain"),
            models.Index(fields=["phone_key"], name="named_account_phone"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = normalize_name(self.name)[:200]
        self.domain = domain_key(self.website)
        self.phone_key = phone_key(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "name_key", "domain", "phone_key"}
        super().save(*args, **kwargs)
