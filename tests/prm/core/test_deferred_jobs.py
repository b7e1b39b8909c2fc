"""A job that cannot be queued (Redis unreachable) is kept in its vendor's schema and queued by
`deferred_jobs_flush` once the broker answers again: nothing queued on commit is lost."""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from decimal import Decimal
from typing import Any

import pytest
from celery import Celery
from django.db import OperationalError, connection, transaction
from django_tenants.utils import schema_context
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ResponseError

from prm.core import jobs
from prm.core.jobs import enqueue_on_commit, job_send
from prm.core.models import DeferredJob
from prm.core.tasks import deferred_jobs_flush, notifications_email
from prm.embedded import celery_url
from prm.integrations.outbox_tasks import outbox_deliver

pytestmark = pytest.mark.django_db

REFUSED = BrokerError("Error 111 connecting to redis. Connection refused.")


class Broker:
    """Stands in for kombu's send on the two tasks used here: refuses while down, else records."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.up = False
        self.refuse_after: tuple[int, Exception] | None = None  # (sends that go out, then this)
        self.sent: list[tuple[str, list[Any], dict[str, Any], str]] = []
        for task in (outbox_deliver, notifications_email):
            monkeypatch.setattr(task, "apply_async", self._sender(task.name))
        monkeypatch.setattr(jobs, "_broker_down_until", 0.0)

    def _sender(self, name: str) -> Any:
        def send(*, args: list[Any], kwargs: dict[str, Any], headers: dict[str, str], **_: Any):
            if not self.up:
                raise REFUSED
            if self.refuse_after and len(self.sent) == self.refuse_after[0]:
                raise self.refuse_after[1]
            self.sent.append((name, list(args), kwargs, headers["_schema_name"]))

        return send


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> Broker:
    return Broker(monkeypatch)


def kept(schema: str) -> list[tuple[str, list[Any], dict[str, Any]]]:
    with schema_context(schema):
        return list(DeferredJob.objects.order_by("pk").values_list("task", "args", "kwargs"))


def queue_after_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        enqueue_on_commit(task, *args, **kwargs)


def test_a_job_the_broker_refuses_is_kept_in_its_schema_once_per_call(
    in_a, tenant_b, broker, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue_after_commit(outbox_deliver, "event-1")
        queue_after_commit(outbox_deliver, "event-1")  # the same call again: kept once
        monkeypatch.setattr(jobs, "_broker_down_until", 0.0)
        queue_after_commit(notifications_email, [7, 9])

    assert kept("alpha") == [
        ("prm.integrations.outbox_deliver", ["event-1"], {}),
        ("prm.core.tasks.notifications_email", [[7, 9]], {}),
    ]
    assert kept("bravo") == []
    assert broker.sent == []


def test_the_flush_queues_kept_jobs_in_their_schema_once_the_broker_is_back(in_a, tenant_b, broker):
    assert job_send(outbox_deliver, "event-a", schema="alpha") is False
    assert job_send(notifications_email, [3], schema="bravo") is False

    assert deferred_jobs_flush() == 0  # still down: nothing sent, nothing dropped
    assert kept("alpha") == [("prm.integrations.outbox_deliver", ["event-a"], {})]

    broker.up = True
    assert deferred_jobs_flush() == 1  # runs in alpha: alpha's jobs only
    with schema_context("bravo"):
        assert deferred_jobs_flush() == 1
    connection.set_schema("alpha")
    assert deferred_jobs_flush() == 0  # each sent once

    assert broker.sent == [
        ("prm.integrations.outbox_deliver", ["event-a"], {}, "alpha"),
        ("prm.core.tasks.notifications_email", [[3]], {}, "bravo"),
    ]
    assert kept("alpha") == kept("bravo") == []


def test_an_error_mid_flush_keeps_what_was_sent_sent_and_the_rest_kept(in_a, broker):
    for event in ("e1", "e2", "e3"):
        job_send(outbox_deliver, event, schema="alpha")
    broker.up = True
    broker.refuse_after = (
        1,
        ResponseError("OOM command not allowed when used memory > 'maxmemory'"),
    )

    with pytest.raises(ResponseError):
        deferred_jobs_flush()

    assert [call[1] for call in broker.sent] == [["e1"]]
    assert kept("alpha") == [
        ("prm.integrations.outbox_deliver", ["e2"], {}),
        ("prm.integrations.outbox_deliver", ["e3"], {}),
    ]
    broker.refuse_after = None
    assert deferred_jobs_flush() == 2
    assert [call[1] for call in broker.sent] == [["e1"], ["e2"], ["e3"]]  # e1 not sent twice


def test_a_call_kept_sent_and_refused_again_is_kept_again(in_a, broker):
    job_send(outbox_deliver, "e1", schema="alpha")
    broker.up = True
    deferred_jobs_flush()
    broker.up = False
    jobs._broker_down_until = 0.0

    job_send(outbox_deliver, "e1", schema="alpha")

    assert kept("alpha") == [("prm.integrations.outbox_deliver", ["e1"], {})]


def test_arguments_are_kept_as_celerys_json_would_send_them(in_a, broker):
    event = uuid.UUID("6f1c0a52-8a0e-4d0b-9d51-2d5c6c1f3b10")

    job_send(outbox_deliver, event, schema="alpha", amount=Decimal("12.30"))

    assert kept("alpha") == [("prm.integrations.outbox_deliver", [str(event)], {"amount": "12.30"})]


def test_a_kept_job_naming_no_task_is_left_for_someone_to_look_at(in_a, broker, caplog):
    DeferredJob.objects.create(task="gone.in.a.release", args=[1], key="x" * 64)
    job_send(outbox_deliver, "event-b", schema="alpha")
    broker.up = True

    with caplog.at_level(logging.ERROR, logger="prm.core.jobs"):
        assert deferred_jobs_flush() == 1

    assert kept("alpha") == [("gone.in.a.release", [1], {})]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        "deferred job gone.in.a.release in alpha names no known task"
    ]


def test_with_the_database_gone_too_the_loss_is_logged_as_an_error(
    in_a, broker, monkeypatch, caplog
):
    def unreachable(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(DeferredJob.objects, "bulk_create", unreachable)

    with caplog.at_level(logging.ERROR, logger="prm.core.jobs"):
        assert job_send(outbox_deliver, "event-c", schema="alpha") is False

    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        "prm.integrations.outbox_deliver lost in alpha: neither the broker nor the database took it"
    ]


def test_a_broker_that_accepts_connections_but_never_answers_does_not_hold_the_send(
    monkeypatch,
):
    """The socket timeouts in CELERY_BROKER_TRANSPORT_OPTIONS: the send gives up and the job is
    kept. Without them the send waits for ever (the thread below would still be alive)."""
    from django.conf import settings

    deferred: list[tuple[str, list[Any], dict[str, Any], str]] = []
    monkeypatch.setattr(jobs, "_defer", lambda *call: deferred.append(call))
    monkeypatch.setattr(jobs, "_broker_down_until", 0.0)
    with socket.create_server(("127.0.0.1", 0)) as silent:
        app = Celery("hung", set_as_current=False)
        app.config_from_object(settings, namespace="CELERY")
        app.conf.broker_url = celery_url(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")

        @app.task(name="prm.integrations.outbox_deliver")
        def deliver(event_id: str) -> None:
            raise AssertionError("never runs: no worker")

        answers: list[bool] = []
        sending = threading.Thread(
            target=lambda: answers.append(job_send(deliver, "event-d", schema="alpha")),
            daemon=True,  # a hang fails the test below, not the run
        )
        sending.start()
        sending.join(timeout=120)
        alive = sending.is_alive()
        app.close()

    assert not alive
    assert answers == [False]
    assert deferred == [("prm.integrations.outbox_deliver", ["event-d"], {}, "alpha")]
