"""Tenant fan-out for periodic jobs.

Beat fires `dispatch_to_tenants(task_name)` once; it queues `task_name` once per active vendor,
each message stamped with that vendor's schema, so the job runs inside each schema in turn.
"""

from __future__ import annotations

import logging

from django_tenants.utils import get_tenant_model, schema_context

from prm.celery import app
from prm.core.jobs import job

log = logging.getLogger(__name__)


@job("prm.core.tasks.dispatch_to_tenants")
def dispatch_to_tenants(task_name: str, *args: object) -> int:
    task = app.tasks[task_name]
    schemas = list(
        get_tenant_model()
        .objects.exclude(schema_name="public")
        .filter(is_active=True)
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
    for schema in schemas:
        with schema_context(schema):
            task.apply_async(args=args)
    log.info("dispatched %s to %d tenants", task_name, len(schemas))
    return len(schemas)


@job("prm.core.tasks.notifications_email")
def notifications_email(notification_ids: list[int]) -> int:
    """Mail notifications not mailed yet. A row is claimed before sending and released if the
    send fails, so a retry or a second run mails each at most once after success."""
    from django.core.mail import send_mail
    from django.utils import timezone

    from prm.tenancy.selectors import tenant_base_url

    from .models import Notification

    sent = 0
    base = None
    for pk in notification_ids:
        claimed = Notification.objects.filter(pk=pk, email=True, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        note = Notification.objects.select_related("recipient").get(pk=pk)
        if note.url and base is None:
            base = tenant_base_url()
        body = note.body + (f"\n\n{base}{note.url}" if note.url else "")
        try:
            send_mail(" ".join(note.title.split()), body.strip(), None, [note.recipient.email])
        except Exception:
            Notification.objects.filter(pk=pk).update(emailed_at=None)
            raise
        sent += 1
    return sent


@job("prm.core.tasks.deferred_jobs_flush")
def deferred_jobs_flush() -> int:
    """Queue the jobs kept while the broker was unreachable (prm.core.jobs.job_send)."""
    from prm.core.jobs import deferred_jobs_flush_here

    return deferred_jobs_flush_here()
