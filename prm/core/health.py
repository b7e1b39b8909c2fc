"""`/healthz`: database, Redis and Celery worker, as JSON for load balancers and compose."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


def _check_database() -> str:
    try:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def _check_redis() -> str:
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping()
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


_worker_status: tuple[float, str] = (0.0, "")


def _check_worker() -> str:
    """Pinging the workers costs up to half a second, so one answer serves for a while."""
    global _worker_status
    checked_at, status = _worker_status
    if status and time.monotonic() - checked_at < settings.PRM_HEALTH_WORKER_TTL:
        return status
    from prm.celery import app

    try:
        status = "ok" if app.control.ping(timeout=0.5) else "no worker answered"
    except Exception as exc:
        status = f"error: {type(exc).__name__}"
    _worker_status = (time.monotonic(), status)
    return status


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "redis": _check_redis()}
    # Pinging workers goes through Redis: with Redis gone it would only wait out the broker's
    # timeouts, longer than a load balancer's probe allows.
    checks["worker"] = _check_worker() if checks["redis"] == "ok" else "unknown: Redis unreachable"
    # Web serves pages without Redis or a worker (docs/faults.md), so only the database decides
    # the status code: a load balancer must not turn a Redis outage into a web outage.
    serving = checks["database"] == "ok"
    healthy = serving and checks["redis"] == "ok" and checks["worker"] == "ok"
    status = "ok" if healthy else ("degraded" if serving else "down")
    return JsonResponse({"status": status, **checks}, status=200 if serving else 503)
