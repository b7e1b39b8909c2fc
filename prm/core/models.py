from collections.abc import Mapping

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Sequence(models.Model):
    """Per-tenant counter for numbers people read (order no., statement no.).

    Incremented with a single UPDATE ... RETURNING, so the row lock it takes serialises
    concurrent callers until their transaction ends: no duplicates, no max()+1.
    """

    key = models.CharField(_("key"), max_length=64, primary_key=True)
    last_value = models.BigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"


class StatusChange(models.Model):
    """History row written by every status transition; each workflow subclasses it with its FK."""

    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    # The workflow's TextChoices, so history shows "Active", not "active".
    status_labels: Mapping[str, object] = {}

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_label or '-'} → {self.to_label}"

    @property
    def from_label(self) -> str:
        return str(self.status_labels.get(self.from_status, self.from_status))

    @property
    def to_label(self) -> str:
        return str(self.status_labels.get(self.to_status, self.to_status))


class AuditReasonMixin:
    """Lets a service attach a reason that django-auditlog stores with the change it logs."""

    def get_additional_data(self) -> dict[str, str] | None:
        reason = getattr(self, "_audit_reason", "")
        return {"reason": reason} if reason else None


class Notification(models.Model):
    """One line of a person's notification centre; email, when asked for, follows on commit.

    Title and body are written in the recipient's language when created: a notification is a
    message already sent, not a template.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=48, db_index=True)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email = models.BooleanField(_("also by email"), default=False)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            )
        ]

    def __str__(self) -> str:
        return self.title


class DeferredJob(models.Model):
    """A job that could not be queued because the broker was unreachable, kept in the schema it
    runs in until `deferred_jobs_flush` queues it (prm.core.jobs). The same call is kept once."""

    task = models.CharField(_("job"), max_length=200)
    # Encoded as Celery's JSON would send them (UUIDs, dates and Decimals as strings).
    args = models.JSONField(_("arguments"), default=list, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, encoder=DjangoJSONEncoder)
    key = models.CharField(_("key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deferred job")
        verbose_name_plural = _("deferred jobs")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.task
