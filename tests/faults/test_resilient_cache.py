"""The pieces that keep pages up while Redis is down, against a Redis of the test's own that is
killed and started again: the cache backend (prm.core.cache), the rate limit that fails closed
(prm.core.rate_limit) and the job queued on commit (prm.core.jobs)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ResponseError

from prm.core import cache as resilient
from prm.core import jobs
from prm.core.cache import CacheUnavailable, ResilientRedisCache
from prm.core.jobs import enqueue_on_commit, job_send
from prm.core.models import DeferredJob
from prm.core.rate_limit import rate_take
from prm.integrations.outbox_tasks import outbox_deliver

from .servers import RedisServer


@pytest.fixture
def redis_server(redis_server: RedisServer) -> RedisServer:
    """The module's Redis, running and empty for each test."""
    if redis_server.process is None:
        redis_server.start()
    redis_server.client().flushall()
    return redis_server


@pytest.fixture
def retry_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with Redis believed up; the backend tries it again at every call."""
    monkeypatch.setattr(resilient, "_down_until", {})
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0.0)


def backend(server: RedisServer) -> ResilientRedisCache:
    options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    return ResilientRedisCache(server.url(), {"OPTIONS": options})


def test_with_redis_up_it_is_djangos_redis_cache(redis_server, retry_at_once):
    store = backend(redis_server)

    store.set("a", {"n": 1})
    added = [store.add("b", 1), store.add("b", 2)]

    assert store.get("a") == {"n": 1}
    assert added == [True, False]
    assert [store.incr("b"), store.incr("b", 5)] == [2, 7]
    assert store.get_many(["a", "b", "c"]) == {"a": {"n": 1}, "b": 7}
    with pytest.raises(ValueError, match="not found"):
        store.incr("c")


def test_with_redis_gone_reads_miss_and_writes_are_dropped(redis_server, retry_at_once):
    store = backend(redis_server)
    store.set("a", 1)
    redis_server.stop()

    store.set("b", 1)  # dropped, like these: none of them raises
    store.delete_many(["a"])
    store.clear()
    answers = {
        "get": store.get("a"),
        "get with a default": store.get("a", "default"),
        "get_many": store.get_many(["a", "b"]),
        "has_key": store.has_key("a"),
        "add": store.add("b", 1),
        "set_many": store.set_many({"c": 1, "d": 2}),
        "touch": store.touch("a"),
        "delete": store.delete("a"),
        "get_or_set": store.get_or_set("e", 5),
    }

    assert answers == {
        "get": None,
        "get with a default": "default",
        "get_many": {},
        "has_key": False,
        "add": False,
        "set_many": ["c", "d"],  # the keys not stored
        "touch": False,
        "delete": False,
        "get_or_set": 5,
    }
    with pytest.raises(CacheUnavailable):
        store.incr("a")
    with pytest.raises(CacheUnavailable):
        store.decr("a")


def test_after_an_error_redis_is_left_alone_for_a_while_then_tried_again(
    redis_server, retry_at_once, monkeypatch, caplog
):
    store = backend(redis_server)
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 3600.0)
    redis_server.stop()

    with caplog.at_level(logging.WARNING, logger="prm.core.cache"):
        misses = [store.get("a") for _n in range(20)]
    redis_server.start()
    still_left_alone = store.add("a", 1)
    monkeypatch.setattr(resilient, "_down_until", {})  # the hour is over
    tried_again = store.add("a", 1)

    assert misses == [None] * 20
    (record,) = caplog.records  # one warning, not twenty
    assert record.getMessage().startswith("cache unreachable (ConnectionError: ")
    assert (still_left_alone, tried_again, store.get("a")) == (False, True, 1)


def test_an_error_that_is_not_about_reaching_redis_still_raises(redis_server, retry_at_once):
    store = backend(redis_server)
    redis_server.client().rpush(store.make_key("a"), "x")  # a list where a value should be

    with pytest.raises(ResponseError, match="WRONGTYPE"):
        store.get("a")


@pytest.fixture
def cache_on(redis_server: RedisServer, retry_at_once: None) -> Iterator[RedisServer]:
    """The default cache (what the app's code imports) on the test's own Redis."""
    caches = {
        "default": {
            "BACKEND": "prm.core.cache.ResilientRedisCache",
            "LOCATION": redis_server.url(),
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }
    with override_settings(CACHES=caches):
        yield redis_server


def test_a_rate_limit_fails_closed_while_redis_is_down_and_counts_again_after(cache_on):
    def takes(n: int) -> list[bool]:
        return [rate_take("faults:check:1", limit=2, window_seconds=60) for _i in range(n)]

    up = takes(3)
    cache_on.stop()
    down = takes(2)
    cache_on.start()  # empty: the window starts again
    back = takes(3)

    assert (up, down, back) == ([True, True, False], [False, False], [True, True, False])
    assert cache.get("faults:check:1") == 3


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """outbox_deliver's sends fail as kombu fails them with Redis gone; each try recorded."""
    tries: list[dict[str, Any]] = []

    def refused(**options: Any) -> None:
        tries.append(options)
        raise BrokerError("Error 111 connecting to redis. Connection refused.")

    monkeypatch.setattr(outbox_deliver, "apply_async", refused)
    monkeypatch.setattr(jobs, "_broker_down_until", 0.0)
    return tries


def test_a_job_that_cannot_be_queued_after_commit_is_logged_not_raised(
    in_a, broker_down, caplog, django_capture_on_commit_callbacks
):
    with (
        caplog.at_level(logging.WARNING, logger="prm.core.jobs"),
        django_capture_on_commit_callbacks(execute=True) as queued,
        transaction.atomic(),
    ):
        enqueue_on_commit(outbox_deliver, "an-event")

    assert len(queued) == 1
    assert broker_down == [
        {
            "args": ("an-event",),
            "kwargs": {},
            "headers": {"_schema_name": "alpha"},
            "ignore_result": True,  # nobody reads it: no subscription to the result store
        }
    ]
    (record,) = caplog.records
    assert record.getMessage() == (
        "prm.integrations.outbox_deliver not queued in alpha: the broker is unreachable"
    )
    assert record.exc_info is not None


def test_after_a_failed_send_the_broker_is_left_alone_for_a_while(in_a, broker_down, monkeypatch):
    sent = [job_send(outbox_deliver, "e1", schema="alpha")]
    sent.append(job_send(outbox_deliver, "e2", schema="alpha"))
    monkeypatch.setattr(jobs, "_broker_down_until", 0.0)  # the while is over
    sent.append(job_send(outbox_deliver, "e3", schema="alpha"))

    assert sent == [False, False, False]
    assert [options["args"] for options in broker_down] == [("e1",), ("e3",)]
    # Each kept for deferred_jobs_flush, the one not even tried too.
    assert list(DeferredJob.objects.order_by("pk").values_list("args", flat=True)) == [
        ["e1"],
        ["e2"],
        ["e3"],
    ]


def test_any_other_error_queueing_a_job_still_raises(
    in_a, monkeypatch, django_capture_on_commit_callbacks
):
    def bug(**options: Any) -> None:
        raise TypeError("a bug")

    monkeypatch.setattr(outbox_deliver, "apply_async", bug)
    monkeypatch.setattr(jobs, "_broker_down_until", 0.0)

    with (
        pytest.raises(TypeError, match="a bug"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        enqueue_on_commit(outbox_deliver, "an-event")
