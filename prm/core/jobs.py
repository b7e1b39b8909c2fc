"""The one way to declare a background job: retries with backoff and a time limit by default."""

import hashlib
import json
import logging
import time
import zoneinfo
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from celery import shared_task
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, OperationalError, transaction
from django.utils import timezone, translation
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, RedisConnectionError, ConnectionError, TimeoutError)
# What sending a message raises while the broker (Redis) cannot be reached.
BROKER_DOWN = (BrokerError, RedisConnectionError, RedisTimeoutError, OSError)
BROKER_RETRY_SECONDS = 5.0
_broker_down_until = 0.0  # monotonic time before which job_send does not try the broker


def _in_vendor_locale(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a task in its vendor's time zone and language, as the web middleware does a request.

    "Today", month boundaries and every message a task writes then match the vendor's, not the
    server's.
    """

    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        from prm.tenancy.db import tenant_connection
        from prm.tenancy.models import Tenant

        tenant = Tenant.objects.filter(schema_name=tenant_connection().schema_name).first()
        if tenant is None or tenant.is_public:
            return fn(*args, **kwargs)
        with (
            timezone.override(zoneinfo.ZoneInfo(tenant.time_zone)),
            translation.override(tenant.default_language),
        ):
            return fn(*args, **kwargs)

    return run


def job(name: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Decorate a task that takes ids, re-checks state and is safe to run twice."""
    defaults: dict[str, Any] = {
        "autoretry_for": TRANSIENT_ERRORS,
        "retry_backoff": 5,
        "retry_backoff_max": 600,
        "retry_jitter": True,
        "max_retries": 6,
        "acks_late": True,
        "soft_time_limit": 120,
        "time_limit": 180,
    }

    def decorate(fn: Callable[..., Any]) -> Any:
        return shared_task(name=name, **{**defaults, **options})(_in_vendor_locale(fn))

    return decorate


def job_send(task: Any, *args: Any, schema: str, **kwargs: Any) -> bool:
    """Send `task` now, to run in `schema`; False while the broker cannot be reached.

    A send that fails is not raised: its callers queue work after a commit, when an error would
    show the user a failure for work that was saved (and invite doing it twice). The call is
    kept as a DeferredJob row in `schema` instead, and `deferred_jobs_flush` (every minute)
    queues it once the broker is back. After a failure no send is tried for
    BROKER_RETRY_SECONDS (per process), so during an outage only one request in a while waits
    for the broker's connection attempts.
    """
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        log.warning(
            "%s not queued in %s: the broker was unreachable moments ago", task.name, schema
        )
        _defer(task.name, list(args), kwargs, schema)
        return False
    try:
        _send(task, args, kwargs, schema)
    except BROKER_DOWN:
        _broker_down_until = time.monotonic() + BROKER_RETRY_SECONDS
        log.warning(
            "%s not queued in %s: the broker is unreachable", task.name, schema, exc_info=True
        )
        _defer(task.name, list(args), kwargs, schema)
        return False
    return True


def _send(task: Any, args: Sequence[Any], kwargs: dict[str, Any], schema: str) -> None:
    # Nobody waits for these results: not subscribing to them (Celery's Redis backend does on
    # every send otherwise) keeps a send off the result store, which retries for 20 s.
    task.apply_async(args=args, kwargs=kwargs, headers={"_schema_name": schema}, ignore_result=True)


def _defer(name: str, args: list[Any], kwargs: dict[str, Any], schema: str) -> None:
    """Keep the call in `schema` for deferred_jobs_flush; the same call is kept once."""
    from django_tenants.utils import schema_context

    from .models import DeferredJob

    call = json.dumps([name, args, kwargs], sort_keys=True, cls=DjangoJSONEncoder)
    row = DeferredJob(
        task=name, args=args, kwargs=kwargs, key=hashlib.sha256(call.encode()).hexdigest()
    )
    try:
        # A savepoint: a caller inside a transaction keeps a usable one if the insert fails.
        with schema_context(schema), transaction.atomic():
            DeferredJob.objects.bulk_create([row], ignore_conflicts=True)
    except DatabaseError:
        # The database is unreachable as well: nothing can keep it; say so loudly.
        log.exception("%s lost in %s: neither the broker nor the database took it", name, schema)


def deferred_jobs_flush_here(limit: int = 500) -> int:
    """Queue the current schema's deferred jobs, oldest first, until one send fails.

    Each row is locked (SKIP LOCKED, so two flushes share the work), sent and deleted in a
    transaction of its own, so an error on one row (Redis refusing writes, the time limit) keeps
    the rows sent before it deleted. A commit that fails after its send sends that job again
    later: jobs are safe to run twice. Rows naming a task no release knows are left alone.
    """
    from celery import current_app

    from prm.tenancy.db import tenant_connection

    from .models import DeferredJob

    schema = tenant_connection().schema_name
    known = set(current_app.tasks.keys())
    for name in DeferredJob.objects.exclude(task__in=known).values_list("task", flat=True):
        log.error("deferred job %s in %s names no known task", name, schema)
    pending = DeferredJob.objects.filter(task__in=known).order_by("pk")
    sent = 0
    while sent < limit:
        with transaction.atomic():
            row = pending.select_for_update(skip_locked=True).first()
            if row is None:
                break
            try:
                _send(current_app.tasks[row.task], row.args, row.kwargs, schema)
            except BROKER_DOWN:
                log.warning("deferred jobs in %s wait: the broker is still unreachable", schema)
                break
            row.delete()
        sent += 1
    return sent


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue `task` once the current transaction commits, in the schema current *now*.

    Celery's own delay_on_commit reads the schema when the commit happens, which is wrong if the
    caller switched schema in between; the schema is captured here instead.
    """
    from prm.tenancy.db import tenant_connection

    schema = tenant_connection().schema_name
    transaction.on_commit(lambda: job_send(task, *args, schema=schema, **kwargs))
