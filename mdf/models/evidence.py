"""Proof of performance (活动证明): files a partner uploads for a request, stored under a random
name in the vendor's private media (never served by the web server, only through views that
check who is asking)."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .requests import EvidenceKind, MdfRequest


def evidence_path(evidence: MdfEvidence, filename: str) -> str:
    # A random name: the original may name a customer, and paths must not be guessable.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"mdf/{evidence.request_id}/{uuid.uuid4().hex}{suffix}"


class MdfEvidence(models.Model):
    request = models.ForeignKey(MdfRequest, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("evidence"), max_length=12, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("proof of performance")
        verbose_name_plural = _("proof of performance")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"
