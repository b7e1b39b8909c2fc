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
