"""Endpoints of other systems that receive the vendor's events, signed."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEndpoint(models.Model):
    """A URL that receives the chosen event types as signed JSON POSTs (docs/integrations.md).

    The secret signs each delivery (HMAC-SHA256 over timestamp and body); the receiver keeps a
    copy to verify, so it is kept as given, and shown only to the vendor admin.
    """

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=128)
    event_types = ArrayField(models.CharField(max_length=64), verbose_name=_("events"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name
