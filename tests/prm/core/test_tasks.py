"""Background jobs against a real Celery worker on the real Redis broker."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from prm.accounts.tasks import clear_expired_sessions
from prm.celery import app
from prm.core.jobs import enqueue_on_commit
from prm.core.tasks import dispatch_to_tenants
from prm.tenancy.models import Tenant
from tests.concurrency import in_thread

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker):
    app.control.purge()
    with (
        django_db_blocker.unblock(),
        start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
        ) as running,
    ):
        yield running


def _expired_session(key: str) -> None:
    Session.objects.create(
        session_key=key, session_data="e30:1", expire_date=timezone.now() - timedelta(days=1)
    )


def _exists(key: str) -> bool:
    return Session.objects.filter(session_key=key).exists()


@pytest.fixture
def expired_sessions(tenant_a, tenant_b):
    in_thread("alpha", lambda: _expired_session("expired-in-alpha"))
    in_thread("bravo", lambda: _expired_session("expired-in-bravo"))
    yield
    for schema in ("alpha", "bravo"):
        in_thread(
            schema, lambda: Session.objects.filter(session_key__startswith="expired-in-").delete()
        )


def _wait_until_gone(*pairs: tuple[str, str]) -> list[bool]:
    """Poll (schema, session key) pairs until the worker has deleted them or 10 s pass."""
    for _ in range(100):
        left = [in_thread(schema, lambda key=key: _exists(key)) for schema, key in pairs]
        if not any(left):
            break
        time.sleep(0.1)
    return left


def test_task_queued_in_a_runs_in_a_only(
    worker, expired_sessions, tenant_a, django_capture_on_commit_callbacks
):
    connection.set_tenant(tenant_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue_on_commit(clear_expired_sessions)
        assert in_thread("alpha", lambda: _exists("expired-in-alpha"))  # nothing sent yet
    assert len(callbacks) == 1

    assert _wait_until_gone(("alpha", "expired-in-alpha")) == [False]
    assert in_thread("bravo", lambda: _exists("expired-in-bravo")) is True


def test_dispatcher_fans_out_once_per_vendor(worker, expired_sessions):
    vendors = in_thread("alpha", lambda: Tenant.objects.exclude(schema_name="public").count())

    result = dispatch_to_tenants.apply_async(args=["prm.accounts.tasks.clear_expired_sessions"])

    assert result.get(timeout=20) == vendors
    assert _wait_until_gone(("alpha", "expired-in-alpha"), ("bravo", "expired-in-bravo")) == [
        False,
        False,
    ]


def test_healthz_sees_the_worker(worker, client_a):
    assert client_a.get("/healthz").json()["worker"] == "ok"


def test_jobs_retry_with_backoff_and_have_time_limits():
    task = app.tasks["prm.accounts.tasks.clear_expired_sessions"]

    assert task.max_retries == 6
    assert task.retry_backoff == 5
    assert task.retry_jitter is True
    assert (task.soft_time_limit, task.time_limit) == (120, 180)
    assert task.acks_late is True


def test_enqueue_captures_the_schema_at_call_time(
    tenant_a, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        clear_expired_sessions, "apply_async", lambda **options: sent.append(options)
    )
    connection.set_tenant(tenant_a)

    with django_capture_on_commit_callbacks(execute=True):
        with schema_context("bravo"):
            enqueue_on_commit(clear_expired_sessions)
        assert sent == []

    assert [options["headers"]["_schema_name"] for options in sent] == ["bravo"]


def test_every_periodic_job_names_a_registered_task():
    from django.conf import settings as django_settings

    from prm.celery import app
    from prm.settings import base

    app.loader.import_default_modules()
    assert django_settings.CELERY_BEAT_SCHEDULE == {}  # tests never run beat
    entries = base.CELERY_BEAT_SCHEDULE.values()
    named = {entry["args"][0] for entry in entries if "args" in entry}
    named |= {entry["task"] for entry in entries}
    assert {"mdf.tasks.mdf_daily", "prm.core.tasks.deferred_jobs_flush"} <= named
    assert named - set(app.tasks) == set()
